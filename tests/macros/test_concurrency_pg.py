"""Agents applying one macro at the same moment on real PostgreSQL: no use is lost."""

import threading

import pytest
from django.db import connection

from apps.accounts.actors import actor_for_user
from apps.macros.models import Macro
from apps.macros.services import do_apply_macro
from apps.tickets.models import ServiceRequest
from tests.factories import AgentFactory
from tests.macros.conftest import in_progress

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_uses_are_all_counted(customer, department):
    agents = [AgentFactory(user__username=f"a{n}", departments=[department]) for n in range(4)]
    requests = [in_progress(customer, department, agent) for agent in agents]
    macro = Macro.objects.create(name="Ack", department=department, body="Thanks!")
    barrier = threading.Barrier(len(agents))
    errors: list[Exception] = []

    def run(agent, request_id: int) -> None:
        try:
            target = ServiceRequest.objects.get(pk=request_id)
            copy = Macro.objects.get(pk=macro.pk)  # each read before any use
            barrier.wait()
            do_apply_macro(target, macro=copy, actor=actor_for_user(agent.user))
        except Exception as error:  # the test inspects what each thread got
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(agent, request.pk))
        for agent, request in zip(agents, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    macro.refresh_from_db()
    assert macro.usage_count == len(agents)
