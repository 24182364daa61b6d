"""Hostile metric, attribute and experiment names through ``plot`` and ``report``: exit 0, files
only under ``--out`` (the folders around the test's are walked before and after), the real names
in the figures' text, the index and the page, no traceback; and ``file_names`` itself."""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ablation_sql.cli import main  # noqa: E402
from ablation_sql.errors import InputError  # noqa: E402
from ablation_sql.plots.output_names import (  # noqa: E402
    INDEX_FILE,
    READABLE_BYTES,
    file_names,
    inside,
    shown,
)

from .hostile_names import HOSTILE_NAMES, write_experiment  # noqa: E402


def _tree(root: Path) -> set[Path]:
    return {Path(folder) / name for folder, dirs, files in os.walk(root)
            for name in dirs + files}


def _svg_texts(path: Path) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>",
                                                 path.read_text("utf-8"))]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _check_plot(tmp_path: Path, capsys, name: str, escape_to: Path) -> None:
    """An experiment whose metric, numerical and categorical attribute are all ``name``
    (the categorical one with a suffix), plotted as SVG."""
    base = tmp_path.parent
    experiment = write_experiment(tmp_path / "exp", metrics={name: "min"}, numerical=[name],
                                  categorical=[name + "~c"])
    db = tmp_path / "db.duckdb"
    assert _run(capsys, "ingest", str(experiment), "--db", str(db), "--workers", "1",
                "--quiet")[0] == 0
    before = _tree(base)
    out = tmp_path / "plots"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        code, stdout, err = _run(capsys, "plot", "--db", str(db), "--out", str(out),
                                 "--format", "svg")
    # nothing on stderr but the one line for characters the figures' font lacks (準確度)
    assert code == 0 and all(line.startswith("ablation-sql: warning: the figures' font has no "
                                             "glyph for ") for line in err.splitlines()), err
    assert len(err.splitlines()) == (name == "準確度"), err
    assert stdout.startswith("Wrote 4 figures")
    new = _tree(base) - before
    assert new and all(p.is_relative_to(out) for p in new), sorted(new)
    assert not escape_to.exists()
    index = json.loads((out / INDEX_FILE).read_text("utf-8"))
    assert {(e["kind"], e["metric"], e["attribute"]) for e in index} == {
        ("linearplot", name, name), ("violinplot", name, name + "~c"),
        ("parallel", name, None), ("settle", name, None)}
    for entry in index:
        path = out / entry["file"]
        assert path.is_file() and path.resolve().is_relative_to(out.resolve())
        assert all(len(part.encode()) <= READABLE_BYTES + 20 for part in Path(entry["file"]).parts)
        texts = " ".join(_svg_texts(path))
        assert shown(name) in texts, (entry, texts)


def _check_report(tmp_path: Path, capsys, name: str, escape_to: Path) -> None:
    base = tmp_path.parent
    experiment = write_experiment(tmp_path / "exp", metrics={name: "max"}, numerical=[name],
                                  categorical=[name + "~c"])
    before = _tree(base)
    out = tmp_path / "report"
    code, _, err = _run(capsys, "report", str(experiment), "--out", str(out), "--workers", "1",
                        "--quiet")
    assert code == 0 and "Traceback" not in err, err
    new = _tree(base) - before
    assert all(p.is_relative_to(out) for p in new), sorted(p for p in new
                                                          if not p.is_relative_to(out))
    assert not escape_to.exists()
    page = (out / "index.html").read_text("utf-8")
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', page)
    assert len(images) == 6  # parallel, line, violin, two learning curves, rank settling
    for src, alt in images:
        path = out / unquote(html.unescape(src))
        assert path.is_file() and path.resolve().is_relative_to(out.resolve())
        assert name in html.unescape(alt)
    assert html.escape(name) in page
    folder = out / "figures" / "exp"
    kinds = {e["kind"] for e in json.loads((folder / INDEX_FILE).read_text("utf-8"))
             if e["metric"] == name}
    assert kinds == {"linearplot", "violinplot", "parallel", "learning_curves"}


CASES = [n for n in HOSTILE_NAMES if "\x00" not in n]  # NUL: test_nul_in_names_...


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES, ids=[repr(n)[:30] for n in CASES])
def test_plot_hostile_name(tmp_path: Path, capsys, name: str) -> None:
    _check_plot(tmp_path, capsys, name, Path("/tmp/escaped"))


def test_plot_names_pointing_outside(tmp_path: Path, capsys) -> None:
    """Relative and absolute names aimed at a folder beside the test's."""
    target = tmp_path.parent / f"{tmp_path.name}-canary"
    for i, name in enumerate([f"../../../{target.name}/x", str(target / "x")]):
        _check_plot(tmp_path / str(i), capsys, name, target)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["../../x", "/abs/x", "x" * 300, "準確度 with space"],
                         ids=["dotdot", "absolute", "long", "unicode-space"])
