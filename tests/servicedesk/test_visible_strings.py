"""Every string a person sees in zh-hans is Chinese: the main admin pages and the API's errors,
read as a person reads them (text, buttons, tooltips, labels), with every English word beyond
names and codes reported with the text it stands in. The data is Chinese, so any English left
comes from the code."""

from pprint import pformat

import pytest
from django.urls import reverse

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.eventlog.models import Event
from apps.routing.models import RoutingRule
from apps.tickets import services
from tests.factories import (
    AgentFactory,
    CategoryFactory,
    CustomerFactory,
    DepartmentFactory,
    drive,
    submit,
)
from tests.servicedesk.visible_text import english_words, error_texts, visible_text
from tests.support.admin import agents_group, make_staff  # noqa: F401 (fixture)
from tests.support.api import client_for

pytestmark = pytest.mark.django_db

CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# The data's people and things are named in Chinese; log-in names and codes stay Latin.
PEOPLE = {"wangfang", "lilei", "zhaomin", "it"}
# Django's own user and group screens (superusers only): the permission names are rows Django
# writes in English at migrate time, and a few of its 5.2 strings lack a zh-hans translation.
DJANGO_OWN = ("auth",)


@pytest.fixture
def chinese_desk(agents_group):  # noqa: F811  pytest passes the imported fixture by name
    department = DepartmentFactory(name="信息技术支持", code="it")
    lead = make_staff(
        AgentFactory(
            user__username="lilei",
            user__first_name="雷",
            user__last_name="李",
            departments=[department],
        ),
        agents_group,
    )
    lead.user.is_superuser = True
    lead.user.save(update_fields=["is_superuser"])
    department.leads.add(lead.user)
    customer = CustomerFactory(
        user__username="wangfang",
        user__first_name="芳",
        user__last_name="王",
        organisation="示例公司",
    )
    category = CategoryFactory(name="网络", default_department=department)
    rule = RoutingRule.objects.create(name="网络问题", keywords=["网络"], department=department)
    agent_actor = actor_for_user(lead.user)
    request = drive(
        submit(customer, subject="网络每小时断开一次", description="从周一开始网络断开。"),
        ("route", {"department": department}, SYSTEM),
        ("assign", {"assignee": lead}, SYSTEM),
        ("start", {}, agent_actor),
    )
    services.do_post_message(request, actor=agent_actor, body="请重启路由器。")
    services.do_post_message(request, actor=actor_for_user(customer.user), body="还是断开。")
    return {
        "lead": lead,
        "customer": customer,
        "request": request,
        "category": category,
        "rule": rule,
    }


def english_on(response, allowed: set[str] = frozenset()) -> dict[str, str]:
    assert response.status_code == 200, response
    return english_words(visible_text(response.content.decode()), allowed=PEOPLE | allowed)


def test_the_main_admin_pages_speak_chinese(client, chinese_desk):
    client.force_login(chinese_desk["lead"].user)
    pages = {
        "home": reverse("admin:index"),
        "queue": reverse("admin:tickets_servicerequest_changelist"),
        "request": reverse(
            "admin:tickets_servicerequest_change", args=[chinese_desk["request"].pk]
        ),
        "dashboard": reverse("admin:quality_qualitydashboard_changelist"),
        "categories": reverse("admin:tickets_category_changelist"),
        "category": reverse("admin:tickets_category_change", args=[chinese_desk["category"].pk]),
        "rules": reverse("admin:routing_routingrule_changelist"),
        "rule": reverse("admin:routing_routingrule_change", args=[chinese_desk["rule"].pk]),
    }

    found = {name: english_on(client.get(url, **CHINESE)) for name, url in pages.items()}

    left = {name: words for name, words in found.items() if words}
    assert not left, pformat(left, width=100)


def test_the_apis_errors_speak_chinese(client, chinese_desk):
    api = client_for(chinese_desk["customer"].user)
    anonymous = client_for(chinese_desk["customer"].user)
    anonymous.credentials()
    answers = [
        api.get("/api/v1/requests/SR-0000-000000/", **CHINESE),
        api.get("/api/v1/nothing-here/", **CHINESE),
        api.post("/api/v1/requests/", {"subject": ""}, format="json", **CHINESE),
        api.post("/api/v1/requests/", "{", content_type="application/json", **CHINESE),
        anonymous.get("/api/v1/requests/", **CHINESE),
        api.post(
            f"/api/v1/requests/{chinese_desk['request'].reference}/transitions/resolve/",
            {},
            format="json",
            **CHINESE,
        ),
    ]

    found = {}
    for n, answer in enumerate(answers):
        assert answer.status_code >= 400, answer
        texts, fields = error_texts(answer.json())
        if words := english_words(texts, allowed=PEOPLE | fields):
            found[f"{n}: {answer.status_code} {answer.request['PATH_INFO']}"] = words

    assert not found, pformat(found, width=100)


def test_every_admin_list_and_add_form_speaks_chinese(client, chinese_desk):
    from django.contrib import admin

    client.force_login(chinese_desk["lead"].user)
    found = {}
    # The raw event log shows (and searches by) transition codes.
    transitions = set(Event.objects.values_list("transition", flat=True))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label in DJANGO_OWN:
            continue
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        if model_admin.has_add_permission(_request_for(chinese_desk["lead"].user)):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        for url in urls:
            response = client.get(url, **CHINESE)
            if response.status_code == 200 and (words := english_on(response, transitions)):
                found[url] = words

    assert not found, pformat(found, width=100)


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
