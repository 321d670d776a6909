"""The "Agents" group may view attachments (and so download the files of the requests they
reach): view permission on the tickets app's models, which now include Attachment."""

from django.db import migrations

from apps.accounts.agent_permissions import grant_views


def grant_attachment_views(apps, schema_editor):
    grant_views(apps, ("tickets",))


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_attachments"),
        ("accounts", "0002_agents_group"),
    ]

    operations = [migrations.RunPython(grant_attachment_views, migrations.RunPython.noop)]
