"""Demo requests in most states, each submitted and moved only through the one door."""

from dataclasses import dataclass

from apps.accounts.actors import BOT, SYSTEM, Actor, actor_for_user
from apps.demo.organisation import Organisation
from apps.tickets import services
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import transition_data

# A step is (who, verb, argument): who is a username, "customer", "system" or "bot"; verb is
# a transition name (argument: its data, with department codes and agent usernames) or
# "say" / "note" for a public reply or an internal note (argument: the text).
Step = tuple[str, str, object]


@dataclass(frozen=True)
class Story:
    customer: str
    subject: str
    category: str | None
    steps: tuple[Step, ...] = ()
    description: str = ""
    impact: str = "medium"
    urgency: str = "medium"
    channel: str = "web"


def _worked(department: str, agent: str, lead: str) -> tuple[Step, ...]:
    """Routed by the IT lead (triage), assigned by the department's lead, started by `agent`."""
    return (
        ("ivan", "route", {"department": department, "reason": "triaged by hand"}),
        (lead, "assign", {"assignee": agent}),
        (agent, "start", {}),
    )


STORIES = [
    # Left in `new`: the worker routes them once it starts.
    Story(
        "carol",
        "Laptop will not turn on",
        "Hardware",
        impact="low",
        urgency="high",
        description="Since this morning the power light stays off, even when plugged in.",
    ),
    Story(
        "li",
        "无法登录邮箱",
        "Password reset",
        channel="email",
        description="我的邮箱密码过期了, 无法登录。",
    ),
    # The category requires approval: the worker sends it to IT's lead (ivan) to approve.
    Story(
        "dave",
        "New laptop for our new designer",
        "New laptop",
        impact="low",
        urgency="medium",
        description="Our new designer starts on Monday and needs a 16-inch laptop.",
    ),
    Story(
        "paul",
        "Question about our support contract",
        None,
        description="Does our contract cover weekend support?",
    ),
    # queued in Finance
    Story(
        "dave",
        "Invoice INV-2291 charged twice",
        "Invoice",
        impact="medium",
        urgency="high",
        steps=(("ivan", "route", {"department": "finance", "reason": "triaged by hand"}),),
    ),
    # assigned in Facilities
    Story(
        "mei",
        "门禁卡失效",
        "Building access",
        description="我的门禁卡今天无法打开三楼的门。",
        steps=(
            ("ivan", "route", {"department": "facilities"}),
            ("frank", "assign", {"assignee": "grace"}),
        ),
    ),
    # in progress, answered
    Story(
        "carol",
        "Printer on floor 3 jams",
        "Hardware",
        steps=(
            *_worked("it", "alice", "ivan"),
            ("alice", "say", "I am on my way with a new fuser unit."),
        ),
    ),
    # pending on the customer
    Story(
        "dave",
        "VPN drops every hour",
        "Hardware",
        impact="high",
        steps=(
            *_worked("it", "bob", "ivan"),
            ("bob", "say", "Which version of the VPN client do you use?"),
            ("bob", "request_info", {}),
        ),
    ),
    # resolved
    Story(
        "paul",
        "Reset my password",
        "Password reset",
        urgency="high",
        steps=(
            *_worked("it", "alice", "ivan"),
            ("alice", "say", "Done: you will get a reset link by e-mail."),
            ("alice", "resolve", {}),
        ),
    ),
    # closed by the customer
    Story(
        "carol",
        "Need a second monitor",
        "Hardware",
        impact="low",
        urgency="low",
        steps=(
            *_worked("it", "bob", "ivan"),
            ("bob", "note", "Stock has two 27-inch monitors left."),
            ("bob", "say", "Your monitor is on your desk."),
            ("bob", "resolve", {}),
            ("customer", "say", "Thanks, works fine."),
            ("customer", "close", {}),
        ),
    ),
    # cancelled by the customer
    Story(
        "li",
        "Copy of invoice INV-2250",
        "Invoice",
        steps=(
            ("ivan", "route", {"department": "finance"}),
            ("customer", "cancel", {"reason": "found it in the portal"}),
        ),
    ),
    # answered by the bot, waiting for the customer
    Story(
        "mei",
        "How do I reset my password?",
        "Password reset",
        channel="chat",
        steps=(
            ("bot", "say", "Open https://id.example.com/reset and follow the steps."),
            ("bot", "propose_answer", {"reason": "FAQ match"}),
        ),
    ),
    # escalated twice, priority raised
    Story(
        "paul",
        "Checkout page returns error 500",
        "Software bug",
        impact="high",
        urgency="high",
        steps=(
            *_worked("engineering", "eli", "erin"),
            ("eli", "note", "Stack trace points at the payment adapter."),
            ("customer", "escalate", {"reason": "our shop is down"}),
            ("erin", "escalate", {"raise_priority": True, "reason": "platinum, outage"}),
        ),
    ),
    # transferred from IT to Engineering, assigned again
    Story(
        "dave",
        "Report export crashes",
        None,
        steps=(
            *_worked("it", "bob", "ivan"),
            ("bob", "note", "Reproduced: a bug in the export, not the PC."),
            ("bob", "transfer", {"department": "engineering", "reason": "software bug"}),
            ("erin", "assign", {"assignee": "eli"}),
        ),
    ),
    # resolved, then reopened by the customer
    Story(
        "carol",
        "Wi-Fi slow in meeting room B",
        "Hardware",
        steps=(
            *_worked("it", "eli", "ivan"),
            ("eli", "resolve", {}),
            ("customer", "say", "Still slow this afternoon."),
            ("customer", "reopen", {"reason": "still slow"}),
        ),
    ),
    # awaiting approval
    Story(
        "li",
        "Purchase a standing desk",
        None,
        impact="low",
        urgency="low",
        steps=(("system", "require_approval", {"reason": "purchases need approval"}),),
    ),
]


def play_stories(org: Organisation) -> list[ServiceRequest]:
    """Submit every story's request as its customer and run its steps; return the requests."""
    actors: dict[str, Actor] = {"system": SYSTEM, "bot": BOT}
    return [_play(story, org, actors) for story in STORIES]


def _play(story: Story, org: Organisation, actors: dict[str, Actor]) -> ServiceRequest:
    customer = org.customers[story.customer]
    request = services.do_submit_request(
        actor=_actor(customer.user.username, org, actors),
        customer=customer,
        subject=story.subject,
        description=story.description,
        channel=story.channel,
        category=org.categories[story.category] if story.category else None,
        impact=story.impact,
        urgency=story.urgency,
    )
    for who, verb, argument in story.steps:
        actor = _actor(customer.user.username if who == "customer" else who, org, actors)
        if verb in ("say", "note"):
            services.do_post_message(request, actor=actor, body=argument, internal=verb == "note")
        else:
            fields = _resolved(argument, org)
            reason = fields.pop("reason", "")
            services.transition(
                request, verb, actor=actor, reason=reason, data=transition_data(verb, fields)
            )
        # Messages and the transitions they trigger move the row on: work on the saved one.
        request = ServiceRequest.objects.get(pk=request.pk)
    return request


def _actor(key: str, org: Organisation, actors: dict[str, Actor]) -> Actor:
    if key not in actors:
        person = org.agents.get(key) or org.customers[key]
        actors[key] = actor_for_user(person.user)
    return actors[key]


def _resolved(data: dict, org: Organisation) -> dict:
    """Transition data with department codes and agent usernames turned into objects."""
    resolved = dict(data)
    if "department" in resolved:
        resolved["department"] = org.departments[resolved["department"]]
    if "assignee" in resolved:
        resolved["assignee"] = org.agents[resolved["assignee"]]
    return resolved
