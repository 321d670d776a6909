"""Forms of the request admin: the data a transition takes, built from its signature."""

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agent, Department
from apps.lifecycle.priority import Priority
from apps.lifecycle.states import State
from apps.tickets.models import Category, ServiceRequest
from apps.tickets.rules import REASON_REQUIRED
from apps.tickets.transition_data import expected_params

# What an agent fills in when submitting a request on a customer's behalf.
SUBMIT_FIELDS = ["customer", "subject", "description", "category", "impact", "urgency", "channel"]


class TransitionForm(forms.Form):
    """What every transition posts: the version the page showed, and an optional reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def transition_data(self) -> dict:
        """The cleaned transition data; optional fields left empty are not passed at all."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("version", "reason") and value not in (None, "")
        }


def takes_data(name: str) -> bool:
    """Whether the transition asks on a page of its own: it takes data, or a reason the
    customer reads (reject), which is also its confirmation."""
    names, _required = expected_params(getattr(ServiceRequest, name))
    return bool(names) or name in REASON_REQUIRED


def transition_form_class(service_request: ServiceRequest, name: str) -> type[TransitionForm]:
    """A TransitionForm with one field per keyword the transition method takes."""
    names, required = expected_params(getattr(ServiceRequest, name))
    fields = {
        param: _FIELDS.get(param, _text_field)(service_request, required=param in required)
        for param in sorted(names)
    }
    if name in REASON_REQUIRED:
        fields["reason"] = forms.CharField(
            label=_("Reason (the customer reads it)"),
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        )
    # The transition's own data first; the reason is an afterthought.
    fields["field_order"] = [*sorted(names), "reason"]
    return type("TransitionDataForm", (TransitionForm,), fields)


def _department_field(service_request, *, required):
    departments = Department.objects.all()
    if service_request.state != State.NEW and service_request.department_id:
        departments = departments.exclude(pk=service_request.department_id)
    return forms.ModelChoiceField(departments, required=required, label=_("Department"))


def _assignee_field(service_request, *, required):
    agents = (
        Agent.objects.filter(departments=service_request.department_id, user__is_active=True)
        .exclude(pk=service_request.assignee_id)
        .select_related("user")
        .order_by("user__username")
    )
    return forms.ModelChoiceField(agents, required=required, label=_("Assignee"))


def _priority_field(service_request, *, required):
    choices = Priority.choices if required else [("", _("keep as is")), *Priority.choices]
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        empty_value=None,
        required=required,
        # Optional on route: preselecting the current value would mark it as set by hand.
        initial=service_request.priority if required else "",
        label=_("Priority"),
    )


def _category_field(service_request, *, required):
    categories = Category.objects.filter(is_active=True).exclude(pk=service_request.category_id)
    return forms.ModelChoiceField(categories, required=required, label=_("Category"))


def _raise_priority_field(service_request, *, required):
    return forms.BooleanField(required=required, label=_("Also raise the priority one step"))


def _approval_department_field(service_request, *, required):
    return forms.ModelChoiceField(
        Department.objects.all(),
        required=required,
        label=_("Approval by the leads of"),
        help_text=_("Empty: the request's department, or the supervisors while it has none."),
    )


def _approval_group_field(service_request, *, required):
    return forms.ModelChoiceField(
        Group.objects.order_by("name"),
        required=required,
        label=_("Approval by the group"),
        help_text=_("A named group approves instead of the department's leads."),
    )


def _text_field(service_request, *, required):
    # A transition added later with data the admin does not know yet still gets a field;
    # the door checks the value.
    return forms.CharField(required=required)


_FIELDS = {
    "department": _department_field,
    "assignee": _assignee_field,
    "priority": _priority_field,
    "raise_priority": _raise_priority_field,
    "category": _category_field,
    "approval_department": _approval_department_field,
    "approval_group": _approval_group_field,
}
