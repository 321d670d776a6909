"""The second alias of the database: the same PostgreSQL database through a connection that
binds parameters on the server and prepares the statements it runs repeatedly, for the
API's request pages (apps/tickets/selectors.py; docs/performance.md "The API list, third
pass"). Planning the page's eight-table join cost PostgreSQL 1.9 ms a call for 0.3 ms of
execution; a prepared statement is planned once per connection.

Only that query uses it: Django's ORM does not promise SQL that every server-side binding
accepts (Django ticket #20516), so the default connection keeps client-side binding. Behind
a pooler in transaction mode without prepared-statement support (PgBouncer before 1.21),
set SERVICEDESK_PREPARED_READS=false: the pages are then read through the default alias."""

PREPARED_READS = "prepared_reads"
# psycopg prepares a statement after it ran this many times on a connection.
PREPARE_THRESHOLD = 5


def with_prepared_reads(databases: dict, *, enabled: bool, mirror: bool = False) -> str:
    """Add the prepared-reads alias to `databases` (a copy of the default's settings) when the
    default is PostgreSQL and `enabled`; return the alias the request pages read through.
    `mirror`: in tests, the alias reads the default's test database."""
    default = databases["default"]
    if not enabled or default["ENGINE"] != "django.db.backends.postgresql":
        return "default"
    options = {
        **default.get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": PREPARE_THRESHOLD,
    }
    alias = {**default, "OPTIONS": options}
    if mirror:
        alias["TEST"] = {"MIRROR": "default"}
    databases[PREPARED_READS] = alias
    return PREPARED_READS
