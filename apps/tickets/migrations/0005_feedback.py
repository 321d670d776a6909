"""Feedback moves here from the quality app: the table `quality_feedback` stays as it is."""

import django.db.models.deletion
from django.db import migrations, models

from apps.core.model_moves import move_content_type, move_content_type_back


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0004_drop_redundant_fk_indexes'),
        ('quality', '0008_drop_redundant_fk_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Feedback',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('rating', models.PositiveSmallIntegerField(verbose_name='rating')),
                    ('comment', models.TextField(blank=True, max_length=2000, verbose_name='comment')),
                    ('created_at', models.DateTimeField(verbose_name='given')),
                    ('request', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='feedback', to='tickets.servicerequest')),
                ],
                options={
                    'verbose_name': 'feedback',
                    'verbose_name_plural': 'feedback',
                    'db_table': 'quality_feedback',
                    'constraints': [models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 5)), name='feedback_rating_1_to_5')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            move_content_type("quality", "tickets", "feedback"), move_content_type_back("quality", "tickets", "feedback")
        ),
    ]
