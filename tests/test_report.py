"""The HTML report: its content against the database, escaping, caching, errors, make report."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from ablation_sql import connect
from ablation_sql.cli import main
from ablation_sql.plots.analysis import PlotAnalysis
from ablation_sql.report import build as build_module
from ablation_sql.report.build import report_paths
from ablation_sql.store.connection import READ_MEMORY_LIMIT, open_connection
from ablation_sql.store.sqlfiles import cap_of
from ablation_sql.synthetic.generate import LR, NF1, NF2, generate_experiment

from .hostile_names import write_experiment

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
HOSTILE = 'exp <b>"bold"</b> & co'


class _Page(HTMLParser):
    """The parts of a page the tests look at: image sources, section ids, table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.ids: list[str] = []
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag == "img":
            self.images.append(found["src"] or "")
        if "id" in found:
            self.ids.append(found["id"] or "")
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: Path) -> _Page:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    return parsed


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    """A synthetic experiment with a hostile folder name, reported through the CLI."""
    root = tmp_path_factory.mktemp("report")
    truth = generate_experiment(root / HOSTILE, trials=40, epochs=6, seed=3, running=2,
                                failed=2, broken=6)
    out = root / "site"
    assert main(["report", str(root / HOSTILE), "--out", str(out), "--quiet",
                 "--workers", "1"]) == 0
    return out, root, truth


def test_every_figure_exists_and_every_section_is_there(built) -> None:
    out, _, _ = built
    page = _parse(out / "index.html")
    assert page.images, "no figures in the report"
    for src in page.images:
        assert not src.startswith(("http:", "https:", "/")), src
        assert (out / Path(*src.split("/"))).is_file() or (out / _unquote(src)).is_file(), src
    # 4 attributes x 2 metrics: a line or violin plot and a learning curve each; a parallel-
    # coordinates figure per metric; for the optimised metric the ablation's waterfall and its
    # 3 top pairs; a rank correlation by step per metric (Repeats: no configuration repeats
    # here, so no forest plot)
    assert len(page.images) == 24
    assert sum("/parallel/" in src for src in page.images) == 2
    assert sum("/ablation/val_loss/" in src for src in page.images) == 4
    assert sum("/settle/" in src for src in page.images) == 2
    for section in ("findings", "ablation", "top", "effects", "attributes", "repeats", "curves",
                    "problems", "coverage"):
        assert f"experiment-1-{section}" in page.ids
    assert page.tags.count("article") == 4
    assert "script" not in page.tags and "link" not in page.tags  # nothing to fetch


def _unquote(src: str) -> str:
    from urllib.parse import unquote

    return unquote(src)


def test_numbers_come_from_the_database(built) -> None:
    out, _, _ = built
    cells = _parse(out / "index.html").cells
    with connect(out / "ablation.duckdb", read_only=True) as db:
        top = db.query("top_trials", metric="val_accuracy", k=10)
        effects = db.query("numerical_effects", metric="val_loss",
                           attribute="model_config.num_filter2", status="complete")
        coverage = db.query("search_space_coverage")
    for uid in top["trial_uid"]:
        assert uid in cells
    assert f"{effects['slope'].iloc[0]:.4g}" in cells
    assert f"{coverage['coverage'].iloc[0]:.4g}" in cells


def test_findings_come_first_and_match_the_effects_analysis(built) -> None:
    out, _, _ = built
    text = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    with connect(out / "ablation.duckdb", read_only=True) as db:
        found = db.effects("val_accuracy", n_boot=1000, seed=0)
    assert text.index('id="experiment-1-findings"') < text.index('id="experiment-1-top"')
    sentences = [s for s in found.findings if s not in found.warnings]
    assert sentences
    for sentence in sentences + found.warnings:
        assert sentence in text
    assert "no clear effect" in text


def test_failed_and_skipped_trials_are_listed_with_reasons(built) -> None:
    out, _, truth = built
    text = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    problems = text.split('id="experiment-1-problems"')[1].split("</section>")[0]
    for trial, status in truth.statuses.items():
        if status != "complete":
            assert trial in problems, (trial, status)
    assert "config.yaml is missing" in problems
    assert "results.json ends mid-write" in problems


