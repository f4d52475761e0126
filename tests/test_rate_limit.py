"""Rate limits (issue 7): per client address and per API key, 429 problem+json with
Retry-After, configurable, off in the rest of the suite. The client address behind trusted
proxies only (issue 12); limits shared through Redis: tests/test_rate_limit_shared.py."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import ValidationError
from structlog.testing import capture_logs

from icat_api.app import create_app
from icat_api.forwarded import TrustedProxies
from icat_api.ratelimit import Gcra, parse_rate
from icat_api.settings import Settings
from tests.conftest import Keys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("now", [5.3, 1000.1, 12345.678])
def test_a_limit_of_one_allows_the_first_request_whatever_the_clock_reads(now: float) -> None:
    """1/hour: the first request's wait is (now + 3600) - 3600 - now, which floating point
    makes 1e-12 rather than 0 at some readings of the clock; it was refused then."""
    limiter = Gcra(limit=1, period=3600.0, clock=lambda: now)
    assert limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(3600.0)


def test_a_client_may_burst_its_whole_allowance_then_waits_for_its_share() -> None:
    clock = Clock()
    limiter = Gcra(limit=3, period=60, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    wait = limiter.take("a")
    assert wait == pytest.approx(20.0)  # one request back every 60/3 s
    assert limiter.take("b") == 0  # another client has its own allowance
    clock.now += 20.0
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0
    clock.now += 60.0
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]


def test_refused_requests_do_not_use_up_the_allowance() -> None:
    clock = Clock()
    limiter = Gcra(limit=2, period=10, clock=clock)
    limiter.take("a")
    limiter.take("a")
    for _ in range(50):
        assert limiter.take("a") > 0
    clock.now += 5.0
    assert limiter.take("a") == 0


def test_idle_clients_are_forgotten_when_too_many_are_tracked() -> None:
    clock = Clock()
    limiter = Gcra(limit=1, period=1, clock=clock, max_clients=10)
    for i in range(10):
        assert limiter.take(i) == 0
    clock.now += 2.0  # every allowance is whole again
    assert limiter.take("new") == 0
    assert len(limiter._tat) == 1


@pytest.mark.parametrize("text", ["", "0/minute", "10", "10/day", "-1/second", "1/minute "])
def test_a_bad_rate_setting_is_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError, match="a rate is"):
        parse_rate(text)
    with pytest.raises(ValidationError):
        Settings(rate_limit_per_address=text)


@pytest.fixture
def limited(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(
        settings.model_copy(
            update={
                "rate_limit_enabled": True,
                "rate_limit_per_address": "5/minute",
                "rate_limit_per_key": "3/minute",
            }
        )
    )
    yield app
    app.state.engine.dispose()


def assert_too_many(r: Response) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) >= 1
    body = r.json()
    assert body["status"] == 429 and body["title"] == "Too many requests"
    assert body["request_id"] == r.headers["x-request-id"]


def test_an_address_over_its_limit_gets_429_with_retry_after(limited: FastAPI) -> None:
    with TestClient(limited) as c:
        answers = [c.get("/v1/member-list") for _ in range(5)]
        assert [r.status_code for r in answers] == [200] * 5
        assert_too_many(c.get("/v1/member-list"))
        assert_too_many(c.get("/v1/entities"))  # every path counts against the address
        assert c.get("/healthz").status_code == 200  # probes are never limited
        assert c.get("/readyz").status_code == 200


def test_a_key_over_its_limit_gets_429_while_the_address_still_has_room(
    limited: FastAPI,
) -> None:
    """The key is counted whether or not it is valid (its answer here is 401: the limited app
    reads another transaction), so random keys cannot dodge the address's limit either."""
    with TestClient(limited) as c:
        first = [c.get("/v1/entities/ilo", headers=Keys.header("key-one")) for _ in range(3)]
        assert all(r.status_code != 429 for r in first)
        assert_too_many(c.get("/v1/entities/ilo", headers=Keys.header("key-one")))
        # another key from the same address goes through: the address has used 4 of 5
        assert c.get("/v1/entities/ilo", headers=Keys.header("key-two")).status_code != 429
        assert_too_many(c.get("/v1/entities/ilo", headers=Keys.header("key-three")))


def test_the_limits_are_off_in_the_test_settings(client: TestClient) -> None:
    assert all(client.get("/v1/member-list").status_code == 200 for _ in range(50))


# Behind proxies (issue 12): X-Forwarded-For / Forwarded believed only from ICAT_FORWARDED_ALLOW_IPS.

PROXIES = TrustedProxies(["127.0.0.1", "10.0.0.0/8", "2001:db8:aaaa::/48"])


