"""The KPI weights' history: which weight each indicator had on a day, and how a new one is set.

Rule: a period is scored with the weights in force on its first day (one set of weights per
period, so its score stays one weighted mean). An indicator's first weight is in force from
FAR_PAST on; an indicator without any history row counts with its `weight` field."""

from datetime import date

from django.db import transaction

from apps.quality.models import KPIIndicator, KpiWeight

# From when an indicator's first weight counts: before any period the desk can score.
FAR_PAST = date(1970, 1, 1)


def weights_on(day: date) -> dict[int, float]:
    """{indicator id: weight in force on `day`} for every indicator with a weight by then."""
    # Oldest first, so each indicator's latest weight by `day` is the one kept. Plain ordering,
    # not DISTINCT ON: the embedded SQLite desk has none (a few rows per indicator).
    rows = (
        KpiWeight.objects.filter(effective_from__lte=day)
        .order_by("indicator_id", "effective_from")
        .values_list("indicator_id", "weight")
    )
    return dict(rows)


@transaction.atomic
def set_weight(indicator: KPIIndicator, weight: float, *, effective_from: date) -> KpiWeight:
    """Record `weight` for `indicator` from `effective_from` on (replacing a weight set for the
    same day), leaving the earlier history as it was. The indicator's `weight` field keeps the
    weight entered last."""
    start_history(indicator)
    row, _created = KpiWeight.objects.update_or_create(
        indicator=indicator, effective_from=effective_from, defaults={"weight": weight}
    )
    if indicator.weight != weight:
        indicator.weight = weight
        indicator.save(update_fields=["weight"])
    return row


def start_history(indicator: KPIIndicator) -> None:
    """A new indicator's first weight, in force from FAR_PAST (like the seeded ones)."""
    KpiWeight.objects.get_or_create(
        indicator=indicator, effective_from=FAR_PAST, defaults={"weight": indicator.weight}
    )
