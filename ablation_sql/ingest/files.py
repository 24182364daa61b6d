"""Reading one input file into text, with the checks every reader shares."""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["FileProblem", "read_text"]

MAX_FILE_BYTES = 64 * 1024 * 1024
_BOM = "\ufeff"


class FileProblem(Exception):
    """A file that cannot be read in full; the message is meant for a person."""


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read ``path`` as UTF-8 text (a leading byte-order mark dropped).

    Only a regular file is read: it is opened without blocking and checked before any read,
    so a FIFO or device in its place is refused instead of waited on. Missing, oversized,
    empty and non-UTF-8 files are refused too.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileProblem(f"{path.name} is a symbolic link to nothing") from None
        raise FileProblem(f"{path.name} is missing") from None
    except IsADirectoryError:
        raise FileProblem(f"{path.name} is a folder, not a file") from None
    except OSError as exc:
        raise FileProblem(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    try:
        data = _read_regular(fd, path, max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileProblem(f"{path.name} is larger than the {max_bytes // 2**20} MiB limit")
    if not data.strip():
        raise FileProblem(f"{path.name} is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"{path.name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    text = text.removeprefix(_BOM)
    if not text.strip():
        raise FileProblem(f"{path.name} is empty")
    return text


def _read_regular(fd: int, path: Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of the open file, refused unless it is a regular file."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise FileProblem(f"{path.name} is a folder, not a file")
        raise FileProblem(f"{path.name} is not a regular file ({_kind(st.st_mode)}): not read")
    chunks, size = [], 0
    try:
        while size < limit:  # the file may have grown since fstat: read until its end
            chunk = os.read(fd, min(limit - size, max(st.st_size + 1 - size, 1 << 16)))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileProblem(f"{path.name} cannot be read: {exc.strerror or exc}") from None
    return b"".join(chunks)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"
