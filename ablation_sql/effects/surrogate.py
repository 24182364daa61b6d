"""A surrogate of the metric: a model of each used trial's reduced value from its attributes
that can capture interactions, chosen and tuned by cross-validation (scikit-learn).

The attributes enter as in the effects' design (design.py): a number on its scale (log10 when
the search space declares it log and every used value is positive); a categorical attribute or
subspace as one indicator per sampled level but the first; an attribute nested in a subspace's
branch takes its used trials' mean (or first level) where it does not apply, the branch's own
indicator telling the model where it does. An attribute with one sampled value is left out.

The candidates, each scored by its 5-fold cross-validated R² (folds shuffled with the seed;
on at most ``CV_ROWS`` of the trials, drawn with the seed): random forests (smallest leaf 1
or 3 trials), gradient-boosted trees (depth 2 or 3) and a ridge regression on the attributes,
their squares and pairwise products (smooth, so it follows a trend to the edge of the sampled
space, where trees flatten). The best is refitted on all the trials given (the ablation gives
at most ``FIT_TRIALS``, a seeded sample beyond); its cross-validated R² is reported
(the best of five, so slightly optimistic). Below ``MIN_R2`` the surrogate explains little and
no analysis built on it draws a conclusion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..errors import InputError
from .conditions import Condition, applies
from .data import TrialData
from .design import build_design

__all__ = ["CV_ROWS", "FIT_TRIALS", "MIN_R2", "Encoding", "Surrogate", "fit_surrogate",
           "in_threads", "single_threaded", "unchecked"]

MIN_R2 = 0.3
CV_ROWS = 500
FIT_TRIALS = 2000  # the ablation's default: beyond, the surrogate is fitted on a sample
_FOLDS = 5
THREADS = 2  # the refits run on two threads (see Surrogate.fit_threads)
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Encoding:
    """How a configuration (one row per configuration, one column per attribute, values as
    ``TrialData.frame`` holds them) becomes the model's columns; an attribute that does not
    apply, or has no value, takes ``fill``."""

    attributes: list[str]
    numerical: list[str]
    logged: dict[str, bool]
    levels: dict[str, list[str]]  # sampled levels, the first without a column
    fill: dict[str, Any]  # a nested attribute's value where it does not apply
    conditions: dict[str, Condition]

    def encode(self, configs: pd.DataFrame) -> np.ndarray:
        """The model's matrix of ``configs``; InputError for a value the trials never had
        (a level not sampled, a non-positive value of a log attribute)."""
        columns = []
        for name in self.attributes:
            here = applies(configs, self.conditions, name) & configs[name].notna().to_numpy()
            values = configs[name].where(here, self.fill[name])
            if name in self.numerical:
                try:
                    x = values.to_numpy(dtype=float)
                except (TypeError, ValueError):
                    raise InputError(f"{name} takes numbers, not {values.tolist()!r:.80}"
                                     ) from None
                if not np.isfinite(x).all():
                    raise InputError(f"{name} takes finite numbers")
                if self.logged[name]:
                    if (x <= 0).any():
                        raise InputError(f"{name} is searched on a log scale: values must be "
                                         "positive")
                    x = np.log10(x)
                columns.append(x)
                continue
            text = values.astype(str).to_numpy()
            unknown = sorted(set(text) - set(self.levels[name]))
            if unknown:
                raise InputError(f"{name} = {', '.join(unknown)} was never sampled (levels: "
                                 f"{', '.join(self.levels[name])}): the surrogate cannot "
                                 "predict it")
            columns += [(text == level).astype(float) for level in self.levels[name][1:]]
        return np.column_stack(columns) if columns else np.empty((len(configs), 0))


@dataclass(frozen=True)
class Surrogate:
    """The chosen candidate (``name``, ``params``) fitted on every used trial (``model``),
    with each candidate's cross-validated R² (``scores``) and the chosen one's (``cv_r2``)."""

    encoding: Encoding
    name: str
    params: dict[str, Any]
    model: Any
    cv_r2: float
    scores: dict[str, float]
    seed: int

    @property
    def explains_little(self) -> bool:
        """Whether the cross-validated R² is below ``MIN_R2`` (or unknown)."""
        return not self.cv_r2 >= MIN_R2

    @property
    def fit_threads(self) -> int:
        """On how many threads its refits run: one for a forest (scikit-learn hands its trees
        to joblib, whose wrapper resets the process's warning filters: two forests fitting
        at once make it warn), else ``THREADS``."""
        return 1 if self.name.startswith("random forest") else THREADS

    def refit(self, x: np.ndarray, y: np.ndarray) -> Any:
        """A new model of the chosen kind fitted on ``x``, ``y``."""
        model = _candidates(len(y), self.seed)[self.name]
        return model.fit(x, y)

    def guard(self) -> str:
        """The sentence every analysis built on this surrogate states when it explains
        little ("" otherwise)."""
        if not self.explains_little:
            return ""
        return (f"The surrogate explains little of the metric (cross-validated R² "
                f"{self.cv_r2:.2f}, below {MIN_R2}): no conclusion is drawn from it.")


def encoding(data: TrialData) -> Encoding:
    """The encoding of ``data``'s estimable attributes."""
    design = build_design(data)
    used = data.used
    names = [a for a in data.attributes if a in design.groups]
    fill: dict[str, Any] = {}
    for name in names:
        inside = used[name][data.applies(name)]
        fill[name] = (float(inside.astype(float).mean()) if name in data.numerical
                      else design.levels[name][0])
    return Encoding(names, [a for a in names if a in data.numerical],
                    {a: design.logged[a] for a in names if a in data.numerical},
                    {a: design.levels[a] for a in names if a not in data.numerical}, fill,
                    data.conditions)


