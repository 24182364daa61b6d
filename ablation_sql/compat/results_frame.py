"""The Results API's frame, built with SQL: ABLATOR's columns (flattened config, then metrics),
dtypes and (trial_uid, step) index, as ``pandas.read_json`` and ABLATOR's flattening give them.

The columns are found from the params and metrics tables (``results_api_*.sql``); two generated
queries (their column lists filled in) read them: the config columns once per trial
(``results_api_config_frame.sql``), the steps with the metrics' values that are not numbers
(``results_api_step_frame.sql``). The metrics' numbers are read as (frame row, metric, value)
rows (``results_api_metric_values.sql``) and put in their cells with numpy, and each trial's
config row is repeated once per step in Arrow: neither is pivoted or joined in SQL. The config
side and the metrics side share no query: they are read at the same time, in two threads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ..store.connection import duckdb_threads, read_beside
from ..store.grammar import SqlFile
from ..store.sqlfiles import execute, fetch_arrow, fill

__all__ = ["copy_of", "read_frame"]

_MAX_INT64 = 2**63
# pandas.read_json (which ABLATOR uses) parses numeric columns named like dates as epochs when
# every value is above one year of seconds, in the first unit that fits in datetime64[ns].
_DATE_NAME = re.compile(r"(?i).*_at|.*_time|timestamp.*|modified|date|datetime")
_MIN_STAMP = 31536000
_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
# From pandas 3, Copy-on-Write is always on: a shallow copy behaves as a deep one.
_COPY_ON_WRITE = int(pd.__version__.split(".")[0]) >= 3


@dataclass(frozen=True)
class _Column:
    """A frame column: name, kind, and where the value comes from.

    ``source`` is the params or metrics name; ``table`` the frame query's CTE alias that
    aggregates it (p: scalar params, l: list params, m: metrics); ``pointer`` a JSON pointer
    into a list-valued param.
    """

    name: str
    kind: str
    source: str
    table: str
    pointer: str = ""


def read_frame(con: duckdb.DuckDBPyConnection, eid: str, trials: pd.DataFrame
                ) -> tuple[pd.DataFrame, list[str]]:
    """The frame (ABLATOR's columns and index) and its config column names. The config
    columns are read here while a thread reads the metrics' on a cursor of its own (the two
    share no query), so that both cores work, DuckDB on one thread meanwhile: its queries here
    are small, and splitting them costs more than it saves."""
    with duckdb_threads(con, 1), read_beside(con, _metric_part, eid) as metric_side:
        config, per_trial, values = _config_part(con, eid, int(trials["included"].sum()))
        metrics, per_step, numbers = metric_side.result()
    columns = config + metrics
    config_values = [None if column.kind == "null" else values[i] if i in values
                     else per_trial[f"c{i}"] for i, column in enumerate(config)]
    kinds = _number_kinds(metrics, numbers)
    table = _frame_table(per_trial["n_steps"], config_values, per_step, numbers, kinds
                         ).to_pandas()
    frame = table.iloc[:, 2:len(columns) + 2].set_axis(range(len(columns)), axis=1)
    for i, column in enumerate(columns):
        if column.kind == "json":
            other = table.get(f"o{i - len(config)}") if column.table == "m" else None
            frame.isetitem(i, _from_json(frame[i], other))
        elif column.table == "m" and kinds[i - len(config)] in _NS_PER_UNIT:
            unit = kinds[i - len(config)]
            frame.isetitem(i, pd.to_datetime(frame[i], unit=unit).astype("datetime64[ns]"))
    frame.columns = [c.name for c in columns]
    frame.index = pd.MultiIndex.from_arrays([table["trial_uid"], table["step"]],
                                            names=["trial_uid", "step"])
    return frame, [c.name for c in config]


def copy_of(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` that changes apart from it: with Copy-on-Write a lazy one (its data
    copied only where either is changed), else a deep one."""
    return frame.copy(deep=not _COPY_ON_WRITE)


