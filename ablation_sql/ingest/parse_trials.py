"""Parsing a batch of trial folders into column lists (runs in Dask workers).

Metric values are kept as parsed (int, float, NaN or None); ``batch_tables`` makes them
doubles, with NaN and None as NULL.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeGuard

from .batch_columns import TABLE_COLUMNS, Batch, new_batch
from .discover import TrialFolder
from .files import FileProblem, read_text
from .flatten import flatten, param_row, to_json
from .huge_ints import huge_int_note, json_decoder
from .results_json import ResultsFile, parse_results
from .train_log import failure_reason
from .yaml_config import load_config

__all__ = ["infer_status", "parse_batch"]

_NUMBER_TYPES = {float, int, type(None)}
_METADATA_DECODER = json_decoder()


def parse_batch(trials: Iterable[TrialFolder], keep_whole: frozenset[str]) -> Batch:
    """Read every trial folder of the batch; problems become rows of ``errors``."""
    batch = new_batch()
    collect = gc.isenabled()
    gc.disable()  # millions of short-lived containers: the cyclic collector only slows this down
    try:
        for trial in trials:
            _parse_trial(trial, keep_whole, batch)
    finally:
        if collect:
            gc.enable()
    return batch


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


def _parse_trial(trial: TrialFolder, keep_whole: frozenset[str], batch: Batch) -> None:
    folder = Path(trial.path)
    uid = trial.uid
    errors = batch["errors"]

    def problem(path: Path, reason: str) -> None:
        errors["trial_uid"].append(uid)
        errors["path"].append(str(path))
        errors["error"].append(reason)

    config_json = None
    notes: list[str] = []
    try:
        config = load_config(folder / "config.yaml", notes)
    except FileProblem as exc:
        problem(folder / "config.yaml", str(exc))
    else:
        for note in notes:
            problem(folder / "config.yaml", note)
        config_json = to_json(config)
        _add_params(uid, config, keep_whole, batch["params"])

    results: ResultsFile | None = None
    try:
        results = parse_results(read_text(folder / "results.json"))
    except FileProblem as exc:
        if (folder / "results.json").exists():
            results = ResultsFile([], False, problem=str(exc))
        problem(folder / "results.json", str(exc))
    else:
        if results.problem:
            problem(folder / "results.json", results.problem)
        _add_metrics(uid, results.rows, batch["metrics"], batch["metrics_other"])

    metadata_json = _read_metadata(folder / "metadata.json", problem)

    rows = batch["trials"]
    rows["trial_uid"].append(uid)
    rows["path"].append(trial.path)
    rows["inferred_status"].append(infer_status(results))
    rows["n_steps"].append(len(results.rows) if results else 0)
    rows["results_complete"].append(bool(results and results.complete))
    rows["config"].append(config_json)
    rows["config_uid"].append("_".join(uid.split("_")[:2]))
    rows["metadata"].append(metadata_json)
    rows["fingerprint"].append(trial.fingerprint)
    rows["failure_reason"].append(failure_reason(folder / "train.log"))


def _add_params(uid: str, config: dict, keep_whole: frozenset[str], out: dict) -> None:
    for name, value in flatten(config, keep_whole):
        as_json, as_double, as_text, kind = param_row(value)
        out["trial_uid"].append(uid)
        out["name"].append(name)
        out["value"].append(as_json)
        out["value_double"].append(as_double)
        out["value_text"].append(as_text)
        out["value_type"].append(kind)


def _add_metrics(uid: str, rows: list[dict], metrics: dict, other: dict) -> None:
    """Numbers (and JSON nulls) go to metrics as they are; anything else to metrics_other."""
    m_uid, m_step, m_name, m_value = (metrics[c] for c in TABLE_COLUMNS["metrics"])
    for step, row in enumerate(rows):
        values = row.values()
        if set(map(type, values)) <= _NUMBER_TYPES:
            m_uid.extend([uid] * len(row))
            m_step.extend([step] * len(row))
            m_name.extend(row)
            m_value.extend(values)
            continue
        for name, value in row.items():
            if type(value) in _NUMBER_TYPES:
                m_uid.append(uid)
                m_step.append(step)
                m_name.append(name)
                m_value.append(value)
            else:
                other["trial_uid"].append(uid)
                other["step"].append(step)
                other["name"].append(name)
                other["value"].append(to_json(value))


def _read_metadata(path: Path, problem) -> str | None:
    if not os.path.lexists(path):  # a dangling or looping symlink is there, and refused
        return None
    try:
        text = read_text(path)
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
        problem(path, str(exc))
    except (json.JSONDecodeError, RecursionError) as exc:
        problem(path, f"metadata.json is not valid JSON: {getattr(exc, 'msg', exc)}")
    return None


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
