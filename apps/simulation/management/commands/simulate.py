"""Run the as-is model discovered from the desk's log: N days, R replications, KPIs with their
95 % confidence intervals."""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.accounts.models import Department
from apps.simulation.discovery import MIN_REQUESTS, InsufficientData, discover
from apps.simulation.kpis import Estimate, as_json, replicate


class Command(BaseCommand):
    help = (
        "Discover the process model from the requests submitted in the last --fit-days, run it "
        "as it is over --days simulated days with --replications seeds, and print each KPI's "
        "mean and 95 %% confidence interval."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fit-days", type=int, default=90, help="the log period to fit on")
        parser.add_argument("--days", type=float, default=30, help="simulated days")
        parser.add_argument("--replications", type=int, default=10)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--warmup-days", type=float, default=2)
        parser.add_argument("--min-requests", type=int, default=MIN_REQUESTS)
        parser.add_argument("--json", action="store_true", help="print the KPIs as JSON")
        parser.add_argument("--model", action="store_true", help="print the model as JSON")

    def handle(self, *args, **options):
        if options["replications"] < 1 or options["days"] <= 0:
            raise CommandError("--replications and --days must be positive.")
        end = timezone.now()
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
        for name, estimate in kpis.items():
            self.stdout.write(_line(_label(name, names), estimate))


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
