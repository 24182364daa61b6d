"""The views and macros of the SQL layer: static ones from .sql files, pivots generated from data.

``refresh_views(con)`` (re)creates everything. The ingest calls ``refresh_changed`` inside its
transaction, so the views always match the data: it rebuilds what the ingest changed and only
that (the whole of everything when the definitions are outdated). Static objects
(``trial_best``, ``trial_ranking``, the reduction macro ``trial_metric`` and its helpers) come
from ``ablation_sql/store/sql/views/*.sql`` as written; ``trial_best`` reads the table
``trial_best_cache``, which the refresh materialises (one metric of 20,000 trials x 100 steps
then answers in ~10 ms instead of a ~0.4 s scan of every metric row); after an ingest, only the
rows of the trials it read, or of the experiments whose metric directions it set, are
recomputed. After changing tables by hand, refresh again (``Database.refresh_views``).
The pivots (``results``, ``trial_attributes``, ``trial_summary``) have one column per config
key, search-space attribute or metric, which DuckDB cannot express as a view over the data
(a PIVOT with data-driven columns is refused in views), so their templates hold
``/*markers*/`` that ``sqlfiles.fill`` replaces by column lists built here. Names from the
data are only ever written as quoted identifiers and quoted string literals
(``quote_identifier``, ``quote_literal``): a config key full of quotes or SQL stays a column name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb

from .grammar import SqlFile
from .sqlfiles import execute, fill

__all__ = [
    "DYNAMIC_VIEWS",
    "STATIC_VIEWS",
    "attribute_columns",
    "column_kind",
    "definitions_version",
    "quote_identifier",
    "quote_literal",
    "refresh_changed",
    "refresh_views",
    "view_sql",
]

STATIC_VIEWS = ("macros", "trial_best_cache", "trial_best", "trial_ranking", "trial_metric",
                "seed_attribute", "trial_configuration", "trial_configurations", "configurations")
DYNAMIC_VIEWS = ("results", "trial_attributes", "trial_summary")

MAX_EXACT_INT = 2**53

# For each column kind: the params column (alias p) aggregated, and the type it is cast to
# after aggregation (casting before would cast every other key's value too).
_PARAM_VALUE = {
    "bigint": ("p.value_double", "BIGINT"),
    "double": ("p.value_double", None),
    "varchar": ("p.value_text", None),
    "boolean": ("p.value", "BOOLEAN"),
    "json": ("CASE WHEN p.value_type <> 'null' THEN p.value END", None),
}


@dataclass(frozen=True)
class _Column:
    """A generated column: the data's name, the view's column name and the value's kind."""

    source: str
    column: str
    kind: str


def refresh_views(con: duckdb.DuckDBPyConnection, *, if_outdated: bool = False) -> bool:
    """(Re)create every view, macro and cache table of the SQL layer from the current data.

    With ``if_outdated``, only when one is missing or was built by other view definitions
    (opening a database does this). Returns whether it refreshed.
    """
    version = definitions_version()
    if if_outdated:
        ((built, complete, _),) = execute(con, "store/views/version_get")
        if built == version and complete:
            return False
    for name in STATIC_VIEWS:
        execute(con, f"store/views/{name}")
    _create_generated(con, None)
    return True


def refresh_changed(con: duckdb.DuckDBPyConnection,
                    changed: Mapping[str, Sequence[str] | None], *, columns: bool = True) -> None:
    """Bring the views up to date after an ingest that changed only ``changed``: experiment_id
    -> the trial_uids whose rows it replaced, or None for an experiment changed as a whole (new,
    or its metric directions set). The result equals ``refresh_views``: static objects are kept
    when their definitions are current (else everything is rebuilt), ``trial_best_cache`` is
    recomputed for those trials only, and the generated views are re-created only when the data
    gives them other columns; ``columns`` False: the ingest deleted or inserted no row of the
    tables they list (params, metrics, metrics_other, search_space, optim_metrics), so they are
    not asked. With no trial to recompute and no columns to ask, nothing is done: opening
    the database for writing brought the views up to date."""
    if not columns and not any(uids is None or uids for uids in changed.values()):
        return
    ((built, complete, generated),) = execute(con, "store/views/version_get")
    if built != definitions_version() or not complete:
        refresh_views(con)
        return
    for experiment_id, trial_uids in changed.items():
        if trial_uids is None or trial_uids:
            execute(con, "store/views/trial_best_update", experiment_id=experiment_id,
                    trial_uids=None if trial_uids is None else list(trial_uids))
    if columns:
        _create_generated(con, generated)


