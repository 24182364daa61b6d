"""Tests of the synthetic ABLATOR experiment generator."""

from __future__ import annotations

import copy
import json
import math
import pickletools
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from ablation_sql.synthetic.command import main
from ablation_sql.synthetic.generate import Truth, _yaml_float, generate_experiment

from .conftest import REAL_EXPERIMENT as FIXTURE

NF1 = "model_config.num_filter1"
NF2 = "model_config.num_filter2"
LR = "train_config.optimizer_config.arguments.lr"
ACT = "model_config.activation"
KEYS = [
    "val_loss", "val_accuracy", "train_loss", "best_iteration", "best_val_loss", "current_epoch",
    "current_iteration", "epochs", "learning_rate", "total_steps", "train_accuracy", "timestamp",
]  # fmt: skip
BROKEN = {
    "garbage_results", "empty_results", "non_utf8_config", "missing_config",
    "empty_list_results", "non_mapping_config",
}  # fmt: skip
STATE_CODES = {"RUNNING": 0, "COMPLETE": 1, "FAIL": 3}
EPOCHS = 5


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    """An experiment with every kind of trial."""
    out = tmp_path_factory.mktemp("mixed") / "exp"
    truth = generate_experiment(
        out, trials=60, epochs=EPOCHS, algo="tpe", seed=1, running=3, broken=12, failed=4
    )
    return out, truth


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Truth]]:
    """500 clean trials per search algorithm."""
    runs = {}
    for algo in ("random", "tpe"):
        out = tmp_path_factory.mktemp(algo) / "exp"
        runs[algo] = out, generate_experiment(out, trials=500, epochs=4, algo=algo, seed=11)
    return runs


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _of(truth: Truth, *statuses: str) -> list[str]:
    return [name for name, status in truth.statuses.items() if status in statuses]


def _expected_config(out: Path, name: str, values: dict[str, Any]) -> dict[str, Any]:
    config = copy.deepcopy(yaml.load((out / "master_config.yaml").read_text(), yaml.CSafeLoader))
    config["experiment_dir"] = str(out / name)
    config["train_config"]["optimizer_config"]["arguments"]["lr"] = values[LR]
    model = config["model_config"]
    model["num_filter1"], model["num_filter2"], model["activation"] = (
        values[NF1], values[NF2], values[ACT],
    )  # fmt: skip
    return config


def _state_code(blob: bytes) -> int:
    """The integer after the K opcode, read without unpickling."""
    ints = [arg for op, arg, _ in pickletools.genops(blob) if op.code == "K"]
    assert len(ints) == 1
    return ints[0]


def _spearman(x: list[float], y: list[float]) -> float:
    return float(np.corrcoef(pd.Series(x).rank(), pd.Series(y).rank())[0, 1])


def _final_accuracy(out: Path, truth: Truth) -> pd.DataFrame:
    rows = []
    for name, values in truth.configs.items():
        last = json.loads((out / name / "results.json").read_text())[-1]
        rows.append({**values, "acc": last["val_accuracy"], "log_lr": math.log10(values[LR])})
    return pd.DataFrame(rows)


def test_deterministic(tmp_path: Path) -> None:
    """Same seed, same bytes (up to the folder's own path, which configs record)."""
    kwargs: dict[str, Any] = dict(trials=30, epochs=4, seed=5, running=2, broken=6, failed=2)
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    truth_a, truth_b = generate_experiment(a, **kwargs), generate_experiment(b, **kwargs)
    assert truth_a.statuses == truth_b.statuses and truth_a.configs == truth_b.configs
    files_b = _files(b)
    assert {k: v.replace(bytes(a), bytes(b)) for k, v in _files(a).items()} == files_b
    generate_experiment(c, **{**kwargs, "seed": 6})
    assert _files(c).keys() != files_b.keys()


