"""Ingest: experiment folders into the store. Discover the folders (``discover``), parse their
files (``parse_trials``, ``results_json``, ``yaml_config``/``yaml_entries``/``config_entries``,
``state_db``, ``search_space``, ``train_log``, ``flatten``, ``files``), load them
(``batch_tables`` into Arrow, ``staging``), in parallel on local processes or a Dask cluster
(``parallel``, driven by ``reading``), all run by ``pipeline.ingest``, which returns the
``summary.IngestReport``. May import ``ablation_sql.store`` and ``ablation_sql.errors``."""
