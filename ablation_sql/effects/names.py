"""Short attribute names for sentences: the shortest dotted suffix that is still unique."""

from __future__ import annotations

__all__ = ["short_names"]


def short_names(attributes: list[str]) -> dict[str, str]:
    """Each attribute's shortest dotted suffix not shared by another attribute.

    ``model_config.num_filter1`` becomes ``num_filter1``; ``a.lr`` and ``b.lr`` keep ``a.lr`` and
    ``b.lr``.
    """
    out: dict[str, str] = {}
    for name in attributes:
        parts = name.split(".")
        for i in range(len(parts) - 1, -1, -1):
            suffix = ".".join(parts[i:])
            if not any(o != name and (o == suffix or o.endswith("." + suffix))
                       for o in attributes):
                out[name] = suffix
                break
        else:
            out[name] = name
    return out
