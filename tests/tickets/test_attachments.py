"""Attachments as a service: limits, types recognised on the content, all or nothing, no file
left behind, and who may read what."""

import hashlib
import io

import pytest
from django.db import transaction

from apps.accounts.actors import BOT, SYSTEM
from apps.accounts.actors import actor_for_user as as_actor
from apps.core.errors import Forbidden, InvalidData, NotAllowed
from apps.lifecycle.states import State
from apps.tickets import attachments, services
from apps.tickets.attachment_checks import clean_name
from apps.tickets.attachments import IncomingFile
from apps.tickets.models import Attachment, Message
from apps.tickets.selectors import get_attachment_for, list_attachments_for
from tests.factories import AgentFactory, CustomerFactory
from tests.support.attachments import (
    CSV,
    DOCX,
    ELF,
    EXE,
    GIF,
    HTML,
    JPEG,
    ODT,
    PDF,
    PNG,
    SVG,
    TEXT,
    WEBP,
    XLSX,
    ZIP,
    stored_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def working(desk):
    """The desk's customer's request, in progress."""
    return desk.request_in(State.IN_PROGRESS)


def attach(request, actor, *files, message=None):
    incoming = [IncomingFile(name=name, content=content) for name, content in files]
    return attachments.do_attach_files(request, actor=actor, files=incoming, message=message)


def refusal(exc: InvalidData) -> dict[str, str]:
    return {r["name"]: r["reason"] for r in exc.details["refused"]}


# --- types: on the content, and the name must agree --------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("screen.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("pic.webp", WEBP, "image/webp"),
        ("log.txt", TEXT, "text/plain"),
        ("README", TEXT, "text/plain"),
        ("errors.csv", CSV, "text/csv"),
        (
            "letter.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("sheet.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("letter.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ],
)
def test_accepted_types_are_recognised_on_their_content(
    desk, working, attachment_dir, name, content, content_type
):
    (row,) = attach(working, as_actor(desk.customer.user), (name, content))
    assert (row.name, row.content_type, row.size) == (name, content_type, len(content))
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert row.message is None and row.internal is False
    assert (attachment_dir / row.stored_name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("invoice.pdf", PNG, "the name ends in .pdf but the content is image/png"),
        ("notes.txt", HTML, "HTML, SVG and other markup are not accepted"),
        ("page.html", HTML, "HTML, SVG and other markup are not accepted"),
        ("logo.svg", SVG, "HTML, SVG and other markup are not accepted"),
        ("cat.png", EXE, "files of type application/x-msdownload are not accepted"),
        ("tool", ELF, "files of type application/x-executable are not accepted"),
        ("bundle.zip", ZIP, "files of type application/zip are not accepted"),
        ("data.bin", bytes(range(256)), "the content is of no type the desk accepts"),
        ("nul.txt", b"text with a \x00 inside", "the content is of no type the desk accepts"),
        ("latin1.txt", "café".encode("latin-1"), "the content is of no type the desk accepts"),
        ("run.sh", b"echo hello\n", "the name ends in .sh but the content is text/plain"),
        ("empty.txt", b"", "the file is empty"),
    ],
)
def test_refused_content(desk, working, attachment_dir, name, content, why):
    with pytest.raises(InvalidData) as refused:
        attach(working, as_actor(desk.customer.user), (name, content))
    assert refusal(refused.value) == {name: why}
    assert refused.value.details["fields"] == {"files": [f"{name}: {why}"]}
    assert name in refused.value.message
    assert not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


def test_the_declared_type_is_not_trusted(desk, working, attachment_dir):
    incoming = IncomingFile(name="x.pdf", content=PNG, content_type="application/pdf")
    with pytest.raises(InvalidData):
        attachments.do_attach_files(working, actor=SYSTEM, files=[incoming])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\bob\\scan.pdf", "scan.pdf"),
        ("  .hidden.txt ", "hidden.txt"),
        ("inv\u202efdp.exe", "invfdp.exe"),  # a right-to-left override is dropped
        ('a<b>:"c|d?*.txt', "a_b___c_d__.txt"),
        ("", "attachment"),
        ("..", "attachment"),
        ("скан 📎.pdf", "скан 📎.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_names_are_cleaned(raw, clean):
    assert clean_name(raw) == clean


# --- limits ------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(desk, working, attachment_dir, settings):
    settings.SERVICEDESK_ATTACHMENT_MAX_BYTES = 1000
    actor = as_actor(desk.customer.user)
    (row,) = attach(working, actor, ("ok.txt", b"a" * 1000))
    assert row.size == 1000
    with pytest.raises(InvalidData) as refused:
        attach(working, actor, ("big.txt", b"a" * 1001))
    assert refusal(refused.value) == {"big.txt": "larger than 1000 B"}
    assert Attachment.objects.count() == 1


def test_more_files_than_the_count_limit_are_refused(desk, working, attachment_dir, settings):
    settings.SERVICEDESK_ATTACHMENT_MAX_COUNT = 2
    with pytest.raises(InvalidData) as refused:
        attach(working, SYSTEM, *[(f"{n}.txt", TEXT) for n in range(3)])
    assert "At most 2 files" in refused.value.message
    assert stored_files(attachment_dir) == []


def test_a_file_object_is_read_as_well_as_bytes(desk, working, attachment_dir):
    handle = io.BytesIO(PDF)
    handle.read(5)  # wherever it was left, the whole file is read
    (row,) = attachments.do_attach_files(
        working, actor=SYSTEM, files=[IncomingFile(name="a.pdf", content=handle)]
    )
    assert (attachment_dir / row.stored_name).read_bytes() == PDF


# --- all or nothing, and no file left behind ---------------------------------------------------


def test_one_refused_file_refuses_them_all_naming_each(desk, working, attachment_dir):
    files = [("good.pdf", PDF), ("fake.pdf", PNG), ("good.png", PNG), ("evil.png", EXE)]
    with pytest.raises(InvalidData) as refused:
        attach(working, as_actor(desk.customer.user), *files)
    assert set(refusal(refused.value)) == {"fake.pdf", "evil.png"}
    assert "2 files were refused" in refused.value.message
    assert not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


def test_a_refused_message_leaves_no_file(desk, customer, attachment_dir):
    closed = desk.request_in(State.CLOSED)
    with pytest.raises(NotAllowed):
        attachments.do_post_message_with_files(
            closed,
            actor=as_actor(customer.user),
            body="One more thing",
            files=[IncomingFile("a.pdf", PDF)],
        )
    assert not Message.objects.filter(request=closed).exists()
    assert stored_files(attachment_dir) == []


def test_a_refused_file_posts_no_message(desk, working, attachment_dir):
    with pytest.raises(InvalidData):
        attachments.do_post_message_with_files(
            working,
            actor=as_actor(desk.lead.user),
            body="See attached",
            files=[IncomingFile("a.pdf", PDF), IncomingFile("b.pdf", HTML)],
        )
    assert not Message.objects.filter(request=working).exists()
    assert stored_files(attachment_dir) == []


def test_a_refused_submit_leaves_no_file(customer, attachment_dir):
    with pytest.raises(Forbidden):
        attachments.do_submit_request_with_files(
            actor=as_actor(customer.user),
            customer=customer,
            subject="Help",
            priority=1,  # customers may not set it
            files=[IncomingFile("a.pdf", PDF)],
        )
    assert stored_files(attachment_dir) == []


def test_the_sweep_removes_files_no_row_names(desk, working, attachment_dir):
    (kept,) = attach(working, SYSTEM, ("a.pdf", PDF))
    with (
        pytest.raises(RuntimeError),
        attachments.stored(attachments.check_files([IncomingFile("b.pdf", PDF)])),
    ):
        raise RuntimeError("the block failed: the file is deleted at once")
    assert stored_files(attachment_dir) == [kept.stored_name]
    # A file whose transaction was rolled back by a caller after the attach returned.
    with transaction.atomic():
        sid = transaction.savepoint()
        (lost,) = attach(working, SYSTEM, ("c.pdf", PDF))
        transaction.savepoint_rollback(sid)
    assert len(stored_files(attachment_dir)) == 2
    assert attachments.sweep_attachment_files(older_than_hours=1) == []  # too young
    assert attachments.sweep_attachment_files(older_than_hours=-1) == [lost.stored_name]
    assert stored_files(attachment_dir) == [kept.stored_name]


# --- who may attach, who may read --------------------------------------------------------------


def test_who_may_attach(desk, working, attachment_dir):
    note = services.do_post_message(
        working, actor=as_actor(desk.lead.user), body="Internal", internal=True
    )
    stranger = as_actor(AgentFactory(departments=[desk.other_department]).user)
    other_customer = as_actor(CustomerFactory().user)
    for actor in (stranger, other_customer, BOT):
        with pytest.raises(Forbidden):
            attach(working, actor, ("a.pdf", PDF))
    with pytest.raises(Forbidden):
        attach(working, as_actor(desk.customer.user), ("a.pdf", PDF), message=note)
    (row,) = attach(working, as_actor(desk.lead.user), ("a.pdf", PDF), message=note)
    assert row.internal is True
    assert stored_files(attachment_dir) == [row.stored_name]


def test_a_message_of_another_request_is_refused(desk, working, attachment_dir):
    other = desk.request_in(State.IN_PROGRESS)
    message = services.do_post_message(other, actor=as_actor(desk.lead.user), body="Hi")
    with pytest.raises(InvalidData):
        attach(working, SYSTEM, ("a.pdf", PDF), message=message)


def test_reading_follows_the_request_and_the_message(desk, working, attachment_dir):
    lead = as_actor(desk.lead.user)
    customer = as_actor(desk.customer.user)
    (submitted,) = attach(working, customer, ("a.pdf", PDF))
    reply = attachments.do_post_message_with_files(
        working, actor=lead, body="Fixed", files=[IncomingFile("fix.txt", TEXT)]
    )
    note = attachments.do_post_message_with_files(
        working, actor=lead, body="Secret", internal=True, files=[IncomingFile("s.png", PNG)]
    )
    (public_file,) = reply.attachments.all()
    (internal_file,) = note.attachments.all()
    everyone = [submitted.pk, public_file.pk, internal_file.pk]

    assert [a.pk for a in list_attachments_for(lead, working)] == everyone
    assert [a.pk for a in list_attachments_for(customer, working)] == everyone[:2]
    assert get_attachment_for(customer, internal_file.pk) is None
    stranger = as_actor(AgentFactory(departments=[desk.other_department]).user)
    other_customer = as_actor(CustomerFactory().user)
    for pk in everyone:
        assert get_attachment_for(lead, pk) is not None
        assert get_attachment_for(stranger, pk) is None
        assert get_attachment_for(other_customer, pk) is None
        assert get_attachment_for(SYSTEM, pk) is None
    found = attachments.open_attachment_for(customer, public_file.pk, service_request=working)
    assert found is not None
    attachment, handle = found
    assert attachment == public_file
    with handle:
        assert handle.read() == TEXT
    other = desk.request_in(State.IN_PROGRESS)
    assert attachments.open_attachment_for(lead, public_file.pk, service_request=other) is None


def test_attached_files_have_no_public_url(desk, working, attachment_dir):
    (row,) = attach(working, SYSTEM, ("a.pdf", PDF))
    with pytest.raises(NotImplementedError):
        attachments.attachment_storage().url(row.stored_name)
    assert len(row.stored_name) > 40 and "a.pdf" not in row.stored_name


def test_split_acceptable_keeps_what_can_be_attached(desk, working, attachment_dir):
    files = [IncomingFile("a.pdf", PDF), IncomingFile("x.png", EXE), IncomingFile("b.txt", TEXT)]
    accepted, refused = attachments.split_acceptable(files)
    assert [f.name for f in accepted] == ["a.pdf", "b.txt"]
    assert refused == [
        {"name": "x.png", "reason": "files of type application/x-msdownload are not accepted"}
    ]
    rows = attachments.do_attach_files(working, actor=SYSTEM, files=accepted)
    assert [r.name for r in rows] == ["a.pdf", "b.txt"]
