"""The permission vocabulary (apps/api/permissions.py): who each class admits, 401 against 403,
the refusal's message, one actor per request, and every API view gated in these words."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from apps.api import permissions
from apps.api.permissions import IsAgent, IsLead, IsStaff, IsSupervisor
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "customer", "plain", "staff", "agent", "lead", "supervisor"]

# What each class answers each caller (200: admitted).
EXPECTED = {
    IsAgent: [401, 403, 403, 403, 200, 200, 200],
    IsLead: [401, 403, 403, 403, 403, 200, 200],
    IsSupervisor: [401, 403, 403, 403, 403, 403, 200],
    IsStaff: [401, 403, 403, 200, 403, 403, 403],
}


def make_caller(who: str):
    """The user of each kind of caller; None for anonymous. None of them is staff but `staff`."""
    if who == "anonymous":
        return None
    if who == "customer":
        return CustomerFactory().user
    if who == "plain":
        return UserFactory()
    if who == "staff":  # staff status only: the admin and the reports, no role at the desk
        return UserFactory(is_staff=True)
    if who == "supervisor":  # a superuser with no agent profile and no staff status
        return UserFactory(is_superuser=True)
    department = DepartmentFactory()
    agent = AgentFactory(departments=[department])
    if who == "lead":
        department.leads.add(agent.user)
    return agent.user


def call(permission_classes, user, **attrs):
    """Call a tiny view gated by `permission_classes` as `user`; the response."""
    view = type(
        "Gated",
        (APIView,),
        {
            "permission_classes": permission_classes,
            "get": lambda self, request: Response({"actor": str(getattr(request, "actor", ""))}),
            **attrs,
        },
    )
    request = APIRequestFactory().get("/gated/")
    if user is not None:
        force_authenticate(request, user=user)
    return view.as_view()(request)


@pytest.mark.parametrize("cls", list(EXPECTED), ids=lambda cls: cls.__name__)
def test_each_class_admits_exactly_its_callers(cls):
    got = [call([cls], make_caller(who)).status_code for who in CALLERS]
    assert dict(zip(CALLERS, got, strict=True)) == dict(zip(CALLERS, EXPECTED[cls], strict=True))


@pytest.mark.parametrize("cls", list(EXPECTED), ids=lambda cls: cls.__name__)
def test_anonymous_is_asked_to_sign_in(cls):
    response = call([cls], None)
    assert response.status_code == 401
    assert response.data["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_refusal_names_the_views_message_or_the_classes():
    customer = CustomerFactory().user
    named = call([IsAgent], customer, permission_message="The queue is for agents.")
    assert (named.status_code, named.data["error"]["code"]) == (403, "forbidden")
    assert named.data["error"]["message"] == "The queue is for agents."
    assert call([IsAgent], customer).data["error"]["message"] == "This is for agents."
    agent = make_caller("agent")
    assert call([IsLead], agent).data["error"]["message"] == "This is for department leads."
    assert call([IsSupervisor], agent).data["error"]["message"] == "This is for supervisors."


def test_an_account_the_desk_does_not_serve_hears_why():
    for user in (UserFactory(), UserFactory(is_staff=True)):
        response = call([IsAgent], user, permission_message="Never shown to them.")
        assert response.status_code == 403
        assert "neither an agent nor a customer" in response.data["error"]["message"]
    inactive = AgentFactory(user__is_active=False).user
    response = call([IsAgent], inactive)
    assert response.status_code == 403
    assert "active account" in response.data["error"]["message"]


def test_staff_is_checked_before_the_actor_as_drfs_is_admin_user():
    agent = make_caller("agent")  # not staff: refused with DRF's own message
    response = call([IsStaff, IsAgent], agent, permission_message="Agents only.")
    assert response.data["error"]["message"] == "You do not have permission to perform this action."
    customer = CustomerFactory(user__is_staff=True).user
    response = call([IsStaff, IsAgent], customer, permission_message="Agents only.")
    assert (response.status_code, response.data["error"]["message"]) == (403, "Agents only.")


def test_the_actor_is_resolved_once_per_request(monkeypatch):
    resolved = []
    real = permissions.actor_for_user

    def counting(user):
        resolved.append(user)
        return real(user)

    monkeypatch.setattr(permissions, "actor_for_user", counting)
    lead = make_caller("lead")
    response = call([IsAgent, IsLead], lead)
    assert response.status_code == 200
    assert response.data["actor"] == f"agent:{lead}"
    assert resolved == [lead]


# --- every API view speaks the vocabulary ------------------------------------------------------

ALLOWED = {IsAgent, IsLead, IsSupervisor, IsStaff, IsAuthenticated, AllowAny}


def api_views(patterns=None, prefix=""):
    """(route, view class) of every DRF view under the URL configuration."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            cls = getattr(pattern.callback, "cls", None)
            if cls is not None and issubclass(cls, APIView):
                yield prefix + str(pattern.pattern), cls


def test_every_api_view_is_gated_by_the_vocabulary():
    views = list(api_views())
    assert len(views) > 20
    outside = {
        route: [p.__name__ for p in cls.permission_classes if p not in ALLOWED]
        for route, cls in views
        if any(p not in ALLOWED for p in cls.permission_classes)
    }
    assert outside == {}
