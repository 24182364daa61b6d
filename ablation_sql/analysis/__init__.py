"""ABLATOR's module path ``ablation_sql.analysis.results`` (the tutorial's import); the code is in
``ablation_sql.compat``."""
