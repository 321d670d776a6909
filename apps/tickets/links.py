"""Signed one-click links mailed to a customer: accept or decline the bot's answer, rate a
resolved request. A link names its request, its action and (for an answer) the proposal it
answers; it is signed with the site's secret, expires, and acts through the door as the
request's customer."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "servicedesk.tickets.links"
ACCEPT, DECLINE, RATE = "accept", "decline", "rate"
ACTIONS = (ACCEPT, DECLINE, RATE)


@dataclass(frozen=True)
class Link:
    request_id: int
    action: str
    # The sequence number of the event the link answers (the answer's proposal); 0 for none.
    event_seq: int = 0


class LinkExpired(Exception):
    """The link was genuine but is older than SERVICEDESK_LINK_MAX_AGE_DAYS."""


class LinkInvalid(Exception):
    """The link was not made by this desk (or was altered)."""


def make_token(link: Link) -> str:
    return signing.dumps([link.request_id, link.action, link.event_seq], salt=SALT, compress=True)


def read_token(token: str) -> Link:
    """The link behind `token`. Raises LinkExpired or LinkInvalid."""
    max_age = timedelta(days=settings.SERVICEDESK_LINK_MAX_AGE_DAYS)
    try:
        request_id, action, event_seq = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid from None
    if action not in ACTIONS or not isinstance(request_id, int) or not isinstance(event_seq, int):
        raise LinkInvalid
    return Link(request_id=request_id, action=action, event_seq=event_seq)


def link_url(link: Link, **query: int) -> str:
    """The absolute URL of the link (SERVICEDESK_PUBLIC_URL), with `query` such as rating=5."""
    path = reverse("request-link", kwargs={"token": make_token(link)})
    suffix = f"?{urlencode(query)}" if query else ""
    return settings.SERVICEDESK_PUBLIC_URL.rstrip("/") + path + suffix
