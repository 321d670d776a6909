"""Serializers that build their fields once per class hand every instance fields of its own:
two renderings in flight for different callers never see each other's context."""

import pytest

from apps.accounts.actors import actor_for_user
from apps.lifecycle.states import State
from apps.tickets.api.serializers import RequestSerializer

pytestmark = pytest.mark.django_db


def test_interleaved_renderings_keep_their_own_caller(desk):
    request = desk.request_in(State.IN_PROGRESS)
    as_customer = RequestSerializer(request, context={"actor": actor_for_user(desk.customer.user)})
    as_agent = RequestSerializer(request, context={"actor": actor_for_user(desk.lead.user)})
    customer_view, agent_view = as_customer.data, as_agent.data
    assert "resolve" in agent_view["allowed_transitions"]
    assert "resolve" not in customer_view["allowed_transitions"]
    assert customer_view == RequestSerializer(request, context=as_customer.context).data
    assert as_customer.fields["allowed_transitions"].parent is as_customer
    assert as_agent.fields["allowed_transitions"].parent is as_agent
    assert as_customer.fields["customer"] is not as_agent.fields["customer"]