def test_report_hostile_name(tmp_path: Path, capsys, name: str) -> None:
    _check_report(tmp_path, capsys, name, tmp_path.parent / "x")


def test_nul_in_names_does_not_crash(tmp_path: Path, capsys) -> None:
    """A NUL in a metric name is plotted; an attribute whose name holds one has no column in
    the views, so it is left out of the figures (its tables are still on the page)."""
    name = "nul\x00byte"
    experiment = write_experiment(tmp_path / "exp", metrics={name: "min"},
                                  numerical=[name, "fine"], categorical=["cat"])
    out = tmp_path / "report"
    code, _, err = _run(capsys, "report", str(experiment), "--out", str(out), "--workers", "1",
                        "--quiet")
    assert code == 0 and "Traceback" not in err
    index = json.loads((out / "figures" / "exp" / INDEX_FILE).read_text("utf-8"))
    assert {e["attribute"] for e in index} == {"fine", "cat", None}
    assert {e["metric"] for e in index} == {name}
    assert all("\x00" not in e["file"] for e in index)
    code, stdout, err = _run(capsys, "plot", "--db", str(out / "ablation.duckdb"), "--out",
                             str(tmp_path / "plots"))
    assert code == 0 and stdout.startswith("Wrote 4 figures"), err


@pytest.mark.slow
def test_names_differing_by_case_or_slug_get_distinct_files(tmp_path: Path, capsys) -> None:
    metrics = {"Loss": "min", "loss": "min", "a/b": "min", "a?b": "min", "a_b": "min"}
    experiment = write_experiment(tmp_path / "exp", metrics=metrics, numerical=["N", "n"],
                                  categorical=["c"])
    db = tmp_path / "db.duckdb"
    assert _run(capsys, "ingest", str(experiment), "--db", str(db), "--quiet")[0] == 0
    out = tmp_path / "plots"
    code, stdout, _ = _run(capsys, "plot", "--db", str(db), "--out", str(out))
    assert code == 0 and stdout.startswith(f"Wrote {5 * 5} figures")  # 4 and the settling
    index = json.loads((out / INDEX_FILE).read_text("utf-8"))
    folded = {unicodedata.normalize("NFC", e["file"]).casefold() for e in index}
    assert len(folded) == len(index) == 25
    assert {(e["metric"], e["attribute"]) for e in index if e["kind"] == "linearplot"} == {
        (m, a) for m in metrics for a in ("N", "n")}
    assert "linearplot/a_b/c.png" not in {e["file"] for e in index}  # a_b collides: hashed


@pytest.mark.slow
def test_experiment_folder_names(tmp_path: Path, capsys) -> None:
    """Experiment ids are folder names: each experiment's figures go to a safe folder."""
    ids = ["-dash with space", "e" * 200, "Exp", "exp"]
    for i, name in enumerate(ids):
        write_experiment(tmp_path / "all" / name, metrics={"loss": "min"}, numerical=["n"],
                         categorical=["c"], seed=i)
    db = tmp_path / "db.duckdb"
    assert _run(capsys, "ingest", str(tmp_path / "all"), "--db", str(db), "--quiet")[0] == 0
    out = tmp_path / "plots"
    code, stdout, err = _run(capsys, "plot", "--db", str(db), "--out", str(out))
    assert code == 0 and stdout.startswith(f"Wrote {4 * len(ids)} figures"), err
    folders = sorted(p for p in out.iterdir() if p.is_dir())
    assert len(folders) == len(ids)
    seen = {json.loads((f / INDEX_FILE).read_text("utf-8"))[0]["experiment"] for f in folders}
    assert seen == set(ids)
    assert out / "Exp" not in folders and out / "exp" not in folders
    code, _, err = _run(capsys, "report", str(db), "--out", str(tmp_path / "report"))
    assert code == 0, err
    page = (tmp_path / "report" / "index.html").read_text("utf-8")
    for src in re.findall(r'<img src="([^"]+)"', page):
        assert (tmp_path / "report" / unquote(html.unescape(src))).is_file()
    assert all(html.escape(i) in page for i in ids)


def test_plot_refuses_a_link_out_of_the_folder(tmp_path: Path, capsys) -> None:
    experiment = write_experiment(tmp_path / "exp", metrics={"loss": "min"}, numerical=["n"],
                                  categorical=["c"])
    db = tmp_path / "db.duckdb"
    assert _run(capsys, "ingest", str(experiment), "--db", str(db), "--quiet")[0] == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "linearplot").symlink_to(outside)
    code, stdout, err = _run(capsys, "plot", "--db", str(db), "--out", str(tmp_path / "plots"))
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert "is not inside" in err and list(outside.iterdir()) == []


# -- file_names and inside -------------------------------------------------------------------

ORDINARY = ["val_loss", "val_accuracy", "model_config.num_filter1",
            "train_config.optimizer_config.arguments.lr", "température", "準確度", "a-b+c=d@e,f"]


