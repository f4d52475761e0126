"""ICAT's products and Sweden's funding, from the Chair's report 2015 (002), the website page of
2017 (003) and the fact sheet (001).

ASSUMPTIONS (continuing A1-A9)
A10. Sweden funded the secretariat (UNODC) and ICAT's main activities from 2012 to the end of
     2015 (Chair's report 2015). No amount, currency or date is given: the record has no amount
     (null, never invented), is dated 1 January 2012, and carries no approval decision — it
     predates the ToR of 2018 and the registry's records.
A11. Where a source gives only the year of a product, it is dated 1 January of that year; where
     it gives a month, the first of the month. Products listed with no date are recorded as
     published with no date. None has a sign-off decision on record: they predate the ToR.
A12. Policy paper #4 was "being finalised" at the end of 2015 (Chair's report 2015); its
     publication is not in these sources, so it is recorded as a draft.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SeedProduct:
    title: str
    kind: str
    lead_entity_id: str | None
    published_on: date | None
    status: str
    note: str


CR = "Chair's report 2015"
PRODUCTS: tuple[SeedProduct, ...] = (
    SeedProduct(
        "Policy paper #1: The International Legal Framework concerning Trafficking in Persons",
        "policy_paper",
        None,
        date(2012, 1, 1),
        "published",
        f"{CR}; day: A11.",
    ),
    SeedProduct(
        "Policy paper #2: Preventing Trafficking in Persons by addressing Demand",
        "policy_paper",
        None,
        date(2014, 1, 1),
        "published",
        f"{CR}; day: A11.",
    ),
    SeedProduct(
        "Policy paper #3: Providing Effective Remedies for Victims of Trafficking in Persons",
        "policy_paper",
        None,
        date(2016, 2, 1),
        "published",
        f"Finalised in 2015, e-launched February 2016 ({CR}); day: A11.",
    ),
    SeedProduct(
        "Policy paper #4: Evaluation of Anti-trafficking Responses",
        "policy_paper",
        None,
        None,
        "draft",
        f"Being finalised at the end of 2015 ({CR}); A12.",
    ),
    SeedProduct(
        "Issue brief 02: Trafficking in Persons in Humanitarian Crises",
        "issue_brief",
        None,
        date(2017, 6, 1),
        "published",
        "ICAT website (2017): 06/2017; day: A11.",
    ),
    SeedProduct(
        "A Toolkit for Guidance in Designing and Evaluating Counter-Trafficking Programmes",
        "toolkit",
        None,
        date(2017, 1, 1),
        "published",
        "Listed on the ICAT website page of 2017; date: A11.",
    ),
    SeedProduct(
        "ICAT submission to the co-facilitators of the high-level meeting of the General "
        "Assembly on the Appraisal of the UN Global Plan of Action to Combat Trafficking "
        "in Persons",
        "submission",
        None,
        date(2017, 1, 1),
        "published",
        "Listed as new on the ICAT website page of 2017; date: A11.",
    ),
    SeedProduct(
        "Issue brief: Human trafficking and technology",
        "issue_brief",
        None,
        date(2019, 7, 30),
        "published",
        "Published on 30 July 2019 (fact sheet).",
    ),
    *(
        SeedProduct(
            f"Issue brief: {t}",
            "issue_brief",
            None,
            None,
            "published",
            "Listed in the fact sheet (about 2019-2020); date not in the sources (A11).",
        )
        for t in (
            "Trafficking in children",
            "The role of sustainable development goals in combating trafficking in persons",
            "The gender dimension of human trafficking",
            "Trafficking in persons and refugee status",
            "What is the difference between trafficking in persons and the smuggling of migrants",
        )
    ),
)

SWEDEN_FUNDING_ON = date(2012, 1, 1)  # A10
SWEDEN_NOTE = (
    "Sweden funded the ICAT secretariat (UNODC) and ICAT's main activities from 2012 until the "
    "end of 2015, including two Working Group meetings a year (Chair's report 2015). Amount and "
    "currency not in the records (A10)."
)
