"""Effects edge cases (one level, a constant attribute, too few trials, all failed) and the
``ablation-sql effects`` command end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.cli import main
from ablation_sql.errors import InputError
from ablation_sql.synthetic.generate import ACT, NF2, generate_experiment


def _ingest(tmp_path: Path, name: str = "exp", **kwargs) -> Path:
    truth = generate_experiment(tmp_path / name, epochs=6, **kwargs)
    path = tmp_path / f"{name}.duckdb"
    with asql.connect(path) as db:
        db.ingest(truth.experiment_dir, workers=1)
    return path


def test_one_level_and_constant_attribute_are_noted(tmp_path) -> None:
    path = _ingest(tmp_path, trials=60, seed=2)
    with asql.connect(path) as db:
        db.sql(f"UPDATE params SET value = '\"relu\"', value_text = 'relu' WHERE name = '{ACT}'")
        db.sql(f"UPDATE params SET value = '64', value_double = 64 WHERE name = '{NF2}'")
        db.refresh_views()
        result = db.effects("val_accuracy", n_boot=50)
    assert set(result.coefficients["attribute"]) == {
        "model_config.num_filter1", "train_config.optimizer_config.arguments.lr"}
    assert f"{ACT}: takes one level in the used trials: not estimable" in result.notes
    assert f"{NF2}: takes one value in the used trials: not estimable" in result.notes
    assert "activation: takes one level in the used trials: not estimable." in result.findings
    table = result.to_frame().set_index("attribute")
    assert table.loc[NF2, "adjusted"] == "takes one value in the used trials: not estimable"
    assert list(result.levels["level"]) == ["relu"]


def test_fewer_trials_than_coefficients_falls_back_to_marginal(tmp_path) -> None:
    path = _ingest(tmp_path, trials=5, seed=1)
    with asql.connect(path, read_only=True) as db:
        result = db.effects("val_accuracy", n_boot=50)
    assert result.n_used == 5 and result.coefficients.empty
    assert "adjusted model not estimable: 5 used trials for 6 coefficients" in result.notes
    assert any(n.startswith("importance not computed") for n in result.notes)
    assert all("marginal, not adjusted" in s for s in result.findings[:3]
               if not s.startswith("activation"))
    json.dumps(result.to_dict(), allow_nan=False)


def test_all_failed_is_an_input_error(tmp_path) -> None:
    path = _ingest(tmp_path, trials=4, failed=4, seed=0)
    with asql.connect(path, read_only=True) as db, pytest.raises(
            InputError, match=r"only 0 of 4 trials .* left out: failed 4"):
        db.effects("val_accuracy")
    code = main(["effects", "--db", str(path), "--metric", "val_accuracy"])
    assert code == 2


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    return _ingest(tmp_path_factory.mktemp("cli"), trials=80, seed=5, failed=3)


def test_cli_table_and_markdown(db_path, capsys) -> None:
    assert main(["effects", "--db", str(db_path), "--metric", "val_accuracy",
                 "--boots", "50"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Findings:\nnum_filter1: ")
    assert "lr: higher is worse" in out and "(4 rows)" in out
    assert out.index("Findings:") < out.index("(4 rows)")
    assert main(["effects", "--db", str(db_path), "--metric", "val_accuracy", "--boots", "50",
                 "--format", "markdown", "--policy", "last"]) == 0
    out = capsys.readouterr().out
    assert "- lr: higher is worse" in out and "| attribute" in out


def test_cli_csv_and_json_are_machine_readable(db_path, capsys) -> None:
    args = ["effects", "--db", str(db_path), "--metric", "val_accuracy", "--boots", "50",
            "--seed", "3"]
    assert main([*args, "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == 4 and (frame["n_used"] == 77).all()
    assert (frame["left_out"] == "failed 3").all()
    assert "Findings:" in err
    assert main([*args, "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["attribute"] for r in records] == list(frame["attribute"])
    assert records[2]["scale"] == "per 10x" and records[2]["adjusted_ci_high"] < 0


def test_cli_errors_are_one_line(db_path, capsys) -> None:
    assert main(["effects", "--db", str(db_path), "--metric", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ablation-sql: error: no metric 'nope'") and err.count("\n") == 1
    assert main(["effects", "--db", str(db_path), "--metric", "val_accuracy",
                 "--experiment", "other"]) == 2
    assert "experiments: exp" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_cli_prints_the_library_rendering(db_path, capsys, fmt) -> None:
    """``ablation-sql effects`` prints ``Effects.render`` (stdout) and ``render_side``
    (stderr): the command's text comes from the library."""
    assert main(["effects", "--db", str(db_path), "--metric", "val_accuracy", "--boots", "30",
                 "--format", fmt]) == 0
    out, err = capsys.readouterr()
    with asql.connect(db_path, read_only=True) as db:
        found = db.effects("val_accuracy", n_boot=30)
    assert out == found.render(fmt) and err == found.render_side(fmt)
    machine = fmt in ("csv", "json")
    assert ("Findings:" in err) == machine and ("Findings:" in out) != machine
