"""Where a webhook may be sent: https to public addresses only (no SSRF into our own network).

Checked when a subscription is made (its URL) and again before every attempt (what the name
resolves to then: a name can be pointed at a private address later). With
``ICAT_WEBHOOK_ALLOW_PRIVATE_TARGETS`` every address is allowed, and plain http too, to
loopback only.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"127.0.0.1", "::1", "localhost"})


def refused_address(address: str) -> bool:
    """Whether ``address`` is not a public one: private, loopback, link-local, shared,
    multicast, reserved or unspecified (an IPv4-mapped IPv6 address is judged as its IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """What is wrong with ``url`` as a webhook target, judged on its text alone; None if
    nothing. (Where its name points is :func:`address_problem`'s.)"""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a URL: {exc}"
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return "an https:// URL with a host"
    if parts.username is not None or parts.password is not None:
        return "no user name or password in the URL (the signature authenticates deliveries)"
    if parts.fragment:
        return "no #fragment: it is not sent"
    if port == 0:
        return "port 0 is not a port"
    if parts.scheme == "http" and not (allow_private and host in LOOPBACK_NAMES):
        return "https only (plain http only to 127.0.0.1 when private targets are allowed)"
    if not allow_private:
        if host in LOOPBACK_NAMES or host.endswith(".localhost"):
            return "a loopback host is not allowed"
        try:
            literal = refused_address(host)
        except ValueError:
            literal = False  # a name: resolved below
        if literal:
            return f"{host} is not a public address"
    return None


def address_problem(url: str, *, allow_private: bool) -> str | None:
    """Whether ``url``'s host resolves, now, to an address that is not public; None if not
    (a name that does not resolve is no such problem: the attempt itself fails)."""
    if allow_private:
        return None
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        address = str(info[4][0])
        if refused_address(address):
            return f"{host} resolves to {address}, not a public address"
    return None
