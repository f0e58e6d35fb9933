"""Duplicates never lose data: a merge needs strong evidence, and a value that differs from the
book's is kept (on a contact) or named in the report, as a value, never as a Python object."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.interop.csv_import import ImportOptions, import_file
from callbook.jigsaw import load_templates
from callbook.model import Status
from callbook.store import Store

CONFIG = Config(timezone="Europe/London", region="US")
NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


def run(tmp_path: Path, text: str, store: Store | None = None, **options):
    path = tmp_path / "in.csv"
    path.write_text(text, "utf-8")
    own = store is None
    store = store or Store.open(tmp_path / "book.db", clock=fixed_clock(NOW))
    report = import_file(store, path, ImportOptions(**options), CONFIG, load_templates(None))
    prospects = store.prospects()
    contacts = {p.name: [(c.name, c.email) for c in store.contacts(p.id)] for p in prospects}
    if own:
        store.close()
    return report, prospects, contacts


def test_a_first_name_alone_never_merges(tmp_path: Path) -> None:
    report, prospects, contacts = run(
        tmp_path, "First Name,Email\nTina,tina@harbourcafe.example\nTina,tina@yarra.example\n"
    )
    assert report.counts["added"] == 2 and report.counts["merged"] == 0
    assert sorted(p.email for p in prospects) == ["tina@harbourcafe.example", "tina@yarra.example"]


def test_the_same_full_name_alone_merges_and_keeps_the_second_email(tmp_path: Path) -> None:
    report, prospects, contacts = run(
        tmp_path, "Full Name,Email\nTina Nguyen,tina@harbourcafe.example\n"
        "Tina Nguyen,tina.nguyen@gmail.com\n",
    )  # fmt: skip
    assert report.counts["merged"] == 1
    (row,) = [r for r in report.rows if r.action == "merge"]
    assert row.reason == "same name 'tina nguyen'"
    # The book keeps her email; the file's other one is named, not dropped.
    assert row.changes["kept"]["Tina Nguyen email"] == [
        "tina@harbourcafe.example", "tina.nguyen@gmail.com",
    ]  # fmt: skip
    assert [p.email for p in prospects] == ["tina@harbourcafe.example"]


def test_same_domain_needs_a_similar_company(tmp_path: Path) -> None:
    report, prospects, _ = run(
        tmp_path, "Company,Website\nAcme Widgets,https://acme.example\n"
        "Acme Widgets Inc,acme.example/about\nRoadrunner Supplies,www.acme.example\n",
    )  # fmt: skip
    assert [(r.line, r.action, r.reason) for r in report.rows] == [
        (2, "add", None),
        (3, "merge", "same website acme.example and company 'Acme Widgets'"),
        (4, "add", None),
    ]
    assert sorted(p.name for p in prospects) == ["Acme Widgets", "Roadrunner Supplies"]


def test_a_shared_front_desk_address_does_not_merge_branches(tmp_path: Path) -> None:
    report, prospects, _ = run(
        tmp_path, "Company,Email,City,Country\n"
        "Lakeshore Hotels Inc.,info@lakeshorehotels.example,Toronto,CA\n"
        "Lakeshore Hotels Inc.,info@lakeshorehotels.example,New York,US\n"
        "Lakeshore Hotels,info@lakeshorehotels.example,Toronto,Canada\n",
    )  # fmt: skip
    assert [(r.action, r.duplicate_of) for r in report.rows] == [
        ("add", None), ("add", None), ("merge", "line 2 Lakeshore Hotels Inc."),
    ]  # fmt: skip
    assert sorted(p.city for p in prospects) == ["New York", "Toronto"]


def test_the_same_phone_merges_even_elsewhere_and_names_what_differs(tmp_path: Path) -> None:
    report, prospects, _ = run(
        tmp_path, "Company,Phone,City,Status,Next Call\n"
        "Kingsley Dental,+44 20 7946 0958,London,new,2027-03-14 09:30\n"
        "Kingsley Dental Practice,020 7946 0958,Croydon,active,3/15/2027 10:00 AM\n",
        region="GB", maps=("Status=status",),
    )  # fmt: skip
    (row,) = [r for r in report.rows if r.action == "merge"]
    assert row.reason == "same phone +442079460958"
    assert row.changes["kept"] == {
        "company": ["Kingsley Dental", "Kingsley Dental Practice"],
        "city": ["London", "Croydon"],
        "status": ["new", "active"],
        "next_call_at": ["2027-03-14T09:30:00+00:00", "2027-03-15T10:00:00+00:00"],
    }
    (prospect,) = prospects
    assert (prospect.city, prospect.status) == ("London", Status.NEW)


def test_a_merge_report_prints_values_not_objects(tmp_path: Path) -> None:
    (tmp_path / "in.csv").write_text(
        "Company,Phone,Status,Next Call\nAcme,+1 212 555 0101,new,2027-03-14 09:30\n"
        "Acme,+1 212 555 0101,active,2027-03-15 10:00\n",
        "utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["--db", str(tmp_path / "book.db"), "import", str(tmp_path / "in.csv"), "--map",
         "Status=status"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Status." not in result.output and "datetime" not in result.output
    assert "kept status 'new' (file: 'active')" in result.output


def test_callbook_csv_export_of_the_demo_merges_nothing_wrongly(tmp_path: Path, demo_db) -> None:
    out = tmp_path / "demo.csv"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(demo_db), "export", "--format", "csv", "-o",
                                str(out)]).exit_code == 0  # fmt: skip
    with Store.open(demo_db) as store:
        before = [(p.id, p.name) for p in store.prospects()]
    # Into an empty book: every row is its own prospect, though branches share addresses.
    fresh = tmp_path / "fresh.db"
    result = runner.invoke(main, ["--db", str(fresh), "import", str(out), "--json"])
    assert result.exit_code == 0, result.output
    with Store.open(fresh) as store:
        assert [(p.id, p.name) for p in store.prospects()] == before
    # Into the book it came from: every row merges into the prospect with its id, bringing
    # nothing new.
    result = runner.invoke(main, ["--db", str(demo_db), "import", str(out), "--json"])
    import json

    report = json.loads(result.output)
    assert report["counts"]["merged"] == len(before) and report["counts"]["added"] == 0
    assert {row["reason"] for row in report["rows"]} == {
        f"same id #{pid}" for pid, _ in before
    }
    assert [row for row in report["rows"] if row["changes"]][:2] == []


def test_the_same_personal_email_merges_across_places(tmp_path: Path) -> None:
    report, prospects, contacts = run(
        tmp_path, "Company,Email,City,Full Name\n"
        "Acme Widgets,sarah.jenkins@acme.example,New York,Sarah Jenkins\n"
        "Acme Widgets (Boston),sarah.jenkins@acme.example,Boston,Sarah Jenkins\n",
    )  # fmt: skip
    (row,) = [r for r in report.rows if r.action == "merge"]
    assert row.reason == "same email sarah.jenkins@acme.example"
    assert row.changes["kept"] == {
        "company": ["Acme Widgets", "Acme Widgets (Boston)"],
        "city": ["New York", "Boston"],
    }
    assert contacts == {"Acme Widgets": [("Sarah Jenkins", "sarah.jenkins@acme.example")]}


def test_a_second_company_email_is_named_not_dropped(tmp_path: Path) -> None:
    report, prospects, _ = run(
        tmp_path, "Company,Phone,Email\nAcme,+1 212 555 0101,orders@acme.example\n"
        "Acme,+1 212 555 0101,billing@acme.example\n",
    )  # fmt: skip
    (row,) = [r for r in report.rows if r.action == "merge"]
    assert row.changes == {"kept": {"email": ["orders@acme.example", "billing@acme.example"]}}
    assert [p.email for p in prospects] == ["orders@acme.example"]
