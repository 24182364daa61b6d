"""ABLATOR's ``PlotAnalysis``: per optimised metric, a line plot per numerical attribute, a
violin plot per categorical one and a parallel-coordinates figure over every attribute.

    analysis = PlotAnalysis(df, save_dir="./plots", cache=True,
                            optim_metrics={"val_accuracy": Optim.max},
                            numerical_attributes=[...], categorical_attributes=[...])
    analysis.make_figures(metric_name_remap={...}, attribute_name_remap={...})

Files: ``save_dir/linearplot/<metric>/<attribute>.png`` and
``save_dir/violinplot/<metric>/<attribute>.png`` (original names in the paths when they are safe
file names, else a slug and a hash: see ``ablation_sql.plots.output_names``; remapped names on the
axes); ``make_parallel_figures`` writes ``save_dir/parallel/<metric>.png``; ``figures.json``
maps each file to its real metric and attribute names. ``format="svg"`` or ``"pdf"`` changes
the suffix. The data is a ``Results``, a ``Database`` or its connection (read with SQL:
trial_metric and trial_attributes) or a DataFrame (ABLATOR's frame indexed by (trial_uid, step),
or one row per trial). By default each trial is one point (one line in parallel coordinates),
its best value by the metric's direction (``reduction`` picks another of trial_metric's
reductions for a database); ``rows="all"`` plots every step's row as ABLATOR does. From a
database only complete trials are drawn unless ``statuses`` widens the set (None: every status;
failed, running and other trials are then drawn distinctly, outside fits and violins); each
figure's title says how many trials of each status it holds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from matplotlib.figure import Figure

from ..store.choices import FIGURE_FORMATS
from ..store.connection import Connectable, connection
from ..store.sqlfiles import fetch
from ..store.views import attribute_columns
from . import axes as plots
from .figure_cache import CACHE_FILE, data_digest, fingerprint, read_cache
from .figure_drawing import draw_figure
from .output_names import FigureIndex, file_names, inside, shown
from .saving import save_figure
from .trial_rows import best_rows, trial_counts

__all__ = ["FORMATS", "PlotAnalysis"]

FORMATS = FIGURE_FORMATS
_VALUE, _STEP, _STATUS = "__plot_value__", "__plot_step__", "__plot_status__"


def _direction(value: Any) -> str:
    text = str(value.value if isinstance(value, Enum) else value).lower().removeprefix("optim.")
    if text not in ("min", "max"):
        raise ValueError(f"direction must be min or max, not {value!r}")
    return text


class PlotAnalysis:
    """Figures of how each attribute relates to each optimised metric (see the module doc).

    ``optim_metrics`` maps metric -> direction (``Optim``, or "min"/"max"); by default the
    experiment's own for a database or Results. The attributes default to the search space's
    (numerical: declared ranges; categorical: declared categories) for a database or Results.
    ``cache=True`` skips a figure whose file exists and whose inputs (points, labels, options)
    did not change since it was drawn (recorded in ``save_dir/.plot_cache.json``).
    ``rows``: "trial" (one point per trial, the default) or "all" (every step's row).
    ``reduction``: trial_metric's reduction for a database ("best", "last", ...); a DataFrame
    is always reduced to each trial's best. ``experiment``: the experiment id in a database
    holding several (default: all). ``statuses``: the statuses of the trials drawn from a
    database (default: complete only; None: all). ``left_out`` maps each file written to how
    many rows its figure left out (NULL or infinite values); ``files`` maps each (kind, metric,
    attribute) saved or kept by the cache to its file (attribute None for a parallel figure).
    """

    def __init__(
        self,
        data: pd.DataFrame | Connectable | Any,
        save_dir: str | os.PathLike | None = None,
        cache: bool = False,
        optim_metrics: dict[str, Any] | None = None,
        numerical_attributes: list[str] | None = None,
        categorical_attributes: list[str] | None = None,
        *,
        rows: str = "trial",
        reduction: str = "best",
        experiment: str | None = None,
        statuses: Sequence[str] | None = ("complete",),
    ) -> None:
        if rows not in ("trial", "all"):
            raise ValueError(f'rows must be "trial" or "all", not {rows!r}')
        self.save_dir = None if save_dir is None else Path(save_dir)
        self.cache = cache
        self.rows, self.reduction, self.experiment = rows, reduction, experiment
        self.statuses = None if statuses is None else list(statuses)
        if isinstance(data, pd.DataFrame):
            self.frame: pd.DataFrame | None = data
            self.con: duckdb.DuckDBPyConnection | None = None
            space = pd.DataFrame(columns=["name", "kind", "log", "categories"])
            found: dict[str, str] = {}
            self._columns: dict[str, str] | None = None
        else:
            source = getattr(data, "db", data)  # a Results holds its database as .db
            self.frame, self.con = None, connection(source)
            self._columns = attribute_columns(self.con)
            space = fetch(self.con, "plots/plot_search_space", experiment=experiment)
            space = space[space["name"].isin(self._columns)]  # a NUL in a name: no column
            found = dict(fetch(self.con, "plots/plot_optim_metrics", experiment=experiment)
                         .itertuples(index=False, name=None))
        given = found if optim_metrics is None else optim_metrics
        self.optim_metrics = {metric: _direction(d) for metric, d in given.items()}
        kinds = dict(zip(space["name"], space["kind"], strict=True))
        self.numerical_attributes = list(numerical_attributes if numerical_attributes is not None
                                         else [n for n, k in kinds.items() if k == "numerical"])
        self.categorical_attributes = list(
            categorical_attributes if categorical_attributes is not None
            else [n for n, k in kinds.items() if k == "categorical"])
        self._log = {n: bool(v) for n, v in zip(space["name"], space["log"], strict=True)}
        self._categories = {n: json.loads(c) for n, c in zip(space["name"], space["categories"],
                                                             strict=True) if isinstance(c, str)}
        self.left_out: dict[Path, int] = {}
        self.files: dict[tuple[str, str, str | None], Path] = {}
        self._fetched: dict[str, pd.DataFrame] | None = None  # a metric's rows, while saving
        self._trials: pd.DataFrame | None = None  # every metric's trials, while saving

    # -- data ----------------------------------------------------------------------------------

    def points(self, metric: str, *attributes: str) -> pd.DataFrame:
        """The rows a figure of ``metric`` against the ``attributes`` draws: columns trial_uid,
        step, the attributes and the metric (NULL and infinite values still in), then the
        trial's status (from a database). The metric's column is ``__plot_value__`` (the
        status's ``__plot_status__``) when an attribute, trial_uid or step has its name."""
        value, status = _output_columns(metric, attributes)
        if self.con is not None:
            found = self._fetch(metric)
            assert self._columns is not None
            for attribute in attributes:
                if self._columns.get(attribute) not in found.columns:
                    raise KeyError(f"no attribute {attribute!r} in the search space")
            # the view's column names differ from the attributes' when their cases collide
            found = found[["trial_uid", _STEP, *(self._columns[a] for a in attributes), _VALUE,
                           _STATUS]]
            found.columns = ["trial_uid", "step", *attributes, value, status]
            return found
        frame = self.frame
        assert frame is not None
        for column in (metric, *attributes):
            if column not in frame.columns:
                raise KeyError(f"no column {column!r} in the data")
        if "trial_uid" in (frame.index.names or []):
            frame = frame.reset_index()
        if "step" not in frame.columns:
            frame = frame.assign(step=0)
        if "trial_uid" not in frame.columns:
            frame = frame.assign(trial_uid=frame.index.astype(str))
        frame = frame[["trial_uid", "step", *attributes, metric]]
        frame.columns = ["trial_uid", "step", *attributes, value]
        if self.rows == "all":
            return frame.reset_index(drop=True)
        return best_rows(frame, value, self.optim_metrics.get(metric, "max"))

    def _fetch(self, metric: str) -> pd.DataFrame:
        """The database's rows of ``metric`` with every attribute (read once per metric while
        ``_save`` draws several figures of it)."""
        if self._fetched is not None and metric in self._fetched:
            return self._fetched[metric]
        assert self.con is not None
        if self.rows == "all":
            found = fetch(self.con, "plots/plot_trial_steps", metric=metric,
                          experiment=self.experiment, statuses=self.statuses)
        else:  # the trials' attributes (read once while reading_once) and the metric's values
            trials = self._trials
            if trials is None:
                trials = fetch(self.con, "plots/plot_trials", experiment=self.experiment,
                               statuses=self.statuses)
                if self._fetched is not None:
                    self._trials = trials
            values = fetch(self.con, "plots/plot_trial_values", metric=metric,
                           reduction=self.reduction, direction=self.optim_metrics.get(metric),
                           experiment=self.experiment)
            found = trials.merge(values, on=["experiment_id", "trial_uid"], sort=False)
            found = found[[*trials.columns[:-1], _VALUE, _STEP, _STATUS]]
        if self._fetched is not None:
            self._fetched[metric] = found
        return found

    def log(self, attribute: str) -> bool:
        """Whether the search space declares ``log: true`` for the attribute."""
        if attribute in self._log:
            return self._log[attribute]
        column = f"search_space.{attribute}.log"
        if self.frame is not None and column in self.frame.columns:
            return bool(self.frame[column].fillna(False).astype(bool).any())
        return False

    def categories(self, attribute: str) -> list | None:
        """The declared categories of the attribute, in their declared order (or None)."""
        if attribute in self._categories:
            return self._categories[attribute]
        if self.frame is None:
            return None
        prefix = f"search_space.{attribute}.categorical_values."
        columns = [c for c in self.frame.columns if c.startswith(prefix)]
        columns.sort(key=lambda c: int(c[len(prefix):]) if c[len(prefix):].isdigit() else 0)
        values = [self.frame[c].dropna() for c in columns]
        return [v.iloc[0] for v in values if len(v)] or None

    @contextmanager
    def reading_once(self) -> Iterator[PlotAnalysis]:
        """Within the block, each metric's rows are read from the database once for every
        figure saved (``make_figures`` and ``make_parallel_figures`` alike), the trials'
        attributes once for every metric."""
        held = self._fetched is not None
        if not held:
            self._fetched = {}
        try:
            yield self
        finally:
            if not held:
                self._fetched, self._trials = None, None

    # -- figures -------------------------------------------------------------------------------

    def figure(
        self,
        metric: str,
        attribute: str,
        metric_name_remap: dict[str, str] | None = None,
        attribute_name_remap: dict[str, str] | None = None,
        **figure_kwargs: Any,
    ) -> Figure:
        """The figure ``make_figures`` saves for ``metric`` and ``attribute`` (a line plot for a
        numerical attribute, else a violin plot), not saved."""
        kind = "linearplot" if attribute in self.numerical_attributes else "violinplot"
        data, options = self._inputs(kind, metric, attribute, metric_name_remap,
                                     attribute_name_remap)
        return draw_figure(kind, data, options, figure_kwargs)

    def parallel_figure(
        self,
        metric: str,
        metric_name_remap: dict[str, str] | None = None,
        attribute_name_remap: dict[str, str] | None = None,
        **figure_kwargs: Any,
    ) -> Figure:
        """The figure ``make_parallel_figures`` saves for ``metric``, not saved."""
        data, options = self._inputs("parallel", metric, None, metric_name_remap,
                                     attribute_name_remap)
        return draw_figure("parallel", data, options, figure_kwargs)

    def make_figures(
        self,
        metric_name_remap: dict[str, str] | None = None,
        attribute_name_remap: dict[str, str] | None = None,
        *,
        format: str = "png",
        **figure_kwargs: Any,
    ) -> list[Path]:
        """Draw and save every figure; returns the files written (not those the cache kept).

        With a remap given, only the metrics / attributes it names are drawn, as in ABLATOR.
        ``format``: "png", "svg" or "pdf" (the files' suffix). ``figure_kwargs`` go to
        matplotlib's ``Figure`` (``figsize``, ``dpi``).
        """
        metrics, numerical, categorical = self._selection(metric_name_remap,
                                                          attribute_name_remap)
        jobs = [(kind, metric, attribute) for metric in metrics
                for kind, attributes in (("linearplot", numerical), ("violinplot", categorical))
                for attribute in attributes]
        return self._save(jobs, metric_name_remap, attribute_name_remap, format, figure_kwargs)

    def make_parallel_figures(
        self,
        metric_name_remap: dict[str, str] | None = None,
        attribute_name_remap: dict[str, str] | None = None,
        *,
        format: str = "png",
        **figure_kwargs: Any,
    ) -> list[Path]:
        """Draw and save a parallel-coordinates figure per metric over every numerical and
        categorical attribute, at ``save_dir/parallel/<metric>.<format>``; the remaps select
        and name as in ``make_figures``. Returns the files written."""
        metrics, numerical, categorical = self._selection(metric_name_remap,
                                                          attribute_name_remap)
        jobs = [("parallel", metric, None) for metric in metrics if numerical or categorical]
        return self._save(jobs, metric_name_remap, attribute_name_remap, format, figure_kwargs)

    def _selection(self, metric_name_remap: dict[str, str] | None,
                   attribute_name_remap: dict[str, str] | None
                   ) -> tuple[list[str], list[str], list[str]]:
        """The metrics, numerical and categorical attributes to draw (those a remap names)."""
        metrics = list(self.optim_metrics)
        numerical, categorical = self.numerical_attributes, self.categorical_attributes
        if metric_name_remap is not None:
            metrics = [m for m in metrics if m in metric_name_remap]
        if attribute_name_remap is not None:
            numerical = [a for a in numerical if a in attribute_name_remap]
            categorical = [a for a in categorical if a in attribute_name_remap]
        return metrics, numerical, categorical

    def _inputs(self, kind: str, metric: str, attribute: str | None,
                metric_name_remap: dict[str, str] | None,
                attribute_name_remap: dict[str, str] | None) -> tuple[pd.DataFrame, dict]:
        """The rows and the drawing options of one figure (``attribute`` None: parallel)."""
        names = attribute_name_remap or {}
        ylabel = shown((metric_name_remap or {}).get(metric, metric))
        _, numerical, categorical = self._selection(None, attribute_name_remap)
        attributes = numerical + categorical if attribute is None else [attribute]
        value, status = _output_columns(metric, attributes)
        options: dict[str, Any] = {"metric": value,
                                   "direction": self.optim_metrics.get(metric, "max")}
        if self.con is not None:
            options["status"] = status
        data = self.points(metric, *attributes)
        if kind == "parallel":
            return data, options | {
                "attributes": attributes,
                "categories": {a: self.categories(a) for a in categorical},
                "log": {a: self.log(a) for a in numerical},
                "labels": {a: shown(names.get(a, a)) for a in attributes} | {value: ylabel}}
        assert attribute is not None
        options |= {"attribute": attribute, "xlabel": shown(names.get(attribute, attribute)),
                    "ylabel": ylabel}
        if kind == "linearplot":
            options["log"] = self.log(attribute)
        else:
            options["order"] = self.categories(attribute)
        return data, options

    def _save(self, jobs: Sequence[tuple[str, str, str | None]],
              metric_name_remap: dict[str, str] | None,
              attribute_name_remap: dict[str, str] | None, format: str,
              figure_kwargs: dict[str, Any]) -> list[Path]:
        """Draw and save each (kind, metric, attribute) unless the cache has it."""
        if self.save_dir is None:
            raise ValueError("PlotAnalysis needs a save_dir to make figures")
        if format not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        cache_path = self.save_dir / CACHE_FILE
        cache = read_cache(cache_path) if self.cache else {}
        index = FigureIndex(self.save_dir)
        metric_files = file_names([*self.optim_metrics, *(m for _, m, _ in jobs)])
        attribute_files = file_names([*self.numerical_attributes, *self.categorical_attributes,
                                      *(a for _, _, a in jobs if a is not None)])
        written: list[Path] = []
        digests: dict[str, str] = {}  # per metric, of the rows read (see ``_digest``)
        counts: dict[str, str] = {}  # per metric from a database: its figures' trial counts
        try:
            with self.reading_once():
                for kind, metric, attribute in jobs:
                    data, options = self._inputs(kind, metric, attribute, metric_name_remap,
                                                 attribute_name_remap)
                    parts = ([kind, f"{metric_files[metric]}.{format}"] if attribute is None else
                             [kind, metric_files[metric], f"{attribute_files[attribute]}.{format}"])
                    relative = "/".join(parts)
                    path = inside(self.save_dir, *parts)
                    self.files[(kind, metric, attribute)] = path
                    index.add(relative, kind=kind, metric=metric, attribute=attribute,
                              experiment=self.experiment)
                    key = (fingerprint(kind, self._digest(metric, data, digests), options,
                                       figure_kwargs) if self.cache else "")
                    if self.cache and path.is_file() and cache.get(relative) == key:
                        continue
                    if self.con is not None and metric not in counts:  # the same rows
                        counts[metric] = trial_counts(data, options.get("status"))
                    fig = draw_figure(kind, data, options, figure_kwargs, counts.get(metric))
                    path.parent.mkdir(parents=True, exist_ok=True)
                    save_figure(fig, path, format)
                    self.left_out[path] = plots.left_out(fig.axes[0])
                    cache[relative] = key
                    written.append(path)
        finally:
            if jobs:
                index.write()
        if self.cache:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps(cache, indent=1, sort_keys=True))
        return written

    def _digest(self, metric: str, data: pd.DataFrame, digests: dict[str, str]) -> str:
        """What a figure of ``metric`` drawing ``data`` reads: from a database, the metric's
        rows (hashed once, in ``digests``, for all its figures) and the columns drawn; from a
        frame, ``data`` itself."""
        if self.con is None:
            return data_digest(data)
        if metric not in digests:
            digests[metric] = data_digest(self._fetch(metric))
        return f"{digests[metric]}:{json.dumps([str(c) for c in data.columns])}"


def _output_columns(metric: str, attributes: list[str] | tuple[str, ...]) -> tuple[str, str]:
    """The names of the metric's and the status's columns in ``points``: their own unless an
    attribute, trial_uid or step (or the metric, for the status) already has it."""
    taken = ("trial_uid", "step", *attributes)
    return (_VALUE if metric in taken else metric,
            _STATUS if "status" in (*taken, metric) else "status")
