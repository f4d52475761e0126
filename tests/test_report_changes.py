"""The year's changes counted by type (issue 14): one GROUP BY, the year cut at midnight UTC."""

from datetime import UTC, datetime
from typing import get_args

from sqlalchemy.orm import Session

from icat_api.changes.models import Change
from icat_api.changes.schemas import ChangeCounts, ChangeType
from icat_api.changes.service import count_by_type

EVERY_TYPE: list[str] = list(get_args(ChangeType))
PUBLIC_TYPES = [t for t in EVERY_TYPE if t != "focal_point"]


def change(kind: str, at: datetime, *, personal: bool = False) -> Change:
    return Change(
        occurred_at=at, type=kind, resource_id="x", action="updated", url="/v1", personal=personal
    )


def test_the_year_is_cut_at_midnight_utc_and_every_type_is_listed(db: Session) -> None:
    db.add_all(
        [
            change("entity", datetime(2015, 1, 1, tzinfo=UTC)),
            change("entity", datetime(2015, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            change("meeting", datetime(2014, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
            change("meeting", datetime(2016, 1, 1, tzinfo=UTC)),
            change("focal_point", datetime(2015, 6, 1, tzinfo=UTC), personal=True),
            change("publication", datetime(2015, 6, 1, tzinfo=UTC), personal=True),
            change("publication", datetime(2015, 7, 1, tzinfo=UTC)),
        ]
    )
    db.flush()

    every = count_by_type(session=db, year=2015, personal=True)
    assert list(every) == EVERY_TYPE
    assert {t: n for t, n in every.items() if n} == {
        "entity": 2,
        "focal_point": 1,
        "publication": 2,
    }

    public = count_by_type(session=db, year=2015, personal=False)
    # No key for what the public never sees: a 0 would say "none" when it means "hidden".
    assert list(public) == PUBLIC_TYPES
    assert {t: n for t, n in public.items() if n} == {"entity": 2, "publication": 1}

    assert {t: n for t, n in count_by_type(session=db, year=2016, personal=True).items() if n} == {
        "meeting": 1
    }
    assert {t: n for t, n in count_by_type(session=db, year=2014, personal=True).items() if n} == {
        "meeting": 1
    }


def test_the_example_validates_and_lists_the_public_types_in_order() -> None:
    extra = ChangeCounts.model_config.get("json_schema_extra")
    assert isinstance(extra, dict) and isinstance(extra["examples"], list)
    [example] = extra["examples"]
    counts = ChangeCounts.model_validate(example)
    assert list(counts.by_type) == PUBLIC_TYPES
    assert counts.total == sum(counts.by_type.values())
