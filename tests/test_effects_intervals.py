"""Every reported interval holds its estimate: the bootstrap intervals directly (hypothesis),
every table of ``effects`` on generated experiments and the real one, and the named queries."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import ablation_sql as asql
from ablation_sql.effects import intervals as boot
from ablation_sql.effects.intervals import BCA, bootstrap_ci
from ablation_sql.synthetic import generate_experiment

from .conftest import REAL_EXPERIMENT

_ESTIMATES = ("estimate", "mean", "share", "change", "value")


def intervals(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(estimate, low, high) columns of a table: ``X_low``/``X_high`` around ``X`` or
    ``X_estimate``; ``ci_low``/``ci_high`` (or ``X_ci_low``) around the table's estimate. A low
    column whose estimate cannot be found fails the test, so a new table is never skipped."""
    out = []
    for low in [c for c in frame.columns if c.endswith("_low")]:
        high = low[: -len("_low")] + "_high"
        stem = re.sub(r"_?(ci_)?low$", "", low)
        candidates = [stem, f"{stem}_estimate"] if stem else list(_ESTIMATES)
        found = [c for c in candidates if c in frame.columns]
        assert high in frame.columns and found, f"no estimate for {low} in {list(frame.columns)}"
        out.append((found[0], low, high))
    return out


def assert_contained(frame: pd.DataFrame, where: str) -> int:
    """Assert low <= estimate <= high wherever all three are numbers; return the count."""
    checked = 0
    for estimate, low, high in intervals(frame):
        values = frame[[estimate, low, high]].apply(pd.to_numeric, errors="coerce")
        rows = values.dropna()
        bad = rows[~((rows[low] <= rows[estimate]) & (rows[estimate] <= rows[high]))]
        assert bad.empty, f"{where}.{estimate}: interval misses the estimate\n{bad}"
        checked += len(rows)
    return checked


def assert_all_contained(result: asql.effects.Effects) -> int:
    checked = sum(assert_contained(getattr(result, name), name) for name in result._TABLES)
    low, high = result.r_squared_ci
    if not math.isnan(low):
        assert low <= result.r_squared <= high
    return checked


def test_interval_columns_are_found() -> None:
    frame = pd.DataFrame(columns=["mean", "ci_low", "ci_high", "diff_best", "diff_best_low",
                                  "diff_best_high", "adjusted_estimate", "adjusted_ci_low",
                                  "adjusted_ci_high"])
    assert intervals(frame) == [("mean", "ci_low", "ci_high"),
                                ("diff_best", "diff_best_low", "diff_best_high"),
                                ("adjusted_estimate", "adjusted_ci_low", "adjusted_ci_high")]
    with pytest.raises(AssertionError, match="no estimate"):
        intervals(pd.DataFrame(columns=["odd_low", "odd_high"]))


def _share(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """A bounded, biased statistic: the squared mean over the mean square (0 to 1)."""
    return np.clip(x.mean(axis=axis) ** 2 / np.maximum((x**2).mean(axis=axis), 1e-300), 0, 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40), st.integers(0, 2**32 - 1))
def test_bootstrap_ci_holds_its_estimate(values: list[float], seed: int) -> None:
    x = np.array(values)
    for statistic, bounds in ((np.mean, (-math.inf, math.inf)), (_share, (0.0, 1.0))):
        ci = bootstrap_ci((x,), statistic, n_boot=200, rng=np.random.default_rng(seed),
                          bounds=bounds)
        assert ci.low[0] <= ci.estimate[0] <= ci.high[0], (ci, values)
        assert bounds[0] <= ci.low[0] and ci.high[0] <= bounds[1]


def test_share_near_zero_gets_an_upper_limit() -> None:
    """The users' case: a share whose resamples all lie above it."""
    x = np.random.default_rng(0).normal(size=30)
    x = x - x.mean() + 1e-3  # a share of about 1e-6; nearly every resample's is larger
    ci = bootstrap_ci((x,), _share, n_boot=500, rng=np.random.default_rng(1), bounds=(0.0, 1.0))
    assert ci.method[0] == "bound" and ci.low[0] == 0.0 and ci.estimate[0] <= ci.high[0]
    y = np.random.default_rng(0).normal(5.0, 1.0, size=30)
    ci = bootstrap_ci((y,), np.mean, n_boot=500, rng=np.random.default_rng(1))
    assert ci.method[0] == BCA


