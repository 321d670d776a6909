"""Admin: scenarios a manager stores and runs, with the as-is model's validation and the
as-is and the scenario's KPIs side by side (95 % intervals)."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department
from apps.core.errors import InvalidData
from apps.quality.dashboard.svg import band_chart, interval_chart
from apps.simulation.admin.figures import (
    SLA,
    bounded,
    estimate_text,
    figure,
    formatter,
    in_range,
    label,
    order,
)
from apps.simulation.admin.permissions import StaffReadLeadsWrite
from apps.simulation.changes import check
from apps.simulation.models import Scenario, ScenarioStatus
from apps.simulation.services import do_request_scenario, do_rerun_scenario
from apps.simulation.thin import loose_sentences, too_wide
from apps.tickets.models import Category

INPUTS = ["name", "description", "changes", "fit_days", "test_days", "days", "replications", "seed"]
# A cell of figures: "96.7 % [90.6 %, 100.0 %]" on one line (the label beside it wraps).
FIGURE = '<td style="white-space:nowrap">{}</td>'
AGENTS = '<td style="white-space:nowrap"><code>{}</code></td>'


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = INPUTS

    def clean_changes(self):
        changes = self.cleaned_data["changes"]
        try:
            check(changes)
        except InvalidData as error:
            raise forms.ValidationError(error.message) from None
        return changes


@admin.register(Scenario)
class ScenarioAdmin(StaffReadLeadsWrite, admin.ModelAdmin):
    form = ScenarioForm
    list_display = ["name", "status", "created_at", "finished_at", "created_by"]
    list_filter = ["status"]
    readonly_fields = ["status", "created_by", "created_at", "finished_at", "error", "report"]
    actions = ["run_again"]

    def get_fields(self, request, obj=None):
        return INPUTS if obj is None else [*INPUTS, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # What was run stays as it was run: a new scenario is a new row.
        return self.readonly_fields if obj is None else [*INPUTS[2:], *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "description"])
            return
        run = {name: form.cleaned_data[name] for name in INPUTS[3:]}
        created = do_request_scenario(
            user=request.user,
            name=obj.name,
            changes=obj.changes,
            description=obj.description,
            **run,
        )
        obj.pk = created.pk

    @admin.action(description=_("Run the selected scenarios again on today's log"))
    def run_again(self, request, queryset):
        finished = queryset.exclude(status__in=[ScenarioStatus.PENDING, ScenarioStatus.RUNNING])
        for scenario in finished:
            do_rerun_scenario(scenario)
        messages.success(
            request, _("%(count)d scenarios will run again.") % {"count": len(finished)}
        )

    @admin.display(description=_("results"))
    def report(self, obj):
        if obj.pk is None or obj.status in (ScenarioStatus.PENDING, ScenarioStatus.RUNNING):
            return _("Not run yet.")
        parts = [_validation_table(obj.validation)]
        if obj.results.get("staffing"):
            parts.append(_staffing_report(obj.results["staffing"]))
        elif obj.results:
            parts.append(_results_table(obj.results))
        return format_html("{}", format_html_join("", "{}", ((p,) for p in parts)))


def _validation_table(validation: dict) -> str:
    if not validation:
        return ""
    thin, decided = _thin_reasons(validation)
    if validation.get("valid"):
        verdict = _("valid")
    elif thin:
        verdict = _("not valid: the period it was checked on is too thin to tell")
    else:
        verdict = _("not valid: no scenario was run")
    rows = format_html_join(
        "",
        f"<tr><td>{{}}</td>{FIGURE}{FIGURE}{FIGURE}</tr>",
        (
            (
                label(check["kpi"]),
                "-" if check["observed"] is None else formatter(check["kpi"])(check["observed"]),
                estimate_text(check["simulated"], check["kpi"]),
                _verdict(check),
            )
            for check in sorted(validation.get("checks", []), key=lambda c: order(c["kpi"]))
        ),
    )
    return format_html(
        "<h3>{}</h3><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>{}{}",
        _("As-is model, checked on the last days of the log: %(verdict)s") % {"verdict": verdict},
        _("indicator"),
        _("the log"),
        _("simulated [interval, 95 %]"),
        _("target"),
        rows,
        format_html_join(
            "",
            '<p class="{}">{}</p>',
            [*(("decided-by-other", note) for note in decided), *(("too-thin", r) for r in thin)],
        ),
        _validation_backlog(validation),
    )


def _thin_reasons(validation: dict) -> tuple[list[str], list[str]]:
    """Why the test period is too thin to tell, and which loosely known KPIs another measure
    of their target decided (thin.MEASURES), written now from the checks in the reader's
    language and naming each KPI by its label; the sentences stored with the validation (the
    worker's language, the KPI's key) only where no check has the log's interval (a validation
    stored before they were kept)."""
    checks = validation.get("checks", [])
    loose = [
        (c["kpi"], c["observed"], in_range(c["kpi"], c["observed_interval"]))
        for c in checks
        if too_wide(c["observed"], c.get("observed_interval"), c.get("tolerance"), c["relative"])
    ]
    reasons, decided = loose_sentences(loose, {c["kpi"] for c in checks}, label, formatter)
    if loose or any(c.get("observed_interval") for c in checks):
        return reasons, decided
    return validation.get("too_thin") or [], []


def _validation_backlog(validation: dict) -> str:
    """The log's open requests on each day of the test period beside the simulated ones."""
    backlog = validation.get("backlog") or {}
    observed = backlog.get("observed") or []
    simulated = [bounded("backlog", day) for day in backlog.get("simulated") or []]
    if not observed and not simulated:
        return ""
    start = date.fromisoformat(validation["test"][0][:10]) if validation.get("test") else None
    days = max(len(observed), len(simulated))
    labels = [
        (start + timedelta(days=day)).strftime("%m-%d") if start else str(day + 1)
        for day in range(days)
    ]
    title = _("Open requests on each day of the test period: the log and the simulation")
    series = {str(_("the log")): observed, str(_("simulated [interval, 95 %]")): simulated}
    return _backlog_chart(title, labels, series)


