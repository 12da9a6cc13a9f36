"""Pictures: training curves, a confusion matrix, a GRU-vs-LSTM comparison chart.

matplotlib is an optional extra (``pip install "sentigru[plot]"``), so it is imported
only inside the functions here, and only through its Agg canvas: no pyplot, no GUI
backend, no global state, and ``sentigru predict`` never pays for the import. Every
function returns PNG bytes; the caller decides where they go (into a staged model folder,
or a file written atomically), so this module knows nothing of the file system.
"""

from __future__ import annotations

import functools
import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from typing import Any

from sentigru.errors import SentigruError

INSTALL_HINT = 'pip install "sentigru[plot]"'  # double quotes: cmd.exe takes no others
SOFTWARE = b"sentigru"
"""Written into every picture's PNG ``Software`` text, so ``--force`` replaces a picture
sentigru drew and never one the user made (``outputs.is_sentigru_png``)."""


class NoMatplotlib(SentigruError):
    """matplotlib is not installed: the pictures are skipped, never the command."""

    def __init__(self) -> None:
        super().__init__(f"no pictures: matplotlib is not installed ({INSTALL_HINT})")


def available() -> bool:
    """Whether matplotlib can be imported (imports it: call only when about to draw)."""
    try:
        _figure(1, 1)
    except NoMatplotlib:
        return False
    return True


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise NoMatplotlib() from None
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


WIDE_FONTS = (
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Hiragino Sans",
    "Yu Gothic",
    "Meiryo",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "Microsoft YaHei",
    "PingFang SC",
)
"""Fonts with Japanese, Chinese and Korean glyphs (Linux, macOS, Windows), taken where
installed for the characters matplotlib's own font lacks: Japanese labels were drawn as
empty boxes."""


@functools.cache
def _families() -> tuple[str, ...]:
    """matplotlib's font, then each installed one of :data:`WIDE_FONTS`, for the text
    that names labels (set per text: no global setting is changed)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in WIDE_FONTS if name in installed))


def _png(figure: Any) -> bytes:
    """The figure as PNG bytes. A symbol no font here draws (an emoji in a label: no
    colour font reaches matplotlib) is a box, without matplotlib's warning and its
    source line on stderr; a missing letter (kana, hangul) is still warned of."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(buffer, format="png", metadata={"Software": SOFTWARE.decode()})
    for said in caught:
        if not _a_symbol_missing(str(said.message)):
            warnings.warn_explicit(said.message, said.category, said.filename, said.lineno)
    return buffer.getvalue()


def _a_symbol_missing(message: str) -> bool:
    glyph = re.match(r"Glyph (\d+) ", message)
    return glyph is not None and unicodedata.category(chr(int(glyph[1]))) == "So"