def test_layout(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    names = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert names == sorted(truth.statuses) and len(names) == 60
    assert all(re.fullmatch(r"[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}", n) for n in names)
    assert len({n[:9] for n in names}) == len(names)
    assert truth.state_db and re.fullmatch(r"[0-9a-f]{4}_[0-9a-f]{4}_state\.db", truth.state_db)
    assert {p.name for p in out.iterdir() if p.is_file()} == {
        "master_config.yaml", "mp.log", truth.state_db,
    }  # fmt: skip
    assert (out / "mp.log").read_text().startswith("Starting Logger ")
    for name in names:
        trial = out / name
        assert (trial / "metadata.json").is_file() and (trial / "train.log").is_file()
        assert len(list((trial / "dashboard/tensorboard").glob("events.out.tfevents.*.vm"))) == 1
        assert len(list((trial / "checkpoints").glob("MyModel_*.pt"))) == 1
    counts = pd.Series(truth.statuses).value_counts().to_dict()
    assert counts["running"] == 3 and counts["failed"] == 4 and counts["complete"] == 41
    assert {k: v for k, v in counts.items() if k in BROKEN} == dict.fromkeys(BROKEN, 2)
    assert list(truth.statuses.values())[-3:] == ["running"] * 3


def test_master_config_matches_fixture_shape(mixed: tuple[Path, Truth]) -> None:
    out, _ = mixed
    ours = yaml.load((out / "master_config.yaml").read_text(), yaml.CSafeLoader)
    theirs = yaml.load((FIXTURE / "master_config.yaml").read_text(), yaml.CSafeLoader)
    assert list(ours) == list(theirs)
    assert list(ours["search_space"]) == list(theirs["search_space"])
    for spec, ref in zip(
        ours["search_space"].values(), theirs["search_space"].values(), strict=True
    ):
        assert list(spec) == list(ref)
    assert ours["experiment_dir"] == str(out) and ours["search_algo"] == "tpe"
    assert ours["optim_metrics"] == {"val_loss": "min", "val_accuracy": "max"}
    assert ours["total_trials"] == 60 and ours["random_seed"] == 1
    assert ours["search_space"][LR]["value_range"] == ["0.0001", "0.1"]
    assert ours["search_space"][LR]["log"] is True
    assert ours["search_space"][ACT]["categorical_values"] == ["relu", "elu", "leakyRelu"]


def test_configs_parse_to_sampled_values(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    readable = _of(truth, "complete", "running", "failed", "garbage_results", "empty_results",
                   "empty_list_results")  # fmt: skip
    for name in readable:
        loaded = yaml.load((out / name / "config.yaml").read_bytes(), yaml.CSafeLoader)
        assert loaded == _expected_config(out, name, truth.configs[name])


@pytest.mark.parametrize("x", [1e-05, 1e-04, 0.0001234, 0.1, 1.5e-07, 3e20, 0.001])
def test_yaml_float_reads_back(x: float) -> None:
    assert yaml.load(_yaml_float(x), yaml.CSafeLoader) == x


def test_complete_results(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    for name in _of(truth, "complete", "non_utf8_config", "missing_config", "non_mapping_config"):
        text = (out / name / "results.json").read_text()
        rows = json.loads(text)
        assert text == "[" + ",\n".join(json.dumps(r, indent=0) for r in rows) + "]"
        assert len(rows) == EPOCHS and all(list(r) == KEYS for r in rows)
        assert all(math.isfinite(v) for r in rows for v in r.values())
        losses = [r["val_loss"] for r in rows]
        assert [r["best_val_loss"] for r in rows] == list(np.minimum.accumulate(losses))
        for r in rows:
            assert r["val_loss"] >= r["best_val_loss"]
            assert losses[r["best_iteration"] // 16 - 1] == r["best_val_loss"]
        assert [r["current_epoch"] for r in rows] == list(range(1, EPOCHS + 1))
        assert [r["current_iteration"] for r in rows] == [16 * e for e in range(1, EPOCHS + 1)]
        assert {(r["epochs"], r["total_steps"]) for r in rows} == {(EPOCHS, 16 * EPOCHS)}
        assert {r["learning_rate"] for r in rows} == {truth.configs[name][LR]}
        assert all(0 <= r["val_accuracy"] <= 1 and 0 <= r["train_accuracy"] <= 1 for r in rows)
        stamps = [r["timestamp"] for r in rows]
        assert stamps == sorted(stamps)
        meta = json.loads((out / name / "metadata.json").read_text())
        assert meta["log_iteration"] == EPOCHS
        assert meta["checkpoint_iteration"]["best"]["MyModel"] == rows[-1]["best_iteration"]


def test_running_results_are_cut_mid_write(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    decoder = json.JSONDecoder()
    for name in _of(truth, "running"):
        text = (out / name / "results.json").read_text()
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
        assert text.startswith("[{") and not text.rstrip().endswith("]")
        first, end = decoder.raw_decode(text, 1)
        assert list(first) == KEYS
        assert text[end : end + 3] == ",\n{"  # a partial object follows the complete ones
        complete = text.count("\n}")
        assert 1 <= complete < EPOCHS


def test_failed_results_end_in_nan_or_infinity(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    tokens = set()
    for name in _of(truth, "failed"):
        text = (out / name / "results.json").read_text()
        rows = json.loads(text)
        assert 1 <= len(rows) < EPOCHS
        last = rows[-1]["val_loss"]
        assert math.isnan(last) or math.isinf(last)
        tokens.add("NaN" if math.isnan(last) else "Infinity")
        assert all(math.isfinite(r["val_loss"]) for r in rows[:-1])
        assert re.search(r'"val_loss": (NaN|Infinity),', text)
    assert tokens == {"NaN", "Infinity"}


def test_broken_kinds(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    for name, kind in truth.statuses.items():
        trial = out / name
        if kind == "garbage_results":
            with pytest.raises(ValueError):
                json.loads((trial / "results.json").read_bytes())
        elif kind == "empty_results":
            assert (trial / "results.json").read_bytes() == b""
        elif kind == "empty_list_results":
            assert (trial / "results.json").read_bytes() == b"[]"
        elif kind == "non_utf8_config":
            with pytest.raises(UnicodeDecodeError):
                (trial / "config.yaml").read_bytes().decode()
        elif kind == "missing_config":
            assert not (trial / "config.yaml").exists() and (trial / "results.json").is_file()
        elif kind == "non_mapping_config":
            loaded = yaml.load((trial / "config.yaml").read_bytes(), yaml.CSafeLoader)
            assert not isinstance(loaded, dict)


def test_state_db(mixed: tuple[Path, Truth]) -> None:
    out, truth = mixed
    assert truth.state_db
    with closing(sqlite3.connect(out / truth.state_db)) as con:
        schema = con.execute("SELECT sql FROM sqlite_master").fetchall()
        rows = con.execute("SELECT id, config_uid, state, trial_uid FROM trial").fetchall()
    with closing(sqlite3.connect(f"file:{FIXTURE / '424d_aa90_state.db'}?mode=ro", uri=True)) as c:
        assert schema == c.execute("SELECT sql FROM sqlite_master").fetchall()
        complete_blob = c.execute("SELECT state FROM trial LIMIT 1").fetchone()[0]
    names = list(truth.statuses)
    assert [(r[0], r[1], r[3]) for r in rows] == [(i + 1, n[:9], i) for i, n in enumerate(names)]
    assert [_state_code(r[2]) for r in rows] == [STATE_CODES[truth.db_states[n]] for n in names]
    assert {r[2] for r in rows if _state_code(r[2]) == 1} == {complete_blob}
    expected = {"complete": "COMPLETE", "running": "RUNNING", "failed": "FAIL"}
    for name, status in truth.statuses.items():
        assert truth.db_states[name] == expected.get(status, truth.db_states[name])
    assert {truth.db_states[n] for n in _of(truth, *BROKEN)} == {"COMPLETE", "FAIL"}


def test_sampling_marginals_and_tpe_correlation(big: dict[str, tuple[Path, Truth]]) -> None:
    for algo, (_, truth) in big.items():
        configs = list(truth.configs.values())
        nf1, nf2, lr = ([c[k] for c in configs] for k in (NF1, NF2, LR))
        assert 32 <= min(nf1) and max(nf1) <= 128 and 64 <= min(nf2) and max(nf2) <= 256
        assert 1e-4 <= min(lr) and max(lr) <= 0.1
        assert {c[ACT] for c in configs} == {"relu", "elu", "leakyRelu"}
        rho = _spearman(nf1, lr)
        assert (rho > 0.5) if algo == "tpe" else (abs(rho) < 0.2), (algo, rho)
        assert abs(_spearman(nf2, lr)) < 0.2


def test_planted_effects_are_recovered(big: dict[str, tuple[Path, Truth]]) -> None:
    for algo, (out, truth) in big.items():
        df = _final_accuracy(out, truth)
        means = df.groupby(ACT)["acc"].mean()
        assert means["elu"] < means["relu"] < means["leakyRelu"]
        design = np.column_stack([
            np.ones(len(df)), df[NF1], df[NF2], df["log_lr"],
            df[ACT] == "elu", df[ACT] == "leakyRelu",
        ]).astype(float)  # fmt: skip
        coef = np.linalg.lstsq(design, df["acc"].to_numpy(), rcond=None)[0]
        fitted = dict(zip([NF1, NF2, LR, "elu", "leakyRelu"], coef[1:], strict=True))
        planted = {**truth.slopes, **truth.offsets[ACT]}
        assert abs(fitted[NF1]) < 1e-4, algo  # the null attribute
        for key in (NF2, LR, "elu", "leakyRelu"):
            assert fitted[key] == pytest.approx(planted[key], rel=0.25), (algo, key)
    tpe = _final_accuracy(*big["tpe"])
    assert _spearman(list(tpe[NF1]), list(tpe["acc"])) < -0.3  # spurious marginal trend


def test_truth_json(mixed: tuple[Path, Truth]) -> None:
    _, truth = mixed
    data = json.loads(truth.to_json())
    assert data["statuses"] == truth.statuses and data["algo"] == "tpe"
    assert data["slopes"][NF1] == 0 and data["null_attribute"] == NF1
    assert data["offsets"][ACT]["relu"] == 0


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, truth_file = tmp_path / "a" / "exp", tmp_path / "truth.json"
    args = [str(out), "--trials", "7", "--epochs", "2", "--algo", "tpe", "--seed", "3"]
    args += ["--broken", "2", "--running", "1", "--failed", "1", "--truth", str(truth_file)]
    assert main(args) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and str(out) in line and "7 trials" in line
    truth = json.loads(truth_file.read_text())
    assert len(truth["statuses"]) == 7 and truth["algo"] == "tpe"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(truth["statuses"])
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "not an empty directory" in capsys.readouterr().err
    assert main([str(tmp_path / "b"), "--trials", "3", "--epochs", "1", "--no-state-db"]) == 0
    assert not list((tmp_path / "b").glob("*_state.db"))


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_experiment(tmp_path / "x", algo="grid")
    with pytest.raises(ValueError):
        generate_experiment(tmp_path / "x", trials=3, broken=2, failed=2)
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "y"), "--trials", "2", "--running", "3"])
    assert exc.value.code == 2


def test_single_epoch_edge_case(tmp_path: Path) -> None:
    truth = generate_experiment(tmp_path / "e", trials=8, epochs=1, running=1, failed=1)
    (running,) = _of(truth, "running")
    text = (tmp_path / "e" / running / "results.json").read_text()
    assert json.JSONDecoder().raw_decode(text, 1)[0]["current_epoch"] == 1
    (failed,) = _of(truth, "failed")
    rows = json.loads((tmp_path / "e" / failed / "results.json").read_text())
    assert len(rows) == 1 and not math.isfinite(rows[0]["val_loss"])
