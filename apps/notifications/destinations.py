"""Where a webhook may go: its host resolved, and every address it resolves to checked (SSRF).

A subscription's URL is chosen by whoever manages webhooks, and the desk POSTs to it from
inside its network: without this check a URL could reach the cloud metadata service
(169.254.169.254), the database, Redis, or anything else only the desk can reach. Loopback,
private, link-local, multicast, reserved and unspecified addresses are refused, also when
wrapped in IPv6 (IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64), unless
SERVICEDESK_WEBHOOK_ALLOW_PRIVATE is on (a desk whose receivers live on its own network).

The caller connects to the addresses returned here, not to the name again, so a DNS answer
that changes between the check and the connection (DNS rebinding) cannot slip past.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

SCHEMES = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Checked in this order; the first that holds names the refusal (IPv4 has no site-local).
KINDS = ("unspecified", "loopback", "link_local", "site_local", "multicast", "private", "reserved")


class UnsafeDestination(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach."""

    def __init__(self, host: str, address: str, kind: str) -> None:
        super().__init__(f"{host} resolves to {address}, a {kind} address")
        self.host, self.address, self.kind = host, address, kind


class Unresolvable(Exception):
    """The URL's host has no address now (a name that does not resolve, or no DNS)."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as written in the URL: the Host header and the TLS server name
    port: int
    target: str  # the URL's path and query
    addresses: tuple[str, ...]  # checked, in the resolver's order


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    # NAT64, or IPv4-compatible ::a.b.c.d (but not :: and ::1, themselves)
    if address in NAT64 or (int(address) >> 32 == 0 and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_kind(address: IPAddress) -> str | None:
    """What makes `address` unreachable for webhooks ("loopback", "private", ...), or None."""
    # The embedded IPv4 address first: it is where the packets go, and names the refusal best.
    for candidate in (_embedded_ipv4(address), address):
        if candidate is None:
            continue
        for kind in KINDS:
            if getattr(candidate, f"is_{kind}", False):
                return kind.replace("_", "-")
        if not candidate.is_global:  # shared address space (100.64.0.0/10) and the like
            return "non-public"
    return None


def resolve(url: str, *, allow_private: bool | None = None) -> Destination:
    """Resolve the URL's host and check every address it has.

    Raises ValueError for a URL that is not http(s) with a host, `Unresolvable` when the host
    has no address now, and `UnsafeDestination` when any address is refused (a name with one
    public and one private address is refused: which one is used is the resolver's choice)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise ValueError("not an http(s) URL with a host")
    port = parts.port or SCHEMES[scheme]  # ValueError for a port out of range
    host = parts.hostname
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Unresolvable(f"{host}: {error}") from error
    if allow_private is None:
        allow_private = settings.SERVICEDESK_WEBHOOK_ALLOW_PRIVATE
    addresses: list[str] = []
    for *_, sockaddr in found:
        text = str(sockaddr[0])
        address = ipaddress.ip_address(text.split("%", 1)[0])
        kind = forbidden_kind(address)
        if kind and not allow_private:
            raise UnsafeDestination(host, text, kind)
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise Unresolvable(f"{host}: no address")
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return Destination(scheme, host, port, target, tuple(addresses))
