"""A request's ETag is its version: a transition sent with `If-Match` runs only on that version
(412 otherwise), and answers with the new ETag."""

import pytest

from apps.lifecycle.states import State
from tests.support.api import client_for, url

pytestmark = pytest.mark.django_db


def start(client, request, **headers):
    return client.post(url(request, "transitions/start/"), {}, format="json", **headers)


def test_the_etag_of_a_read_lets_a_transition_run_and_a_stale_one_is_412(desk):
    request = desk.request_in(State.ASSIGNED)
    lead = client_for(desk.lead.user)
    etag = lead.get(url(request))["ETag"]
    assert etag == f'"{request.version}"'
    lead.post(url(request, "transitions/escalate/"), {}, format="json")  # someone else's change
    stale = start(lead, request, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "precondition_failed"
    fresh = lead.get(url(request))["ETag"]
    done = start(lead, request, HTTP_IF_MATCH=fresh)
    assert done.status_code == 200, done.content
    assert done["ETag"] == f'"{done.json()["version"]}"' != fresh


@pytest.mark.parametrize("header", ["*", "abc", '"-1"', '"' + "9" * 30 + '"'])
def test_an_if_match_that_names_no_version_is_a_400(desk, header):
    request = desk.request_in(State.ASSIGNED)
    response = start(client_for(desk.lead.user), request, HTTP_IF_MATCH=header)
    assert response.status_code == 400 and "If-Match" in response.json()["error"]["fields"]


def test_without_if_match_nothing_changes(desk):
    request = desk.request_in(State.ASSIGNED)
    assert start(client_for(desk.lead.user), request).status_code == 200
