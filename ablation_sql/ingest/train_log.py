"""A trial's failure reason: the exception line that ends the traceback of its ``train.log``.

ABLATOR logs the traceback of the exception that stopped a trial (in ANSI colour codes) as the
last thing in ``train.log``; its last line names the exception (``ValueError: ...``). Only the
file's tail is read (``TAIL_BYTES``), only from a regular file (a FIFO or device is never read
from), decoded with undecodable bytes replaced and escape sequences stripped.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

__all__ = ["TAIL_BYTES", "failure_reason", "reason_in_text"]

TAIL_BYTES = 64 * 1024
MAX_REASON_CHARS = 500
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: ")
_HEADER = "Traceback (most recent call last):"
_EXCEPTION = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?::\s.*|:)?$")


def failure_reason(path: Path) -> str | None:
    """The exception line ending ``path``'s last traceback, or None (no traceback at the end,
    no such regular file, or it cannot be read)."""
    tail = _read_tail(path)
    return None if tail is None else reason_in_text(tail.decode("utf-8", errors="replace"))


def reason_in_text(text: str) -> str | None:
    """The exception line when ``text`` ends with a Python traceback, else None."""
    lines = [_CONTROL.sub("", _ANSI.sub("", line)).rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line.strip()]
    if not lines:
        return None
    last = _STAMP.sub("", lines[-1]).strip()
    if not _EXCEPTION.match(last) or not any(_HEADER in line for line in lines[:-1]):
        return None
    return last[:MAX_REASON_CHARS]


def _read_tail(path: Path) -> bytes | None:
    """The last ``TAIL_BYTES`` of a regular file; None for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        os.lseek(fd, max(0, st.st_size - TAIL_BYTES), os.SEEK_SET)
        chunks, left = [], TAIL_BYTES
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)