def xff(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-forwarded-for", value.encode())]


def fwd(value: str) -> list[tuple[bytes, bytes]]:
    return [(b"forwarded", value.encode())]


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        # from a peer that is not a trusted proxy the headers are ignored
        ("198.51.100.4", xff("203.0.113.9"), "198.51.100.4"),
        ("198.51.100.4", fwd("for=203.0.113.9"), "198.51.100.4"),
        ("11.0.0.1", xff("203.0.113.9"), "11.0.0.1"),  # just outside 10.0.0.0/8
        # from a trusted proxy: the right-most address that is not a trusted proxy
        ("127.0.0.1", xff("203.0.113.9"), "203.0.113.9"),
        ("127.0.0.1", xff("forged, 1.1.1.1, 203.0.113.9, 10.0.0.2"), "203.0.113.9"),
        ("10.1.2.3", [*xff("6.6.6.6, 203.0.113.9"), *xff("10.0.0.2")], "203.0.113.9"),
        ("127.0.0.1", xff("10.0.0.3, 10.0.0.2"), "10.0.0.3"),  # all trusted: the left-most
        ("127.0.0.1", xff(" 2001:DB8::1 "), "2001:db8::1"),  # one spelling of an address
        ("127.0.0.1", xff("198.51.100.7:5555"), "198.51.100.7"),
        ("127.0.0.1", xff("[2001:db8::7]:443"), "2001:db8::7"),
        ("2001:db8:aaaa::5", xff("203.0.113.9"), "203.0.113.9"),
        ("::ffff:127.0.0.1", xff("203.0.113.9"), "203.0.113.9"),  # dual-stack peer
        ("127.0.0.1", xff(""), "127.0.0.1"),
        ("127.0.0.1", [], "127.0.0.1"),
        # RFC 7239 Forwarded
        (
            "127.0.0.1",
            fwd('for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https'),
            "2001:db8:cafe::17",
        ),
        ("127.0.0.1", fwd("for=203.0.113.9;proto=http;by=10.0.0.2, for=10.0.0.2"), "203.0.113.9"),
        ("127.0.0.1", fwd("for=_hidden, for=10.0.0.2"), "_hidden"),
        ("127.0.0.1", fwd("proto=https"), "unknown"),  # a hop that did not say whom it served
        # both headers: believed when they name one client; else the proxy itself is the client
        ("127.0.0.1", [*xff("203.0.113.9"), *fwd("for=203.0.113.9")], "203.0.113.9"),
        ("127.0.0.1", [*xff("203.0.113.9"), *fwd("for=6.6.6.6")], "127.0.0.1"),
        ("127.0.0.1", [*xff("6.6.6.6, 203.0.113.9"), *fwd("for=203.0.113.9")], "203.0.113.9"),
    ],
)
def test_the_client_is_the_right_most_untrusted_address_of_a_trusted_chain(
    peer: str, headers: list[tuple[bytes, bytes]], client: str
) -> None:
    assert PROXIES.client(peer, headers) == client


def test_no_trusted_proxy_by_default() -> None:
    settings = Settings()
    assert settings.forwarded_allow_ips == []
    assert not TrustedProxies(settings.forwarded_allow_ips)
    assert Settings(forwarded_allow_ips=" 127.0.0.1, 10.0.0.0/8,::1 ").forwarded_allow_ips == [
        "127.0.0.1",
        "10.0.0.0/8",
        "::1",
    ]


@pytest.mark.parametrize("text", ["10.0.0.1/8", "proxy.example.org", "*", "10.0.0.0/33"])
def test_a_bad_trusted_proxy_setting_is_refused_at_start(text: str) -> None:
    with pytest.raises(ValidationError):
        Settings(forwarded_allow_ips=text)


def limited_app(settings: Settings, **update: object) -> FastAPI:
    return create_app(
        settings.model_copy(
            update={
                "rate_limit_enabled": True,
                "rate_limit_per_address": "5/minute",
                "rate_limit_per_key": "3/minute",
                **update,
            }
        )
    )


def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_limit(
    settings: Settings,
) -> None:
    app = limited_app(settings)
    try:
        with (
            TestClient(app, client=("198.51.100.4", 40000)) as c,
            capture_logs() as logged,
        ):
            answers = [
                c.get(
                    "/v1/member-list",
                    headers={"X-Forwarded-For": f"203.0.113.{i}", "Forwarded": f"for=192.0.2.{i}"},
                )
                for i in range(12)
            ]
    finally:
        app.state.engine.dispose()
    assert [r.status_code for r in answers] == [200] * 5 + [429] * 7
    assert_too_many(answers[-1])
    access = [e for e in logged if e["event"] == "request"]
    assert {e["client"] for e in access} == {"198.51.100.4"}  # the peer, in the log too


def test_from_a_trusted_proxy_the_forwarded_client_is_limited_and_logged(
    settings: Settings,
) -> None:
    app = limited_app(settings, forwarded_allow_ips=["10.0.0.0/8"])
    try:
        with (
            TestClient(app, client=("10.0.0.2", 40000)) as c,
            capture_logs() as logged,
        ):

            def get(chain: str) -> int:
                r: Response = c.get("/v1/member-list", headers={"X-Forwarded-For": chain})
                return r.status_code

            # what the client put left of its own address changes nothing
            first = [get(f"6.6.6.{i}, 203.0.113.1, 10.0.0.7") for i in range(6)]
            other = get("203.0.113.2")  # another client behind the same proxy
            rfc7239 = c.get("/v1/member-list", headers={"Forwarded": "for=203.0.113.1"})
    finally:
        app.state.engine.dispose()
    assert first == [200] * 5 + [429]
    assert other == 200
    assert rfc7239.status_code == 429
    access = [e["client"] for e in logged if e["event"] == "request"]
    assert access == ["203.0.113.1"] * 6 + ["203.0.113.2", "203.0.113.1"]
