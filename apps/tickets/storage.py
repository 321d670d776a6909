"""Where attachment files live: the `attachments` storage alias, never under a public URL."""

import secrets

from django.core.files.storage import FileSystemStorage, Storage, storages

ALIAS = "attachments"


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory of files that have no URL: they are read only through the downloads that
    check who asks (apps/tickets/attachments.py `open_attachment_for`)."""

    def __init__(self, **options):
        options.setdefault("file_permissions_mode", 0o640)
        options.setdefault("directory_permissions_mode", 0o750)
        super().__init__(**options)

    def url(self, name):
        raise NotImplementedError(
            "Attachments have no public URL; they are downloaded through the desk."
        )


def attachment_storage() -> Storage:
    """The storage of `STORAGES["attachments"]` (read at call time, so tests may swap it)."""
    return storages[ALIAS]


def new_stored_name() -> str:
    """An unguessable name (192 random bits), spread over 4,096 folders; no extension, so no
    server or tool infers a type from it."""
    token = secrets.token_hex(24)
    return f"{token[:3]}/{token}"
