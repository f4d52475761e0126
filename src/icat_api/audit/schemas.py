"""The audit trail as read by the secretariat."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEventRead(BaseModel):
    """One recorded write."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime = Field(description="When the write was committed (UTC).")
    key_id: int | None = Field(description="The API key used; null for the command-line tool.")
    actor_entity_id: str | None = Field(description="The entity the key belongs to.")
    action: str = Field(examples=["create", "update", "end"])
    resource_type: str = Field(examples=["entity", "membership", "chair_term"])
    resource_id: str
    before: dict[str, Any] | None = Field(description="The resource before the write.")
    after: dict[str, Any] | None = Field(description="The resource after the write.")
    request_id: str | None
    decision_id: int | None = Field(
        description="The decision whose effect this write is, when a decision made it (ToR 3.C.2)."
    )
