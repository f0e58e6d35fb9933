"""Phone numbers and places: the one normalisation every layer uses.

A number is stored in E.164 (`+14155550101`, with `;ext=23` for an extension, as in RFC 3966)
when the `phonenumbers` library understands it as a valid number; anything else is kept exactly
as typed and flagged, never thrown away. Time zones come from the number where it pins one down,
else from a country (name or code) and, for countries that span several zones, a state/province.

`phonenumbers` is imported inside the functions that need it: it is slow to import.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEFAULT_REGION = "US"

_E164_RE = re.compile(r"\+[1-9]\d{1,14}(?:;ext=\d{1,20})?")
# Separators between several numbers in one cell: Google's " ::: ", ";", "|", new lines, " / ".
_SPLIT_RE = re.compile(r"\s+:::\s+|[;|\n\r]+|\s+/\s+")
_DIGITS_RE = re.compile(r"\d")
# A character without which neither _SPLIT_RE nor a comma can split a cell.
_SEPARATOR_CHARS = re.compile(r"[:;|\n\r/,]")
PLACEHOLDERS = frozenset({"", "-", "--", "n/a", "na", "none", "null", "unknown", "?", "tbd"})


@dataclass(frozen=True, slots=True)
class Phone:
    """One number as typed, and what it normalises to (or why it could not)."""

    typed: str
    e164: str | None = None
    extension: str | None = None
    region: str | None = None  # ISO 3166 code of the number's country
    problem: str | None = None  # why it was kept as typed
    _parsed: Any = field(default=None, compare=False, repr=False)
    _zones: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.e164 is not None

    @property
    def flagged(self) -> bool:
        """Kept as typed: the library could not make a valid number of it."""
        return self.e164 is None

    @property
    def stored(self) -> str:
        """What the book keeps: E.164 (with `;ext=`) or the text as typed."""
        if self.e164 is None:
            return self.typed
        return f"{self.e164};ext={self.extension}" if self.extension else self.e164

    @property
    def timezones(self) -> tuple[str, ...]:
        """Every IANA zone the number may be in (empty when the library cannot tell)."""
        if self._zones is not None:
            return self._zones
        if self._parsed is None:
            return ()
        return _zones_for(self._parsed, self.region)

    @property
    def timezone(self) -> str | None:
        """The number's zone when it pins down exactly one."""
        zones = self.timezones
        return zones[0] if len(zones) == 1 else None


def normalize(text: str, region: str | None = None) -> Phone:
    """Parse `text` (as typed) into a Phone; `region` is the country assumed for numbers
    written without a country code (default: US)."""
    return _normalize(text.strip(), (region or DEFAULT_REGION).upper())


@functools.lru_cache(maxsize=8192)
def _normalize(text: str, region: str) -> Phone:
    import phonenumbers

    _library_ready()
    if not text:
        return Phone(text, problem="empty")
    if not _DIGITS_RE.search(text):
        return Phone(text, problem="no digits")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        return Phone(text, problem=_PARSE_PROBLEMS.get(exc.error_type, "not a phone number"))
    # The country code's main region first (one check) before the full search, which walks
    # every region sharing the code (25 for +1).
    number_region = phonenumbers.region_code_for_country_code(parsed.country_code)
    if not _valid_for_region(parsed, number_region):
        if not phonenumbers.is_valid_number(parsed):
            if phonenumbers.is_possible_number(parsed):
                problem = "not a valid number in its country"
            else:
                problem = "wrong length for a phone number"
            return Phone(text, problem=problem)
        number_region = phonenumbers.region_code_for_number(parsed)
    return Phone(
        text,
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        extension=parsed.extension or None,
        region=number_region,
        _parsed=parsed,
    )


@functools.cache
def _library_ready() -> None:
    """Have the library keep its compiled patterns: it otherwise looks each one up in the `re`
    module's cache, a dozen times a number."""
    import phonenumbers

    enable = getattr(phonenumbers, "enable_pattern_cache", None)
    if enable is not None:
        enable()


def _valid_for_region(parsed, region: str) -> bool:
    """`phonenumbers.is_valid_number_for_region(parsed, region)`, the same answer sooner: the
    number types are tried likeliest first (fixed line, mobile) against patterns compiled
    once. The library works out which type the number is, trying the rare types first.
    Checked against the library on every region's example numbers (tests/unit/test_phones.py),
    as are the zone shortcuts below."""
    rules = _validity_rules(parsed.country_code, region)
    if rules is None:
        return False
    general, types, significant = rules
    nsn = significant(parsed)
    size = len(nsn)
    if not _matches(general, nsn, size):
        return False
    return any(_matches(desc, nsn, size) for desc in types)


