"""The planted-truth generator's model written as an Optuna storage, a Ray Tune folder and an
MLflow file store: effects recovers the planted effects from each, with the same estimates as
from the ABLATOR folder of the same seed."""

from __future__ import annotations

from pathlib import Path

import pytest

import ablation_sql as asql
from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.generate import LR, NF1, NF2

FORMATS = ("optuna", "ray", "mlflow")


def _effects(tmp_path: Path, format: str, seed: int):
    folder = tmp_path / f"{format}-{seed}"
    generate_experiment(folder, trials=120, epochs=8, seed=seed, failed=4, running=2,
                        format=format)
    with asql.connect() as db:
        report = db.ingest(folder, workers=1, directions={"val_accuracy": "max"})
        assert [e.source for e in report.experiments] == [format]
        assert report.trials_by_status == {"complete": 114, "failed": 4, "running": 2}
        return db.effects("val_accuracy", n_boot=100, seed=seed)


def _terms(result) -> dict[str, float]:
    return dict(zip(result.coefficients["term"], result.coefficients["estimate"], strict=True))


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow)])
def test_effects_are_recovered_from_every_format(tmp_path: Path, seed: int) -> None:
    ablator = _effects(tmp_path, "ablator", seed)
    planted = _terms(ablator)
    for format in FORMATS:
        result = _effects(tmp_path, format, seed)
        assert result.n_used == 114 and result.left_out == {"failed": 4, "running": 2}
        terms = _terms(result)
        for name in (NF1, NF2, LR):  # the same trials, values and scale: the same estimates
            assert terms[name] == pytest.approx(planted[name], rel=1e-9, abs=1e-12), format
        rows = result.coefficients.set_index("term")
        for term, sign in ((NF2, 1), (LR, -1)):
            assert sign * rows.loc[term, "ci_low"] > 0 and sign * rows.loc[term, "ci_high"] > 0
        # activation, against whichever level is the reference: elu < relu < leakyRelu, by
        # the same amounts as from the ABLATOR folder
        level = _levels(terms)
        assert level["elu"] < level["relu"] < level["leakyRelu"], format
        for name, value in _levels(planted).items():
            assert value == pytest.approx(level[name], rel=1e-9, abs=1e-12), format


def _levels(terms: dict[str, float]) -> dict[str, float]:
    """Each activation level's coefficient relative to relu (the reference counts 0)."""
    level = {name: terms.get(name, 0.0) for name in ("relu", "elu", "leakyRelu")}
    return {name: value - level["relu"] for name, value in level.items()}


def test_formats_refuse_what_only_ablator_folders_hold(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ABLATOR's format only"):
        generate_experiment(tmp_path / "x", trials=10, broken=2, format="ray")
    with pytest.raises(ValueError, match="format must be one of"):
        generate_experiment(tmp_path / "y", trials=10, format="wandb")


@pytest.mark.parametrize("format", FORMATS)
def test_repeats_are_found_in_every_format(tmp_path: Path, format: str) -> None:
    """With --seeds each trial's random_seed is written, so ingest finds the repeats: 5
    configurations of 3 seeds each, grouped as the truth groups them."""
    truth = generate_experiment(tmp_path / format, trials=5, epochs=4, seeds=3, seed=2,
                                format=format)
    with asql.connect() as db:
        db.ingest(tmp_path / format, workers=1, directions={"val_accuracy": "max"})
        table = db.sql("SELECT configuration, trials, seeds, seed_values FROM configurations")
        result = db.repeats("val_accuracy", n_boot=50)
        values = db.sql("SELECT trial_uid, configuration FROM trial_configurations c "
                        "JOIN trial_metric('val_accuracy', reduction := 'last') m "
                        "USING (experiment_id, trial_uid)")
    assert len(table) == 5 and set(table["trials"]) == {3} and set(table["seeds"]) == {3}
    assert all(list(v) == [f"random_seed={2000 + j}" for j in range(3)]
               for v in table["seed_values"])
    assert result.has_repeats and set(result.configurations["n"]) == {3}
    assert sorted(values.groupby("configuration").size()) == [3] * 5
    assert truth.trial_seeds and len(truth.configuration) == 15
