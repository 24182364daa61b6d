"""The robustness check on planted data: diverged trials that reverse a conclusion are caught
and said; clean experiments and a conclusion that survives are not flagged. The generator's
diverged trials through the Python API and its command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ablation_sql as asql
from ablation_sql.synthetic.generate import ACT, generate_experiment

from .support import Synthetic

EPOCHS = 6


def _effects(synthetic: Synthetic, seed: int, diverged: str | None) -> asql.effects.Effects:
    folder, _ = synthetic(f"exp-{seed}-{diverged}", trials=100, epochs=EPOCHS, seed=seed,
                          diverged=diverged)
    with asql.connect() as db:
        db.ingest(folder, workers=1)
        return db.effects("val_loss", policy="last", n_boot=100, seed=seed)


@pytest.mark.parametrize("seed", range(3))
def test_diverged_trials_that_reverse_a_level_are_flagged(synthetic: Synthetic, seed: int) -> None:
    """leakyRelu is planted better than relu; 6 diverged leakyRelu trials make it look worse."""
    result = _effects(synthetic, seed, "activation=leakyRelu:6")
    row = result.robustness.set_index("term").loc["leakyRelu"]
    assert row["conclusion"] == "+" and row["rank_conclusion"] != "+"  # val_loss: + is worse
    assert row["fragile"] and row["n_influential"] >= 6
    frame = result.to_frame().set_index("attribute")
    assert frame.at[ACT, "fragile"] and "fragile" in frame.at[ACT, "flags"]
    sentence = next(s for s in result.findings if s.startswith("activation"))
    assert "leakyRelu is worse by" in sentence
    assert f"activation is fragile, driven by {row['n_influential']} influential trials" \
        in sentence
    said = {"-": "leakyRelu is better", "none": "leakyRelu's difference is not clear"}
    assert f"on ranks {said[row['rank_conclusion']]}" in sentence


@pytest.mark.parametrize("seed", range(3))
def test_clean_and_surviving_conclusions_are_not_flagged(synthetic: Synthetic, seed: int) -> None:
    clean = _effects(synthetic, seed, None)
    assert not clean.robustness.set_index("term").loc[["elu", "leakyRelu"], "fragile"].any()
    assert not any("fragile" in s for s in clean.findings if s.startswith("activation"))
    # elu is planted worse: diverged elu trials exaggerate the difference, not its sign
    worse = _effects(synthetic, seed, "activation=elu:6")
    elu = worse.robustness.set_index("term").loc["elu"]
    assert elu["conclusion"] == "+" and not elu["fragile"]


def test_generator_diverges_the_chosen_trials(tmp_path: Path) -> None:
    plain = generate_experiment(tmp_path / "plain", trials=40, epochs=4, seed=5)
    hit = generate_experiment(tmp_path / "hit", trials=40, epochs=4, seed=5,
                              diverged="activation=elu:3")
    assert plain.diverged == [] and len(hit.diverged) == 3
    assert hit.statuses == plain.statuses and hit.configs == plain.configs
    for name in plain.statuses:
        loss = [json.loads((tmp_path / d / name / "results.json").read_text())[-1]["val_loss"]
                for d in ("plain", "hit")]
        if name in hit.diverged:
            assert hit.configs[name][ACT] == "elu" and 10 <= loss[1] / loss[0] <= 30
        else:
            assert loss[0] == loss[1]
    with pytest.raises(ValueError, match="cannot diverge"):
        generate_experiment(tmp_path / "many", trials=10, seed=5, diverged="activation=elu:9")
    with pytest.raises(ValueError, match="unknown attribute"):
        generate_experiment(tmp_path / "odd", trials=10, seed=5, diverged="nope=elu:1")


def test_generator_command_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ablation_sql.synthetic", *args],
                              capture_output=True, text=True, check=False)

    done = run(str(tmp_path / "exp"), "--trials", "30", "--diverge", "activation=relu:2",
               "--truth", str(tmp_path / "truth.json"))
    assert done.returncode == 0, done.stderr
    assert len(json.loads((tmp_path / "truth.json").read_text())["diverged"]) == 2
    bad = run(str(tmp_path / "bad"), "--diverge", "activation-relu")
    assert bad.returncode == 2 and "ATTRIBUTE=LEVEL:COUNT" in bad.stderr
    assert "Traceback" not in bad.stderr
