"""The "Agents" group may also look at the routing rules (view only)."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("routing",)


def grant_routing_views(apps, schema_editor):
    grant_views(apps, APPS)


def revoke_routing_views(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_assignment_strategy"),
        ("routing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_routing_views, revoke_routing_views)]
