"""Ingest: experiment folders into the database, incrementally and in one transaction.

The parsers load when there is something to read, and Arrow, the worker pool and the staging
only when there are more than a few trials to read (``few_trials.FEW_TRIALS``; fewer are
parsed here and inserted from lists), so that an ingest with nothing or little changed starts
and ends in a moment; the views are then refreshed for what changed only. Up to
``ARROW_TRIALS`` the workers' Arrow tables stay in memory until the load; beyond, the workers
write them as Parquet files (``reading``).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ..errors import InputError
from ..store.connection import database_problem
from ..store.sqlfiles import execute
from ..store.views import refresh_changed
from .discover import NOT_READ, ExperimentFolder, TrialFolder
from .experiment_rows import (
    INT_COLUMNS,
    insert_directions,
    insert_problems,
    insert_search_space,
    master_integer,
    set_directions,
    text_of,
)
from .few_trials import FEW_TRIALS, Changed, read_few
from .files import FileProblem
from .flatten import to_json
from .list_tables import list_table
from .read_again import StoredTrials, kept_configs, same_config, stored_trials
from .search_space import optim_metrics, search_space_rows, subspace_attributes
from .sources.base import SOURCES, SourceExperiment, SourceTrial
from .sources.detect import Found, find_ingestable
from .summary import IngestReport, collect_report

if TYPE_CHECKING:
    from .parse_trials import Kept

__all__ = ["find_ingestable", "ingest", "settle"]

MIN_BATCH, MAX_BATCH = 32, 400
# At most this many trials to read (and more than FEW_TRIALS) are staged in memory as Arrow
# tables (2,000 trials x 20 epochs: about 60 MB); more as Parquet files the workers write.
ARROW_TRIALS = 5000
_FILE_HEADER = 3 * 4096  # a DuckDB file's main header and its two database headers

@dataclass
class _Plan:
    """What one ingest will do to one experiment."""

    folder: ExperimentFolder | SourceExperiment
    experiment_id: str
    is_new: bool
    read: list[TrialFolder | SourceTrial]
    missing: list[str]
    master_changed: bool
    state_changed: bool
    master: dict[str, Any] | None = None
    config_source: str | None = None
    master_problems: list[tuple[Path, str]] = field(default_factory=list)
    new: set[str] = field(default_factory=set)  # the trials read that had no row
    again: set[str] = field(default_factory=set)  # the trials read that had a row, not missing
    same_config: set[str] = field(default_factory=set)  # of those, config.yaml unchanged
    kept: Kept = field(default_factory=dict)  # of those, the configs kept (read_few only)

    @property
    def changed(self) -> bool:
        return bool(self.read or self.missing or self.master_changed or self.state_changed)


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | os.PathLike],
    *,
    workers: int | None = None,
    scheduler: Any = None,
    full: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    source: str | None = None,
    directions: Mapping[str, str] | None = None,
    found: Found | None = None,
    views: bool = True,
) -> IngestReport:
    """Ingest every experiment found under ``paths`` (``found``: what ``find_ingestable``
    returned for them, when it was asked already); see ``Database.ingest``. ``views`` False:
    the views are left as they were, for a caller that reads only the tables before it
    refreshes them (``refresh_changed`` with every experiment changed as a whole)."""
    started = time.perf_counter()
    now = dt.datetime.now()
    if source is not None and source not in SOURCES:
        raise InputError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
    if directions and not set(directions.values()) <= {"min", "max"}:
        raise InputError("a metric's direction is min or max")
    folders, path_problems = found or find_ingestable(paths, source)
    database_file = _whole_file(con)
    plans = _plan(con, folders, full)
    n_workers = workers or os.cpu_count() or 1
    n_read = sum(len(p.read) for p in plans)
    few = scheduler is None and n_read <= FEW_TRIALS
    stored: dict[str, StoredTrials] = {}
    for plan in plans:
        if few:
            stored[plan.experiment_id] = before = stored_trials(
                con, plan.experiment_id, [t.uid for t in plan.read])
            plan.kept = kept_configs(before, [t for t in plan.read if isinstance(t, TrialFolder)
                                              and t.uid in plan.same_config])
        if isinstance(plan.folder, ExperimentFolder) and (
                plan.master_changed or any(t.uid not in plan.kept for t in plan.read)):
            _load_master(plan)
    batches = _batches(plans, n_workers, lists=few)
    if on_progress:
        on_progress(0, n_read)
    con.execute("BEGIN TRANSACTION")
    try:
        for plan in plans:
            _prepare(con, plan, now, in_place=few)
        changed = Changed()
        if batches and few:
            changed = read_few(con, batches, now, on_progress,
                               kept={p.experiment_id: p.kept.keys() for p in plans},
                               stored=stored)
        elif batches:
            from .reading import read_batches

            read_batches(con, batches, now, workers=n_workers, scheduler=scheduler,
                         in_memory=database_file is None or (
                             scheduler is None and n_read <= ARROW_TRIALS),
                         on_progress=on_progress)
        for plan in plans:
            _finish(con, plan, now, in_place=few)
            if directions:
                set_directions(con, plan.experiment_id, directions)
        if views and (directions or any(plan.changed for plan in plans)):
            refresh_changed(con, {p.experiment_id: None if directions or p.master_changed
                                  else _best_changed(p, changed, few) for p in plans},
                            columns=not few or changed.rows or bool(directions)
                            or any(p.master_changed for p in plans))
        report = collect_report(
            con, [p.experiment_id for p in plans], path_problems,
            read=sum(len(p.read) for p in plans),
            unchanged=sum(len(p.folder.trials) - len(p.read) for p in plans),
            missing=sum(len(p.missing) for p in plans),
        )
        execute(con, "ingest/log_ingest", started_at=now, finished_at=dt.datetime.now(),
                paths=to_json([str(p) for p in paths]), experiments=len(plans),
                trials_read=report.trials_read, trials_unchanged=report.trials_unchanged,
                trials_missing=report.trials_missing, metric_rows=report.metric_rows,
                errors=len(report.skipped))
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # a failed commit or a broken connection rolls back by itself
        raise
    return replace(report, elapsed=time.perf_counter() - started,
                   settled=few and _settled(plans, changed))


def settle(con: duckdb.DuckDBPyConnection, found: Found, report: IngestReport) -> bool:
    """Whether an ingest of ``found`` would now change nothing (no trial to read or mark
    missing, no experiment file changed), after the ingest of ``found`` that returned
    ``report``; if so, checkpoint the database, so that closing it writes nothing more. Asked
    of the database when that ingest read or marked trials; else it stored every fingerprint
    it met as it met it, or it could tell (``IngestReport.settled``)."""
    if (report.trials_read or report.trials_missing) and not report.settled and any(
            plan.changed for plan in _plan(con, found[0], full=False)):
        return False
    execute(con, "ingest/checkpoint")
    return True


def _settled(plans: list[_Plan], changed: Changed) -> bool:
    """Whether trials read in this process (``read_few``) left nothing to read: a plan made now
    would read no trial again when each trial read has its row written once, with the
    fingerprint it was found with (and no other trial has its uid); the experiments' rows and
    the trials marked missing are written as planned."""
    if len({p.experiment_id for p in plans}) < len(plans):
        return False
    for plan in plans:
        if len({t.uid for t in plan.folder.trials}) < len(plan.folder.trials) or sorted(
                changed.written.get(plan.experiment_id, [])) != sorted(
                (t.uid, t.fingerprint) for t in plan.read):
            return False
    return True


def _whole_file(con: duckdb.DuckDBPyConnection) -> str | None:
    """The database's file (None in memory), refused when cut short. An ingest reads only
    what it changes, so it would not otherwise meet the blocks that are gone (DuckDB reads a
    block when it is used)."""
    ((path, block_size, blocks),) = execute(con, "ingest/database_blocks")
    if path is not None and os.path.getsize(path) < _FILE_HEADER + block_size * blocks:
        raise database_problem(duckdb.IOException(
            f"Could not read enough bytes from file {path!r}: it is {os.path.getsize(path)} "
            f"bytes long and uses {blocks} blocks of {block_size} bytes"), Path(path))
    return path


def _plan(con: duckdb.DuckDBPyConnection,
          folders: Sequence[ExperimentFolder | SourceExperiment], full: bool
          ) -> list[_Plan]:
    existing = {row[1]: row for row in execute(con, "ingest/experiment_ids")}
    taken = {row[0] for row in existing.values()}
    plans = []
    for folder in folders:
        row = existing.get(str(folder.path))
        if row is None:
            name = folder.name if isinstance(folder, SourceExperiment) else folder.path.name
            experiment_id = _unique(name, taken)
            taken.add(experiment_id)
            known: dict[str, tuple[str, str]] = {}
        else:
            experiment_id = row[0]
            known = {uid: (fp, status) for uid, fp, status in
                     execute(con, "ingest/known_trials", experiment_id=experiment_id)}
        present = {t.uid for t in folder.trials}
        read: list[TrialFolder | SourceTrial] = [t for t in folder.trials
                if full or known.get(t.uid, ("", ""))[0] != t.fingerprint
                or known[t.uid][1] == "missing"]
        missing = sorted(uid for uid, (_, status) in known.items()
                         if uid not in present and status != "missing")
        master_changed = full or row is None or row[2] != folder.fingerprint
        state_changed = full or row is None or row[3] != folder.state_fingerprint
        again = {t.uid for t in read if known.get(t.uid, ("", "missing"))[1] != "missing"}
        plans.append(_Plan(folder, experiment_id, row is None, read, missing,
                           master_changed, state_changed,
                           new={t.uid for t in read if t.uid not in known}, again=again,
                           same_config=set() if master_changed or isinstance(
                               folder, SourceExperiment) else {
                               t.uid for t in read if t.uid in again
                               and same_config(known[t.uid][0], t.fingerprint)}))
    return plans


def _best_changed(plan: _Plan, changed: Changed, few: bool) -> list[str]:
    """The trials of ``plan`` whose ``trial_best_cache`` rows may have changed: every trial
    read, or read in this process (``few``), the new ones and those whose metrics changed."""
    if not few:
        return [t.uid for t in plan.read]
    metrics = changed.metrics.get(plan.experiment_id, set())
    return [t.uid for t in plan.read if t.uid in plan.new or t.uid in metrics]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _load_master(plan: _Plan) -> None:
    """Read master_config.yaml, or fall back to a trial's config when it is missing or bad."""
    from .yaml_config import load_config

    folder = plan.folder
    assert isinstance(folder, ExperimentFolder)  # only ABLATOR folders have one
    master_path = folder.master_config or folder.path / "master_config.yaml"
    notes: list[str] = []
    try:
        plan.master = load_config(master_path, notes)
        plan.config_source = "master_config.yaml"
        plan.master_problems += [(master_path, note) for note in notes]
        return
    except FileProblem as exc:
        reason = str(exc)
    for trial in folder.trials:
        try:
            plan.master = load_config(Path(trial.path) / "config.yaml")
        except FileProblem:
            continue
        plan.config_source = f"{trial.uid}/config.yaml"
        reason += f"; search space and metric directions taken from {plan.config_source}"
        break
    plan.master_problems.append((master_path, reason))


