"""The same metric, process-map and series tests on SQLite (the embedded default), where the
percentile is our registered aggregate instead of PostgreSQL's percentile_cont."""

import random
import sqlite3

import pytest
from django.db import connection
from django.db.models import Q

from apps.analytics.sql import (
    Percentile,
    Quantiles,
    _SQLitePercentile,
    _SQLiteQuantiles,
    percentile_of,
    stats,
)
from apps.tickets.models import Feedback
from tests.support.sqlite import run_on_sqlite

MODULES = ["test_metrics.py", "test_process_map.py", "test_series.py", "test_import.py"]


def test_percentile_interpolates_like_percentile_cont():
    assert percentile_of([], 0.5) is None
    assert percentile_of([7], 0.9) == 7
    assert percentile_of([4, 1, 3, 2], 0.5) == 2.5
    assert percentile_of([1, 2, 3, 4], 0.9) == pytest.approx(3.7)


def test_the_sqlite_aggregate_skips_nulls():
    db = sqlite3.connect(":memory:")
    db.create_aggregate("p", 2, _SQLitePercentile)
    db.execute("CREATE TABLE t (x REAL)")
    db.executemany("INSERT INTO t VALUES (?)", [(1,), (None,), (3,), (2,), (10,)])
    assert db.execute("SELECT p(x, 0.5), p(x, 0.9) FROM t").fetchone() == (2.5, pytest.approx(7.9))
    assert db.execute("SELECT p(x, 0.5) FROM t WHERE x > 100").fetchone() == (None,)


def test_the_sqlite_quantiles_aggregate_sorts_once_for_both_fractions():
    db = sqlite3.connect(":memory:")
    db.create_aggregate("q", 2, _SQLiteQuantiles)
    db.execute("CREATE TABLE t (x REAL)")
    db.executemany("INSERT INTO t VALUES (?)", [(1,), (None,), (3,), (2,), (10,)])
    (found,) = db.execute("SELECT q(x, '[0.5, 0.9]') FROM t").fetchone()
    assert stats("x", {"x_quantiles": found}) == {
        "count": 0,
        "mean": None,
        "median": 2.5,
        "p90": pytest.approx(7.9),
    }
    assert db.execute("SELECT q(x, '[0.5, 0.9]') FROM t WHERE x > 100").fetchone() == (None,)


@pytest.mark.django_db
def test_percentile_in_the_database_equals_the_python_fallback(customer):
    from tests.paths import Desk

    desk = Desk(customer)
    rng = random.Random(5)
    ratings = []
    for _ in range(9):
        request = desk.request_in("resolved")
        ratings.append(rng.randint(1, 5))
        Feedback.objects.create(request=request, rating=ratings[-1], created_at=request.created_at)
    found = Feedback.objects.aggregate(
        median=Percentile("rating", fraction=0.5), p90=Percentile("rating", fraction=0.9)
    )
    assert found["median"] == pytest.approx(percentile_of(ratings, 0.5))
    assert found["p90"] == pytest.approx(percentile_of(ratings, 0.9))
    both = Feedback.objects.aggregate(
        all=Quantiles("rating"), none=Quantiles("rating", filter=Q(rating__gt=5))
    )
    assert both["all"] == pytest.approx([found["median"], found["p90"]])
    assert both["none"] is None


@pytest.mark.slow
def test_the_analytics_tests_pass_on_sqlite():
    if connection.vendor == "sqlite":
        pytest.skip("this run is on SQLite already")
    result = run_on_sqlite([f"tests/analytics/{name}" for name in MODULES])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
