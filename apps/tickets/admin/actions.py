"""Bulk actions of the request list: assign, run a transition, change priority, each through
the door for every selected request, with what succeeded and what was refused reported."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.actors import actor_for_user
from apps.accounts.models import Agent
from apps.accounts.scope import agent_departments
from apps.core.errors import ServiceDeskError
from apps.lifecycle.priority import Priority
from apps.lifecycle.states import State
from apps.tickets import services
from apps.tickets.admin.forms import takes_data
from apps.tickets.admin.transitions import TRANSITION_NAMES, error_text, label
from apps.tickets.models import ServiceRequest
from apps.tickets.transition_data import transition_data

TEMPLATE = "admin/tickets/servicerequest/bulk_action.html"
# One bulk run stays a page's worth of door calls; larger selections are refused up front.
MAX_SELECTED = 200


def _agent_may_run(name: str) -> bool:
    transitions = ServiceRequest._meta.get_field("state").get_all_transitions(ServiceRequest)
    return any(
        t.name == name and "agent" in getattr(t.permission, "roles", ()) for t in transitions
    )


# Transitions an agent runs without data, offered in bulk (those with data have own actions).
BULK_TRANSITIONS = sorted(n for n in TRANSITION_NAMES if not takes_data(n) and _agent_may_run(n))


class BulkForm(forms.Form):
    """What every bulk action asks: its own choice (subclasses) and an optional reason."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )


class AssignForm(BulkForm):
    assignee = forms.ModelChoiceField(Agent.objects.none(), label=gettext_lazy("Assign to"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["assignee"]
        field.queryset = (
            Agent.objects.filter(
                departments__in=agent_departments(user).values("pk"), user__is_active=True
            )
            .select_related("user")
            .distinct()
            .order_by("user__username")
        )
        me = Agent.objects.filter(user=user).first()
        if me is not None:
            field.initial = me.pk


class TransitionForm(BulkForm):
    transition = forms.ChoiceField(label=gettext_lazy("Transition"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["transition"].choices = [(n, label(n)) for n in BULK_TRANSITIONS]


class PriorityForm(BulkForm):
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int
    )


def _assign_step(request, form):
    name = "assign" if request.state == State.QUEUED else "reassign"
    return name, {"assignee": form.cleaned_data["assignee"]}


def _transition_step(request, form):
    return form.cleaned_data["transition"], {}


def _priority_step(request, form):
    return "reprioritize", {"priority": form.cleaned_data["priority"]}


def run_bulk(model_admin, request, queryset, *, form_class, step, title):
    """Show the confirmation page with each request's version; on apply run `step` on each
    through the door, with the version shown, and report per request."""
    selected = list(queryset.order_by("pk")[: MAX_SELECTED + 1])
    if not selected:
        model_admin.message_user(
            request, _("None of the selected requests is yours to act on."), messages.WARNING
        )
        return None
    if len(selected) > MAX_SELECTED:
        model_admin.message_user(
            request,
            _("Select at most %(count)d requests for one bulk action.") % {"count": MAX_SELECTED},
            messages.ERROR,
        )
        return None
    if "apply" in request.POST:
        form = form_class(request.POST, user=request.user)
        if form.is_valid():
            _apply(model_admin, request, selected, form, step)
            return None
    else:
        form = form_class(user=request.user)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "form": form,
        "selected": selected,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": model_admin.media + form.media,
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, TEMPLATE, context)


def _apply(model_admin, request, selected, form, step) -> None:
    actor = actor_for_user(request.user)
    done, refused = [], []
    for service_request in selected:
        name, data = step(service_request, form)
        shown = request.POST.get(f"version_{service_request.pk}", "")
        try:
            services.transition(
                service_request,
                name,
                actor=actor,
                expected_version=int(shown) if shown.isdigit() else service_request.version,
                reason=form.cleaned_data["reason"],
                data=transition_data(name, data),
            )
        except ServiceDeskError as exc:
            refused.append((service_request, exc))
        else:
            done.append(service_request.reference)
    if done:
        model_admin.message_user(
            request,
            ngettext(
                "Done on %(count)d request: %(refs)s",
                "Done on %(count)d requests: %(refs)s",
                len(done),
            )
            % {"count": len(done), "refs": ", ".join(done)},
            messages.SUCCESS,
        )
    for service_request, exc in refused:
        model_admin.message_user(
            request,
            _("Refused on %(ref)s: %(error)s")
            % {"ref": service_request.reference, "error": error_text(exc)},
            messages.ERROR,
        )


@admin.action(description=gettext_lazy("Assign selected requests…"))
def bulk_assign(model_admin, request, queryset):
    return run_bulk(
        model_admin, request, queryset, form_class=AssignForm, step=_assign_step, title=_("Assign")
    )


@admin.action(description=gettext_lazy("Run a transition on selected requests…"))
def bulk_transition(model_admin, request, queryset):
    return run_bulk(
        model_admin,
        request,
        queryset,
        form_class=TransitionForm,
        step=_transition_step,
        title=_("Run a transition"),
    )


@admin.action(description=gettext_lazy("Change priority of selected requests…"))
def bulk_priority(model_admin, request, queryset):
    return run_bulk(
        model_admin,
        request,
        queryset,
        form_class=PriorityForm,
        step=_priority_step,
        title=_("Change priority"),
    )


ACTIONS = [bulk_assign, bulk_transition, bulk_priority]
