"""Content negotiation: the representation a request's ``Accept`` prefers (RFC 9110, 12.5.1).

Each media range may carry a weight ``q`` (0 to 1; 0 means "not this"); the most specific range
that matches an offered type gives it its weight (``text/csv`` over ``text/*`` over ``*/*``).
The offered type of highest weight wins; ties go to the order the route offers them in (its
default first). No ``Accept``, or one with nothing readable in it, takes the default. When every
offered type weighs 0, nothing is acceptable: ``406``, a problem+json naming what is offered.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fastapi import Request

from icat_api.problems import ProblemError


class NotAcceptable(ProblemError):
    status = 406

    def __init__(self, offered: Sequence[str]) -> None:
        super().__init__(
            "Nothing this resource offers is acceptable to the request's Accept header; it "
            f"offers {', '.join(offered)}."
        )


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How closely this range names ``media_type``: 2 exactly, 1 by type, 0 by ``*/*``;
        -1 when it does not match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def _weight(params: list[str]) -> float | None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0 <= q <= 1 else None
    return 1.0


def weighted(header: str) -> Iterator[tuple[str, float]]:
    """Each comma-separated value of a weighted header (``Accept``, ``Accept-Language``), lower
    case, with its ``q`` (1 when not given); values whose weight is unreadable or outside 0..1
    are skipped, and at most 64 are read (a huge header costs no more)."""
    for part in header.split(",")[:64]:
        value, *params = part.split(";")
        q = _weight(params)
        if q is not None:
            yield value.strip().lower(), q


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; unreadable ones are skipped."""
    ranges = []
    for media, q in weighted(header):
        kind, slash, sub = media.partition("/")
        if slash and kind and sub and not (kind == "*" and sub != "*"):
            ranges.append(MediaRange(kind, sub, q))
    return ranges


def weights(header: str | None, offered: Sequence[str]) -> tuple[float | None, ...] | None:
    """The weight ``header`` gives each offered type (None when no range names it): the most
    specific range that matches decides (RFC 9110, 12.5.1). None when the header has nothing
    readable (the default is taken). What a request prefers among any of ``offered`` depends on
    these weights alone (the response cache keys its answers by them)."""
    ranges = parse_accept(header) if header else []
    if not ranges:
        return None
    out: list[float | None] = []
    for media_type in offered:
        matches = [(r.specificity(media_type), r.q) for r in ranges]
        matches = [m for m in matches if m[0] >= 0]
        out.append(max(matches)[1] if matches else None)
    return tuple(out)


def preferred(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered type ``header`` prefers; the first offered without a readable header; None
    when none is acceptable."""
    weighed = weights(header, offered)
    if weighed is None:
        return offered[0]
    best: tuple[float, int] | None = None
    chosen = None
    for index, (media_type, q) in enumerate(zip(offered, weighed, strict=True)):
        if q is not None and q > 0 and (best is None or (q, -index) > best):
            best, chosen = (q, -index), media_type
    return chosen


def negotiate(request: Request, offered: Sequence[str]) -> str:
    """The representation to answer ``request`` with, among ``offered`` (the default first)."""
    chosen = preferred(request.headers.get("accept"), offered)
    if chosen is None:
        raise NotAcceptable(offered)
    return chosen
