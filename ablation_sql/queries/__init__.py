"""Named queries: the loader of the ``.sql`` files in the top-level ``queries/`` folder
(shipped as ``ablation_sql/queries/named/``; their grammar is ``store.grammar``, shared with
the layers' own SQL files), run on a store connection through ``store.sqlfiles``. May import
``ablation_sql.store`` and ``ablation_sql.errors``."""

from .library import (
    NamedQuery,
    QueryParam,
    bind_params,
    convert,
    default_folder,
    get_query,
    load_queries,
    parse_query,
    query_rows,
    run_query,
)

__all__ = ["NamedQuery", "QueryParam", "bind_params", "convert", "default_folder", "get_query",
           "load_queries", "parse_query", "query_rows", "run_query"]
