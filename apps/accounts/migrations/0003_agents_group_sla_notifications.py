"""The "Agents" group may also look at the SLA engine and at notifications (view only)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Agents"
APPS = ("sla", "notifications")
# Its admin page shows the signing secret, which only whoever manages webhooks may read.
WITHHELD = {("notifications", "view_webhooksubscription")}


def grant_views(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make them now.
    for label in APPS:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {
        (label, f"view_{model._meta.model_name}")
        for label in APPS
        for model in apps.get_app_config(label).get_models()
    } - WITHHELD
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

    operations = [migrations.RunPython(grant_views, revoke_views)]
