"""Ordinary least squares with heteroskedasticity-robust (HC3) 95 % confidence intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.regression.linear_model import OLS

__all__ = ["Fit", "fit_ols"]


@dataclass(frozen=True)
class Fit:
    """Coefficients (intercept first), their covariance, 95 % CIs, the covariance type and the
    critical value the CIs use (normal for HC3, Student's t for classical errors)."""

    params: np.ndarray
    cov: np.ndarray
    low: np.ndarray
    high: np.ndarray
    cov_type: str
    r_squared: float
    critical: float


def fit_ols(y: np.ndarray, x: np.ndarray) -> Fit | None:
    """OLS of ``y`` on an intercept and ``x``; None when there are not more trials than
    coefficients or ``x`` is rank deficient.

    Standard errors are HC3 (robust to unequal variances, e.g. a few diverged trials), or the
    classical ones when a trial has leverage 1 (HC3 is then undefined).
    """
    design = np.column_stack([np.ones(len(y)), x])
    n, p = design.shape
    if n <= p:
        return None
    model = OLS(y, design, hasconst=True)
    result = model.fit(cov_type="HC3")
    # the rank np.linalg.matrix_rank gives, from the singular values the fit computed
    singular = model.wexog_singular_values
    if (singular > singular.max() * n * np.finfo(float).eps).sum() < p:
        return None
    cov_type = "HC3"
    if not np.all(np.isfinite(result.bse)):
        result, cov_type = model.fit(), "nonrobust"
    ci = np.asarray(result.conf_int(0.05))
    critical = stats.t.ppf(0.975, result.df_resid) if result.use_t else stats.norm.ppf(0.975)
    return Fit(np.asarray(result.params), np.asarray(result.cov_params()), ci[:, 0], ci[:, 1],
               cov_type, float(result.rsquared), float(critical))