def _matches(desc: tuple[frozenset[int], Any] | None, nsn: str, size: int) -> bool:
    """The library's `_is_number_matching_desc`: the lengths the type allows (when it lists
    them), then its pattern over the whole number."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and size not in lengths:
        return False
    return pattern.fullmatch(nsn) is not None


# The number types the library tries after fixed line and mobile, in its order.
_RARE_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail",
)  # fmt: skip


def _compiled(desc) -> tuple[frozenset[int], Any] | None:
    """A number type's (possible lengths, compiled pattern); None when it matches nothing."""
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


@functools.cache
def _validity_rules(country_code: int, region: str | None):
    """(general description, number types in the order tried, the national significant number
    of a parsed number) for `_valid_for_region`, or None where the library answers False
    before looking at the number."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    if region is None:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None or (
        region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
        and country_code != phonenumbers.country_code_for_valid_region(region)
    ):
        return None

    # The library checks these in turn and calls the number invalid when none matches; it
    # tries mobile only when its pattern differs from the fixed line's.
    kinds = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        kinds.append(metadata.mobile)
    kinds += [getattr(metadata, name) for name in _RARE_TYPES]
    types = tuple(d for d in map(_compiled, kinds) if d is not None)
    return _compiled(metadata.general_desc), types, phonenumbers.national_significant_number


def normalize_batch(items: list[tuple[str, str]]) -> list[tuple]:
    """`normalize` over (text, region) pairs, as plain tuples that cross process boundaries
    cheaply; `from_batch` turns one back into a Phone, time zones included."""
    out = []
    for text, region in items:
        phone = normalize(text, region)
        zones = phone.timezones if phone.e164 else ()
        out.append((phone.typed, phone.e164, phone.extension, phone.region, phone.problem, zones))
    return out


def from_batch(row: tuple) -> Phone:
    typed, e164, extension, region, problem, zones = row
    return Phone(typed, e164, extension, region, problem, _zones=zones)


_PARSE_PROBLEMS = {
    0: "no country code, and no default region to assume",
    1: "not a phone number",
    2: "too short after the international prefix",
    3: "too short to be a phone number",
    4: "too long to be a phone number",
}


def _zones_for(parsed, region: str | None) -> tuple[str, ...]:
    # Two shortcuts around the library's lookup, which first works out the number's type at
    # several times the cost of the lookup itself: a country with a single zone, and North
    # American numbers, whose type and zone the area code and exchange (six digits) settle.
    if region and len(zones := _zones_by_country().get(region, ())) == 1:
        return (zones[0][0],)
    if parsed.country_code == 1:
        return _nanp_zones(str(parsed.national_number)[:6], parsed, region)
    whole = _calling_code_zones(parsed.country_code)
    if whole is not None:
        return whole
    return _library_zones(parsed, region)


@functools.cache
def _calling_code_zones(country_code: int) -> tuple[str, ...] | None:
    """The library's zones for every valid number of a calling code that one region uses and
    whose time zone table has one entry for the code as a whole (+49, +33 ...): the number
    itself changes nothing there. None for the others (+1, +44, +7 ...)."""
    import phonenumbers
    from phonenumbers import timezone

    data = getattr(timezone, "TIMEZONE_DATA", None)
    code = str(country_code)
    if (
        not isinstance(data, dict)
        or len(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())) != 1
        or code not in data
        or any(key.startswith(code) and key != code for key in data)
    ):
        return None
    return tuple(z for z in data[code] if z != "Etc/Unknown")


def _library_zones(parsed, region: str | None = None) -> tuple[str, ...]:
    from phonenumbers import timezone

    if region is not None and _fixed_line(parsed, region):
        # What `time_zones_for_number` comes to for a fixed line, without working out the type
        # twice (once to find the region) with the rare types tried first.
        zones = timezone.time_zones_for_geographical_number(parsed)
    else:
        zones = timezone.time_zones_for_number(parsed)
    return tuple(z for z in zones if z != "Etc/Unknown")


def _fixed_line(parsed, region: str) -> bool:
    """For a number valid in `region`: the library takes it for a fixed line (or fixed line or
    mobile), a type with a place, in `region`. False also where unsure (then ask the library)."""
    rules = _type_rules(parsed.country_code, region)
    if rules is None:
        return False
    fixed, rarer, significant = rules
    nsn = significant(parsed)
    size = len(nsn)
    return not any(_matches(desc, nsn, size) for desc in rarer) and _matches(fixed, nsn, size)


@functools.cache
def _type_rules(country_code: int, region: str):
    """(fixed line, the types the library tries before it, the national significant number)
    where the library's `region_code_for_number` is sure to answer `region` for a number valid
    there: the calling code's first region, with no leading digits to pick another. Else None."""
    import phonenumbers
    from phonenumbers import PhoneMetadata

    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    if not regions or regions[0] != region:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None or (len(regions) > 1 and metadata.leading_digits is not None):
        return None

    rarer = (_compiled(getattr(metadata, name)) for name in _RARE_TYPES)
    return (
        _compiled(metadata.fixed_line),
        tuple(d for d in rarer if d is not None),
        phonenumbers.national_significant_number,
    )


