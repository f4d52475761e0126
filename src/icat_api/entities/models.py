"""Entities (organizations) and their memberships: the role history of ICAT (ToR 3.A.1)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, one_of, utcnow

KINDS = ("un_entity", "intergovernmental", "non_governmental", "other")
SCOPES = ("global", "regional", "sub_regional")
ROLES = ("member", "partner")


def _english(column: str) -> Any:
    """A default for ``names``/``acronyms``: the English ``name``/``acronym`` of the row, so rows
    written without them (bulk loads, older code) hold what the migration gives old rows."""

    def default(context: DefaultExecutionContext) -> dict[str, str]:
        parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
        value = parameters.get(column)
        return {"en": value} if value else {}

    return default


class Entity(Base):
    """An organization known to ICAT; its status is derived from its memberships."""

    __tablename__ = "entities"
    __table_args__ = (
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(f"scope IS NULL OR {one_of('scope', SCOPES)}", name="scope"),
        Index("ix_entities_kind", "kind", "id"),  # GET /v1/entities?kind=
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    acronym: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(String(20))
    un_system: Mapped[bool] = mapped_column(Boolean)
    mandate_covers_tip: Mapped[bool] = mapped_column(Boolean)
    mandate_reference: Mapped[str | None] = mapped_column(String(500))
    website: Mapped[str | None] = mapped_column(String(500))
    # The name and acronym in the six UN languages ({"en": ..., "fr": ...}): "en" is always
    # `name` (`acronym` when there is one); the others only when filled.
    names: Mapped[dict[str, str]] = mapped_column(
        JSON, default=_english("name"), server_default=text("'{}'")
    )
    acronyms: Mapped[dict[str, str]] = mapped_column(
        JSON, default=_english("acronym"), server_default=text("'{}'")
    )
    # [{"name", "acronym", "until": "YYYY-MM-DD"}], oldest first (entities/rules.py).
    former_names: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Membership(Base):
    """An entity's role over a span of days: ``starts_on`` <= day < ``ends_on`` (open when null)."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="span"),
        Index("ix_memberships_entity_span", "entity_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(2000))
    # The admission decision that created it (ToR 3.A.3); null for history from before the records.
    admission_decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