# seeds 0-3: tpe and random search, each with and without diverged trials; seed 2 gives an
# importance as an upper limit (seeds 4 and 5, which this test also ran, added no other case)
@pytest.mark.parametrize("seed", range(4))
def test_every_table_of_generated_experiments(tmp_path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    trials = int(rng.integers(12, 60))
    kwargs = {"diverged": "activation=elu:2"} if seed % 2 else {}
    truth = generate_experiment(tmp_path / "exp", trials=trials, epochs=4, seed=seed,
                                failed=int(rng.integers(0, 4)),
                                noise=float(rng.uniform(0.005, 0.1)),
                                algo="tpe" if seed % 3 == 0 else "random", **kwargs)
    with asql.connect() as db:
        db.ingest(truth.experiment_dir, workers=1)
        for metric, policy in (("val_accuracy", "best"), ("val_loss", "last")):
            result = db.effects(metric, policy=policy, n_boot=200, seed=seed)
            assert assert_all_contained(result) > 10
            for r in result.importance.itertuples():  # an upper limit is said to be one
                said = [n for n in result.notes if n.startswith(f"{r.attribute}: its importance")]
                assert (r.ci_method == "bound") == bool(said), (r, result.notes)
                assert not said or "is an upper limit" in said[0]


def test_every_table_of_the_real_experiment(db: asql.Database) -> None:
    db.ingest(REAL_EXPERIMENT, workers=1)
    for metric, direction in (("val_loss", None), ("val_accuracy", "max")):
        result = db.effects(metric, n_boot=500, direction=direction)
        assert assert_all_contained(result) > 10
        methods = set(result.importance["ci_method"]) | set(
            result.importance["unique_method"])
        assert methods <= {BCA, "bound", "percentile"}
    queries = [("categorical_effects", {"metric": "val_loss"}),
               ("compare_experiments", {"metric": "val_loss"}),
               ("learning_curves", {"metric": "val_loss",
                                    "attribute": "model_config.activation"})]
    for name, params in queries:
        frame = db.query(name, **params)
        assert assert_contained(frame, name) > 0


def _two_means(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return a.mean(axis=axis) - b.mean(axis=axis)


@pytest.mark.parametrize("n", [2, 9, 60, boot.JACKKNIFE_GROUPS])
def test_up_to_the_group_count_the_intervals_are_scipys_bca(n: int) -> None:
    """Up to JACKKNIFE_GROUPS observations the jackknife is delete-one: scipy's BCa exactly."""
    rng = np.random.default_rng(n)
    x, y = rng.exponential(size=n), rng.normal(size=max(2, n - 3))
    for data, statistic in (((x,), np.mean), ((x, y), _two_means)):
        ours = bootstrap_ci(data, statistic, n_boot=300, rng=np.random.default_rng(7))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate two-point resamples
            scipys = stats.bootstrap(data, statistic, n_resamples=300, method="BCa",
                                     vectorized=True, rng=np.random.default_rng(7))
        if ours.method[0] == BCA:
            assert ours.low[0] == scipys.confidence_interval.low
            assert ours.high[0] == scipys.confidence_interval.high


def test_the_jackknife_costs_a_fixed_number_of_statistics() -> None:
    """Above JACKKNIFE_GROUPS observations the statistic sees G leave-one-group-out samples:
    G x n values, linear in n (delete-one would be n x n)."""
    seen = []

    def counting_mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
        seen.append(x.size)
        return x.mean(axis=axis)

    groups = boot.JACKKNIFE_GROUPS
    for n in (4 * groups, 40 * groups + 7):
        seen.clear()
        boot.bca_ci((np.arange(n, dtype=float),), counting_mean, np.zeros((1, 10)))
        assert groups * (n - n // groups - 1) <= sum(seen) - n <= groups * n


def test_grouped_acceleration_estimates_the_delete_one_one(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """The mean of exponential samples has acceleration skewness / (6 sqrt(n)) = 1 / (3
    sqrt(n)); groups of 10 estimate it, over many samples, as the delete-one jackknife does."""
    n, seeds = 1000, 40
    samples = [np.random.default_rng(s).exponential(size=n) for s in range(seeds)]
    delete_one = [boot._acceleration(boot._jackknife((x,), np.mean))[0] for x in samples]
    monkeypatch.setattr(boot, "JACKKNIFE_GROUPS", n // 10)
    grouped = [boot._acceleration(boot._jackknife((x,), np.mean))[0] for x in samples]
    planted = 1 / (3 * math.sqrt(n))
    assert abs(np.mean(delete_one) - planted) < 0.15 * planted
    assert abs(np.mean(grouped) - planted) < 0.25 * planted
    assert np.std(grouped) > np.std(delete_one)  # fewer groups, noisier, but not biased


@pytest.mark.slow
def test_grouped_bca_covers_planted_means() -> None:
    """On planted truth above the group count (n = 3 x JACKKNIFE_GROUPS, skewed data): BCa
    intervals of a mean and of a difference of means hold the true value about 95 % of the
    time over 300 seeds (0.927 and 0.937; the delete-one jackknife gives 0.920 and 0.937: BCa
    falls a little short on a skewed mean)."""
    n, seeds = 3 * boot.JACKKNIFE_GROUPS, 300
    hits = {"mean": 0, "difference": 0}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        x, y = rng.exponential(size=n), rng.exponential(2.0, size=n // 2)
        one = bootstrap_ci((x,), np.mean, n_boot=400, rng=rng)
        two = bootstrap_ci((x, y), _two_means, n_boot=400, rng=rng)
        hits["mean"] += bool(one.low[0] <= 1.0 <= one.high[0])
        hits["difference"] += bool(two.low[0] <= -1.0 <= two.high[0])
    for what, hit in hits.items():
        assert 0.91 <= hit / seeds <= 0.985, (what, hit / seeds)  # 0.927, 0.937


def test_resampled_counts_are_the_resamples_draws() -> None:
    """``resample_counts`` draws what ``resample`` (scipy's bootstrap) draws: the weighted
    means of its counts are the resampled means, batch for batch."""
    x = np.random.default_rng(3).normal(size=1234)
    means = boot.resample((x,), np.mean, n_boot=2500, rng=np.random.default_rng(11))[0]
    counts = np.concatenate(list(boot.resample_counts(
        len(x), n_boot=2500, rng=np.random.default_rng(11))))
    assert counts.shape == (2500, len(x)) and (counts.sum(axis=1) == len(x)).all()
    np.testing.assert_allclose(counts @ x / len(x), means, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [2, 7, boot.JACKKNIFE_GROUPS, 3 * boot.JACKKNIFE_GROUPS + 13])
def test_resampled_means_and_group_means_are_the_generic_ones(n: int) -> None:
    """``resample_means`` gives exactly ``resample``'s means of the same seed (scipy's draws),
    and ``group_means`` the jackknife ``bca_ci`` evaluates by leaving each group out: the
    mean's interval is the same from either."""
    x = np.random.default_rng(n).lognormal(size=n)
    means = boot.resample_means(x, n_boot=1500, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(
        means, boot.resample((x,), np.mean, n_boot=1500, rng=np.random.default_rng(5))[0])
    (generic,) = boot._jackknife((x,), np.mean)
    np.testing.assert_allclose(boot.group_means(x), generic[0], rtol=1e-12)
    fast = boot.bca_ci((x,), np.mean, means[None, :], jackknife=[boot.group_means(x)[None, :]])
    slow = boot.bca_ci((x,), np.mean, means[None, :])
    np.testing.assert_allclose([fast.low, fast.high], [slow.low, slow.high], rtol=1e-9)
    assert fast.low[0] <= x.mean() <= fast.high[0]
