"""The exception tree: every error ablation_sql raises on purpose derives from AblationSQLError."""

from __future__ import annotations

__all__ = [
    "AblationSQLError",
    "DatabaseError",
    "DatabaseLockedError",
    "InputError",
    "NothingToIngestError",
    "QueryError",
]


class AblationSQLError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class InputError(AblationSQLError):
    """A path, argument or file given by the user cannot be used."""

    exit_code = 2


class NothingToIngestError(AblationSQLError):
    """None of the given paths held anything that could be ingested."""

    exit_code = 1


class DatabaseLockedError(AblationSQLError):
    """The database file is held by another process."""

    exit_code = 2


class DatabaseError(AblationSQLError):
    """The database file cannot be used: damaged, not ablation_sql's, or the disk is full."""

    exit_code = 3


class QueryError(AblationSQLError):
    """A named query cannot be loaded or run: malformed file, unknown query or parameter."""

    exit_code = 2
