"""An index for finding a customer by the address a mail comes from (`email__iexact`, which
PostgreSQL runs as `UPPER(email::text) = UPPER(...)`): without it every mail taken in reads the
whole user table."""

from django.db import migrations

INDEX = "mail_auth_user_email_upper"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON auth_user (UPPER(email::text))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0002_agents_group_mail"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
