"""Reminders that a PDCA cycle's check is due: once per cycle, to its owner (or planner)."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.kinds import NotificationKind
from apps.notifications.services import do_notify
from apps.simulation.models import CycleState, ImprovementCycle


def do_remind_due_checks(*, today: date | None = None) -> int:
    """Notify the owner of each cycle whose after period ended by `today` and that was not
    reminded yet. Writes `reminded_at` and the notification in one transaction per cycle
    (a cycle taken by another sweep is skipped); returns how many cycles were reminded."""
    today = today or timezone.localdate()
    due = ImprovementCycle.objects.filter(
        state=CycleState.DO, check_due__lte=today, reminded_at__isnull=True
    ).values_list("pk", flat=True)
    reminded = 0
    for pk in list(due):
        with transaction.atomic():
            cycle = (
                ImprovementCycle.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("owner", "planned_by")
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if cycle is None:
                continue
            _notify(cycle)
            cycle.reminded_at = timezone.now()
            cycle.save(update_fields=["reminded_at"])
            reminded += 1
    return reminded


def _notify(cycle: ImprovementCycle) -> None:
    recipient = cycle.reminder_recipient()
    if recipient is None:
        return
    do_notify(
        recipients=[recipient],
        kind=NotificationKind.CYCLE_CHECK_DUE,
        # Made in the recipient's language (do_notify).
        title=lambda: _("Check due: %(title)s") % {"title": cycle.title},
        body=lambda: (
            _(
                "The %(days)d days after the change of %(changed_on)s are over: check the PDCA "
                "cycle “%(title)s” and decide whether to adopt, adjust or abandon it."
            )
            % {"days": cycle.baseline_days, "changed_on": cycle.changed_on, "title": cycle.title}
        ),
        key=f"cycle:{cycle.pk}:check",
    )
