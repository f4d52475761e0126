"""Pages read in headless Chromium as people see them (issue 15, items 3 and 6): the member
list's page, alone and embedded in another site's page, and the docs pages, all with no network.
Names are read from the screen (the rendered text), not from the source.

Marked `browser`: deselected from `make test`; .ci/run runs them once (`-m "install or browser"`),
and `make test-browser` here. Chromium missing is a failure then (tests/browser.py)."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import chromium, console, leaving, requests_made
from tests.dbutil import fresh_database, seeded
from tests.livesrv import create_keys, live_server

pytestmark = [pytest.mark.browser, pytest.mark.live_servers]

ON = "2024-06-30"
GROUPS = ("coordinator", "chairs", "members", "working_group", "partners")
# A name that would run if it were written into the page as markup.
HOSTILE = "<script>document.title='ran'</script><img src=x onerror=\"document.title='ran'\">"
# What ReDoc's bundle asks for on every page (the "API docs by Redocly" logo); the docs' CSP
# keeps it from the network.
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a fresh, seeded registry, with a partner whose name is markup, recorded
    through the API with the Coordinator's key."""
    url = seeded(fresh_database("browser"))
    coordinator = {"Authorization": f"Bearer {create_keys(url, 'unodc')['unodc']}"}
    with live_server(url, tmp_path_factory.mktemp("browser") / "server.log") as served:
        agency = {
            "id": "markup-agency",
            "name": HOSTILE,
            "kind": "intergovernmental",
            "mandate_covers_tip": True,
            "website": "https://example.org/markup",
        }
        span = {"role": "partner", "starts_on": "2020-01-01"}
        with httpx.Client(base_url=served, headers=coordinator, timeout=30) as api:
            assert api.post("/v1/entities", json=agency).status_code == 201
            created = api.post("/v1/entities/markup-agency/memberships", json=span)
            assert created.status_code == 201, created.text
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


@pytest.fixture
def fresh(browser: WebDriver) -> WebDriver:
    """The browser with its logs emptied, so a test reads only what its own pages did."""
    requests_made(browser)
    console(browser)
    return browser


def on_screen(driver: WebDriver, css: str) -> str:
    """The rendered text of the element ``css`` selects, as the reader sees it."""
    text: str = driver.find_element(By.CSS_SELECTOR, css).text
    return text


def scripts_in_the_page(driver: WebDriver) -> dict[str, Any]:
    """What in the page's DOM could run: script elements, event-handler attributes,
    javascript: links."""
    found: dict[str, Any] = driver.execute_script(
        """
        const all = [...document.querySelectorAll('*')];
        return {
          scripts: document.scripts.length,
          handlers: all.flatMap(e => [...e.attributes].map(a => a.name))
                       .filter(n => n.startsWith('on')),
          javascript: [...document.links].filter(a => a.protocol === 'javascript:').length,
        };
        """
    )
    return found


def assert_the_member_list_reads_as_the_json(driver: WebDriver, base: str) -> None:
    data = httpx.get(f"{base}/v1/member-list", params={"on": ON}, timeout=30).json()
    assert data["partners"], data
    for group in GROUPS:
        shown = on_screen(driver, f"section[aria-labelledby={group}]")
        entities = [data[group]] if group == "coordinator" else data[group]
        for entity in entities:
            assert entity["name"] in shown, (group, entity["name"], shown)
    assert "United Nations Office on Drugs and Crime" in on_screen(
        driver, "section[aria-labelledby=coordinator]"
    )
    assert "International Labour Organization" in on_screen(
        driver, "section[aria-labelledby=members]"
    )
    partners = on_screen(driver, "section[aria-labelledby=partners]")
    assert "Council of Europe" in partners
    assert HOSTILE in partners  # the name as it was written, shown as text
    assert "June 30, 2024" in on_screen(driver, "main > p")


def test_the_member_list_page_shows_the_names_and_runs_nothing(base: str, fresh: WebDriver) -> None:
    page = f"{base}/v1/member-list?on={ON}"
    fresh.get(page)  # a browser's own Accept: the page
    assert_the_member_list_reads_as_the_json(fresh, base)
    assert fresh.title == "ICAT members on June 30, 2024"  # no script set it
    assert scripts_in_the_page(fresh) == {"scripts": 0, "handlers": [], "javascript": 0}
    link = fresh.find_element(By.LINK_TEXT, "United Nations Office on Drugs and Crime")
    assert link.get_attribute("href") == "https://www.unodc.org/"
    assert link.get_attribute("rel") == "noopener"
    # The inline style applied (allowed by its hash): the body's margin is 0, not 8px.
    margin = fresh.execute_script("return getComputedStyle(document.body).marginTop")
    assert margin == "0px"
    assert [r.url for r in requests_made(fresh)] == [page]  # the page, and nothing else
    assert console(fresh) == []  # no refusal: nothing tried to run or load


