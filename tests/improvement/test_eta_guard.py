"""The guard: per last activity, the trees give way to the Markov chain (next step) and to the
naive remaining times where they did not beat them clearly on the held-out latest fifth."""

import numpy as np

from apps.improvement.eta import guard
from apps.improvement.eta.boosted import BoostedModel, matrix
from apps.improvement.eta.context import attach_load
from apps.improvement.eta.traces import samples
from tests.improvement.synthetic import activity_log

CLASSES = np.array(["x", "y"], dtype=object)


def test_an_activity_keeps_the_trees_only_where_they_beat_the_chain_clearly():
    # After code 1 the truth is "y" and the trees say so surely; the chain says "x".
    # After code 2 the trees say "y" as well but the truth is the chain's "x".
    codes = np.array([1.0] * 100 + [2.0] * 100)
    truth = np.array(["y"] * 100 + ["x"] * 100, dtype=object)
    probabilities = np.tile([0.2, 0.8], (200, 1))
    chain = {1.0: "x", 2.0: "x"}
    margins = guard.next_step_margins([(probabilities, CLASSES, codes, truth, chain)])
    assert margins[1.0] in guard.MARGINS
    assert margins[2.0] is None
    found = guard.overruled(probabilities, CLASSES, codes, chain, margins)
    assert found == ["y"] * 100 + ["x"] * 100


def test_a_small_win_is_not_clear_enough():
    # The trees win 6 and lose 4 of 10 disagreements: within noise, so the chain answers.
    codes = np.ones(10)
    truth = np.array(["y"] * 6 + ["x"] * 4, dtype=object)
    probabilities = np.tile([0.1, 0.9], (10, 1))
    margins = guard.next_step_margins([(probabilities, CLASSES, codes, truth, {1.0: "x"})])
    assert margins == {1.0: None}


def test_a_naive_remaining_time_replaces_the_model_only_where_it_wins_clearly():
    rng = np.random.default_rng(1)
    codes = np.array([1.0] * 200 + [2.0] * 200)
    lengths = np.ones(400)
    truth = np.where(codes == 1.0, 10.0, 100.0) + rng.normal(0, 1, 400)
    # The model is right after code 1 and far off after code 2, where the median is right.
    predicted = np.where(codes == 1.0, truth + rng.normal(0, 0.1, 400), 300.0)
    naive = guard.naive_remaining(codes, lengths, truth)
    choice = guard.remaining_choice(predicted, naive, codes, lengths, truth)
    assert choice == {2.0: "median"}
    guarded = guard.guarded_remaining(predicted, naive, choice, codes, lengths)
    assert np.array_equal(guarded[:200], predicted[:200])
    assert np.allclose(guarded[200:], naive["median"][2.0])


def skewed(rng, done):
    """After any activity: the end 2 times in 10, else "a" 4 times in 10, "b" or "c" 3."""
    if done and rng.random() < 0.2:
        return None
    return rng.choices(["a", "b", "c"], weights=[4, 3, 3])[0]


def test_on_a_log_without_structure_the_model_answers_as_the_chain():
    """The next step never depends on anything but chance (the chain's "a" is the best
    guess), and the resource means nothing: whatever the trees guess from it is noise, so
    after every activity the model gives the Markov chain's answer."""
    traces = activity_log(800, skewed)
    rng = np.random.default_rng(3)
    for trace in traces:
        trace.steps = [
            type(step)(step.activity, step.state, step.at, resource=int(rng.integers(5)))
            for step in trace.steps
        ]
    attach_load(traces)
    train, test = traces[:600], traces[600:]
    fitted = BoostedModel.fit(list(samples(train)))
    tested = list(samples(test))
    x = matrix(fitted.encoder, tested)
    codes = x[:, fitted.encoder.names.index("last_activity")].tolist()
    chain = fitted.parts["chain"]
    assert set(fitted.parts["margins"].values()) == {None}
    assert fitted.predict(tested).next_activity == [str(chain[c]) for c in codes]
    # A model stored before the guard (one margin for all activities, above 1: never) still
    # answers with the chain.
    fitted.parts.pop("margins")
    fitted.parts["margin"] = 1.5
    assert fitted.predict(tested).next_activity == [str(chain[c]) for c in codes]


def test_the_recent_chain_replaces_the_chain_only_where_it_wins_clearly():
    # After code 1 the process changed: the truth is now "y", the recent chain's answer; the
    # trees follow the old chain. After code 2 the recent chain says "y" too, but "x" still
    # comes as often: no clear gain, so the chain stays.
    codes = np.array([1.0] * 100 + [2.0] * 100)
    truth = np.array(["y"] * 100 + ["x", "y"] * 50, dtype=object)
    probabilities = np.tile([0.8, 0.2], (200, 1))
    chain, recent = {1.0: "x", 2.0: "x"}, {1.0: "y", 2.0: "y"}
    margins = guard.next_step_margins([(probabilities, CLASSES, codes, truth, chain, recent)])
    assert margins == {1.0: guard.RECENT, 2.0: None}
    found = guard.overruled(probabilities, CLASSES, codes, chain, margins, recent=recent)
    assert found == ["y"] * 100 + ["x"] * 100


def drifting(cases: int, changed_at: int):
    """open -> check -> fix or close (-> close after fix) -> end; after `check` a case before
    `changed_at` is fixed 7 times in 10, a later one closed 7 times in 10."""
    started = [0]

    def choose(rng, done):
        if not done:
            started[0] += 1
            return "open"
        if done[-1] == "open":
            return "check"
        if done[-1] == "check":
            late = started[0] > changed_at
            return "close" if (rng.random() < 0.7) == late else "fix"
        return "close" if done[-1] == "fix" else None

    return activity_log(cases, choose)


def test_a_drifted_step_is_answered_from_the_recent_cases():
    """The step after `check` changed half-way through the log: the chain learnt from all the
    training cases still says "fix", the recent chain "close", and the held-out slices show
    it; the model answers "close" there and the chain elsewhere."""
    traces = drifting(800, 400)
    attach_load(traces)
    train, test = traces[:600], traces[600:]
    fitted = BoostedModel.fit(list(samples(train)))
    code = float(fitted.encoder.activities.index("check") + 1)
    assert fitted.parts["chain"][code] == "fix"
    assert fitted.parts["margins"][code] == guard.RECENT
    tested = [s for s in samples(test) if s.trace.steps[s.index].activity == "check"]
    assert set(fitted.predict(tested).next_activity) == {"close"}
