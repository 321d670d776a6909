"""Reading an XES event log (IEEE 1849; plain or gzipped), streamed trace by trace: its events as
import rows, and each trace's own attributes (the case attributes)."""

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from django.utils.translation import gettext as _

from apps.analytics.importing import LONGEST, MAX_ERRORS, ImportErrors, Row

GZIP_MAGIC = b"\x1f\x8b"
NAME, TIME, RESOURCE = "concept:name", "time:timestamp", "org:resource"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _value(element):
    kind, text = _local(element.tag), element.get("value")
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "boolean":
            return text.strip().lower() == "true"
    except (TypeError, ValueError):
        return text
    return text


def _attributes(element) -> dict:
    return {
        child.get("key"): _value(child)
        for child in element
        if child.get("key") and _local(child.tag) not in ("event", "list", "container")
    }


def opened(stream: IO[bytes]) -> IO[bytes] | gzip.GzipFile:
    """The stream itself, or its gunzipped content when it starts like a gzip file."""
    head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
    return gzip.GzipFile(fileobj=stream) if head == GZIP_MAGIC else stream


def read_xes(
    stream: IO[bytes], progress: Callable[[int], None] | None = None
) -> tuple[list[Row], dict[str, dict]]:
    """Every event of every trace checked; returns (rows, {case: attributes}). Raises
    ImportErrors naming each bad trace or event, or saying the file is not readable XES."""
    from lxml import etree  # type: ignore[import-untyped]

    rows: list[Row] = []
    cases: dict[str, dict] = {}
    errors: list[str] = []
    try:
        for _event, trace in etree.iterparse(opened(stream), events=("end",), tag="{*}trace"):
            _trace_rows(trace, len(cases) + 1, rows, cases, errors)
            trace.clear()
            if progress:
                progress(1)
            if len(errors) >= MAX_ERRORS:
                errors.append(_("... stopped after %(n)s problems") % {"n": MAX_ERRORS})
                break
    except (etree.XMLSyntaxError, OSError, EOFError) as error:
        raise ImportErrors(
            [_("the file is not readable XES: %(error)s") % {"error": error}]
        ) from None
    if errors:
        raise ImportErrors(errors)
    if not rows:
        raise ImportErrors([_("the file has no events")])
    return rows, cases


def _trace_rows(trace, number: int, rows: list, cases: dict, errors: list) -> None:
    attributes = _attributes(trace)
    case = str(attributes.pop(NAME, "") or "").strip()
    if not case:
        errors.append(_("trace %(n)s: no concept:name") % {"n": number})
        return
    cases[case] = attributes
    for position, event in enumerate((e for e in trace if _local(e.tag) == "event"), start=1):
        values = _attributes(event)
        activity = str(values.get(NAME, "")).strip()
        resource = str(values.get(RESOURCE, "") or "").strip()
        where = _("trace %(case)s, event %(n)s") % {"case": case, "n": position}
        try:
            at = datetime.fromisoformat(str(values.get(TIME, "")).replace("Z", "+00:00"))
        except ValueError:
            errors.append(_("%(where)s: no readable time:timestamp") % {"where": where})
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if not activity or max(len(case), len(activity), len(resource)) > LONGEST:
            errors.append(
                _("%(where)s: no activity, or a value longer than %(n)s characters")
                % {"where": where, "n": LONGEST}
            )
            continue
        rows.append(Row(case, activity, at, resource, len(rows) + 1))
