"""On PostgreSQL, let the event log's append-only trigger pass one kind of UPDATE: a change of
`payload` alone, in a transaction that set `servicedesk.redacting` (apps/privacy/
event_redaction.py, the erasure of personal text). Every other UPDATE and every DELETE is
refused as before."""

from django.db import migrations

REDACTABLE = """
CREATE OR REPLACE FUNCTION quality_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND coalesce(current_setting('servicedesk.redacting', true), '') = 'on'
       AND (to_jsonb(NEW) - 'payload') = (to_jsonb(OLD) - 'payload') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the event log is append-only: % refused on quality_event', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION quality_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % refused on quality_event', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REDACTABLE, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial"), ("quality", "0002_event_log_append_only_trigger")]

    operations = [migrations.RunPython(forward, backward)]
