"""Writing a file whole or not at all: through a temporary file beside it, then a rename, so a
reader never sees half of it (the report page, the figures' index)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, text: str, errors: str = "strict") -> None:
    """Write ``text`` to ``path`` (UTF-8, encoding ``errors`` as ``str.encode`` takes them)
    through ``.<name>.tmp`` in the same folder, which a failed write (a full disk, text that
    cannot be encoded) removes: ``path`` is left as it was."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", errors=errors)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
