"""Built-in templates, the template file format and its error messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from callbook.jigsaw import (
    TemplateError,
    builtin_templates,
    load_template,
    load_templates,
    normalize_name,
    resolve_slot,
)
from callbook.model import Role

BUILTINS = ("cold_call", "bant", "meddpicc", "champ", "gpctba")

GOOD = """\
key = "mine"
name = "Mine"

[[slots]]
key = "gatekeeper"
label = "Gatekeeper"
question = "Who am I speaking with?"
aliases = ["gk"]

[[slots]]
key = "budget"
label = "Budget"
question = "Is there budget?"
weight = 2
"""


def test_every_builtin_loads() -> None:
    templates = builtin_templates()
    assert set(templates) == set(BUILTINS)
    assert next(iter(templates)) == "cold_call"
    for key, template in templates.items():
        assert template.key == key
        assert template.source == "built-in"
        assert template.name and template.description
        assert len(template.slots) >= 4
        for slot in template.slots:
            assert slot.question.endswith("?"), slot
            assert slot.weight > 0
            # Every name of every slot resolves back to that slot.
            for name in slot.names:
                assert resolve_slot(template, name) is slot, (key, name)


def test_builtin_files_round_trip_through_load_template() -> None:
    from importlib import resources

    folder = resources.files("callbook").joinpath("templates")
    for key in BUILTINS:
        text = folder.joinpath(f"{key}.toml").read_text(encoding="utf-8")
        template = load_template(text, f"{key}.toml")
        assert template.key == key
        assert template.source == f"{key}.toml"


def test_builtin_templates_returns_a_fresh_dict() -> None:
    first = builtin_templates()
    first.pop("cold_call")
    assert "cold_call" in builtin_templates()


def test_cold_call_slots() -> None:
    template = builtin_templates()["cold_call"]
    assert [s.key for s in template.slots] == [
        "gatekeeper",
        "decision_maker",
        "dm_role",
        "dm_availability",
        "direct_line",
        "route",
        "current_solution",
        "pain",
        "budget",
        "timeline",
        "decision_process",
        "next_step",
    ]
    assert template.slot("gatekeeper").role is Role.GATEKEEPER
    assert template.slot("decision_maker").role is Role.DECISION_MAKER
    assert template.slot("dm_availability").availability is True
    assert [s.key for s in template.slots if s.availability] == ["dm_availability"]
    # The heaviest slot is the decision maker: it is the first objective for a new prospect.
    assert max(template.slots, key=lambda s: s.weight).key == "decision_maker"
    titles = " ".join(card.title for card in template.talk_tracks).lower()
    for objection in ("already have a vendor", "send me an email", "not a good time"):
        assert objection in titles


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("gk", "gatekeeper"),
        ("dm", "decision_maker"),
        ("dm avail", "dm_availability"),
        ("avail", "dm_availability"),
        ("best time", "dm_availability"),
        ("dl", "direct_line"),
        ("direct", "direct_line"),
        ("using", "current_solution"),
        ("current", "current_solution"),
        ("solution", "current_solution"),
        ("DM role", "dm_role"),
        ("next step", "next_step"),
    ],
)
def test_cold_call_names(name: str, key: str) -> None:
    slot = resolve_slot(builtin_templates()["cold_call"], name)
    assert slot is not None and slot.key == key


def test_example_capture_line_names_resolve() -> None:
    template = builtin_templates()["cold_call"]
    line = "gk: Sarah Jenkins; dm: Tom Li, Ops Director; dm avail: not Tuesdays"
    names = [clause.split(":", 1)[0].strip() for clause in line.split(";")]
    assert [resolve_slot(template, n).key for n in names] == [
        "gatekeeper",
        "decision_maker",
        "dm_availability",
    ]


@pytest.mark.parametrize(
    ("key", "roles"),
    [
        ("bant", {"decision_maker": Role.DECISION_MAKER}),
        ("champ", {"decision_maker": Role.DECISION_MAKER}),
        ("gpctba", {"decision_maker": Role.DECISION_MAKER}),
        ("meddpicc", {"economic_buyer": Role.DECISION_MAKER, "champion": Role.CHAMPION}),
    ],
)
def test_framework_roles(key: str, roles: dict[str, Role]) -> None:
    template = builtin_templates()[key]
    assert {s.key: s.role for s in template.slots if s.role} == roles
    # A caller can type "dm" in every template that has a decision maker.
    assert resolve_slot(template, "dm").role is Role.DECISION_MAKER


def test_framework_slots() -> None:
    templates = builtin_templates()
    labels = {key: [s.label for s in t.slots] for key, t in templates.items()}
    assert labels["bant"] == ["Budget", "Authority", "Need", "Timeline"]
    assert labels["champ"] == ["Challenges", "Authority", "Money", "Prioritization"]
    assert labels["meddpicc"] == [
        "Metrics",
        "Economic buyer",
        "Decision criteria",
        "Decision process",
        "Paper process",
        "Identified pain",
        "Champion",
        "Competition",
    ]
    assert labels["gpctba"] == [
        "Goals",
        "Plans",
        "Challenges",
        "Timeline",
        "Budget",
        "Authority",
        "Negative consequences",
        "Positive implications",
    ]


def test_load_template_reads_every_field() -> None:
    text = GOOD + textwrap.dedent(
        """\
        role = "decision_maker"
        availability = true

        [[talk_tracks]]
        title = "Opener"
        lines = ["Hi!", "Who looks after it?"]
        """
    )
    template = load_template(text, "mine.toml")
    assert template.key == "mine"
    assert template.name == "Mine"
    assert template.description == ""
    assert template.source == "mine.toml"
    gatekeeper, budget = template.slots
    assert gatekeeper.aliases == ("gk",)
    assert gatekeeper.weight == 1.0  # the default
    assert budget.weight == 2.0
    assert budget.role is Role.DECISION_MAKER
    assert budget.availability is True
    assert template.talk_tracks[0].title == "Opener"
    assert template.talk_tracks[0].lines == ("Hi!", "Who looks after it?")


SLOT = '[[slots]]\nkey = "budget"\nlabel = "Budget"\nquestion = "Budget?"\n'

BROKEN = [
    # (file text, line, reason)
    ('key = "x"\nname = \n', 2, "invalid TOML: Invalid value (column 8)"),
    ('key = "x"\nname = "unterminated', 2, "invalid TOML: Unterminated string (at end of file)"),
    (
        'key = "x"\nkey = "y"\n',
        2,
        "invalid TOML: Cannot overwrite a value (column 10)",
    ),
    (
        'key = "x"\nname = "X"\ncolour = "red"\n' + SLOT,
        3,
        "unknown key 'colour' (expected one of: key, name, description, slots, talk_tracks, plan)",
    ),
    ('name = "X"\n' + SLOT, 1, "missing 'key'"),
    ('key = "x"\n' + SLOT, 1, "missing 'name'"),
    ('key = "x"\nname = ""\n' + SLOT, 2, "'name' must be a non-empty string"),
    (
        'key = "Cold Call"\nname = "X"\n' + SLOT,
        1,
        "key 'Cold Call' must be lowercase letters, digits and _, starting with a letter",
    ),
    ('key = "x"\nname = "X"\n', 1, "no slots: add at least one [[slots]] table"),
    ('key = "x"\nname = "X"\nslots = []\n', 3, "no slots: add at least one [[slots]] table"),
    ('key = "x"\nname = "X"\nslots = "budget"\n', 3, "'slots' must be tables written as [[slots]]"),
    (
        'key = "x"\nname = "X"\n\n[[slots]]\nkey = "budget"\nlabel = "Budget"\n',
        4,
        "slot 'budget': missing 'question'",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + '\n[[slots]]\nlabel = "Pain"\nquestion = "Pain?"\n',
        8,
        "slot 2: missing 'key'",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + "weight = 0\n",
        7,
        "slot 'budget': weight must be a positive number, got 0",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + "weight = -2.5\n",
        7,
        "slot 'budget': weight must be a positive number, got -2.5",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'weight = "high"\n',
        7,
        "slot 'budget': weight must be a positive number, got 'high'",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + "weight = nan\n",
        7,
        "slot 'budget': weight must be a positive number, got nan",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + "weight = true\n",
        7,
        "slot 'budget': weight must be a positive number, got True",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'role = "boss"\n',
        7,
        "slot 'budget': unknown role 'boss' "
        "(expected one of: gatekeeper, decision_maker, influencer, champion, user, other)",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'availability = "yes"\n',
        7,
        "slot 'budget': 'availability' must be true or false",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'alias = ["money"]\n',
        7,
        "slot 'budget': unknown key 'alias' (expected one of: "
        "key, label, question, weight, aliases, role, availability, lifetime)",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'aliases = "money"\n',
        7,
        "slot 'budget': 'aliases' must be a list of strings",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + "\n" + SLOT.replace("Budget", "Money"),
        9,
        "duplicate slot key 'budget'",
    ),
    (
        'key = "x"\nname = "X"\n'
        + SLOT
        + 'aliases = ["money"]\n\n[[slots]]\nkey = "pain"\nlabel = "Pain"\nquestion = "Pain?"\n'
        + 'aliases = [\n  "problem",\n  "Money",\n]\n',
        15,
        "slot 'pain': alias 'Money' is already a name of slot 'budget'",
    ),
    (
        'key = "x"\nname = "X"\n'
        + SLOT
        + '\n[[slots]]\nkey = "pain"\nlabel = "Pain"\nquestion = "Pain?"\naliases = ["BUDGET"]\n',
        12,
        "slot 'pain': alias 'BUDGET' is already a name of slot 'budget'",
    ),
    (
        'key = "x"\nname = "X"\n'
        + SLOT
        + '\n[[slots]]\nkey = "money"\nlabel = "budget"\nquestion = "Money?"\n',
        10,
        "slot 'money': label 'budget' is already a name of slot 'budget'",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'aliases = ["best time", "Best_Time"]\n',
        7,
        "slot 'budget': duplicate alias 'Best_Time'",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + 'aliases = ["money", " - "]\n',
        7,
        "slot 'budget': alias '-' is empty",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + '\n[[talk_tracks]]\ntitle = "Opener"\n',
        8,
        "talk track 1: missing 'lines'",
    ),
    (
        'key = "x"\nname = "X"\n' + SLOT + '\n[[talk_tracks]]\ntitle = "Opener"\nlines = []\n',
        10,
        "talk track 1: 'lines' must be a non-empty list of non-empty strings",
    ),
]


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_broken_template_names_file_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(text, "mine.toml")
    assert str(caught.value) == f"mine.toml:{line}: {reason}"
    assert (caught.value.source, caught.value.line, caught.value.reason) == (
        "mine.toml",
        line,
        reason,
    )


def test_header_inside_multiline_string_is_not_a_table() -> None:
    text = 'key = "x"\nname = "X"\ndescription = """\n[[slots]]\n"""\n' + SLOT + 'role = "boss"\n'
    with pytest.raises(TemplateError, match=r"^mine\.toml:10: slot 'budget': unknown role"):
        load_template(text, "mine.toml")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_no_user_folder_gives_builtins(tmp_path: Path) -> None:
    for folder in (None, tmp_path / "does-not-exist", tmp_path):
        found = load_templates(folder)
        assert list(found.templates) == list(builtin_templates())
        assert found.errors == []
        assert found.default.key == "cold_call"


def test_user_template_is_added(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    found = load_templates(tmp_path)
    assert found.errors == []
    assert found.get("mine").source == str(path)
    assert set(found.templates) == {*BUILTINS, "mine"}


def test_broken_user_file_leaves_the_rest_usable(tmp_path: Path) -> None:
    broken = write(tmp_path, "a_broken.toml", 'key = "x"\nname = "X"\n' + SLOT + "weight = 0\n")
    write(tmp_path, "b_mine.toml", GOOD)
    not_text = tmp_path / "c_binary.toml"
    not_text.write_bytes(b"\xff\xfe\x00key")
    write(tmp_path, "notes.txt", "not a template")
    found = load_templates(tmp_path)
    assert found.errors == [
        f"{broken}:7: slot 'budget': weight must be a positive number, got 0",
        f"{not_text}:1: not UTF-8 text",
    ]
    assert set(found.templates) == {*BUILTINS, "mine"}
    assert resolve_slot(found.get("cold_call"), "gk").key == "gatekeeper"


def test_user_template_replaces_builtin_with_same_key(tmp_path: Path) -> None:
    path = write(tmp_path, "cold.toml", GOOD.replace('key = "mine"', 'key = "cold_call"', 1))
    found = load_templates(tmp_path)
    assert found.errors == []
    assert found.default.source == str(path)
    assert [s.key for s in found.default.slots] == ["gatekeeper", "budget"]
    assert found.get("cold_call") is found.default
    # The other built-ins are untouched.
    assert found.get("bant").source == "built-in"


def test_two_user_files_with_one_key(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD)
    second = write(tmp_path, "b.toml", "# same key again\n" + GOOD)
    found = load_templates(tmp_path)
    assert found.errors == [f"{second}:2: template key 'mine' is already used by a.toml"]
    assert found.get("mine").source == str(tmp_path / "a.toml")


def test_get_falls_back_to_cold_call() -> None:
    found = load_templates(None)
    assert found.get("no_such_template").key == "cold_call"
    assert found.get(None).key == "cold_call"
    assert found.get("bant").key == "bant"


@pytest.mark.parametrize(
    ("name", "normal"),
    [("DM avail", "dm avail"), ("dm_avail", "dm avail"), ("  dm -_ avail ", "dm avail")],
)
def test_normalize_name(name: str, normal: str) -> None:
    assert normalize_name(name) == normal


# --- limits ----------------------------------------------------------------------------------


def _slots(n: int) -> str:
    body = "".join(
        f'[[slots]]\nkey = "s{i}"\nlabel = "Slot {i}"\nquestion = "Q{i}?"\naliases = ["a{i}"]\n'
        for i in range(n)
    )
    return f'key = "big"\nname = "Big"\n{body}'


def test_too_many_slots_is_one_line_at_the_first_one_too_many() -> None:
    from callbook.jigsaw import MAX_SLOTS

    assert len(load_template(_slots(MAX_SLOTS), "ok.toml").slots) == MAX_SLOTS
    with pytest.raises(TemplateError) as raised:
        load_template(_slots(MAX_SLOTS + 1), "big.toml")
    first_too_many = 3 + 5 * MAX_SLOTS
    assert str(raised.value) == (
        f"big.toml:{first_too_many}: too many slots ({MAX_SLOTS + 1}; a template holds at most "
        f"{MAX_SLOTS})"
    )


def test_a_valid_template_is_loaded_without_searching_its_text(monkeypatch) -> None:
    """Line numbers are looked up only for an error: searching the text for every name of
    every slot made loading quadratic (2000 slots took 2 s)."""
    import callbook.jigsaw as jigsaw

    searched = []
    for name in ("key", "text", "table"):
        real = getattr(jigsaw._Locator, name)
        monkeypatch.setattr(
            jigsaw._Locator, name,
            lambda self, *a, _real=real, **k: searched.append(a) or _real(self, *a, **k),
        )  # fmt: skip
    assert len(load_template(_slots(150), "big.toml").slots) == 150
    assert searched == []
    with pytest.raises(TemplateError, match="duplicate alias"):
        load_template(_slots(3).replace('aliases = ["a2"]', 'aliases = ["a2", "A2"]'), "x.toml")
    assert searched  # and an error does say where


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda p: p.symlink_to("/dev/zero"), "1: is a character device, not a file"),
        (lambda p: __import__("os").mkfifo(p), "1: is a FIFO (named pipe), not a file"),
        (lambda p: p.write_text(_slots(3) + "#" * 300_000), "too large"),
        (lambda p: p.write_text('key = "d"\nname = "D"\nx = ' + "[" * 5000 + "]" * 5000),
         "1: nested too deeply (more than 8 levels)"),
    ],
    ids=["dev-zero", "fifo", "large", "deep"],
)  # fmt: skip
def test_a_user_file_that_cannot_be_read_safely_is_one_line(tmp_path: Path, make, error) -> None:
    make(tmp_path / "bad.toml")
    found = load_templates(tmp_path)  # never hangs, never raises
    assert len(found.errors) == 1 and error in found.errors[0]
    assert found.errors[0].startswith(f"{tmp_path / 'bad.toml'}:")
    assert set(found.templates) == set(BUILTINS)