def test_ordinary_names_stay_readable() -> None:
    assert file_names(ORDINARY) == {n: n for n in ORDINARY}


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n)[:30] for n in HOSTILE_NAMES])
def test_hostile_names_become_safe(name: str) -> None:
    file = file_names([name])[name]
    _assert_safe(file)
    if name in ORDINARY or name in ("Val_Loss", "val_loss", "température", "準確度"):
        assert file == name


def _assert_safe(file: str) -> None:
    assert file and "/" not in file and "\\" not in file and "\x00" not in file
    assert ".." not in file and not file.startswith((".", "-")) and file.isprintable()
    assert len(file.encode("utf-8")) <= READABLE_BYTES
    assert unicodedata.is_normalized("NFC", file)


names = st.one_of(
    st.sampled_from(HOSTILE_NAMES),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.lists(st.sampled_from(["..", ".", "/", "\\", "a", "É", "\x00", " ", "~", "e\u0301"]),
             max_size=40).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(names, max_size=12))
def test_file_names_are_safe_distinct_and_stable(given_names: list[str]) -> None:
    chosen = file_names(given_names)
    assert set(chosen) == set(given_names)
    for file in chosen.values():
        _assert_safe(file)
    folded = [unicodedata.normalize("NFC", f).casefold() for f in chosen.values()]
    assert len(set(folded)) == len(folded)
    assert file_names(reversed(given_names)) == chosen


def test_inside_refuses_escapes(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()
    assert inside(root, "a", "b.png") == root / "a" / "b.png"
    for parts in (["..", "x"], ["/etc/passwd"], ["a", "..", "..", "x"]):
        with pytest.raises(InputError, match="not inside"):
            inside(root, *parts)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(InputError, match="not inside"):
        inside(root, "link", "x.png")


def test_shown() -> None:
    assert shown("a\x00b\nc") == "a\\x00b\\x0ac"
    assert len(shown("x" * 300)) == 59 and "…" in shown("x" * 300)
    assert shown("val_loss") == "val_loss"


def test_dollar_signs_stay_text(tmp_path: Path) -> None:
    """Two names holding a dollar sign each, in one title: drawn as text, not read as
    mathtext (which failed to parse "$𠀀 vs. $" and stopped the plot)."""
    from matplotlib.figure import Figure

    fig = Figure()
    fig.subplots().set_title(f"{shown('$𠀀')} vs. {shown('$')}")
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(tmp_path / "t.svg")
    assert "$𠀀 vs. $" in _svg_texts(tmp_path / "t.svg")


# -- hypothesis through plot and report ------------------------------------------------------

EXAMPLES = {"plot": 0, "report": 0}
printable = st.one_of(
    st.sampled_from([n for n in HOSTILE_NAMES if "\x00" not in n]),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=300),
)


@pytest.mark.slow
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(metric=printable, attribute=printable)
def test_hypothesis_plot(tmp_path_factory: pytest.TempPathFactory, capsys, metric: str,
                         attribute: str) -> None:
    EXAMPLES["plot"] += 1
    root = tmp_path_factory.mktemp("hplot")
    experiment = write_experiment(root / "exp", metrics={metric: "min"},
                                  numerical=[attribute], categorical=[attribute + "~c"])
    db = root / "db.duckdb"
    assert _run(capsys, "ingest", str(experiment), "--db", str(db), "--workers", "1",
                "--quiet")[0] == 0
    before = _tree(root.parent)
    code, stdout, err = _run(capsys, "plot", "--db", str(db), "--out", str(root / "plots"))
    assert code == 0 and stdout.startswith("Wrote 4 figures"), err
    assert all(p.is_relative_to(root / "plots") for p in _tree(root.parent) - before)
    index = json.loads((root / "plots" / INDEX_FILE).read_text("utf-8"))
    assert {e["attribute"] for e in index} == {attribute, attribute + "~c", None}
    print(f"hypothesis plot examples: {EXAMPLES['plot']}")


@pytest.mark.slow
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(metric=printable, attribute=printable)
def test_hypothesis_report(tmp_path_factory: pytest.TempPathFactory, capsys, metric: str,
                           attribute: str) -> None:
    EXAMPLES["report"] += 1
    root = tmp_path_factory.mktemp("hreport")
    experiment = write_experiment(root / "exp", metrics={metric: "max"},
                                  numerical=[attribute], categorical=["c"])
    before = _tree(root.parent)
    out = root / "report"
    code, _, err = _run(capsys, "report", str(experiment), "--out", str(out), "--workers", "1",
                        "--quiet")
    assert code == 0 and "Traceback" not in err, err
    assert all(p.is_relative_to(out) for p in _tree(root.parent) - before)
    page = html.unescape((out / "index.html").read_text("utf-8"))
    assert metric in page and attribute in page
    print(f"hypothesis report examples: {EXAMPLES['report']}")
