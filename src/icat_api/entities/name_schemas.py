"""An entity's names: in the six UN languages, and the former names it bore (DESIGN §3).

Keys are the six UN language tags only (``ar``, ``zh``, ``en``, ``fr``, ``ru``, ``es``), checked
with babel so that a malformed tag and a language the UN does not use get their own message.
Every name is a ``Schema`` field: control characters and bidirectional overrides are refused
as anywhere else (an Arabic name needs neither: its direction is the script's own).
"""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from icat_api.languages import check_language_tag
from icat_api.schemas import Day, Name, Schema

Acronym = Annotated[str, StringConstraints(min_length=1, max_length=50)]


class _ByLanguage(Schema):
    @model_validator(mode="before")
    @classmethod
    def _un_languages_only(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for tag in value:
                check_language_tag(str(tag))
        return value


class Names(_ByLanguage):
    """A name in the UN languages: English required, the others when known."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "en": "United Nations Office on Drugs and Crime",
                    "fr": "Office des Nations Unies contre la drogue et le crime",
                }
            ]
        }
    }

    ar: Name | None = None
    zh: Name | None = None
    en: Name = Field(description="English: required; it is `name` in writes.")
    fr: Name | None = None
    ru: Name | None = None
    es: Name | None = None


class Acronyms(_ByLanguage):
    """An acronym in the UN languages, each when there is one."""

    model_config = {"json_schema_extra": {"examples": [{"en": "UNODC", "fr": "ONUDC"}]}}

    ar: Acronym | None = None
    zh: Acronym | None = None
    en: Acronym | None = Field(default=None, description="English; it is `acronym` in writes.")
    fr: Acronym | None = None
    ru: Acronym | None = None
    es: Acronym | None = None


class FormerName(Schema):
    """A name the entity bore until a day (ToR 3.C.2: the record of what it was called)."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"name": "Department of Political Affairs", "acronym": "DPA", "until": "2018-12-31"}
            ]
        }
    }

    name: Name = Field(description="The English name then.")
    acronym: Acronym | None = Field(default=None, description="The English acronym then.")
    until: Day = Field(description="The last day it was used; never after today.")


class NamesRead(BaseModel):
    """The current name in each UN language; null where not filled."""

    ar: str | None
    zh: str | None
    en: str
    fr: str | None
    ru: str | None
    es: str | None


class AcronymsRead(BaseModel):
    """The current acronym in each UN language; null where not filled."""

    ar: str | None
    zh: str | None
    en: str | None
    fr: str | None
    ru: str | None
    es: str | None


class FormerNameRead(BaseModel):
    """A name the entity bore, in English, until the day after which it was renamed."""

    name: str
    acronym: str | None
    until: date = Field(description="The last day it was used.")


FormerNames = Annotated[
    list[FormerName],
    Field(
        max_length=50,
        description="Names borne before, any order (answered oldest first): no two end on the "
        "same day, none after today, each differs from the name that followed it (ToR 3.C.2).",
    ),
]


def merged(current: dict[str, str], sent: BaseModel | None) -> dict[str, str]:
    """The stored form of names or acronyms: the languages filled, nothing else."""
    if sent is None:
        return dict(current)
    return {tag: value for tag, value in sent.model_dump().items() if value is not None}
