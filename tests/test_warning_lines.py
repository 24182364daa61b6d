"""Warnings reach the command's user as one line each, after the command: no source lines, and
matplotlib's warning per missing glyph merged into one line naming the characters."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from ablation_sql.cli import main  # noqa: E402
from ablation_sql.cli.warning_lines import warning_lines  # noqa: E402

from .hostile_names import write_experiment  # noqa: E402


def test_each_warning_once_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with warning_lines("prog"):
        for _ in range(3):
            warnings.warn("first line\nsecond line", UserWarning, stacklevel=1)
        warnings.warn("Glyph 28310 (\\N{CJK UNIFIED IDEOGRAPH-6E96}) missing from font(s) "
                      "DejaVu Sans.", UserWarning, stacklevel=1)
        warnings.warn("Glyph 30906 (\\N{CJK UNIFIED IDEOGRAPH-78BA}) missing from font(s) "
                      "DejaVu Sans.", UserWarning, stacklevel=1)
        warnings.warn("Glyph 28310 (\\N{CJK UNIFIED IDEOGRAPH-6E96}) missing from current "
                      "font.", UserWarning, stacklevel=1)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "prog: warning: first line"
    assert err[1].startswith("prog: warning: the figures' font has no glyph for 準 確: ")
    assert len(err) == 2


def test_warnings_are_shown_before_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(KeyError), warning_lines("prog"):
        warnings.warn("careful", UserWarning, stacklevel=1)
        raise KeyError("x")
    assert capsys.readouterr().err == "prog: warning: careful\n"


def test_plot_of_a_metric_the_font_cannot_draw(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A metric named in Chinese plotted as PNG: one warning line for its three ideographs."""
    experiment = write_experiment(tmp_path / "exp", metrics={"準確度": "max"},
                                  numerical=["lr"], categorical=["act"])
    db = tmp_path / "db.duckdb"
    assert main(["ingest", str(experiment), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["plot", "--db", str(db), "--out", str(tmp_path / "plots")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("ablation-sql: warning: the figures' font has no glyph for ")
    assert set(err[0].split("glyph for ")[1].split(":")[0].split()) == set("準確度")
