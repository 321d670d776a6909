"""Admin views that run a request's transitions through the one door."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.actors import actor_for_user
from apps.core.errors import ServiceDeskError
from apps.tickets import services
from apps.tickets.admin.forms import takes_data, transition_form_class
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import transition_data

TRANSITION_NAMES = frozenset(
    t.name for t in ServiceRequest._meta.get_field("state").get_all_transitions(ServiceRequest)
)
FORM_TEMPLATE = "admin/tickets/servicerequest/transition_form.html"


# The buttons' words; "cancel" and "close" name the request so they do not read as the
# admin's own buttons.
_LABELS = {
    "submit": gettext_lazy("Submit"),
    "require_approval": gettext_lazy("Require approval"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "propose_answer": gettext_lazy("Propose answer"),
    "accept_answer": gettext_lazy("Accept answer"),
    "decline_answer": gettext_lazy("Decline answer"),
    "answer_timeout": gettext_lazy("Answer timeout"),
    "route": gettext_lazy("Route"),
    "assign": gettext_lazy("Assign"),
    "reassign": gettext_lazy("Reassign"),
    "unassign": gettext_lazy("Unassign"),
    "start": gettext_lazy("Start"),
    "request_info": gettext_lazy("Request info"),
    "customer_reply": gettext_lazy("Customer reply"),
    "resolve": gettext_lazy("Resolve"),
    "reopen": gettext_lazy("Reopen"),
    "close": gettext_lazy("Close request"),
    "auto_close": gettext_lazy("Auto close"),
    "cancel": gettext_lazy("Cancel request"),
    "escalate": gettext_lazy("Escalate"),
    "transfer": gettext_lazy("Transfer"),
    "reprioritize": gettext_lazy("Reprioritize"),
    "recategorize": gettext_lazy("Recategorize"),
    "merge": gettext_lazy("Merge into"),
}


def label(name: str) -> str:
    return str(_LABELS.get(name) or name.replace("_", " ").capitalize())


# Transitions that end or refuse a request: the page asks before running them.
DESTRUCTIVE = frozenset({"cancel", "close", "reject", "merge"})
# Their order, after the work: cancelling, the most final, last.
_DESTRUCTIVE_ORDER = ("merge", "reject", "close", "cancel")
# Transitions with a page of their own (it asks more than a transition form does).
_OWN_VIEWS = {"merge": "merge"}


def transition_buttons(model_admin, request, service_request, actor=None) -> list[dict]:
    """The transitions the signed-in user (acting as `actor`) may run on the request now, as
    buttons to render."""
    if not model_admin.has_transition_permission(request):
        return []
    try:
        actor = actor or actor_for_user(request.user)
    except ServiceDeskError:
        return []
    names = service_request.transitions_for(actor)
    if service_request.may_merge(actor):
        names.append("merge")
    buttons = [
        {
            "name": name,
            "label": label(name),
            "url": _url(model_admin, _OWN_VIEWS[name], service_request.pk)
            if name in _OWN_VIEWS
            else _url(model_admin, "transition", service_request.pk, name),
            "takes_data": takes_data(name),
            "destructive": name in DESTRUCTIVE,
        }
        for name in names
    ]
    # The work first; what ends a request last, behind a confirmation on the page.
    return sorted(
        buttons,
        key=lambda b: _DESTRUCTIVE_ORDER.index(b["name"]) + 1 if b["destructive"] else 0,
    )


def transition_view(model_admin, request, object_id, name):
    """GET shows the data form of a transition that takes data; only POST runs one."""
    if name not in TRANSITION_NAMES:
        raise Http404(f"There is no transition '{name}'.")
    if name in _OWN_VIEWS:
        return HttpResponseRedirect(_url(model_admin, _OWN_VIEWS[name], object_id))
    service_request = model_admin.get_object(request, object_id)
    if service_request is None:
        raise Http404("No such service request.")
    if not model_admin.has_transition_permission(request, service_request):
        raise PermissionDenied
    change_url = _url(model_admin, "change", service_request.pk)
    form_class = transition_form_class(service_request, name)
    if request.method != "POST":
        return _show_form(model_admin, request, service_request, name, form_class)
    form = form_class(request.POST)
    if not form.is_valid():
        if takes_data(name):
            return _render_form(model_admin, request, service_request, name, form)
        messages.error(request, _("The page was out of date; reload it and try again."))
        return HttpResponseRedirect(change_url)
    try:
        done = services.transition(
            service_request,
            name,
            actor=actor_for_user(request.user),
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            data=transition_data(name, form.transition_data()),
        )
    except ServiceDeskError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("%(ref)s: %(transition)s done; it is now %(state)s.")
            % {"ref": done.reference, "transition": label(name), "state": done.get_state_display()},
        )
    return HttpResponseRedirect(change_url)


def _show_form(model_admin, request, service_request, name, form_class):
    """The GET of a transition: its data form, or back to the change page."""
    change_url = _url(model_admin, "change", service_request.pk)
    if not takes_data(name):
        return HttpResponseRedirect(change_url)
    if name not in service_request.transitions_for(actor_for_user(request.user)):
        messages.error(request, _("'%(name)s' is not open to you now.") % {"name": name})
        return HttpResponseRedirect(change_url)
    # The version the change page showed, so a change made meanwhile is still caught.
    version = request.GET.get("version") or service_request.version
    form = form_class(initial={"version": version})
    return _render_form(model_admin, request, service_request, name, form)


def _render_form(model_admin, request, service_request, name, form):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": service_request,
        "title": _("%(transition)s %(ref)s") % {"transition": label(name), "ref": service_request},
        "transition": label(name),
        "destructive": name in DESTRUCTIVE,
        "form": form,
        "change_url": _url(model_admin, "change", service_request.pk),
        "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, FORM_TEMPLATE, context)


def error_text(exc: ServiceDeskError) -> str:
    fields = exc.details.get("fields") or {}
    detail = "; ".join(f"{field}: {problem}" for field, problem in fields.items())
    return f"{exc.message} ({detail})" if detail else exc.message


def _url(model_admin, view: str, *args) -> str:
    opts = model_admin.opts
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{view}",
        args=args,
        current_app=model_admin.admin_site.name,
    )
