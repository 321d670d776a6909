"""The "Agents" group: what frontline agents may do in the admin (view all, run transitions)."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("accounts", "tickets", "quality")
# Change on a request gates its transition buttons (the change form itself edits nothing);
# add lets an agent submit on a customer's behalf or write a message.
EXTRA = {
    ("tickets", "change_servicerequest"),
    ("tickets", "add_servicerequest"),
    ("tickets", "add_message"),
}


def create_agents_group(apps, schema_editor):
    grant_views(apps, APPS, extra=EXTRA)


def remove_agents_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tickets", "0001_initial"),
        ("quality", "0002_event_log_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_agents_group, remove_agents_group)]
