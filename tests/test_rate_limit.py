"""Rate limits (issue 7): per client address and per API key, 429 problem+json with
Retry-After, configurable, off in the rest of the suite."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import ValidationError

from icat_api.app import create_app
from icat_api.ratelimit import Gcra, parse_rate
from icat_api.settings import Settings
from tests.conftest import Keys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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
