"""Who hears what about a request, in their own language: the customer about the conversation
on their request, the agents about work that waits for them. Never the person who caused it,
and each notice once however often its task runs (`do_notify`'s key).

Customers: an agent's public reply, a request for information, the bot's answer (with signed
accept and decline links), resolved (with signed rating links), reopened, cancelled or merged
into another request by the desk, waiting for approval and its outcome. Agents: a request
assigned to them, their customer's reply, a request reopened by its customer, an approval
waiting for them. Handoffs, escalations and early warnings notify from their own apps."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from apps.accounts.actors import Role
from apps.eventlog.models import Event
from apps.lifecycle.reference import format_reference
from apps.notifications.kinds import NotificationKind as Kind
from apps.notifications.models import Notification
from apps.notifications.services import do_notify
from apps.tickets.approvals import approvers
from apps.tickets.links import ACCEPT, DECLINE, RATE, Link, link_url
from apps.tickets.models import Feedback, Message, ServiceRequest, Visibility

# The bot's answer ends with this line and its own question; the mail asks with links instead.
ANSWER_FOOTER = "\n\n---\n"


def notify_transition(request_id: int, event_seq: int) -> int:
    """Tell whoever waits for the transition logged as event `event_seq` of the request;
    returns how many were notified."""
    event = (
        Event.objects.select_related("actor")
        .filter(request_id=request_id, seq=event_seq)
        .exclude(transition="")
        .first()
    )
    if event is None or event.transition not in _ON_TRANSITION:
        return 0
    request = ServiceRequest.objects.select_related(
        "customer__user", "assignee__user", "department"
    ).get(pk=request_id)
    return len(_ON_TRANSITION[event.transition](request, event))


def notify_message(message_id: int) -> int:
    """Tell the other side of the conversation about a message: the customer about an agent's
    public reply, the assignee about the customer's. Returns how many were notified."""
    message = Message.objects.select_related("author").filter(pk=message_id).first()
    if message is None or message.visibility != Visibility.PUBLIC:
        return 0
    request = ServiceRequest.objects.select_related("customer__user", "assignee__user").get(
        pk=message.request_id
    )
    key = f"message:{message.pk}"
    if message.author_role == Role.AGENT:
        return len(
            do_notify(
                recipients=[request.customer.user],
                kind=Kind.AGENT_REPLY,
                request=request,
                caused_by=message.author,
                key=key,
                title=lambda: _("New reply on %(ref)s") % {"ref": request.reference},
                body=lambda: _with_reply_hint(message.body),
            )
        )
    if message.author_role == Role.CUSTOMER and request.assignee is not None:
        return len(
            do_notify(
                recipients=[request.assignee.user],
                kind=Kind.CUSTOMER_REPLIED,
                request=request,
                caused_by=message.author,
                key=key,
                title=lambda: _("The customer replied on %(ref)s") % {"ref": request.reference},
                body=message.body,
            )
        )
    return 0


def _to_customer(
    request: ServiceRequest, event: Event, kind: str, title: Callable[[], str], body: Callable
) -> list[Notification]:
    return do_notify(
        recipients=[request.customer.user],
        kind=kind,
        request=request,
        caused_by=event.actor,
        key=_key(event),
        title=title,
        body=body,
    )


def _key(event: Event) -> str:
    return f"event:{event.request_id}:{event.seq}"


def _reason(event: Event) -> str:
    return str(event.payload.get("reason", "")).strip()


def _latest_text(request: ServiceRequest, event: Event, role: str) -> str:
    """The latest public message of `role` on the request up to the event ("" if none)."""
    text = (
        Message.objects.filter(
            request=request,
            author_role=role,
            visibility=Visibility.PUBLIC,
            created_at__lte=event.at,
        )
        .order_by("-created_at", "-pk")
        .values_list("body", flat=True)
        .first()
    )
    return text or ""


def _with_reply_hint(text: str) -> str:
    # Outside the f-string: makemessages does not see a gettext call inside one.
    hint = _("Reply to this e-mail to answer.")
    return f"{text}\n\n{hint}"


