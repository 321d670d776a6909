"""The event log (to eventlog) and feedback (to tickets) leave this app; their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0008_drop_redundant_fk_indexes"),
        ("eventlog", "0001_initial"),
        ("tickets", "0005_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="feedback", name="request"),
                migrations.DeleteModel(name="Event"),
                migrations.DeleteModel(name="Feedback"),
            ],
            database_operations=[],
        ),
    ]
