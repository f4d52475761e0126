"""Working Group enrolment (ToR 3.B.7): a member's written confirmation of its interest."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow


class Enrolment(Base):
    """A member's confirmation in writing that it joins the Working Group (ToR 3.B.7)."""

    __tablename__ = "working_group_enrolments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="RESTRICT"), index=True
    )
    confirmed_on: Mapped[date] = mapped_column(Date)
    confirmation_reference: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
