"""The macro picker in the request page's reply box: what it offers, and sending with a macro."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.actors import Actor, Role
from apps.core.errors import InvalidData
from apps.macros import selectors, services, variables
from apps.macros.models import Macro

TEMPLATE = "admin/macros/reply_picker.html"
FIELD = "macro"  # the reply form's field naming the macro to apply
_DESTRUCTIVE = frozenset({"cancel", "close"})


def picker(service_request, actor: Actor | None) -> dict[str, Any] | None:
    """The macros the agent may use, each rendered for this request (the JSON the page's
    script fills the reply with); None when there are none. Two queries for any number."""
    if actor is None or actor.role != Role.AGENT:
        return None
    macros = list(selectors.list_macros_for(actor))
    if not macros:
        return None
    open_now = set(service_request.transitions_for(actor))
    agent_language = translation.get_language() or settings.LANGUAGE_CODE
    languages = dict(settings.LANGUAGES)
    choices = []
    for macro in macros:
        try:
            rendered = selectors.render_for(macro, service_request, actor.user)
        except variables.UnknownVariable:
            continue  # saved around the checks; applying it says why
        choices.append(
            {
                "id": macro.pk,
                "name": macro.name_in(agent_language),
                "shared": macro.department.name if macro.department else "",
                "text": rendered.text,
                "language": str(languages.get(rendered.language, rendered.language)),
                "transition": macro.transition,
                "then": str(macro.get_transition_display()) if macro.transition else "",
                "open": not macro.transition or macro.transition in open_now,
                "destructive": macro.transition in _DESTRUCTIVE,
            }
        )
    return {"macros": choices, "field": FIELD} if choices else None


def send(
    service_request, *, actor: Actor, body: str, internal: bool, files: list, value: str
) -> str:
    """Apply the macro named by `value` with the reply as the agent left it in the box."""
    if internal:
        raise InvalidData(
            _("A macro sends a public reply: untick 'Internal note' or clear the macro."),
            fields={"internal": _("Not with a macro.")},
        )
    macro = selectors.get_macro_for(actor, value)
    if macro is None:
        raise InvalidData(
            _("That macro is not available to you (any more)."), fields={FIELD: value}
        )
    applied = services.do_apply_macro(
        service_request, macro=macro, actor=actor, body=body, files=files
    )
    return done_text(macro, applied)


def done_text(macro: Macro, applied: services.Applied) -> str:
    if not macro.transition:
        return _("Reply sent to the customer with the macro '%(macro)s'.") % {"macro": macro.name}
    return _(
        "Reply sent to the customer with the macro '%(macro)s'; %(transition)s done, "
        "%(reference)s is now %(state)s."
    ) % {
        "macro": macro.name,
        "transition": macro.get_transition_display(),
        "reference": applied.request.reference,
        "state": applied.request.get_state_display(),
    }