def single_threaded() -> Any:
    """A context in which the models' native thread pools use one thread: the fits are small
    and many, and on a shared machine thread pools cost more than they give."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def unchecked() -> Any:
    """A context in which scikit-learn (in this thread) skips its checks of parameters and of
    finite values: the parameters are the candidates' own, the encoding checks its values and
    the used trials' are finite. The fits are the same, without the checks' time."""
    from sklearn import config_context

    return config_context(assume_finite=True, skip_parameter_validation=True)


def in_threads(func: Callable[[T], R], items: Sequence[T], threads: int) -> list[R]:
    """``func`` of each of ``items``, in order, on ``threads`` threads (the models' native
    code releases the GIL) inside ``single_threaded`` (whose BLAS limit holds for every
    thread), each ``unchecked``. A seeded model fits the same wherever it runs, so the results
    are those of a plain loop."""
    if threads <= 1:
        with unchecked():
            return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=threads, initializer=_fitting_thread) as pool:
        return list(pool.map(func, items))


def _fitting_thread() -> None:
    """Set up a thread of ``in_threads`` for good: ``unchecked``, and OpenMP on one thread
    (OpenMP's thread count, unlike BLAS's, is each thread's own)."""
    from sklearn import set_config
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="openmp")
    set_config(assume_finite=True, skip_parameter_validation=True)


def fit_surrogate(data: TrialData, *, seed: int = 0) -> Surrogate:
    """Choose, tune and fit the surrogate of ``data``'s used trials (see the module)."""
    from sklearn.model_selection import KFold, cross_val_score

    code = encoding(data)
    if not code.attributes:
        raise InputError("no attribute takes two values in the used trials: nothing to model")
    x, y = code.encode(data.used), data.used["value"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(y), size=min(len(y), CV_ROWS), replace=False)
    folds = KFold(n_splits=min(_FOLDS, len(rows)), shuffle=True, random_state=seed)
    scores = {}
    with single_threaded(), unchecked():
        for name, model in _candidates(len(y), seed).items():
            found = cross_val_score(model, x[rows], y[rows], cv=folds, scoring="r2")
            scores[name] = float(np.mean(found)) if np.isfinite(found).all() else -math.inf
        best = max(scores, key=lambda k: scores[k])
        model = _candidates(len(y), seed)[best].fit(x, y)
    return Surrogate(code, best, _params(model), model, scores[best], scores, seed)


def _candidates(n: int, seed: int) -> dict[str, Any]:
    """The candidate models by name, unfitted."""
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    leaf = max(2, min(20, n // 20))
    out: dict[str, Any] = {
        f"random forest (min leaf {m})": RandomForestRegressor(
            n_estimators=60, min_samples_leaf=m, max_features=0.6, random_state=seed, n_jobs=1)
        for m in (1, 3)}
    out |= {f"boosted trees (depth {d})": HistGradientBoostingRegressor(
        max_depth=d, learning_rate=0.1, max_iter=100, min_samples_leaf=leaf,
        early_stopping=False, random_state=seed) for d in (2, 3)}
    out["ridge on pairwise products"] = make_pipeline(
        StandardScaler(), PolynomialFeatures(degree=2, include_bias=False), StandardScaler(),
        RidgeCV(alphas=np.logspace(-3, 3, 13)))
    return out


def _params(model: Any) -> dict[str, Any]:
    """The fitted model's tuned parameters worth reporting."""
    last = model.steps[-1][1] if hasattr(model, "steps") else model
    keys = ("alpha_", "n_estimators", "min_samples_leaf", "max_depth", "max_iter")
    return {k.rstrip("_"): getattr(last, k) for k in keys if hasattr(last, k)
            and getattr(last, k) is not None}
