"""The "Agents" group may look at forecasts and problem records; leads and owners edit problems
(the services check who may, the admin permission only opens the form)."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("improvement",)
EXTRA = {("improvement", "add_problem"), ("improvement", "change_problem")}


def grant(apps, schema_editor):
    grant_views(apps, APPS, extra=EXTRA)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("improvement", "0001_initial"),
        ("accounts", "0006_agents_group_knowledge"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
