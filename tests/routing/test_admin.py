"""Routing in the admin: rules and their checks, departments' strategies, agents' availability
through the door, agents' load, and the explained decisions in a request's timeline."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts import admin as accounts_admin
from apps.accounts.actors import SYSTEM, actor_for_user
from apps.accounts.models import Agent, Availability, Skill
from apps.routing.admin import RoutingRuleForm
from apps.routing.models import RoutingRule
from apps.sla.models import BusinessCalendar
from apps.tickets.admin.inlines import explain_summary
from apps.tickets.models import Category
from tests.factories import AgentFactory, CustomerFactory, DepartmentFactory, drive, submit
from workflows.assignment import assign_request
from workflows.routing import route_request

pytestmark = pytest.mark.django_db


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:{model}_{view}", args=args)


def flashed(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def rule_data(**fields) -> dict:
    data = {
        "name": "VPN to networking",
        "order": "10",
        "active": "on",
        "keywords": '["vpn", "wifi"]',
        "pattern": "",
        "channels": '["email"]',
        "customer_tiers": '["gold"]',
        "languages": '["zh-hans"]',
        "active_from": "",
        "active_until": "",
        "time_zone": "Europe/Berlin",
        "priority": "",
        "tags": '["network"]',
        "required_skills": "{}",
    }
    return {**data, **fields}


@pytest.fixture
def networking(db):
    return Skill.objects.create(name="networking")


@pytest.fixture
def vpn_rule(department, networking):
    rule = RoutingRule.objects.create(
        name="VPN <b>& Wi-Fi</b>",
        order=10,
        keywords=["vpn"],
        channels=["email"],
        department=department,
        raise_priority=True,
        tags=["network"],
        required_skills={"networking": 3},
    )
    rule.categories.add(Category.objects.create(name="Network", default_department=department))
    return rule


# --- rules ------------------------------------------------------------------------------------


def test_rule_pages_open_for_a_superuser(admin_client, vpn_rule):
    listed = admin_client.get(url("routing_routingrule", "changelist"))
    added = admin_client.get(url("routing_routingrule", "add"))
    changed = admin_client.get(url("routing_routingrule", "change", vpn_rule.pk))

    assert (listed.status_code, added.status_code, changed.status_code) == (200, 200, 200)
    content = listed.content.decode()
    assert "categories: Network; keywords: vpn; channels: E-mail" in content
    assert "department: IT support; priority: raise one step; tags: network" in content
    assert "skills: networking 3+" in content
    assert 'name="form-0-order"' in content  # order is edited in the list
    assert "VPN &lt;b&gt;&amp; Wi-Fi&lt;/b&gt;" in content
    assert "first match wins" in added.content.decode()
    assert "triage department" in added.content.decode()


def test_a_valid_rule_is_saved_from_the_add_page(admin_client, department, networking):
    category = Category.objects.create(name="Network")

    response = admin_client.post(
        url("routing_routingrule", "add"),
        rule_data(
            categories=[category.pk],
            department=department.pk,
            keywords='[" vpn ", "vpn", "wifi"]',
            required_skills='{"networking": 3}',
            active_from="22:00",
            active_until="06:00",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get(name="VPN to networking")
    assert (rule.keywords, rule.channels, rule.customer_tiers, rule.languages) == (
        ["vpn", "wifi"],
        ["email"],
        ["gold"],
        ["zh-hans"],
    )
    assert (rule.required_skills, rule.time_zone) == ({"networking": 3}, "Europe/Berlin")
    assert list(rule.categories.all()) == [category]


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("keywords", '"vpn"', 'Enter a JSON list such as ["vpn"]'),
        ("keywords", '["vpn", " "]', "Each entry must be a non-empty string."),
        ("keywords", "[42]", "Each entry must be a non-empty string."),
        ("channels", '["fax"]', 'Unknown value "fax"; use any of "api" (API)'),
        ("customer_tiers", '["diamond"]', 'Unknown value "diamond"; use any of "standard"'),
        ("languages", '["fr"]', 'Unknown value "fr"; use any of "en" (English)'),
        ("languages", '{"en": 1}', 'Enter a JSON list such as ["en"]'),
        ("tags", '["' + "x" * 41 + '"]', "Tags are at most 40 characters"),
        ("tags", '[""]', "Each entry must be a non-empty string."),
        ("required_skills", '["networking"]', "Enter a JSON object of skill names to levels"),
        ("required_skills", '{"networking": 6}', 'Levels are whole numbers from 1 to 5: "networ'),
        ("required_skills", '{"networking": true}', "Levels are whole numbers from 1 to 5"),
        ("required_skills", '{"networking": "3"}', "Levels are whole numbers from 1 to 5"),
        ("required_skills", '{"cooking": 2}', 'No such skill: "cooking"'),
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice."),
        ("pattern", "([a-z", "Not a valid regular expression"),
        ("raise_priority", "on", "Set a priority or raise it one step, not both."),
    ],
)
def test_each_value_is_checked_as_the_matcher_reads_it(networking, field, value, error):
    form = RoutingRuleForm(data=rule_data(priority="2", **{field: value}))

    assert not form.is_valid()
    [message] = form.errors[field]
    assert message.startswith(error), message


def test_hours_need_both_ends():
    form = RoutingRuleForm(data=rule_data(active_from="09:00"))

    assert not form.is_valid()
    assert "Set both 'from' and 'until'" in form.non_field_errors()[0]


def test_a_rule_needs_an_action():
    form = RoutingRuleForm(data=rule_data(tags="[]"))

    assert not form.is_valid()
    assert form.non_field_errors() == [
        "Choose at least one action: a department, a priority, tags, skills or an approval."
    ]


def test_empty_conditions_are_saved_as_empty_lists():
    form = RoutingRuleForm(data=rule_data(keywords="", channels="null", languages="[]"))

    assert form.is_valid(), form.errors
    assert [form.cleaned_data[n] for n in ("keywords", "channels", "languages")] == [[], [], []]


# --- departments ------------------------------------------------------------------------------


def test_a_department_edits_its_strategy_requeueing_and_hours(admin_client, department):
    calendar = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Berlin")

    response = admin_client.post(
        url("accounts_department", "change", department.pk),
        {
            "name": department.name,
            "code": department.code,
            "assignment_strategy": "round_robin",
            "calendar": calendar.pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    department.refresh_from_db()
    assert (department.assignment_strategy, department.rebalance_on_offline) == (
        "round_robin",
        False,
    )
    assert department.calendar == calendar
    listed = admin_client.get(url("accounts_department", "changelist"))
    assert "Round robin" in listed.content.decode()


# --- agents -----------------------------------------------------------------------------------


@pytest.fixture
def door_calls(monkeypatch):
    """The calls the admin makes to the availability door, passed on to the real one."""
    calls = []
    door = accounts_admin.do_set_availability

    def spy(agent, availability, *, actor):
        calls.append((agent.pk, availability, actor.user_id))
        return door(agent, availability, actor=actor)

    monkeypatch.setattr(accounts_admin, "do_set_availability", spy)
    return calls


def act(client, action: str, agents) -> object:
    return client.post(
        url("accounts_agent", "changelist"),
        {"action": action, "_selected_action": [a.pk for a in agents], "index": "0"},
        follow=True,
    )


def test_a_superuser_sets_agents_away_through_the_door(admin_client, agent, door_calls):
    offline = AgentFactory(user__username="dave", availability=Availability.AWAY)
    superuser = admin_client.session["_auth_user_id"]

    response = act(admin_client, "set_away", [agent, offline])

    assert [(pk, value) for pk, value, _user in door_calls] == [
        (agent.pk, "away"),
        (offline.pk, "away"),
    ]
    assert {str(user) for _pk, _value, user in door_calls} == {superuser}
    assert flashed(response) == ["Set to Away: alice.", "Unchanged, already Away: dave."]
    assert Agent.objects.get(pk=agent.pk).availability == "away"


def test_an_agent_sets_only_their_own_availability(agent_client, staff_agent, other_agent):
    Agent.objects.filter(pk=staff_agent.pk).update(availability=Availability.OFFLINE)

    response = act(agent_client, "set_online", [staff_agent, other_agent])

    assert response.status_code == 200
    assert flashed(response) == [
        "bob: refused: You may set only your own availability.",
        "Set to Online: alice.",
    ]
    availability = dict(Agent.objects.values_list("user__username", "availability"))
    assert availability == {"alice": "online", "bob": "online"}
    Agent.objects.filter(pk=other_agent.pk).update(availability=Availability.AWAY)
    act(agent_client, "set_offline", [other_agent])
    assert Agent.objects.get(pk=other_agent.pk).availability == "away"


def test_availability_is_read_only_in_the_change_form(admin_client, agent, department):
    page = admin_client.get(url("accounts_agent", "change", agent.pk))
    posted = admin_client.post(
        url("accounts_agent", "change", agent.pk),
        {
            "user": agent.user.pk,
            "departments": [department.pk],
            "capacity": "5",
            "availability": "offline",
            "skill_levels-TOTAL_FORMS": "0",
            "skill_levels-INITIAL_FORMS": "0",
        },
    )

    content = page.content.decode()
    assert 'name="availability"' not in content
    assert "field-last_assigned_at" in content
    assert posted.status_code == 302, posted.context["adminform"].form.errors
    assert Agent.objects.filter(pk=agent.pk).values_list("capacity", "availability").get() == (
        5,
        "online",
    )


def loaded_agents(count: int, department) -> None:
    """`count` agents, each holding two open requests and one resolved."""
    customer = CustomerFactory()
    for _ in range(count):
        agent = AgentFactory(departments=[department])
        for steps in (["start"], [], ["start", "resolve"]):
            assigned = drive(
                submit(customer),
                ("route", {"department": department}, SYSTEM),
                ("assign", {"assignee": agent}, SYSTEM),
            )
            drive(assigned, *steps, actor=actor_for_user(agent.user))


def changelist_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("accounts_agent", "changelist"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_agent_list_shows_load_in_a_fixed_number_of_queries(admin_client):
    department = DepartmentFactory()
    loaded_agents(1, department)
    one, content = changelist_queries(admin_client)
    assert re.findall(r'class="field-load">([^<]*)<', content) == ["2 / 10"]

    loaded_agents(9, department)
    ten, content = changelist_queries(admin_client)

    assert re.findall(r'class="field-load">([^<]*)<', content) == ["2 / 10"] * 10
    assert ten == one


# --- the request's timeline -------------------------------------------------------------------


def why_cells(response) -> list[str]:
    cells = re.findall(r'<td class="field-why">(.*?)</td>', response.content.decode(), re.S)
    return [re.sub(r"\s+", " ", cell).strip() for cell in cells]


def test_the_timeline_says_which_rule_routed_and_which_strategy_assigned(
    admin_client, customer, agent, department, vpn_rule
):
    AgentFactory(user__username="erin", departments=[department], capacity=4)
    RoutingRule.objects.filter(pk=vpn_rule.pk).update(required_skills={}, channels=[])
    service_request = submit(
        customer, subject="VPN drops every hour", category=vpn_rule.categories.get()
    )
    route_request(service_request.pk)
    assign_request(service_request.pk)

    response = admin_client.get(url("tickets_servicerequest", "change", service_request.pk))

    assert response.status_code == 200
    _submitted, routed, assigned = why_cells(response)
    assert "routed by rule" in routed
    assert "rule: VPN &lt;b&gt;&amp; Wi-Fi&lt;/b&gt;" in routed
    assert "<b>" not in routed
    assert "least loaded (0/10)" in assigned
    assert "Least loaded: chose alice; candidates: alice 0/10, erin 0/4" in assigned


def candidates(count: int) -> list[dict]:
    return [
        {"agent": n, "name": f"agent{n}", "load": n, "capacity": 10, "skills": {}}
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(
    ("explain", "summary"),
    [
        (
            {"rule": None, "rule_id": None, "department_from": "triage"},
            "no rule matched; department: the triage department",
        ),
        (
            {"rule": "Printers", "rule_id": 3, "department_from": "category"},
            "rule: Printers; department: the category's default department",
        ),
        (
            {"strategy": "round_robin", "chosen": 2, "candidates": candidates(7)},
            "Round robin: chose agent2; candidates: agent1 1/10, agent2 2/10, agent3 3/10, "
            "agent4 4/10, agent5 5/10 and 2 more",
        ),
        (
            {"strategy": "skills", "chosen": 9, "candidates": []},
            "Skills, then least loaded: chose 9; candidates: -",
        ),
        (None, ""),
        ({"something": "else"}, ""),
    ],
)
def test_the_explanation_is_summed_up_from_the_payload_alone(explain, summary):
    assert explain_summary(explain) == summary
