"""Guards of the private framework names the code relies on (docs/private-api.md): each test
fails when an upgrade of Django, DRF, django-fsm or redis-py changes what the code uses, so the
upgrade stops here with the name and the place, not in production. One test per row of the
table; each checks the name exists and behaves as the code uses it."""

import inspect
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import db as session_db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, SessionBase
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.db.models.sql import InsertQuery
from django.db.transaction import Atomic

from apps.accounts.actors import actor_for_user
from apps.core import insert_together, prefetch
from apps.core.cache import ReusedClients, TolerantRedisCache
from apps.core.private_api import outermost_atomic_block
from apps.core.sessions import SessionStore
from apps.eventlog.models import Event
from apps.lifecycle.states import State
from apps.sla.models import SLAClock
from apps.tickets.models import Category, ServiceRequest
from tests.factories import CustomerFactory, submit

User = get_user_model()


# --- Django: the ORM ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_insert_query_compiles_an_insert_returning_the_key():
    """apps/core/insert_together.py: `InsertQuery`, `insert_values`, `get_compiler`,
    `returning_fields`, `as_sql()` giving one (sql, params) pair."""
    query = InsertQuery(Category)
    assert callable(query.insert_values) and callable(query.get_compiler)
    sql, params = insert_together._insert_sql([Category(name="Printers")])
    table = Category._meta.db_table
    assert sql.startswith(f'INSERT INTO "{table}"')
    assert "Printers" in params
    if connection.vendor == "postgresql":
        assert f'RETURNING "{table}"."id"' in sql
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (pk,) = cursor.fetchone()
        assert Category.objects.get(pk=pk).name == "Printers"


def test_model_state_tells_a_saved_row():
    """apps/core/insert_together.py (rows inserted by hand), apps/routing/selection.py,
    apps/improvement/admin/problems.py, the event log's, quality's and improvement's models:
    `Model._state.adding` and `.db`, documented by Django (model instance reference) but
    underscored."""
    row = Category(name="x")
    assert (row._state.adding, row._state.db) == (True, None)
    from_db = Category.from_db("default", ["id", "name"], [1, "x"])
    assert (from_db._state.adding, from_db._state.db) == (False, "default")


@pytest.mark.django_db
def test_a_prefetch_cache_holds_what_prefetch_related_stores(django_assert_num_queries):
    """apps/core/prefetch.py: `_result_cache`, `_prefetch_done` on the related manager's
    queryset and `_prefetched_objects_cache` on the instance, as `prefetch_related` fills them;
    and a reverse one-to-one descriptor's `.related.set_cached_value` (`set_absent`)."""
    request = submit(CustomerFactory())
    fetched = ServiceRequest.objects.prefetch_related("sla_clocks").get(pk=request.pk)
    cached = fetched._prefetched_objects_cache["sla_clocks"]
    assert isinstance(cached._result_cache, list) and cached._prefetch_done is True

    fresh = ServiceRequest.objects.get(pk=request.pk)
    clock = SLAClock(request=fresh)
    prefetch.set_prefetched(fresh, "sla_clocks", [clock])
    prefetch.set_absent(fresh, "forecast")
    with django_assert_num_queries(0):
        assert list(fresh.sla_clocks.all()) == [clock]
        with pytest.raises(ServiceRequest.forecast.RelatedObjectDoesNotExist):
            fresh.forecast  # noqa: B018 (the read is the test)


@pytest.mark.django_db
def test_a_loaded_one_to_one_is_in_the_fields_cache(django_assert_num_queries):
    """apps/accounts/actors.py `_loaded`: `Model._state.fields_cache` holds a reverse one-to-one
    loaded by `select_related`, also as None when the row is absent."""
    assert "fields_cache" in dir(ModelState)
    customer = CustomerFactory()
    user = User.objects.select_related("agent", "customer").get(pk=customer.user.pk)
    assert user._state.fields_cache["agent"] is None
    assert user._state.fields_cache["customer"].pk == customer.pk
    with django_assert_num_queries(0):
        assert actor_for_user(user).customer_id == customer.pk