def _shown(text: str) -> str:
    """``text`` as a figure can draw it: a path's bytes that are not UTF-8 (held as
    surrogates) written as escapes, which the font engine refuses raw."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _epoch_axes(axes: Any, series: dict[str, list[float]], title: str) -> None:
    """One line per named series of per-epoch values (empty ones left out)."""
    for label, values in series.items():
        if values:
            axes.plot(range(1, len(values) + 1), values, marker="o", label=label)
    axes.set_title(title)
    axes.set_xlabel("epoch")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend()


def _curves(axes: Any, history: dict[str, list[float]], key: str, title: str) -> None:
    """Training and validation values of ``key`` per epoch, on one axes."""
    series = {"training": history.get(key) or [], "validation": history.get(f"val_{key}") or []}
    _epoch_axes(axes, series, title)


def training_png(history: dict[str, list[float]], title: str = "") -> bytes:
    """Loss and accuracy per epoch, training and validation, side by side."""
    figure = _figure(10, 4)
    loss, accuracy = figure.subplots(1, 2)
    _curves(loss, history, "loss", "loss")
    _curves(accuracy, history, "accuracy", "accuracy")
    if title:
        figure.suptitle(_shown(title), fontfamily=list(_families()), parse_math=False)
    return _png(figure)


TICK_CHARACTERS = 24
"""The most characters of a label drawn beside the matrix: labels of 40 and more left the
matrix a few pixels wide, with a layout warning on stderr."""


def _tick(label: str) -> str:
    """A long label's start and end (``customer_ser…_shipping``): labels that share a
    long start differ at their end."""
    if len(label) <= TICK_CHARACTERS:
        return label
    half = (TICK_CHARACTERS - 1) // 2
    return label[:half] + "…" + label[-(TICK_CHARACTERS - 1 - half) :]


def confusion_png(report: dict[str, Any], title: str = "") -> bytes:
    """The confusion matrix of an evaluation report (rows true, columns predicted), each
    cell with its count, shaded by the share of its true label."""
    labels: Sequence[str] = report["labels"]
    counts = report["confusion_matrix"]
    size = max(4.0, 0.6 * len(labels) + 2.5)
    figure = _figure(size + 1, size)
    axes = figure.subplots()
    shares = [[c / max(1, sum(row)) for c in row] for row in counts]
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=axes, label="share of the true label")
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            colour = "white" if shares[i][j] > 0.5 else "black"
            axes.text(j, i, str(count), ha="center", va="center", color=colour)
    fonts = list(_families())
    rotation = 45 if len(labels) > 4 else 0
    shown = dict(fontfamily=fonts, parse_math=False)  # a '$' in a label or path is text
    ticks = [_tick(label) for label in labels]
    axes.set_xticks(range(len(labels)), ticks, rotation=rotation, **shown)
    axes.set_yticks(range(len(labels)), ticks, **shown)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    heading = f"accuracy {report['accuracy']:.2%} on {report['n']} texts"
    axes.set_title(f"{_shown(title)}\n{heading}" if title else heading, **shown)
    return _png(figure)


# The comparison chart's bar panels: (key in a cell's figures, title, scale, unit format).
_BARS = (
    ("parameters", "parameters", 1.0, "{:,.0f}"),
    ("seconds_per_epoch", "training seconds per epoch (after the first)", 1.0, "{:.2f}"),
    ("process_cpu_seconds", "CPU seconds of the training process", 1.0, "{:.0f}"),
    ("peak_rss_bytes", "peak memory of training (MB)", 1e-6, "{:.0f}"),
    ("tflite_bytes", "phone file (MB)", 1e-6, "{:.3f}"),
    ("latency_ms", "phone-file latency, one text (ms)", 1.0, "{:.2f}"),
)


def _per_epoch(axes: Any, cells: dict[str, dict[str, Any]], key: str, title: str) -> None:
    _epoch_axes(axes, {name: figures.get(key) or [] for name, figures in cells.items()}, title)


def comparison_png(cells: dict[str, dict[str, Any]], title: str = "") -> bytes:
    """Validation accuracy and loss per epoch of each cell, and one bar panel per
    measurement."""
    figure = _figure(18, 8)
    grid = figure.subplots(2, 4)
    accuracy, loss, bars = grid.flat[0], grid.flat[4], [*grid.flat[1:4], *grid.flat[5:]]
    _per_epoch(accuracy, cells, "val_accuracy", "validation accuracy per epoch")
    _per_epoch(loss, cells, "val_loss", "validation loss per epoch")
    names = list(cells)
    colours = [f"C{i}" for i in range(len(names))]
    for axes, (key, heading, scale, fmt) in zip(bars, _BARS):
        values = [(cells[n].get(key) or 0) * scale for n in names]
        drawn = axes.bar(names, values, color=colours)
        axes.bar_label(drawn, labels=[fmt.format(v) for v in values])
        axes.set_title(heading)
        axes.margins(y=0.15)
    if title:
        figure.suptitle(_shown(title), fontfamily=list(_families()), parse_math=False)
    return _png(figure)
