"""The outcome of an episode as one SVG figure, read at a glance and legible printed in black and white.

One small panel per headline measure, each on its own scale: the scores over time (filled circles, a solid
line), follow-ups after discharge (open squares), the baseline (dashed), the score at which the MCID is
reached (dotted; :meth:`MeasureOutcome.mcid_threshold`), and the visits as light vertical lines. Below
them, the weekly running distance (hatched bars; the return week filled) against the pre-injury weekly
distance (dash-dot). Styles differ by line and marker, not only by colour.

matplotlib is imported inside :func:`render_svg` (importing this module costs nothing) with the Agg
backend: no display is needed. The SVG keeps its text as text (``svg.fonttype`` "none") and is the same
bytes for the same input (a fixed ``svg.hashsalt``, no date in its metadata).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from clinic_api.outcomes.arithmetic import MeasureOutcome, Point, WeekTotal
from clinic_api.outcomes.words import ENGLISH, Words

RC = {"svg.hashsalt": "clinic-api-outcome-chart", "svg.fonttype": "none", "font.family": "DejaVu Sans",
      "font.size": 8.5, "axes.titlesize": 9.5, "axes.titleweight": "bold", "axes.spines.top": False,
      "axes.spines.right": False, "legend.frameon": False}
INK, GREY, LIGHT = "#000000", "#6e6e6e", "#d0d0d0"


@dataclass(frozen=True)
class ChartData:
    """What the figure shows: the headline measures (in panel order), the visits' dates, the weekly totals,
    the pre-injury weekly distance and the return-to-run week if there is one."""

    title: str
    measures: Sequence[MeasureOutcome] = ()
    visit_days: Sequence[date] = ()
    weeks: Sequence[WeekTotal] = ()
    pre_injury_km: Decimal | None = None
    return_week: date | None = None
    clinic_zone: tzinfo = UTC


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _when(point: Point, zone: tzinfo) -> datetime:
    return point.time.astimezone(zone).replace(tzinfo=None)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12))


def _visits(ax: Any, days: Sequence[date], words: Words) -> None:
    for number, day in enumerate(sorted(days)):
        ax.axvline(_noon(day), color=LIGHT, linewidth=0.8, zorder=0, label=words["chart.visit"] if not number else None)


def _levels(ax: Any, m: MeasureOutcome, words: Words) -> None:
    """The baseline (or no change, for a change score) dashed, and the MCID threshold dotted."""
    if m.spec.is_change_score:
        ax.axhline(0, color=GREY, linestyle="--", linewidth=1, label=words["chart.no_change"])
    elif m.baseline is not None:
        ax.axhline(float(m.baseline.value), color=GREY, linestyle="--", linewidth=1, label=words["chart.baseline"])
    threshold = m.mcid_threshold()
    if threshold is not None:
        ax.axhline(float(threshold), color=INK, linestyle=":", linewidth=1.2, label=words["chart.mcid_line"])


def _measure_panel(ax: Any, m: MeasureOutcome, data: ChartData, words: Words) -> None:
    spec = m.spec
    _visits(ax, data.visit_days, words)
    if m.series:
        ax.plot([_when(p, data.clinic_zone) for p in m.series], [float(p.value) for p in m.series], color=INK,
                linestyle="-", linewidth=1.6, marker="o", markersize=4.5, label=words["chart.score"], zorder=3)
    _levels(ax, m, words)
    if spec.min is not None and spec.max is not None:
        pad = float(spec.max - spec.min) * 0.06
        ax.set_ylim(float(spec.min) - pad, float(spec.max) + pad)
    key = "chart.higher_is_better" if spec.higher_is_better else "chart.lower_is_better"
    ax.set_title(words[key].format(Label=_capital(m.label)), loc="left")
    ax.set_ylabel(words["chart.axis.out_of_ten"] if spec.unit == "/10" else words["chart.axis.points"])


def _follow_up_panel(ax: Any, m: MeasureOutcome, data: ChartData, words: Words, first: bool) -> None:
    """The scores after discharge, in a narrow panel of their own so that months without visits take no room."""
    days = sorted({p.day(data.clinic_zone) for row in data.measures for p in row.follow_ups})
    _levels(ax, m, words)
    if m.follow_ups:
        ax.plot([_when(p, data.clinic_zone) for p in m.follow_ups], [float(p.value) for p in m.follow_ups],
                linestyle="none", marker="s", markersize=5, markerfacecolor="white", markeredgecolor=INK,
                label=words["chart.after_discharge"], zorder=3)
    ax.set_xlim(_noon(days[0]) - timedelta(days=10), _noon(days[-1]) + timedelta(days=10))
    ax.set_xticks([_noon(day) for day in days], [_short_date(day, words) for day in days])
    ax.tick_params(labelleft=False)
    ax.spines["left"].set_linestyle((0, (2, 2)))
    if first:
        ax.set_title(words["chart.follow_up"], loc="center")


def _running_panel(ax: Any, data: ChartData, words: Words) -> None:
    _visits(ax, data.visit_days, words)
    weeks = sorted(data.weeks, key=lambda week: week.week_start)
    plain = [week for week in weeks if week.week_start != data.return_week]
    back = [week for week in weeks if week.week_start == data.return_week]
    for chosen, style in ((plain, {"facecolor": "white", "hatch": "////", "label": words["chart.weekly_distance"]}),
                          (back, {"facecolor": GREY, "hatch": None, "label": words["chart.return_week"]})):
        if chosen:
            ax.bar([_noon(week.week_start) + timedelta(days=3) for week in chosen],
                   [float(week.distance_km) for week in chosen], width=6, edgecolor=INK, linewidth=0.8,
                   zorder=2, **style)
    if data.pre_injury_km:
        ax.axhline(float(data.pre_injury_km), color=INK, linestyle="-.", linewidth=1.3,
                   label=words["chart.pre_injury"], zorder=3)
    if not any(week.runs for week in weeks):
        ax.text(0.5, 0.5, words["chart.no_runs"], transform=ax.transAxes, ha="center", va="center", color=GREY)
    ax.set_ylim(bottom=0)
    ax.set_title(words["chart.weekly_distance"], loc="left")
    ax.set_ylabel(words["chart.km_per_week"])


def _legend(fig: Any, axes: Sequence[Any]) -> None:
    """One legend for the figure, below the panels, each entry once, in the order the panels first show it."""
    entries: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    if entries:
        fig.legend(list(entries.values()), list(entries), loc="outside lower center", ncols=min(len(entries), 4))


def _short_date(day: date, words: Words) -> str:
    return f"{day.day} {words[f'month.{day.month}'][:3]}"


def _date_axis(ax: Any, words: Words) -> None:
    """Dates on the x axis: Mondays (the weeks of the running panel) over a few months, else matplotlib's pick."""
    from matplotlib.dates import MO, AutoDateLocator, WeekdayLocator, num2date
    from matplotlib.ticker import FuncFormatter

    low, high = ax.get_xlim()
    weeks = (high - low) / 7
    locator = WeekdayLocator(byweekday=MO, interval=-(-int(weeks) // 9) or 1) if weeks <= 20 else AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: _short_date(num2date(value).date(), words)))
    ax.set_xlabel(words["chart.date"])


def _panels(fig: Any, rows: int, follow_ups: bool) -> tuple[list[Any], list[Any]]:
    """A column of panels sharing the date axis, and beside the measures' rows a narrow column for follow-ups."""
    grid = fig.add_gridspec(rows, 2 if follow_ups else 1, width_ratios=[6, 1] if follow_ups else [1])
    left: list[Any] = []
    for row in range(rows):
        left.append(fig.add_subplot(grid[row, 0], sharex=left[0] if left else None))
        if row < rows - 1:
            left[-1].tick_params(labelbottom=False)
    right = [fig.add_subplot(grid[row, 1], sharey=left[row]) for row in range(rows - 1)] if follow_ups else []
    return left, right


def render_svg(data: ChartData, words: Words = ENGLISH) -> bytes:
    """The figure as SVG bytes: a panel per measure with scores (those without any are left out), then the
    weekly running distance; a title and one legend."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    measures = [m for m in data.measures if m.series or m.follow_ups]
    follow_ups = any(m.follow_ups for m in measures)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(8, 1.5 + 2.0 * (len(measures) + 1)), layout="constrained")
        left, right = _panels(fig, len(measures) + 1, follow_ups)
        for row, measure in enumerate(measures):
            _measure_panel(left[row], measure, data, words)
            if right:
                _follow_up_panel(right[row], measure, data, words, first=row == 0)
        _running_panel(left[-1], data, words)
        if data.visit_days or data.weeks or any(m.series for m in measures):
            _date_axis(left[-1], words)
        fig.suptitle(data.title, fontsize=11, fontweight="bold")
        _legend(fig, left + right)
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