_NANP_ZONES: dict[str, tuple[str, ...]] = {}


def _nanp_zones(prefix: str, parsed, region: str | None = None) -> tuple[str, ...]:
    found = _NANP_ZONES.get(prefix)
    if found is None:
        found = _NANP_ZONES[prefix] = _library_zones(parsed, region)
    return found


def split_phones(text: str) -> list[str]:
    """The numbers in one cell: split on " ::: ", ";", "|", new lines, " / ", and on commas
    that separate whole numbers; placeholders such as "n/a" are dropped."""
    if _SEPARATOR_CHARS.search(text) is None:  # one number, as almost every cell holds
        one = text.strip()
        return [one] if one.casefold() not in PLACEHOLDERS else []
    parts: list[str] = []
    for chunk in _SPLIT_RE.split(text):
        pieces = chunk.split(",")
        if len(pieces) > 1 and all(len(_DIGITS_RE.findall(p)) >= 6 for p in pieces):
            parts.extend(pieces)
        else:
            parts.append(chunk)
    return [p.strip() for p in parts if p.strip().casefold() not in PLACEHOLDERS]


def is_normalized(stored: str) -> bool:
    """A stored number is E.164 (possibly with `;ext=`); anything else was kept as typed."""
    return _E164_RE.fullmatch(stored) is not None


def display(stored: str, *, national_region: str | None = None) -> str:
    """A stored number for people: national format for numbers of `national_region`,
    international otherwise; a number kept as typed is shown as typed."""
    if not is_normalized(stored):
        return stored
    import phonenumbers

    parsed = phonenumbers.parse(stored.replace(";ext=", " ext. "), None)
    same = national_region and phonenumbers.region_code_for_number(parsed) == national_region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


_EXTENSION_RE = re.compile(r"(?:\bext(?:ension)?\.?|\bx|#)\s*(\d{1,10})\b", re.IGNORECASE)


def direct_line(text: str, region: str | None = None, base: str | None = None) -> str | None:
    """The number a "direct line" said on a call gives, as stored: the first valid number in
    `text` ("Tom: 020 8711 2817 ext 23"), else an extension alone ("ext 23", "x23") on
    `base` (the number dialled so far, stored). None when it holds neither."""
    import phonenumbers

    for found in phonenumbers.PhoneNumberMatcher(text, (region or DEFAULT_REGION).upper()):
        parsed = found.number
        if phonenumbers.is_valid_number(parsed):
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            return f"{e164};ext={parsed.extension}" if parsed.extension else e164
    extension = _EXTENSION_RE.search(text)
    if extension and base:
        return f"{base.split(';ext=')[0]};ext={extension.group(1)}"
    return None


def display_parts(stored: str, country: str | None = None) -> tuple[str, str | None]:
    """A stored number for dialling by hand: (the number, national format when it is of the
    prospect's `country` (name or code), international otherwise; its extension or None)."""
    number, _, extension = stored.partition(";ext=")
    return display(number, national_region=country_code(country)), extension or None


def displayed(stored: str, country: str | None = None) -> str:
    """`display_parts` on one line: "020 8711 2817 ext. 23"."""
    number, extension = display_parts(stored, country)
    return f"{number} ext. {extension}" if extension else number


def tel_uri(stored: str) -> str | None:
    """`tel:` link for a normalised number (None for one kept as typed)."""
    return f"tel:{stored}" if is_normalized(stored) else None


def timezone_for_number(stored: str, region: str | None = None) -> str | None:
    """The one zone a number (stored or as typed) is in, if the number pins it down."""
    return normalize(stored.replace(";ext=", " ext. "), region).timezone


def is_region(code: str) -> bool:
    """A two-letter region code the phone library knows ("GB", "US", ...)."""
    import phonenumbers

    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def is_placeholder(text: str) -> bool:
    """Text that means "no value" in CSV exports: "", "-", "n/a", "none", "null" ..."""
    return text.strip().casefold() in PLACEHOLDERS


