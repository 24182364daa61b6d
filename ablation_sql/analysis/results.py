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
import re
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import MethodType
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..configs import Optim, ParallelConfig
from ..database import Database, connect
from ..errors import NothingToIngestError
from ..sqlfiles import statements

__all__ = ["Results"]

_log = logging.getLogger(__name__)

_MARKER = re.compile(r"/\*([a-z_]+)\*/")
_MAX_INT64 = 2**63
# pandas.read_json (which ABLATOR uses) parses numeric columns named like dates as epochs when
# every value is above one year of seconds, in the first unit that fits in datetime64[ns].
_DATE_NAME = re.compile(r"(?i).*_at|.*_time|timestamp.*|modified|date|datetime")
_MIN_STAMP = 31536000
_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


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
    in-memory database everything is read from, open for more SQL.

    Differences from ABLATOR: every trial with a readable config.yaml and at least one complete
    results.json row is included (ABLATOR silently drops a trial whose results.json was cut
    mid-write); failed and running trials' rows are included and ``trial_status`` has every
    trial's status; ``metric_names`` are the metric names; ``config_attrs`` are all config
    columns; when trials' configs differ in keys, all config columns still come before the
    metrics (pandas.concat would append a later trial's keys after them), and metrics that
    never hold a number come last. ``use_ray`` ingests with Dask's local processes (one worker
    per CPU, any number of trials), otherwise with one worker. ``cache`` is accepted and
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
        self.db, eid, self.trial_status = _load(self.experiment_dir, self._workers)
        con = self.db.con
        self.data, self.config_attrs = _read_frame(con, eid, self.trial_status)
        self.metric_map: dict[str, Optim] = {
            metric: Optim(direction)
            for metric, direction in _rows(con, "results_api_optim_metrics", experiment_id=eid)}
        self.search_space: dict[str, dict[str, Any]] = {
            name: json.loads(spec)
            for name, spec in _rows(con, "results_api_search_space", experiment_id=eid)}
        self.numerical_attributes = [k for k, v in self.search_space.items()
                                     if v.get("value_range") is not None]
        self.categorical_attributes = [k for k, v in self.search_space.items()
                                       if v.get("categorical_values") is not None]
        self._assert_cat_attributes(self.categorical_attributes)

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
        own = isinstance(self_or_cls, Results)
        if own and _same_folder(experiment_dir, self_or_cls.experiment_dir):
            return self_or_cls.data.copy()
        workers = num_cpus or (self_or_cls._workers if own else None)
        db, eid, status = _load(Path(experiment_dir), workers)
        with db:
            return _read_frame(db.con, eid, status)[0]

    def _assert_cat_attributes(self, categorical_attributes: list[str]) -> None:
        """ABLATOR's check: warn when one value of a categorical attribute dominates the rows
        (every other value has at most 20 % of the most frequent one's row count)."""
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
    its trials (``status``, ``n_steps``, ``included`` in the frame), indexed by trial_uid."""
    master = experiment_dir / "master_config.yaml"
    if not master.is_file():
        raise FileNotFoundError(f"{master}")
    db = connect()
    try:
        db.ingest(experiment_dir, workers=workers)
        found = _rows(db.con, "results_api_experiment",
                      path=str(experiment_dir.expanduser().resolve()))
        trials = (_query(db.con, "results_api_trials", experiment_id=found[0][0])
                  if found else None)
    except NothingToIngestError:
        found, trials = [], None
    if trials is None or not trials["included"].any():
        db.close()
        raise RuntimeError(f"No results found in {experiment_dir}")
    return db, found[0][0], trials.set_index("trial_uid")


# -- the frame ---------------------------------------------------------------------------------


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


def _read_frame(con: duckdb.DuckDBPyConnection, eid: str, trials: pd.DataFrame
                ) -> tuple[pd.DataFrame, list[str]]:
    """The frame (ABLATOR's columns and index) and its config column names."""
    config = _config_columns(con, eid, int(trials["included"].sum()))
    columns = config + _metric_columns(con, eid)
    table = con.sql(_frame_sql(columns), params={"experiment_id": eid}
                    ).to_arrow_reader().read_pandas()
    frame = table.iloc[:, 2:len(columns) + 2].set_axis(range(len(columns)), axis=1)
    for i, column in enumerate(columns):
        if column.kind == "null":
            frame.isetitem(i, pd.Series(None, index=frame.index, dtype=object))
        elif column.kind == "json":
            frame.isetitem(i, _from_json(frame[i], table.get(f"o{i}")))
        elif column.table == "m":
            frame.isetitem(i, _as_read_json(column.name, frame[i]))
    frame.columns = [c.name for c in columns]
    frame.index = pd.MultiIndex.from_arrays([table["trial_uid"], table["step"]],
                                            names=["trial_uid", "step"])
    return frame, [c.name for c in config]


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
    for name, value, n_trials_with in _rows(con, "results_api_list_values", experiment_id=eid):
        _merge_value(lists.setdefault(name, _Node()), json.loads(value), n_trials_with)
    stats = {name: (set(kinds), n_set, max_int) for name, kinds, n_set, max_int
             in _rows(con, "results_api_config_stats", experiment_id=eid)}
    columns: dict[str, _Column] = {}
    for (shape,) in _rows(con, "results_api_config_shapes", experiment_id=eid):
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
            for name, other in _rows(con, "results_api_metric_columns", experiment_id=eid)]


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


