"""Reading one input file into text, with the checks every reader shares."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FileProblem", "read_text"]

MAX_FILE_BYTES = 64 * 1024 * 1024


class FileProblem(Exception):
    """A file that cannot be read in full; the message is meant for a person."""


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read ``path`` as UTF-8 text, refusing missing, oversized, empty and non-UTF-8 files."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FileProblem(f"{path.name} is missing") from None
    except IsADirectoryError:
        raise FileProblem(f"{path.name} is a folder, not a file") from None
    except OSError as exc:
        raise FileProblem(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise FileProblem(f"{path.name} is larger than the {max_bytes // 2**20} MiB limit")
    if not data.strip():
        raise FileProblem(f"{path.name} is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{path.name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
