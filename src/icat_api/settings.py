"""Settings from the environment, every one with the ``ICAT_`` prefix and a documented default."""

from functools import lru_cache
from ipaddress import ip_network
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from icat_api.ratelimit import RATE
from icat_api.webhooks.policy import RETRY_DELAYS


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _networks(entries: list[str]) -> list[str]:
    for entry in entries:
        ip_network(entry)  # ValueError: not an address nor a network (host bits set too)
    return entries


def _redis_url(url: str | None) -> str | None:
    if url is not None and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("a Redis URL starts redis://, rediss:// or unix://")
    return url


def _origins(values: list[str]) -> list[str]:
    for value in values:
        parts = urlsplit(value)
        if value != "*" and (
            parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/")
        ):
            raise ValueError(f"an origin is scheme://host[:port] or *, not {value!r}")
    return values


def _delays(values: tuple[float, ...]) -> tuple[float, ...]:
    if not values or any(v < 0 for v in values):
        raise ValueError("one or more non-negative numbers of seconds, comma-separated")
    return values


def _time_zone(name: str) -> str:
    if name not in available_timezones():
        raise ValueError(f"unknown IANA time zone {name!r}")
    ZoneInfo(name)
    return name


class Settings(BaseSettings):
    """Every setting the service reads. Each is ``ICAT_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ICAT_", extra="ignore", frozen=True)

    database_url: Annotated[
        str,
        Field(description="SQLAlchemy URL of the database. SQLite (embedded) or PostgreSQL."),
    ] = "sqlite:///./icat.db"
    coordinator_entity_id: Annotated[
        str,
        Field(
            description="The Coordinator (ToR 3.C.1: UNODC); its keys have the secretariat's powers."
        ),
    ] = "unodc"
    max_body_bytes: Annotated[
        int, Field(gt=0, description="Largest request body accepted; larger is 413.")
    ] = 1024 * 1024
    page_max: Annotated[int, Field(gt=0, description="Largest `limit` of a list; more is 422.")] = (
        200
    )
    page_default: Annotated[
        int, Field(gt=0, description="`limit` of a list when none is given.")
    ] = 50
    log_level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR"],
        BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v),
        Field(description="Log level: DEBUG, INFO, WARNING, ERROR."),
    ] = "INFO"
    log_json: Annotated[
        bool, Field(description="Logs as JSON lines (true) or as readable console lines (false).")
    ] = True
    seed_on_empty: Annotated[
        bool, Field(description="`icat-api serve` seeds the real ICAT data into an empty database.")
    ] = True
    rate_limit_enabled: Annotated[
        bool, Field(description="Limit requests per client address and per API key (429).")
    ] = True
    rate_limit_per_address: Annotated[
        str,
        Field(
            pattern=RATE.pattern,
            description="Requests a client address may make, as N/second, N/minute or N/hour.",
        ),
    ] = "1200/minute"
    rate_limit_per_key: Annotated[
        str,
        Field(
            pattern=RATE.pattern,
            description="Requests an API key may make, as N/second, N/minute or N/hour.",
        ),
    ] = "600/minute"
    forwarded_allow_ips: Annotated[
        list[str],
        NoDecode,
        BeforeValidator(_comma_list),
        AfterValidator(_networks),
        Field(
            description=(
                "Proxies whose X-Forwarded-For / Forwarded headers are believed, comma-separated "
                "addresses or CIDR networks; from them the client is the right-most untrusted "
                "address of the chain. Empty: the client is always the connecting peer."
            )
        ),
    ] = []
    redis_url: Annotated[
        str | None,
        BeforeValidator(lambda v: v or None),
        AfterValidator(_redis_url),
        Field(
            description=(
                "Redis (redis://host:6379/0) holding the rate limits, shared by every worker and "
                "replica; unset: each process limits on its own. Redis away: requests are served."
            )
        ),
    ] = None
    redis_timeout_seconds: Annotated[
        float,
        Field(
            gt=0,
            le=10,
            description=(
                "How long (seconds) a request waits for Redis to count it before it is served "
                "uncounted and Redis is left alone for a second (a dead Redis holds no request "
                "up); raise it for a Redis across a slow network."
            ),
        ),
    ] = 0.25
    cache_check_seconds: Annotated[
        float,
        Field(
            ge=0,
            le=60,
            description=(
                "How often (seconds) a process reads the stored data version to learn of writes "
                "made by other processes (workers, the command-line tool); its own writes are "
                "seen at once. Cached answers (the member list) are at most this old."
            ),
        ),
    ] = 1.0
    response_cache_enabled: Annotated[
        bool,
        Field(
            description=(
                "Answer anonymous public reads (GET, HEAD) from the data-versioned cache of "
                "their bytes (on by default). Off, every read runs its route: for measuring "
                "cache misses."
            )
        ),
    ] = True
    response_cache_entries: Annotated[
        int,
        Field(ge=1, le=1_000_000, description="At most this many answers are kept in memory."),
    ] = 4096
    response_cache_bytes: Annotated[
        int,
        Field(
            ge=1024,
            le=4 * 1024**3,
            description="At most this many bytes of answers are kept in memory (per process).",
        ),
    ] = 64 * 1024 * 1024
    chair_min_attendance_ratio: Annotated[
        float,
        Field(
            ge=0,
            le=1,
            description=(
                "The project's reading of 'active and regular participation' (ToR 3.D.1): the share "
                "of Working Group meetings of the twelve months before an election a candidate "
                "must have attended."
            ),
        ),
    ] = 0.5
    allowed_hosts: Annotated[
        list[str],
        NoDecode,
        BeforeValidator(_comma_list),
        Field(
            description=(
                "Host names the service answers for, comma-separated (`*` any; `*.example.org` "
                "its subdomains); a request for another Host is 400."
            )
        ),
    ] = ["*"]
    timezone: Annotated[
        str,
        AfterValidator(_time_zone),
        Field(
            description=(
                "IANA time zone of the registry's calendar: what 'today' is, the last day a "
                "recorded fact may carry (meetings held, funds received...)."
            )
        ),
    ] = "UTC"
    idempotency_ttl_hours: Annotated[
        float,
        Field(
            gt=0,
            le=24 * 365 * 100,
            description=(
                "How long (hours) an Idempotency-Key is remembered: a repeat within it replays the "
                "first answer; after it the key is new again, and the record is purged."
            ),
        ),
    ] = 24
    metrics_enabled: Annotated[
        bool,
        Field(
            description=(
                "Serve GET /metrics, the Prometheus text format (public: no key). `icat-api serve` "
                "aggregates every worker's counts (prometheus_client's multiprocess mode)."
            )
        ),
    ] = False
    cors_origins: Annotated[
        list[str],
        NoDecode,
        BeforeValidator(_comma_list),
        AfterValidator(_origins),
        Field(
            description=(
                "Origins whose pages may call the API from a browser (CORS), comma-separated; "
                "`*` any, for public reads only. Requests with a key, and writes, only from "
                "origins listed by name (`https://admin.example.org`)."
            )
        ),
    ] = ["*"]
    webhook_delivery_enabled: Annotated[
        bool,
        Field(
            description=(
                "`icat-api serve` sends webhook deliveries from the outbox (a background loop in "
                "each worker; a row lock makes each delivery one worker's). Off: events still "
                "queue, and a replica with it on sends them."
            )
        ),
    ] = True
    webhook_allow_private_targets: Annotated[
        bool,
        Field(
            description=(
                "Allow webhook URLs that resolve to private, loopback or link-local addresses "
                "(and plain http to 127.0.0.1 or ::1). Off by default: a subscription must not "
                "make the service call into its own network."
            )
        ),
    ] = False
    webhook_timeout_seconds: Annotated[
        float,
        Field(gt=0, le=300, description="How long one webhook delivery waits for the receiver."),
    ] = 10
    webhook_poll_seconds: Annotated[
        float,
        Field(gt=0, le=3600, description="How often the delivery loop looks for due deliveries."),
    ] = 1
    webhook_retry_delays: Annotated[
        tuple[float, ...],
        NoDecode,
        BeforeValidator(
            lambda v: (
                tuple(float(p) for p in v.split(",") if p.strip()) if isinstance(v, str) else v
            )
        ),
        AfterValidator(_delays),
        Field(
            description=(
                "Seconds before each retry of a failed delivery, comma-separated: the Standard "
                "Webhooks schedule by default (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)."
            )
        ),
    ] = RETRY_DELAYS
    webhook_disable_after_hours: Annotated[
        float,
        Field(
            gt=0,
            description="A subscription failing this long without a success is disabled.",
        ),
    ] = 72


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