def _create_generated(con: duckdb.DuckDBPyConnection, built: str | None) -> None:
    """Create the generated views for the data now in the database, unless ``built`` (the
    fingerprint of the statements the views were last built from) says they are these."""
    statements = view_sql(con).values()
    digest = hashlib.sha256()
    for sql_file in statements:
        digest.update(sql_file.sql.encode() + b"\0")
    generated = digest.hexdigest()[:16]
    if generated == built:
        return
    for sql_file in statements:
        execute(con, sql_file)
    execute(con, "store/views/version_set", version=definitions_version(), generated=generated)


@cache
def definitions_version() -> str:
    """A fingerprint of every view definition file (changes whenever one of them does)."""
    folder = resources.files("ablation_sql") / "store" / "sql" / "views"
    digest = hashlib.sha256()
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def view_sql(con: duckdb.DuckDBPyConnection) -> dict[str, SqlFile]:
    """The CREATE VIEW statement of each generated view, for the data now in the database."""
    params = _param_kinds(con)
    attributes = _attribute_columns(con, params)
    return {
        "results": _results_sql(con, params),
        "trial_attributes": fill("store/views/trial_attributes",
                                 attribute_aggregates=_aggregates(attributes)),
        "trial_summary": _trial_summary_sql(con, attributes),
    }


