"""Whether the log's own value of a targeted KPI is known well enough to validate against, and
the sentence saying it is not. Apart from validation.py so that the admin, imported at start-up,
can say it without loading the analysis libraries (numpy, scipy) validation brings."""

from django.utils.translation import gettext as _

# Two measures of one target, the median time to resolve: on the wall clock and in business
# hours (the resolution clock's time, pauses left out; the dashboard shows both). On a desk
# closed at night the wall median often falls in the gap between the requests resolved the
# same day and those resolved the next morning, where few requests lie: the log knows it only
# loosely while it knows the business median well. Where the log knows one of the two, that one
# decides; the other must then lie within the log's own interval (docs/simulation.md).
MEASURES = {"ttr_median_h": "ttr_business_median_h", "ttr_business_median_h": "ttr_median_h"}


# A share the log may count on few clocks: a next-response clock runs only after a customer's
# reply. Known too loosely, it is reported beside the others and decides nothing, rather than
# leaving the whole test period too thin to tell.
DECIDES_NOTHING_WHEN_LOOSE = ("sla_next_response_share",)


def decided_by(name: str, thin: set[str], named: set[str]) -> str:
    """The other measure of `name`'s target that decides in its place, where the log knows
    `name` too loosely (`thin`) and that one well; "" where none does."""
    other = MEASURES.get(name, "")
    return other if other in named and other not in thin else ""


def within(value, interval) -> bool:
    return value is not None and interval is not None and interval[0] <= value <= interval[1]


def too_wide(observed, interval, tolerance, relative: bool) -> bool:
    """Whether the log's own 95 % interval of a targeted KPI is wider than its tolerance."""
    if tolerance is None or interval is None or observed is None:
        return False
    low, high = interval
    allowed = tolerance * abs(observed) if relative else tolerance
    return (high - low) / 2 > allowed


def significant(value: float) -> str:
    """A figure as the command and the stored validation write it: three significant digits."""
    return f"{value:.3g}"


def _figures(kpi: str, observed: float, interval, show) -> dict[str, str]:
    """The placeholders the sentences share, the figures as `show` writes them."""
    low, high = interval
    return {"kpi": kpi, "value": show(observed), "low": show(low), "high": show(high)}


def thin_reason(kpi: str, observed: float, interval, show=significant) -> str:
    """The sentence saying so, `kpi` named as the reader should see it (the admin gives its
    label, the command its key) and its figures written by `show` (the admin: shares as
    percent, as in its table)."""
    return _(
        "The test period is too thin to validate %(kpi)s: the log's own value is %(value)s, "
        "known only within [%(low)s, %(high)s] (95 %%), wider than the tolerance."
    ) % _figures(kpi, observed, interval, show)


def decided_reason(kpi: str, observed: float, interval, other: str, show=significant) -> str:
    """The sentence for a measure the log knows too loosely whose target `other` decides."""
    return _(
        "The log knows %(kpi)s only within [%(low)s, %(high)s] (95 %%) around %(value)s, "
        "wider than the tolerance: %(other)s decides the target; the simulation must lie within "
        "the tolerance or that interval."
    ) % {**_figures(kpi, observed, interval, show), "other": other}


def undecided_reason(kpi: str, observed: float, interval, show=significant) -> str:
    """The sentence for a share the log knows too loosely to decide anything."""
    return _(
        "The log knows %(kpi)s only within [%(low)s, %(high)s] (95 %%) around %(value)s, "
        "wider than the tolerance: it is reported and decides nothing."
    ) % _figures(kpi, observed, interval, show)


def loose_sentences(
    loose: list[tuple], named: set[str], label=str, writer=lambda _name: significant
) -> tuple[list[str], list[str]]:
    """Of the targeted KPIs the log knows too loosely, (name, observed, interval) each: why the
    period is too thin to tell, and the sentences for those another measure decides or that
    decide nothing; `label` names a KPI as the reader should see it, `writer(name)` gives how
    its figures are written."""
    names = {name for name, _observed, _interval in loose}
    reasons, notes = [], []
    for name, observed, interval in loose:
        other = decided_by(name, names, named)
        if name in DECIDES_NOTHING_WHEN_LOOSE:
            notes.append(undecided_reason(label(name), observed, interval, writer(name)))
        elif other:
            notes.append(
                decided_reason(label(name), observed, interval, label(other), writer(name))
            )
        else:
            reasons.append(thin_reason(label(name), observed, interval, writer(name)))
    return reasons, notes
