"""The change feed's rows: one per change to a resource, numbered in commit order."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from icat_api.db import Base, UTCDateTime, utcnow


class Change(Base):
    """One change to one resource: ``seq`` grows with commit order (see service.py)."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(300))
    # Whether the change is to personal data (a focal point): not shown to the public.
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