def attribute_columns(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Each search-space attribute's column in ``trial_attributes`` (it differs from the name
    when names collide case-insensitively; a name with a NUL character has none)."""
    return {c.source: c.column for c in _attribute_columns(con, _param_kinds(con))}


def quote_identifier(name: str) -> str:
    """``name`` as a DuckDB identifier: in double quotes, inner quotes doubled."""
    _check_text(name)
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """``text`` as a SQL string literal: in single quotes, inner quotes doubled."""
    _check_text(text)
    return "'" + text.replace("'", "''") + "'"


def column_kind(kinds: Iterable[str] | None, max_int: float | None = None) -> str:
    """The column type for a config key whose non-null values have these ``value_type``s.

    Only ints: BIGINT (DOUBLE beyond 2^53); ints and floats: DOUBLE; only strings: VARCHAR; only
    booleans: BOOLEAN; anything else (lists, mappings, mixed kinds, only nulls): JSON.
    """
    found = set(kinds or ())
    if found == {"int"}:
        return "bigint" if max_int is None or max_int < MAX_EXACT_INT else "double"
    if found and found <= {"int", "float"}:
        return "double"
    if found == {"str"}:
        return "varchar"
    if found == {"bool"}:
        return "boolean"
    return "json"


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("names with NUL characters cannot be used in SQL")


def _param_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {name: column_kind(kinds, max_int)
            for name, kinds, max_int in execute(con, "store/views/columns_params")}


def _names(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    return [name for (name,) in execute(con, query) if "\x00" not in name]


class _Namer:
    """Column names unique in a view, compared case-insensitively as DuckDB does.

    A name already taken (by a key column or an earlier column) gets ``<prefix>.`` in front,
    then ``#2``, ``#3``... at the end.
    """

    def __init__(self, reserved: Sequence[str]):
        self.taken = {name.lower() for name in reserved}

    def __call__(self, name: str, prefix: str) -> str:
        candidates = [name, f"{prefix}.{name}"]
        n = 2
        while True:
            for candidate in candidates:
                if candidate and candidate.lower() not in self.taken:
                    self.taken.add(candidate.lower())
                    return candidate
            candidates = [f"{prefix}.{name}#{n}"]
            n += 1


def _columns(names: Iterable[str], kinds: dict[str, str] | str, namer: _Namer,
             prefix: str) -> list[_Column]:
    return [_Column(name, namer(name, prefix),
                    kinds if isinstance(kinds, str) else kinds.get(name, "json"))
            for name in names if "\x00" not in name]


def _attribute_columns(con: duckdb.DuckDBPyConnection, params: dict[str, str]) -> list[_Column]:
    names = _names(con, "store/views/columns_attributes")
    return _columns(names, params, _Namer(["experiment_id", "trial_uid"]), "attribute")


def _aggregates(columns: Sequence[_Column], *, table: str = "p", name_column: str = "name",
                value: str | None = None) -> str:
    """``, max(<value>) FILTER (WHERE <table>.<name_column> = '<source>') AS "<column>"``..."""
    parts = []
    for col in columns:
        expr, cast = (value, None) if value is not None else _PARAM_VALUE[col.kind]
        aggregate = (f"max({expr}) FILTER (WHERE {table}.{name_column} = "
                     f"{quote_literal(col.source)})")
        if cast:
            aggregate = f"CAST({aggregate} AS {cast})"
        parts.append(f",\n        {aggregate} AS {quote_identifier(col.column)}")
    return "".join(parts)


def _select(columns: Sequence[_Column], table: str, renamed: Sequence[str] | None = None) -> str:
    names = renamed if renamed is not None else [c.column for c in columns]
    return "".join(
        f",\n    {table}.{quote_identifier(c.column)}"
        + ("" if new == c.column else f" AS {quote_identifier(new)}")
        for c, new in zip(columns, names, strict=True))


def _results_sql(con: duckdb.DuckDBPyConnection, params: dict[str, str]) -> SqlFile:
    namer = _Namer(["experiment_id", "trial_uid", "step"])
    config = _columns(params, params, namer, "config")
    numeric = _names(con, "store/views/columns_metrics")
    metrics = _columns(numeric, "double", namer, "metric")
    known = set(numeric)
    others = _columns([name for name in _names(con, "store/views/columns_other")
                       if name not in known], "json", namer, "metric")
    parts = {
        "config_aggregates": _aggregates(config),
        "metric_aggregates": _aggregates(metrics, table="m", value="m.value"),
        "config_columns": _select(config, "c"),
        "metric_columns": _select(metrics, "s"),
    }
    if others:
        parts |= {
            "other_cte": (",\nother AS (\n    SELECT o.experiment_id, o.trial_uid, o.step"
                          + _aggregates(others, table="o", value="o.value")
                          + "\n    FROM metrics_other o\n"
                          "    GROUP BY o.experiment_id, o.trial_uid, o.step\n)"),
            "other_columns": _select(others, "o"),
            "other_join": ("\nLEFT JOIN other o ON o.experiment_id = s.experiment_id "
                           "AND o.trial_uid = s.trial_uid AND o.step = s.step"),
        }
    return fill("store/views/results", **parts)


def _trial_summary_sql(con: duckdb.DuckDBPyConnection, attributes: list[_Column]) -> SqlFile:
    namer = _Namer(["experiment_id", "trial_uid", "status", "n_steps"])
    renamed = [namer(c.column, "attribute") for c in attributes]
    metrics = _names(con, "store/views/columns_optim")
    best = [_Column(m, namer(f"best_{m}", "best"), "double") for m in metrics]
    return fill(
        "store/views/trial_summary",
        attribute_columns=_select(attributes, "a", renamed),
        best_aggregates=_aggregates(best, table="b", name_column="metric",
                                    value="b.best_value"),
        best_columns=_select(best, "b"),
    )

