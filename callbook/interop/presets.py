"""CSV presets: which column of each CRM's export feeds which prospect field or jigsaw piece.

A preset knows the headers of one product's export (HubSpot old and new labels, Salesforce
reports and Data Loader, Pipedrive in both label styles, Close, Apollo, ZoomInfo, Lusha/Cognism
lead lists, LinkedIn Sales Navigator, Google Contacts old and new, Outlook, callbook's own CSV);
`detect` picks one from a file's headers. Every phone column carries a label (direct, mobile,
switchboard, home, assistant, other) read from its header, or row by row from the label column
beside it (Google's "Phone 1 - Label", Close's `phone_1_type`): the importer dials in that
order. Columns no preset knows are left unmapped and reported; `--map "Column=field"` maps them
(or remaps any column) to a field, or to a template slot as a piece.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from callbook.jigsaw import normalize_name, resolve_slot, suggest_slot
from callbook.model import Template

# Fields a column can feed. A slot of the template (key, label or alias) makes a piece.
FIELDS: dict[str, str] = {
    "name": "the prospect's name (default: the company, else the person)",
    "company": "company / organisation",
    "contact": "a person's full name (becomes a contact)",
    "first_name": "a person's first name",
    "middle_name": "a person's middle name",
    "last_name": "a person's last name",
    "title": "the person's job title",
    "phone": "a phone number (several columns and several numbers per cell are fine)",
    "email": "email address",
    "website": "website or domain",
    "city": "city",
    "region": "state / province / region",
    "country": "country (name or code)",
    "timezone": "IANA time zone (else derived from the phone or the place)",
    "status": "new, active, meeting, won, lost, do_not_call",
    "priority": "1 (highest) to 5 (lowest)",
    "tags": "tags (several per cell, split on ',' or ';')",
    "template": "template key for this prospect",
    "next_call_at": "when to call next (ISO date/time; local to the caller when no offset)",
    "next_objective": "what the next call is for",
    "location": "a place in one cell ('Austin, Texas, United States'): city, region, country",
    "notes": "free text, kept as a 'notes' piece",
    "ignore": "leave the column out, and stop reporting it",
}

_FIELD_ALIASES = {
    "full name": "contact", "person": "contact", "contact name": "contact",
    "first": "first_name", "given name": "first_name", "middle": "middle_name",
    "place": "location", "geography": "location",
    "last": "last_name", "surname": "last_name", "family name": "last_name",
    "job title": "title", "position": "title", "organization": "company",
    "organisation": "company", "account": "company", "mobile": "phone", "telephone": "phone",
    "e mail": "email", "mail": "email", "url": "website", "domain": "website", "web": "website",
    "state": "region", "province": "region", "county": "region", "time zone": "timezone",
    "tz": "timezone", "tag": "tags", "labels": "tags", "next call": "next_call_at",
    "callback": "next_call_at", "objective": "next_objective", "note": "notes",
    "description": "notes", "skip": "ignore", "none": "ignore",
}  # fmt: skip

PIECE_PREFIXES = ("piece:", "slot:")


class MapError(ValueError):
    """A `--map` option that cannot be used; the message says why."""


def fold(header: str) -> str:
    """A header as presets compare it: case, surrounding space and runs of spaces aside, and
    the asterisk an import template puts on a required column ("Person - Name*")."""
    text = header.replace("\ufeff", "").strip().strip('"').strip().rstrip("*").casefold()
    return " ".join(text.split())


# What a phone's label says about who answers it, and the order numbers are dialled in: the
# number most likely to reach the person first, an assistant's and a fax never first.
PHONE_LABELS = ("direct", "mobile", "other", "switchboard", "company", "home", "assistant")
NOT_FOR_CALLS = ("fax", "pager")  # kept, labelled other, noted, dialled last
_LABEL_WORDS = (
    ("assistant", re.compile(r"\b(assistant'?s?|asst\.?|pa|secretary)\b")),
    ("fax", re.compile(r"\bfax\b")),
    ("pager", re.compile(r"\b(pager|beeper|tty|tdd|telex|radio)\b")),
    ("direct", re.compile(r"\b(direct|dir|dd|ddi|dial|work direct|extension|ext)\b")),
    ("mobile", re.compile(r"\b(mobile|mob|cell|cellular|iphone|car|handy|portable|m)\b")),
    ("home", re.compile(r"\b(home|personal|private|residence)\b")),
    ("switchboard", re.compile(r"\b(main|switchboard|switch|reception|hq|headquarters|"
                              r"corporate|company|organi[sz]ation|account|office|front desk)\b")),
    ("direct", re.compile(r"\b(work|business|job)\b")),
)  # fmt: skip


def phone_label(text: str | None) -> str | None:
    """The label a header or a label cell gives a number ("Work Direct Phone" -> direct,
    "Company Main Phone" -> switchboard); None when it says nothing. "fax" and "pager" are
    returned as such: such a number is kept, labelled other with that note, and dialled last."""
    if not text:
        return None
    # Data Loader's API names run the words together: "MobilePhone", "AssistantPhone".
    spaced = re.sub(r"(?<=[a-z])(phone|number|tel)\b", r" \1", text.casefold())
    folded = " ".join(re.sub(r"[^\w']+", " ", spaced).split())
    for label, pattern in _LABEL_WORDS:
        if pattern.search(folded):
            return label
    return None


def label_rank(label: str | None) -> int:
    """Dialling order of a label: lower first."""
    if label in NOT_FOR_CALLS:
        return len(PHONE_LABELS)
    return PHONE_LABELS.index(label) if label in PHONE_LABELS else PHONE_LABELS.index("other")


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    columns: dict[str, str] = field(default_factory=dict)  # folded header -> target
    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()  # on the folded header
    signature: frozenset[str] = frozenset()  # folded headers typical of this export
    prefixes: tuple[str, ...] = ()  # header prefixes typical of this export
    multi_value: str | None = None  # separator of several values in one cell

    def target(self, header: str) -> str | None:
        key = fold(header)
        if key in self.columns:
            return self.columns[key]
        for pattern, target in self.patterns:
            if pattern.fullmatch(key):
                return target
        return None

    def score(self, headers: list[str]) -> int:
        folded = [fold(h) for h in headers]
        hits = sum(1 for h in set(folded) if h in self.signature)
        hits += (
            min(3, sum(1 for h in folded if h.startswith(self.prefixes))) if self.prefixes else 0
        )
        return hits


def _cols(spec: str) -> dict[str, str]:
    """`target: header, header` lines into {folded header: target}."""
    table: dict[str, str] = {}
    for line in spec.strip().splitlines():
        target, headers = line.split(":", 1)
        for header in headers.split("|"):
            if header.strip():
                table[fold(header)] = target.strip()
    return table


def _sig(text: str) -> frozenset[str]:
    return frozenset(fold(h) for h in text.split("|"))


_GENERIC_COLUMNS = _cols(
    """
    name: name | prospect | prospect name | business | lead name
    company: company | company name | organization | organisation | organization name
    company: organisation name | account | account name | business name | employer | firm
    contact: contact | contact name | full name | person | person name | contact person
    first_name: first name | firstname | first | given name | forename
    middle_name: middle name | middlename
    last_name: last name | lastname | surname | family name | last
    title: job title | title | position | designation | jobtitle
    phone: phone | phones | phone number | telephone | telephone number | tel | mobile
    phone: mobile phone | mobile number | cell | cell phone | direct dial | direct phone
    phone: direct line number | main phone | work phone | business phone | office phone
    phone: phone 1 | phone 2 | phone 3 | contact number | direct number | direct dial phone
    phone: mobile number 1 | phone number 1 | phone number 2 | phone number 3 | switchboard
    phone: company phone | company phone number | office number | landline | home phone
    phone: other phone | direct line | dd | ddi | cell number | mobile no | phone no | tel no
    location: location | geography | address location | person location
    email: email | e-mail | email address | e-mail address | mail | work email | business email
    email: email 1 | email 2 | private email | personal email | primary email
    website: website | web site | url | web | domain | website url | homepage | company website
    website: company domain
    city: city | town | locality
    region: state | province | region | county | state/province | state/region
    country: country | country/region | nation | country code
    timezone: timezone | time zone | tz
    tags: tags | tag | labels | categories | category
    notes: notes | note | description | comments | comment | remarks
    next_call_at: next call | next call at | next_call_at | callback | call back | follow up
    next_call_at: follow-up | follow up date | follow-up date
    next_objective: next objective | next_objective | objective
    """
)

GENERIC = Preset("generic", "generic CSV", columns=_GENERIC_COLUMNS)

HUBSPOT = Preset(
    "hubspot",
    "HubSpot export",
    columns=_cols(
        """
        first_name: First Name
        last_name: Last Name
        email: Email | Email Address
        phone: Phone Number | Mobile Phone Number | Phone | Mobile Phone | Company phone
        phone: Company Phone Number
        company: Company Name | Associated Company | Company | Associated Company Name
        company: Name of company
        title: Job Title
        website: Website URL | Company Domain Name | Website | Domain
        city: City
        region: State/Region | State
        country: Country/Region | Country
        timezone: Time Zone | IP Timezone
        notes: Description | About Us
        ignore: Fax Number | Fax
        """
    ),
    signature=_sig(
        "Record ID|Phone Number|State/Region|Country/Region|Lifecycle Stage|Contact owner|"
        "Company owner|Lead Status|Associated Company|Company Domain Name|Create Date|"
        "Mobile Phone Number|Website URL|Last Activity Date|Time Zone|Contact ID|"
        "HubSpot Owner|Lifecycle stage|Became a Lead Date|Original Source|"
        "Associated Company IDs|Last Contacted|Number of Employees|Annual Revenue"
    ),
)

SALESFORCE = Preset(
    "salesforce",
    "Salesforce export",
    columns=_cols(
        """
        first_name: First Name | FirstName
        last_name: Last Name | LastName
        contact: Full Name | Name | Contact Name | Lead Name | Contact: Full Name
        title: Title
        company: Company / Account | Company | Account Name | Account | Account.Name
        company: Account: Account Name
        phone: Phone | Mobile | Mobile Phone | MobilePhone | Business Phone | Other Phone
        phone: OtherPhone | Home Phone | HomePhone | Asst. Phone | Assistant Phone
        phone: AssistantPhone | Account Phone | Account.Phone | Account: Phone
        email: Email
        website: Website | Account.Website
        city: City | Mailing City | Billing City | MailingCity | BillingCity
        region: State/Province | Mailing State/Province | Billing State/Province | State
        region: MailingState | BillingState
        country: Country | Mailing Country | Billing Country | MailingCountry | BillingCountry
        notes: Description
        ignore: Fax | Assistant | AssistantName | Id | OwnerId | AccountId
        """
    ),
    signature=_sig(
        "Company / Account|Lead Owner|Account Owner|Lead Source|Lead Status|"
        "Mailing State/Province|Billing State/Province|State/Province|Zip/Postal Code|"
        "Mailing Zip/Postal Code|Account Name|Rating|Salutation|Mobile|Lead ID|Contact ID|"
        "Account ID|Mailing Country|Billing Country|Mailing City|Billing City|Contact Owner|"
        "FirstName|LastName|MobilePhone|LeadSource|OwnerId|AccountId|MailingCity|"
        "MailingState|MailingCountry|MailingPostalCode|PostalCode|IsConverted|Asst. Phone"
    ),
)

# Pipedrive writes "Person - Email - Work" (exports) and "Person - Email (Work)" (newer
# exports and the import template), and marks required template columns with "*".
_PD = r"(person|organi[sz]ation|lead|deal)"
PIPEDRIVE = Preset(
    "pipedrive",
    "Pipedrive export",
    columns=_cols(
        """
        company: Organization - Name | Organisation - Name | Person - Organization
        company: Person - Organisation | Deal - Organization | Deal - Organisation
        company: Lead - Organization | Lead - Organisation | Organization | Organisation
        contact: Person - Name | Deal - Contact person | Lead - Contact person | Person
        first_name: Person - First name
        last_name: Person - Last name
        title: Person - Job title | Person - Job Role | Job title
        website: Organization - Website | Organisation - Website
        tags: Person - Labels | Organization - Labels | Organisation - Labels | Person - Label
        tags: Organization - Label | Organisation - Label | Lead - Labels
        notes: Person - Notes | Organization - Notes | Organisation - Notes | Note - Content
        """
    ),
    patterns=(
        (re.compile(_PD + r" - phone( - .+| \(.+\))?"), "phone"),
        (re.compile(r"phone( \(.+\))"), "phone"),
        (re.compile(_PD + r" - email( - .+| \(.+\))?"), "email"),
        (re.compile(r"email( \(.+\))"), "email"),
        (re.compile(_PD + r" - (city/town/village/locality|city) of .+"), "city"),
        (re.compile(_PD + r" - (state/county|state) of .+"), "region"),
        (re.compile(_PD + r" - country of .+"), "country"),
        (re.compile(_PD + r" - address - (city|locality)"), "city"),
        (re.compile(_PD + r" - address - (state|region|state/county)"), "region"),
        (re.compile(_PD + r" - address - country"), "country"),
    ),  # fmt: skip
    prefixes=("person - ", "organization - ", "organisation - ", "deal - ", "lead - "),
)

CLOSE = Preset(
    "close",
    "Close export",
    columns=_cols(
        """
        company: display_name | name | lead_name | lead_display_name | company
        contact: primary_contact_name | contact_name
        title: primary_contact_title | contact_title | title
        phone: primary_contact_primary_phone | primary_contact_other_phones | contact_phones
        phone: phone | phones
        phone_label: primary_contact_primary_phone_type
        email: primary_contact_primary_email | contact_primary_email | email
        email: primary_contact_other_emails
        website: url | lead_url
        city: primary_address_city | address_city
        region: primary_address_state | address_state
        country: primary_address_country | address_country
        notes: description
        ignore: primary_address_address_1 | primary_address_address_2 | primary_address_zipcode
        """
    ),
    patterns=(
        (re.compile(r"(address_\d+|primary_address)_city"), "city"),
        (re.compile(r"(address_\d+|primary_address)_state"), "region"),
        (re.compile(r"(address_\d+|primary_address)_country"), "country"),
        (re.compile(r"address_\d+_(address_\d+|zipcode|label)"), "ignore"),
        (re.compile(r"(contact_\d+_)?phone_\d+_type"), "phone_label"),
        (re.compile(r"(contact_\d+_)?phone_\d+"), "phone"),
        (re.compile(r"(contact_\d+_)?email_\d+_type"), "ignore"),
        (re.compile(r"(contact_\d+_)?email_\d+"), "email"),
        (re.compile(r"contact_\d+_name"), "contact"),
        (re.compile(r"contact_\d+_title"), "title"),
        (re.compile(r"(contact_\d+_)?url_\d+(_type)?"), "ignore"),
    ),  # fmt: skip
    signature=_sig(
        "display_name|status_label|primary_contact_name|primary_contact_primary_phone|"
        "primary_contact_primary_email|lead_id|status_id|primary_address_city|date_created|"
        "primary_contact_title|address_1_city|address_1_country|contact_1_name|"
        "contact_1_phone_1|contact_1_email_1|html_url|date_updated"
    ),
    prefixes=("custom.", "address_1_", "contact_1_"),
)

APOLLO = Preset(
    "apollo",
    "Apollo export",
    columns=_cols(
        """
        first_name: First Name
        last_name: Last Name
        title: Title
        company: Company | Company Name
        email: Email | Secondary Email | Tertiary Email
        phone: Work Direct Phone | Mobile Phone | Corporate Phone | Home Phone | Other Phone
        phone: Company Phone
        website: Website
        city: City | Company City
        region: State | Company State
        country: Country | Company Country
        notes: SEO Description
        ignore: Email Status | Apollo Contact Id | Apollo Account Id | Company Address
        ignore: Company Name for Emails
        ignore: Person Linkedin Url | Company Linkedin Url | Facebook Url | Twitter Url
        """
    ),
    signature=_sig(
        "Work Direct Phone|Corporate Phone|Company Name for Emails|Email Status|"
        "Apollo Contact Id|Apollo Account Id|Person Linkedin Url|Company Linkedin Url|"
        "Seniority|Departments|# Employees|Email Confidence|Last Contacted|Stage|Lists"
    ),
)

ZOOMINFO = Preset(
    "zoominfo",
    "ZoomInfo export",
    columns=_cols(
        """
        first_name: First Name
        middle_name: Middle Name
        last_name: Last Name
        title: Job Title
        company: Company Name
        email: Email Address | Supplemental Email
        phone: Direct Phone Number | Mobile phone | Company HQ Phone | Company phone number
        phone: Person Phone
        website: Website | Email Domain
        city: Person City | Company City
        region: Person State | Company State
        country: Country | Company Country | Person Country
        ignore: Fax | ZoomInfo Contact ID | ZoomInfo Company ID | Full Address
        ignore: ZoomInfo Contact Profile URL | LinkedIn Contact Profile URL
        """
    ),
    signature=_sig(
        "ZoomInfo Contact ID|ZoomInfo Company ID|Direct Phone Number|Company HQ Phone|"
        "Contact Accuracy Score|Job Title Hierarchy Level|Management Level|Job Function|"
        "Revenue (in 000s USD)|Employee Range|Primary Industry|Company phone number|"
        "ZoomInfo Contact Profile URL|Person City|Person State|Email Domain"
    ),
)

# Lusha, Cognism, Kaspr, Seamless and their kin: a person per row, numbers by kind.
LEAD_LIST = Preset(
    "leadlist",
    "lead list (Lusha, Cognism and kin)",
    columns=_cols(
        """
        first_name: First Name | First name
        last_name: Last Name | Last name
        contact: Full Name | Contact Name
        title: Job Title | Title
        company: Company Name | Company | Account Name
        email: Work Email | Email 1 | Email | Private Email | Email 2 | Professional Email
        phone: Direct Phone | Direct Number | Direct Dial | Mobile Phone | Mobile Number
        phone: Mobile | Phone 1 | Phone 2 | Phone 3 | Company Phone | Company Phone Number
        phone: HQ Phone | Switchboard
        phone_label: Phone 1 Type | Phone 2 Type | Phone 3 Type
        website: Company Domain | Company Website | Website
        country: Country | Company Country | Person Country
        city: City | Company City
        region: State | Company State
        location: Location | Person Location
        ignore: LinkedIn URL | LinkedIn Profile | Company LinkedIn URL
        """
    ),
    signature=_sig(
        "Direct Number|Mobile Number|Direct Dial|Phone 1 Type|Phone 2 Type|Company Domain|"
        "Work Email|Private Email|Seniority|Department|LinkedIn URL|Company Phone Number|"
        "Direct Phone|Switchboard|Company LinkedIn URL|Person Location"
    ),
)

SALES_NAVIGATOR = Preset(
    "salesnav",
    "LinkedIn Sales Navigator list",
    columns=_cols(
        """
        first_name: First Name
        last_name: Last Name
        contact: Full Name | Name
        title: Title | Job Title | Current Title
        company: Company | Company Name | Account Name | Current Company
        location: Location | Geography | Person Geography
        website: Company Website
        phone: Phone | Phone Number
        email: Email
        ignore: Profile URL | LinkedIn URL | Sales Navigator URL | Company LinkedIn URL
        ignore: Person LinkedIn URL | Company Sales Navigator URL
        """
    ),
    signature=_sig(
        "Profile URL|Sales Navigator URL|Geography|Person Geography|Company Sales Navigator URL|"
        "Current Title|Current Company|Tenure in Position|Tenure at Company|Connection Degree|"
        "Person LinkedIn URL"
    ),
)

GOOGLE = Preset(
    "google",
    "Google Contacts export",
    columns=_cols(
        """
        contact: Name
        first_name: First Name | Given Name
        middle_name: Middle Name | Additional Name
        last_name: Last Name | Family Name
        company: Organization Name
        title: Organization Title
        notes: Notes
        tags: Labels | Group Membership
        ignore: Photo | Yomi Name | Given Name Yomi | Additional Name Yomi | Family Name Yomi
        ignore: Phonetic First Name | Phonetic Middle Name | Phonetic Last Name | File As
        ignore: Initials | Short Name
        """
    ),
    patterns=(
        (re.compile(r"phone \d+ - value"), "phone"),
        (re.compile(r"phone \d+ - (label|type)"), "phone_label"),
        (re.compile(r"e-mail \d+ - value"), "email"),
        (re.compile(r"organization \d+ - name"), "company"),
        (re.compile(r"organization \d+ - title"), "title"),
        (re.compile(r"address \d+ - city"), "city"),
        (re.compile(r"address \d+ - region"), "region"),
        (re.compile(r"address \d+ - country"), "country"),
        (re.compile(r"website \d+ - value"), "website"),
        # Labels and types describe the value beside them; the formatted address repeats
        # the parts.
        (
            re.compile(
                r"(e-mail|website|address|organization|relation|event|im|"
                r"custom field) \d+ - (label|type)"
            ),
            "ignore",
        ),
        (re.compile(r"address \d+ - formatted"), "ignore"),
    ),  # fmt: skip
    signature=_sig(
        "Phone 1 - Value|E-mail 1 - Value|Given Name|Family Name|Group Membership|"
        "Organization Name|Organization 1 - Name|Labels|File As|Yomi Name|Phonetic First Name|"
        "Phone 1 - Label|Phone 1 - Type|E-mail 1 - Label|E-mail 1 - Type|Additional Name"
    ),
    multi_value=" ::: ",
)

OUTLOOK = Preset(
    "outlook",
    "Outlook export",
    columns=_cols(
        """
        first_name: First Name
        middle_name: Middle Name
        last_name: Last Name
        company: Company
        title: Job Title
        city: Business City | Home City | Other City
        region: Business State | Home State | Other State
        country: Business Country/Region | Home Country/Region | Other Country/Region
        country: Business Country | Home Country
        phone: Business Phone | Business Phone 2 | Company Main Phone | Primary Phone
        phone: Mobile Phone | Assistant's Phone | Callback | Car Phone | Home Phone
        phone: Home Phone 2 | Other Phone | Radio Phone | ISDN | Pager | TTY/TDD Phone
        email: E-mail Address | E-mail 2 Address | E-mail 3 Address
        website: Web Page | Personal Web Page
        notes: Notes
        tags: Categories
        ignore: Title | Suffix | E-mail Type | E-mail Display Name | E-mail 2 Type
        ignore: E-mail 2 Display Name | E-mail 3 Type | E-mail 3 Display Name | Business Fax
        ignore: Home Fax | Other Fax | Priority | Sensitivity | Private | Initials
        ignore: Assistant's Name | Manager's Name
        """
    ),
    signature=_sig(
        "E-mail Address|Business Phone|Business City|Business Country/Region|Home Phone|"
        "E-mail Display Name|E-mail Type|Company Main Phone|Categories|Web Page|Business Fax|"
        "Business Street|Business Postal Code|Home Street|Assistant's Phone"
    ),
)

# callbook's own `export --format csv --what prospects`, so that its CSV comes back in.
CALLBOOK = Preset(
    "callbook",
    "callbook CSV export",
    columns=_cols(
        """
        name: name
        company: company
        phone: phones
        email: email
        website: website
        city: city
        region: region
        country: country
        timezone: timezone
        status: status
        priority: priority
        tags: tags
        template: template
        next_call_at: next_call_at
        next_objective: next_objective
        source_id: id
        ignore: last_call_at | call_count | created_at | updated_at | zone | zone_source
        """
    ),
    signature=_sig("phones|next_call_at|next_objective|call_count|last_call_at|template"),
)

# The columns `vcard.read_sheet` gives a vCard file (chosen by the file, never by --preset).
VCARD = Preset(
    "vcard",
    "vCard file",
    columns=_cols(
        """
        contact: Name
        first_name: First Name
        middle_name: Middle Name
        last_name: Last Name
        company: Organization
        title: Title
        website: Website
        city: City
        region: Region
        country: Country
        notes: Notes
        tags: Categories
        timezone: Time Zone
        """
    ),
    patterns=(
        (re.compile(r"phone \d+"), "phone"),
        (re.compile(r"phone \d+ type"), "phone_label"),
        (re.compile(r"email \d+"), "email"),
    ),
)

PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        HUBSPOT, SALESFORCE, PIPEDRIVE, CLOSE, APOLLO, ZOOMINFO, LEAD_LIST, SALES_NAVIGATOR,
        GOOGLE, OUTLOOK, CALLBOOK, GENERIC,
    )  # fmt: skip
}
CHOICES = ("auto", *PRESETS)


def is_known_header(header: str) -> bool:
    """Whether some preset reads a column of this name: how the column names are told from
    instruction rows above them."""
    key = fold(header)
    if not key:
        return False
    return any(key in p.columns or key in p.signature or p.target(header) for p in
               PRESETS.values())  # fmt: skip


def detect(headers: list[str]) -> tuple[Preset, int]:
    """The preset whose typical headers the file has most of (at least two); else generic."""
    best, best_score = GENERIC, 1
    for preset in PRESETS.values():
        if preset is GENERIC:
            continue
        score = preset.score(headers)
        if score > best_score:
            best, best_score = preset, score
    return best, (best_score if best is not GENERIC else 0)


# --- mapping columns -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    target: str | None  # a field, "piece:<slot key>", "ignore", or None (not mapped)
    origin: str  # "preset", "--map", "slot name", "" (unmapped)
    phone_label: str | None = None  # a phone column's label, from its header
    label_column: int | None = None  # the column labelling this one's numbers row by row

    @property
    def label(self) -> str:
        return self.header if self.header.strip() else f"(column {self.index + 1})"


def parse_map(option: str) -> tuple[str, str]:
    """`"CSV column=field"` -> (column, field)."""
    if "=" not in option:
        raise MapError(f'--map {option!r}: expected "CSV column=field"')
    column, _, target = option.rpartition("=")
    if not column.strip() or not target.strip():
        raise MapError(f'--map {option!r}: expected "CSV column=field", both sides filled in')
    return column.strip(), target.strip()


def resolve_target(text: str, template: Template) -> str:
    """A `--map` right-hand side -> a field name, "piece:<slot key>" or "ignore"."""
    raw = text.strip()
    lowered = raw.casefold()
    for prefix in PIECE_PREFIXES:
        if lowered.startswith(prefix):
            slot = resolve_slot(template, raw[len(prefix) :])
            if slot is None:
                raise MapError(_unknown_slot(raw[len(prefix) :], template))
            return f"piece:{slot.key}"
    name = normalize_name(raw)
    underscored = name.replace(" ", "_")
    if underscored in FIELDS:
        return underscored
    if name in _FIELD_ALIASES:
        return _FIELD_ALIASES[name]
    slot = resolve_slot(template, raw)
    if slot is not None:
        return f"piece:{slot.key}"
    raise MapError(_unknown_target(raw, template))


def _unknown_slot(name: str, template: Template) -> str:
    hint = suggest_slot(template, name)
    did = f" (did you mean {hint.key!r}?)" if hint else ""
    slots = ", ".join(s.key for s in template.slots)
    return f"template {template.key!r} has no slot {name!r}{did}; its slots: {slots}"


def _unknown_target(name: str, template: Template) -> str:
    from rapidfuzz import fuzz, process

    guess = process.extractOne(
        normalize_name(name).replace(" ", "_"), list(FIELDS), scorer=fuzz.ratio, score_cutoff=75
    )
    slot = suggest_slot(template, name)
    hint = guess[0] if guess else (slot.key if slot else None)
    did = f" (did you mean {hint!r}?)" if hint else ""
    return (
        f"unknown field or slot {name!r}{did}; fields: {', '.join(FIELDS)}; "
        f"slots of template {template.key!r}: {', '.join(s.key for s in template.slots)}"
    )


def map_columns(
    headers: list[str],
    preset: Preset,
    template: Template,
    overrides: list[tuple[str, str]],
) -> list[Column]:
    """Each column's target: `--map` first, then the preset, then generic names, then a
    template slot whose key or label is the header (a "Budget" column fills `budget`)."""
    by_header: dict[str, str] = {}
    for column_name, target_text in overrides:
        wanted = fold(column_name)
        if not any(fold(h) == wanted for h in headers):
            raise MapError(_unknown_column(column_name, headers))
        try:
            by_header[wanted] = resolve_target(target_text, template)
        except MapError as exc:
            raise MapError(f"--map {column_name}={target_text}: {exc}") from None
    columns: list[Column] = []
    for index, header in enumerate(headers):
        key = fold(header)
        if key in by_header:
            columns.append(Column(index, header, by_header[key], "--map"))
            continue
        target = preset.target(header)
        if target is None and preset is not CALLBOOK:
            target = GENERIC.target(header)
        if target is not None:
            columns.append(Column(index, header, target, "preset"))
            continue
        slot = _slot_named(header, template)
        if slot is not None:
            columns.append(Column(index, header, f"piece:{slot}", "slot name"))
            continue
        columns.append(Column(index, header, None, ""))
    return _labelled(columns)


def _labelled(columns: list[Column]) -> list[Column]:
    """Phone columns with their label from the header, and the label column beside each
    ("Phone 1 - Label" for "Phone 1 - Value", `phone_1_type` for `phone_1`)."""
    labels = {_label_key(c.header): c.index for c in columns if c.target == "phone_label"}
    out = []
    for column in columns:
        if column.target == "phone":
            column = replace(
                column,
                phone_label=phone_label(column.header),
                label_column=labels.get(_label_key(column.header, value=True)),
            )
        out.append(column)
    return out


def _label_key(header: str, value: bool = False) -> str:
    """What pairs a value column with its label column: the header without "value",
    "label", "type"."""
    words = re.split(r"[\s_\-]+", fold(header))
    drop = {"value"} if value else {"label", "type"}
    return " ".join(w for w in words if w and w not in drop)


def _slot_named(header: str, template: Template) -> str | None:
    """A slot whose key or label (not an alias: too loose for headers) is this header;
    Close's `custom.<field>` columns are looked up by their field name."""
    name = header.strip()
    if name.casefold().startswith("custom."):
        name = name[len("custom.") :]
    wanted = normalize_name(name)
    for slot in template.slots:
        if wanted in (normalize_name(slot.key), normalize_name(slot.label)):
            return slot.key
    return None


def _unknown_column(name: str, headers: list[str]) -> str:
    from rapidfuzz import fuzz, process

    shown = [h for h in headers if h.strip()]
    guess = process.extractOne(name, shown, scorer=fuzz.WRatio, score_cutoff=70)
    did = f" (did you mean {guess[0]!r}?)" if guess else ""
    listed = ", ".join(repr(h) for h in shown[:30]) + (", ..." if len(shown) > 30 else "")
    return f"--map {name!r}: the file has no column {name!r}{did}; its columns: {listed}"
