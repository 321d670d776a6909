"""The "Agents" group may keep macros: view, add, change and delete them and their translations
(the admin lets each agent change only their own and, as a lead, their departments')."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("macros",)
KEEP = {
    ("macros", f"{verb}_{model}")
    for verb in ("add", "change", "delete")
    for model in ("macro", "macrotranslation")
}


def grant_macro_permissions(apps, schema_editor):
    grant_views(apps, APPS, extra=KEEP)


def revoke_macro_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("macros", "0001_initial"),
        ("accounts", "0002_agents_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_macro_permissions, revoke_macro_permissions)]
