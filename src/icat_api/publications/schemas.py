"""ICAT products (ToR 3.B.5)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from icat_api.schemas import Day, EntityId, Note, Schema, Url

Title = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class PublicationKind(StrEnum):
    issue_brief = "issue_brief"
    policy_paper = "policy_paper"
    toolkit = "toolkit"
    submission = "submission"
    report = "report"
    other = "other"


class PublicationCreate(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "Human trafficking and technology",
                    "kind": "issue_brief",
                    "lead_entity_id": "unodc",
                }
            ]
        }
    }

    title: Title
    kind: PublicationKind
    lead_entity_id: EntityId | None = None
    note: Note | None = None


class PublishBody(Schema):
    model_config = {
        "json_schema_extra": {
            "examples": [{"published_on": "2019-07-30", "url": "https://icat.un.org/publications"}]
        }
    }

    published_on: Day
    url: Url | None = None


class PublicationRead(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 1,
                    "title": "Human trafficking and technology",
                    "kind": "issue_brief",
                    "lead_entity_id": "unodc",
                    "status": "published",
                    "sign_off_decision_id": 9,
                    "published_on": "2019-07-30",
                    "url": None,
                    "note": None,
                    "created_at": "2026-01-01T00:00:00Z",
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ]
        }
    }

    id: int
    title: str
    kind: PublicationKind
    lead_entity_id: str | None
    status: Literal["draft", "signed_off", "published"]
    sign_off_decision_id: int | None = Field(
        description="The product_sign_off decision (ToR 3.B.5)."
    )
    published_on: date | None
    url: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime
