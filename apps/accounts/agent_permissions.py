"""Granting the "Agents" group its admin permissions, for the data migrations of each app."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

GROUP = "Agents"


def grant_views(apps, app_labels, *, extra=frozenset(), withheld=frozenset()) -> None:
    """Give the group view permission on every model of `app_labels`, plus `extra`, less
    `withheld` (each a set of (app_label, codename)); `apps` is the migration's registry."""
    # Permissions are normally made after all migrations (post_migrate); make them now.
    for label in app_labels:
        create_permissions(global_apps.get_app_config(label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {
        (label, f"view_{model._meta.model_name}")
        for label in app_labels
        for model in apps.get_app_config(label).get_models()
    }
    wanted = (wanted | set(extra)) - set(withheld)
    permissions = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=app_labels).select_related(
            "content_type"
        )
        if (p.content_type.app_label, p.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
    if missing:
        raise RuntimeError(f"Permissions not found: {sorted(missing)}")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)
