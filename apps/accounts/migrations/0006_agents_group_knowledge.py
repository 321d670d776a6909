"""The "Agents" group may look at the knowledge base and curate the FAQ (never delete articles)."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("knowledge",)
CURATE = {
    ("knowledge", "add_article"),
    ("knowledge", "change_article"),
    ("knowledge", "add_phrasing"),
    ("knowledge", "change_phrasing"),
    ("knowledge", "delete_phrasing"),
}


def grant_knowledge_permissions(apps, schema_editor):
    grant_views(apps, APPS, extra=CURATE)


def revoke_knowledge_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_agents_group_routing"),
        ("knowledge", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(grant_knowledge_permissions, revoke_knowledge_permissions)
    ]
