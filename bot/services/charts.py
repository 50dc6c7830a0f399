"""The digest chart (PNG): participation and average score by department, and the 8-week trend.

Pure rendering from a `Digest` with matplotlib's Agg canvas — no pyplot, so no global figure
registry to leak into; matplotlib is imported on first use (it costs ~0.5 s). Chinese labels
need a CJK font: matplotlib's default DejaVu Sans has no Chinese glyphs and draws empty boxes.
The font is Noto Sans SC (SIL Open Font License) from the `pylopdf-fonts-zh-cn` package the
bot depends on, registered by path at run time: no system font and no font cache involved.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.digest import Digest, GroupLine
from bot.i18n import Translate

if TYPE_CHECKING:
    from matplotlib.axes import Axes

PARTICIPATION_COLOR = "#c0392b"
SCORE_COLOR = "#2c7fb8"
# rcParams are process-global: render one chart at a time (charts render in worker threads).
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Chart:
    """A rendered chart, with every label drawn and the font files that drew them."""

    png: bytes
    texts: tuple[str, ...]
    fonts: frozenset[str]


@functools.cache
def cjk_font() -> tuple[str, str]:
    """The packaged Simplified Chinese font, registered with matplotlib: (family, file path)."""
    import pylopdf_fonts_zh_cn
    from matplotlib import font_manager

    path = str(pylopdf_fonts_zh_cn.sans_path())
    # By path, so neither installed fonts nor a stale ~/.cache/matplotlib font list matter.
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name(), path


def _name(t: Translate, line: GroupLine) -> str:
    if line.key == "*":
        return t("chart.everyone")
    return line.name or t("common.no_department")


def _department_panel(ax: Axes, digest: Digest, t: Translate) -> None:
    if all(line.small for line in digest.departments):
        # Nothing to draw but "<5" bars: one line says so instead of an empty panel.
        ax.set_axis_off()
        ax.text(0, 0.5, t("chart.no_departments"), va="center", fontsize=12, color="#555555")
        return
    lines = [digest.overall, *digest.departments]
    names = [_name(t, line) for line in lines]
    height = 0.38
    positions = list(range(len(lines)))
    ax.set_title(t("chart.by_department"), loc="left", fontsize=12)
    ax.set_xlim(0, 112)
    ax.set_yticks(positions, labels=names)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    participation = [line.participation or 0 for line in lines]
    scores = [line.average_score or 0 for line in lines]
    bars_p = ax.barh(
        [p - height / 2 for p in positions],
        participation,
        height,
        color=PARTICIPATION_COLOR,
        label=t("chart.participation"),
    )
    bars_s = ax.barh(
        [p + height / 2 for p in positions],
        scores,
        height,
        color=SCORE_COLOR,
        label=t("chart.score"),
    )
    for i, line in enumerate(lines):
        if line.small:
            ax.text(1, i, t("chart.small"), va="center", fontsize=10, color="#555555")
            continue
        if line.participation is not None:
            bar = bars_p[i]
            ax.text(
                bar.get_width() + 1,
                bar.get_y() + bar.get_height() / 2,
                f"{line.participation}%",
                va="center",
                fontsize=8,
            )
        if line.average_score is not None:
            bar = bars_s[i]
            ax.text(
                bar.get_width() + 1,
                bar.get_y() + bar.get_height() / 2,
                str(line.average_score),
                va="center",
                fontsize=8,
            )


def _trend_panel(ax: Axes, digest: Digest, t: Translate) -> None:
    points = digest.trend
    x = list(range(len(points)))
    labels = [p.period.start.strftime("%m-%d") for p in points]
    participation = [math.nan if p.participation is None else p.participation for p in points]
    scores = [math.nan if p.average_score is None else p.average_score for p in points]
    # A partial week is not in the trend (domain.digest.trend_windows); the title says so.
    ax.set_title(
        t("chart.trend" if digest.period.whole_week else "chart.trend_partial"),
        loc="left",
        fontsize=12,
    )
    ax.plot(x, participation, marker="o", color=PARTICIPATION_COLOR, label=t("chart.participation"))
    ax.plot(x, scores, marker="s", color=SCORE_COLOR, label=t("chart.score"))
    ax.set_xticks(x, labels=labels)
    ax.set_ylim(0, 105)
    ax.grid(alpha=0.3)


def render_chart(digest: Digest, t: Translate) -> Chart:
    """Draw the digest chart as a PNG (labels in the language of `t`)."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    with _LOCK:
        family, _path = cjk_font()
    with (
        _LOCK,
        matplotlib.rc_context(
            {
                "font.family": "sans-serif",
                # DejaVu Sans (matplotlib's own) only for a character the CJK font lacks.
                "font.sans-serif": [family, "DejaVu Sans"],
                # CJK fonts may lack U+2212 (minus sign); use an ASCII hyphen.
                "axes.unicode_minus": False,
            }
        ),
    ):
        shown = not all(line.small for line in digest.departments)
        rows = len(digest.departments) + 1 if shown else 1
        figure = Figure(figsize=(9, 3.6 + 0.45 * rows), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        top, bottom = figure.subplots(2, 1, height_ratios=[max(rows, 2) * 0.45 + 0.8, 3])
        figure.suptitle(
            t(
                "chart.title",
                org=digest.organization,
                start=digest.period.start.isoformat(),
                end=digest.period.end.isoformat(),
            ),
            fontsize=13,
        )
        _department_panel(top, digest, t)
        _trend_panel(bottom, digest, t)
        # One legend for both panels (same colours), outside the plots so it hides no bar.
        handles, labels = top.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=10)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        drawn = [x for x in figure.findobj(Text) if x.get_visible() and x.get_text().strip()]
        texts = tuple(x.get_text() for x in drawn)
        # findfont may answer a FontPath (a str subclass that compares as (path, face)).
        fonts = frozenset(str(font_manager.findfont(x.get_fontproperties())) for x in drawn)
    return Chart(buffer.getvalue(), texts, fonts)
