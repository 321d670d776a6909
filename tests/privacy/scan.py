"""Searching every text column of every table in the database for given strings."""

from django.db import connection

TEXT_TYPES = ("text", "character varying", "character", "jsonb", "json", "bytea")


def text_columns() -> list[tuple[str, str, str]]:
    """(table, column, type) of every text-holding column in the public schema (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s) ORDER BY table_name",
            [list(TEXT_TYPES)],
        )
        return list(cursor.fetchall())


def find_anywhere(needles: list[str]) -> list[str]:
    """`table.column contains 'needle'` for each place a needle (any case) is found."""
    found = []
    with connection.cursor() as cursor:
        for table, column, kind in text_columns():
            value = f'"{column}"'
            if kind == "bytea":
                value = f"encode(\"{column}\", 'escape')"
            elif kind in ("jsonb", "json"):
                value = f'"{column}"::text'
            cursor.execute(
                f"SELECT n FROM unnest(%s::text[]) AS n WHERE EXISTS "
                f"(SELECT 1 FROM \"{table}\" WHERE {value} ILIKE '%%' || n || '%%')",
                [needles],
            )
            found += [f"{table}.{column} contains {n!r}" for (n,) in cursor.fetchall()]
    return found