class _HostPage(BaseHTTPRequestHandler):
    """Another site's page embedding the member list, on another origin (another port)."""

    frame = ""

    def do_GET(self) -> None:
        body = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title>'
            f'</head><body><h1>Our partners</h1><iframe src="{self.frame}" title="ICAT members"'
            ' width="1000" height="700"></iframe></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def host_page(base: str) -> Iterator[str]:
    handler = type("Host", (_HostPage,), {"frame": f"{base}/v1/member-list?on={ON}"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_embeds_the_page_in_an_iframe(
    base: str, host_page: str, fresh: WebDriver
) -> None:
    fresh.get(f"{host_page}/")
    frame = fresh.find_element(By.TAG_NAME, "iframe")
    fresh.switch_to.frame(frame)
    try:
        WebDriverWait(fresh, 30).until(lambda d: d.find_elements(By.TAG_NAME, "main"))
        assert_the_member_list_reads_as_the_json(fresh, base)
    finally:
        fresh.switch_to.default_content()
    assert leaving(requests_made(fresh), base, host_page) == []
    assert console(fresh) == []  # frame-ancestors let it in


def operations(base: str) -> tuple[int, str]:
    """How many entries the docs list (an operation under each of its tags), and the member
    list's operationId."""
    document = httpx.get(f"{base}/openapi.json", timeout=30).json()
    count = sum(
        max(1, len(operation.get("tags", [])))
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    )
    return count, document["paths"]["/v1/member-list"]["get"]["operationId"]


def test_swagger_ui_lists_the_operations_and_shows_an_example_offline(
    base: str, fresh: WebDriver
) -> None:
    count, _ = operations(base)
    fresh.get(f"{base}/docs")
    wait = WebDriverWait(fresh, 60)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == count)
    shown = on_screen(fresh, "body")
    for told in ("icat-api keys create --entity ID", "GET /v1/changes?after=SEQ", "/v1/webhooks"):
        assert told in shown, told
    assert "The member list for the website" in shown and "/v1/decisions" in shown
    summary = next(
        element
        for element in fresh.find_elements(By.CSS_SELECTOR, ".opblock-summary")
        if "/v1/member-list" in element.text
    )
    summary.click()
    wait.until(lambda d: "Example Value" in on_screen(d, ".opblock.is-open"))
    opened = on_screen(fresh, ".opblock.is-open")
    assert '"name": "United Nations Office on Drugs and Crime"' in opened
    assert leaving(requests_made(fresh), base) == []
    assert console(fresh) == []


def test_redoc_lists_the_operations_and_shows_an_example_offline(
    base: str, fresh: WebDriver
) -> None:
    count, operation_id = operations(base)
    fresh.get(f"{base}/redoc")
    section = f"[id$='operation/{operation_id}']"
    wait = WebDriverWait(fresh, 60)
    wait.until(lambda d: "Response samples" in on_screen(d, section))
    listed = fresh.find_elements(By.CSS_SELECTOR, "[id*='/operation/']")
    assert len(listed) == count
    # The menu's groups are folded but the first: what it holds, shown or not.
    menu = fresh.find_element(By.CSS_SELECTOR, "[role=menu]").get_attribute("textContent") or ""
    assert "The member list for the website" in menu and "Record a decision" in menu, menu
    shown = on_screen(fresh, "body")
    for told in ("icat-api keys create --entity ID", "GET /v1/changes?after=SEQ", "/v1/webhooks"):
        assert told in shown, told
    assert '"name": "United Nations Office on Drugs and Crime"' in on_screen(fresh, section)
    requests = requests_made(fresh)
    assert leaving(requests, base) == []
    # The one request the bundle makes elsewhere was refused by the page's CSP, unsent.
    elsewhere = [r for r in requests if not r.url.startswith((base, "data:", f"blob:{base}"))]
    assert {(r.url, r.blocked) for r in elsewhere} <= {(REDOCLY_LOGO, "csp")}
    assert all("violates the following Content Security Policy" in line for line in console(fresh))


def test_the_browser_has_no_network(fresh: WebDriver) -> None:
    """Were a page to ask for something elsewhere, it would not arrive: the checks above say
    no page asked, this one that the browser could not have fetched it anyway."""
    with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
        fresh.get("https://www.unodc.org/")
