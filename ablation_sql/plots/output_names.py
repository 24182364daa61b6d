"""Output paths from untrusted names: metric, attribute and experiment names become file
names only through ``file_names``, and every path written is checked to lie under its root.

A name is kept as it is (ABLATOR's layout: ``violinplot/val_loss/model_config.activation.png``)
when it is safe: NFC-normalised Unicode letters and digits and ``_ . - + = @ ,``, not starting
with ``.`` or ``-``, no ``..``, not a Windows device name, at most ``READABLE_BYTES`` in UTF-8.
Anything else (``../x``, ``/abs``, NUL, spaces, 300 characters) becomes a slug of its safe
characters and a short hash of the real name (``x-1f2e3d4c``). Names whose file names differ
only by case (or Unicode normalisation) all get the hashed form, so no two names share a file on
a case-insensitive file system. The real names are kept in the figures' titles, in the report
page and in a ``figures.json`` index beside the figures (``FigureIndex``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..store.atomic import write_atomic

__all__ = ["INDEX_FILE", "FigureIndex", "file_names", "inside", "shown"]

INDEX_FILE = "figures.json"
READABLE_BYTES = 100  # a readable name's cap; a hashed one is at most SLUG_BYTES + 17
SLUG_BYTES = 60
_SAFE_PUNCTUATION = "_.-+=@,"
_DEVICES = re.compile(r"(con|prn|aux|nul|com\d|lpt\d)(\..*)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _readable(name: str) -> bool:
    """Whether ``name`` can be a file name as it is, on any common file system."""
    return (bool(name) and len(name.encode("utf-8", "surrogatepass")) <= READABLE_BYTES
            and all(c.isalnum() or c in _SAFE_PUNCTUATION for c in name)
            and name.isprintable() and unicodedata.is_normalized("NFC", name)
            and not name.startswith((".", "-")) and ".." not in name
            and not _DEVICES.fullmatch(name))


def _hashed(name: str, digits: int) -> str:
    """A slug of the name's safe characters and ``digits`` hex digits of its SHA-256."""
    raw = name.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(raw).hexdigest()[:digits]
    slug = re.sub(r"[^\w.+=@,-]+|\.{2,}", "_", unicodedata.normalize("NFC", name)
                  ).strip("._-")
    slug = slug.encode("utf-8")[:SLUG_BYTES].decode("utf-8", "ignore").rstrip("._-")
    return f"{slug}-{digest}" if slug else f"name-{digest}"


def file_names(names: Iterable[str]) -> dict[str, str]:
    """A distinct safe file name (without suffix) for each of ``names``: the name itself when
    it is safe, else a slug and a hash; names colliding case-insensitively are all hashed."""
    unique = list(dict.fromkeys(names))
    chosen = {n: n if _readable(n) else _hashed(n, 8) for n in unique}
    for digits in (16, 64):
        groups: dict[str, list[str]] = {}
        for name, file in chosen.items():
            groups.setdefault(unicodedata.normalize("NFC", file).casefold(), []).append(name)
        clashes = [n for group in groups.values() if len(group) > 1 for n in group]
        if not clashes:
            return chosen
        chosen |= {n: _hashed(n, digits) for n in clashes}
    raise AssertionError("SHA-256 prefixes collided")  # two names with one SHA-256


def inside(root: Path, *parts: str) -> Path:
    """``root/parts...``, refused (InputError) unless it resolves to a path under ``root``
    (a symbolic link in the way may point elsewhere)."""
    base = Path(os.path.realpath(root))
    path = Path(root).joinpath(*parts)
    if not Path(os.path.realpath(path)).is_relative_to(base):
        raise InputError(f"refusing to write {path}: it is not inside {root}")
    return path


def shown(name: str, limit: int = 60) -> str:
    """A name as a figure shows it: control characters (NUL, newlines) escaped, cut in the
    middle with an ellipsis when longer than ``limit`` characters, its dollar signs escaped
    (matplotlib reads the text between two as mathtext: "$a vs. $" would not draw)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > limit:
        half = (limit - 1) // 2
        text = f"{text[:half]}…{text[-half:]}"
    return text.replace("$", r"\$")


class FigureIndex:
    """``figures.json`` in a folder of figures: each file (relative to the folder) with the
    real names it shows; entries of files drawn before are kept."""

    def __init__(self, folder: Path):
        self.path = folder / INDEX_FILE
        self.entries: dict[str, dict] = {}
        try:
            found = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = []
        if isinstance(found, list):
            self.entries = {e["file"]: e for e in found
                            if isinstance(e, dict) and isinstance(e.get("file"), str)}

    def add(self, file: str, **names: str | None) -> None:
        """Record ``file`` with its real names (``kind``, ``metric``, ``attribute``, ...)."""
        self.entries[file] = {"file": file, **names}

    def write(self) -> None:
        """Write the index (sorted by file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps([self.entries[f] for f in sorted(self.entries)], indent=1,
                          ensure_ascii=False)
        write_atomic(self.path, text, errors="backslashreplace")  # lone surrogates