def _batches(plans: list[_Plan], workers: int, *, lists: bool
             ) -> list[tuple[str, tuple, Callable]]:
    """The jobs that read ``plans``' trials; ``lists``: ABLATOR's parser returns plain lists
    (for ``few_trials``), not Arrow arrays."""
    total = sum(len(p.read) for p in plans)
    size = min(MAX_BATCH, max(MIN_BATCH, math.ceil(total / (workers * 8))))
    jobs = []
    for plan in plans:
        if not plan.read:
            continue
        if isinstance(plan.folder, SourceExperiment):
            assert plan.folder.reader is not None  # a source with trials has a reader
            parse = plan.folder.reader.parse
        else:
            from .parse_trials import parse_batch

            parse = partial(parse_batch, keep_whole=subspace_attributes(plan.master or {}),
                            arrow=not lists, kept=plan.kept)
        for start in range(0, len(plan.read), size):
            jobs.append((plan.experiment_id, tuple(plan.read[start:start + size]), parse))
    return jobs


def _prepare(con: duckdb.DuckDBPyConnection, plan: _Plan, now: dt.datetime, *,
             in_place: bool) -> None:
    """Clear what will be re-read and mark vanished trials, before new rows arrive;
    ``in_place``: the rows of the trials read are kept, to be changed where they differ
    (``few_trials.read_few``)."""
    eid = plan.experiment_id

    def clear() -> None:
        execute(con, "ingest/delete_trials", experiment_id=eid)
        execute(con, "ingest/delete_trial_rows", experiment_id=eid)

    if plan.read and not in_place:
        _with_table(con, "replaced_trials", {"trial_uid": [t.uid for t in plan.read]}, clear)
    if plan.missing:
        _with_table(con, "replaced_trials", {"trial_uid": plan.missing},
                    lambda: execute(con, "ingest/mark_missing", experiment_id=eid, now=now))