def _config_part(con: duckdb.DuckDBPyConnection, eid: str, n_trials: int
                 ) -> tuple[list[_Column], pa.Table, dict[int, pa.Array]]:
    """The config columns, their list-valued and never-set columns (one row per trial) and
    their plain values (by column index)."""
    config = _config_columns(con, eid, n_trials)
    query, scalars = _config_sql(config)
    per_trial = fetch_arrow(con, query, experiment_id=eid)
    return config, per_trial, _config_values(con, eid, scalars, per_trial.num_rows)


def _metric_part(con: duckdb.DuckDBPyConnection, eid: str
                 ) -> tuple[list[_Column], pa.Table, np.ndarray]:
    """The metric columns, the steps (one row per step, with the values that are not
    numbers) and the numbers."""
    metrics = _metric_columns(con, eid)
    per_step = fetch_arrow(con, _step_sql(metrics), experiment_id=eid)
    return metrics, per_step, _metric_numbers(con, eid, [m.source for m in metrics],
                                              per_step.num_rows)


def _metric_numbers(con: duckdb.DuckDBPyConnection, eid: str, metrics: list[str], n_rows: int
                    ) -> np.ndarray:
    """The frame's ``n_rows`` x ``metrics`` numbers, NaN where a step has none; a cell written
    twice holds the larger value, as SQL's max would."""
    values = fetch_arrow(con, "compat/results_api_metric_values", experiment_id=eid,
                         names=metrics)
    cells = np.full(n_rows * len(metrics), np.nan)
    where = values["frame_row"].to_numpy() * len(metrics) + values["k"].to_numpy()
    np.fmax.at(cells, where, values["value"].to_numpy(zero_copy_only=False))
    return cells.reshape(n_rows, len(metrics))


def _config_values(con: duckdb.DuckDBPyConnection, eid: str,
                   scalars: dict[int, tuple[str, str]], n_trials: int) -> dict[int, pa.Array]:
    """The plain config columns (``scalars``: column index -> key and column type), each one
    value per included trial (null where a trial lacks the key), by column index."""
    names = [name for name, _ in scalars.values()]
    kinds = [kind for _, kind in scalars.values()]
    found = fetch_arrow(con, "compat/results_api_config_values", experiment_id=eid,
                        names=names, kinds=kinds)
    trials = found["trial"].to_numpy()
    keys = found["k"].to_numpy()
    by_key = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[by_key], np.arange(len(names) + 1))
    columns = {}
    for k, (i, kind) in enumerate(zip(scalars, kinds, strict=True)):
        rows = by_key[bounds[k]:bounds[k + 1]]
        where = np.full(n_trials, -1)
        where[trials[rows]] = rows
        columns[i] = found[kind].take(pa.array(where, mask=where < 0))
    return columns


def _frame_table(n_steps: pa.ChunkedArray, config: list[pa.Array | pa.ChunkedArray | None],
                 per_step: pa.Table, numbers: np.ndarray, kinds: list[str]) -> pa.Table:
    """The frame's columns: trial_uid and step (``per_step``'s first two columns, one row per
    step by trial_uid), the ``config`` columns (one value per trial, the same trials in the
    same order, so value i is repeated ``n_steps[i]`` times; None: a column that never holds a
    value, all None), the metrics' ``numbers`` (int64 where ``kinds`` says "int") and
    ``per_step``'s other columns (values that are not numbers)."""
    rows = pa.array(np.repeat(np.arange(len(n_steps)), n_steps.to_numpy()))
    names = [*per_step.column_names[:2], *(f"c{i}" for i in range(len(config))),
             *(f"m{k}" for k in range(numbers.shape[1])), *per_step.column_names[2:]]
    arrays = [*per_step.columns[:2],
              *(pa.nulls(len(rows)) if values is None else values.take(rows)
                for values in config),
              *(pa.array(numbers[:, k].astype(np.int64) if kind == "int" else numbers[:, k])
                for k, kind in enumerate(kinds)),
              *per_step.columns[2:]]
    return pa.table(arrays, names=names)