def _bot_answer(request: ServiceRequest, event: Event) -> list[Notification]:
    answer = _latest_text(request, event, Role.BOT).split(ANSWER_FOOTER)[0]
    accept = link_url(Link(request.pk, ACCEPT, event.seq))
    decline = link_url(Link(request.pk, DECLINE, event.seq))

    def body() -> str:
        return "\n\n".join(
            [
                answer,
                _("Did this solve your problem?"),
                _("Yes, resolve my request: %(url)s") % {"url": accept},
                _("No, I need a person: %(url)s") % {"url": decline},
            ]
        )

    return _to_customer(
        request,
        event,
        Kind.BOT_ANSWER,
        lambda: _("A possible answer to %(ref)s") % {"ref": request.reference},
        body,
    )


def _info_requested(request: ServiceRequest, event: Event) -> list[Notification]:
    asked = _reason(event) or _latest_text(request, event, Role.AGENT)
    return _to_customer(
        request,
        event,
        Kind.INFO_REQUESTED,
        lambda: _("We need information for %(ref)s") % {"ref": request.reference},
        lambda: _with_reply_hint(
            asked or _("Please tell us more about “%(subject)s”.") % {"subject": request.subject}
        ),
    )


def _rating_lines(request: ServiceRequest) -> list[str]:
    link = Link(request.pk, RATE)
    return [
        _("How did we do? Rate it with one click:"),
        *(f"{'★' * r}{'☆' * (5 - r)}  {link_url(link, rating=r)}" for r in (5, 4, 3, 2, 1)),
    ]


def _resolved(request: ServiceRequest, event: Event) -> list[Notification]:
    rated = Feedback.objects.filter(request=request).exists()
    if event.actor_role == Role.CUSTOMER:
        # They accepted an answer themselves: nothing to tell, but their rating is welcome.
        if rated:
            return []
        return _to_customer_anyway(request, event)

    def body() -> str:
        lines = [_("Your request “%(subject)s” has been resolved.") % {"subject": request.subject}]
        if _reason(event):
            lines.append(_reason(event))
        if not rated:
            lines.append("\n".join(_rating_lines(request)))
        lines.append(_("If it is not solved, reply to this e-mail and we will reopen it."))
        return "\n\n".join(lines)

    return _to_customer(
        request,
        event,
        Kind.REQUEST_RESOLVED,
        lambda: _("%(ref)s is resolved") % {"ref": request.reference},
        body,
    )


def _to_customer_anyway(request: ServiceRequest, event: Event) -> list[Notification]:
    """The invitation to rate goes to the customer who resolved the request themselves."""
    return do_notify(
        recipients=[request.customer.user],
        kind=Kind.FEEDBACK_INVITATION,
        request=request,
        key=_key(event),
        title=lambda: _("How did we do with %(ref)s?") % {"ref": request.reference},
        body=lambda: "\n".join(_rating_lines(request)),
    )


def _reopened(request: ServiceRequest, event: Event) -> list[Notification]:
    if event.actor_role == Role.CUSTOMER:
        if request.assignee is None:
            return []
        return do_notify(
            recipients=[request.assignee.user],
            kind=Kind.REQUEST_REOPENED,
            request=request,
            caused_by=event.actor,
            key=_key(event),
            title=lambda: _("The customer reopened %(ref)s") % {"ref": request.reference},
            body=_reason(event) or request.subject,
        )
    return _to_customer(
        request,
        event,
        Kind.REQUEST_REOPENED,
        lambda: _("%(ref)s is open again") % {"ref": request.reference},
        lambda: _with_reply_hint(
            _reason(event)
            or _("We are working on “%(subject)s” again.") % {"subject": request.subject}
        ),
    )


def _cancelled(request: ServiceRequest, event: Event) -> list[Notification]:
    if event.actor_role == Role.CUSTOMER:
        return []
    return _to_customer(
        request,
        event,
        Kind.REQUEST_CANCELLED,
        lambda: _("%(ref)s was cancelled") % {"ref": request.reference},
        lambda: (
            _reason(event)
            or _("The service desk cancelled “%(subject)s”.") % {"subject": request.subject}
        ),
    )


