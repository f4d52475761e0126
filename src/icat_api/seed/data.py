"""The real ICAT data, taken from the source documents in ``shared/seeds/``.

Sources, cited by the short names used below:
- ToR:        ICAT Terms of Reference, agreed 4 October 2018 (000), with Annex 3, the chairs.
- FACT SHEET: ICAT fact sheet, about 2019-2020 (001): 23 members, the Working Group, 2 partners.
- CR2015:     Chair's report 2015, UNHCR (002): the six-member core, OSCE a partner in 2015.

Where a document gives no date, the assumption is written next to the fact, here and in the
record's ``note``. Nothing is invented silently. Websites are the organizations' public
home pages.

ASSUMPTIONS
A1. ICAT's records start on 1 January 2007, the first year of ToR Annex 3 (UNODC chaired
    2007-2010, after GA resolution 61/180 of 20 December 2006). The six entities CR2015 names
    as the Working Group core (ILO, IOM, OHCHR, UNHCR, UNICEF, UNODC) and which chaired
    2007-2015 (Annex 3) are members from that day.
A2. The other members of the FACT SHEET carry no joining date in any document. CR2015 counts
    17 entities in 2015 without naming them, so we do not back-date them: their membership
    starts on 1 January 2019, the earliest year the FACT SHEET describes (its 2019 co-chairing).
    Their real joining dates are earlier for most; the Coordinator can correct them.
A3. OSCE joined as a partner in 2015 (CR2015) on a date not given: we take 22 July 2015, the
    first day of the Working Group meeting in Geneva, the middle of the three 2015 meetings.
    The FACT SHEET lists OSCE as a member, and it co-chaired in 2019 (Annex 3), which needs a
    member elected in 2018 (ToR 3.D.1): we take membership from 1 January 2017, ending the
    partnership that day.
A4. Council of Europe and the Special Rapporteur are partners from 1 January 2019 (FACT SHEET).
A5. Working Group (FACT SHEET): its members confirmed their interest (ToR 3.B.7) on the day
    their membership starts in these records; the written confirmations themselves predate the
    records. The FACT SHEET also lists the Council of Europe, a partner: partners attend as
    non-voting observers (ToR 3.B.7), so it is not enrolled and appears under partners.
A6. UN Women and OSCE co-chaired 2019 (Annex 3); how they split the tasks of ToR 3.D.3 is not
    in the documents, so the split is left unrecorded (null).
A7. Every member and partner is a UN entity or an intergovernmental organization whose mandate
    addresses trafficking in persons (ToR 3.A.4): membership shows the Working Group found so.
A8. Renamings. The FACT SHEET names the Department of Political Affairs (DPA) and the
    Department of Peacekeeping Operations (DPKO). General Assembly resolution 72/199 (2017)
    restructured the Secretariat's peace and security pillar; from 1 January 2019 they are the
    Department of Political and Peacebuilding Affairs (DPPA) and the Department of Peace
    Operations (DPO). The records carry the current names, the former ones until 31 December
    2018 (ToR 3.C.2: an as-of view shows the name used that day); the ids stay `dpa` and `dpko`
    (ids never change). Only English names are seeded: no source document gives the others.
"""

from dataclasses import dataclass
from datetime import date

ICAT_RECORDS_START = date(2007, 1, 1)  # A1
FACT_SHEET_YEAR_START = date(2019, 1, 1)  # A2, A4


@dataclass(frozen=True)
class SeedEntity:
    id: str
    name: str
    acronym: str | None
    kind: str
    scope: str
    un_system: bool
    website: str | None
    mandate_reference: str | None = None
    mandate_covers_tip: bool = True  # A7
    former_names: tuple["SeedFormerName", ...] = ()  # A8
    note: str | None = None


@dataclass(frozen=True)
class SeedFormerName:
    name: str
    acronym: str | None
    until: date


BEFORE_RESTRUCTURING = date(2018, 12, 31)  # A8: the last day of the former names
_RENAMED_NOTE = (
    "Named {former} ({acronym}) in the ICAT fact sheet; renamed on 1 January 2019 when General "
    "Assembly resolution 72/199 restructured the peace and security pillar (assumption A8)."
)


@dataclass(frozen=True)
class SeedMembership:
    entity_id: str
    role: str
    starts_on: date
    ends_on: date | None
    note: str


