"""Where a report's time goes: each section of ``build_report`` timed in one process.

    python benchmarks/report_sections.py DATABASE [--out DIR]

DATABASE is an ingested file (opened read-only, as ``ablation-sql report FILE`` opens it).
Prints, per section, its wall and CPU seconds and its share of the whole process's: the
imports, the numbers of every section (``experiment_content``), the effects analysis per
metric (``read_metrics``: each metric read once, for the effects and the ablation;
``metric_effects``), the figures (``draw_figures``: line, violin, parallel and
learning-curve figures), the ablation of the optimised metric (``metric_ablation``), the
repeats section per metric (``metric_repeats``: repeats and rank settling) and the page
(``render_page``), the process's peak resident memory when each section last ended, and its
peak resident memory in all. CPU seconds are the steadier figure on a loaded machine.

The figures, the rankings and then the ablation run in two threads beside the reading of the
metrics and the effects: their wall times overlap, and the CPU of a section is the whole
process's while it ran, so overlapping sections count the same CPU more than once (marked
"beside"); the line of the whole process counts it once.
"""

from __future__ import annotations

import time

STARTED = (time.perf_counter(), time.process_time())

import argparse  # noqa: E402
import resource  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from ablation_sql.report import build  # noqa: E402

SECTIONS = ["experiment_content", "read_metrics", "metric_effects", "draw_figures",
            "metric_ablation", "metric_repeats", "render_page"]

BESIDE = {"read_metrics", "metric_effects", "draw_figures", "metric_ablation"}


def _peak() -> float:
    """The process's peak resident memory so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def _timed(name: str, func: Callable, spent: dict[str, list[float]]) -> Callable:
    def run(*args: object, **kwargs: object) -> object:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            spent[name][0] += time.perf_counter() - wall
            spent[name][1] += time.process_time() - cpu
            spent[name][2] = _peak()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--out", type=Path, help="the report's folder (default: a temporary one)")
    args = parser.parse_args()
    spent = {"imports": [time.perf_counter() - STARTED[0], time.process_time() - STARTED[1],
                         _peak()]}
    spent |= {name: [0.0, 0.0, 0.0] for name in SECTIONS}
    for name in SECTIONS:
        setattr(build, name, _timed(name, getattr(build, name), spent))
    with tempfile.TemporaryDirectory() as tmp:
        build.report_paths([args.database], args.out or Path(tmp) / "report")
    wall = time.perf_counter() - STARTED[0]
    cpu = time.process_time() - STARTED[1]
    print(f"{'section':<20} | {'wall s':>8} | {'share':>6} | {'CPU s':>8} | {'share':>6} | "
          f"{'peak GiB':>8}")
    for name, (w, c, m) in spent.items():
        print(f"{name:<20} | {w:8.1f} | {w / wall:6.1%} | {c:8.1f} | {c / cpu:6.1%} | {m:8.2f}"
              + (" beside" if name in BESIDE else ""))
    print(f"{'whole process':<20} | {wall:8.1f} | {1:6.1%} | {cpu:8.1f} | {1:6.1%} | "
          f"{_peak():8.2f}")


if __name__ == "__main__":
    main()
