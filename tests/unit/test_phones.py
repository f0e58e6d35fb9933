"""The one phone normalisation: E.164 where the library understands a number, kept as typed and
flagged where it does not; time zones from numbers and places; country names and codes."""

from __future__ import annotations

import pytest

from callbook import phones

# (as typed, default region) -> (stored, flagged, zone the number pins down)
TABLE = [
    # United States, in the ways people write it
    ("(212) 555-0101", "US", "+12125550101", False, "America/New_York"),
    ("212.555.0102", "US", "+12125550102", False, "America/New_York"),
    ("212-555-0103", "US", "+12125550103", False, "America/New_York"),
    ("+1 415 555 0103", "GB", "+14155550103", False, "America/Los_Angeles"),
    ("1-312-555-0104", "US", "+13125550104", False, "America/Chicago"),
    ("tel:+1-303-555-0108", "US", "+13035550108", False, "America/Denver"),
    ("4155550101", "US", "+14155550101", False, "America/Los_Angeles"),
    ("(604) 555-0109", "US", "+16045550109", False, "America/Vancouver"),  # Canada, +1 too
    # extensions, kept RFC 3966 style
    ("(312) 555-0104 ext. 12", "US", "+13125550104;ext=12", False, "America/Chicago"),
    ("415-555-0101 x23", "US", "+14155550101;ext=23", False, "America/Los_Angeles"),
    ("020 7946 0958 ext 4", "GB", "+442079460958;ext=4", False, "Europe/London"),
    # United Kingdom
    ("020 7946 0958", "GB", "+442079460958", False, "Europe/London"),
    ("+44 (0)20 7946 0321", "US", "+442079460321", False, "Europe/London"),
    ("0044 161 496 0000", "GB", "+441614960000", False, "Europe/London"),
    ("0161 496 0000", "GB", "+441614960000", False, "Europe/London"),
    # Germany
    ("030 1234567", "DE", "+49301234567", False, "Europe/Berlin"),
    ("+49 (0)30 1234567", "US", "+49301234567", False, "Europe/Berlin"),
    ("0049 89 12345678", "DE", "+498912345678", False, "Europe/Berlin"),
    ("089/12345678", "DE", "+498912345678", False, "Europe/Berlin"),
    # France
    ("01 23 45 67 89", "FR", "+33123456789", False, "Europe/Paris"),
    ("06 12 34 56 78", "FR", "+33612345678", False, "Europe/Paris"),
    ("+33 (0)4 78 12 34 56", "US", "+33478123456", False, "Europe/Paris"),
    # numbers that do not pin a zone down
    ("+1 800 555 0100", "US", "+18005550100", False, None),  # toll free: all of North America
    # garbage, kept exactly as typed and flagged
    ("555-0100", "US", "555-0100", True, None),
    ("12345", "US", "12345", True, None),
    ("ask for reception", "US", "ask for reception", True, None),
    ("+1 123 456 7890", "US", "+1 123 456 7890", True, None),
    ("1234567890123456789", "US", "1234567890123456789", True, None),
    ("  030 1234567  ", "DE", "+49301234567", False, "Europe/Berlin"),
]


@pytest.mark.parametrize(("typed", "region", "stored", "flagged", "zone"), TABLE)
def test_normalize_table(typed, region, stored, flagged, zone) -> None:
    phone = phones.normalize(typed, region)
    assert phone.stored == stored
    assert phone.flagged is flagged
    assert phone.ok is not flagged
    assert phone.timezone == zone
    assert phones.is_normalized(phone.stored) is not flagged
    if flagged:
        assert phone.problem
        assert phone.typed == typed.strip()


def test_reasons_for_flagging() -> None:
    assert phones.normalize("555-0100", "US").problem == "not a valid number in its country"
    assert phones.normalize("12345", "US").problem == "wrong length for a phone number"
    assert phones.normalize("ask for reception", "US").problem == "no digits"
    assert phones.normalize("", "US").problem == "empty"
    assert phones.normalize("1234567890123456789", "US").problem == "too long to be a phone number"


def test_region_defaults_to_us_and_number_knows_its_country() -> None:
    assert phones.normalize("(212) 555-0101").stored == "+12125550101"
    assert phones.normalize("+44 20 7946 0958", "US").region == "GB"
    assert phones.normalize("(604) 555-0109", "US").region == "CA"


def test_zones_of_numbers_spanning_several() -> None:
    toll_free = phones.normalize("+1 800 555 0100", "US")
    assert "America/New_York" in toll_free.timezones and len(toll_free.timezones) > 10
    assert toll_free.timezone is None
    assert phones.timezone_for_number("+12125550101") == "America/New_York"
    assert phones.timezone_for_number("+14155550101;ext=23") == "America/Los_Angeles"
    assert phones.timezone_for_number("garbage") is None


