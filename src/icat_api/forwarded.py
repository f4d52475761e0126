"""The client's address behind trusted proxies (``ICAT_FORWARDED_ALLOW_IPS``).

``X-Forwarded-For`` and ``Forwarded`` are believed only when the direct peer is one of the
trusted proxies; then the client is the right-most address of the chain that is not itself a
trusted proxy (everything left of it was written by the client, and may be forged). From any
other peer the headers are ignored: the client is the peer. This is the one place that decides:
``icat-api serve`` turns uvicorn's own proxy-header handling off, and the rate limiter and the
access log both read the address set here.

A proxy that writes one of the two headers passes the other through as the client sent it; so
when both are present and name different clients, neither is believed and the client is the
proxy itself (a forger lands in the proxy's allowance, never in a fresh one of their own).
"""

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.types import ASGIApp, Receive, Scope, Send

_CACHED = 4096  # trust decisions kept per process (peers and chain entries)


def _address(token: str) -> IPv4Address | IPv6Address | None:
    try:
        ip = ip_address(token)
    except ValueError:
        return None
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:10.0.0.1 as a dual-stack socket reports 10.0.0.1
    return ip


def _normal(token: str) -> str:
    """An address as one spelling (``[2001:DB8::1]:443`` → ``2001:db8::1``), else as sent."""
    token = token.strip().strip('"').strip()
    if token.startswith("["):  # [v6] or [v6]:port
        token = token[1 : token.find("]")] if "]" in token else token
    elif token.count(":") == 1:  # v4:port
        token = token.split(":", 1)[0]
    ip = _address(token)
    return str(ip) if ip is not None else token[:100]


class TrustedProxies:
    """Addresses and networks (``10.0.0.1``, ``10.0.0.0/8``, ``::1``) whose forwarding headers
    are believed."""

    def __init__(self, entries: Iterable[str]) -> None:
        networks = [ip_network(entry.strip()) for entry in entries if entry.strip()]
        self._hosts: frozenset[IPv4Address | IPv6Address] = frozenset(
            n.network_address for n in networks if n.num_addresses == 1
        )
        self._networks: tuple[IPv4Network | IPv6Network, ...] = tuple(
            n for n in networks if n.num_addresses > 1
        )
        self._known: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self._hosts or self._networks)

    def __contains__(self, host: str) -> bool:
        known = self._known.get(host)
        if known is None:
            ip = _address(host)
            known = ip is not None and (
                ip in self._hosts or any(ip in network for network in self._networks)
            )
            if len(self._known) < _CACHED:
                self._known[host] = known
        return known

    def _client_of(self, chain: list[str]) -> str | None:
        """The right-most untrusted entry (the left-most when every one is trusted)."""
        entries = [_normal(e) for e in chain if e.strip()]
        for entry in reversed(entries):
            if entry not in self:
                return entry
        return entries[0] if entries else None

    def client(self, peer: str | None, headers: Iterable[tuple[bytes, bytes]]) -> str | None:
        """The client's address for a request from ``peer`` with these headers."""
        if peer is None or peer not in self:
            return peer
        x_forwarded_for: list[str] = []
        forwarded: list[str] = []
        for name, value in headers:
            if name == b"x-forwarded-for":
                x_forwarded_for += value.decode("latin-1").split(",")
            elif name == b"forwarded":
                forwarded += [_for_of(e) for e in value.decode("latin-1").split(",")]
        named = {c for c in (self._client_of(x_forwarded_for), self._client_of(forwarded)) if c}
        return named.pop() if len(named) == 1 else peer


def _for_of(element: str) -> str:
    """The ``for=`` of one ``Forwarded`` element (RFC 7239); ``unknown`` when it has none."""
    for pair in element.split(";"):
        name, _, value = pair.partition("=")
        if name.strip().lower() == "for":
            return value or "unknown"
    return "unknown" if element.strip() else ""


class ForwardedClient:
    """Sets the request's client address (``scope["client"]``, in place: the request context
    around it logs it) from the forwarding headers of a trusted proxy. Just inside the request
    context, before anything else reads the address; not installed when no proxy is trusted."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = TrustedProxies(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            peer = scope.get("client")
            host = peer[0] if peer else None
            client = self.trusted.client(host, scope["headers"])
            if client != host:
                scope["client"] = (client, 0)
        await self.app(scope, receive, send)
