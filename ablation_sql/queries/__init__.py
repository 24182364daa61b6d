"""Named queries: the loader and the ``-- name:`` header grammar of the ``.sql`` files in the
top-level ``queries/`` folder (shipped as ``ablation_sql/queries/named/``), run on a store
connection. May import ``ablation_sql.store`` and ``ablation_sql.errors``."""

from .grammar import NamedQuery, QueryParam, convert, parse_query
from .library import bind_params, default_folder, get_query, load_queries, run_query

__all__ = ["NamedQuery", "QueryParam", "bind_params", "convert", "default_folder", "get_query",
           "load_queries", "parse_query", "run_query"]