# --- places --------------------------------------------------------------------------------


def _fold(text: str) -> str:
    text = text.casefold().replace("&", " and ").replace(".", "")
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


_COUNTRY_ALIASES = {
    "uk": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "us": "US", "usa": "US", "united states of america": "US", "america": "US",
    "united states": "US", "uae": "AE", "united arab emirates": "AE",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "north korea": "KP",
    "russia": "RU", "russian federation": "RU", "czech republic": "CZ", "czechia": "CZ",
    "holland": "NL", "the netherlands": "NL", "netherlands": "NL", "vietnam": "VN",
    "deutschland": "DE", "allemagne": "DE", "españa": "ES", "espana": "ES", "italia": "IT",
    "österreich": "AT", "osterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "nederland": "NL", "belgië": "BE", "belgique": "BE", "sverige": "SE", "norge": "NO",
    "danmark": "DK", "suomi": "FI", "polska": "PL", "brasil": "BR", "méxico": "MX",
    "türkiye": "TR", "turkiye": "TR", "éire": "IE", "eire": "IE", "hrvatska": "HR",
    "česko": "CZ", "magyarország": "HU", "ελλάδα": "GR", "nippon": "JP", "ivory coast": "CI",
    "hong kong sar": "HK", "macau": "MO", "taiwan": "TW", "republic of ireland": "IE",
}  # fmt: skip


@functools.cache
def _country_names() -> dict[str, str]:
    from importlib import resources

    names: dict[str, str] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t", 1)
        names[_fold(name)] = code
        # "Britain (UK)", "Korea (South)": also the part before the brackets.
        if "(" in name:
            names.setdefault(_fold(name.split("(")[0]), code)
    names.update({_fold(k): v for k, v in _COUNTRY_ALIASES.items()})
    return names


@functools.cache
def _localized_country_names() -> dict[str, str]:
    # Every language phonenumbers knows; a slow import, so only reached for unusual names.
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: dict[str, str] = {}
    for code, by_lang in LOCALE_DATA.items():
        for lang in by_lang:
            value, hops = by_lang.get(lang), 0
            while value and value.startswith("*") and hops < 5:
                value, hops = by_lang.get(value[1:]), hops + 1
            if value:
                names.setdefault(_fold(value), code)
    return names


@functools.lru_cache(maxsize=1024)
def country_code(text: str | None) -> str | None:
    """ISO 3166 code for a country name (in most languages) or code: "Germany",
    "Deutschland", "DE", "UK", "United States" -> "DE", "DE", "DE", "GB", "US"."""
    if not text or not text.strip():
        return None
    raw = text.strip()
    if len(raw) == 2 and raw.isalpha():
        code = raw.upper()
        if code == "UK":
            return "GB"
        return code if code in _zones_by_country() or is_region(code) else None
    folded = _fold(raw)
    found = _country_names().get(folded)
    if found is None and folded:
        found = _localized_country_names().get(folded)
    return found


@functools.cache
def _zones_by_country() -> dict[str, list[tuple[str, str]]]:
    from importlib import resources

    zones: dict[str, list[tuple[str, str]]] = {}
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        zones.setdefault(parts[0], []).append((parts[2], parts[3] if len(parts) > 3 else ""))
    return zones


@functools.cache
def country_timezone(code: str) -> str | None:
    """The zone of a country when one zone stands for it (Germany, the UK, Spain ...);
    None for a country whose zones differ widely (US, Canada, Australia, Brazil ...)."""
    from zoneinfo import ZoneInfo

    zones = _zones_by_country().get(code.upper(), [])
    if not zones:
        return None
    principal = next(
        (name for name, note in zones if note.startswith("most of") or "(mainland)" in note),
        None,
    )
    if len(zones) == 1:
        return zones[0][0]
    # Offsets in winter and summer: two shapes at most (a mainland and its islands) is one
    # country-wide answer; more means the country spans zones and a state is needed.
    shapes = {
        tuple(datetime(2025, month, 15, 12, tzinfo=ZoneInfo(name)).utcoffset() for month in (1, 7))
        for name, _ in zones
    }
    if len(shapes) <= 2:
        return principal or zones[0][0]
    return principal


def timezone_for_place(country: str | None, region: str | None = None) -> str | None:
    """An IANA zone from a country (name or code) and a state/province (name or code).
    None when the place does not settle it."""
    code = country_code(country) if country else None
    if region and region.strip():
        key = _fold(region)
        for table_country, table in _REGION_ZONES.items():
            if code not in (None, table_country):
                continue
            zone = table.get(key)
            if zone:
                return zone
    return country_timezone(code) if code else None


