"""Writing a drawn figure to its file: one place for the options every figure is saved with.

PNG files are compressed at zlib level 1: about twice as fast as PIL's default (6), the same
pixels, files 5 to 10 % larger (the 18 PNGs of a 100,000-trial report: 2.33 MiB against
2.22 MiB). A figure laid out by ``tight_layout`` is left a placeholder layout engine, for
which ``savefig`` draws the whole figure once more (without rendering) before drawing it:
the placeholder is removed first: the same pixels, saved in 20 to 35 % less time. A figure
made by ``agg_figure`` is laid out and saved with one renderer, its texts measured once; the
figures of one size drawn in one thread share that renderer (its buffer cleared before each
draw), so a text measured for one figure (a tick label, a title) is not measured again for the
next."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

__all__ = ["agg_figure", "save_figure"]

PNG_COMPRESSION = 1
_RENDERERS = threading.local()  # this thread's renderers, by (width, height, dpi)


class _SharedCanvas(FigureCanvasAgg):
    """An Agg canvas drawing with this thread's renderer of its figure's size (matplotlib
    caches a text's measures per renderer)."""

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        renderers = _RENDERERS.__dict__.setdefault("by_size", {})
        if key not in renderers:
            renderers[key] = RendererAgg(width, height, self.figure.dpi)
        self.renderer, self._lastKey = renderers[key], key
        return self.renderer


def agg_figure(**kwargs: Any) -> Figure:
    """A ``Figure(**kwargs)`` on an Agg canvas: ``tight_layout`` then measures its texts with
    the renderer that draws the PNG (a bare Figure's layout makes a renderer of its own), so
    each text is laid out once; the renderer is this thread's for the figure's size."""
    figure = Figure(**kwargs)
    _SharedCanvas(figure)
    return figure


def save_figure(figure: Figure, path: Path, format: str = "png") -> None:
    """Save ``figure`` to ``path`` in ``format`` (png, svg or pdf)."""
    if (isinstance(figure.get_layout_engine(), PlaceHolderLayoutEngine)
            and not rcParams["figure.autolayout"]
            and not rcParams["figure.constrained_layout.use"]):
        figure.set_layout_engine(None)  # laid out already: no layout engine left to run
    if format == "png":
        figure.savefig(path, format=format, pil_kwargs={"compress_level": PNG_COMPRESSION})
    else:
        figure.savefig(path, format=format)
