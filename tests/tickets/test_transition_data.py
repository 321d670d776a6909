"""Transition data are typed objects: each transition that takes data has one type whose fields
are exactly the method's parameters, and the door refuses data of another type."""

import dataclasses

import pytest

from apps.accounts.actors import SYSTEM
from apps.core.errors import InvalidData
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import (
    DATA_TYPES,
    AssignData,
    RouteData,
    expected_params,
    transition_data,
)
from tests.factories import submit

TRANSITIONS = [
    t.name for t in ServiceRequest._meta.get_field("state").get_all_transitions(ServiceRequest)
]


@pytest.mark.parametrize("name", sorted(set(TRANSITIONS)))
def test_each_transitions_data_type_has_exactly_its_parameters(name):
    names, required = expected_params(getattr(ServiceRequest, name))
    data_type = DATA_TYPES.get(name)
    if data_type is None:
        assert names == set()
        return
    fields = dataclasses.fields(data_type)
    assert {f.name for f in fields} == names
    assert {f.name for f in fields if f.default is dataclasses.MISSING} == required


def test_input_fields_become_the_typed_data():
    assert transition_data("route", {"department": 3, "priority": 2}) == RouteData(
        department=3, priority=2
    )
    assert transition_data("start", {}) is None


def test_unknown_and_missing_input_fields_are_named():
    with pytest.raises(InvalidData) as error:
        transition_data("assign", {"agent": 3})
    assert error.value.details["fields"] == {
        "agent": "Not taken by this transition.",
        "assignee": "Required.",
    }


def test_typed_data_cannot_be_made_with_a_wrong_name():
    with pytest.raises(TypeError):
        RouteData(dept=3)


@pytest.mark.django_db
def test_the_door_refuses_data_of_another_transition_and_writes_nothing(customer, department):
    request = submit(customer)

    with pytest.raises(InvalidData) as error:
        services.transition(request, "route", actor=SYSTEM, data=AssignData(assignee=1))

    assert error.value.details["fields"] == {"data": "Not taken by this transition."}
    assert ServiceRequest.objects.get(pk=request.pk).last_event_seq == 1


@pytest.mark.django_db
def test_the_door_names_what_a_transition_requires(customer):
    request = submit(customer)

    with pytest.raises(InvalidData) as error:
        services.transition(request, "route", actor=SYSTEM)

    assert error.value.details["fields"] == {"department": "Required."}