def _regions(rows: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for row in rows.strip().splitlines():
        zone, names = row.split(":", 1)
        for name in names.split(","):
            table[_fold(name)] = zone.strip()
    return table


# States and provinces of the countries whose zones differ widely, by their principal zone:
# each code followed by its names.
_REGION_ROWS: dict[str, str] = {
    "US": (
        """
        America/New_York: CT,Connecticut,DE,Delaware,DC,District of Columbia,FL,Florida,GA
        America/New_York: Georgia,ME,Maine,MD,Maryland,MA,Massachusetts,NH,New Hampshire,NJ
        America/New_York: New Jersey,NY,New York,NC,North Carolina,OH,Ohio,PA,Pennsylvania,RI
        America/New_York: Rhode Island,SC,South Carolina,VT,Vermont,VA,Virginia,WV,West Virginia
        America/Detroit: MI,Michigan
        America/Indiana/Indianapolis: IN,Indiana
        America/Kentucky/Louisville: KY,Kentucky
        America/Chicago: AL,Alabama,AR,Arkansas,IL,Illinois,IA,Iowa,KS,Kansas,LA,Louisiana,MN
        America/Chicago: Minnesota,MS,Mississippi,MO,Missouri,NE,Nebraska,ND,North Dakota,OK
        America/Chicago: Oklahoma,SD,South Dakota,TN,Tennessee,TX,Texas,WI,Wisconsin
        America/Denver: CO,Colorado,MT,Montana,NM,New Mexico,UT,Utah,WY,Wyoming
        America/Boise: ID,Idaho
        America/Phoenix: AZ,Arizona
        America/Los_Angeles: CA,California,NV,Nevada,OR,Oregon,WA,Washington
        America/Anchorage: AK,Alaska
        Pacific/Honolulu: HI,Hawaii
        America/Puerto_Rico: PR,Puerto Rico
        """
    ),
    "CA": (
        """
        America/St_Johns: NL,Newfoundland and Labrador,Newfoundland
        America/Halifax: NS,Nova Scotia,PE,Prince Edward Island
        America/Moncton: NB,New Brunswick
        America/Toronto: ON,Ontario,QC,Quebec,Québec
        America/Winnipeg: MB,Manitoba
        America/Regina: SK,Saskatchewan
        America/Edmonton: AB,Alberta
        America/Vancouver: BC,British Columbia
        America/Whitehorse: YT,Yukon
        America/Yellowknife: NT,Northwest Territories
        America/Iqaluit: NU,Nunavut
        """
    ),
    "AU": (
        """
        Australia/Sydney: NSW,New South Wales,ACT,Australian Capital Territory
        Australia/Melbourne: VIC,Victoria
        Australia/Brisbane: QLD,Queensland
        Australia/Adelaide: SA,South Australia
        Australia/Perth: WA,Western Australia
        Australia/Hobart: TAS,Tasmania
        Australia/Darwin: NT,Northern Territory
        """
    ),
}
_REGION_ZONES: dict[str, dict[str, str]] = {c: _regions(t) for c, t in _REGION_ROWS.items()}


@functools.cache
def _region_codes(country: str) -> dict[str, str]:
    """Folded state or province name (or code) -> its code, for the countries above."""
    codes: dict[str, str] = {}
    code = None
    for row in _REGION_ROWS.get(country, "").strip().splitlines():
        for name in row.split(":", 1)[1].split(","):
            name = name.strip()
            if re.fullmatch(r"[A-Z]{2,3}", name):
                code = name
            if code:
                codes[_fold(name)] = code
    return codes


def region_code(country: str | None, region: str | None) -> str | None:
    """A state's or province's short code ("Florida" -> "FL") in a country (ISO code) that
    lists them; the text itself when it is already short; None when unknown."""
    if not region or not region.strip():
        return None
    found = _region_codes((country or "").upper()).get(_fold(region))
    if found:
        return found
    short = region.strip().upper()
    return short if short.isalnum() and len(short) <= 3 else None


def valid_timezone(name: str | None) -> str | None:
    """The canonical spelling of an IANA zone name: `when.resolve_zone`, the one reader."""
    from callbook.when import resolve_zone

    return resolve_zone(name)


def country_timezones(code: str) -> tuple[str, ...]:
    """Every zone of a country (ISO code), as the tz database lists them."""
    return tuple(name for name, _ in _zones_by_country().get(code.upper(), ()))
