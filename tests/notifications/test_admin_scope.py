"""Agents read only their own notifications in the admin; webhook deliveries are for admins."""

import pytest

from apps.notifications.services import do_notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_agents_see_only_their_own_notifications(agent_client, staff_agent):
    someone_else = UserFactory()
    do_notify(recipients=[staff_agent.user], kind="escalation", title="Mine", body="x")
    do_notify(recipients=[someone_else], kind="escalation", title="Not mine", body="y")
    page = agent_client.get("/admin/notifications/notification/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mine" in text and "Not mine" not in text


def test_webhook_deliveries_are_hidden_from_agents(agent_client, admin_client):
    assert agent_client.get("/admin/notifications/webhookdelivery/").status_code == 403
    assert admin_client.get("/admin/notifications/webhookdelivery/").status_code == 200
