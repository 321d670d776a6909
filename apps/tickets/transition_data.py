"""The data a transition takes, as typed objects, and checking and resolving it (department,
assignee, category, priority) inside the door, under the request's lock."""

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from apps.accounts.models import Agent, Department
from apps.core.errors import InvalidData
from apps.lifecycle.priority import Priority
from apps.tickets.models import Category, ServiceRequest

_FRAMEWORK_PARAMS = {"self", "at"}


@dataclass(frozen=True, kw_only=True)
class RouteData:
    """`route`: the department (an instance or its id), and what a routing rule sets."""

    department: Department | int
    priority: int | None = None
    tags: list[str] | str | None = None
    required_skills: dict[str, int] | str | None = None


@dataclass(frozen=True, kw_only=True)
class RequireApprovalData:
    """`require_approval`: who approves, a named group (an instance or its id), else the leads
    of a department (the request's own if none is given)."""

    approval_department: Department | int | None = None
    approval_group: Group | int | None = None


@dataclass(frozen=True, kw_only=True)
class AssignData:
    """`assign` and `reassign`: the agent (an instance or its id)."""

    assignee: Agent | int


@dataclass(frozen=True, kw_only=True)
class EscalateData:
    """`escalate`: whether the priority goes up one step too."""

    raise_priority: bool = False


@dataclass(frozen=True, kw_only=True)
class TransferData:
    """`transfer`: the department the request moves to."""

    department: Department | int


@dataclass(frozen=True, kw_only=True)
class ReprioritizeData:
    """`reprioritize`: the new priority (1 critical - 4 low)."""

    priority: int


@dataclass(frozen=True, kw_only=True)
class RecategorizeData:
    """`recategorize`: the new category (an instance or its id)."""

    category: Category | int | None


@dataclass(frozen=True, kw_only=True)
class MergeData:
    """`merge`: the request this one is merged into, locked by `merging.do_merge_requests`,
    which moves the conversation with it (the transition alone would not)."""

    into: ServiceRequest


TransitionData = (
    RouteData
    | RequireApprovalData
    | AssignData
    | EscalateData
    | TransferData
    | ReprioritizeData
    | RecategorizeData
    | MergeData
)
# The transitions that take data, and its type; the others take none.
DATA_TYPES: dict[str, type[TransitionData]] = {
    "route": RouteData,
    "require_approval": RequireApprovalData,
    "assign": AssignData,
    "reassign": AssignData,
    "escalate": EscalateData,
    "transfer": TransferData,
    "reprioritize": ReprioritizeData,
    "recategorize": RecategorizeData,
    "merge": MergeData,
}


def expected_params(method: Callable[..., Any]) -> tuple[set[str], set[str]]:
    """(all, required) keyword names a transition method takes besides `at`."""
    params = inspect.signature(method).parameters.values()
    names = {p.name for p in params if p.name not in _FRAMEWORK_PARAMS}
    required = {
        p.name
        for p in params
        if p.name not in _FRAMEWORK_PARAMS and p.default is inspect.Parameter.empty
    }
    return names, required


def transition_data(name: str, fields: Mapping[str, Any]) -> TransitionData | None:
    """The typed data of transition `name` from input fields (an API body, a form, a script);
    None for no fields. InvalidData names every unknown and every missing field."""
    data_type = DATA_TYPES.get(name)
    known = {f.name for f in dataclasses.fields(data_type)} if data_type else set()
    errors = {key: _("Not taken by this transition.") for key in fields.keys() - known}
    if fields and data_type is not None:
        errors.update({key: _("Required.") for key in _required(data_type) - fields.keys()})
    if errors:
        raise _wrong(name, errors)
    if not fields or data_type is None:  # (fields for a transition taking none raised above)
        return None
    return data_type(**fields)


def clean_transition_data(
    request: ServiceRequest, name: str, data: TransitionData | None
) -> dict[str, Any]:
    """The method's keyword arguments from `data`, ids resolved to objects and values checked
    against the request as it is under the lock; InvalidData names every bad field."""
    data_type = DATA_TYPES.get(name)
    if data is None:
        missing = _required(data_type) if data_type is not None else set()
        if missing:
            raise _wrong(name, {key: _("Required.") for key in missing})
        return {}
    if data_type is None or not isinstance(data, data_type):
        raise _wrong(name, {"data": _("Not taken by this transition.")})
    cleaned = {f.name: getattr(data, f.name) for f in dataclasses.fields(data)}
    return _resolve(cleaned, request)


def _required(data_type: type[TransitionData]) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(data_type)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


def _wrong(name: str, fields: dict[str, str]) -> InvalidData:
    return InvalidData(_("Wrong data for '%(name)s'.") % {"name": name}, fields=fields)


