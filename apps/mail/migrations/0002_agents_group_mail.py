"""The "Agents" group may see the inbound mails of their departments (not the mailboxes, whose
settings hold passwords)."""

from django.db import migrations

from apps.accounts.agent_permissions import GROUP, grant_views

APPS = ("mail",)
WITHHELD = {("mail", "view_mailbox")}


def grant_mail_permissions(apps, schema_editor):
    grant_views(apps, APPS, withheld=WITHHELD)


def revoke_mail_permissions(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("accounts", "0007_agent_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_mail_permissions, revoke_mail_permissions)]
