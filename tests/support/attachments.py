"""Attachment fixtures: a storage folder of the test's own, and small real files of each kind."""

import io
import zipfile

import pytest

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a5a20000000049454e44ae426082"
)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00" + b"\x00" * 14
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
TEXT = "Printer log: paper jam at 09:14.\nÉtat : bloqué.\n".encode()
CSV = b"date,errors\n2026-01-01,3\n"
ZIP = b"PK\x05\x06" + b"\x00" * 18


def _zipped(first: str, first_body: bytes, *others: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(first), first_body)  # stored, first: what sniffers read
        for name in others:
            archive.writestr(name, b"<x/>")
    return buffer.getvalue()


DOCX = _zipped("[Content_Types].xml", b"<Types/>", "_rels/.rels", "word/document.xml")
XLSX = _zipped("[Content_Types].xml", b"<Types/>", "_rels/.rels", "xl/workbook.xml")
ODT = _zipped("mimetype", b"application/vnd.oasis.opendocument.text", "content.xml")


@pytest.fixture
def attachment_dir(tmp_path, settings):
    """The `attachments` storage in a folder of the test's own (returned)."""
    folder = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "apps.tickets.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def stored_files(folder) -> list[str]:
    """The files in a storage folder, as names relative to it."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
