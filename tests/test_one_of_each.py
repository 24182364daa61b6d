"""Each shared thing exists once: the JSON conversion of NaN/inf, the number formatter, the lists
of output formats and reduction policies, and the learning-curve interval (the plot's band and
the report's query give the same numbers for the same data)."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import ablation_sql as asql
from ablation_sql import plots
from ablation_sql.cli import build_parser
from ablation_sql.effects import findings
from ablation_sql.plots import axes, curves, database_figures
from ablation_sql.store import choices, export, numbers, render, values

PACKAGE = Path(asql.__file__).parent


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def _options(option: str) -> dict[str, tuple]:
    """Every command's choices for ``option``."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if option in action.option_strings:
                found[name] = action.choices
    return found


def test_one_json_conversion_of_nan_and_inf() -> None:
    assert values.json_scalar(math.inf) == "Infinity"
    assert values.json_scalar(np.float64(-math.inf)) == "-Infinity"
    assert values.json_scalar(math.nan) is None and values.json_scalar(pd.NA) is None
    assert render._jsonable(-math.inf, None) == "-Infinity"
    writers = [p for p, text in _sources().items() if re.search(r'"-?Infinity" if', text)]
    assert writers == [PACKAGE / "store" / "values.py"]


def test_one_number_formatter() -> None:
    assert findings.number is numbers.number  # the effects' sentences and the figures' ticks
    assert axes._real(-0.012345, False) == numbers.number(-0.012345) == "\u22120.0123"
    assert axes._real(2.0, True) == numbers.number(100.0)
    users = [p for p, text in _sources().items() if re.search(r":\+?\.3g|\"\+?\.3g\"", text)]
    assert users == [PACKAGE / "store" / "numbers.py"]


def test_one_list_of_output_formats() -> None:
    text_commands = _options("--format")
    assert text_commands.pop("plot") is choices.FIGURE_FORMATS
    assert text_commands.pop("export") is export.EXPORT_FORMATS
    assert text_commands and all(c is render.FORMATS for c in text_commands.values())
    assert plots.analysis.FORMATS is choices.FIGURE_FORMATS


def test_one_list_of_reduction_policies() -> None:
    from ablation_sql.effects import data

    by_command = _options("--policy")
    assert set(by_command) == {"effects", "ablation", "plot", "repeats", "compare", "settle"}
    assert all(c is choices.POLICIES for c in by_command.values())
    assert data.POLICIES is database_figures.POLICIES is choices.POLICIES
    sql = (PACKAGE / "store" / "sql" / "views" / "trial_metric.sql").read_text()
    accepted = re.search(r"\(('best'[^)]*)\)", sql)[1]
    assert {p.strip(" '") for p in accepted.split(",")} >= set(choices.POLICIES)
    literal = re.compile(r'\("best", "last", "mean_last"\)')
    assert [p for p, text in _sources().items() if literal.search(text)] == [
        PACKAGE / "store" / "choices.py"]


def test_plot_band_is_the_report_query_band(synthetic, tmp_path: Path) -> None:
    folder, _ = synthetic("curves", trials=24, epochs=6, seed=3)
    with asql.connect(tmp_path / "a.duckdb") as db:
        db.ingest(folder)
        rows = db.sql("SELECT l.attribute, l.level, m.step, m.value"
                      " FROM attribute_levels(bins := 4) l"
                      " JOIN metrics m USING (experiment_id, trial_uid)"
                      " WHERE m.name = 'val_loss' AND isfinite(m.value)")
        attribute = rows["attribute"].value_counts().index[0]
        query = db.query("learning_curves", metric="val_loss", attribute=attribute)
    frame = rows[rows["attribute"] == attribute].astype({"level": str})
    levels = list(dict.fromkeys(query["level"].astype(str)))
    bands = curves.curve_bands(frame, metric="value", attribute="level", step="step",
                               levels=levels)
    assert len(bands) == len(query) > 0 and (query["n"] >= 2).any()
    assert list(bands["level"]) == list(query["level"].astype(str))
    assert list(bands["step"]) == list(query["step"]) and list(bands["n"]) == list(query["n"])
    for column in ("mean", "ci_low", "ci_high"):
        got, want = bands[column].to_numpy(float), query[column].to_numpy(float)
        assert np.isnan(got).tolist() == np.isnan(want).tolist()
        assert got[~np.isnan(got)] == pytest.approx(want[~np.isnan(want)], rel=1e-6)
    # and learning_curve draws exactly these bands
    ax = Figure().subplots()
    plots.learning_curve(frame.rename(columns={"value": "val_loss"}), metric="val_loss",
                         attribute="level", ax=ax)
    assert len(ax.lines) == len(ax.collections) == len(levels)
    for line, band in zip(ax.lines, ax.collections, strict=True):
        level = bands[bands["level"] == line.get_label()]
        assert list(line.get_ydata()) == pytest.approx(list(level["mean"]))
        drawn = band.get_paths()[0].vertices[:, 1]
        assert drawn.max() == pytest.approx(level["ci_high"].max(skipna=True))
        assert drawn.min() == pytest.approx(level["ci_low"].min(skipna=True))
