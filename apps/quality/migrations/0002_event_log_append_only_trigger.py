"""On PostgreSQL, refuse UPDATE and DELETE on the event log in the database itself."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION quality_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % refused on quality_event', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER quality_event_append_only
    BEFORE UPDATE OR DELETE ON quality_event
    FOR EACH ROW EXECUTE FUNCTION quality_event_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS quality_event_append_only ON quality_event;
DROP FUNCTION IF EXISTS quality_event_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