@dataclass(frozen=True)
class SeedEnrolment:
    entity_id: str
    confirmed_on: date
    confirmation_reference: str


@dataclass(frozen=True)
class SeedChairTerm:
    start_year: int
    end_year: int
    entity_ids: tuple[str, ...]
    note: str


def _un(
    id: str, name: str, acronym: str | None, website: str | None, mandate: str | None = None
) -> SeedEntity:
    return SeedEntity(id, name, acronym, "un_entity", "global", True, website, mandate)


ENTITIES: tuple[SeedEntity, ...] = (
    # FACT SHEET, "Members" (23), in its order.
    _un(
        "cted",
        "Counter-Terrorism Committee Executive Directorate",
        "CTED",
        "https://www.un.org/securitycouncil/ctc/",
    ),
    SeedEntity(
        "dpko",
        "Department of Peace Operations",
        "DPO",
        "un_entity",
        "global",
        True,
        "https://peacekeeping.un.org",
        former_names=(
            SeedFormerName("Department of Peacekeeping Operations", "DPKO", BEFORE_RESTRUCTURING),
        ),
        note=_RENAMED_NOTE.format(former="Department of Peacekeeping Operations", acronym="DPKO"),
    ),
    SeedEntity(
        "dpa",
        "Department of Political and Peacebuilding Affairs",
        "DPPA",
        "un_entity",
        "global",
        True,
        "https://dppa.un.org",
        former_names=(
            SeedFormerName("Department of Political Affairs", "DPA", BEFORE_RESTRUCTURING),
        ),
        note=_RENAMED_NOTE.format(former="Department of Political Affairs", acronym="DPA"),
    ),
    SeedEntity(
        "icmpd",
        "International Centre for Migration Policy Development",
        "ICMPD",
        "intergovernmental",
        "regional",
        False,
        "https://www.icmpd.org",
    ),
    _un("icao", "International Civil Aviation Organization", "ICAO", "https://www.icao.int"),
    SeedEntity(
        "interpol",
        "International Criminal Police Organization",
        "INTERPOL",
        "intergovernmental",
        "global",
        False,
        "https://www.interpol.int",
    ),
    _un("itu", "International Telecommunication Union", "ITU", "https://www.itu.int"),
    _un(
        "ilo",
        "International Labour Organization",
        "ILO",
        "https://www.ilo.org",
        "Forced Labour Convention, 1930 (No. 29) and its 2014 Protocol",
    ),
    _un("iom", "International Organization for Migration", "IOM", "https://www.iom.int"),
    _un(
        "ohchr",
        "Office of the High Commissioner for Human Rights",
        "OHCHR",
        "https://www.ohchr.org",
    ),
    _un(
        "srsg-svc",
        "Office of the Special Representative of the Secretary-General on Sexual Violence in Conflict",
        "SRSG-SVC",
        "https://www.un.org/sexualviolenceinconflict/",
    ),
    SeedEntity(
        "osce",
        "Organization for Security and Co-operation in Europe",
        "OSCE",
        "intergovernmental",
        "regional",
        False,
        "https://www.osce.org",
        "OSCE Action Plan to Combat Trafficking in Human Beings (2003)",
    ),
    _un("unicef", "United Nations Children's Fund", "UNICEF", "https://www.unicef.org"),
    _un("undp", "United Nations Development Programme", "UNDP", "https://www.undp.org"),
    _un(
        "unesco",
        "United Nations Educational, Scientific and Cultural Organization",
        "UNESCO",
        "https://www.unesco.org",
    ),
    _un("unhcr", "United Nations High Commissioner for Refugees", "UNHCR", "https://www.unhcr.org"),
    _un(
        "unicri",
        "United Nations Interregional Crime and Justice Research Institute",
        "UNICRI",
        "https://unicri.org",
    ),
    _un("unaids", "Joint United Nations Programme on HIV/AIDS", "UNAIDS", "https://www.unaids.org"),
    _un(
        "unodc",
        "United Nations Office on Drugs and Crime",
        "UNODC",
        "https://www.unodc.org",
        "Trafficking in Persons Protocol (2000); GA resolution 61/180 (ICAT Coordinator)",
    ),
    _un(
        "osapg",
        "United Nations Office on Genocide Prevention and the Responsibility to Protect",
        None,
        "https://www.un.org/en/genocideprevention/",
    ),
    _un("unfpa", "United Nations Population Fund", "UNFPA", "https://www.unfpa.org"),
    _un(
        "un-women",
        "United Nations Entity for Gender Equality and the Empowerment of Women",
        "UN Women",
        "https://www.unwomen.org",
    ),
    _un("world-bank", "The World Bank", None, "https://www.worldbank.org"),
    # FACT SHEET, "Partners" (2).
    SeedEntity(
        "council-of-europe",
        "Council of Europe",
        "CoE",
        "intergovernmental",
        "regional",
        False,
        "https://www.coe.int",
        "Council of Europe Convention on Action against Trafficking in Human Beings (2005)",
    ),
    _un(
        "sr-tip",
        "United Nations Special Rapporteur on trafficking in persons, especially women and children",
        None,
        "https://www.ohchr.org/en/special-procedures/sr-trafficking-in-persons",
        "Human Rights Council mandate on trafficking in persons",
    ),
)

