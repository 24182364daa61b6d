"""What the Results API's process loads, and when: the tutorial's two lines, run as a user
runs them, import pandas (the frame is a DataFrame) but nothing for figures, statistics, Dask
or HTML; pandas is imported in the background while the ingest's workers parse."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ablation_sql.compat.background_import import BackgroundImport

from .conftest import REAL_EXPERIMENT

TUTORIAL = textwrap.dedent("""
    import sys
    from ablation_sql import ParallelConfig, Results
    before = {name.split(".")[0] for name in sys.modules}
    results = Results(config=ParallelConfig, experiment_dir=sys.argv[1], use_ray=True)
    df = results.read_results(config_type=ParallelConfig, experiment_dir=sys.argv[1])
    after = {name.split(".")[0] for name in sys.modules}
    print(len(df), " ".join(sorted(before)), "|", " ".join(sorted(after)))
""")


def test_results_loads_pandas_late_and_nothing_it_does_not_use() -> None:
    done = subprocess.run([sys.executable, "-c", TUTORIAL, str(REAL_EXPERIMENT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows, rest = done.stdout.split(" ", 1)
    before, after = (set(part.split()) for part in rest.split("|"))
    assert int(rows) > 0
    assert not before & {"pandas", "numpy", "pyarrow"}  # the import alone loads neither
    assert {"pandas", "duckdb"} <= after
    assert not after & {"matplotlib", "seaborn", "scipy", "statsmodels", "dask", "distributed",
                        "jinja2", "sqlalchemy"}


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_background_import_starts_at_the_first_parsed_batch(module_dir: Path) -> None:
    (module_dir / "warmed_in_background.py").write_text(
        "import threading\nTHREAD = threading.current_thread().name\n")
    warm = BackgroundImport("warmed_in_background")
    warm(0, 10)  # the ingest announces its total before any worker exists: not yet
    warm.wait()
    assert "warmed_in_background" not in sys.modules
    warm(4, 10)
    warm(8, 10)  # one thread, started once
    warm.wait()
    module = sys.modules.pop("warmed_in_background")
    assert module.THREAD == "ablation-sql-background-import"


def test_a_failed_background_import_is_raised_by_the_callers_own(module_dir: Path) -> None:
    (module_dir / "broken_in_background.py").write_text("raise ImportError('no such thing')\n")
    warm = BackgroundImport("broken_in_background")
    warm(1, 1)
    warm.wait()  # does not raise
    with pytest.raises(ImportError, match="no such thing"):
        __import__("broken_in_background")
