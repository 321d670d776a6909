"""The "Agents" group: what frontline agents may do in the admin (view all, run transitions)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Agents"
APPS = ("accounts", "tickets", "quality")
# Change on a request gates its transition buttons (the change form itself edits nothing);
# add lets an agent submit on a customer's behalf or write a message.
EXTRA = {
    ("tickets", "change_servicerequest"),
    ("tickets", "add_servicerequest"),
    ("tickets", "add_message"),
}


def create_agents_group(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make them now.
    for label in APPS:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {
        (label, f"view_{model._meta.model_name}")
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    } | EXTRA
    permissions = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=APPS).select_related(
            "content_type"
        )
        if (p.content_type.app_label, p.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
    if missing:
        raise RuntimeError(f"Permissions not found: {sorted(missing)}")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)


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
