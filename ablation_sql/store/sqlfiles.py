"""Internal SQL statements, kept as files in the ``sql/`` folder of the layer that runs them:
``"ingest/load_trials"`` is ``ablation_sql/ingest/sql/load_trials.sql``."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["execute", "fetch", "statements"]

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@cache
def statements(name: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The statements of ``ablation_sql/<layer>/sql/<file>.sql`` (``name`` is ``"<layer>/<file>"``)
    with the parameters each one uses."""
    layer, _, file = name.partition("/")
    text = resources.files("ablation_sql").joinpath(layer, "sql", f"{file}.sql").read_text("utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    parts = [part.strip() for part in body.split(";\n")]
    return tuple(
        (part.rstrip(";"), frozenset(_PARAM.findall(part))) for part in parts if part
    )


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    """Run every statement of a file, each with the parameters it names; rows of the last."""
    rows: list[tuple] = []
    for sql, used in statements(name):
        rows = con.execute(sql, {k: params[k] for k in used}).fetchall()
    return rows


def fetch(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """The result of a one-statement file as a DataFrame (see ``fetch.fetch_frame``)."""
    from .fetch import fetch_frame

    ((sql, used),) = statements(name)
    return fetch_frame(con, sql, {k: params[k] for k in used})
