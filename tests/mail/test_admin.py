"""The mail intake's admin: agents see their departments' mails, never the mailboxes; the
raw mail of a mail kept aside is for superusers; "poll now" polls."""

import pytest
from django.urls import reverse

from apps.mail.intake import take_in
from apps.mail.models import InboundMail, Mailbox, Outcome, Security
from tests.mail.mails import MALFORMED, mail, mailbox_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def mails(customer, department, other_department):
    ours = Mailbox.objects.create(name="IT", department=department, host="-", username="-")
    theirs = Mailbox.objects.create(name="HR", department=other_department, host="-", username="-")
    return {
        "our request": take_in(mail(subject="ours"), mailbox=ours),
        "their request": take_in(mail(subject="theirs"), mailbox=theirs),
        "our malformed": take_in(MALFORMED, mailbox=ours),
        "their malformed": take_in(MALFORMED + b"x", mailbox=theirs),
    }


def listed(client) -> set[int]:
    response = client.get(reverse("admin:mail_inboundmail_changelist"))
    assert response.status_code == 200
    return {m.pk for m in response.context["cl"].result_list}


def test_agents_see_the_mails_of_their_departments(agent_client, admin_client, mails):
    assert listed(agent_client) == {mails["our request"].pk, mails["our malformed"].pk}
    assert listed(admin_client) == {m.pk for m in mails.values()}


def test_agents_do_not_see_mailboxes_or_raw_mails(agent_client, mails):
    mailbox_list = agent_client.get(reverse("admin:mail_mailbox_changelist"))
    raw = agent_client.get(reverse("admin:mail_inboundmail_raw", args=[mails["our malformed"].pk]))

    assert (mailbox_list.status_code, raw.status_code) == (403, 403)


def test_a_superuser_downloads_the_raw_mail(admin_client, mails):
    kept = mails["our malformed"]

    page = admin_client.get(reverse("admin:mail_inboundmail_change", args=[kept.pk]))
    raw = admin_client.get(reverse("admin:mail_inboundmail_raw", args=[kept.pk]))
    none = admin_client.get(reverse("admin:mail_inboundmail_raw", args=[mails["our request"].pk]))

    assert "Download (.eml)" in page.content.decode()
    assert raw["Content-Type"] == "message/rfc822" and raw.content == MALFORMED
    assert none.status_code == 404


def test_the_password_is_kept_when_left_empty(admin_client, department):
    mailbox = Mailbox.objects.create(name="IT", host="imap", username="u", password="s3cret")
    url = reverse("admin:mail_mailbox_change", args=[mailbox.pk])
    form = {
        "name": "IT",
        "address": "it@example.com",
        "host": "imap.example.com",
        "port": 993,
        "security": Security.SSL,
        "username": "u",
        "password": "",
        "folder": "INBOX",
        "active": "on",
    }

    page = admin_client.get(url)
    response = admin_client.post(url, form)

    assert "s3cret" not in page.content.decode()
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.host, mailbox.password) == ("imap.example.com", "s3cret")


def test_poll_now_polls_and_reports(admin_client, imap_account, customer):
    mailbox = mailbox_for(imap_account, name="desk")
    imap_account.append(mail())

    response = admin_client.post(
        reverse("admin:mail_mailbox_changelist"),
        {"action": "poll_now", "_selected_action": [mailbox.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["desk: new mails created: 1"]
    assert InboundMail.objects.get().outcome == Outcome.CREATED
