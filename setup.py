"""The one piece of packaging pyproject.toml cannot express: the named-query library lives in
the top-level queries/ folder and ships inside the package as ablation_sql/queries/named/
(see queries/README.md). Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["ablation_sql", "ablation_sql.*"],
                                     exclude=["*.__pycache__"]) + ["ablation_sql.queries.named"],
    package_dir={"ablation_sql.queries.named": "queries"},
)
