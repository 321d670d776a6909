"""The evaluation report as text: per prefix length and micro-averaged, the model beside the
former empirical model and the naive baselines."""

NEXT = ("model", "empirical", "markov", "most_frequent")
REMAINING = ("model", "empirical", "mean_by_length", "median_by_last_activity")
BREACH = ("model", "empirical", "rate_by_last_activity")


def format_report(report: dict, *, max_length: int = 15) -> list[str]:
    """Lines of text: the split, then next-step accuracy and remaining-time MAE (days) per
    prefix length (longer prefixes pooled in the last row) and overall, then the breach risk's
    Brier score, AUC and calibration in deciles."""
    target = report["target_seconds"]
    lines = [
        f"cases: {report['cases']['train']} train / {report['cases']['test']} test "
        f"(test cases start from {report['split_at']}); prefixes: "
        f"{report['prefixes']['train']} / {report['prefixes']['test']}",
        "breach = the resolution clock's deadline missed"
        if target is None
        else f"breach = ended later than {target / 3600:.1f} h after the start",
        f"test breach rate: {_number(report['breach_rate'])}; "
        f"P90 coverage (share ending before the predicted P90): {_number(report['p90_coverage'])}",
        "",
        "next-step accuracy",
        *_table(report["next_step"], NEXT, max_length, "{:.3f}"),
        "",
        "remaining-time MAE (days)",
        *_table(report["remaining"], REMAINING, max_length, "{:.3f}"),
        "",
    ]
    breach = report.get("breach") or {}
    if breach:
        lines.append(f"{'breach risk':24}" + "".join(f"{name:>22}" for name in BREACH))
        for key in ("brier", "auc"):
            lines.append(
                f"{key:24}" + "".join(f"{_number(breach[name][key]):>22}" for name in BREACH)
            )
        lines += ["", "calibration of the model: band, prefixes, predicted, observed"]
        for row in breach["model"]["calibration"]:
            lines.append(
                f"{row['band']:>10} {row['count']:>8} {row['predicted']:>10.3f} "
                f"{row['observed']:>10.3f}"
            )
    return lines


def _table(section: dict, names: tuple[str, ...], max_length: int, fmt: str) -> list[str]:
    lines = [f"{'prefix':>8} {'n':>7}" + "".join(f"{name:>24}" for name in names)]
    lengths = sorted(section[names[0]]["by_length"])
    short = [n for n in lengths if n < max_length]
    for length in short:
        count = section[names[0]]["by_length"][length]["count"]
        values = [section[name]["by_length"][length]["mean"] for name in names]
        lines.append(_row(str(length), count, values, fmt))
    tail = [n for n in lengths if n >= max_length]
    if tail:
        count = sum(section[names[0]]["by_length"][n]["count"] for n in tail)
        values = [
            sum(
                section[name]["by_length"][n]["mean"] * section[name]["by_length"][n]["count"]
                for n in tail
            )
            / count
            for name in names
        ]
        lines.append(_row(f"{max_length}+", count, values, fmt))
    overall = [next(v for k, v in section[name].items() if k != "by_length") for name in names]
    total = sum(row["count"] for row in section[names[0]]["by_length"].values())
    lines.append(_row("all", total, overall, fmt))
    return lines


def _row(label: str, count: int, values: list[float], fmt: str) -> str:
    return f"{label:>8} {count:>7}" + "".join(f"{fmt.format(v):>24}" for v in values)


def _number(value) -> str:
    return "-" if value is None else f"{value:.3f}"
