"""The dashboard's date-range picker: a chosen range drives every query; bad input is a clear
message on the page (the default range drawn), never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/quality/qualitydashboard/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_chosen_range_is_watched_after_its_baseline(admin_client):
    response = admin_client.get(URL, {"start": "2026-03-02", "end": "2026-03-15"})

    assert response.status_code == 200
    window = response.context["window"]
    assert (window.window_first.isoformat(), window.last.isoformat()) == (
        "2026-03-02",
        "2026-03-15",
    )
    assert response.context["span"].first == window.window_first - timedelta(days=28)
    assert 'value="2026-03-02"' in response.content.decode()


def test_the_date_inputs_keep_iso_dates_in_chinese(admin_client):
    response = admin_client.get(
        URL, {"start": "2026-03-02", "end": "2026-03-15"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # A browser's date input reads only yyyy-mm-dd, whatever the page's language.
    assert 'value="2026-03-02"' in response.content.decode()
    assert 'value="2026-03-15"' in response.content.decode()


def test_one_end_alone_keeps_the_default_length(admin_client):
    window = admin_client.get(URL, {"end": "2026-03-28"}).context["window"]

    assert (window.window_first.isoformat(), window.window_days) == ("2026-03-01", 28)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-15", "end": "2026-03-02"}, "The first day must not be after the last."),
        ({"start": "2020-01-01", "end": "2026-03-02"}, "Choose at most 366 days."),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"end": "9999-12-31"}, "The last day must not be in the future."),
        ({"start": "9999-12-31"}, "The first day must not be in the future."),
        ({"start": "0001-01-01"}, "Choose days from"),
        ({"department": "not-a-number"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_a_message_and_the_default_range(admin_client, query, message):
    response = admin_client.get(URL, query)

    assert response.status_code == 200
    if message:
        assert message in response.content.decode()
    default_last = timezone.localdate() - timedelta(days=1)
    if "start" not in query or message:
        assert response.context["window"].last == default_last