def test_failed_trials_show_the_exception_ending_their_log(built) -> None:
    out, _, truth = built
    page = _parse(out / "index.html")
    failed = [t for t, s in truth.statuses.items() if s == "failed"]
    assert len(failed) == 2
    for trial in failed:
        row = page.cells[page.cells.index(trial):][:6]
        assert row[1] == "failed"
        assert row[4].startswith("ablator.modules.metrics.main.LossDivergedError: Loss Diverged.")
    text = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    assert text.count("LossDivergedError") == 2  # only in the failed trials' rows


def test_every_section_uses_the_complete_trials(built) -> None:
    out, _, truth = built
    text = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    others = {t for t, s in truth.statuses.items() if s in ("failed", "running")}
    top = text.split('id="experiment-1-top"')[1].split("</section>")[0]
    assert others and not any(t in top for t in others)  # never ranked among the best
    with connect(out / "ablation.duckdb", read_only=True) as db:
        complete = set(db.sql("SELECT trial_uid FROM trials WHERE status = 'complete'")
                       ["trial_uid"])
        points = PlotAnalysis(db).points("val_loss", NF2)  # what the report's figures drew
        numbers = db.query("numerical_effects", metric="val_loss", attribute=NF2,
                           status="complete")
        found = db.effects("val_loss", n_boot=50, seed=0)
    assert set(points["trial_uid"]) == complete
    assert f"{numbers['slope'].iloc[0]:.4g}" in _parse(out / "index.html").cells
    assert found.n_used == int(numbers["n"].iloc[0])  # the trials the findings use


def test_one_binning_across_the_page(built) -> None:
    out, _, _ = built
    with connect(out / "ablation.duckdb", read_only=True) as db:
        shown = db.query("trial_status", binning="quantile")
        width = db.query("trial_status")
        found = db.effects("val_loss", n_boot=50, seed=0)
        curves = db.query("learning_curves", metric="val_loss", attribute=NF2,
                          status="complete", binning="quantile")
    failures = found.failures
    for attribute in (NF1, NF2, LR):
        levels = list(shown.loc[shown["attribute"] == attribute, "level"])
        assert levels == list(failures.loc[failures["attribute"] == attribute, "level"])
    assert set(curves["level"]) == set(shown.loc[shown["attribute"] == NF2, "level"])
    cells = set(_parse(out / "index.html").cells)
    only_width = set(width["level"].dropna()) - set(shown["level"].dropna())
    assert only_width and not only_width & cells  # equal-width bins are nowhere on the page
    assert set(shown["level"].dropna()) <= cells


def test_strings_from_the_data_are_escaped(built) -> None:
    out, _, _ = built
    text = (out / "index.html").read_text(encoding="utf-8")
    assert "<b>" not in text
    assert html.escape(HOSTILE) in text or "exp &lt;b&gt;" in text


def test_second_run_keeps_unchanged_figures(built, capsys) -> None:
    out, root, _ = built
    figures = sorted((out / "figures").rglob("linearplot/*/*.png"))
    before = {p: p.stat().st_mtime_ns for p in figures}
    time.sleep(0.01)
    assert main(["report", str(root / HOSTILE), "--out", str(out), "--workers", "1"]) == 0
    assert "unchanged: 40" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in figures} == before


def test_a_database_file_is_opened_read_only(built, tmp_path: Path) -> None:
    out, _, _ = built
    db_file = tmp_path / "copy.duckdb"
    shutil.copyfile(out / "ablation.duckdb", db_file)
    os.chmod(db_file, 0o444)
    before = db_file.read_bytes()
    assert main(["report", str(db_file), "--out", str(tmp_path / "site"), "--quiet"]) == 0
    assert db_file.read_bytes() == before
    assert (tmp_path / "site" / "index.html").is_file()


def test_folders_are_reported_from_the_file_read_only_and_capped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate_experiment(tmp_path / "exp", trials=8, epochs=3, seed=1)
    seen = []

    def build(con, out, **kwargs):
        seen.append(cap_of(con))
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("CREATE TABLE t (x INT)")
        return Path(out) / "index.html"

    monkeypatch.setattr(build_module, "build_report", build)
    report_paths([tmp_path / "exp"], tmp_path / "site", workers=1)
    assert seen and seen[0] is not None and seen[0][0] == READ_MEMORY_LIMIT