def _results_backlog(results: dict) -> str:
    """The open requests on each day of the run, as-is beside the scenario, with their bands."""
    backlog = results.get("backlog") or {}
    as_is = [bounded("backlog", day) for day in backlog.get("as_is") or []]
    scenario = [bounded("backlog", day) for day in backlog.get("scenario") or []]
    if not as_is and not scenario:
        return ""
    labels = [str(day + 1) for day in range(max(len(as_is), len(scenario)))]
    title = _("Open requests on each day of the run (mean [interval, 95 %])")
    return _backlog_chart(title, labels, {str(_("as-is")): as_is, str(_("scenario")): scenario})


def _backlog_chart(title, labels: list[str], series: dict) -> str:
    """Open requests by day, one line (and band) per series, under its heading."""
    chart = band_chart(labels, series, fmt=figure, label=str(title), unit=str(_("open requests")))
    return format_html('<h4>{}</h4><div class="backlog-chart">{}</div>', title, chart)


def _verdict(check: dict) -> str:
    if check["tolerance"] is None:
        return ""
    if check["passed"] is None:
        return str(_("not decided"))
    met = _("met") if check["passed"] else _("missed")
    if check["error"] is None:
        return str(met)
    if check["relative"]:
        error = f"{check['error']:+.1%}"
    else:
        error = _("%(points)+.1f pt") % {"points": check["error"] * 100}
    return f"{met} ({error})"


