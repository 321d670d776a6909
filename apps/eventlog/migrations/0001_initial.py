"""The event log moves here from the quality app: the table `quality_event` stays as it is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.core.model_moves import move_content_type, move_content_type_back


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0007_agent_language'),
        ('tickets', '0004_drop_redundant_fk_indexes'),
        ('quality', '0008_drop_redundant_fk_indexes'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Event',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('seq', models.PositiveIntegerField(verbose_name='sequence')),
                    ('kind', models.CharField(choices=[('transition', 'Transition'), ('message', 'Message'), ('assignment', 'Assignment'), ('sla_clock', 'SLA clock'), ('sla_warning', 'SLA warning'), ('sla_breach', 'SLA breach'), ('escalation', 'Escalation'), ('handoff', 'Handoff'), ('bot', 'Bot'), ('feedback', 'Feedback'), ('breach_risk', 'Breach risk')], max_length=20, verbose_name='kind')),
                    ('transition', models.CharField(blank=True, max_length=40, verbose_name='transition')),
                    ('from_state', models.CharField(blank=True, max_length=30, verbose_name='from state')),
                    ('to_state', models.CharField(max_length=30, verbose_name='to state')),
                    ('actor_role', models.CharField(choices=[('customer', 'Customer'), ('agent', 'Agent'), ('system', 'System'), ('bot', 'Bot')], max_length=10, verbose_name='actor role')),
                    ('at', models.DateTimeField(verbose_name='at')),
                    ('wall_seconds', models.FloatField(blank=True, null=True, verbose_name='wall seconds in state')),
                    ('business_seconds', models.FloatField(blank=True, null=True, verbose_name='business seconds in state')),
                    ('payload', models.JSONField(blank=True, default=dict, verbose_name='details')),
                    ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.agent')),
                    ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department')),
                    ('request', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='tickets.servicerequest')),
                ],
                options={
                    'verbose_name': 'event',
                    'verbose_name_plural': 'event log',
                    'db_table': 'quality_event',
                    'ordering': ['request_id', 'seq'],
                    'indexes': [models.Index(fields=['at'], name='event_at'), models.Index(fields=['kind', 'at'], name='event_kind_at')],
                    'constraints': [models.UniqueConstraint(fields=('request', 'seq'), name='event_seq_unique'), models.CheckConstraint(condition=models.Q(('seq__gte', 1)), name='event_seq_positive')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            move_content_type("quality", "eventlog", "event"), move_content_type_back("quality", "eventlog", "event")
        ),
    ]
