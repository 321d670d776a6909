"""The request page's reply box: a public reply or an internal note, with files, through the
door (`attachments.do_post_message_with_files`)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.actors import actor_for_user
from apps.core.errors import ServiceDeskError
from apps.eventlog.models import Event, EventKind
from apps.tickets import attachments, extensions

# A reply the door refused waits here, so the agent never loses what they typed.
DRAFT_KEY = "tickets_reply_draft_{pk}"


class ReplyForm(forms.Form):
    body = forms.CharField(label=gettext_lazy("Reply"), max_length=20000, strip=False)
    internal = forms.BooleanField(required=False)
    # The request's last event when the page was rendered: newer ones make the reply stale.
    seen_seq = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def newer_change(service_request, seen_seq: int, user) -> Event | None:
    """Someone else's transition or message after the page showed `seen_seq`, if any. SLA
    and routing notes do not count: they do not change what the agent answers to."""
    return (
        Event.objects.filter(
            request=service_request,
            seq__gt=seen_seq,
            # A merge brings the duplicate's messages: the thread changed too.
            kind__in=[EventKind.TRANSITION, EventKind.MESSAGE, EventKind.MERGE],
        )
        .exclude(actor=user)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )


def change_text(service_request, event: Event) -> str:
    """'SR-000012 was changed by bob (a message at 2026-03-02 09:10 UTC) since you loaded it'."""
    who = event.actor.get_username() if event.actor else event.get_actor_role_display()
    what = event.transition or _("a message")
    return _(
        "%(ref)s was changed by %(who)s (%(what)s at %(at)s UTC) since you loaded it; "
        "it is now %(state)s. Your reply was not sent: read the change, then send it again."
    ) % {
        "ref": service_request.reference,
        "who": who,
        "what": what,
        "at": f"{event.at:%Y-%m-%d %H:%M:%S}",
        "state": service_request.get_state_display(),
    }


def reply_view(model_admin, request, object_id):
    """Post the reply through `do_post_message` unless the request moved on meanwhile."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    service_request = model_admin.get_object(request, object_id)
    if service_request is None:
        raise Http404("No such service request.")
    if not model_admin.has_transition_permission(request, service_request):
        raise PermissionDenied
    change_url = model_admin.url_for("change", service_request.pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply first."))
        return HttpResponseRedirect(change_url)
    body, internal = form.cleaned_data["body"], form.cleaned_data["internal"]
    draft_key = DRAFT_KEY.format(pk=service_request.pk)
    newer = newer_change(service_request, form.cleaned_data["seen_seq"], request.user)
    if newer is not None:
        request.session[draft_key] = body
        messages.error(request, change_text(service_request, newer))
        return HttpResponseRedirect(change_url)
    files = [attachments.IncomingFile.from_upload(f) for f in request.FILES.getlist("files")]
    try:
        done = _send(service_request, request, body=body, internal=internal, files=files)
    except ServiceDeskError as exc:
        request.session[draft_key] = body
        messages.error(request, exc.message)
        if files:
            messages.warning(request, _("Nothing was sent: choose the files again."))
    else:
        request.session.pop(draft_key, None)
        messages.success(request, done)
    # The page fits one screen: back to its top, the thread showing its latest message.
    return HttpResponseRedirect(change_url)


def _send(service_request, request, *, body: str, internal: bool, files: list) -> str:
    """Post the reply, or hand it to the reply tool the form names (a macro); say what was done."""
    actor = actor_for_user(request.user)
    posted = extensions.reply_tool_posted(request.POST)
    if posted is not None:
        tool, value = posted
        return tool.send(
            service_request, actor=actor, body=body, internal=internal, files=files, value=value
        )
    attachments.do_post_message_with_files(
        service_request, actor=actor, body=body, internal=internal, files=files
    )
    return _("Internal note added.") if internal else _("Reply sent to the customer.")


def take_draft(request, service_request) -> str:
    return request.session.pop(DRAFT_KEY.format(pk=service_request.pk), "")