@pytest.mark.django_db
def test_a_querysets_sql_and_params_run_as_a_subquery():
    """apps/analytics/sources.py and process_map.py: `QuerySet.query.sql_with_params()`."""
    request = submit(CustomerFactory(), subject="in the subquery")
    subset = ServiceRequest.objects.filter(subject="in the subquery").order_by().values("pk")
    sql, params = subset.query.sql_with_params()
    assert isinstance(sql, str) and isinstance(params, tuple)
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT request_id FROM {table} WHERE request_id IN ({sql})", params
        )
        assert cursor.fetchall() == [(request.pk,)]


# --- Django: transactions ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_outermost_own_atomic_block_is_known():
    """apps/core/private_api.py `outermost_atomic_block` (behind apps/core/door.py `Held`):
    `connection.atomic_blocks` lists the open `Atomic` blocks, and `Atomic._from_testcase`
    marks those a test case opened."""
    assert Atomic(None, True, False)._from_testcase is False
    blocks = transaction.get_connection().atomic_blocks
    assert blocks and all(block._from_testcase for block in blocks)  # pytest-django's own
    assert outermost_atomic_block() is None
    with transaction.atomic():
        outer = transaction.get_connection().atomic_blocks[-1]
        assert isinstance(outer, Atomic) and outer._from_testcase is False
        with transaction.atomic():
            assert outermost_atomic_block() is outer
    assert outermost_atomic_block() is None


# --- Django: sessions and the Redis cache ------------------------------------------------------


def test_session_keys_are_validated_by_the_overridden_method():
    """apps/core/sessions.py: `SessionBase._validate_session_key` is what Django calls on a key
    from the cookie, and `VALID_KEY_CHARS` is the alphabet of the keys it makes."""
    assert "_validate_session_key" in vars(SessionBase)
    assert set(VALID_KEY_CHARS) == set("abcdefghijklmnopqrstuvwxyz0123456789")
    forged = "abcdefgh\x00ijklmnop"
    assert session_db.SessionStore(forged).session_key == forged  # Django's own check passes
    assert SessionStore(forged).session_key is None  # ours refuses it
    key = "a" * 32
    assert SessionStore(key).session_key == key


def test_the_redis_cache_client_is_reused_through_its_private_hooks():
    """apps/core/cache.py: `RedisCache._class` (the client class) and `_cache` (its instance);
    `RedisCacheClient.get_client(key, *, write)`, `_get_connection_pool_index`,
    `_get_connection_pool` and `_client` (the redis-py class). No connection is made."""
    for name in ("_get_connection_pool_index", "_get_connection_pool", "get_client"):
        assert callable(getattr(RedisCacheClient, name, None)), name
    assert list(inspect.signature(RedisCacheClient.get_client).parameters) == [
        "self",
        "key",
        "write",
    ]
    assert hasattr(RedisCache, "_cache") and "_class" in vars(RedisCache("redis://x", {}))
    cache = TolerantRedisCache("redis://127.0.0.1:6379/14", {})
    assert isinstance(cache._cache, ReusedClients)
    client = cache._cache.get_client(write=True)
    assert isinstance(client, cache._cache._client)
    assert cache.raw_client() is client is cache._cache.get_client("any-key", write=True)


@pytest.mark.redis
def test_the_reused_client_serves_djangos_cache_calls(settings):
    """The same, against Redis: Django's own `get`/`set` go through our client."""
    prefix = f"private-api-guard-{uuid.uuid4().hex[:8]}"
    cache = TolerantRedisCache(settings.TEST_REDIS_URL, {"KEY_PREFIX": prefix})
    cache.set("k", "v", 5)
    assert cache.get("k") == "v"
    assert cache.raw_client().exists(cache.make_key("k")) == 1
    cache.delete("k")


# --- django-fsm ----------------------------------------------------------------------------------


def test_the_protected_state_is_kept_in_the_instances_dict():
    """apps/demo/history.py `_write`: `instance.__dict__["state"]` sets an FSMField with
    `protected=True` that refuses assignment once set (django-fsm's field descriptor)."""
    request = ServiceRequest(subject="history")
    with pytest.raises(AttributeError):
        request.state = State.CLOSED
    request.__dict__["state"] = State.CLOSED
    assert request.state == State.CLOSED