def test_split_phones() -> None:
    assert phones.split_phones("+44 20 7946 0321 ::: +44 20 7946 0322") == [
        "+44 20 7946 0321",
        "+44 20 7946 0322",
    ]
    assert phones.split_phones("030 1234567, 030 1234568") == ["030 1234567", "030 1234568"]
    assert phones.split_phones("555-0100; 555-0101 | 555-0102") == [
        "555-0100",
        "555-0101",
        "555-0102",
    ]
    assert phones.split_phones("(212) 555-0101 / (212) 555-0102") == [
        "(212) 555-0101",
        "(212) 555-0102",
    ]
    # A comma that is not between whole numbers stays.
    assert phones.split_phones("Smith, John") == ["Smith, John"]
    assert phones.split_phones("n/a") == []
    assert phones.split_phones(" - ") == []


def test_display_and_tel() -> None:
    assert phones.display("+442079460958") == "+44 20 7946 0958"
    assert phones.display("+442079460958", national_region="GB") == "020 7946 0958"
    assert phones.display("+14155550101;ext=23", national_region="US") == "(415) 555-0101 ext. 23"
    assert phones.display("ask for reception") == "ask for reception"
    assert phones.tel_uri("+14155550101") == "tel:+14155550101"
    assert phones.tel_uri("12345") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Germany", "DE"),
        ("germany", "DE"),
        ("Deutschland", "DE"),
        ("DE", "DE"),
        ("de", "DE"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("France", "FR"),
        ("Österreich", "AT"),
        ("Vereinigtes Königreich", "GB"),  # any language the phone library knows
        ("Brasil", "BR"),
        ("Côte d'Ivoire", "CI"),
        ("Nowhere Land", None),
        ("", None),
        (None, None),
        ("XX", None),
    ],
)
def test_country_code(text, code) -> None:
    assert phones.country_code(text) == code


@pytest.mark.parametrize(
    ("country", "region", "zone"),
    [
        ("Germany", None, "Europe/Berlin"),
        ("UK", None, "Europe/London"),
        ("Spain", None, "Europe/Madrid"),  # mainland and islands: the mainland
        ("Ukraine", None, "Europe/Kyiv"),
        ("United States", None, None),  # spans zones: needs the state
        ("United States", "California", "America/Los_Angeles"),
        ("US", "TX", "America/Chicago"),
        ("USA", "New York", "America/New_York"),
        ("Canada", "BC", "America/Vancouver"),
        ("Australia", "WA", "Australia/Perth"),  # WA in Australia, not Washington
        ("Australia", None, None),
        (None, "Ontario", "America/Toronto"),
        ("Brazil", None, None),
        ("Narnia", None, None),
    ],
)
def test_timezone_for_place(country, region, zone) -> None:
    assert phones.timezone_for_place(country, region) == zone


def test_valid_timezone() -> None:
    assert phones.valid_timezone("europe/london") == "Europe/London"
    assert phones.valid_timezone("america_slash_new_york") == "America/New_York"  # HubSpot
    assert phones.valid_timezone("Mars/Olympus") is None
    assert phones.valid_timezone("") is None


def test_batch_round_trip_keeps_zones() -> None:
    rows = phones.normalize_batch([("(212) 555-0101", "US"), ("garbage 1", "US")])
    back = [phones.from_batch(r) for r in rows]
    assert back[0].stored == "+12125550101" and back[0].timezone == "America/New_York"
    assert back[1].flagged and back[1].stored == "garbage 1" and back[1].timezone is None


def _library_numbers():
    """Every region's example number of every type, and near misses of each (a digit short,
    one too many, the last one changed): valid and invalid numbers across the whole library."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    kinds = [v for k, v in vars(PhoneNumberType).items() if k.isupper() and isinstance(v, int)]
    seen = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in kinds:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            digits = str(example.national_number)
            last = str((int(digits[-1]) + 3) % 10)
            for national in (digits, digits[:-1], digits + "7", digits[:-1] + last):
                key = (example.country_code, national)
                if key not in seen and national:
                    seen.add(key)
                    yield region, phonenumbers.parse(f"+{example.country_code}{national}")


def test_the_validity_shortcut_answers_as_the_library_does() -> None:
    import phonenumbers

    checked = 0
    for _, parsed in _library_numbers():
        main = phonenumbers.region_code_for_country_code(parsed.country_code)
        expected = phonenumbers.is_valid_number_for_region(parsed, main)
        assert phones._valid_for_region(parsed, main) is expected, (main, parsed)
        checked += 1
    assert checked > 3000


def test_the_zone_shortcuts_answer_as_the_library_does() -> None:
    import phonenumbers
    from phonenumbers import timezone

    checked = 0
    for _, parsed in _library_numbers():
        if not phonenumbers.is_valid_number(parsed):
            continue
        region = phonenumbers.region_code_for_number(parsed)
        library = tuple(z for z in timezone.time_zones_for_number(parsed) if z != "Etc/Unknown")
        assert phones._library_zones(parsed, region) == library, (region, parsed)
        whole = phones._calling_code_zones(parsed.country_code)
        assert whole is None or whole == library, (region, parsed)
        checked += 1
    assert checked > 1500
