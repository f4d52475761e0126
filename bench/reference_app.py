"""The reference for reads: a minimal FastAPI + SQLAlchemy + pydantic app, as FastAPI users write
one (DESIGN section 7: every public GET answered from the cache at least as fast as it, misses
within 2x of it).

One endpoint, ``GET /v1/entities``: a session per request, one ``SELECT`` of one page (50 rows,
ordered by id) of the service's own ``entities`` table in the service's own database (read from
``ICAT_DATABASE_URL``, like the service), each row validated into a pydantic model and the page
serialized by FastAPI through ``response_model``. No keys, no middleware, no logging, no ETag.

``GET /v1/entities`` is a plain ``def``, which FastAPI runs in its thread pool: that is how its tutorial
("SQL (Relational) Databases") and most applications use SQLAlchemy's ordinary (blocking)
``Session``; an ``async def`` would need the asyncio extension and an async driver (aiosqlite,
asyncpg), which the service does not use either, so the reference pays what the service pays for
the same kind of work. ``GET /v1/entities-on-the-loop`` does the same as an ``async def`` that
runs the blocking ``SELECT`` on the event loop: no thread pool hop, the fastest a minimal app
gets on one core (and what a service cannot do with a remote database: one slow query stalls
every request). The benchmark measures both and holds the service to the faster. ``bench.run`` starts it with the uvicorn settings of the service and of
the bare app (one worker, log level warning, no access log).
"""

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Boolean, DateTime, Integer, String, create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

PAGE = 50
URL = os.environ["ICAT_DATABASE_URL"]
# The FastAPI tutorial's engine: SQLite's connections may be used by the pool's other threads.
engine = create_engine(
    URL,
    connect_args=(
        {"check_same_thread": False} if make_url(URL).get_backend_name() == "sqlite" else {}
    ),
)


class Base(DeclarativeBase):
    pass


class Entity(Base):
    """The columns of the service's ``entities`` table (``icat_api.entities.models``)."""

    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(String(20))
    un_system: Mapped[bool] = mapped_column(Boolean)
    mandate_covers_tip: Mapped[bool] = mapped_column(Boolean)
    mandate_reference: Mapped[str | None] = mapped_column(String(500))
    website: Mapped[str | None] = mapped_column(String(500))
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    acronyms: Mapped[dict[str, str]] = mapped_column(JSON)
    former_names: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)


class EntityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    acronym: str | None
    kind: str
    scope: str | None
    un_system: bool
    mandate_covers_tip: bool
    mandate_reference: str | None
    website: str | None
    names: dict[str, str]
    acronyms: dict[str, str]
    former_names: list[dict[str, Any]]
    note: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class EntityPage(BaseModel):
    items: list[EntityRead]


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


app = FastAPI()


@app.get("/v1/entities", response_model=EntityPage)
def list_entities(session: Annotated[Session, Depends(get_session)]) -> Any:
    rows = session.scalars(select(Entity).order_by(Entity.id).limit(PAGE)).all()
    return {"items": rows}


@app.get("/v1/entities-on-the-loop", response_model=EntityPage)
async def list_entities_on_the_loop() -> Any:
    with Session(engine) as session:
        rows = session.scalars(select(Entity).order_by(Entity.id).limit(PAGE)).all()
        return {"items": rows}
