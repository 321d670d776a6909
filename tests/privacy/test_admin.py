"""The customer admin's erase action: a confirmation page first, staff refused, then erased."""

import pytest

from apps.privacy.models import PrivacyRecord
from tests.factories import CustomerFactory
from tests.privacy.history import make_customer

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/customer/"


def test_erasing_from_the_admin_asks_first_and_refuses_staff(admin_client):
    customer = make_customer()
    staff = CustomerFactory(user__username="staffer", user__is_staff=True)
    chosen = {"action": "erase_personal_data", "_selected_action": [customer.pk, staff.pk]}

    page = admin_client.post(CHANGELIST, chosen)

    assert page.status_code == 200
    assert page.context["erasable"] == [customer]
    assert [c for c, _why in page.context["refused"]] == [staff]
    assert not PrivacyRecord.objects.exists()

    done = admin_client.post(CHANGELIST, {**chosen, "confirm": "yes"})

    assert done.status_code == 302
    customer.user.refresh_from_db()
    staff.user.refresh_from_db()
    assert (customer.user.username, staff.user.username) == (
        f"erased-{customer.user_id}",
        "staffer",
    )
    record = PrivacyRecord.objects.get()
    assert (record.customer_id, record.channel) == (customer.pk, "admin")
    assert record.done_by.username == "admin"
