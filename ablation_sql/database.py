"""The Database: one DuckDB database holding ingested experiments; the user's entry point
(``asql.connect``). A facade over the layers below it (``store``, ``ingest``, ``queries``,
``effects``, ``plots``, ``report``), which take its connection and never import it; ``compat`` and
``cli`` sit above. Each ``ablation-sql`` command has its method here (``plot``, ``report``,
``export``, ...)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .errors import AblationSQLError, DatabaseError, InputError
from .queries import NamedQuery, load_queries, run_query
from .store.connection import database_problem, open_connection
from .store.fetch import fetch_frame, one_line
from .store.views import refresh_views

if TYPE_CHECKING:
    import pandas as pd

    from .effects import Comparison, Effects, Repeats, Settle
    from .effects.ablation_result import Ablation
    from .ingest.sources.detect import Found
    from .ingest.summary import IngestReport
    from .plots.database_figures import PlotRun, Remap

__all__ = ["Database", "connect", "database_problem"]


class Database:
    """A DuckDB database of experiments: ingest folders, query with SQL.

    ``allow_files``: whether SQL may reach files and the network (``COPY ... TO``, ``read_csv``,
    ``glob``, ``ATTACH``, ``INSTALL``/``LOAD``, ...). By default only a read-write database
    may; a read-only one is sandboxed: DuckDB's external access is off and its configuration
    locked, so SQL reads and writes nothing but the database itself. ``views`` False: a
    read-write database is opened without building its views (``refresh_views`` builds them).
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False,
                 allow_files: bool | None = None, views: bool = True):
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self.allow_files = not read_only if allow_files is None else allow_files
        self.con = open_connection(self.path, read_only=read_only,
                                   allow_files=self.allow_files, views=views)
        self._engine: Any = None  # a sqlalchemy Engine, made when first asked for

    @property
    def engine(self):
        """A SQLAlchemy engine on this same database (works with ``pandas.read_sql``)."""
        if self._engine is None:
            from duckdb_engine import ConnectionWrapper
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            self._engine = create_engine(
                "duckdb://", creator=lambda: ConnectionWrapper(self.con.cursor()),
                poolclass=NullPool,
            )
        return self._engine

    def sql(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None
            ) -> pd.DataFrame:
        """Run SQL (``?``/``$1`` or ``$name`` parameters) and return a DataFrame."""
        try:
            return fetch_frame(self.con, query, params)
        except duckdb.Error as exc:
            raise AblationSQLError(one_line(exc)) from None

    def query(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run the named query ``name`` (``ablation-sql queries`` lists them) as a DataFrame.

        Parameters are converted to their declared types and bound, never formatted into SQL:
        ``db.query("top_trials", metric="val_accuracy", k=10)``.
        """
        return run_query(self.con, name, **params)

    def queries(self) -> dict[str, NamedQuery]:
        """The named queries, by name: ``.description``, ``.params`` and ``.sql`` of each."""
        return load_queries()

    def effects(self, metric: str, experiment: str | None = None, policy: str = "best", *,
                n_boot: int = 1000, seed: int = 0, k: int = 5, direction: str | None = None
                ) -> Effects:
        """Effects of each attribute on ``metric``: marginal, adjusted, importance, checks and
        findings (see ``ablation_sql.effects``); seeded bootstraps of ``n_boot`` resamples."""
        from .effects import effects

        return effects(self, metric, experiment, policy, n_boot=n_boot, seed=seed, k=k,
                       direction=direction)

    def ablation(self, metric: str, source: Any = None, target: Any = None,
                 experiment: str | None = None, policy: str = "best", *, resamples: int = 200,
                 seed: int = 0, top: float = 0.1, k: int = 5, direction: str | None = None,
                 fit_trials: int = 2000) -> Ablation:
        """From ``source`` (default: the master config's defaults) to ``target`` (default: the
        best used trial; each a trial_uid or a mapping of attributes to values): each
        attribute's Shapley contribution on a cross-validated surrogate, the greedy path,
        interactions and top-quantile importance, with intervals from ``resamples`` seeded
        bootstrap refits of the surrogate, fitted on at most ``fit_trials`` used trials (see
        ``ablation_sql.effects.ablation``)."""
        from .effects.ablation import ablation

        return ablation(self, metric, source, target, experiment, policy, resamples=resamples,
                        seed=seed, top=top, k=k, direction=direction, fit_trials=fit_trials)

    def repeats(self, metric: str, experiment: str | None = None, policy: str = "best", *,
                k: int = 5, direction: str | None = None,
                seed_attributes: list[str] | None = None, min_seeds: int = 3,
                against: str = "best", n_boot: int = 2000, seed: int = 0) -> Repeats:
        """Every configuration (trials equal but for their seed attributes) on ``metric``: n,
        mean, sd, IQM with intervals, each against the best (of those with ``min_seeds``
        seeds) or the baseline (see ``ablation_sql.effects.repeat_result``)."""
        from .effects import repeats

        return repeats(self, metric, experiment=experiment, policy=policy, k=k,
                       direction=direction, seed_attributes=seed_attributes,
                       min_seeds=min_seeds, against=against, n_boot=n_boot, seed=seed)

    def compare(self, a: str, b: str, metric: str, experiment: str | None = None,
                policy: str = "best", *, k: int = 5, direction: str | None = None,
                seed_attributes: list[str] | None = None) -> Comparison:
        """Configuration ``a`` against ``b`` (a key, key prefix or trial_uid): difference of
        means and P(a better than b), each with a 95 % interval."""
        from .effects import compare

        return compare(self, a, b, metric, experiment=experiment, policy=policy, k=k,
                       direction=direction, seed_attributes=seed_attributes)

    def settle(self, metric: str, experiment: str | None = None, policy: str = "best", *,
               k: int = 5, top_k: int = 5, direction: str | None = None,
               method: str = "spearman", tolerance: float | None = None) -> Settle:
        """Per step, the rank correlation (``method``: spearman or kendall; 95 % CI) of the
        trials' ranking with the final one, and the first step from which the top ``top_k``
        and the winner stay within ``tolerance`` (None: the noise's) of the final ones (see
        ``ablation_sql.effects.settle``)."""
        from .effects import settle

        return settle(self, metric, experiment=experiment, policy=policy, k=k, top_k=top_k,
                      direction=direction, method=method, tolerance=tolerance)

    def plot(self, out: str | os.PathLike, *, metrics: Sequence[str] | None = None,
             remap: str | os.PathLike | Remap | None = None, format: str = "png",
             policy: str = "best", experiment: str | None = None, rows: str = "trial",
             direction: str | None = None,
             statuses: Sequence[str] | None = ("complete",), repeats: bool = True
             ) -> PlotRun:
        """Write the line, violin, parallel-coordinates and repeats figures under ``out`` (as
        ``ablation-sql plot``; options in ``plots.database_figures.plot_database``);
        ``print(run.summary())`` says what was drawn."""
        from .plots.database_figures import plot_database

        return plot_database(self.con, out, metrics=metrics, remap=remap, format=format,
                             policy=policy, experiment=experiment, rows=rows,
                             direction=direction, statuses=statuses, repeats=repeats)

    def report(self, out: str | os.PathLike, *, experiments: list[str] | None = None,
               top_k: int = 10, n_boot: int = 1000, seed: int = 0) -> Path:
        """Write the static HTML report of ``experiments`` (default: all) to
        ``out/index.html`` (as ``ablation-sql report``); returns the page's path."""
        from .report import build_report

        return build_report(self.con, out, database=str(self.path or "in memory"),
                            experiments=experiments, top_k=top_k, n_boot=n_boot, seed=seed)

    def export(self, out: str | os.PathLike, format: str = "parquet") -> list[Path]:
        """Write every table and view to ``out/<name>.<format>`` (parquet or csv; as
        ``ablation-sql export``); returns the files written. Needs ``allow_files``."""
        from .store.export import export_database

        return export_database(self.con, out, format)

    def refresh_views(self) -> None:
        """Regenerate the views (done by every ingest; call it after changing tables by hand)."""
        if self.read_only:
            raise InputError("the database is open read-only; cannot refresh its views")
        refresh_views(self.con)

    def ingest(
        self,
        *paths: str | os.PathLike,
        workers: int | None = None,
        scheduler: Any = None,
        full: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
        source: str | None = None,
        directions: Mapping[str, str] | None = None,
        found: Found | None = None,
    ) -> IngestReport:
        """Ingest experiments (ABLATOR folders, Optuna storages, Ray Tune experiments, MLflow
        stores, or folders holding several) in one transaction.

        Unchanged trials are not re-read unless ``full``; ``scheduler`` may be a
        ``distributed.Client`` or a scheduler address (default: a local pool of ``workers``
        processes, no Dask);
        ``source`` reads every path as that kind (``ablator``, ``optuna``, ``ray``,
        ``mlflow``) instead of telling it by content; ``directions`` ({metric: "min"|"max"})
        replace or add the optimised metrics of every experiment ingested; ``found`` is what
        ``find_ingestable(paths, source)`` returned for them, when it was asked already.
        """
        if self.read_only:
            raise InputError("the database is open read-only; cannot ingest")
        from .ingest.pipeline import ingest

        try:
            return ingest(self.con, list(paths), workers=workers, scheduler=scheduler,
                          full=full, on_progress=on_progress, source=source,
                          directions=directions, found=found)
        except duckdb.Error as exc:
            raise database_problem(exc, self.path, unchanged=True) from None
        except OSError as exc:  # the parsed data could not be staged in the temporary folder
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise DatabaseError(f"ingest stopped: {exc.strerror or exc} "
                                f"({exc.filename or 'temporary files'}); the database is "
                                "unchanged: free space (or set TMPDIR) and run it again"
                                ) from None

    def close(self) -> None:
        """Close the connection (and the engine, if one was made)."""
        if self._engine is not None:
            self._engine.dispose()
        try:
            self.con.close()
        except duckdb.Error as exc:
            raise database_problem(exc, self.path) from None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path) if self.path else ':memory:'!r})"


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            allow_files: bool | None = None) -> Database:
    """Open (or create) a database file; in memory when ``path`` is None. A read-only
    database's SQL reaches no file and no network unless ``allow_files`` (see ``Database``)."""
    return Database(path, read_only=read_only, allow_files=allow_files)
