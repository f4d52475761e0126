"""Create, list, revoke and verify API keys. A key is shown once; only its hash is kept."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from icat_api.db import utcnow
from icat_api.entities.models import Entity
from icat_api.keys.models import ApiKey
from icat_api.problems import NotFound

KEY_PREFIX = "icat_"


def hash_key(key: str) -> str:
    """SHA-256 of the key: keys are 256-bit random, so a fast hash cannot be brute-forced."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    id: int
    entity_id: str | None
    secretariat: bool
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        row.id, row.entity_id, row.secretariat, row.label, row.created_at, row.revoked_at
    )


def create_key(
    *, session: Session, entity_id: str | None, secretariat: bool = False, label: str | None = None
) -> tuple[KeyInfo, str]:
    """A new key for an entity (or a secretariat key); answers the key once."""
    if entity_id is not None and session.get(Entity, entity_id) is None:
        raise NotFound(f"No entity with id {entity_id!r}.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(entity_id=entity_id, secretariat=secretariat, label=label, key_hash=hash_key(key))
    session.add(row)
    session.flush()
    return _info(row), key


def list_keys(*, session: Session) -> list[KeyInfo]:
    """Every key, newest last; never the keys themselves."""
    return [_info(r) for r in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(*, session: Session, key_id: int) -> KeyInfo:
    """Revoke a key; revoking twice keeps the first revocation time."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"No key with id {key_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return _info(row)


def find_active_key(*, session: Session, key: str) -> KeyInfo | None:
    """The key's record when it exists and is not revoked."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None or row.revoked_at is not None:
        return None
    return _info(row)
