"""The holder of a valid key, as every layer sees it (no domain needed to name it)."""

from dataclasses import dataclass

from icat_api.problems import Forbidden


@dataclass(frozen=True)
class Caller:
    """The holder of a valid key."""

    key_id: int
    entity_id: str | None
    is_secretariat: bool


def ensure_acts_for(caller: Caller, entity_id: str) -> None:
    """For writes whose entity is in the body (an application, an enrolment): the secretariat,
    or the entity's own key; 403 otherwise (DESIGN section 5: a key acts only for its entity)."""
    if not (caller.is_secretariat or caller.entity_id == entity_id):
        raise Forbidden(f"This key may not act for {entity_id}.")
