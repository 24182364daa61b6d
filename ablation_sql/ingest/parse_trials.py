"""Parsing a batch of trial folders into columns (runs in Dask workers).

The large tables are built compactly: each trial's uid once with its count of rows, metric
names and config values dictionary-encoded, and a config's top-level entries turned into JSON
and params rows once per distinct entry text (``yaml_entries``). Metric values are kept as
parsed (int, float, NaN or None) until ``batch_tables`` makes them doubles, with NaN and None
as NULL.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Mapping, Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any, TypeGuard

from .batch_columns import PARAM_COLUMNS, TABLE_COLUMNS, Batch, new_batch
from .discover import TrialFolder
from .files import FileProblem, read_text
from .flatten import flatten, param_row, to_json
from .huge_ints import huge_int_note, json_decoder
from .results_json import ResultsFile, parse_results
from .train_log import failure_reason

__all__ = ["config_uid", "infer_status", "parse_batch"]

_NUMBER_TYPES = {float, int, type(None)}
_METADATA_DECODER = json_decoder()
_METRIC_VALUES = ("step", "name", "value")
_Problem = Callable[[str, str], None]
# A trial's config as stored (its JSON, or None) and its config.yaml's problems, by trial_uid
Kept = Mapping[str, tuple[str | None, list[str]]]


def config_uid(trial_uid: str) -> str:
    """The key of a trial in ABLATOR's state db: the first two groups of its trial_uid."""
    return "_".join(trial_uid.split("_")[:2])


def parse_batch(trials: Sequence[TrialFolder], keep_whole: frozenset[str], *,
                arrow: bool = True, kept: Kept | None = None) -> Batch:
    """Read every trial folder of the batch; problems become rows of ``errors``. With
    ``arrow``, the params and metrics columns are compact Arrow arrays (for the workers);
    without, plain lists (for a few trials read in the ingest's process, without Arrow).
    The trials in ``kept`` (their config.yaml unchanged) are given their stored config and
    its problems, and no params rows: their config.yaml is not read."""
    batch = new_batch()
    params: dict[str, list] = {c: [] for c in PARAM_COLUMNS}
    metrics: dict[str, list] = {c: [] for c in _METRIC_VALUES}
    counts: dict[str, list[int]] = {"params": [], "metrics": []}
    collect = gc.isenabled()
    gc.disable()  # millions of short-lived containers: the cyclic collector only slows this down
    try:
        for trial in trials:
            _parse_trial(trial, keep_whole, batch, params, metrics, counts, kept or {})
    finally:
        if collect:
            gc.enable()
    uids = batch["trials"]["trial_uid"]
    for table, columns in (("params", params), ("metrics", metrics)):
        if arrow:
            batch[table] = _columns(table, uids, counts[table], columns)
        else:
            each = chain.from_iterable(map(repeat, uids, counts[table]))
            batch[table] = {c: list(each) if c == "trial_uid" else columns[c]
                            for c in TABLE_COLUMNS[table]}
    return batch


def _columns(table: str, uids: list[str], counts: list[int], columns: dict[str, list]
             ) -> dict[str, Any]:
    """A table's columns as Arrow arrays, in their order: each trial's uid once with its count
    of rows, text dictionary-encoded, numbers by their kind."""
    from .batch_tables import coded, repeated_each, to_arrow

    kinds = TABLE_COLUMNS[table]
    trial_uid = repeated_each(uids, counts)
    numbers = to_arrow({c: v for c, v in columns.items() if kinds[c] != "str"}, kinds)
    return {c: trial_uid if c == "trial_uid" else coded(columns[c]) if kinds[c] == "str"
            else numbers[c].combine_chunks() for c in kinds}


def infer_status(results: ResultsFile | None) -> str:
    """What the files alone say about a trial's state."""
    if results is None:
        return "waiting"
    if results.truncated:
        return "running"
    if results.problem and not results.rows:
        return "unknown"
    if not results.rows:
        return "waiting"
    last = results.rows[-1]
    epoch, epochs = last.get("current_epoch"), last.get("epochs")
    if _is_number(epoch) and _is_number(epochs) and epoch < epochs:
        return "unknown"
    return "complete"


