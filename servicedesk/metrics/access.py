"""Who may read metrics: a bearer token and/or a client address in configured networks.

Anyone else gets a plain 404, so the endpoint cannot be told from an unknown URL."""

import hmac
import ipaddress

from django.conf import settings


def may_scrape(*, authorization: str, address: str) -> bool:
    """True when every configured check passes; False while none is configured."""
    token: str = settings.SERVICEDESK_METRICS_TOKEN
    networks: list[str] = settings.SERVICEDESK_METRICS_NETWORKS
    if not token and not networks:
        return False
    if token and not _token_matches(authorization, token):
        return False
    return not networks or _address_in(address, networks)


def _token_matches(authorization: str, token: str) -> bool:
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def _address_in(address: str, networks: list[str]) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(network, strict=False) for network in networks)
