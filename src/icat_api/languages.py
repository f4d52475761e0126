"""The six official languages of the United Nations, and the one a request's ``Accept-Language``
prefers (RFC 9110, 12.5.4; RFC 4647, 3.4 "lookup").

Names are kept in ``ar``, ``zh``, ``en``, ``fr``, ``ru`` and ``es``; English is the fallback.
A language range may carry a weight ``q`` (0 to 1; 0 means "not this one"). The ranges are tried
from the heaviest down (ties in the header's order), each truncated to its primary language
(``fr-CH`` and ``fr-Latn-CH`` ask for ``fr``, ``zh-Hans`` and ``zh-TW`` for ``zh``: the UN has
one Chinese), until one names a UN language; ``*`` names English first. A language refused by
``q=0`` is never chosen. No header, an unreadable one, or one naming no UN language: English.
Never a 406: a representation in English beats none (RFC 9110 lets a server ignore the header).

Tags in bodies are checked with babel (CLDR): a malformed tag and a real language the UN does
not use are told apart in the error.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from icat_api.negotiation import weighted

ENGLISH = "en"
# In the order the UN lists them (alphabetical in English): the order of keys in every answer.
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
# The order a `*` range tries them in: the fallback first.
_STAR_ORDER = (ENGLISH, *(tag for tag in UN_LANGUAGES if tag != ENGLISH))

# RFC 4647, 2.1: language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*"
_RANGE = re.compile(r"(?:[a-z]{1,8}(?:-[a-z0-9]{1,8})*|\*)")


def check_language_tag(tag: str) -> str:
    """``tag`` when it is one of the six UN languages as written in keys (``fr``); else a
    ValueError telling a malformed tag from a language the UN does not use."""
    if tag in UN_LANGUAGES:
        return tag
    offered = ", ".join(UN_LANGUAGES)
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValueError(
            f"{tag!r} is not a language tag; use one of the six UN languages: {offered}"
        ) from None
    if locale.language in UN_LANGUAGES:
        raise ValueError(
            f"{tag!r} is {locale.get_display_name(ENGLISH)}: write the language alone, "
            f"{locale.language!r} (one of {offered})"
        )
    raise ValueError(
        f"{tag!r} ({locale.get_display_name(ENGLISH)}) is not one of the six UN languages: "
        f"{offered}"
    )


@dataclass(frozen=True)
class LanguageRange:
    tag: str  # lower case: "fr-ch", "*"
    q: float

    @property
    def primary(self) -> str:
        return self.tag.split("-")[0]


def parse_accept_language(header: str) -> list[LanguageRange]:
    """The language ranges of an ``Accept-Language`` header; unreadable ones are skipped."""
    return [LanguageRange(tag, q) for tag, q in weighted(header) if _RANGE.fullmatch(tag)]


def _lookup(header: str) -> str:
    ranges = parse_accept_language(header)
    refused = {r.tag for r in ranges if r.q == 0}
    # sorted() is stable: equal weights keep the header's order.
    for r in sorted((r for r in ranges if r.q > 0), key=lambda r: -r.q):
        candidates = _STAR_ORDER if r.tag == "*" else (r.primary,)
        for tag in candidates:
            if tag in UN_LANGUAGES and tag not in refused:
                return tag
    return ENGLISH


@lru_cache(maxsize=512)
def _cached_lookup(header: str) -> str:
    return _lookup(header)


def preferred_language(header: str | None) -> str:
    """The UN language ``header`` (an ``Accept-Language``) prefers; English when it names none.
    Short headers (what browsers send) are remembered: the response cache asks at every read."""
    if not header:
        return ENGLISH
    return _cached_lookup(header) if len(header) <= 200 else _lookup(header)


def content_language(asked: str, used: set[str]) -> str:
    """The ``Content-Language`` of an answer whose names were asked in ``asked`` and shown in
    ``used``: the languages actually used, the one asked first (``fr, en`` when some French
    names were missing and shown in English; ``en`` when none was filled in French). An answer
    that shows no name is in the language asked."""
    if not used:
        return asked
    return ", ".join(sorted(used, key=lambda tag: (tag != asked, UN_LANGUAGES.index(tag))))


def pick(values: dict[str, str], language: str) -> tuple[str, str] | None:
    """``values`` (by language) in ``language``, else in English, with the language used; None
    when neither is filled."""
    if values.get(language):
        return values[language], language
    if values.get(ENGLISH):
        return values[ENGLISH], ENGLISH
    return None
