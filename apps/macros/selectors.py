"""Reads of macros: those an agent may use, one of them, and what one says on a request."""

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import translation

from apps.accounts.actors import Actor
from apps.macros import variables
from apps.macros.models import Macro
from apps.macros.rules import visible_q


def list_macros_for(actor: Actor, *, active_only: bool = True) -> QuerySet[Macro]:
    """The macros `actor` may use (personal first, then by name), translations loaded: two
    queries however many there are."""
    macros = Macro.objects.filter(visible_q(actor))
    if active_only:
        macros = macros.filter(is_active=True)
    return (
        macros.select_related("department")
        .prefetch_related("translations")
        .order_by(F("department__name").asc(nulls_first=True), "name", "pk")
    )


def get_macro_for(actor: Actor, macro_id: object) -> Macro | None:
    """The active macro of that id if `actor` may use it, else None (as if there were none)."""
    try:
        pk = int(str(macro_id))
    except ValueError:
        return None
    return list_macros_for(actor).filter(pk=pk).first()


@dataclass(frozen=True)
class Rendered:
    """A macro's reply on one request: the text and the language it is in."""

    language: str
    text: str


def customer_language(service_request) -> str:
    return str(service_request.customer.language or translation.get_language())


def render_for(macro: Macro, service_request, agent_user) -> Rendered:
    """The macro's reply for this request, in the customer's language (else the macro's own),
    its variables filled in that language. Raises variables.UnknownVariable for a text saved
    around the checks (a data import)."""
    language, text = macro.text_in(customer_language(service_request))
    with translation.override(language):
        values = variables.values_for(service_request, agent_user)
        return Rendered(language=language, text=variables.render(text, values))
