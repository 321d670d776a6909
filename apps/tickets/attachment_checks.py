"""What a file offered for attachment must be: a clean name, a size within limits, and a type on
the allow-list recognised from its content (never from its name or declared type)."""

import codecs
import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

CHUNK = 64 * 1024
# filetype reads the first 8 KiB; zipped documents need the first entries' headers in there.
HEAD = 8192
MAX_NAME = 200

# The extensions a name may have for each type recognised; a name with another extension
# contradicts its content (a PNG named .pdf, HTML named .txt, a program named .png).
EXTENSIONS: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}),
    "image/png": frozenset({"png"}),
    "image/jpeg": frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    "image/gif": frozenset({"gif"}),
    "image/webp": frozenset({"webp"}),
    "text/plain": frozenset({"txt", "text", "log", "md", "json", "yaml", "yml", "ini", "cfg"}),
    "text/csv": frozenset({"csv"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({"xlsx"}),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": frozenset(
        {"pptx"}
    ),
    "application/vnd.oasis.opendocument.text": frozenset({"odt"}),
    "application/vnd.oasis.opendocument.spreadsheet": frozenset({"ods"}),
    "application/vnd.oasis.opendocument.presentation": frozenset({"odp"}),
}
# Control characters plain text may not hold: all but tab, line feed, form feed, carriage return.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Text that opens with a tag is markup a browser could render (HTML, SVG, XML): refused.
_MARKUP = re.compile(r"\s*<[!?/a-zA-Z]")
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"/\\|?*]')


# What a file's content may be given as: bytes, or a readable, seekable binary file (an
# uploaded file is a Django File).
Content = bytes | BinaryIO | File


class Refused(Exception):
    """One file is not accepted; the message says why, in the caller's language."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, with what the checks learned of it."""

    name: str
    content_type: str
    size: int
    sha256: str
    content: Content


def clean_name(raw: str) -> str:
    """The file's own name only: no folders, control or invisible characters (a right-to-left
    override turns `exe.pdf` around), characters Windows refuses, or leading dots."""
    name = unicodedata.normalize("NFC", raw or "")
    name = posixpath.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_NAME_CHARS.sub("_", name).strip().strip(".").strip()
    if not name:
        return "attachment"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        keep = ext[:20] if dot and stem else ""
        name = name[: MAX_NAME - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def chunks(content: Content) -> Iterator[bytes]:
    """The content from its start, in pieces (a file object is rewound before and after)."""
    if isinstance(content, bytes | bytearray | memoryview):
        data = bytes(content)
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
        return
    content.seek(0)
    while piece := content.read(CHUNK):
        yield piece
    content.seek(0)


def check_file(name: str, content: Content) -> CheckedFile:
    """The file as it will be stored, or Refused saying why."""
    name = clean_name(name)
    limit = settings.SERVICEDESK_ATTACHMENT_MAX_BYTES
    digest, size, head = hashlib.sha256(), 0, b""
    text = _TextCheck()
    for piece in chunks(content):
        size += len(piece)
        if size > limit:
            raise Refused(_("larger than %(limit)s") % {"limit": human_size(limit)})
        digest.update(piece)
        if len(head) < HEAD:
            head += piece[: HEAD - len(head)]
        text.feed(piece)
    if size == 0:
        raise Refused(_("the file is empty"))
    content_type = detect_type(head, text.close(), name)
    if content_type not in settings.SERVICEDESK_ATTACHMENT_TYPES:
        raise Refused(_("files of type %(type)s are not accepted") % {"type": content_type})
    ext = extension(name)
    if ext and ext not in EXTENSIONS.get(content_type, ()):
        raise Refused(
            _("the name ends in .%(ext)s but the content is %(type)s")
            % {"ext": ext, "type": content_type}
        )
    return CheckedFile(
        name=name, content_type=content_type, size=size, sha256=digest.hexdigest(), content=content
    )


def detect_type(head: bytes, is_text: bool, name: str) -> str:
    """The type of the content: its magic bytes, else plain text (CSV by its name), else
    Refused. Markup is refused even as text."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if not is_text:
        raise Refused(_("the content is of no type the desk accepts"))
    if _MARKUP.match(head.decode("utf-8", "ignore").lstrip("\ufeff")):
        raise Refused(_("HTML, SVG and other markup are not accepted"))
    return "text/csv" if extension(name) == "csv" else "text/plain"


class _TextCheck:
    """Plain text: decodes as UTF-8 (a byte-order mark allowed) with no NUL or other control
    characters than tab, line and page breaks. Fed piece by piece."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.ok = True

    def feed(self, piece: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        try:
            text = self.decoder.decode(piece, final)
        except UnicodeDecodeError:
            self.ok = False
            return
        if _NOT_TEXT.search(text):
            self.ok = False

    def close(self) -> bool:
        self.feed(b"", final=True)
        return self.ok


def human_size(size: int) -> str:
    for unit, step in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= step:
            return f"{size / step:.3g} {unit}"
    return f"{size} B"