def _resolve(cleaned: dict[str, Any], request: ServiceRequest) -> dict[str, Any]:
    if "department" in cleaned:
        cleaned["department"] = _department(cleaned["department"], request)
    if "assignee" in cleaned:
        cleaned["assignee"] = _assignee(cleaned["assignee"], request)
    if cleaned.get("tags") is not None:
        cleaned["tags"] = _tags(cleaned["tags"])
    if cleaned.get("required_skills") is not None:
        cleaned["required_skills"] = _skills(cleaned["required_skills"])
    if cleaned.get("approval_department") is not None:
        cleaned["approval_department"] = _approval_department(cleaned["approval_department"])
    if cleaned.get("approval_group") is not None:
        cleaned["approval_group"] = _approval_group(cleaned["approval_group"])
    if "category" in cleaned:
        cleaned["category"] = _category(cleaned["category"], request)
    if cleaned.get("priority") is not None:
        cleaned["priority"] = _priority(cleaned["priority"])
    if "into" in cleaned and not isinstance(cleaned["into"], ServiceRequest):
        # An id from a form or a body: merging goes through its own action, never this way.
        raise InvalidData(
            _("Requests are merged with the merge action, which moves their conversation."),
            fields={"into": _("Use the merge action.")},
        )
    return cleaned


def _department(value: Department | int | None, request: ServiceRequest) -> Department:
    department: Department | None
    if isinstance(value, Department) and value.pk:
        department = value  # read by the caller (a form's choice, the routing worker's cache)
    else:
        pk = value.pk if isinstance(value, Department) else value  # an unsaved one: no such
        department = Department.objects.filter(pk=pk).first() if pk is not None else None
    if department is None:
        raise InvalidData(_("No such department."), fields={"department": _("No such department.")})
    if request.state != "new" and department.pk == request.department_id:
        raise InvalidData(
            _("The request is already in that department."),
            fields={"department": "Already the request's department."},
        )
    return department


def _approval_department(value: Department | int) -> Department:
    if isinstance(value, Department) and value.pk:
        return value  # read by the caller (the routing worker's cache)
    pk = value.pk if isinstance(value, Department) else value
    department = Department.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if department is None:
        raise InvalidData(
            _("No such department."), fields={"approval_department": _("No such department.")}
        )
    return department


def _approval_group(value: Group | int) -> Group:
    if isinstance(value, Group) and value.pk:
        return value
    pk = value.pk if isinstance(value, Group) else value
    group = Group.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if group is None:
        raise InvalidData(_("No such group."), fields={"approval_group": _("No such group.")})
    return group


def _assignee(value: Agent | int | None, request: ServiceRequest) -> Agent:
    if isinstance(value, Agent) and getattr(value, "vouched_for", None) == request.department_id:
        # Read by the caller as an active, online agent of the department under the agents'
        # row lock (apps/routing/selection.AgentPool.agent), in the same transaction.
        return value
    pk = value.pk if isinstance(value, Agent) else value
    active = Agent.objects.filter(user__is_active=True)
    # One query on the way that succeeds; the second only to say what is wrong.
    agent = (
        active.filter(pk=pk, departments=request.department_id).first()
        if pk and request.department_id
        else None
    )
    if agent is None:
        if pk and active.filter(pk=pk).exists():
            raise InvalidData(
                _("%(agent)s is not an agent of the request's department.")
                % {"agent": Agent.objects.get(pk=pk)},
                fields={"assignee": "Not an agent of the request's department."},
            )
        raise InvalidData(_("No such agent."), fields={"assignee": _("No such active agent.")})
    if agent.pk == request.assignee_id:
        raise InvalidData(
            _("%(agent)s already holds the request.") % {"agent": agent},
            fields={"assignee": _("Already the assignee.")},
        )
    return agent


def _category(value: Category | int | None, request: ServiceRequest) -> Category:
    pk = value.pk if isinstance(value, Category) else value
    category = Category.objects.filter(pk=pk, is_active=True).first() if pk else None
    if category is None:
        raise InvalidData(
            _("No such category."), fields={"category": _("No such active category.")}
        )
    if category.pk == request.category_id:
        raise InvalidData(
            _("The request is already in that category."),
            fields={"category": "Already the request's category."},
        )
    return category


def _tags(value: object) -> list[str]:
    """A list of short labels; text (from a form) is split on commas."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(t, str) for t in items):
        raise InvalidData(_("Tags are a list of words."), fields={"tags": _("A list of words.")})
    tags = sorted({t.strip().lower() for t in items if t.strip()})
    if len(tags) > 20 or any(len(t) > 40 for t in tags):
        raise InvalidData(_("At most 20 tags of 40 characters."), fields={"tags": _("Too long.")})
    return tags


def _skills(value: object) -> dict[str, int]:
    """Skill name -> level 1-5; text (from a form) reads "networking:3, vpn:2"."""
    if isinstance(value, str):
        pairs = [p.split(":", 1) for p in value.split(",") if p.strip()]
        try:
            value = {name.strip(): int(level) for name, level in pairs}
        except ValueError:
            value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, int) and 1 <= v <= 5
        for k, v in value.items()
    ):
        raise InvalidData(
            _("Required skills are skill names with levels 1-5."),
            fields={"required_skills": 'e.g. {"networking": 3}'},
        )
    return {k.strip(): v for k, v in value.items()}


def _priority(value: Any) -> Priority:  # Any: unchecked input (an int, a form's text, JSON)
    try:
        return Priority(int(value))
    except (TypeError, ValueError):
        raise InvalidData(
            _("Unknown priority."),
            fields={"priority": _("One of %(values)s.") % {"values": [p.value for p in Priority]}},
        ) from None
