"""A macro's variables: the fixed set it may name, checking a text names only those, rendering it.

Texts are Django templates limited to text and `{{ variable }}` (with a few harmless filters),
rendered by an engine of their own with a context of plain strings: no tags, no attribute
access to model objects, nothing a macro author could use to read what the variables do not
offer. A text naming anything else is refused when the macro is saved.
"""

import re
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.selectors import public_name
from apps.core.admin_site import desk_name

# Every variable a macro may name, with what it holds (docs/macros.md lists them too).
VARIABLES: dict[str, Any] = {
    "customer.name": gettext_lazy("the customer's full name (else their user name)"),
    "customer.first_name": gettext_lazy("the customer's first name (else their name)"),
    "customer.organisation": gettext_lazy("the customer's organisation"),
    "request.reference": gettext_lazy("the request's reference, e.g. SR-000123"),
    "request.subject": gettext_lazy("the request's subject"),
    "request.state": gettext_lazy("the request's state, in the customer's language"),
    "request.category": gettext_lazy("the request's category"),
    "agent.name": gettext_lazy("the name of the agent sending the reply"),
    "agent.first_name": gettext_lazy("the sending agent's first name (else their name)"),
    "department.name": gettext_lazy("the request's department"),
    "desk.name": gettext_lazy("the desk's name"),
}
# Filters that only change letters or fill a blank.
FILTERS = frozenset({"upper", "lower", "title", "capfirst", "default"})

_TAG = re.compile(r"\{%.*?(%\}|$)", re.DOTALL)
_ENGINE = Engine(autoescape=False)  # replies are plain text (Markdown); the page sanitises


class UnknownVariable(ValueError):
    """A text names something a macro may not use; the message says what and what may be used."""


def variable_list() -> str:
    return ", ".join("{{ %s }}" % name for name in VARIABLES)  # noqa: UP031  braces in the text


def check(text: str) -> Template:
    """The text as a template, if it names only `VARIABLES` and `FILTERS`; else UnknownVariable."""
    tag = _TAG.search(text)
    if tag:  # refused before parsing: `{% load %}` would reach for libraries
        raise UnknownVariable(
            _("Macros take variables only, not template tags such as %(tag)s.")
            % {"tag": tag.group(0)}
        )
    try:
        template = _ENGINE.from_string(text)
    except TemplateSyntaxError as exc:
        raise UnknownVariable(
            _("This text is not a valid macro (%(problem)s). Variables are written as %(example)s.")
            % {"problem": exc, "example": "{{ customer.name }}"}
        ) from exc
    for node in template.nodelist:
        if isinstance(node, TextNode):
            if "{{" in node.s:
                raise UnknownVariable(
                    _("A variable is not closed: write it as %(example)s.")
                    % {"example": "{{ customer.name }}"}
                )
            continue
        if not isinstance(node, VariableNode):
            raise UnknownVariable(
                _("Macros take variables only, not template tags such as %(tag)s.")
                % {"tag": node.token.contents if node.token else type(node).__name__}
            )
        _check_expression(node.filter_expression)
    return template


def _check_expression(expression: FilterExpression) -> None:
    variable = expression.var
    name = ".".join(variable.lookups or ()) if isinstance(variable, Variable) else ""
    if name not in VARIABLES:
        raise UnknownVariable(
            _("Unknown variable {{ %(name)s }}. A macro may use: %(known)s.")
            % {"name": name or expression.token, "known": variable_list()}
        )
    for function, args in expression.filters:
        for is_lookup, argument in args:
            if is_lookup and ".".join(argument.lookups or ()) not in VARIABLES:
                raise UnknownVariable(
                    _("Unknown variable %(name)s. A macro may use: %(known)s.")
                    % {"name": argument, "known": variable_list()}
                )
        if function.__name__ not in FILTERS:
            raise UnknownVariable(
                _("Unknown filter |%(name)s. A macro may use: %(known)s.")
                % {"name": function.__name__, "known": ", ".join(sorted(FILTERS))}
            )


def values_for(service_request, agent_user) -> dict[str, dict[str, str]]:
    """The variables' values for a reply on `service_request` by `agent_user`, as plain nested
    dicts of strings. Call it with the customer's language active (the state's name)."""
    customer = service_request.customer
    customer_name = customer.user.get_full_name() or customer.user.get_username()
    agent_name = public_name(agent_user) if agent_user is not None else desk_name()
    department = service_request.department
    category = service_request.category
    return {
        "customer": {
            "name": customer_name,
            "first_name": customer.user.first_name or customer_name,
            "organisation": customer.organisation,
        },
        "request": {
            "reference": service_request.reference,
            "subject": service_request.subject,
            "state": str(service_request.get_state_display()),
            "category": category.name if category is not None else "",
        },
        "agent": {
            "name": agent_name,
            "first_name": (agent_user.first_name if agent_user is not None else "") or agent_name,
        },
        "department": {"name": department.name if department is not None else ""},
        "desk": {"name": desk_name()},
    }


def render(text: str, values: dict[str, dict[str, str]]) -> str:
    """The text with its variables filled in; UnknownVariable if it names anything else."""
    return check(text).render(Context(values, autoescape=False))
