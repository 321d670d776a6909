"""The weight-history tests on SQLite too: the embedded desk (`make run`) scores periods and
lists indicators with the same code, and PostgreSQL-only SQL (DISTINCT ON) broke its list."""

import pytest
from django.db import connection

from tests.support.sqlite import run_on_sqlite


@pytest.mark.django_db
def test_the_weight_tests_pass_on_sqlite():
    if connection.vendor == "sqlite":
        pytest.skip("this run is on SQLite already")
    result = run_on_sqlite(["tests/quality/test_weights.py"])
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
