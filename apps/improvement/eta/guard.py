"""Where the trees give way to a naive answer. On held-out late slices of the training cases
(by start), with the trees learnt from the cases before them, each last activity keeps the
trees' answer only where they beat the naive one there clearly: for the next step the
first-order Markov chain, for the remaining time the median per last activity or the mean per
prefix length. Elsewhere the model answers as the naive baseline does, so on a log where the
trees find nothing beyond the last activity (an imported log with case, activity, time and
resource only) the model is the baseline rather than worse than it.

"Clearly" is a paired test on that fifth: for the next step, the prefixes the trees get right
and the chain wrong (w) against the reverse (l), kept when w - l > Z * sqrt(w + l) (a sign
test); for the remaining time, the mean of the paired differences of the absolute errors
against Z standard errors.

The chain itself may be out of date: a real log drifts (on the Helpdesk log the step after one
activity changed from one answer to another within the training period). So a second
challenger stands beside the trees: the *recent chain*, the most frequent next step after each
last activity over the latest RECENT share of the cases before the slice; it replaces the
chain after an activity under the same sign test, where it gains more than the trees."""

from collections import Counter
from statistics import fmean, median

Z = 2.0
# The margins tried for the trees over the chain (their probability of their own answer less
# that of the chain's): 0 is the trees' answer wherever they disagree.
MARGINS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)
CHAIN = None  # a last activity answered by the chain alone
RECENT = "recent"  # a last activity answered by the recent chain
# The share of the (training) cases, the latest by start, that the recent chain learns from.
RECENT_SHARE = 0.2


def chain_of(codes, nexts) -> dict:
    """The most frequent next step after each last-activity code."""
    counts: dict = {}
    for code, following in zip(codes.tolist(), nexts.tolist(), strict=True):
        counts.setdefault(code, Counter())[following] += 1
    return {code: found.most_common(1)[0][0] for code, found in counts.items()}


def recent_chain(codes, nexts, keys, rows) -> dict:
    """The chain learnt from the latest RECENT_SHARE of the cases (by `keys`, each row's
    (start, case)) of the marked rows."""
    import numpy as np

    cases = sorted(set(keys[rows].tolist()))
    if not cases:
        return {}
    cut = cases[int(len(cases) * (1 - RECENT_SHARE))]
    latest = rows & np.array([key >= cut for key in keys.tolist()])
    return chain_of(codes[latest], nexts[latest])


def overruled(
    probabilities, classes, codes, chain: dict, margins: dict, *, recent: dict | None = None
) -> list[str]:
    """Per row: the trees' answer where their probability of it exceeds the one they give the
    chain's answer by more than the margin of the row's last activity (`margins[code]`; a
    missing or None margin: the chain's answer; RECENT: the recent chain's answer, the chain's
    where it knows none); the chain's answer elsewhere, the trees' where the chain knows no
    answer."""
    import numpy as np

    names = [str(c) for c in classes]
    column = {name: n for n, name in enumerate(names)}
    top = probabilities.argmax(axis=1)
    mine = probabilities[np.arange(len(top)), top]
    found = [names[n] for n in top]
    for n, code in enumerate(codes.tolist()):
        theirs = chain.get(code)
        if theirs is None or str(theirs) not in column:
            continue
        margin = margins.get(code, CHAIN)
        if margin == RECENT:
            found[n] = str((recent or {}).get(code, theirs))
        elif margin is CHAIN or mine[n] - probabilities[n, column[str(theirs)]] <= margin:
            found[n] = str(theirs)
    return found


def next_step_margins(slices: list[tuple]) -> dict:
    """For each last-activity code of the held-out rows: the margin (or RECENT) whose answers
    beat the chain's clearly and by the most, or None (the chain). `slices` are held-out
    slices, each (probabilities, classes, codes, truth, chain[, recent chain]) with the trees
    and the chains learnt before it; wins and losses are counted over all of them."""
    import numpy as np

    codes_seen = sorted({c for one in slices for c in one[2].tolist()})
    chosen: dict = dict.fromkeys(codes_seen, CHAIN)
    gains: dict = dict.fromkeys(codes_seen, 0)
    challengers: list[float | str] = [*reversed(MARGINS)]
    if all(len(one) > 5 for one in slices):
        challengers.append(RECENT)
    for margin in challengers:
        wins: Counter = Counter()
        losses: Counter = Counter()
        for probabilities, classes, codes, truth, chain, *recent in slices:
            truth = np.asarray(truth, dtype=object)
            chained = np.array([str(chain.get(c)) for c in codes.tolist()], dtype=object)
            every = dict.fromkeys(codes_seen, margin)
            found = np.array(
                overruled(
                    probabilities, classes, codes, chain, every, recent=next(iter(recent), None)
                ),
                dtype=object,
            )
            better = (found == truth) & (chained != truth)
            worse = (found != truth) & (chained == truth)
            for code in set(codes.tolist()):
                rows = codes == code
                wins[code] += int(np.sum(better[rows]))
                losses[code] += int(np.sum(worse[rows]))
        for code in codes_seen:
            gain = wins[code] - losses[code]
            if gain > Z * (wins[code] + losses[code]) ** 0.5 and gain > gains[code]:
                chosen[code], gains[code] = margin, gain
    return chosen


def naive_remaining(codes, lengths, seconds) -> dict:
    """The naive remaining times from training rows: the median per last-activity code and the
    mean per prefix length, with the overall median and mean where a group is unseen."""
    by_code: dict = {}
    by_length: dict = {}
    for code, length, value in zip(codes.tolist(), lengths.tolist(), seconds.tolist(), strict=True):
        by_code.setdefault(code, []).append(value)
        by_length.setdefault(length, []).append(value)
    values = seconds.tolist()
    return {
        "median": {code: median(found) for code, found in by_code.items()},
        "mean": {length: fmean(found) for length, found in by_length.items()},
        "median_all": median(values) if values else 0.0,
        "mean_all": fmean(values) if values else 0.0,
    }


def naive_answers(naive: dict, codes, lengths) -> dict:
    """Each naive baseline's remaining seconds for rows with these codes and prefix lengths."""
    import numpy as np

    return {
        "median": np.array([naive["median"].get(c, naive["median_all"]) for c in codes.tolist()]),
        "mean": np.array([naive["mean"].get(n, naive["mean_all"]) for n in lengths.tolist()]),
    }


def remaining_choice(predicted, naive: dict, codes, lengths, truth) -> dict:
    """For each last-activity code of the held-out rows: "median" or "mean" where that naive
    baseline's absolute error is clearly below the model's there (the larger gain wins), else
    "model" (left out of the returned dict)."""
    import numpy as np

    answers = naive_answers(naive, codes, lengths)
    mine = np.abs(np.asarray(predicted) - truth)
    chosen = {}
    for code in set(codes.tolist()):
        rows = codes == code
        best = 0.0
        for name, answer in answers.items():
            gain = mine[rows] - np.abs(answer[rows] - truth[rows])
            spread = gain.std(ddof=1) / len(gain) ** 0.5 if len(gain) > 1 else np.inf
            if gain.mean() > Z * spread and gain.mean() > best:
                chosen[code], best = name, float(gain.mean())
    return chosen


def guarded_remaining(predicted, naive: dict, choice: dict, codes, lengths):
    """The model's remaining seconds, the chosen naive baseline's for the codes it won."""
    import numpy as np

    if not choice:
        return predicted
    answers = naive_answers(naive, codes, lengths)
    out = np.asarray(predicted, dtype=float).copy()
    for code, name in choice.items():
        rows = codes == code
        out[rows] = answers[name][rows]
    return out
