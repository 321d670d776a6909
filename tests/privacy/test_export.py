"""A customer's export: what it holds and leaves out, its zip, the API (customers only,
throttled), the command and the admin action."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from apps.notifications.models import NotificationPreference
from apps.privacy.export import customer_export
from apps.privacy.models import Action, PrivacyRecord
from tests.factories import submit
from tests.privacy.history import EMAIL, make_customer, rich_history
from tests.support.api import client_for
from tests.support.attachments import PNG, TEXT

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/export/"


@pytest.fixture
def history(attachment_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        found = rich_history()
    NotificationPreference.objects.create(user=found.customer.user, kind="test", email=False)
    return found


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_the_customers_data_and_not_the_desks_notes(history):
    data = customer_export(history.customer)

    assert data["profile"]["email"] == EMAIL
    assert data["profile"]["organisation"] == "Zephyr Holdings"
    assert len(data["requests"]) == len(history.requests)
    main = data["requests"][0]
    assert main["subject"] == "XYZZY-SUBJECT printer"
    bodies = [m["body"] for m in main["messages"]]
    assert "XYZZY-MESSAGE" in bodies and "Dear Quinnelda, XYZZY-QUOTE" in bodies
    assert not any("XYZZY-NOTE" in body for body in bodies), "internal notes stay the desk's"
    assert {m["from"] for m in main["messages"]} == {"you", "agent"}
    assert main["feedback"]["comment"] == "XYZZY-COMMENT slow"
    assert [f["name"] for f in main["attachments"]] == [
        "XYZZY-FILE.png",
        "log.txt",
        "XYZZY-FILE2.txt",
    ]
    assert main["history"][0]["transition"] == "submit"
    assert data["notifications"][0]["title"] == "XYZZY-NOTIFIED"
    assert data["notification_preferences"] == [{"kind": "test", "email": False}]
    assert [m["subject"] for m in data["inbound_mails"]] == ["XYZZY-MAIL"]
    cancelled = data["requests"][3]
    assert cancelled["state"] == "cancelled"


def test_the_api_gives_the_customer_a_zip_of_json_and_files(history):
    response = client_for(history.customer.user).get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Cache-Control"] == "no-store"
    files = unzip(response.content)
    data = json.loads(files["export.json"])
    assert data["profile"]["username"] == "qzephyr"
    stored = {f["path"]: f for r in data["requests"] for f in r["attachments"]}
    assert sorted(files) == sorted([*stored, "export.json"])
    assert sorted(files[p] for p in stored) == sorted([PNG, TEXT, TEXT])
    assert data["missing_files"] == []
    record = PrivacyRecord.objects.get(action=Action.EXPORT)
    assert (record.customer_id, record.channel, record.requests) == (
        history.customer.pk,
        "api",
        len(history.requests),
    )


def test_the_api_export_is_for_customers_and_throttled(settings, customer, agent, anon_client):
    settings.SERVICEDESK_THROTTLE_EXPORT = "2/hour"
    submit(customer)
    client = client_for(customer.user)

    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert client_for(agent.user).get(URL).status_code == 403
    refused = client_for(agent.user).get(URL).json()
    assert refused["error"]["code"] == "forbidden"
    assert anon_client.get(URL).status_code == 401


def test_the_command_prints_the_json_or_writes_the_zip(tmp_path, capsys):
    customer = make_customer()
    submit(customer, subject="XYZZY-SUBJECT")

    call_command("export_customer", "qzephyr", "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["requests"][0]["subject"] == "XYZZY-SUBJECT"

    target = tmp_path / "out.zip"
    call_command("export_customer", str(customer.pk), "--output", str(target))
    assert json.loads(unzip(target.read_bytes())["export.json"])["profile"]["email"] == EMAIL


def test_the_admin_action_downloads_one_customers_zip(admin_client):
    customer = make_customer()
    response = admin_client.post(
        "/admin/accounts/customer/",
        {"action": "export_personal_data", "_selected_action": [customer.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert json.loads(unzip(response.content)["export.json"])["profile"]["email"] == EMAIL