def _results_table(results: dict) -> str:
    kpis = sorted(results.get("kpis", []), key=lambda row: order(row["kpi"]))
    rows = format_html_join(
        "",
        f"<tr><td>{{}}</td>{FIGURE}{FIGURE}</tr>",
        (
            (
                label(row["kpi"]),
                estimate_text(row["as_is"], row["kpi"]),
                estimate_text(row["scenario"], row["kpi"]),
            )
            for row in kpis
        ),
    )
    hours = results.get("agent_hours", {})
    chart = interval_chart(
        [
            (
                label(r["kpi"]),
                bounded(r["kpi"], r["as_is"]),
                bounded(r["kpi"], r["scenario"]),
                formatter(r["kpi"]),
            )
            for r in kpis
        ],
        names=(str(_("as-is")), str(_("scenario"))),
        fmt=figure,
        label=str(_("As-is and the scenario, side by side (mean [interval, 95 %])")),
    )
    return format_html(
        "<h3>{}</h3>{}{}<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}<tr><td>{}</td><td>{}</td><td>{}</td></tr></tbody></table>",
        _("As-is and the scenario, side by side (mean [interval, 95 %])"),
        chart,
        _results_backlog(results),
        _("indicator"),
        _("as-is"),
        _("scenario"),
        rows,
        _("agent hours"),
        f"{hours.get('as_is', 0):.0f}",
        f"{hours.get('scenario', 0):.0f}",
    )


def _staffing_report(plan: dict) -> str:
    """Per department the agents per band of hours as-is and optimised with their SLA shares,
    the agent hours, the moves suggested and their check, what the search spent."""
    names = {str(pk): name for pk, name in Department.objects.values_list("pk", "name")}
    band = plan["band_hours"]
    bands = " ".join(f"{start:02d}" for start in range(0, 24, band))
    rows = format_html_join(
        "",
        f"<tr><td>{{}}</td>{AGENTS}{AGENTS}{FIGURE}{FIGURE}{FIGURE}</tr>",
        (
            (
                names.get(row["department"], row["department"]),
                " ".join(f"{n:2d}" for n in row["as_is"]["agents"]),
                " ".join(f"{n:2d}" for n in row["optimised"]["agents"]),
                estimate_text(row["as_is"]["sla"], SLA),
                estimate_text(row["optimised"]["sla"], SLA),
                estimate_text(row["moved"]["sla"], SLA) if "moved" in row else "-",
            )
            for row in plan["departments"]
        ),
    )
    moves = format_html_join(
        "", "<p>{}</p>", ((_move_text(move, names),) for move in plan["moves"])
    ) or format_html("<p>{}</p>", _("No move: no department misses its target as-is."))
    spent = _("%(runs)d of %(budget)d simulation runs.") % plan
    if plan["exhausted"]:
        spent = f"{spent} {_('The budget ran out: fewer agents might still do.')}"
    return format_html(
        "<h3>{}</h3><table><thead><tr><th>{}</th><th>{}<br><code>{}</code></th><th>{}</th>"
        "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>"
        "<p>{}: {} / {}</p>{}<p>{}</p>",
        _("Fewest agents meeting a resolution SLA share of %(share).0f %% (lower 95 %% bound)")
        % {"share": plan["target_share"] * 100},
        _("department"),
        _("agents as-is, from hour (UTC)"),
        bands,
        _("optimised"),
        _("SLA as-is"),
        _("SLA optimised"),
        _("SLA after the moves"),
        rows,
        _("agent hours as-is / optimised"),
        f"{plan['agent_hours']['as_is']:.0f}",
        f"{plan['agent_hours']['optimised']:.0f}",
        moves,
        spent,
    )


def _move_text(move: dict, names: dict[str, str]) -> str:
    """A move suggested, or one refused because the agents lack some of the receiving
    department's categories (named)."""
    values = {
        **move,
        "source": names.get(move["source"], move["source"]),
        "target": names.get(move["target"], move["target"]),
    }
    if not move.get("missing"):
        return (
            _("Move %(agents)d agents from %(source)s to %(target)s, %(start)02d:00-%(end)02d:00")
            % values
        )
    categories = dict(Category.objects.values_list("pk", "name"))
    values["missing"] = ", ".join(
        categories.get(int(c), c) if c.isdigit() else c or str(_("no category"))
        for c in move["missing"]
    )
    return (
        _(
            "Not moved: %(agents)d agents from %(source)s to %(target)s, "
            "%(start)02d:00-%(end)02d:00: they cannot work %(missing)s"
        )
        % values
    )