def _parse_trial(trial: TrialFolder, keep_whole: frozenset[str], batch: Batch,
                 params: dict[str, list], metrics: dict[str, list],
                 counts: dict[str, list[int]], kept: Kept) -> None:
    folder, uid = trial.path, trial.uid
    errors = batch["errors"]

    def problem(path: str, reason: str) -> None:
        errors["trial_uid"].append(uid)
        errors["path"].append(path)
        errors["error"].append(reason)

    config_path = os.path.join(folder, "config.yaml")
    config_json, n_params = None, 0
    if uid in kept:
        config_json, reasons = kept[uid]
        for reason in reasons:
            problem(config_path, reason)
    else:
        try:
            config_json, n_params = _read_config(Path(config_path), keep_whole, params, problem)
        except FileProblem as exc:
            problem(config_path, str(exc))
    counts["params"].append(n_params)

    results: ResultsFile | None = None
    results_path = os.path.join(folder, "results.json")
    n_metrics = 0
    try:
        results = parse_results(read_text(Path(results_path)))
    except FileProblem as exc:
        if os.path.exists(results_path):
            results = ResultsFile([], False, problem=str(exc))
        problem(results_path, str(exc))
    else:
        if results.problem:
            problem(results_path, results.problem)
        n_metrics = _add_metrics(uid, results.rows, metrics, batch["metrics_other"])
    counts["metrics"].append(n_metrics)

    metadata_json = _read_metadata(os.path.join(folder, "metadata.json"), problem)

    rows = batch["trials"]
    rows["trial_uid"].append(uid)
    rows["path"].append(folder)
    rows["inferred_status"].append(infer_status(results))
    rows["n_steps"].append(len(results.rows) if results else 0)
    rows["results_complete"].append(bool(results and results.complete))
    rows["config"].append(config_json)
    rows["config_uid"].append(config_uid(uid))
    rows["metadata"].append(metadata_json)
    rows["fingerprint"].append(trial.fingerprint)
    rows["failure_reason"].append(failure_reason(Path(folder, "train.log")))


def _read_config(path: Path, keep_whole: frozenset[str], params: dict[str, list],
                 problem: _Problem) -> tuple[str, int]:
    """The config as JSON and the count of its params rows (appended to ``params``). The YAML
    readers are imported here, when a config is read."""
    from .config_entries import config_rows
    from .yaml_config import MAX_CONFIG_BYTES, parse_config

    text = read_text(path, max_bytes=MAX_CONFIG_BYTES)
    out = [params[c] for c in PARAM_COLUMNS]
    if found := config_rows(text, keep_whole):
        config_json, entries = found
        before = len(out[0])
        for values, *columns in zip(out, *entries, strict=True):  # every entry's part
            values.extend(chain.from_iterable(columns))
        return config_json, len(out[0]) - before
    notes: list[str] = []
    config = parse_config(text, path.name, notes)
    for note in notes:
        problem(str(path), note)
    rows = [(name, *param_row(value)) for name, value in flatten(config, keep_whole)]
    for values, column in zip(out, zip(*rows, strict=True), strict=False):
        values.extend(column)
    return to_json(config), len(rows)


def _add_metrics(uid: str, rows: list[dict], metrics: dict[str, list], other: dict) -> int:
    """Numbers (and JSON nulls) go to metrics as they are, anything else to metrics_other;
    returns the count of metrics rows added."""
    m_step, m_name, m_value = (metrics[c] for c in _METRIC_VALUES)
    n = len(m_step)
    for step, row in enumerate(rows):
        values = row.values()
        if set(map(type, values)) <= _NUMBER_TYPES:
            m_step.extend([step] * len(row))
            m_name.extend(row)
            m_value.extend(values)
            continue
        for name, value in row.items():
            if type(value) in _NUMBER_TYPES:
                m_step.append(step)
                m_name.append(name)
                m_value.append(value)
            else:
                other["trial_uid"].append(uid)
                other["step"].append(step)
                other["name"].append(name)
                other["value"].append(to_json(value))
    return len(m_step) - n


def _read_metadata(path: str, problem: _Problem) -> str | None:
    try:
        text = read_text(Path(path))
        try:
            data = json.loads(text)
        except ValueError as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise
            data = _METADATA_DECODER.decode(text)  # an integer too long to convert
            if note := huge_int_note(data, "metadata.json"):
                problem(path, note)
        return to_json(data)
    except FileProblem as exc:
        if os.path.lexists(path):  # optional; a dangling or looping symlink is there, refused
            problem(path, str(exc))
    except (json.JSONDecodeError, RecursionError) as exc:
        problem(path, f"metadata.json is not valid JSON: {getattr(exc, 'msg', exc)}")
    return None


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
