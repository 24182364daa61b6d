"""The store: opening a database file (its lock, schema and version, the read-only sandbox:
``connection``), the views (``views``), the one way to read a result into pandas
(``fetch.fetch_frame``), the grammar of every ``.sql`` file (``grammar``: a ``-- name:``
header, ``-- param`` declarations parsed and values converted by ``sql_params``, one
statement or a ``-- script``) and the one way to run one
(``sqlfiles``: ``execute``, ``fetch`` by ``"<layer>/<file>"`` name or parsed file), export to
Parquet/CSV (``export``), writing a file whole or not at all (``atomic``) and results as
text: table, csv, json or markdown (``render``), and numbers in words (``numbers``). The
bottom layer: it imports only ``ablation_sql.errors``; the layers above take its DuckDB
connection."""
