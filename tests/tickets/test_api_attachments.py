"""Attachments through the API: uploads on create and on messages (multipart), JSON still
working, refusals that attach nothing, and downloads that browsers will not render."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.lifecycle.states import State
from apps.tickets.models import Attachment, Message, ServiceRequest
from tests.support.api import url
from tests.support.attachments import EXE, HTML, PDF, PNG, TEXT, stored_files

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/requests/"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_files(client, path: str, fields: dict, *files, **extra):
    return client.post(path, {**fields, "files": list(files)}, format="multipart", **extra)


def test_a_customer_submits_with_files_and_downloads_them(customer_client, attachment_dir):
    response = post_files(
        customer_client,
        REQUESTS,
        {"subject": "Printer jams", "impact": "high"},
        upload("jam.png", PNG, "image/png"),
        upload("log.txt", TEXT, "text/plain"),
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["impact"] == "high"
    files = created["attachments"]
    assert [(f["name"], f["content_type"], f["size"]) for f in files] == [
        ("jam.png", "image/png", len(PNG)),
        ("log.txt", "text/plain", len(TEXT)),
    ]
    assert files[0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert files[0]["message"] is None and files[0]["internal"] is False
    assert files[0]["uploader_role"] == "customer"
    assert len(stored_files(attachment_dir)) == 2

    read = customer_client.get(f"{REQUESTS}{created['reference']}/").json()
    assert read["attachments"] == files
    listed = customer_client.get(f"{REQUESTS}{created['reference']}/attachments/").json()
    assert listed["results"] == files

    download = customer_client.get(files[0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="jam.png"'
    assert download["Content-Length"] == str(len(PNG))
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert "sandbox" in download["Content-Security-Policy"]
    text = customer_client.get(files[1]["download"])
    assert text["Content-Type"] == "text/plain; charset=utf-8"


def test_a_download_answers_any_accept_header(customer_client, attachment_dir):
    created = post_files(customer_client, REQUESTS, {"subject": "x"}, upload("a.pdf", PDF))
    path = created.json()["attachments"][0]["download"]
    response = customer_client.get(path, HTTP_ACCEPT="application/pdf")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    missing = customer_client.get(
        path.replace("/attachments/", "/attachments/9"), HTTP_ACCEPT="x/y"
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_a_non_ascii_name_is_given_in_rfc_5987_form(customer_client, attachment_dir):
    created = post_files(customer_client, REQUESTS, {"subject": "x"}, upload("скан.pdf", PDF))
    file = created.json()["attachments"][0]
    assert file["name"] == "скан.pdf"
    disposition = customer_client.get(file["download"])["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''%D1%81%D0%BA%D0%B0%D0%BD.pdf"


def test_one_refused_file_refuses_the_create(customer_client, attachment_dir):
    response = post_files(
        customer_client,
        REQUESTS,
        {"subject": "Invoice"},
        upload("ok.pdf", PDF),
        upload("invoice.pdf", PNG, "application/pdf"),
        upload("notes.txt", HTML, "text/plain"),
        upload("cat.png", EXE, "image/png"),
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert [r["name"] for r in error["refused"]] == ["invoice.pdf", "notes.txt", "cat.png"]
    assert error["fields"]["files"][0] == (
        "invoice.pdf: the name ends in .pdf but the content is image/png"
    )
    assert not ServiceRequest.objects.exists()
    assert stored_files(attachment_dir) == []


def test_too_many_files_are_refused(customer_client, attachment_dir, settings):
    settings.SERVICEDESK_ATTACHMENT_MAX_COUNT = 2
    files = [upload(f"{n}.txt", TEXT) for n in range(3)]
    response = post_files(customer_client, REQUESTS, {"subject": "x"}, *files)
    assert response.status_code == 400
    assert "At most 2 files" in response.json()["error"]["message"]
    assert not ServiceRequest.objects.exists()


def test_a_body_larger_than_the_limits_is_413(customer_client, attachment_dir, settings):
    settings.SERVICEDESK_ATTACHMENT_MAX_BYTES = 1000
    settings.SERVICEDESK_ATTACHMENT_MAX_COUNT = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_files(customer_client, REQUESTS, {"subject": "x"}, upload("a.txt", b"a" * 3000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert stored_files(attachment_dir) == []


def test_a_file_over_the_size_limit_is_400(customer_client, attachment_dir, settings):
    settings.SERVICEDESK_ATTACHMENT_MAX_BYTES = 1000
    response = post_files(customer_client, REQUESTS, {"subject": "x"}, upload("a.txt", b"a" * 1001))
    assert response.status_code == 400
    assert response.json()["error"]["refused"] == [
        {"name": "a.txt", "reason": "larger than 1000 B"}
    ]


def test_json_creates_and_messages_still_work(customer_client, desk, attachment_dir):
    created = customer_client.post(REQUESTS, {"subject": "Plain"}, format="json")
    assert created.status_code == 201
    assert created.json()["attachments"] == []
    request = desk.request_in(State.IN_PROGRESS)
    posted = customer_client.post(url(request, "messages/"), {"body": "hi"}, format="json")
    assert posted.status_code == 201
    assert posted.json()["attachments"] == []


def test_files_in_a_json_body_are_refused(customer_client):
    response = customer_client.post(REQUESTS, {"subject": "x", "files": ["a.txt"]}, format="json")
    assert response.status_code == 400
    assert "files" in response.json()["error"]["fields"]


def test_a_multipart_create_by_an_agent_names_the_customer(lead_client, customer, attachment_dir):
    response = post_files(
        lead_client,
        REQUESTS,
        {"subject": "On the phone", "customer": customer.pk},
        upload("a.pdf", PDF),
    )
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["uploader_role"] == "agent"


def test_a_customer_may_name_themselves_in_a_form(customer, customer_client, attachment_dir):
    response = post_files(
        customer_client, REQUESTS, {"subject": "x", "customer": customer.pk}, upload("a.pdf", PDF)
    )
    assert response.status_code == 201, response.content


def test_messages_carry_their_files_and_internal_notes_keep_theirs(
    desk, customer_client, lead_client, attachment_dir
):
    request = desk.request_in(State.IN_PROGRESS)
    reply = post_files(
        lead_client, url(request, "messages/"), {"body": "Here is the fix"}, upload("fix.txt", TEXT)
    )
    note = post_files(
        lead_client,
        url(request, "messages/"),
        {"body": "Their config", "internal": "true"},
        upload("config.png", PNG),
    )
    assert (reply.status_code, note.status_code) == (201, 201)
    assert note.json()["visibility"] == "internal"
    assert note.json()["attachments"][0]["internal"] is True
    reply_file = reply.json()["attachments"][0]
    note_file = note.json()["attachments"][0]
    assert reply_file["message"] == reply.json()["id"]

    thread = customer_client.get(url(request, "messages/")).json()["results"]
    assert [[f["name"] for f in m["attachments"]] for m in thread] == [["fix.txt"]]
    files = customer_client.get(url(request, "attachments/")).json()["results"]
    assert [f["name"] for f in files] == ["fix.txt"]
    assert [f["name"] for f in customer_client.get(url(request)).json()["attachments"]] == [
        "fix.txt"
    ]
    assert customer_client.get(note_file["download"]).status_code == 404
    assert customer_client.get(reply_file["download"]).status_code == 200
    assert lead_client.get(note_file["download"]).status_code == 200
    agent_files = lead_client.get(url(request, "attachments/")).json()["results"]
    assert [f["name"] for f in agent_files] == ["fix.txt", "config.png"]


def test_a_refused_file_posts_no_message(desk, customer_client, attachment_dir):
    request = desk.request_in(State.IN_PROGRESS)
    response = post_files(
        customer_client, url(request, "messages/"), {"body": "See"}, upload("a.png", PDF)
    )
    assert response.status_code == 400
    assert not Message.objects.filter(request=request).exists()
    assert stored_files(attachment_dir) == []


def test_an_attachment_is_found_only_under_its_own_request(desk, customer_client, attachment_dir):
    first = post_files(customer_client, REQUESTS, {"subject": "1"}, upload("a.pdf", PDF)).json()
    second = customer_client.post(REQUESTS, {"subject": "2"}, format="json").json()
    file_id = first["attachments"][0]["id"]
    path = f"{REQUESTS}{second['reference']}/attachments/{file_id}/"
    assert customer_client.get(path).status_code == 404
    huge = f"{REQUESTS}{first['reference']}/attachments/{2**70}/"
    assert customer_client.get(huge).status_code == 404


def test_an_idempotent_retry_with_the_same_files_replays(customer_client, attachment_dir):
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-with-files-1"}
    first = post_files(customer_client, REQUESTS, {"subject": "x"}, upload("a.pdf", PDF), **headers)
    again = post_files(customer_client, REQUESTS, {"subject": "x"}, upload("a.pdf", PDF), **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = post_files(
        customer_client, REQUESTS, {"subject": "x"}, upload("a.pdf", PDF + b" "), **headers
    )
    assert other.status_code == 422
    assert ServiceRequest.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert len(stored_files(attachment_dir)) == 1
