"""Writing a drawn figure to its file: one place for the options every figure is saved with.

PNG files are compressed at zlib level 1: about twice as fast as PIL's default (6), the same
pixels, files 5 to 10 % larger (the 18 PNGs of a 100,000-trial report: 2.33 MiB against
2.22 MiB)."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

__all__ = ["save_figure"]

PNG_COMPRESSION = 1


def save_figure(figure: Figure, path: Path, format: str = "png") -> None:
    """Save ``figure`` to ``path`` in ``format`` (png, svg or pdf)."""
    if format == "png":
        figure.savefig(path, format=format, pil_kwargs={"compress_level": PNG_COMPRESSION})
    else:
        figure.savefig(path, format=format)