@dataclass
class _Node:
    """The items of a list-valued config key over all trials (keyed by index, then by key)."""

    children: dict[str, _Node] = field(default_factory=dict)
    kinds: set[str] = field(default_factory=set)  # value types where it is a plain value
    n_set: int = 0  # trials where it is a plain value other than null
    max_int: float = 0

    def child(self, key: str) -> _Node:
        return self.children.setdefault(key, _Node())


_Leaf = tuple[tuple[str, ...], tuple[str, ...] | None, _Node | None]


def _config_columns(con: duckdb.DuckDBPyConnection, eid: str, n_trials: int) -> list[_Column]:
    """ABLATOR's flattened config columns: each config's own order (see ``_shape_leaves``),
    united over the trials by trial_uid as ``pandas.concat`` unites ABLATOR's trial frames."""
    lists: dict[str, _Node] = {}
    for name, value, n_trials_with in execute(con, "compat/results_api_list_values",
                                              experiment_id=eid):
        _merge_value(lists.setdefault(name, _Node()), json.loads(value), n_trials_with)
    stats = {name: (set(kinds), n_set, max_int) for name, kinds, n_set, max_int
             in execute(con, "compat/results_api_config_stats", experiment_id=eid)}
    columns: dict[str, _Column] = {}
    for (shape,) in execute(con, "compat/results_api_config_shapes", experiment_id=eid):
        for path, list_path, node in _shape_leaves(json.loads(shape), (), lists, stats):
            name = ".".join(path)
            if name in columns:
                continue
            if list_path is None or node is None:  # a plain config value
                kinds, n_set, max_int = stats[name]
                columns[name] = _Column(name, _kind(kinds, n_set, n_trials, max_int), name, "p")
            else:
                columns[name] = _Column(
                    name, _kind(node.kinds, node.n_set, n_trials, node.max_int),
                    ".".join(list_path), "l", _pointer(path[len(list_path):]))
    return list(columns.values())


def _shape_leaves(shape: dict[str, Any], path: tuple[str, ...], lists: dict[str, _Node],
                  plain: Container[str]) -> Iterator[_Leaf]:
    """(path, path of the list key, list item node) of a config's columns, in ABLATOR's order:
    in a mapping, plain values first, then the mappings and lists, each expanded alike.

    ``shape`` is a config's key structure (``json_structure``), ``plain`` the names params
    holds plain values for (not empty mappings), ``lists`` the items of list-valued names.
    This is ABLATOR's ``make_dict(flatten=True)`` when every mapping is a config class.
    """
    for key, sub in shape.items():
        if not isinstance(sub, dict | list) and ".".join((*path, key)) in plain:
            yield (*path, key), None, None
    for key, sub in shape.items():
        inner = (*path, key)
        if isinstance(sub, dict):
            yield from _shape_leaves(sub, inner, lists, plain)
        elif isinstance(sub, list) and ".".join(inner) in lists:
            for item_path, node in _item_leaves(lists[".".join(inner)], inner):
                yield item_path, inner, node


def _item_leaves(node: _Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], _Node]]:
    """The plain values below a list key, in the same order as ``_shape_leaves``."""
    for key, child in node.children.items():
        if child.kinds:
            yield (*path, key), child
    for key, child in node.children.items():
        if child.children:
            yield from _item_leaves(child, (*path, key))


def _merge_value(node: _Node, value: Any, n: int) -> None:
    """Add a value that ``n`` trials hold below a list key (items keyed by their index)."""
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            _merge_value(node.child(str(key)), item, n)
        return
    kind = _value_kind(value)
    node.kinds.add(kind)
    if kind != "null":
        node.n_set += n
    if kind == "int":
        node.max_int = max(node.max_int, abs(value))


def _metric_columns(con: duckdb.DuckDBPyConnection, eid: str) -> list[_Column]:
    return [_Column(name, "json" if other else "double", name, "m")
            for name, other in execute(con, "compat/results_api_metric_columns", experiment_id=eid)]


def _value_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "float" if isinstance(value, float) else "str"


