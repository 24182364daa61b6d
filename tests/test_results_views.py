"""Results' database gets its views at the first use of ``db``: the frame reads only tables, so
none is built before (not even at its opening), and then they are those of an ingest."""

from __future__ import annotations

from pathlib import Path

import ablation_sql as asql
from ablation_sql import ParallelConfig, Results
from ablation_sql.store.views import STATIC_VIEWS, refresh_views

VIEWS = ("trial_best_cache", "trial_summary", "results", "trial_attributes")


def _objects(db: asql.Database) -> set[str]:
    """The views, macros and cache table of the SQL layer that ``db`` holds."""
    rows = db.con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                          "UNION ALL SELECT table_name FROM duckdb_tables() "
                          "WHERE table_name = 'trial_best_cache' "
                          "UNION ALL SELECT function_name FROM duckdb_functions() "
                          "WHERE NOT internal").fetchall()
    return {name for (name,) in rows}


def _rows(db: asql.Database) -> dict[str, dict]:
    return {v: db.sql(f"SELECT * FROM {v} ORDER BY ALL").to_dict("split") for v in VIEWS}


def test_db_gets_its_views_when_first_asked_for(real_experiment: Path) -> None:
    results = Results(ParallelConfig, experiment_dir=real_experiment)
    assert not results._views_built
    assert not _objects(results._db)
    db = results.db
    found = _rows(db)
    with asql.connect() as other:
        other.ingest(real_experiment)
        assert {*STATIC_VIEWS[1:], *VIEWS, "best_key"} <= _objects(other)
        assert _objects(db) == _objects(other)
        assert found == _rows(other)
        refresh_views(db.con)
        assert found == _rows(db)


def test_a_database_opened_without_views_gets_them_at_its_ingest(real_experiment: Path
                                                                 ) -> None:
    with asql.Database(views=False) as bare, asql.connect() as other:
        assert not _objects(bare)
        bare.ingest(real_experiment)
        other.ingest(real_experiment)
        assert _objects(bare) == _objects(other)
        assert _rows(bare) == _rows(other)