def test_duckdb_runs_on_one_thread_beside_the_sections_then_as_before(
        built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, _, _ = built
    seen = []
    effects = build_module.metric_effects

    def metric_effects(con, *args, **kwargs):
        seen.append(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        return effects(con, *args, **kwargs)

    monkeypatch.setattr(build_module, "metric_effects", metric_effects)
    with open_connection(out / "ablation.duckdb", read_only=True, allow_files=False,
                         memory_limit=READ_MEMORY_LIMIT) as con:
        con.execute("SET threads = 3")
        build_module.build_report(con, tmp_path / "site")
        assert con.execute("SELECT current_setting('threads')").fetchall()[0][0] == 3
    assert seen and set(seen) == {1}


def _one_line_error(capsys, args: list[str]) -> str:
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_user_mistakes_are_one_line_errors(built, tmp_path: Path, capsys) -> None:
    out, root, _ = built
    site = ["--out", str(tmp_path / "site")]
    assert "no such file or folder" in _one_line_error(capsys, [str(tmp_path / "no"), *site])
    assert "no experiment nope" in _one_line_error(
        capsys, [str(out / "ablation.duckdb"), "--experiment", "nope", *site])
    assert "not both" in _one_line_error(
        capsys, [str(out / "ablation.duckdb"), str(root / HOSTILE), *site])


def test_empty_database_is_a_clear_error(tmp_path: Path, capsys) -> None:
    connect(tmp_path / "empty.duckdb").close()
    assert main(["report", str(tmp_path / "empty.duckdb"), "--out", str(tmp_path / "s")]) == 2
    assert "holds no experiment" in capsys.readouterr().err


def test_real_fixture_report(real_experiment: Path, tmp_path: Path) -> None:
    assert main(["report", str(real_experiment), "--out", str(tmp_path / "site"), "--quiet",
                 "--workers", "1"]) == 0
    page = _parse(tmp_path / "site" / "index.html")
    assert page.images and all((tmp_path / "site" / _unquote(s)).is_file() for s in page.images)
    assert page.tags.count("article") >= 1


@pytest.mark.slow
@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "ablation-sql").exists()
                    or shutil.which("make") is None, reason="needs make and the project's .venv")
def test_make_report_rebuilds_only_what_changed(tmp_path: Path) -> None:
    generate_experiment(tmp_path / "exp", trials=12, epochs=4, seed=5)
    out = tmp_path / "out"

    def make() -> str:
        done = subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "report",
                               f"EXP={tmp_path / 'exp'}", f"OUT={out}"],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = make()
    assert "ablation-sql ingest" in first and "ablation-sql report" in first
    assert (out / "index.html").is_file()
    assert "Nothing to be done" in make()
    trial = next(p for p in (tmp_path / "exp").iterdir() if p.is_dir())
    time.sleep(0.01)
    (trial / "results.json").touch()
    again = make()
    assert "ablation-sql ingest" in again and "ablation-sql report" in again
    assert re.search(r"Nothing to be done", make())


@pytest.mark.slow
def test_two_experiments_get_a_section_and_figures_each(tmp_path: Path) -> None:
    for seed in (1, 2):
        generate_experiment(tmp_path / "runs" / f"exp{seed}", trials=14, epochs=4, seed=seed)
    site = tmp_path / "site"
    assert main(["report", str(tmp_path / "runs"), "--out", str(site), "--quiet",
                 "--workers", "1"]) == 0
    page = _parse(site / "index.html")
    assert {"experiment-1", "experiment-2", "experiment-2-findings"} <= set(page.ids)
    for name in ("exp1", "exp2"):
        drawn = [src for src in page.images if src.startswith(f"figures/{name}/")]
        assert len(drawn) == 24 and all((site / src).is_file() for src in drawn)
    assert main(["report", str(site / "ablation.duckdb"), "--out", str(tmp_path / "one"),
                 "--experiment", "exp2", "--quiet"]) == 0
    one = _parse(tmp_path / "one" / "index.html")
    assert "experiment-2" not in one.ids
    assert one.images and all(src.startswith("figures/exp2/") for src in one.images)


def test_too_few_trials_say_the_explained_share_cannot_be_estimated(tmp_path: Path) -> None:
    write_experiment(tmp_path / "exp", metrics={"loss": "min"}, numerical=["a", "b"],
                     categorical=["c"], trials=4)
    assert main(["report", str(tmp_path / "exp"), "--out", str(tmp_path / "site"), "--quiet",
                 "--workers", "1"]) == 0
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "cannot be estimated from so few trials" in page
    assert "R² = nan" not in page and "nan to nan" not in page