CORE_SIX = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")  # CR2015, A1
OSCE_PARTNER_FROM = date(2015, 7, 22)  # A3
OSCE_MEMBER_FROM = date(2017, 1, 1)  # A3

_LATER_MEMBERS = tuple(e.id for e in ENTITIES[:23] if e.id not in CORE_SIX and e.id != "osce")

MEMBERSHIPS: tuple[SeedMembership, ...] = (
    *(
        SeedMembership(
            e,
            "member",
            ICAT_RECORDS_START,
            None,
            "Working Group core named in the Chair's report 2015; from the start of "
            "the records, 2007 (assumption A1).",
        )
        for e in CORE_SIX
    ),
    *(
        SeedMembership(
            e,
            "member",
            FACT_SHEET_YEAR_START,
            None,
            "Member in the ICAT fact sheet (about 2019-2020); earlier joining date "
            "not in the records (assumption A2).",
        )
        for e in _LATER_MEMBERS
    ),
    SeedMembership(
        "osce",
        "partner",
        OSCE_PARTNER_FROM,
        OSCE_MEMBER_FROM,
        "Joined ICAT as a partner in 2015 (Chair's report 2015); day assumed (A3).",
    ),
    SeedMembership(
        "osce",
        "member",
        OSCE_MEMBER_FROM,
        None,
        "Member in the fact sheet and 2019 co-chair (ToR Annex 3); day assumed (A3).",
    ),
    SeedMembership(
        "council-of-europe",
        "partner",
        FACT_SHEET_YEAR_START,
        None,
        "Partner in the ICAT fact sheet (assumption A4).",
    ),
    SeedMembership(
        "sr-tip",
        "partner",
        FACT_SHEET_YEAR_START,
        None,
        "Partner in the ICAT fact sheet (assumption A4).",
    ),
)

_MEMBER_FROM = {m.entity_id: m.starts_on for m in MEMBERSHIPS if m.role == "member"}

WORKING_GROUP = ("icmpd", "ilo", "iom", "ohchr", "osce", "unhcr", "unicef", "unodc", "un-women")

ENROLMENTS: tuple[SeedEnrolment, ...] = tuple(
    SeedEnrolment(
        e,
        _MEMBER_FROM[e],
        "Listed in the Working Group of the ICAT fact sheet; confirmation date assumed "
        "(assumption A5).",
    )
    for e in WORKING_GROUP
)

CHAIR_TERMS: tuple[SeedChairTerm, ...] = (
    SeedChairTerm(2007, 2010, ("unodc",), "ToR Annex 3."),
    SeedChairTerm(2011, 2011, ("ohchr",), "ToR Annex 3."),
    SeedChairTerm(2012, 2012, ("unicef",), "ToR Annex 3."),
    SeedChairTerm(2013, 2013, ("ilo",), "ToR Annex 3."),
    SeedChairTerm(2014, 2014, ("iom",), "ToR Annex 3."),
    SeedChairTerm(2015, 2015, ("unhcr",), "ToR Annex 3; Chair's report 2015."),
    SeedChairTerm(2016, 2016, ("unodc",), "ToR Annex 3."),
    SeedChairTerm(2017, 2017, ("ohchr",), "ToR Annex 3."),
    SeedChairTerm(2018, 2018, ("unicef",), "ToR Annex 3."),
    SeedChairTerm(
        2019,
        2019,
        ("un-women", "osce"),
        "ToR Annex 3: the first co-chairing; task split not recorded (assumption A6).",
    ),
)
