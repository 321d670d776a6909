"""Every model in the admin, the read-only event log, and what the "Agents" group may do."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from apps.accounts.actors import SYSTEM, actor_for_user
from apps.accounts.models import AgentSkill, Skill
from apps.eventlog.models import Event
from apps.knowledge.models import Article, ArticleUse, OutOfScopeQuestion, UseKind
from apps.mail.intake import take_in
from apps.mail.models import Mailbox
from apps.notifications.models import NotificationPreference, WebhookFeed, WebhookSubscription
from apps.notifications.services import do_notify, do_publish_event
from apps.quality.models import KpiJudgement, QualityAlert, QualityDashboard
from apps.routing.models import RoutingRule
from apps.sla.models import BusinessCalendar
from apps.tickets import services
from apps.tickets.attachments import IncomingFile, do_attach_files
from apps.tickets.models import Category, SavedView
from tests.factories import AgentFactory, drive, submit
from tests.mail.mails import mail
from tests.support.admin import make_staff

pytestmark = pytest.mark.django_db

OUR_APPS = {
    "accounts",
    "tickets",
    "eventlog",
    "quality",
    "sla",
    "routing",
    "notifications",
    "knowledge",
    "mail",
}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def some_of_everything(customer, department, agent, standard_policy, attachment_dir):
    AgentSkill.objects.create(agent=agent, skill=Skill.objects.create(name="Printers"), level=3)
    Category.objects.create(name="Hardware", default_department=department)
    SavedView.objects.create(owner=agent.user, name="Mine", columns=["age"], department=department)
    BusinessCalendar.objects.create(name="Office", time_zone="Europe/Berlin")
    RoutingRule.objects.create(name="VPN", keywords=["vpn"], department=department)
    service_request = drive(submit(customer), ("route", {"department": department}, SYSTEM))
    services.do_post_message(service_request, actor=actor_for_user(customer.user), body="Any news?")
    do_attach_files(
        service_request, actor=SYSTEM, files=[IncomingFile("log.txt", b"Paper jam at 09:14.\n")]
    )
    WebhookSubscription.objects.create(name="ops", url="https://hooks.example.com/sd")
    do_notify(recipients=[agent.user], kind="sla_warning", title="Due soon", body="")
    NotificationPreference.objects.create(user=agent.user, kind="breach_risk", email=True)
    do_publish_event(kind="sla_warning", payload={"request": service_request.reference})
    WebhookFeed.objects.create(name="lifecycle")
    article = Article.objects.create(key="vpn", question="VPN?", answer="Reconnect.")
    OutOfScopeQuestion.objects.create(text="what is the weather like")
    ArticleUse.objects.create(
        article=article,
        request=service_request,
        kind=UseKind.SUGGESTED,
        score=0.8,
        created_at=service_request.created_at,
    )
    QualityAlert.objects.create(
        department=department,
        chart="resolution_time",
        rule="trend",
        day=date(2026, 3, 2),
        worse=True,
        value=5,
        centre=2,
        lower_limit=0,
        upper_limit=4,
        created_at=timezone.now(),
    )
    KpiJudgement.objects.create(
        department=department, first="resolution_hours", second="sla_compliance", value=3
    )
    mailbox = Mailbox.objects.create(name="Support", host="imap.example.com", username="desk")
    take_in(mail(subject=f"Re: [{service_request.reference}]"), mailbox=mailbox)
    return service_request


def test_every_model_of_our_apps_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label in OUR_APPS}
    names = {m._meta.model_name for m in registered}

    assert names == {
        "department",
        "skill",
        "agent",
        "customer",
        "category",
        "servicerequest",
        "message",
        "attachment",
        "savedview",
        "event",
        "businesscalendar",
        "slapolicy",
        "escalationpolicy",
        "slaclock",
        "notification",
        "notificationpreference",
        "webhooksubscription",
        "webhookdelivery",
        "webhookfeed",
        "routingrule",
        "article",
        "articleuse",
        "outofscopequestion",
        "qualityalert",
        "kpiindicator",
        "kpijudgement",
        "qualitydashboard",
        "mailbox",
        "inboundmail",
    }


@pytest.mark.parametrize(
    "model",
    # The quality dashboard's entry is a page, not a list (tests/quality/test_dashboard.py).
    [
        m
        for m in admin.site._registry
        if m._meta.app_label in OUR_APPS and m is not QualityDashboard
    ],
    ids=lambda m: m._meta.label,
)
def test_every_list_and_add_page_opens_for_a_superuser(admin_client, some_of_everything, model):
    model_admin = admin.site._registry[model]

    listed = admin_client.get(admin_url(model, "changelist"))
    add = admin_client.get(admin_url(model, "add"))

    assert listed.status_code == 200
    assert listed.context["cl"].result_count >= 1
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


def test_the_event_log_is_read_only_even_for_a_superuser(admin_client, some_of_everything):
    event = Event.objects.filter(request=some_of_everything).first()

    view = admin_client.get(admin_url(Event, "change", event.pk))
    posted = admin_client.post(admin_url(Event, "change", event.pk), {"kind": "feedback"})
    deleted = admin_client.post(admin_url(Event, "delete", event.pk), {"post": "yes"})
    added = admin_client.get(admin_url(Event, "add"))

    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert (posted.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert Event.objects.get(pk=event.pk).kind == event.kind
    event_admin = admin.site._registry[Event]
    assert not event_admin.has_change_permission(view.wsgi_request, event)
    assert not event_admin.has_delete_permission(view.wsgi_request, event)


def test_the_event_log_shows_an_agent_only_requests_they_may_see(
    client, other_agent, some_of_everything
):
    client.force_login(other_agent.user)

    response = client.get(admin_url(Event, "changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_agents_group_views_everything_and_changes_only_requests(agents_group):
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in agents_group.permissions.select_related("content_type")
    }

    assert {
        "tickets.change_servicerequest",
        "tickets.add_servicerequest",
        "tickets.add_message",
        "accounts.view_department",
        "accounts.view_agent",
        "eventlog.view_event",
        "tickets.view_message",
        "sla.view_slapolicy",
        "sla.view_slaclock",
        "sla.view_businesscalendar",
        "notifications.view_notification",
        "knowledge.view_articleuse",
        "knowledge.change_article",
        "knowledge.add_phrasing",
    } <= granted
    assert "knowledge.change_articleuse" not in granted
    # Its page shows the signing secret.
    assert "notifications.view_webhooksubscription" not in granted
    assert not {p for p in granted if p.startswith(("sla.", "notifications.")) and "view_" not in p}
    # Agents curate the FAQ: they may drop a phrasing, never an article; and they keep their
    # macros (the macro admin lets each delete only their own or, as a lead, the department's).
    deletes = {p for p in granted if p.split(".")[1].startswith("delete_")}
    assert deletes == {
        "knowledge.delete_phrasing",
        "macros.delete_macro",
        "macros.delete_macrotranslation",
    }
    assert not {p for p in granted if p.startswith("accounts.change_")}


def test_an_agent_in_the_group_may_look_at_departments_but_not_edit_them(
    client, department, agents_group
):
    agent = make_staff(AgentFactory(departments=[department]), agents_group)
    client.force_login(agent.user)

    view = client.get(admin_url(type(department), "change", department.pk))
    posted = client.post(admin_url(type(department), "change", department.pk), {"name": "X"})

    assert view.status_code == 200
    assert posted.status_code == 403
    department.refresh_from_db()
    assert department.name == "IT support"
