"""Routing rules and SLA policies are cached per process, and a save clears the cache."""

import pytest

from apps.routing.models import RoutingRule
from apps.routing.selection import load_rules
from apps.sla.models import SLAPolicy
from apps.sla.timers import match_policy
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.SERVICEDESK_CONFIG_CACHE_SECONDS = 3600
    RoutingRule.objects.create(name="warm-up")  # a save clears what earlier tests left
    RoutingRule.objects.filter(name="warm-up").delete()


def test_rules_are_read_once_and_a_save_clears_them(cached, django_assert_num_queries):
    RoutingRule.objects.create(name="VPN", keywords=["vpn"])
    assert [r.name for r in load_rules()] == ["VPN"]
    with django_assert_num_queries(0):
        assert [r.name for r in load_rules()] == ["VPN"]
    RoutingRule.objects.create(name="Wifi", keywords=["wifi"], order=1)
    assert [r.name for r in load_rules()] == ["Wifi", "VPN"]
    # A change that bypasses save() (a queryset update) waits for the lifetime to pass.
    RoutingRule.objects.filter(name="Wifi").update(active=False)
    assert [r.name for r in load_rules()] == ["Wifi", "VPN"]


def test_a_policy_condition_added_by_m2m_clears_the_policies(cached, customer):
    from tests.factories import submit

    category = CategoryFactory()
    policy = SLAPolicy.objects.create(name="Hardware", first_response_minutes=30)
    request = submit(customer, category=category)
    assert match_policy(request) == policy
    other = CategoryFactory()
    policy.categories.add(other)  # now only `other` matches
    assert match_policy(request) is None
