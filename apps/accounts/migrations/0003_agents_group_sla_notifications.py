"""The "Agents" group may also look at the SLA engine and at notifications (view only)."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("sla", "notifications")
# Its admin page shows the signing secret, which only whoever manages webhooks may read.
WITHHELD = {("notifications", "view_webhooksubscription")}


def grant_sla_and_notification_views(apps, schema_editor):
    grant_views(apps, APPS, withheld=WITHHELD)


def revoke_views(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label__in=APPS, codename__startswith="view_"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_agents_group"),
        ("sla", "0002_policies_and_clocks"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_sla_and_notification_views, revoke_views)]
