"""``ablation-sql plot``: files per format, remap labels on the drawn axes (SVG text), one-line
errors for bad remap files and unknown metrics or experiments, read-only use of the database,
one folder per experiment."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import ablation_sql as asql  # noqa: E402
from ablation_sql.cli import main  # noqa: E402
from ablation_sql.plots.output_names import INDEX_FILE  # noqa: E402
from ablation_sql.synthetic.generate import ACT, LR, NF1, NF2, generate_experiment  # noqa: E402

MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
REMAP = f"""metrics:
  val_accuracy: Validation accuracy
attributes:
  {NF1}: Filters (layer 1)
  {ACT}: Activation
"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-plot")
    generate_experiment(root / "synth", trials=14, epochs=3, seed=2, failed=2, broken=1)
    path = root / "plots.duckdb"
    with asql.connect(path) as db:
        db.ingest(root / "synth", workers=1)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _files(folder: Path) -> list[str]:
    """The figures under ``folder`` (not their index, figures.json)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.name != INDEX_FILE)


def _remap(tmp_path: Path, text: str = REMAP) -> str:
    path = tmp_path / "remap.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_files_for_each_format(db_path: Path, tmp_path: Path, capsys, fmt: str) -> None:
    out = tmp_path / "plots"
    code, stdout, err = run(capsys, "plot", "--db", str(db_path), "--out", str(out),
                            "--metric", "val_loss", "--format", fmt)
    assert code == 0 and err == ""
    assert _files(out) == [f"linearplot/val_loss/{a}.{fmt}" for a in sorted([NF1, NF2, LR])
                           ] + [f"parallel/val_loss.{fmt}", f"settle/val_loss.{fmt}",
                                f"violinplot/val_loss/{ACT}.{fmt}"]
    assert all((out / f).read_bytes().startswith(MAGIC[fmt]) for f in _files(out))
    index = json.loads((out / INDEX_FILE).read_text("utf-8"))
    assert [e["file"] for e in index] == _files(out)
    assert {(e["kind"], e["metric"], e["attribute"]) for e in index} == {
        ("linearplot", "val_loss", a) for a in (NF1, NF2, LR)} | {
        ("parallel", "val_loss", None), ("settle", "val_loss", None),
        ("violinplot", "val_loss", ACT)}
    assert stdout.splitlines()[0] == f"Wrote 6 figures to {out}"


def test_remap_labels_on_the_axes(db_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "plots"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as <text>, not paths
        code, _, err = run(capsys, "plot", "--db", str(db_path), "--out", str(out),
                           "--format", "svg", "--remap", _remap(tmp_path))
    assert code == 0 and err == ""
    assert _files(out) == [f"linearplot/val_accuracy/{NF1}.svg", "parallel/val_accuracy.svg",
                           "settle/val_accuracy.svg",
                           f"violinplot/val_accuracy/{ACT}.svg"]  # only what the remap names

    def texts(name: str) -> list[str]:
        return re.findall(r"<text[^>]*>([^<]*)</text>", (out / name).read_text("utf-8"))

    line = texts(f"linearplot/val_accuracy/{NF1}.svg")
    assert "Validation accuracy vs. Filters (layer 1)" in line
    assert "Filters (layer 1)" in line and NF1 not in line and "val_accuracy" not in line
    parallel = texts("parallel/val_accuracy.svg")
    assert "Validation accuracy: parallel coordinates" in parallel
    assert {"Filters (layer 1)", "Activation", "relu", "elu"} <= set(parallel)
    assert NF2 not in parallel and "val_accuracy" not in parallel
    settle = " ".join(texts("settle/val_accuracy.svg"))
    assert "Validation accuracy" in settle and "val_accuracy" not in settle


@pytest.mark.parametrize(("text", "message"), [
    (None, "remap.yaml is missing"),
    ("metrics: [unclosed\n", "is not valid YAML"),
    ("- a\n- b\n", "does not hold a mapping"),
    ("metric:\n  a: b\n", "unknown section 'metric'"),
    ("metrics: [val_accuracy]\n", "metrics must map names to labels"),
    ("attributes:\n  x:\n", "'x': None is not a name mapped to a label"),
    ("metrics:\n  val_loss: Loss\n", "nothing to draw"),
])
def test_bad_remap_file_is_one_line(db_path: Path, tmp_path: Path, capsys, text: str | None,
                                    message: str) -> None:
    remap = _remap(tmp_path, text) if text is not None else str(tmp_path / "remap.yaml")
    argv = ["plot", "--db", str(db_path), "--out", str(tmp_path / "plots"), "--remap", remap]
    if text and "val_loss" in text:
        argv += ["--metric", "val_accuracy"]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("ablation-sql: error: ")
    assert message in err
    assert not (tmp_path / "plots").exists()


def test_unknown_metric_and_experiment(db_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "plot", "--db", str(db_path), "--out", str(tmp_path),
                       "--metric", "val_acc")
    assert code == 2 and err.startswith("ablation-sql: error: unknown metric 'val_acc': the "
                                        "ingested metrics are best_iteration, ")
    assert err.count("\n") == 1 and "train_loss, val_accuracy, val_loss\n" in err
    code, _, err = run(capsys, "plot", "--db", str(db_path), "--out", str(tmp_path),
                       "--experiment", "other")
    assert code == 2 and err == ("ablation-sql: error: no experiment 'other' in the database; "
                                 "it holds synth\n")
    assert _files(tmp_path) == []


def test_database_unchanged(db_path: Path, tmp_path: Path, capsys) -> None:
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    siblings = sorted(p.name for p in db_path.parent.iterdir())
    code, stdout, _ = run(capsys, "plot", "--db", str(db_path), "--out", str(tmp_path / "p"),
                          "--remap", _remap(tmp_path), "--all-rows", "--policy", "last")
    assert code == 0 and stdout.startswith("Wrote 4 figures")  # and the rank settling
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == siblings  # no .wal either


def test_left_out_counts_per_figure(db_path: Path, tmp_path: Path, capsys) -> None:
    with asql.connect(db_path, read_only=True) as db:
        steps = db.sql("SELECT count(*) AS n FROM metrics WHERE name = 'val_loss' AND "
                       "(value IS NULL OR NOT isfinite(value))")["n"].iloc[0]
        trials = db.sql("SELECT count(*) AS n FROM trial_metric('val_loss') "
                        "WHERE value IS NULL OR NOT isfinite(value)")["n"].iloc[0]
    # failed trials have NaN steps; broken ones no steps (a NULL point per trial only)
    assert steps > 0 and trials > 0 and steps != trials
    remap = _remap(tmp_path, f"attributes:\n  {ACT}: Activation\n")
    for flag, expected in (("--all-rows", steps), (None, trials)):
        out = tmp_path / str(flag)
        argv = ["plot", "--db", str(db_path), "--out", str(out), "--metric", "val_loss",
                "--remap", remap, "--all-trials"]  # the failed and broken trials too
        code, stdout, _ = run(capsys, *argv, *([flag] if flag else []))
        assert code == 0
        assert (f"  violinplot/val_loss/{ACT}.png: left out {expected} rows (NULL or infinite)"
                in stdout.splitlines())


def test_one_folder_per_experiment(tmp_path: Path, capsys) -> None:
    for name, seed in (("first", 1), ("second", 2)):
        generate_experiment(tmp_path / "runs" / name, trials=6, epochs=2, seed=seed)
    db_path = tmp_path / "two.duckdb"
    with asql.connect(db_path) as db:
        db.ingest(tmp_path / "runs", workers=1)
    remap = _remap(tmp_path, f"attributes:\n  {LR}: Learning rate\n")
    code, stdout, _ = run(capsys, "plot", "--db", str(db_path), "--out", str(tmp_path / "all"),
                          "--metric", "val_loss", "--remap", remap)
    assert code == 0 and stdout.startswith(f"Wrote 6 figures to {tmp_path / 'all'}")
    assert _files(tmp_path / "all") == [
        f"{e}/{f}" for e in ("first", "second")
        for f in (f"linearplot/val_loss/{LR}.png", "parallel/val_loss.png",
                  "settle/val_loss.png")]
    code, stdout, _ = run(capsys, "plot", "--db", str(db_path), "--out", str(tmp_path / "one"),
                          "--metric", "val_loss", "--remap", remap, "--experiment", "second")
    assert code == 0
    assert _files(tmp_path / "one") == [f"linearplot/val_loss/{LR}.png", "parallel/val_loss.png",
                                        "settle/val_loss.png"]
