"""The satisfaction survey: once a request is resolved, its customer is invited to rate it."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from apps.notifications.models import Notification
from apps.notifications.services import do_notify
from apps.tickets.feedback import RATEABLE
from apps.tickets.models import Feedback, ServiceRequest

INVITATION_KIND = "feedback_invitation"


def do_invite_feedback(request_id: int) -> bool:
    """Invite the customer of a resolved request to rate it, in their language, once.

    Writes: one `feedback_invitation` notification to the customer (in-app, and e-mail after
    commit when they have an address). Does nothing (returns False) when the request is no
    longer rateable, has feedback already, or was invited before (a reopened request resolved
    again is not asked twice).
    """
    with transaction.atomic():
        request = (
            ServiceRequest.objects.select_related("customer__user")
            .select_for_update(of=("self",))
            .get(pk=request_id)
        )
        if (
            request.state not in RATEABLE
            or Feedback.objects.filter(request=request).exists()
            or Notification.objects.filter(request=request, kind=INVITATION_KIND).exists()
        ):
            return False
        with translation.override(request.customer.language):
            title = _("How did we do with %(ref)s?") % {"ref": request.reference}
            body = _(
                "Your request “%(subject)s” has been resolved. Please rate it from 1 to 5 and "
                "tell us why: POST /api/v1/requests/%(ref)s/feedback/ with a rating and a comment."
            ) % {"subject": request.subject, "ref": request.reference}
        do_notify(
            recipients=[request.customer.user],
            kind=INVITATION_KIND,
            title=title,
            body=body,
            request=request,
        )
    return True
