"""The list page's queryset, built once per process before the reader's filter: every call
gets its own clone, so no call sees another's rows or results."""

import pytest

from apps.accounts.actors import Actor, Role, actor_for_user
from apps.tickets import selectors
from tests.factories import CustomerFactory, submit

pytestmark = pytest.mark.django_db


def test_a_supervisors_page_is_a_fresh_query_each_call():
    supervisor = Actor(role=Role.AGENT, is_supervisor=True)
    first = selectors.list_page_requests_for(supervisor)
    assert list(first) == []
    created = submit(CustomerFactory())
    again = selectors.list_page_requests_for(supervisor)
    assert again is not first
    assert [r.pk for r in again] == [created.pk]


def test_each_reader_gets_only_their_rows_and_flags():
    alice, bob = CustomerFactory(), CustomerFactory()
    alices, bobs = submit(alice), submit(bob)
    for customer, mine in ((alice, alices), (bob, bobs)):
        rows = list(selectors.list_page_requests_for(actor_for_user(customer.user)))
        assert [r.pk for r in rows] == [mine.pk]
        assert (rows[0].has_clocks, rows[0].has_files) == (False, False)