def _finish(con: duckdb.DuckDBPyConnection, plan: _Plan, now: dt.datetime, *,
            in_place: bool) -> None:
    """Experiment rows, search space, metric directions and statuses (``in_place``: of the
    trials read whose row was updated in place, ``update_trials`` kept the state db's part,
    the same while the state dbs are)."""
    eid, folder = plan.experiment_id, plan.folder
    if plan.master_changed and isinstance(folder, SourceExperiment):
        _replace_source_experiment(con, eid, folder, now)
    elif plan.master_changed and isinstance(folder, ExperimentFolder):
        master = plan.master or {}
        master_path = folder.master_config or folder.path / "master_config.yaml"
        notes: list[str] = []
        integers = {key: master_integer(master, key, notes) for key in INT_COLUMNS}
        execute(
            con, "ingest/replace_experiment", experiment_id=eid, path=str(plan.folder.path),
            search_algo=text_of(master.get("search_algo")),
            optim_metric_name=text_of(master.get("optim_metric_name")),
            master_config=to_json(plan.master) if plan.master is not None else None,
            now=now, config_source=plan.config_source,
            ablator_experiment_id=text_of(master.get("experiment_id")),
            master_fingerprint=plan.folder.fingerprint, master_path=str(master_path),
            source="ablator", **integers,
        )
        insert_search_space(con, eid, search_space_rows(master, notes))
        directions = optim_metrics(master, notes)
        insert_problems(con, eid, plan.master_problems + [(master_path, note)
                                                           for note in notes], now)
        insert_directions(con, eid, directions)
    execute(con, "ingest/clear_folder_errors", experiment_id=eid, reason=NOT_READ)
    insert_problems(con, eid, list(plan.folder.unreadable), now)
    restated = [t.uid for t in plan.read if not in_place or t.uid not in plan.again]
    if (plan.state_changed or plan.read) and isinstance(plan.folder, SourceExperiment):
        execute(con, "ingest/source_status", experiment_id=eid, source=plan.folder.source)
    elif plan.state_changed or restated:
        from .statuses import update_status

        assert isinstance(folder, ExperimentFolder)  # other sources record statuses themselves
        update_status(con, eid, folder, restated, plan.state_changed, now)
    if plan.changed:
        execute(con, "ingest/touch_experiment", experiment_id=eid, now=now,
                state_fingerprint=plan.folder.state_fingerprint)


def _replace_source_experiment(con: duckdb.DuckDBPyConnection, eid: str,
                               experiment: SourceExperiment, now: dt.datetime) -> None:
    """The experiment rows of a source other than ABLATOR: what its reader found."""
    description = experiment.description
    optimised = experiment.directions[0][0] if experiment.directions else None
    execute(con, "ingest/replace_experiment", experiment_id=eid, path=experiment.path,
            search_algo=None, optim_metric_name=optimised, master_config=to_json(description),
            now=now, config_source=description.get("search_space"), ablator_experiment_id=None,
            master_fingerprint=experiment.fingerprint, master_path=experiment.path,
            total_trials=None, random_seed=None, source=experiment.source)
    insert_search_space(con, eid, experiment.search_space)
    insert_problems(con, eid, experiment.problems, now)
    insert_directions(con, eid, experiment.directions)


def _with_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list],
                run: Callable[[], object], kinds: dict[str, str] | None = None) -> None:
    """``columns`` as the temporary table ``name`` while ``run`` executes (see
    ``few_trials.list_table``)."""
    with list_table(con, name, columns, kinds):
        run()
