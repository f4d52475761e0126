"""GET /v1/member-list as a web page (`Accept: text/html`): the same data as the JSON, every
value escaped, nothing that runs, conditional and negotiated like the other representations.
What a browser shows of it is read in Chromium in tests/test_browser.py."""

import base64
import hashlib
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from icat_api.member_list import html
from icat_api.member_list.schemas import EXAMPLE, MemberList
from tests.helpers import body_of

HTML = "text/html"
# What Chromium sends for a page (and Firefox, but for avif and webp).
BROWSER = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
GROUPS = ("coordinator", "chairs", "members", "working_group", "partners")
# The page's whole vocabulary: no script, no style attribute, nothing embedded.
TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "time"}
TAGS |= {"section", "ul", "li", "a", "bdi"}


class Page(HTMLParser):
    """What a page is made of: each element's tag and attributes, its text, and the text of each
    list item under the section whose heading has that id."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.items: dict[str, list[str]] = {}
        self.text: list[str] = []
        self.links: list[dict[str, str | None]] = []
        self._section: str | None = None
        self._item: list[str] | None = None
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "h2":
            self._section = attributes["id"]
            self.items[str(self._section)] = []
        elif tag == "li":
            self._item = []
        elif tag == "a":
            self.links.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._item is not None:
            self.items[str(self._section)].append("".join(self._item))
            self._item = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._item is not None:
            self._item.append(data)


def page_of(client: TestClient, **params: str) -> tuple[Page, dict[str, object]]:
    """The page and the JSON of the same request but for its Accept."""
    r = client.get("/v1/member-list", params=params, headers={"Accept": HTML})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    return Page(r.text), body_of(client.get("/v1/member-list", params=params), 200)


def listed(entity: dict[str, str]) -> str:
    """How the page writes an entity: its name, then its acronym in brackets."""
    return f"{entity['name']} ({entity['acronym']})" if entity["acronym"] else entity["name"]


@pytest.mark.parametrize("on", ["2019-06-30", "2015-08-01", "2000-01-01", None])
def test_the_page_lists_what_the_json_lists(client: TestClient, on: str | None) -> None:
    page, data = page_of(client, **({"on": on} if on else {}))
    assert list(page.items) == list(GROUPS)
    for group in GROUPS:
        entities = data[group] if group != "coordinator" else [data[group]]
        assert isinstance(entities, list)
        assert page.items[group] == [listed(e) for e in entities], group
    assert ("time", {"datetime": data["as_of"]}) in page.elements


def test_the_page_is_accessible_and_self_contained(client: TestClient) -> None:
    r = client.get("/v1/member-list", params={"on": "2019-06-30"}, headers={"Accept": HTML})
    page = Page(r.text)
    assert r.text.startswith("<!DOCTYPE html>\n")
    assert page.elements[0] == ("html", {"lang": "en", "dir": "ltr"})
    assert ("meta", {"charset": "utf-8"}) in page.elements
    viewport = {"name": "viewport", "content": "width=device-width, initial-scale=1"}
    assert ("meta", viewport) in page.elements
    assert [tag for tag, _ in page.elements].count("main") == 1
    assert {tag for tag, _ in page.elements} == TAGS
    assert "June 30, 2019" in "".join(page.text)
    headings = [a["id"] for tag, a in page.elements if tag == "h2"]
    assert headings == list(GROUPS)
    assert "Co-chairs (2)" in page.text  # 2019 had two
    for link in page.links:
        assert link["rel"] == "noopener" and link["target"] == "_blank"
        assert str(link["href"]).startswith("https://")
    assert {"href": "https://www.unodc.org", "target": "_blank", "rel": "noopener"} in page.links


def test_the_page_forbids_scripts_and_is_made_to_be_embedded(client: TestClient) -> None:
    r = client.get("/v1/member-list", headers={"Accept": BROWSER})
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    policy = [d.strip() for d in r.headers["content-security-policy"].split(";")]
    assert policy[0] == "default-src 'none'"  # no script-src: scripts fall back to none
    assert not any(d.startswith("script-src") for d in policy)
    assert "frame-ancestors *" in policy and "base-uri 'none'" in policy
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "Accept" in r.headers["vary"]
    assert "x-frame-options" not in r.headers
    assert "content-disposition" not in r.headers  # shown, not saved


def test_the_style_is_allowed_by_its_hash_exactly() -> None:
    page = html.render(MemberList.model_validate(EXAMPLE)).decode()
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style[1].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in html.CONTENT_SECURITY_POLICY


def test_a_name_from_the_registry_is_shown_as_text_never_run(
    client: TestClient, sec: dict[str, str]
) -> None:
    name = '<script>alert(1)</script> " onmouseover="alert(2)" \' &amp; <img src=x onerror=y>'
    agency = {
        "id": "html-agency",
        "name": name,
        "acronym": "<b>A&B</b>",
        "kind": "intergovernmental",
        "mandate_covers_tip": True,
        "website": 'https://example.org/?a=1&b="><script>alert(3)</script>',
    }
    body_of(client.post("/v1/entities", headers=sec, json=agency), 201)
    span = {"role": "partner", "starts_on": "2020-01-01"}
    body_of(client.post("/v1/entities/html-agency/memberships", headers=sec, json=span), 201)

    r = client.get("/v1/member-list", params={"on": "2024-06-30"}, headers={"Accept": HTML})
    page = Page(r.text)
    assert f"{name} (<b>A&B</b>)" in page.items["partners"]  # the text as it was written
    assert "<script>" not in r.text and "<img" not in r.text and "<b>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot; onmouseover=&quot;alert(2)&quot;" in r.text
    assert "&amp;amp;" in r.text  # an entity in the name is text too
    assert {tag for tag, _ in page.elements} <= TAGS
    for _, attributes in page.elements:
        assert not any(a.startswith("on") for a in attributes), attributes
    assert {"href": agency["website"], "target": "_blank", "rel": "noopener"} in page.links


def test_a_website_that_is_not_http_is_not_a_link() -> None:
    data = MemberList.model_validate(EXAMPLE)
    assert data.coordinator is not None
    data.coordinator.website = "javascript:alert(1)"
    page = Page(html.render(data).decode())
    assert page.items["coordinator"] == ["United Nations Office on Drugs and Crime (UNODC)"]
    assert all(link["href"] != "javascript:alert(1)" for link in page.links)


def test_an_empty_group_says_so() -> None:
    data = MemberList(
        as_of=date(2000, 1, 1),
        coordinator=None,
        chairs=[],
        members=[],
        working_group=[],
        partners=[],
    )
    page = Page(html.render(data).decode())
    assert all(items == [] for items in page.items.values())
    assert page.text.count("None on this day.") == len(GROUPS)


def test_arabic_would_be_written_right_to_left() -> None:
    page = Page(html.render(MemberList.model_validate(EXAMPLE), lang="ar").decode())
    assert page.elements[0] == ("html", {"lang": "ar", "dir": "rtl"})
    assert html.direction("en") == "ltr" and html.direction("ar-EG") == "rtl"


def test_each_representation_has_its_own_etag_and_304(client: TestClient) -> None:
    tags = {}
    for accept in ("application/json", "text/csv", HTML):
        first = client.get("/v1/member-list", headers={"Accept": accept})
        tags[accept] = etag = first.headers["etag"]
        again = client.get("/v1/member-list", headers={"Accept": accept, "If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
    assert len(set(tags.values())) == 3
    # The JSON's ETag is not the page's: the page is answered whole.
    r = client.get(
        "/v1/member-list", headers={"Accept": HTML, "If-None-Match": tags["application/json"]}
    )
    assert r.status_code == 200 and r.headers["etag"] == tags[HTML]
    not_modified = client.get(
        "/v1/member-list", headers={"Accept": HTML, "If-None-Match": tags[HTML]}
    )
    assert not_modified.headers["content-security-policy"] == html.CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/html;q=0.9, application/json;q=0.8", HTML),
        (BROWSER, HTML),
        ("text/html", HTML),
        ("*/*", "application/json"),
        ("text/html;q=0, */*", "application/json"),
        ("application/json;q=0.9, text/html", HTML),
        ("text/*", "text/csv"),  # CSV and HTML weigh the same: the route's order
    ],
)
def test_accept_weighs_html_against_json_and_csv(
    client: TestClient, accept: str, media: str
) -> None:
    r = client.get("/v1/member-list", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media


def test_refusing_all_three_is_406(client: TestClient) -> None:
    r = client.get(
        "/v1/member-list", headers={"Accept": "text/html;q=0, text/csv;q=0, application/json;q=0"}
    )
    assert r.status_code == 406
    assert "text/html" in r.json()["detail"]
