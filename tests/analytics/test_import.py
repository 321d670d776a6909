"""Importing a CSV event log into its own analysis space, and analysing it."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from apps.analytics.exports import export_chunks
from apps.analytics.importing import ImportErrors, ImportOptions, do_import_event_log
from apps.analytics.models import ImportedEvent
from apps.analytics.process_map import bottleneck, process_map, variants
from apps.analytics.sources import imported_source
from apps.core.errors import InvalidData

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::UserWarning")]

# Three cases: two take the short path (register, check, pay), one needs a second check.
LOG = """case,activity,timestamp,resource
c1,register,2025-01-06T09:00:00+00:00,ann
c1,check,2025-01-06T09:30:00+00:00,bob
c1,pay,2025-01-06T10:30:00+00:00,ann
c2,register,2025-01-07T09:00:00+00:00,ann
c2,pay,2025-01-07T11:00:00+00:00,ann
c2,check,2025-01-07T10:00:00+00:00,bob
c3,register,2025-02-03T09:00:00+00:00,cy
c3,check,2025-02-03T09:10:00+00:00,bob
c3,check,2025-02-03T12:10:00+00:00,bob
c3,pay,2025-02-03T13:10:00+00:00,ann
"""


def imported(text=LOG, name="old desk", **options):
    return do_import_event_log(io.StringIO(text), name=name, options=ImportOptions(**options))


def test_import_orders_each_case_by_time():
    log = imported()
    assert (log.event_count, log.case_count) == (10, 3)
    c2 = ImportedEvent.objects.filter(log=log, case_id="c2").order_by("seq")
    assert [e.activity for e in c2] == ["register", "check", "pay"]  # file order was not time
    assert [e.line for e in c2] == [5, 7, 6]


def test_process_map_variants_and_bottleneck_on_an_imported_log():
    log = imported()
    graph = process_map(view="activities", log=log)
    edges = {(e["source"], e["target"]): e for e in graph["edges"]}
    assert graph["cases"] == 3
    assert {pair: e["frequency"] for pair, e in edges.items()} == {
        ("register", "check"): 3,
        ("check", "pay"): 3,
        ("check", "check"): 1,
    }
    # check -> pay: 60, 60 and 60 minutes; register -> check: 30, 60, 10 minutes.
    assert edges[("register", "check")]["wait"]["median"] == 1800.0
    found = variants(log=log)
    assert found["cases"] == 3
    assert found["variants"][0] == {
        "activities": ["register", "check", "pay"],
        "cases": 2,
        "share": 0.6667,
        "mean_seconds": 6300.0,  # 90 and 120 minutes
    }
    assert bottleneck(log=log, min_cases=1)["step"] == ["check", "check"]
    # By default a step seen fewer than 5 times is too thin to rank.
    assert bottleneck(log=log) is None
    # Cases are in a period by their first event.
    january = variants(log=log, start=datetime(2025, 1, 1, tzinfo=UTC),
                       end=datetime(2025, 2, 1, tzinfo=UTC))  # fmt: skip
    assert january["cases"] == 2


def test_imported_log_takes_no_request_filters_nor_states():
    log = imported()
    with pytest.raises(InvalidData):
        process_map(view="states", log=log)
    with pytest.raises(InvalidData):
        variants(log=log, filters={"department": 1})


def test_export_of_an_imported_log_reads_back_in_pm4py(tmp_path):
    pm4py = pytest.importorskip("pm4py")
    log = imported()
    path = tmp_path / "log.xes"
    path.write_text("".join(export_chunks(imported_source(log), "xes")), encoding="utf-8")
    dfg, _, _ = pm4py.discover_dfg(pm4py.read_xes(str(path)))
    assert dict(dfg) == {("register", "check"): 3, ("check", "pay"): 3, ("check", "check"): 1}


def test_column_names_timestamp_format_and_time_zone():
    text = "Fall;Aktivität;Zeit\nA-1;Eingang;02.03.2026 09:00\nA-1;Erledigt;02.03.2026 10:15\n"
    log = imported(
        text, case="Fall", activity="Aktivität", timestamp="Zeit", delimiter=";",
        timestamp_format="%d.%m.%Y %H:%M", time_zone="Europe/Berlin",
    )  # fmt: skip
    first = ImportedEvent.objects.filter(log=log).order_by("seq").first()
    assert first.at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert first.resource == ""


def test_errors_name_their_lines_and_nothing_is_written():
    text = (
        "case,activity,timestamp\n"
        "c1,register,2025-01-06T09:00:00\n"
        ",register,2025-01-06T09:00:00\n"
        "c1,,2025-01-06T09:00:00\n"
        "c1,pay,yesterday\n"
        "c1\n"
    )
    with pytest.raises(ImportErrors) as caught:
        imported(text)
    assert caught.value.lines == [
        "line 3: no case id",
        "line 4: no activity",
        "line 5: timestamp 'yesterday' is not ISO 8601, e.g. 2026-03-02T09:15:00+01:00",
        "line 6: 1 columns, the header has more",
    ]
    assert not ImportedEvent.objects.exists()


def test_a_missing_column_and_a_taken_name():
    with pytest.raises(ImportErrors, match="problem") as caught:
        imported("id,activity,timestamp\n1,a,2025-01-01T00:00:00\n")
    assert caught.value.lines[0].startswith("line 1: no column case")
    imported()
    with pytest.raises(InvalidData):
        imported()


def test_command(tmp_path, capsys):
    path = tmp_path / "log.csv"
    path.write_text(LOG, encoding="utf-8")
    call_command("import_event_log", str(path), "--name", "old", "--no-progress")
    assert "10 events in 3 cases" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("case,activity,timestamp\nc1,a,never\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_event_log", str(bad), "--name", "bad", "--no-progress")
    assert "line 2: timestamp 'never'" in capsys.readouterr().err


def _pm4py_log(path, *, gzipped: bool = False):
    """Three cases written by pm4py (a test-only dependency: AGPL, never imported by app code),
    with a case attribute."""
    import pandas as pd

    pm4py = pytest.importorskip("pm4py")
    frame = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1", "c2", "c2", "c2", "c3"],
            "concept:name": ["register", "pay", "register", "check", "pay", "register"],
            "time:timestamp": pd.to_datetime(
                [
                    "2025-01-06T09:00:00Z",
                    "2025-01-06T10:30:00Z",
                    "2025-01-07T09:00:00Z",
                    "2025-01-07T10:00:00Z",
                    "2025-01-07T11:00:00Z",
                    "2025-01-08T08:00:00Z",
                ],
                utc=True,
            ),
            "org:resource": ["ann", "bob", "ann", "cy", "bob", "ann"],
            "case:channel": ["web", "web", "phone", "phone", "phone", "mail"],
        }
    )
    target = path / ("log.xes.gz" if gzipped else "log.xes")
    pm4py.write_xes(frame, str(target), case_id_key="case:concept:name")
    return target


@pytest.mark.parametrize("gzipped", [False, True])
def test_an_xes_file_written_by_pm4py_reads_back_the_same(tmp_path, gzipped):
    target = _pm4py_log(tmp_path, gzipped=gzipped)
    out = io.StringIO()
    call_command("import_event_log", str(target), "--name", "pm4py", "--no-progress", stdout=out)
    assert "6 events in 3 cases" in out.getvalue()
    from apps.analytics.models import ImportedLog

    log = ImportedLog.objects.get(name="pm4py")
    events = list(ImportedEvent.objects.filter(log=log).order_by("case_id", "seq"))
    assert [(e.case_id, e.seq, e.activity, e.resource) for e in events] == [
        ("c1", 1, "register", "ann"),
        ("c1", 2, "pay", "bob"),
        ("c2", 1, "register", "ann"),
        ("c2", 2, "check", "cy"),
        ("c2", 3, "pay", "bob"),
        ("c3", 1, "register", "ann"),
    ]
    assert events[1].at == datetime(2025, 1, 6, 10, 30, tzinfo=UTC)
    assert log.case_attributes["c2"]["channel"] == "phone"


def test_activity_codes_are_mapped_to_names_from_a_file(tmp_path):
    target = _pm4py_log(tmp_path)
    names = tmp_path / "names.csv"
    names.write_text("register,Register the claim\npay,Pay out\n")
    call_command(
        "import_event_log",
        str(target),
        "--name",
        "named",
        "--activity-names",
        str(names),
        "--no-progress",
        stdout=io.StringIO(),
    )
    activities = set(ImportedEvent.objects.values_list("activity", flat=True))
    assert activities == {"Register the claim", "Pay out", "check"}


@pytest.mark.parametrize(
    "content", [b"<log><trace><event>", b"\x1f\x8b\x08\x00broken", b"<log></log>"]
)
def test_a_bad_xes_file_is_a_clear_error_and_writes_nothing(tmp_path, content):
    target = tmp_path / "bad.xes"
    target.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_event_log", str(target), "--name", "bad", "--no-progress", stderr=err)
    assert "XES" in err.getvalue() or "no events" in err.getvalue()
    from apps.analytics.models import ImportedLog

    assert not ImportedLog.objects.exists()
