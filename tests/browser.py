"""Headless Chromium for the tests marked `browser`: Debian's `chromium`, driven through Debian's
`chromedriver` (the same build; nothing is downloaded) with selenium.

The browser has no network: no host name resolves (``--host-resolver-rules``), only 127.0.0.1
is reached. What the pages asked for is read from Chromium's own log of their network events, so
a test says that nothing was asked of anywhere else, not merely that it failed to arrive.
Chromium missing is a failure with the command that installs it, never a skip: these tests run
only when asked for (tests/conftest.py), and then they must run.
"""

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver

INSTALL = "apt-get install chromium chromium-driver"
ARGUMENTS = (
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _which(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(
            f"{program} is not installed: `{INSTALL}` (.ci/run and `make test-browser` install "
            "it when missing)",
            pytrace=False,
        )
    return found


@contextmanager
def chromium() -> Iterator[WebDriver]:
    """A headless Chromium with no network, logging its pages' network events and console."""
    options = webdriver.ChromeOptions()
    options.binary_location = _which("chromium")
    for argument in ARGUMENTS:
        options.add_argument(argument)
    if os.geteuid() == 0:  # CI runs as root, where Chromium's sandbox will not start
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(_which("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()


def _log(driver: WebDriver, kind: str) -> list[dict[str, Any]]:
    """Chromium's log of ``kind`` since it was last read (selenium leaves get_log untyped)."""
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


@dataclass(frozen=True)
class Request:
    """A request a page made: its URL, and why Chromium kept it from the network (``"csp"``:
    the page's Content-Security-Policy refused it), or None when it was sent."""

    url: str
    blocked: str | None


def requests_made(driver: WebDriver) -> list[Request]:
    """Every request the pages made since the last call (the log is read, and emptied)."""
    sent: list[tuple[str, str]] = []
    blocked: dict[str, str] = {}
    entries = _log(driver, "performance")
    for entry in entries:
        message = json.loads(entry["message"])["message"]
        params = message["params"]
        if message["method"] == "Network.requestWillBeSent":
            sent.append((params["requestId"], params["request"]["url"]))
        elif message["method"] == "Network.loadingFailed" and params.get("blockedReason"):
            blocked[params["requestId"]] = params["blockedReason"]
    return [Request(url, blocked.get(request_id)) for request_id, url in sent]


def leaving(requests: list[Request], *origins: str) -> list[str]:
    """The URLs that were sent to anywhere but ``origins`` (``data:`` and the origins' own
    ``blob:`` URLs are read in the browser, never sent)."""
    local = tuple(f"{origin}/" for origin in origins) + tuple(f"blob:{o}/" for o in origins)
    return [
        r.url for r in requests if r.blocked is None and not r.url.startswith(("data:", *local))
    ]


def console(driver: WebDriver) -> list[str]:
    """What the pages wrote to the console since the last call (errors, CSP refusals)."""
    entries = _log(driver, "browser")
    return [f"{e['level']}: {e['message']}" for e in entries]
