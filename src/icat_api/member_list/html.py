"""The member list as a small HTML page the ICAT website can embed (an ``<iframe>``).

One self-contained document: no script, no external asset (the only style is the inline
``<style>`` below, allowed by its hash in :data:`CONTENT_SECURITY_POLICY`), headings per group
and a list under each, every entity's name linking to its website. Every value from the
registry is escaped (``html.escape``, quotes too), so a name such as
``<script>alert(1)</script>`` is shown as text. Written for right-to-left languages too: the
page's ``lang`` is the language of its names and its ``dir`` follows it, names are isolated
(``<bdi>``, with their own ``lang`` when one fell back to English) and the style uses logical
properties (``inline-start``), never left or right. The page's own words (headings, the date)
are English, marked so (``lang="en"``, and ``dir="ltr"`` in a right-to-left page): they are not
translated. Styled to sit in another page: a
transparent background and the system's font, so the frame takes on the website's look, and
long lists flow into as many columns as the frame is wide.
"""

import base64
import hashlib
from collections.abc import Mapping
from html import escape
from urllib.parse import urlsplit

from babel.dates import format_date

from icat_api.member_list.schemas import ListedEntity, MemberList

# Languages written right to left among the UN's (Arabic); names may come in later.
RIGHT_TO_LEFT = frozenset({"ar"})

_STYLE = """
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  Arial, sans-serif; background: transparent; }
main { max-width: 64rem; padding: 1rem; }
h1 { font-size: 1.375rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.125rem; margin: 1.5rem 0 0.5rem; padding-block-end: 0.25rem;
  border-block-end: 1px solid color-mix(in srgb, currentColor 25%, transparent); }
p { margin: 0; }
ul { margin: 0; padding-inline-start: 1.25rem; }
ul.many { columns: 18rem; column-gap: 2rem; }
li { margin-block: 0.125rem; break-inside: avoid; }
a { text-underline-offset: 0.15em; }
a:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }
.none { font-style: italic; }
"""
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

# No script, no image, font, frame or connection; the inline style by its hash only (an injected
# <style> or style attribute would not apply); nothing posted, no <base>. `frame-ancestors *`:
# the page is made to be embedded by the website, and by anyone republishing the public list —
# it has no form, no action and reads no credential, so framing it tricks nobody into anything.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)

# (heading, heading when it lists more than one, the group's key) in the page's order.
_GROUPS = (
    ("Coordinator", "Coordinator", "coordinator"),
    ("Chair", "Co-chairs", "chairs"),
    ("Members", "Members", "members"),
    ("Working Group", "Working Group", "working_group"),
    ("Partners", "Partners", "partners"),
)


def direction(lang: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    return "rtl" if lang.split("-")[0].lower() in RIGHT_TO_LEFT else "ltr"


def _link_target(website: str | None) -> str | None:
    """The website when it is an http(s) URL with a host (never ``javascript:`` or the like)."""
    if not website:
        return None
    parts = urlsplit(website)
    return website if parts.scheme in ("http", "https") and parts.netloc else None


Languages = Mapping[str, tuple[str, str | None]]


def _bdi(text: str, language: str | None, page: str) -> str:
    marked = f' lang="{escape(language)}"' if language and language != page else ""
    return f"<bdi{marked}>{escape(text)}</bdi>"


def _entity(entity: ListedEntity, page: str, languages: Languages) -> str:
    name_language, acronym_language = languages.get(entity.id, (page, page))
    name = _bdi(entity.name, name_language, page)
    website = _link_target(entity.website)
    if website is not None:
        name = f'<a href="{escape(website)}" target="_blank" rel="noopener">{name}</a>'
    if entity.acronym:
        name += f" ({_bdi(entity.acronym, acronym_language, page)})"
    return f"<li>{name}</li>"


def _english(page: str) -> str:
    """The attributes of the page's own (English) words in a page in ``page``'s language."""
    if page == "en":
        return ""
    return ' lang="en" dir="ltr"' if direction(page) == "rtl" else ' lang="en"'


def _group(
    key: str, heading: str, entities: list[ListedEntity], page: str, languages: Languages
) -> str:
    title = f"{heading} ({len(entities)})" if len(entities) > 1 else heading
    if entities:
        many = ' class="many"' if len(entities) > 6 else ""
        body = f"<ul{many}>" + "".join(_entity(e, page, languages) for e in entities) + "</ul>"
    else:
        body = f'<p class="none"{_english(page)}>None on this day.</p>'
    return (
        f'<section aria-labelledby="{key}"><h2 id="{key}"{_english(page)}>{escape(title)}</h2>'
        f"{body}</section>"
    )


def _groups(data: MemberList) -> dict[str, list[ListedEntity]]:
    return {
        "coordinator": [data.coordinator] if data.coordinator else [],
        "chairs": data.chairs,
        "members": data.members,
        "working_group": data.working_group,
        "partners": data.partners,
    }


def render(data: MemberList, lang: str = "en", languages: Languages | None = None) -> bytes:
    """The whole page, UTF-8, in ``lang`` (the language of its names); ``languages`` gives,
    per entity id, the languages its name and acronym are in where they may differ."""
    groups = _groups(data)
    languages = languages or {}
    sections = "\n".join(
        _group(key, plural if len(groups[key]) > 1 else singular, groups[key], lang, languages)
        for singular, plural, key in _GROUPS
    )
    day = format_date(data.as_of, "long", "en")
    english = _english(lang)
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang)}" dir="{direction(lang)}">\n'
        '<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>ICAT members on {escape(day)}</title>\n"
        f"<style>{_STYLE}</style>\n"
        "</head>\n<body>\n<main>\n"
        f"<h1{english}>Inter-Agency Coordination Group against Trafficking in Persons (ICAT)</h1>\n"
        f'<p{english}>Who belonged to ICAT on <time datetime="{data.as_of.isoformat()}">'
        f"{escape(day)}</time>.</p>\n"
        f"{sections}\n"
        "</main>\n</body>\n</html>\n"
    )
    return page.encode()
