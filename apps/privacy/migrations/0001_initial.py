import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("tickets", "0011_field_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="PrivacyRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(choices=[("export", "Export"), ("erasure", "Erasure"), ("retention", "Anonymised after retention")], max_length=10, verbose_name="action")),
                ("customer_id", models.PositiveBigIntegerField(blank=True, null=True, verbose_name="customer")),
                ("requests", models.PositiveIntegerField(default=0, verbose_name="requests")),
                ("channel", models.CharField(blank=True, max_length=20, verbose_name="channel")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                ("counts", models.JSONField(blank=True, default=dict, verbose_name="counts")),
                ("done_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="done by")),
            ],
            options={
                "verbose_name": "personal-data record",
                "verbose_name_plural": "personal-data records",
                "ordering": ["-at", "-pk"],
                "indexes": [models.Index(fields=["action", "at"], name="privacy_action_at")],
                "constraints": [models.UniqueConstraint(condition=models.Q(("action", "erasure")), fields=("customer_id",), name="privacy_erasure_once")],
            },
        ),
        migrations.CreateModel(
            name="AnonymisedRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("record", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="anonymised", to="privacy.privacyrecord", verbose_name="record")),
                ("request", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="tickets.servicerequest", verbose_name="request")),
            ],
            options={
                "verbose_name": "anonymised request",
                "verbose_name_plural": "anonymised requests",
            },
        ),
    ]
