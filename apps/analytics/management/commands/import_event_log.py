"""manage.py import_event_log: a CSV or XES event log from another system, into its own analysis
space."""

import csv
import io
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.analytics.importing import (
    ImportErrors,
    ImportOptions,
    do_import_event_log,
    do_import_xes_log,
)
from apps.core.errors import InvalidData


class Command(BaseCommand):
    help = (
        "Import an event log as a named log that the process map, variants, exports and the "
        "ETA evaluation can analyse: CSV (one row per event: case, activity, timestamp, "
        "resource) or XES (.xes, .xes.gz; trace attributes kept as case attributes). Every "
        "event is checked first; on any problem each is printed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--name", required=True, help="a new name for the imported log")
        defaults = ImportOptions()
        for option in ("case", "activity", "timestamp", "resource"):
            parser.add_argument(
                f"--{option}-column", default=getattr(defaults, option), dest=option
            )
        parser.add_argument(
            "--timestamp-format",
            default="",
            help="strptime format, e.g. %%d.%%m.%%Y %%H:%%M (default: ISO 8601)",
        )
        parser.add_argument("--delimiter", default=",")
        parser.add_argument(
            "--time-zone", default="UTC", help="for timestamps written without an offset"
        )
        parser.add_argument(
            "--activity-names",
            type=Path,
            help="a CSV file of code,name rows: activities stored by their name",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file: Path, name: str, no_progress: bool, **opts):
        options = ImportOptions(
            case=opts["case"],
            activity=opts["activity"],
            timestamp=opts["timestamp"],
            resource=opts["resource"],
            timestamp_format=opts["timestamp_format"],
            delimiter=opts["delimiter"],
            time_zone=opts["time_zone"],
        )
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        names = _activity_names(opts["activity_names"])
        # The bar counts the file's bytes as they are read, so its total is right for CSV,
        # XES and gzipped XES alike.
        bar = tqdm(
            total=file.stat().st_size,
            unit="B",
            unit_scale=True,
            disable=no_progress,
            file=self.stderr,
        )
        try:
            with file.open("rb") as raw:
                counted = _Counted(raw, bar.update)
                log = self._import(counted, file, name, options, names)
        except ImportErrors as error:
            bar.close()
            for line in error.lines:
                self.stderr.write(line)
            raise CommandError(error.message) from None
        except InvalidData as error:
            raise CommandError(error.message) from None
        finally:
            bar.close()
        self.stdout.write(
            f"Imported '{log.name}' (id {log.pk}): {log.event_count} events in "
            f"{log.case_count} cases."
        )

    def _import(self, stream, file: Path, name: str, options: ImportOptions, names):
        buffered = io.BufferedReader(stream)
        if _is_xes(file, buffered):
            return do_import_xes_log(buffered, name=name, source=file.name, activity_names=names)
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
        options = replace(options, activity_names=names)
        try:
            return do_import_event_log(text, name=name, source=file.name, options=options)
        except UnicodeDecodeError:
            raise CommandError(f"{file} is neither UTF-8 CSV nor XES.") from None


class _Counted(io.RawIOBase):
    """A binary file that reports how many bytes were read from it."""

    def __init__(self, raw, report):
        self.raw, self.report = raw, report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        if n:
            self.report(n)
        return n


def _is_xes(file: Path, buffered: io.BufferedReader) -> bool:
    if file.name.lower().endswith((".xes", ".xes.gz")):
        return True
    head = buffered.peek(512)[:512]
    return head[:2] == b"\x1f\x8b" or b"<log" in head


def _activity_names(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    if not path.is_file():
        raise CommandError(f"No file {path}.")
    with path.open(encoding="utf-8-sig", newline="") as lines:
        return {
            row[0].strip(): row[1].strip()
            for row in csv.reader(lines)
            if len(row) >= 2 and row[0].strip() and row[1].strip()
        }
