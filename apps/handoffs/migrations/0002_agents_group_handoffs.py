"""The "Agents" group may see handoffs and OLA policies, request handoffs and act on them."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("handoffs",)
EXTRA = {("handoffs", "add_handoff"), ("handoffs", "change_handoff")}


def grant_handoff_permissions(apps, schema_editor):
    grant_views(apps, APPS, extra=EXTRA)


def revoke_handoff_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("handoffs", "0001_initial"),
        ("accounts", "0006_agents_group_knowledge"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_handoff_permissions, revoke_handoff_permissions)]