# The value each kind of column aggregates, and the type it is cast to after aggregating
# (casting before would cast every other key's value too).
_SCALAR_VALUE = {"bigint": ("p.value", "BIGINT"), "double": ("p.value_double", None),
                 "varchar": ("p.value_text", None), "boolean": ("p.value", "BOOLEAN"),
                 "json": ("p.value", None)}
_LIST_CAST = {"bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN"}


def _frame_sql(columns: list[_Column]) -> str:
    """The frame query: every column aggregated in its CTE as c<i>, selected in order."""
    parts: dict[str, list[str]] = {"scalar_aggregates": [], "list_aggregates": [],
                                   "metric_aggregates": [], "other_aggregates": [],
                                   "columns": []}
    extra = []
    for i, col in enumerate(columns):
        if col.kind == "null":
            parts["columns"].append(f"NULL::VARCHAR AS c{i}")
            continue
        parts["columns"].append(f"{col.table}.c{i}")
        name = _literal(col.source)
        if col.table == "p":
            value, cast = _SCALAR_VALUE[col.kind]
            target = "scalar_aggregates"
        elif col.table == "l":
            function = "json_extract_string" if col.kind == "varchar" else "json_extract"
            value, cast = f"{function}(p.value, {_literal(col.pointer)})", _LIST_CAST.get(col.kind)
            target = "list_aggregates"
        else:
            value, cast = "m.value", None
            target = "metric_aggregates"
            if col.kind == "json":
                parts["other_aggregates"].append(
                    f"max(o.value) FILTER (WHERE o.name = {name}) AS o{i}")
                extra.append(f"o.o{i}")
        table = "m" if col.table == "m" else "p"
        aggregate = f"max({value}) FILTER (WHERE {table}.name = {name})"
        parts[target].append(f"{f'CAST({aggregate} AS {cast})' if cast else aggregate} AS c{i}")
    parts["columns"] += extra
    ((sql, _),) = statements("results_api_frame")
    return _MARKER.sub(lambda m: "".join(f",\n    {p}" for p in parts[m.group(1)]), sql)


def _from_json(values: pd.Series, other: pd.Series | None) -> pd.Series:
    """Python values of a JSON text column; for a metric, ``other`` (JSON text of its
    non-numeric values) wins over ``values`` (its numbers)."""
    if other is None:
        out = [json.loads(v) if isinstance(v, str) else None for v in values]
    else:
        pairs = zip(values, other, strict=True)
        out = [json.loads(o) if isinstance(o, str) else v for v, o in pairs]
    return pd.Series(out, index=values.index, dtype=object)


def _as_read_json(name: str, values: pd.Series) -> pd.Series:
    """What pandas.read_json makes of a numeric metric column: dates when named like one and
    every value is a plausible epoch (see _DATE_NAME), else int64 when every row holds an
    integral number."""
    present = values.dropna()
    if _DATE_NAME.fullmatch(name) and not present.empty and (present > _MIN_STAMP).all():
        largest = float(present.max())
        for unit, ns in _NS_PER_UNIT.items():
            if largest * ns < _MAX_INT64:
                return pd.to_datetime(values, unit=unit).astype("datetime64[ns]")
    if (len(present) == len(values) and np.isfinite(values).all()
            and (values == np.trunc(values)).all() and (values.abs() < 2**53).all()):
        return values.astype(np.int64)
    return values


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    ((sql, used),) = statements(name)
    return con.execute(sql, {k: params[k] for k in used}).df()


def _rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    ((sql, used),) = statements(name)
    return con.execute(sql, {k: params[k] for k in used}).fetchall()
