"""DRF's plain-text API tokens become hashed, expiring tokens (django-rest-knox); clients keep
their token (apps/api/tokens.py `convert_plain_tokens`)."""

from django.db import migrations
from django.utils import timezone


def convert(apps, schema_editor):
    from apps.api.tokens import convert_plain_tokens

    convert_plain_tokens(apps.get_model("knox", "AuthToken"), timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
