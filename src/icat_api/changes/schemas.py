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
