"""A weighting from a manager's pairwise judgements: the analytic hierarchy process (Saaty).

For n indicators the judgements fill a reciprocal matrix A (a_ij: how much more important i is
than j on the 1-9 scale, a_ji = 1 / a_ij, a_ii = 1). The weights are A's principal eigenvector
scaled to sum 1; its eigenvalue lambda_max >= n measures the inconsistency: CI = (lambda_max -
n) / (n - 1), CR = CI / RI(n) with Saaty's random index RI. Above CR 0.1 the judgements
contradict each other too much to be used as they are."""

from dataclasses import dataclass

from apps.quality.models import KpiJudgement

# Saaty's scale: 1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme; 2, 4, 6, 8 between;
# the reciprocals when the second indicator is the more important.
SCALE = (*(1 / v for v in range(9, 1, -1)), *range(1, 10))
# Saaty's random consistency index by matrix size (the mean CI of random reciprocal matrices).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45}
RANDOM_INDEX_LARGE = 1.49
CONSISTENT_ENOUGH = 0.1


@dataclass
class AhpWeights:
    """The weights per indicator (summing to 1), lambda_max and the consistency ratio."""

    weights: dict[str, float]
    lambda_max: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        return self.consistency_ratio <= CONSISTENT_ENOUGH


def ahp_weights(names: list[str], judgements: dict[tuple[str, str], float]) -> AhpWeights:
    """The principal eigenvector weights of the reciprocal matrix the judgements fill
    ({(first, second): value}); every pair of `names` must be judged (either way round)."""
    import numpy as np

    n = len(names)
    index = {name: i for i, name in enumerate(names)}
    matrix = np.ones((n, n))
    for (first, second), value in judgements.items():
        matrix[index[first], index[second]] = value
        matrix[index[second], index[first]] = 1 / value
    values, vectors = np.linalg.eig(matrix)
    principal = int(np.argmax(values.real))
    vector = np.abs(vectors[:, principal].real)
    lambda_max = float(values[principal].real)
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX.get(n, RANDOM_INDEX_LARGE)
    return AhpWeights(
        weights={name: float(vector[i] / vector.sum()) for name, i in index.items()},
        lambda_max=lambda_max,
        consistency_ratio=max(ci / ri, 0.0) if ri else 0.0,
    )


def judged_weights(metrics: list[str], *, department_id: int | None) -> AhpWeights | None:
    """The AHP weights of `metrics` from the judgements entered for the desk (None) or a
    department; None until every pair of them is judged."""
    rows = KpiJudgement.objects.filter(
        department=department_id, first__in=metrics, second__in=metrics
    ).values_list("first", "second", "value")
    judgements = {(first, second): value for first, second, value in rows}
    pairs = {frozenset(pair) for pair in judgements}
    if len(metrics) < 2 or len(pairs) < len(metrics) * (len(metrics) - 1) // 2:
        return None
    return ahp_weights(sorted(metrics), judgements)