def _merged(request: ServiceRequest, event: Event) -> list[Notification]:
    into = event.payload.get("merged_into", {}).get("to")
    target = format_reference(into) if isinstance(into, int) else ""

    def body() -> str:
        text = _(
            "Your request “%(subject)s” was the same as %(target)s, so we merged it there: "
            "its messages and files are now on %(target)s, and the conversation goes on there."
        ) % {"subject": request.subject, "target": target}
        return _with_reply_hint("\n\n".join(filter(None, [text, _reason(event)])))

    return _to_customer(
        request,
        event,
        Kind.REQUEST_MERGED,
        lambda: (
            _("%(ref)s was merged into %(target)s") % {"ref": request.reference, "target": target}
        ),
        body,
    )


def _assigned(request: ServiceRequest, event: Event) -> list[Notification]:
    if request.assignee is None or request.assignee_id != event.assignee_id:
        return []  # assigned elsewhere since: the newer assignment notifies
    return do_notify(
        recipients=[request.assignee.user],
        kind=Kind.ASSIGNED,
        request=request,
        caused_by=event.actor,
        key=_key(event),
        title=lambda: _("%(ref)s is assigned to you") % {"ref": request.reference},
        body=lambda: f"{request.subject}\n\n{request.get_priority_display()}",
    )


def _approval(request: ServiceRequest, event: Event) -> list[Notification]:
    """The approvers (a named group, else the department's leads; the supervisors while there
    is neither) hear that it waits for them; the customer that it waits for approval."""
    told = do_notify(
        recipients=list(approvers(request)),
        kind=Kind.APPROVAL_REQUESTED,
        request=request,
        caused_by=event.actor,
        key=_key(event),
        title=lambda: _("%(ref)s waits for your approval") % {"ref": request.reference},
        body=lambda: f"{request.subject}\n\n{_reason(event)}".strip(),
    )
    return told + _to_customer(
        request,
        event,
        Kind.APPROVAL_PENDING,
        lambda: _("%(ref)s waits for approval") % {"ref": request.reference},
        lambda: (
            _(
                "Your request “%(subject)s” needs an approval before we start on it. We will tell "
                "you as soon as it is approved or rejected."
            )
            % {"subject": request.subject}
        ),
    )


def _approved(request: ServiceRequest, event: Event) -> list[Notification]:
    return _to_customer(
        request,
        event,
        Kind.REQUEST_APPROVED,
        lambda: _("%(ref)s is approved") % {"ref": request.reference},
        lambda: "\n\n".join(
            filter(
                None,
                [
                    _("Your request “%(subject)s” is approved; we are on it now.")
                    % {"subject": request.subject},
                    _reason(event),
                ],
            )
        ),
    )


def _rejected(request: ServiceRequest, event: Event) -> list[Notification]:
    return _to_customer(
        request,
        event,
        Kind.REQUEST_REJECTED,
        lambda: _("%(ref)s was not approved") % {"ref": request.reference},
        lambda: "\n\n".join(
            [
                _("Your request “%(subject)s” was not approved, and it is closed.")
                % {"subject": request.subject},
                _("The reason: %(reason)s") % {"reason": _reason(event)},
            ]
        ),
    )


_ON_TRANSITION: dict[str, Callable[[ServiceRequest, Event], list[Notification]]] = {
    "propose_answer": _bot_answer,
    "request_info": _info_requested,
    "resolve": _resolved,
    "accept_answer": _resolved,
    "reopen": _reopened,
    "cancel": _cancelled,
    "merge": _merged,
    "assign": _assigned,
    "reassign": _assigned,
    "require_approval": _approval,
    "approve": _approved,
    "reject": _rejected,
}
# The transitions someone hears about; every other one notifies nobody (and enqueues nothing).
NOTIFYING = frozenset(_ON_TRANSITION)
