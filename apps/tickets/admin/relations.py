"""The request page's "Merge into…" (asks for the target, shows it, confirms) and its related
requests panel with link and unlink; every write goes through the door."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.actors import actor_for_user
from apps.core.errors import ServiceDeskError
from apps.lifecycle.reference import format_reference, parse_reference
from apps.tickets import related
from apps.tickets.admin.transitions import error_text
from apps.tickets.merging import do_merge_requests
from apps.tickets.models import Attachment, Message

MERGE_TEMPLATE = "admin/tickets/servicerequest/merge_form.html"


class MergeForm(forms.Form):
    into = forms.CharField(
        label=gettext_lazy("Merge into"),
        max_length=30,
        help_text=gettext_lazy("The reference of the request to keep, e.g. SR-000123."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"), required=False, max_length=500
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Set by the confirmation step: only then is anything written.
    confirm = forms.BooleanField(widget=forms.HiddenInput, required=False)


def relation_urls(model_admin) -> list:
    """The admin URLs of the merge, link and unlink views of a request."""
    opts, site = model_admin.opts, model_admin.admin_site
    name = f"{opts.app_label}_{opts.model_name}"
    return [
        path(
            "<path:object_id>/merge/",
            site.admin_view(lambda r, object_id: merge_view(model_admin, r, object_id)),
            name=f"{name}_merge",
        ),
        path(
            "<path:object_id>/link/",
            site.admin_view(lambda r, object_id: link_view(model_admin, r, object_id)),
            name=f"{name}_link",
        ),
        path(
            "<path:object_id>/unlink/",
            site.admin_view(lambda r, object_id: unlink_view(model_admin, r, object_id)),
            name=f"{name}_unlink",
        ),
    ]


def _request_or_404(model_admin, request, object_id):
    service_request = model_admin.get_object(request, object_id)
    if service_request is None:
        raise Http404("No such service request.")
    if not model_admin.has_transition_permission(request, service_request):
        raise PermissionDenied
    return service_request


def _visible(model_admin, request, reference: str):
    pk = parse_reference(reference.strip())
    return model_admin.get_queryset(request).filter(pk=pk).first() if pk else None


def merge_view(model_admin, request, object_id):
    """GET asks for the target; a POST shows it and what moves; a confirmed POST merges."""
    duplicate = _request_or_404(model_admin, request, object_id)
    change_url = model_admin.url_for("change", duplicate.pk)
    if request.method != "POST":
        version = request.GET.get("version") or duplicate.version
        return _render(model_admin, request, duplicate, MergeForm(initial={"version": version}))
    form = MergeForm(request.POST)
    target = None
    if form.is_valid():
        target = _visible(model_admin, request, form.cleaned_data["into"])
        if target is None:
            form.add_error("into", _("No request with that reference that you can see."))
    if target is None or not form.cleaned_data["confirm"]:
        return _render(model_admin, request, duplicate, form, target)
    try:
        do_merge_requests(
            duplicate,
            into=target,
            actor=actor_for_user(request.user),
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceDeskError as exc:
        messages.error(request, error_text(exc))
        return HttpResponseRedirect(change_url)
    messages.success(
        request,
        _("%(duplicate)s was merged into %(target)s.")
        % {"duplicate": duplicate.reference, "target": target.reference},
    )
    return HttpResponseRedirect(model_admin.url_for("change", target.pk))


def _render(model_admin, request, duplicate, form, target=None):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": duplicate,
        "title": _("Merge %(ref)s into another request") % {"ref": duplicate.reference},
        "form": form,
        "target": target,
        "moving": _moving(duplicate) if target is not None else None,
        "change_url": model_admin.url_for("change", duplicate.pk),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, MERGE_TEMPLATE, context)


def _moving(duplicate) -> dict[str, int]:
    return {
        "messages": Message.objects.filter(request=duplicate).count(),
        "files": Attachment.objects.filter(request=duplicate).count(),
    }


def link_view(model_admin, request, object_id):
    """Link the request to the one whose reference the panel's form names (POST only)."""
    return _link_or_unlink(
        model_admin, request, object_id, related.do_link_requests, _("Linked %(other)s.")
    )


def unlink_view(model_admin, request, object_id):
    return _link_or_unlink(
        model_admin, request, object_id, related.do_unlink_requests, _("Unlinked %(other)s.")
    )


def _link_or_unlink(model_admin, request, object_id, do, done: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    service_request = _request_or_404(model_admin, request, object_id)
    other = _visible(model_admin, request, request.POST.get("to", ""))
    if other is None:
        messages.error(request, _("No request with that reference that you can see."))
    else:
        _act(request, do, service_request, other, done)
    return HttpResponseRedirect(model_admin.url_for("change", service_request.pk))


def _act(request, do, service_request, other, done: str) -> None:
    try:
        do(service_request, to=other, actor=actor_for_user(request.user))
    except ServiceDeskError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done % {"other": other.reference})


def panel_context(model_admin, service_request) -> dict:
    """What the related-requests panel of the request page shows (two queries)."""
    found = related.related_of(service_request)
    return {
        "related": found,
        "merged_into_reference": format_reference(service_request.merged_into_id)
        if service_request.merged_into_id
        else "",
        "link_url": model_admin.url_for("link", service_request.pk),
        "unlink_url": model_admin.url_for("unlink", service_request.pk),
    }
