"""The change feed as callers read it."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ChangeType = Literal[
    "entity",
    "membership",
    "focal_point",
    "enrolment",
    "meeting",
    "attendance",
    "decision",
    "application",
    "chair_term",
    "candidacy",
    "work_plan",
    "activity",
    "funding",
    "milestone_report",
    "publication",
]
ChangeAction = Literal["created", "updated", "deleted"]


class ChangeRead(BaseModel):
    """One change: what changed, how, and where to read it now. A `deleted` change is a
    tombstone: the id stays, the data is gone."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "seq": 42,
                    "occurred_at": "2026-11-28T10:15:00Z",
                    "type": "entity",
                    "id": "unodc",
                    "action": "updated",
                    "url": "/v1/entities/unodc",
                }
            ]
        },
    )

    seq: int = Field(description="Strictly increasing, in commit order; pass as `after` to resume.")
    occurred_at: datetime = Field(description="When the change was committed (UTC).")
    type: ChangeType
    id: str = Field(validation_alias="resource_id", description="The resource's id.")
    action: ChangeAction
    url: str = Field(description="Where the resource (or its list) is read.")


class ChangeCounts(BaseModel):
    """How many changes the change feed recorded in one calendar year, by type."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "total": 9,
                    "by_type": {
                        "entity": 2,
                        "membership": 2,
                        "enrolment": 0,
                        "meeting": 1,
                        "attendance": 1,
                        "decision": 2,
                        "application": 1,
                        "chair_term": 0,
                        "candidacy": 0,
                        "work_plan": 0,
                        "activity": 0,
                        "funding": 0,
                        "milestone_report": 0,
                        "publication": 0,
                    },
                }
            ]
        },
    )

    total: int = Field(ge=0, description="Every change counted: the sum of `by_type`.")
    by_type: dict[ChangeType, int] = Field(
        description="Changes per type, in the order of the feed's types, 0 included: the same "
        "keys every year. A type the reader may never see (a focal point, for the public) has no "
        "key, so a 0 means none, not hidden."
    )
