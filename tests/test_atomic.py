"""write_atomic: a file is written whole or left as it was, with nothing left beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ablation_sql.store.atomic import write_atomic


def test_writes_whole_and_replaces(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    write_atomic(page, "first")
    write_atomic(page, "second é")
    assert page.read_text(encoding="utf-8") == "second é"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_failed_write_leaves_the_file_and_no_temporary(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    write_atomic(page, "kept")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(page, "half \ud800 written")  # a lone surrogate: not UTF-8
    assert page.read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_full_disk_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "index.html"

    def full(self: Path, *args: object, **kwargs: object) -> None:
        self.open("w").close()  # the file is created, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(page, "text")
    assert list(tmp_path.iterdir()) == []
