"""ABLATOR's ``Results`` API, read through the database.

    results = Results(CustomParallelConfig, experiment_dir=path, use_ray=True)
    df = results.read_results(config_type=CustomParallelConfig, experiment_dir=path)

The experiment folder is ingested into an in-memory DuckDB database (``Results.db``); the frame
and every attribute are built with SQL over its tables. Nothing is written into the folder.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from types import MethodType
from typing import TYPE_CHECKING, Any

import duckdb

from ..database import Database
from ..errors import NothingToIngestError
from ..ingest.pipeline import ingest
from ..store.connection import database_problem
from ..store.sqlfiles import execute, fetch
from ..store.views import refresh_views
from .background_import import BackgroundImport
from .configs import Optim, ParallelConfig

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Results"]

_log = logging.getLogger(__name__)



class _ClassOrInstanceMethod:
    """A method bound to the instance when called on one, else to the class."""

    def __init__(self, func: Callable[..., Any]):
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, obj: object, cls: type) -> MethodType:
        return MethodType(self.func, cls if obj is None else obj)


class Results:
    """The results of an ABLATOR experiment folder, as ABLATOR's ``Results`` gives them.

    ``data`` (and ``read_results``) has one row per (trial_uid, step), sorted by it: ABLATOR's
    flattened config columns (lists as ``.0``, ``.1``, ... columns), then the metrics, typed as
    ABLATOR's pandas.read_json types them (integral metrics int64, ``timestamp`` as dates).
    ``metric_map``, ``numerical_attributes``, ``categorical_attributes`` and ``search_space``
    (attribute -> its declaration as written) come from master_config.yaml; ``db`` is the
    in-memory database everything is read from, open for more SQL (its views are built when
    it is first asked for: the frame reads only the tables).

    Differences from ABLATOR: every trial with a readable config.yaml and at least one complete
    results.json row is included (ABLATOR silently drops a trial whose results.json was cut
    mid-write); failed and running trials' rows are included and ``trial_status`` has every
    trial's status; ``metric_names`` are the metric names; ``config_attrs`` are all config
    columns; when trials' configs differ in keys, all config columns still come before the
    metrics (pandas.concat would append a later trial's keys after them), and metrics that
    never hold a number come last. ``use_ray`` ingests with a pool of local processes (one
    worker per CPU, any number of trials), otherwise in this process. ``cache`` is accepted and
    ignored: nothing is ever written into the experiment folder.

    Raises FileNotFoundError without ``master_config.yaml``, RuntimeError without any result.
    """

    def __init__(
        self,
        config: type[ParallelConfig] | ParallelConfig,
        experiment_dir: str | os.PathLike,
        cache: bool = False,
        use_ray: bool = False,
    ) -> None:
        config_type = config if isinstance(config, type) else type(config)
        if not issubclass(config_type, ParallelConfig):
            raise ValueError("Configuration must be subclassed from ``ParallelConfig``.")
        self.experiment_dir = Path(experiment_dir)
        self._workers = None if use_ray else 1
        self._db, eid, self.trial_status = _load(self.experiment_dir, self._workers)
        self._views_built = False
        from .results_frame import read_frame

        con = self._db.con
        self.data, self.config_attrs = read_frame(con, eid, self.trial_status)
        self.metric_map: dict[str, Optim] = {
            metric: Optim(direction)
            for metric, direction in execute(con, "compat/results_api_optim_metrics",
                                             experiment_id=eid)}
        self.search_space: dict[str, dict[str, Any]] = {
            name: json.loads(spec)
            for name, spec in execute(con, "compat/results_api_search_space", experiment_id=eid)}
        self.numerical_attributes = [k for k, v in self.search_space.items()
                                     if v.get("value_range") is not None]
        self.categorical_attributes = [k for k, v in self.search_space.items()
                                       if v.get("categorical_values") is not None]
        self._assert_cat_attributes(self.categorical_attributes)

    @property
    def db(self) -> Database:
        """The in-memory database of the experiment, its views built at the first call."""
        if not self._views_built:
            refresh_views(self._db.con)
            self._views_built = True
        return self._db

    @property
    def metric_names(self) -> list[str]:
        """The names of the optimised metrics (ABLATOR returns their directions by mistake)."""
        return list(self.metric_map)

    @_ClassOrInstanceMethod
    def read_results(
        self_or_cls: Results | type[Results],
        config_type: type[ParallelConfig] | ParallelConfig,
        experiment_dir: str | os.PathLike,
        num_cpus: int | None = None,
    ) -> pd.DataFrame:
        """The results frame of ``experiment_dir``: a copy of ``data`` for this folder.

        Callable on the class too, as in ABLATOR. ``config_type`` is accepted for compatibility
        (the configuration is read from the folder); ``num_cpus`` is the number of ingest
        workers when another folder is read (default: as ``use_ray`` chose, or one per CPU
        when called on the class).
        """
        if isinstance(self_or_cls, Results):
            if _same_folder(experiment_dir, self_or_cls.experiment_dir):
                from .results_frame import copy_of

                return copy_of(self_or_cls.data)
            workers = num_cpus or self_or_cls._workers
        else:
            workers = num_cpus or None
        db, eid, status = _load(Path(experiment_dir), workers)
        from .results_frame import read_frame

        with db:
            return read_frame(db.con, eid, status)[0]

    def _assert_cat_attributes(self, categorical_attributes: list[str]) -> None:
        """ABLATOR's check: warn when one value of a categorical attribute dominates the rows
        (every other value has at most 20 % of the most frequent one's row count)."""
        import numpy as np

        for attr in categorical_attributes:
            value_counts = self.data[attr].value_counts() if attr in self.data else None
            if value_counts is None or value_counts.empty:
                continue
            unique_values, counts = np.array(value_counts.index), value_counts.values
            imbalance_ratio_cut_off = 0.8
            imbalanced_values = unique_values[counts / counts.max() > (1 - imbalance_ratio_cut_off)]
            if len(imbalanced_values) == 1:
                _log.warning("Imbalanced trials for attr %s and values: %s with counts %s.",
                             attr, unique_values, counts)


def _same_folder(a: str | os.PathLike, b: Path) -> bool:
    return Path(a).expanduser().resolve() == b.expanduser().resolve()


def _load(experiment_dir: Path, workers: int | None) -> tuple[Database, str, pd.DataFrame]:
    """Ingest the folder into a new in-memory database: the database, the experiment's id and
    its trials (``status``, ``n_steps``, ``included`` in the frame), indexed by trial_uid.

    pandas and the frame's modules (only the frame needs them) are imported while the workers
    parse; the views, which the frame does not read, are not built (``Results.db`` builds
    them)."""
    master = experiment_dir / "master_config.yaml"
    if not master.is_file():
        raise FileNotFoundError(f"{master}")
    db = Database(views=False)
    frame_modules = BackgroundImport(f"{__package__}.results_frame", "pyarrow.pandas_compat")
    try:
        try:
            ingest(db.con, [experiment_dir], workers=workers, on_progress=frame_modules,
                   views=False)
        except duckdb.Error as exc:
            raise database_problem(exc, None, unchanged=True) from None
        frame_modules.wait()
        found = execute(db.con, "compat/results_api_experiment",
                      path=str(experiment_dir.expanduser().resolve()))
        trials = (fetch(db.con, "compat/results_api_trials", experiment_id=found[0][0])
                  if found else None)
    except NothingToIngestError:
        found, trials = [], None
    if trials is None or not trials["included"].any():
        db.close()
        raise RuntimeError(f"No results found in {experiment_dir}")
    return db, found[0][0], trials.set_index("trial_uid")
