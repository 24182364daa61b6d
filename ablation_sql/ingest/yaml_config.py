"""Safe YAML loading of ABLATOR configs (libyaml's CSafeLoader, guarded against alias bombs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .files import FileProblem, read_text
from .huge_ints import huge_int_note, yaml_loader
from .yaml_entries import SAFE_LOADER, parse_entries

__all__ = ["load_config", "parse_config"]

MAX_CONFIG_BYTES = 8 * 1024 * 1024
MAX_NODES = 200_000

_TolerantLoader = yaml_loader(SAFE_LOADER)


def parse_config(text: str, name: str = "config.yaml", notes: list[str] | None = None
                 ) -> dict[str, Any]:
    """Parse YAML text that must hold a mapping; raise FileProblem with a reason otherwise.

    Integers too long to convert are kept as text, with a sentence appended to ``notes``.
    """
    data = parse_entries(text)
    if data is not None:
        return data
    try:
        try:
            data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
        except ValueError:  # an over-long integer or a date that does not exist
            data = yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - a safe loader
            note = huge_int_note(data, name)
            if note and notes is not None:
                notes.append(note)
    except RecursionError:
        raise FileProblem(f"{name} is nested too deeply to read") from None
    except ValueError as exc:
        raise FileProblem(f"{name} holds a value that cannot be read: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FileProblem(f"{name} is not valid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise FileProblem(f"{name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise FileProblem(f"{name} does not hold a mapping (found {type(data).__name__})")
    if "&" in text:  # only an anchor ("&name") can make an alias share a value
        _check_tree(data, name)
    return data


def load_config(path: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """Read and parse a config file (config.yaml or master_config.yaml); see parse_config."""
    return parse_config(read_text(path, max_bytes=MAX_CONFIG_BYTES), path.name, notes)


def _check_tree(root: Any, name: str) -> None:
    """Refuse shared containers (YAML aliases) and trees too large to flatten."""
    seen: set[int] = set()
    stack = [root]
    count = 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FileProblem(f"{name} holds more than {MAX_NODES:,} values")
        if isinstance(node, dict | list):
            if id(node) in seen:
                raise FileProblem(f"{name} reuses a mapping or list through a YAML alias")
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
