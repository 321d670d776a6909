"""The request representation's own `to_representation` gives exactly DRF's: every field, on a
varied set of requests (every state, with and without category, department, assignee, SLA
clocks on a business calendar, files, declared files, a forecast), for customers and agents,
in English and Chinese."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from apps.accounts.actors import actor_for_user
from apps.improvement.models import RequestForecast
from apps.tickets import selectors, transition_table
from apps.tickets.api.serializers import RequestSerializer
from apps.tickets.models import ServiceRequest
from tests.support.api import client_for
from tests.tickets.test_api_query_counts import population  # noqa: F401  the fixture, reused

pytestmark = pytest.mark.django_db


def _vary(population) -> None:  # noqa: F811  the fixture imported above, passed on
    """Declared files on some requests, a forecast on others (expected_by)."""
    mine = population.mine
    ServiceRequest.objects.filter(pk__in=[r.pk for r in mine[::3]]).update(
        declared_attachments=[{"name": "log.txt", "size": 12, "content_type": "text/plain"}]
    )
    now = timezone.now()
    ServiceRequest.objects.filter(pk__in=[r.pk for r in mine[1::3]]).update(
        description='It broke.\nTwice, &amp; "quoted" 网络',
        first_response_at=now - timedelta(minutes=5, microseconds=7),
        escalation_level=1,
        reopen_count=2,
        channel="email",
    )
    ServiceRequest.objects.filter(pk=mine[2].pk).update(merged_into_id=mine[5].pk)
    for n, request in enumerate(mine[::4]):
        RequestForecast.objects.create(
            request=request,
            computed_at=now,
            expected_at=now + timedelta(hours=n, microseconds=123) if n % 2 else None,
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_own_representation_equals_drfs_field_by_field(population, language):  # noqa: F811  the fixture imported above
    _vary(population)
    desk = population.desk
    users = [desk.customer.user, population.multi.user, desk.lead.user, desk.second.user]
    compared = 0
    with translation.override(language):
        for user in users:
            actor = actor_for_user(user)
            transition_table.forget()
            context = {"actor": actor}
            for request in selectors.list_requests_for(actor):
                serializer = RequestSerializer(request, context=context)
                ours = serializer.to_representation(request)
                drfs = serializers.ModelSerializer.to_representation(serializer, request)
                assert list(ours) == list(drfs)
                for name in drfs:
                    assert ours[name] == drfs[name], (request.reference, user, name)
                assert JSONRenderer().render(ours) == JSONRenderer().render(drfs)
                compared += 1
    assert compared > 40
    # The dataset is varied: every field took more than one value somewhere.
    seen = {}
    for request in selectors.list_requests_for(actor_for_user(population.multi.user)):
        data = RequestSerializer(request, context={"actor": actor}).data
        for name, value in data.items():
            seen.setdefault(name, set()).add(JSONRenderer().render(value))
    constant = {name for name, values in seen.items() if len(values) < 2}
    assert not constant, constant


def test_the_lists_answer_what_drf_renders(population):  # noqa: F811  the fixture imported above
    """Through the API: pages from list_page_requests_for (clocks and files read only where
    there are some) render as DRF renders each request with everything prefetched."""
    _vary(population)
    ServiceRequest.objects.filter(pk=population.mine[0].pk).update(state="new")
    for user in (population.desk.customer.user, population.multi.user):
        actor = actor_for_user(user)
        expected = {}
        for request in selectors.list_requests_for(actor):
            serializer = RequestSerializer(request, context={"actor": actor})
            drfs = serializers.ModelSerializer.to_representation(serializer, request)
            expected[request.reference] = JSONRenderer().render(drfs)
        for path in ("/api/v1/requests/", "/api/v1/queue/"):
            if path == "/api/v1/queue/" and user == population.desk.customer.user:
                continue
            for page in (1, 2):
                response = client_for(user).get(path, {"page_size": 20, "page": page})
                assert response.status_code == 200
                for item in response.json()["results"]:
                    rendered = JSONRenderer().render(item)
                    assert rendered == expected[item["reference"]], item["reference"]
        empty = [r for r in selectors.list_page_requests_for(actor) if not r.has_files]
        assert empty, "the dataset has requests without files"
