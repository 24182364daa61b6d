"""The columns a parsed batch of trials fills, whatever its source: light enough for the
pipeline to import when nothing needs parsing."""

from __future__ import annotations

from typing import Any

__all__ = ["Batch", "PARAM_COLUMNS", "TABLE_COLUMNS", "new_batch"]

Batch = dict[str, dict[str, list[Any]]]

# Each batch table's columns and their kinds (str, int, float or bool).
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "trials": {"trial_uid": "str", "path": "str", "inferred_status": "str", "n_steps": "int",
               "results_complete": "bool", "config": "str", "config_uid": "str",
               "metadata": "str", "fingerprint": "str", "failure_reason": "str"},
    "params": {"trial_uid": "str", "name": "str", "value": "str", "value_double": "float",
               "value_text": "str", "value_type": "str"},
    "metrics": {"trial_uid": "str", "step": "int", "name": "str", "value": "float"},
    "metrics_other": {"trial_uid": "str", "step": "int", "name": "str", "value": "str"},
    "errors": {"trial_uid": "str", "path": "str", "error": "str"},
}
# The params columns a trial's config fills (its trial_uid apart), in TABLE_COLUMNS' order.
PARAM_COLUMNS = ("name", "value", "value_double", "value_text", "value_type")


def new_batch() -> Batch:
    """Empty column lists for every batch table."""
    return {table: {c: [] for c in cols} for table, cols in TABLE_COLUMNS.items()}
