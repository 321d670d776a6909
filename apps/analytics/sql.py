"""SQL pieces that differ between PostgreSQL and SQLite: percentiles and seconds between times."""

import json
import math

from django.db.models import Aggregate, Avg, Count, Field, FloatField, Func

SQLITE_PERCENTILE = "SD_PERCENTILE_CONT"
SQLITE_QUANTILES = "SD_QUANTILES"
# The percentiles every figure reports (median and p90), computed from one sort.
FRACTIONS = (0.5, 0.9)
PG_FRACTIONS = f"ARRAY{list(FRACTIONS)}"
JSON_FRACTIONS = json.dumps(FRACTIONS)


def percentile_of(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class _SQLitePercentile:
    """The same percentile as a SQLite aggregate function, so one query serves both databases
    (SQLite has no percentile_cont; Django registers STDDEV_POP and others the same way)."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self):
        return percentile_of(self.values, self.fraction)


class _SQLiteQuantiles:
    """percentile_cont(ARRAY[...]) for SQLite: the percentiles of one sort as a JSON list
    (fractions passed as a JSON list too), NULL without values."""

    def __init__(self):
        self.values: list[float] = []
        self.fractions: list[float] = []

    def step(self, value, fractions):
        if value is not None:
            self.values.append(value)
            self.fractions = fractions

    def finalize(self):
        if not self.values:
            return None
        self.values.sort()
        return json.dumps([percentile_of(self.values, f) for f in json.loads(self.fractions)])


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: add the percentile aggregates to each SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _SQLitePercentile)
        connection.connection.create_aggregate(SQLITE_QUANTILES, 2, _SQLiteQuantiles)


class Percentile(Aggregate):
    """percentile_cont(fraction) of an expression, on PostgreSQL and (registered) on SQLite."""

    function = "percentile_cont"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        # On a copy, not through extra_context: Aggregate.as_sql also passes `template=` when
        # the aggregate has a filter.
        clone = self.copy()
        clone.function = SQLITE_PERCENTILE
        clone.template = "%(function)s(%(expressions)s, %(fraction)s)"
        return super(Percentile, clone).as_sql(compiler, connection, **extra_context)


class _QuantilesField(Field):
    """A list of floats: a PostgreSQL float8[] or the JSON text of the SQLite aggregate."""

    def from_db_value(self, value, expression, connection):
        return parse_quantiles(value)


def parse_quantiles(value) -> list | None:
    return json.loads(value) if isinstance(value, str) else value


class Quantiles(Aggregate):
    """The median and p90 (FRACTIONS) of an expression from one sort: percentile_cont over an
    array on PostgreSQL, the registered aggregate on SQLite."""

    function = "percentile_cont"
    name = "Quantiles"
    template = f"%(function)s({PG_FRACTIONS}) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, **extra):
        super().__init__(expression, output_field=_QuantilesField(), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        clone.function = SQLITE_QUANTILES
        clone.template = f"%(function)s(%(expressions)s, '{JSON_FRACTIONS}')"
        return super(Quantiles, clone).as_sql(compiler, connection, **extra_context)


def summary(prefix: str, expression, *, filter=None) -> dict:
    """Aggregates for stats(): count, mean, median and p90 of an expression, named by prefix,
    over the rows matching `filter` (a Q; None: all rows)."""
    return {
        f"{prefix}_count": Count(expression, filter=filter),
        f"{prefix}_mean": Avg(expression, filter=filter),
        f"{prefix}_quantiles": Quantiles(expression, filter=filter),
    }


class Seconds(Func):
    """Seconds from `start` to `end` (two datetime expressions), as a float."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::float",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


# --- raw SQL fragments for the window queries of the process map -------------------------------


def seconds_sql(vendor: str, end: str, start: str) -> str:
    if vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({end} - {start}))::float"
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def quantiles_sql(vendor: str, expression: str) -> str:
    """Quantiles() in raw SQL: the median and p90 of one sort (read with stats())."""
    if vendor == "postgresql":
        return f"percentile_cont({PG_FRACTIONS}) WITHIN GROUP (ORDER BY {expression})"
    return f"{SQLITE_QUANTILES}({expression}, '{JSON_FRACTIONS}')"


def json_text_sql(vendor: str, column: str, key: str) -> str:
    """The text of a top-level key of a JSON column (`key` is one of ours, never user input)."""
    if vendor == "postgresql":
        return f"({column} ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def ordered_concat_sql(vendor: str, expression: str, order: str) -> str:
    """Concatenate with the separator parameter in `order`. SQLite before 3.44 has no ORDER BY
    inside group_concat: the caller feeds it rows already sorted in a subquery."""
    if vendor == "postgresql":
        return f"string_agg({expression}, %s ORDER BY {order})"
    return f"group_concat({expression}, %s)"


def stats(prefix: str, row: dict) -> dict:
    """{count, mean, median, p90} from aggregate columns named <prefix>_count, <prefix>_mean
    and <prefix>_quantiles (see summary())."""
    median, p90 = parse_quantiles(row.get(f"{prefix}_quantiles")) or (None, None)
    return {
        "count": row.get(f"{prefix}_count") or 0,
        "mean": _round(row.get(f"{prefix}_mean")),
        "median": _round(median),
        "p90": _round(p90),
    }


def _round(value):
    return None if value is None else round(float(value), 3)
