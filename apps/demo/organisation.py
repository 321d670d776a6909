"""The demo organisation: departments, agents with skills, customers, categories and an admin."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from apps.accounts.models import Agent, AgentSkill, Customer, Department, Skill
from apps.tickets.models import Category

# One password for every demo account, printed with the logins; never use it beyond a demo.
DEMO_PASSWORD = "demo-pass-2026"
AGENTS_GROUP = "Agents"

# code, name, is the triage department
DEPARTMENTS = [
    ("it", "IT support", True),
    ("finance", "Finance", False),
    ("facilities", "Facilities", False),
    ("engineering", "Engineering", False),  # tier 2: takes what IT cannot solve
]

# username, full name, departments, leads them, capacity, availability, {skill: level}
AGENTS = [
    ("ivan", "Ivan Novak", ["it"], True, 8, "online", {"Hardware": 4, "Networking": 3}),
    ("alice", "Alice Chen", ["it"], False, 10, "online", {"Passwords": 5, "Mandarin": 5}),
    ("bob", "Bob Okafor", ["it"], False, 6, "away", {"Networking": 4, "Hardware": 2}),
    ("fiona", "Fiona Walsh", ["finance"], True, 8, "online", {"Invoicing": 5}),
    ("farid", "Farid Haddad", ["finance"], False, 8, "offline", {"Invoicing": 3}),
    ("frank", "Frank Moreau", ["facilities"], True, 12, "online", {"Access control": 4}),
    ("grace", "Grace Lim", ["facilities"], False, 12, "online", {"Access control": 2}),
    ("erin", "Erin Kowalski", ["engineering"], True, 6, "online", {"Python": 5, "Databases": 4}),
    ("eli", "Eli Zhang", ["engineering", "it"], False, 5, "away", {"Python": 3, "Mandarin": 4}),
]

# username, full name, organisation, tier, language
CUSTOMERS = [
    ("carol", "Carol Smith", "Acme Ltd", "standard", "en"),
    ("dave", "Dave Brown", "Globex", "gold", "en"),
    ("paul", "Paul Martin", "Initech", "platinum", "en"),
    ("li", "Li Wei", "华星科技", "platinum", "zh-hans"),
    ("mei", "Wang Mei", "华星科技", "gold", "zh-hans"),
]

# name, default department (None: the router sends it to triage)
CATEGORIES = [
    ("Hardware", "it"),
    ("New laptop", "it"),
    ("Password reset", "it"),
    ("Invoice", "finance"),
    ("Building access", "facilities"),
    ("Software bug", "engineering"),
    ("General question", None),
]

# Categories whose requests wait for the leads of their department (IT: ivan) before routing.
APPROVED_CATEGORIES = frozenset({"New laptop"})


@dataclass
class Organisation:
    """What the stories need, by the keys the tables above use."""

    departments: dict[str, Department] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)


def build_organisation() -> Organisation:
    """Create the admin, departments, agents, customers and categories of the demo."""
    org = Organisation()
    # Hashing takes a good fraction of a second by design; one hash serves every demo account.
    password = make_password(DEMO_PASSWORD)
    _user("admin", "Desk Administrator", password, is_staff=True, is_superuser=True)
    for code, name, is_triage in DEPARTMENTS:
        org.departments[code] = Department.objects.create(code=code, name=name, is_triage=is_triage)
    agents_group, _ = Group.objects.get_or_create(name=AGENTS_GROUP)
    for username, full_name, codes, leads, capacity, availability, skills in AGENTS:
        user = _user(username, full_name, password, is_staff=True)
        user.groups.add(agents_group)
        agent = Agent.objects.create(user=user, capacity=capacity, availability=availability)
        agent.departments.add(*(org.departments[code] for code in codes))
        for skill_name, level in skills.items():
            skill, _ = Skill.objects.get_or_create(name=skill_name)
            AgentSkill.objects.create(agent=agent, skill=skill, level=level)
        if leads:
            for code in codes:
                org.departments[code].leads.add(user)
        org.agents[username] = agent
    for username, full_name, organisation, tier, language in CUSTOMERS:
        org.customers[username] = Customer.objects.create(
            user=_user(username, full_name, password),
            organisation=organisation,
            tier=tier,
            language=language,
        )
    for name, code in CATEGORIES:
        org.categories[name] = Category.objects.create(
            name=name,
            default_department=org.departments[code] if code else None,
            requires_approval=name in APPROVED_CATEGORIES,
        )
    return org


def _user(username: str, full_name: str, password: str, *, is_staff=False, is_superuser=False):
    """The demo user, created with the demo password; an existing account is left untouched."""
    first, _, last = full_name.partition(" ")
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "password": password,
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.com",
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    return user
