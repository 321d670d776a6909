"""manage.py import_event_log: a CSV event log from another system, into its own analysis space."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.analytics.importing import ImportErrors, ImportOptions, do_import_event_log
from apps.core.errors import InvalidData


class Command(BaseCommand):
    help = (
        "Import a CSV event log (one row per event: case, activity, timestamp, resource) as a "
        "named log that the process map, variants and exports can analyse. Every row is "
        "checked first; on any problem each is printed as 'line N: ...' and nothing is written."
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
        bar = tqdm(unit="row", disable=no_progress, file=self.stderr)
        try:
            with file.open(encoding="utf-8-sig", newline="") as lines:
                log = do_import_event_log(
                    lines, name=name, source=file.name, options=options, progress=bar.update
                )
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
