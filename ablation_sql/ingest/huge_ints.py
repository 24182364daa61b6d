"""Integers too long for Python to convert (more than 4,300 digits): kept as their text.

Python refuses to turn such a literal into an ``int`` (its int-to-string limit), so a JSON or
YAML file holding one would fail as a whole. The readers parse as usual and, only when that
fails for this reason, parse again keeping each such integer as a ``HugeInt`` (its digits as
a string) and say where it was, so the rest of the file is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

__all__ = ["HugeInt", "huge_int", "huge_int_note", "json_decoder", "yaml_loader"]


class HugeInt(str):
    """The digits of an integer literal too long to convert to a number."""


def huge_int(text: str) -> int | HugeInt:
    """``int(text)``, or the text itself when Python refuses to convert that many digits."""
    try:
        return int(text)
    except ValueError:
        return HugeInt(text.strip())


def json_decoder() -> json.JSONDecoder:
    """A JSON decoder (NaN and Infinity allowed) that keeps over-long integers as text."""
    return json.JSONDecoder(parse_int=huge_int)


def yaml_loader(base: type) -> type:
    """A subclass of the safe loader ``base`` keeping over-long integers as text.

    A date that does not exist (``2020-13-45``) stays a string too, as if it were quoted.
    PyYAML is imported here, by the YAML readers alone (results.json and metadata.json need
    only ``json_decoder``).
    """
    import yaml

    def construct_date(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:
            return str(node.value)

    def construct_int(loader: Any, node: yaml.ScalarNode) -> int | HugeInt:
        try:
            return yaml.SafeLoader.construct_yaml_int(loader, node)
        except ValueError:
            return HugeInt(str(node.value))

    loader: type[yaml.SafeLoader] = type("TolerantLoader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    loader.add_constructor("tag:yaml.org,2002:timestamp", construct_date)
    return loader


def huge_int_note(tree: Any, name: str) -> str | None:
    """Where ``tree`` holds HugeInt values, as one sentence about the file ``name``."""
    found = list(_walk(tree, ""))
    if not found:
        return None
    where = ", ".join(f"{path or 'the top level'} ({len(v.lstrip('+-')):,} digits)"
                      for path, v in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return (f"{name}: {_count(len(found))} too long to store as a number, kept as text: "
            f"{where}{more}")


def _count(n: int) -> str:
    return "an integer" if n == 1 else f"{n} integers"


def _walk(node: Any, path: str) -> Iterator[tuple[str, HugeInt]]:
    stack = [(node, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, HugeInt):
            yield where, value
        elif isinstance(value, Mapping):
            stack.extend((v, f"{where}.{k}" if where else str(k))
                         for k, v in reversed(list(value.items())))
        elif isinstance(value, list | tuple):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(value))))
