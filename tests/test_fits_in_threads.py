"""The surrogate's fits on two threads, scikit-learn's checks off, are those of a plain loop;
the report imports its heavy sections only when it builds (in a second thread)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from ablation_sql.effects.surrogate import Surrogate, _candidates, in_threads, single_threaded

HEAVY = ["matplotlib", "sklearn", "statsmodels", "scipy.stats", "jinja2"]


@pytest.mark.parametrize("name", list(_candidates(200, 0)))
def test_refits_on_their_threads_are_those_of_a_loop(name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 4))
    y = x[:, 0] * x[:, 1] + rng.normal(scale=0.1, size=200)
    samples = rng.integers(0, 200, size=(6, 200))

    def refit(rows: np.ndarray) -> np.ndarray:
        return _candidates(200, 0)[name].fit(x[rows], y[rows]).predict(x)

    threads = Surrogate(None, name, {}, None, 1.0, {}, 0).fit_threads  # type: ignore[arg-type]
    assert threads == (1 if name.startswith("random forest") else 2)
    with single_threaded():
        threaded = in_threads(refit, list(samples), threads)
    looped = [refit(rows) for rows in samples]  # checks on, one thread
    assert all(np.array_equal(a, b) for a, b in zip(threaded, looped, strict=True))


def test_the_report_imports_its_heavy_sections_only_when_it_builds():
    code = ("import sys; from ablation_sql.report import build; "
            f"print([m for m in {HEAVY!r} if m in sys.modules]); build._import_sections(); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=True)
    before, after = done.stdout.splitlines()
    assert before == "[]"
    assert after == repr(HEAVY)