def _kind(kinds: set[str], n_set: int, n_trials: int, max_int: float) -> str:
    """The column type for values of these kinds (ints and bools only when set everywhere,
    as pandas would make a column with missing values float or object)."""
    found = kinds - {"null"}
    complete = n_set == n_trials
    if not found:
        return "null"
    if found == {"int"} and complete and max_int < _MAX_INT64:
        return "bigint"
    if found <= {"int", "float"}:
        return "double"
    if found == {"str"}:
        return "varchar"
    if found == {"bool"} and complete:
        return "boolean"
    return "json"


def _pointer(keys: tuple[str, ...]) -> str:
    return "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)


def _literal(text: str) -> str:
    if "\x00" in text:
        raise ValueError("names with NUL characters cannot be used in SQL")
    return "'" + text.replace("'", "''") + "'"


_LIST_CAST = {"bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN"}


def _config_sql(columns: list[_Column]) -> tuple[SqlFile, dict[int, tuple[str, str]]]:
    """The query of the list-valued and never-set config columns (c<i>, one row per trial),
    and the plain config columns read apart (index -> key and column type)."""
    aggregates, selected = [], []
    scalars: dict[int, tuple[str, str]] = {}
    for i, col in enumerate(columns):
        if col.kind == "null":
            continue
        if col.table == "p":
            scalars[i] = (col.source, col.kind)
            continue
        selected.append(f"l.c{i}")
        function = "json_extract_string" if col.kind == "varchar" else "json_extract"
        value, cast = f"{function}(p.value, {_literal(col.pointer)})", _LIST_CAST.get(col.kind)
        aggregate = f"max({value}) FILTER (WHERE p.name = {_literal(col.source)})"
        aggregates.append(f"{f'CAST({aggregate} AS {cast})' if cast else aggregate} AS c{i}")
    return fill("compat/results_api_config_frame", list_aggregates=_listed(aggregates),
                columns=_listed(selected)), scalars


def _step_sql(metrics: list[_Column]) -> SqlFile:
    """The query of the steps, with o<k>: the values of the k-th metric that are not numbers
    (where it has any)."""
    aggregates, selected = [], []
    for k, col in enumerate(metrics):
        if col.kind == "json":
            aggregates.append(f"max(o.value) FILTER (WHERE o.name = {_literal(col.source)}) "
                              f"AS o{k}")
            selected.append(f"o.o{k}")
    return fill("compat/results_api_step_frame", other_aggregates=_listed(aggregates),
                columns=_listed(selected))


def _listed(parts: list[str]) -> str:
    return "".join(f",\n    {p}" for p in parts)


def _from_json(values: pd.Series, other: pd.Series | None) -> pd.Series:
    """Python values of a JSON text column; for a metric, ``other`` (JSON text of its
    non-numeric values) wins over ``values`` (its numbers)."""
    if other is None:
        out = [json.loads(v) if isinstance(v, str) else None for v in values]
    else:
        pairs = zip(values, other, strict=True)
        out = [json.loads(o) if isinstance(o, str) else v for v, o in pairs]
    return pd.Series(out, index=values.index, dtype=object)


def _number_kinds(metrics: list[_Column], numbers: np.ndarray) -> list[str]:
    """What pandas.read_json makes of each numeric metric's column of ``numbers``: dates in a
    unit of ``_NS_PER_UNIT`` when named like one and every value is a plausible epoch (see
    _DATE_NAME), else "int" when every row holds an integral number, else "double"; "json"
    for a metric that also holds values that are not numbers."""
    present = ~np.isnan(numbers)
    integral = (np.isfinite(numbers).all(axis=0) & (numbers == np.trunc(numbers)).all(axis=0)
                & (np.abs(numbers) < 2**53).all(axis=0))
    kinds = []
    for k, metric in enumerate(metrics):
        if metric.kind == "json":
            kinds.append("json")
            continue
        values = numbers[present[:, k], k]
        kind = "int" if integral[k] else "double"
        if _DATE_NAME.fullmatch(metric.name) and values.size and (values > _MIN_STAMP).all():
            largest = float(values.max())
            kind = next((unit for unit, ns in _NS_PER_UNIT.items() if largest * ns < _MAX_INT64),
                        kind)
        kinds.append(kind)
    return kinds
