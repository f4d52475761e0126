"""A real year of ICAT as data: 2015, from the Chair's report 2015 (UNHCR, seed 002).

ASSUMPTIONS (continuing A1-A7 of ``data.py``)
A8. Attendance is not listed in the report. It names ILO, IOM, OHCHR, UNHCR, UNICEF and UNODC
    as the core that "form the ICAT Working Group"; we record those six as attending each of
    the three Working Group meetings and the consultative meeting with Permanent Missions, and
    UNHCR, which led it, at the Group of Friends briefing. No other attendance is recorded.
A9. OSCE's request to join (the report says it "had submitted a request") carries no date or
    reference: we take 5 January 2015, before the first Working Group meeting of the year
    (New York, 19 January), where the Chair introduced it, addressed to the Coordinator; the
    Working Group accorded it partner status at its Geneva meeting (22 July, A3), UNHCR (the
    2015 Chair, ToR Annex 3) confirming the decision.
"""

from dataclasses import dataclass
from datetime import date

CORE_SIX = ("ilo", "iom", "ohchr", "unhcr", "unicef", "unodc")


@dataclass(frozen=True)
class SeedMeeting:
    key: str
    kind: str
    title: str
    starts_on: date
    ends_on: date
    location: str
    attendees: tuple[str, ...]
    note: str


MEETINGS: tuple[SeedMeeting, ...] = (
    SeedMeeting(
        "wg-2015-1",
        "working_group",
        "First Working Group meeting of 2015",
        date(2015, 1, 19),
        date(2015, 1, 21),
        "New York",
        CORE_SIX,
        "Discussed the activities planned for 2015 (Chair's report 2015). Attendance: A8.",
    ),
    SeedMeeting(
        "consultation-2015",
        "consultation",
        "Consultative meeting between ICAT and Permanent Missions",
        date(2015, 1, 20),
        date(2015, 1, 20),
        "New York, UN Headquarters",
        CORE_SIX,
        "Over 50 participants, 31 Member States (Chair's report 2015). Attendance: A8.",
    ),
    SeedMeeting(
        "friends-2015",
        "briefing",
        "Briefing for the ICAT Group of Friends",
        date(2015, 6, 25),
        date(2015, 6, 25),
        "Geneva",
        ("unhcr",),
        "Led by UNHCR (Chair's report 2015).",
    ),
    SeedMeeting(
        "wg-2015-2",
        "working_group",
        "Second Working Group meeting of 2015",
        date(2015, 7, 22),
        date(2015, 7, 24),
        "Geneva",
        CORE_SIX,
        "Chair's report 2015. Attendance: A8.",
    ),
    SeedMeeting(
        "wg-2015-3",
        "working_group",
        "Third Working Group meeting of 2015",
        date(2015, 12, 7),
        date(2015, 12, 8),
        "Vienna",
        CORE_SIX,
        "The last Working Group meeting of 2015 (Chair's report 2015). Attendance: A8.",
    ),
    SeedMeeting(
        "egm-2015",
        "expert_group",
        "Expert group meeting on Evaluation of Anti-trafficking Responses",
        date(2015, 12, 9),
        date(2015, 12, 10),
        "Vienna",
        (),
        "Discussed the first draft of policy paper #4 (Chair's report 2015).",
    ),
)

OSCE_APPLICATION_SUBMITTED = date(2015, 1, 5)  # A9
OSCE_APPLICATION_REFERENCE = "OSCE request to join ICAT (reference not in the records; A9)"
OSCE_DECISION_MEETING = "wg-2015-2"
OSCE_DECISION_RECORD = (
    "The Working Group agreed to identify a separate group of ICAT partners and accorded the "
    "OSCE, which had requested to join ICAT, the status of ICAT partner (Chair's report 2015)."
)
