"""One study run several times: each attribute's conclusion per experiment and pooled, when
experiments share the search space of the one analysed (the same study with other seeds).

For every experiment, and for all of them pooled (trials of one configuration averaged across
experiments), each attribute term's marginal effect (OLS on the attribute alone) and adjusted
effect (OLS on every attribute) with HC3 95 % CIs, on configuration means. A term is flagged
``contradiction`` when one experiment's CI lies above zero and another's below: the same study
reached opposite conclusions (the tutorial's two TPE runs), which sampling that confounds the
attribute with another (TPE) produces in the marginal effects.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .data import TrialData
from .design import build_design, conclusion
from .ols import Fit, fit_ols
from .seed_noise import configuration_means

__all__ = ["STUDY_COLUMNS", "contradiction_warnings", "study_table"]

STUDY_COLUMNS = ["attribute", "term", "experiment", "n", "marginal_estimate",
                 "marginal_ci_low", "marginal_ci_high", "marginal", "adjusted_estimate",
                 "adjusted_ci_low", "adjusted_ci_high", "adjusted", "flags"]
POOLED = "(pooled)"


def study_table(runs: dict[str, TrialData], keys: pd.Series) -> pd.DataFrame:
    """The per-experiment and pooled table of ``runs`` (experiment -> its trials, two or
    more); ``keys`` maps trial_uid to configuration (across the experiments)."""
    frames = []
    for experiment, data in runs.items():
        frames.append(_terms(configuration_means(data, keys), experiment))
    first = next(iter(runs.values()))
    pooled = pd.concat([d.frame for d in runs.values()], ignore_index=True)
    frames.append(_terms(configuration_means(replace(first, frame=pooled), keys), POOLED))
    table = pd.concat(frames, ignore_index=True)
    table["flags"] = ""
    for _, rows in table[table["experiment"] != POOLED].groupby(["attribute", "term"]):
        for kind in ("marginal", "adjusted"):
            if {"+", "-"} <= set(rows[kind]):
                index = table.index[(table["attribute"] == rows["attribute"].iloc[0])
                                    & (table["term"] == rows["term"].iloc[0])]
                table.loc[index, "flags"] = (table.loc[index, "flags"] + f"; contradiction "
                                             f"({kind})").str.lstrip("; ")
    return table[STUDY_COLUMNS]


def contradiction_warnings(table: pd.DataFrame) -> list[str]:
    """One sentence per flagged term."""
    out = []
    for (attribute, term), rows in table[table["flags"] != ""].groupby(["attribute", "term"],
                                                                       sort=False):
        runs = rows[rows["experiment"] != POOLED]
        kinds = rows["flags"].iloc[0]
        parts = ", ".join(f"{r.experiment} {r.marginal if 'marginal' in kinds else r.adjusted}"
                          for r in runs.itertuples())
        label = attribute if term == attribute else f"{attribute} = {term}"
        out.append(f"{label}: the experiments sharing this search space contradict each other "
                   f"({kinds}: {parts}; the CIs exclude zero on opposite sides). One run's "
                   "conclusion about it does not hold for the study; read the pooled row.")
    return out


def _terms(data: TrialData, experiment: str) -> pd.DataFrame:
    """Each term's marginal and adjusted estimate in ``data``."""
    design = build_design(data)
    full = fit_ols(design.y, design.x)
    rows = []
    for name, columns in design.groups.items():
        inside = design.rows.get(name, np.ones(len(design.y), dtype=bool))
        alone = fit_ols(design.y[inside], design.x[inside][:, columns])
        for i, j in enumerate(columns):
            m = _at(alone, i + 1)
            a = _at(full, j + 1)
            rows.append((name, design.terms[j], experiment, int(inside.sum()), *m,
                         conclusion(m[1], m[2]), *a, conclusion(a[1], a[2])))
    return pd.DataFrame(rows, columns=STUDY_COLUMNS[:-1])


def _at(fit: Fit | None, j: int) -> tuple[float, float, float]:
    if fit is None:
        return np.nan, np.nan, np.nan
    return float(fit.params[j]), float(fit.low[j]), float(fit.high[j])

