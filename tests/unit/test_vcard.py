"""vCard files in (3.0, 4.0, 2.1 with quoted-printable, Apple's grouped labels) and out (3.0 and
4.0): labelled numbers, the place, and a book that comes back the same through its cards."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.interop import vcard
from callbook.interop.csv_import import ImportOptions, import_file, prepare
from callbook.interop.problems import FileProblem
from callbook.jigsaw import load_templates
from callbook.model import NewContact, Role
from callbook.phones import PLACEHOLDERS
from callbook.store import Store

DATA = Path(__file__).resolve().parent.parent / "data" / "vcard"
CONFIG = Config(timezone="Europe/London", region="US")
NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


def test_phone_contacts_import_with_labelled_numbers(tmp_path: Path) -> None:
    path = DATA / "phone_contacts.vcf"
    prepared = prepare(path, ImportOptions(), CONFIG, load_templates(None))
    details = {c.name: [(d["number"], d["label"], d["note"]) for d in c.phone_details]
               for c in prepared.candidates}  # fmt: skip
    assert details == {
        "Harbour Cafe": [
            ("+61285453391", "direct", None),
            ("+61412345678", "mobile", None),
            ("+61285453399", "other", "fax"),
        ],
        "Kingsley Dental": [
            ("+442079460958", "direct", None),
            ("+442079460001", "assistant", None),
        ],
        "Müller Logistik GmbH": [
            ("+49301234567", "direct", None),
            ("+491712345678", "mobile", None),
        ],
    }
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as store:
        report = import_file(store, path, ImportOptions(), CONFIG, load_templates(None))
        assert (report.kind, report.preset, report.counts["added"]) == ("vcard", "vcard", 3)
        cafe = store.prospects_named("Harbour Cafe")[0]
        assert (cafe.city, cafe.region, cafe.country, cafe.timezone) == (
            "Sydney", "NSW", "Australia", "Australia/Sydney",
        )  # fmt: skip
        assert cafe.tags == ("Leads", "Hospitality")
        assert [(c.name, c.title, c.email) for c in store.contacts(cafe.id)] == [
            ("Tina Nguyen", "Owner", "tina@harbourcafe.com.au")
        ]
        assert [p.value for p in store.pieces(cafe.id)] == [
            "Met at the Sydney food expo, wants a demo in March.\nCall after 2pm."
        ]
        dental = store.prospects_named("Kingsley Dental")[0]
        assert (dental.website, dental.timezone) == (
            "https://kingsleydental.co.uk",
            "Europe/London",
        )
        assert store.contacts(dental.id) == []  # a company's own card names no person


def test_a_card_left_open_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEND:VCARD\nBEGIN:VCARD\nFN:Bo\n")
    with Store.open(tmp_path / "book.db") as store:
        from callbook.interop.problems import ImportFailed

        with pytest.raises(ImportFailed) as caught:
            import_file(store, path, ImportOptions(), CONFIG, load_templates(None))
        assert caught.value.lines() == [f"{path}:5: BEGIN:VCARD without END:VCARD"]
        assert store.prospects() == []


def test_no_cards_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.vcf"
    path.write_text("BEGIN:VCARD-ish\n")
    with pytest.raises(FileProblem) as caught:
        vcard.read_sheet(path)
    assert str(caught.value) == f"{path}: no vCards in the file (a card starts with BEGIN:VCARD)"


@pytest.mark.parametrize("version", vcard.VERSIONS)
def test_cards_written_come_back_as_the_same_prospects(tmp_path: Path, version: str) -> None:
    with Store.open(tmp_path / "a.db", clock=fixed_clock(NOW)) as book:
        acme = book.add_prospect(
            "Acme; Widgets, Inc.", company="Acme; Widgets, Inc.",
            phones=["+12125550101", "+12125550102"], email="sales@acme-widgets.example",
            website="https://acme-widgets.example", city="New York", region="NY", country="US",
            timezone="America/New_York", tags=["smb", "warm"],
        )  # fmt: skip
        sarah = NewContact(
            "Sarah Jenkins", Role.GATEKEEPER, "Office Manager", "+12125550103",
            "sarah@acme-widgets.example",
        )  # fmt: skip
        book.add_contact(acme.id, sarah)
        out = io.StringIO()
        assert vcard.write_vcards(book, out, version) == 2
    text = out.getvalue()
    assert f"VERSION:{version}" in text and all(len(x.encode()) <= 75 for x in text.split("\r\n"))
    if version == "4.0":
        assert "TEL;VALUE=uri;TYPE=work,voice;PREF=1:tel:+12125550101" in text
    else:
        assert "TEL;TYPE=WORK,VOICE,PREF:+12125550101" in text
    path = tmp_path / "book.vcf"
    path.write_text(text, newline="")
    with Store.open(tmp_path / "b.db", clock=fixed_clock(NOW)) as fresh:
        report = import_file(fresh, path, ImportOptions(), CONFIG, load_templates(None))
        # Sarah's card names the company: she joins it, as its contact.
        assert [(r.action, r.reason) for r in report.rows] == [
            ("add", None),
            ("merge", "same company name 'Acme; Widgets, Inc.'"),
        ]
        (again,) = fresh.prospects()
        assert (again.name, again.phones[:2], again.email, again.city, again.timezone,
                again.tags) == (
            "Acme; Widgets, Inc.", ("+12125550101", "+12125550102"),
            "sales@acme-widgets.example", "New York", "America/New_York", ("smb", "warm"),
        )  # fmt: skip
        assert [(c.name, c.title, c.email) for c in fresh.contacts(again.id)] == [
            ("Sarah Jenkins", "Office Manager", "sarah@acme-widgets.example")
        ]


def test_export_format_vcf_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    with Store.open(db) as book:
        book.add_prospect("Globex GmbH", phones=["+49301234500"])
    out = tmp_path / "globex.vcf"
    runner = CliRunner()
    result = runner.invoke(main, ["--db", str(db), "export", "--format", "vcf",
                                  "--vcard-version", "4.0", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    bad = runner.invoke(main, ["--db", str(db), "export", "--format", "vcf",
                               "--vcard-version", "2.1"])  # fmt: skip
    assert bad.exit_code == 1
    assert bad.stderr.strip() == "callbook: --vcard-version '2.1': one of 3.0, 4.0"


def test_a_preset_does_not_apply_to_a_vcard_file() -> None:
    path = DATA / "phone_contacts.vcf"
    with pytest.raises(FileProblem) as caught:
        prepare(path, ImportOptions(preset="hubspot"), CONFIG, load_templates(None))
    assert str(caught.value) == f"{path} is a vCard file: --preset does not apply"


def test_a_utf16_vcard_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "outlook.vcf"
    path.write_bytes(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hélène Dubois\r\nORG:Café Lumière\r\n"
        "TEL;TYPE=CELL:+33 6 12 34 56 78\r\nEND:VCARD\r\n".encode("utf-16")
    )
    prepared = prepare(path, ImportOptions(), CONFIG, load_templates(None))
    (candidate,) = prepared.candidates
    assert (candidate.name, candidate.fields["phones"]) == ("Café Lumière", ["+33612345678"])
    assert [c.name for c in candidate.contacts] == ["Hélène Dubois"]


# Placeholders ("n/a", "-") read as empty from any vendor's file, ours included.
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), max_size=20
).map(str.strip).filter(lambda t: t and t.casefold() not in PLACEHOLDERS)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=_TEXT,
    city=_TEXT | st.none(),
    website=_TEXT | st.none(),
    tags=st.lists(_TEXT.filter(lambda t: "," not in t and ";" not in t), max_size=3, unique=True),
    numbers=st.lists(st.sampled_from(["+12125550101", "+442079460958", "+61285453391"]),
                     max_size=3, unique=True),
    version=st.sampled_from(vcard.VERSIONS),
)  # fmt: skip
def test_any_prospect_comes_back_through_its_card(name, city, website, tags, numbers, version):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with Store.open(root / "a.db", clock=fixed_clock(NOW)) as book:
            book.add_prospect(name, company=name, phones=numbers, city=city, website=website,
                              tags=tags)  # fmt: skip
            out = io.StringIO()
            vcard.write_vcards(book, out, version)
        path = root / "p.vcf"
        path.write_text(out.getvalue(), "utf-8", newline="")
        with Store.open(root / "b.db", clock=fixed_clock(NOW)) as fresh:
            import_file(fresh, path, ImportOptions(), CONFIG, load_templates(None))
            (again,) = fresh.prospects()
        assert (again.name, again.company, again.city, again.website, again.tags) == (
            name, name, city, website, tuple(tags),
        )  # fmt: skip
        assert sorted(again.phones) == sorted(numbers)


def test_what_a_card_holds_beyond_the_import_is_named(tmp_path: Path) -> None:
    path = tmp_path / "extra.vcf"
    path.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nORG:Acme\nTEL:+1 212 555 0142\nBDAY:1980-04-01\n"
        "ADR;TYPE=work:;;1 Main St;New York;NY;10001;USA\nADR;TYPE=home:;;2 Elm St;Boston;MA;;USA\n"
        "TZ:-05:00\nEND:VCARD\n"
    )
    prepared = prepare(path, ImportOptions(), CONFIG, load_templates(None))
    assert [n.replace(str(path), "FILE") for n in prepared.report.notices] == [
        "not imported, no field for them: BDAY (1 card)",
        "1 card(s) had more than one ADR; the first was kept",
    ]
    assert [w.message for w in prepared.report.warnings] == [
        "'-05:00': not a time zone (write it like America/New_York); left out"
    ]
    (ann,) = prepared.candidates
    assert (ann.fields["city"], ann.fields["timezone"]) == ("New York", "America/New_York")
