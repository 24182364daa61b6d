"""Internal SQL statements, kept as files under ``ablation_sql/sql/``."""

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
    """The statements of ``ablation_sql/sql/<name>.sql`` with the parameters each one uses."""
    text = resources.files("ablation_sql").joinpath("sql", f"{name}.sql").read_text("utf-8")
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
    """The result of a one-statement file as a DataFrame (see ``formats.fetch_frame``)."""
    from .formats import fetch_frame

    ((sql, used),) = statements(name)
    return fetch_frame(con, sql, {k: params[k] for k in used})
