"""The report's "From the baseline to the best" section: figures on disk, the trials nearest
each step of the path (the named query trials_near_path), the guard on the real experiment."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import ablation_sql as asql
from ablation_sql.report.ablation_content import metric_ablation

from .conftest import REAL_EXPERIMENT

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def planted_db(synthetic, tmp_path_factory) -> Path:
    folder, _ = synthetic("abl-report", trials=60, epochs=3, seed=6, interaction=True)
    path = tmp_path_factory.mktemp("abl-report") / "db.duckdb"
    with asql.connect(path) as db:
        db.ingest(folder)
    return path


def test_section_draws_its_figures_and_finds_the_trials_near_path(planted_db, tmp_path):
    with asql.connect(planted_db, read_only=True) as db:
        section = metric_ablation(db.con, "abl-report", "val_accuracy", tmp_path,
                                  resamples=10)
        found = db.ablation("val_accuracy", resamples=10)
    assert section.error is None and section.findings == found.findings
    paths = [section.waterfall] + [p for p, _ in section.surfaces]
    assert len(paths) == 4
    for path in paths:
        assert (tmp_path / path).read_bytes().startswith(PNG)
    index = json.loads(next(tmp_path.rglob("figures.json")).read_text())
    assert any("ablation/" in name for name in json.dumps(index).split('"'))
    steps = [row[0] for row in section.nearest.rows]
    assert steps == sorted(steps) and set(steps) == set(range(len(found.contributions) + 1))
    last = [row for row in section.nearest.rows if row[0] == max(steps)]
    best = found.target_label.split()[3]  # "the best trial <uid> (...)"
    assert last[0][1] == best and last[0][2] == 0  # the target trial is at distance 0


def test_trials_near_path_query_ranks_by_distance(planted_db):
    with asql.connect(planted_db, read_only=True) as db:
        trial = db.sql("SELECT * FROM trial_attributes ORDER BY trial_uid LIMIT 1")
        config = {c: trial[c].iloc[0] for c in trial.columns
                  if c not in ("experiment_id", "trial_uid") and trial[c].iloc[0] is not None}
        steps = json.dumps([config, {"model_config.activation": "elu"}], default=float)
        rows = db.query("trials_near_path", metric="val_accuracy", steps=steps, k=3)
    assert list(rows["step"]) == [0, 0, 0, 1, 1, 1]
    first = rows[rows["step"] == 0]
    assert first["trial_uid"].iloc[0] == trial["trial_uid"].iloc[0]
    assert first["distance"].iloc[0] == 0 and first["distance"].is_monotonic_increasing
    assert (rows[rows["step"] == 1]["distance"] == 0).all()  # any elu trial matches


def test_real_experiment_section_says_the_surrogate_explains_little(tmp_path):
    with asql.connect(tmp_path / "db.duckdb") as db:
        db.ingest(REAL_EXPERIMENT)
        section = metric_ablation(db.con, "tutorial-tpe", "val_loss", tmp_path, resamples=5)
    assert section.findings[0].startswith("The surrogate explains little")
    assert "explains little" in section.summary
    assert (tmp_path / section.waterfall).read_bytes().startswith(PNG)


@pytest.mark.parametrize(("grid_a", "grid_b"), [
    ([40.0, 80.0, 120.0], [70.0, 220.0]),  # two numbers: lines against the first
    (["sgd", "adam"], [1e-4, 1e-2, 1e-1]),  # category first: drawn against the number
    (["sgd", "adam"], ["relu", "elu", "leakyRelu"]),  # two categories: a grid of cells
])
def test_surface_figures_draw_every_kind_of_pair(tmp_path, grid_a, grid_b):
    from ablation_sql.effects.ablation_result import Surface
    from ablation_sql.plots.ablation_figures import surface_figure

    values = np.arange(len(grid_a) * len(grid_b), dtype=float).reshape(len(grid_a), -1)
    figure = surface_figure(Surface("a.x", "b.y", grid_a, grid_b, values, 0.25, False), "m")
    axes = figure.axes[0]
    numbers = [g for g in (grid_a, grid_b) if isinstance(g[0], float)]
    if numbers:
        assert len(axes.lines) == len(grid_b if numbers[0] is grid_a else grid_a)
    else:
        assert len(figure.axes) == 2  # the cells and their colour bar
    assert "interaction share 25.0%" in axes.get_title()
    figure.savefig(tmp_path / "pair.png")
    assert (tmp_path / "pair.png").read_bytes().startswith(PNG)


def test_trials_near_path_takes_ties_by_trial_uid_and_every_trial_when_k_is_large(planted_db):
    steps = json.dumps([{"model_config.activation": "elu"}, {"model_config.activation": "relu"}])
    with asql.connect(planted_db, read_only=True) as db:
        levels = db.sql("SELECT trial_uid, \"model_config.activation\" AS act FROM "
                        "trial_attributes JOIN trials USING (experiment_id, trial_uid) "
                        "WHERE status = 'complete'")
        few = db.query("trials_near_path", metric="val_accuracy", steps=steps, k=2)
        every = db.query("trials_near_path", metric="val_accuracy", steps=steps, k=10_000)
    for step, level in enumerate(["elu", "relu"]):
        # distance 0 for the level's trials, 1 for the others; ties in trial_uid order
        expected = sorted(levels.itertuples(index=False), key=lambda t: (t.act != level,
                                                                           t.trial_uid))
        rows = every[every["step"] == step]
        assert list(rows["trial_uid"]) == [t.trial_uid for t in expected]
        assert list(rows["position"]) == list(range(1, len(expected) + 1))
        assert list(rows["distance"]) == [float(t.act != level) for t in expected]
        assert list(few[few["step"] == step]["trial_uid"]) == [t.trial_uid
                                                               for t in expected[:2]]


def test_trials_near_path_distances_are_the_mean_scaled_differences(planted_db):
    """Each distance, computed again in Python from the trials' attributes: the mean over the
    step's attributes of |u - step| / (the complete trials' span of u), u on log10 for a log
    attribute, and 0 or 1 for a level."""
    with asql.connect(planted_db, read_only=True) as db:
        space = db.sql("SELECT name, kind, coalesce(log, false) AND low > 0 AS logged "
                       "FROM search_space")
        trials = db.sql("SELECT a.* FROM trial_attributes a JOIN trials t USING "
                        "(experiment_id, trial_uid) WHERE t.status = 'complete'")
        first = trials.sort_values("trial_uid").iloc[0]
        steps = [{n: first[n] for n in space["name"]},
                 {n: (first[n] * 2 if k == "numerical" else "elu")
                  for n, k in zip(space["name"], space["kind"], strict=True)}]
        rows = db.query("trials_near_path", metric="val_accuracy", k=10_000,
                        steps=json.dumps(steps, default=float))
    u = {n: np.log10(trials[n].astype(float)) if logged else trials[n].astype(float)
         for n, k, logged in space.itertuples(index=False) if k == "numerical"}
    for step, config in enumerate(steps):
        parts = []
        for name, kind, logged in space.itertuples(index=False):
            if kind == "numerical":
                target = np.log10(config[name]) if logged else config[name]
                parts.append(((u[name] - target).abs() / (u[name].max() - u[name].min()))
                             .to_numpy())
            else:
                parts.append((trials[name].astype(str) != str(config[name])).to_numpy(float))
        expected = dict(zip(trials["trial_uid"], np.mean(parts, axis=0), strict=True))
        found = rows[rows["step"] == step]
        assert len(found) == len(expected)
        assert np.allclose(found["distance"], [expected[t] for t in found["trial_uid"]],
                           rtol=1e-12, atol=0)
        assert found["distance"].is_monotonic_increasing
