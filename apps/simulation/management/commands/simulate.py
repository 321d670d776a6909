"""Run the as-is model discovered from the desk's log: N days, R replications, KPIs with their
95 % confidence intervals; or, with --validate, check it against a later period first; or,
with --optimise-staffing, search the fewest agents per department and hour that meet a
resolution-SLA share."""

import json
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.accounts.models import Department
from apps.core.errors import InvalidData
from apps.simulation.discovery import MIN_REQUESTS, InsufficientData, discover
from apps.simulation.kpis import Estimate, as_json, backlog_series, replicate
from apps.simulation.reports import staffing_json
from apps.simulation.staffing import StaffingPlan, optimise_staffing
from apps.simulation.validation import Validation, validate


class Command(BaseCommand):
    help = (
        "Discover the process model from the requests submitted in the last --fit-days, run it "
        "as it is over --days simulated days with --replications seeds, and print each KPI's "
        "mean and 95 %% confidence interval."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fit-days", type=int, default=60, help="the log period to fit on")
        parser.add_argument("--days", type=float, default=30, help="simulated days")
        parser.add_argument("--replications", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--warmup-days", type=float, default=2)
        parser.add_argument("--min-requests", type=int, default=MIN_REQUESTS)
        parser.add_argument("--json", action="store_true", help="print the KPIs as JSON")
        parser.add_argument("--model", action="store_true", help="print the model as JSON")
        parser.add_argument(
            "--validate",
            action="store_true",
            help="fit on the --fit-days before the last --test-days, run those, compare",
        )
        parser.add_argument("--test-days", type=int, default=40)
        parser.add_argument(
            "--optimise-staffing",
            action="store_true",
            help="the fewest agents per department and band of hours meeting --target-share",
        )
        parser.add_argument("--target-share", type=float, default=0.9)
        parser.add_argument("--band-hours", type=int, default=1)
        parser.add_argument("--budget", type=int, default=300, help="simulation runs at most")
        parser.add_argument(
            "--until", type=datetime.fromisoformat, help="the end of the log to use (default: now)"
        )

    def handle(self, *args, **options):
        if options["replications"] < 1 or options["days"] <= 0 or options["test_days"] < 1:
            raise CommandError("--replications, --days and --test-days must be positive.")
        end = options["until"] or timezone.now()
        if timezone.is_naive(end):
            end = timezone.make_aware(end)
        if options["validate"]:
            self._validate(end, options)
            return
        try:
            model = discover(
                start=end - timedelta(days=options["fit_days"]),
                end=end,
                min_requests=options["min_requests"],
            )
        except InsufficientData as error:
            raise CommandError(str(error)) from None
        if options["model"]:
            self.stdout.write(json.dumps(model.to_dict(), indent=2))
            return
        if options["optimise_staffing"]:
            self._optimise(model, options)
            return
        kpis = replicate(
            model,
            days=options["days"],
            replications=options["replications"],
            seed=options["seed"],
            warmup_days=options["warmup_days"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(as_json(kpis), indent=2))
            return
        names = dict(Department.objects.values_list("pk", "name"))
        self.stdout.write(
            f"As-is model fitted on {model.observed['requests']} requests of the last "
            f"{options['fit_days']} days; {options['days']:g} days x "
            f"{options['replications']} replications (seed {options['seed']})."
        )
        for name, estimate in backlog_series(kpis)[0].items():
            self.stdout.write(_line(_label(name, names), estimate))

    def _optimise(self, model, options: dict) -> None:
        try:
            plan = optimise_staffing(
                model,
                target_share=options["target_share"],
                days=options["days"],
                replications=options["replications"],
                seed=options["seed"],
                warmup_days=options["warmup_days"],
                band_hours=options["band_hours"],
                budget=options["budget"],
            )
        except InvalidData as error:
            raise CommandError(error.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(staffing_json(plan), indent=2))
            return
        self.stdout.write(_staffing_report(plan))

    def _validate(self, end: datetime, options: dict) -> None:
        split = end - timedelta(days=options["test_days"])
        try:
            result = validate(
                fit_start=split - timedelta(days=options["fit_days"]),
                split=split,
                end=end,
                replications=options["replications"],
                seed=options["seed"],
                min_requests=options["min_requests"],
            )
        except InsufficientData as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_validation_report(result))


def _validation_report(result: Validation) -> str:
    names = dict(Department.objects.values_list("pk", "name"))
    lines = [
        f"Fitted on {result.fit[0]:%Y-%m-%d} to {result.fit[1]:%Y-%m-%d} "
        f"({result.model.observed['requests']} requests), compared on {result.test[0]:%Y-%m-%d} "
        f"to {result.test[1]:%Y-%m-%d}.",
        f"  {'KPI':<32} {'log':>10} {'simulated':>10}  {'interval':<22} {'error':>8}  target",
    ]
    for check in result.checks:
        simulated = check.simulated
        error = (
            ""
            if check.error is None
            else (f"{check.error:+.1%}" if check.relative else f"{check.error * 100:+.1f} pt")
        )
        target = (
            ""
            if check.tolerance is None
            else (
                f"{_target_word(check.passed)} "
                + (
                    f"{check.tolerance:.0%}"
                    if check.relative
                    else f"{check.tolerance * 100:.0f} pt"
                )
            )
        )
        observed = "-" if check.observed is None else f"{check.observed:.3f}"
        interval = "-" if simulated is None else f"[{simulated.low:.3f}, {simulated.high:.3f}]"
        mean = "-" if simulated is None else f"{simulated.mean:.3f}"
        lines.append(
            f"  {_label(check.name, names):<32} {observed:>10} {mean:>10}  {interval:<22} "
            f"{error:>8}  {target}"
        )
    for check in result.checks:
        if check.observed_interval is not None:
            low, high = check.observed_interval
            lines.append(f"  the log's {check.name}: 95 % interval [{low:.3f}, {high:.3f}]")
    log_days, simulated_days = result.backlog
    lines.append("  open requests by day of the test period (the log / simulated):")
    lines.extend(
        f"    {day + 1:3d} {seen:8.1f} {estimate.mean:8.1f}  "
        f"[{estimate.low:.1f}, {estimate.high:.1f}]"
        for day, (seen, estimate) in enumerate(zip(log_days, simulated_days, strict=False))
    )
    lines.extend(f"  {reason}" for reason in [*result.decided_by_other, *result.too_thin])
    if result.valid:
        lines.append("The model is valid: it may be used for scenarios.")
    elif result.too_thin:
        lines.append(
            "The model is NOT validated: the test period is too thin to tell; it is not offered "
            "for scenarios."
        )
    else:
        lines.append("The model is NOT valid: it misses a target and is not offered for scenarios.")
    return "\n".join(lines)


def _target_word(passed: bool | None) -> str:
    return "undecided" if passed is None else ("within" if passed else "MISSED")


def _staffing_report(plan: StaffingPlan) -> str:
    names = {str(pk): name for pk, name in Department.objects.values_list("pk", "name")}
    lines = [
        f"Fewest agents per department and band of {plan.band_hours} h (UTC, from 00:00) with "
        f"a resolution SLA share of {plan.target_share:.0%} or more (lower 95 % bound):",
    ]
    for department in sorted(plan.as_is.staffing):
        lines.append(f"  {names.get(department, department)}")
        for name, judged in (("as-is", plan.as_is), ("optimised", plan.optimised),
                             ("moved", plan.moved)):  # fmt: skip
            if judged is None:
                continue
            sla = judged.sla.get(department)
            share = "-" if sla is None else f"{sla.mean:.3f} [{sla.low:.3f}, {sla.high:.3f}]"
            agents = " ".join(str(n) for n in judged.staffing[department])
            lines.append(f"    {name:<10} agents {agents}  SLA {share}")
    lines.append(
        f"Agent hours over the simulated days: as-is {plan.agent_hours[0]:.0f}, "
        f"optimised {plan.agent_hours[1]:.0f}."
    )
    for move in plan.moves:
        lines.append(
            f"Move {move.agents} agents from {names.get(move.source, move.source)} to "
            f"{names.get(move.target, move.target)}, {move.start:02d}:00-{move.end:02d}:00."
        )
    if plan.unreachable:
        lines.append(f"No staffing met the target of: {', '.join(plan.unreachable)}.")
    lines.append(
        f"{plan.runs} of {plan.budget} simulation runs"
        + (" (the budget ran out: fewer agents might still do)." if plan.exhausted else ".")
    )
    return "\n".join(lines)


def _label(name: str, names: dict) -> str:
    if name.startswith("utilisation|"):
        department = name.split("|", 1)[1]
        return f"utilisation {names.get(int(department), department)}"
    return name


def _line(label: str, estimate: Estimate) -> str:
    return (
        f"  {label:<32} {estimate.mean:10.3f}  "
        f"[{estimate.low:.3f}, {estimate.high:.3f}]  (n={estimate.replications})"
    )
