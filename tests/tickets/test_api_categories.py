"""`GET categories/`: a customer learns the ids a request's `category` takes; a create answers
201 with the new request's URL in `Location`."""

import pytest

from apps.tickets.models import Category
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_a_customer_lists_the_active_categories_and_submits_with_one(customer_client):
    printers = CategoryFactory(name="Printers")
    CategoryFactory(name="Retired", is_active=False)
    listed = customer_client.get("/api/v1/categories/")
    assert listed.status_code == 200
    assert listed.json()["results"] == [{"id": printers.pk, "name": "Printers"}]
    created = customer_client.post(
        "/api/v1/requests/", {"subject": "Jam", "category": printers.pk}, format="json"
    )
    assert created.status_code == 201
    assert Category.objects.get(pk=printers.pk).name == "Printers"


def test_anonymous_callers_may_not_list_categories(anon_client):
    assert anon_client.get("/api/v1/categories/").status_code == 401


def test_a_create_names_the_new_request_in_location(customer_client):
    created = customer_client.post("/api/v1/requests/", {"subject": "Where"}, format="json")
    assert created.status_code == 201
    reference = created.json()["reference"]
    assert created["Location"] == f"/api/v1/requests/{reference}/"
    assert customer_client.get(created["Location"]).json()["reference"] == reference
