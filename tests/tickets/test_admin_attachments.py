"""Attachments in the agents' workspace: listed on the request page, downloaded through the
access check, and attached to a reply or an internal note."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.actors import actor_for_user
from apps.tickets.attachments import IncomingFile, do_attach_files, do_post_message_with_files
from apps.tickets.models import Attachment, Message
from tests.support.attachments import HTML, PDF, PNG, TEXT, stored_files
from tests.tickets.test_admin_request import change_url, flashed, routed
from tests.tickets.test_admin_workspace import reply_url

pytestmark = pytest.mark.django_db


def download_url(attachment) -> str:
    return reverse("admin:tickets_attachment_download", args=[attachment.pk])


@pytest.fixture
def filed(customer, department, staff_agent, attachment_dir):
    request = routed(customer, department)
    do_attach_files(
        request, actor=actor_for_user(customer.user), files=[IncomingFile("scan.pdf", PDF)]
    )
    do_post_message_with_files(
        request,
        actor=actor_for_user(staff_agent.user),
        body="Their screen",
        internal=True,
        files=[IncomingFile("screen.png", PNG)],
    )
    return request


def test_the_request_page_lists_the_files_with_download_links(agent_client, filed):
    page = agent_client.get(change_url(filed))
    assert page.status_code == 200
    html = page.content.decode()
    assert [f.name for f in page.context["files"]] == ["scan.pdf", "screen.png"]
    assert [f.name for f in page.context["submitted_files"]] == ["scan.pdf"]
    for attachment in Attachment.objects.filter(request=filed):
        assert html.count(download_url(attachment)) == 2  # in the thread and in the table
    assert 'id="request-files"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="files"' in html


def test_an_agent_downloads_a_file(agent_client, filed):
    attachment = Attachment.objects.get(name="screen.png")
    response = agent_client.get(download_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="screen.png"'
    # The admin adds its own never-cache directives to ours.
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_agent_of_another_department_gets_404(client, other_agent, filed):
    client.force_login(other_agent.user)
    for attachment in Attachment.objects.filter(request=filed):
        assert client.get(download_url(attachment)).status_code == 404
    listing = client.get(reverse("admin:tickets_attachment_changelist"))
    assert listing.status_code == 200
    assert "scan.pdf" not in listing.content.decode()


def test_the_attachment_list_is_read_only_and_scoped(agent_client, filed):
    listing = agent_client.get(reverse("admin:tickets_attachment_changelist"))
    assert listing.status_code == 200
    assert {a.name for a in listing.context["cl"].result_list} == {"scan.pdf", "screen.png"}
    attachment = Attachment.objects.get(name="scan.pdf")
    change = agent_client.get(reverse("admin:tickets_attachment_change", args=[attachment.pk]))
    assert change.status_code == 200
    assert (
        agent_client.post(
            reverse("admin:tickets_attachment_delete", args=[attachment.pk])
        ).status_code
        == 403
    )


def test_an_agent_replies_with_files(agent_client, filed, attachment_dir):
    page = agent_client.get(change_url(filed))
    files = [SimpleUploadedFile("fix.txt", TEXT), SimpleUploadedFile("proof.pdf", PDF)]
    response = agent_client.post(
        reply_url(filed),
        {"body": "Fixed, see attached.", "seen_seq": page.context["seen_seq"], "files": files},
    )
    assert response.status_code == 302
    message = Message.objects.get(request=filed, body="Fixed, see attached.")
    assert [a.name for a in message.attachments.all()] == ["fix.txt", "proof.pdf"]
    assert message.visibility == "public"
    assert len(stored_files(attachment_dir)) == 4


def test_a_refused_file_sends_nothing_and_keeps_the_draft(agent_client, filed, attachment_dir):
    page = agent_client.get(change_url(filed))
    before = stored_files(attachment_dir)
    response = agent_client.post(
        reply_url(filed),
        {
            "body": "See the page",
            "internal": "on",
            "seen_seq": page.context["seen_seq"],
            "files": [SimpleUploadedFile("page.txt", HTML)],
        },
    )
    assert response.status_code == 302
    assert any("page.txt" in m for m in flashed(response))
    assert not Message.objects.filter(body="See the page").exists()
    assert stored_files(attachment_dir) == before
    again = agent_client.get(change_url(filed))
    assert again.context["reply_draft"] == "See the page"


def test_the_request_page_reads_files_in_a_fixed_number_of_queries(
    agent_client, filed, staff_agent
):
    with CaptureQueriesContext(connection) as few:
        agent_client.get(change_url(filed))
    for n in range(4):
        do_post_message_with_files(
            filed,
            actor=actor_for_user(staff_agent.user),
            body=f"More {n}",
            files=[IncomingFile(f"{n}.txt", TEXT), IncomingFile(f"{n}.png", PNG)],
        )
    with CaptureQueriesContext(connection) as many:
        agent_client.get(change_url(filed))
    assert len(many) == len(few)
