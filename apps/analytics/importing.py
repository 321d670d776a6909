"""Importing a historical event log (CSV here, XES in xes.py) into its own analysis space
(ImportedLog)."""

import csv
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils.translation import gettext as _

from apps.analytics.models import ImportedEvent, ImportedLog
from apps.core.errors import InvalidData

MAX_ERRORS = 50
BATCH = 5000
LONGEST = 200


@dataclass(frozen=True)
class ImportOptions:
    """Column names, the timestamp format (strptime; empty: ISO 8601), the delimiter, and the
    time zone of timestamps written without one."""

    case: str = "case"
    activity: str = "activity"
    timestamp: str = "timestamp"
    resource: str = "resource"
    timestamp_format: str = ""
    delimiter: str = ","
    time_zone: str = "UTC"
    # {code: name}: activities stored by their name (both formats).
    activity_names: dict[str, str] | None = None


@dataclass(frozen=True)
class Row:
    case: str
    activity: str
    at: datetime
    resource: str
    line: int


class ImportErrors(InvalidData):
    """The file has problems; `lines` lists them as `line N: ...`."""

    def __init__(self, lines: list[str]):
        super().__init__(
            _("The event log was not imported: %(count)s problem(s).") % {"count": len(lines)},
            fields={"file": lines},
        )
        self.lines = lines


def read_rows(
    lines: Iterable[str], options: ImportOptions, progress: Callable[[int], None] | None = None
) -> list[Row]:
    """Every row checked; raises ImportErrors naming each bad line (up to MAX_ERRORS)."""
    try:
        zone = ZoneInfo(options.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportErrors(
            [_("unknown time zone %(zone)s") % {"zone": options.time_zone}]
        ) from None
    reader = csv.reader(lines, delimiter=options.delimiter)
    columns = _columns(next(reader, None), options)
    rows, errors = [], []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        row, problem = _row(record, line, columns, options, zone)
        if problem:
            errors.append(_("line %(line)s: %(problem)s") % {"line": line, "problem": problem})
            if len(errors) >= MAX_ERRORS:
                errors.append(_("... stopped after %(n)s problems") % {"n": MAX_ERRORS})
                break
        else:
            rows.append(row)
        if progress and line % BATCH == 0:
            progress(BATCH)
    if errors:
        raise ImportErrors(errors)
    if not rows:
        raise ImportErrors([_("the file has a header but no events")])
    return rows


def _columns(header, options: ImportOptions) -> tuple[dict[str, int], int | None]:
    """Where the case, activity and timestamp columns are, and the resource's if there is one."""
    if header is None:
        raise ImportErrors([_("line 1: the file is empty")])
    header = [h.strip().lstrip("\ufeff") for h in header]
    wanted = {"case": options.case, "activity": options.activity, "timestamp": options.timestamp}
    missing = [column for column in wanted.values() if column not in header]
    if missing:
        raise ImportErrors(
            [
                _("line 1: no column %(columns)s (the header has %(header)s)")
                % {"columns": ", ".join(missing), "header": ", ".join(header)}
            ]
        )
    at = {name: header.index(column) for name, column in wanted.items()}
    return at, header.index(options.resource) if options.resource in header else None


def _row(record, line, columns, options, zone) -> tuple[Row | None, str]:
    at, resource_at = columns
    if len(record) <= max(at.values()):
        return None, _("%(n)s columns, the header has more") % {"n": len(record)}
    case, activity = record[at["case"]].strip(), record[at["activity"]].strip()
    resource = record[resource_at].strip() if resource_at is not None else ""
    if not case:
        return None, _("no case id")
    if not activity:
        return None, _("no activity")
    if max(len(case), len(activity), len(resource)) > LONGEST:
        return None, _("a value is longer than %(n)s characters") % {"n": LONGEST}
    text = record[at["timestamp"]].strip()
    try:
        when = (
            datetime.strptime(text, options.timestamp_format)
            if options.timestamp_format
            else datetime.fromisoformat(text)
        )
    except ValueError:
        expected = options.timestamp_format or "ISO 8601, e.g. 2026-03-02T09:15:00+01:00"
        return None, _("timestamp '%(text)s' is not %(expected)s") % {
            "text": text,
            "expected": expected,
        }
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return Row(case, activity, when, resource, line), ""


def do_import_event_log(
    lines: Iterable[str],
    *,
    name: str,
    source: str = "",
    options: ImportOptions | None = None,
    imported_by=None,
    progress: Callable[[int], None] | None = None,
) -> ImportedLog:
    """Import a CSV event log as a new analysis space named `name`.

    Every row is checked before anything is written. Writes: one ImportedLog and its
    ImportedEvents (numbered per case by time, then file order), in one transaction; activity
    codes found in `options.activity_names` are stored by their name.
    Raises ImportErrors (InvalidData) listing bad lines as `line N: ...`, or InvalidData if
    the name is taken.
    """
    options = options or ImportOptions()
    name = _free_name(name)
    rows = read_rows(lines, options, progress)
    return store_log(
        rows,
        name=name,
        source=source,
        options=asdict(options),
        imported_by=imported_by,
        activity_names=options.activity_names,
    )


def do_import_xes_log(
    stream,
    *,
    name: str,
    source: str = "",
    imported_by=None,
    progress: Callable[[int], None] | None = None,
    activity_names: dict[str, str] | None = None,
) -> ImportedLog:
    """Import an XES event log (plain or gzipped, read as a binary stream) like a CSV one; the
    traces' own attributes are kept as the log's case attributes.

    Writes and raises as `do_import_event_log`."""
    from apps.analytics.xes import read_xes

    name = _free_name(name)
    rows, cases = read_xes(stream, progress)
    return store_log(
        rows,
        name=name,
        source=source,
        options={"format": "xes"},
        imported_by=imported_by,
        activity_names=activity_names,
        case_attributes={case: values for case, values in cases.items() if values},
    )


def _free_name(name: str) -> str:
    name = name.strip()
    if not name or ImportedLog.objects.filter(name=name).exists():
        raise InvalidData(_("Give the log a new name."), fields={"name": _("Required and unique.")})
    return name


def store_log(rows: list[Row], *, name: str, source: str, options: dict, **extra) -> ImportedLog:
    """Write checked rows as a new ImportedLog (one transaction, batches of BATCH events).
    `extra`: imported_by, activity_names ({code: name}), case_attributes."""
    names = extra.get("activity_names") or {}
    rows.sort(key=lambda r: (r.case, r.at, r.line))
    with transaction.atomic():
        log = ImportedLog.objects.create(
            name=name,
            source=source[:300],
            options=options,
            event_count=len(rows),
            case_count=len({r.case for r in rows}),
            imported_by=extra.get("imported_by"),
            case_attributes=extra.get("case_attributes") or {},
        )
        seq, previous, batch = 0, None, []
        for row in rows:
            seq = seq + 1 if row.case == previous else 1
            previous = row.case
            batch.append(
                ImportedEvent(
                    log=log,
                    case_id=row.case,
                    seq=seq,
                    activity=names.get(row.activity, row.activity)[:LONGEST],
                    at=row.at,
                    resource=row.resource,
                    line=row.line,
                )
            )
            if len(batch) >= BATCH:
                ImportedEvent.objects.bulk_create(batch)
                batch = []
        ImportedEvent.objects.bulk_create(batch)
    return log
