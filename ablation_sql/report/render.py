"""The report page: Jinja2 templates with autoescape on, so every string from the data is
HTML-escaped; numbers formatted for people; figure paths URL-quoted."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

import jinja2

__all__ = ["render_page"]


def _number(value: Any) -> str:
    """A cell as text: '–' for NULL, floats to 4 significant digits, the rest as is."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        return f"{value:.4g}"
    return str(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ablation_sql.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = _number
    env.filters["url"] = lambda path: quote(str(path))
    return env


def render_page(template: str, **context: Any) -> str:
    """``templates/<template>`` rendered with ``context``."""
    return _environment().get_template(template).render(**context)
