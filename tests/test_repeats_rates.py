"""The repeats statistics on planted truth, over fewer experiments than
benchmarks/repeats_rates.py (whose measuring functions these are)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "repeats_rates.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("repeats_rates", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rates_in_memory(bench):
    between = bench.population_between_variance(20_000)
    rates = bench.in_memory(15, 6, between)
    assert rates["configurations"] == 300 and rates["equal-mean pairs"] == 300
    assert 0.90 <= rates["configuration coverage"] <= 0.99
    assert rates["false different"] <= 0.08
    assert rates["P(A>B) coverage"] >= 0.90
    assert rates["seed-noise share coverage"] >= 0.8
    assert rates["top-5 settled within 1 step (best)"] >= 0.75
    assert rates["winner settled within 1 step (best)"] >= 0.6


@pytest.mark.slow
def test_rates_through_the_database(bench, tmp_path):
    rates = bench.on_disk(4, tmp_path)
    assert rates["configurations"] == 60
    assert rates["configuration coverage (API)"] >= 0.85
    assert rates["top-5 settled within 1 step"] >= 0.5
