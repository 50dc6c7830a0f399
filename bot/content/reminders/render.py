"""Reminder rendering: a variant filled for a break, the plan table, schedule warnings."""

from __future__ import annotations

import html
import string
import unicodedata
from collections.abc import Sequence
from datetime import date

from bot.content.reminders.texts import ReminderVariant
from bot.domain.holidays import HolidayBreak, OfficialSchedule, PlannedSend, ScheduleWarning


def _date_zh(day: date, with_year: bool) -> str:
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


# An estimated break's dates are worded as an estimate: a range `{start}至{end}` becomes
# "预计…至…，具体以国务院办公厅通知为准"; a lone {start} or {end} becomes "预计…", and the
# text then ends with ESTIMATE_NOTE.
ESTIMATE_AUTHORITY = "具体以国务院办公厅通知为准"
ESTIMATE_NOTE = f"（文中放假日期为预计，{ESTIMATE_AUTHORITY}。）"
_RANGE_SEPARATORS = ("至", "到", "—", "–", "-", "~", "～")


def _fill(template: str, values: dict[str, str], estimate: bool) -> tuple[str, bool]:
    """The template with its placeholders filled, HTML-escaped; and whether a lone date was used.

    `values` are already escaped. Literal text is escaped here, so `{{` stays a brace.
    """
    parts = list(string.Formatter().parse(template))
    out: list[str] = []
    lone = False
    index = 0
    while index < len(parts):
        literal, name, _, _ = parts[index]
        out.append(html.escape(literal, quote=False))
        following = parts[index + 1] if index + 1 < len(parts) else None
        if (
            name == "start"
            and following is not None
            and following[1] == "end"
            and following[0].strip() in _RANGE_SEPARATORS
        ):
            # A one-day break reads as its day, not "6月9日至6月9日".
            separator = html.escape(following[0], quote=False)
            dates = (
                values["start"]
                if values["start"] == values["end"]
                else f"{values['start']}{separator}{values['end']}"
            )
            out.append(f"预计{dates}，{ESTIMATE_AUTHORITY}" if estimate else dates)
            index += 2
            continue
        if name is not None:
            if estimate and name in ("start", "end"):
                out.append(f"预计{values[name]}")
                lone = True
            else:
                out.append(values[name])
        index += 1
    return "".join(out), lone


def render_reminder(variant: ReminderVariant, brk: HolidayBreak, org: str) -> str:
    """The reminder message in Telegram HTML: bold title, blank line, text with placeholders.

    For an estimated break (no official schedule yet) every date is worded as an estimate.
    """
    crosses = brk.start.year != brk.end.year
    values = {
        "holiday": html.escape(brk.name, quote=False),
        "start": _date_zh(brk.start, crosses),
        "end": _date_zh(brk.end, crosses),
        "org": html.escape(org, quote=False),
    }
    estimate = not brk.official
    title, lone_in_title = _fill(variant.title, values, estimate)
    text, lone_in_text = _fill(variant.text, values, estimate)
    if lone_in_title or lone_in_text:
        text = f"{text}\n{ESTIMATE_NOTE}"
    return f"<b>{title}</b>\n\n{text}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_plan(
    plans: Sequence[PlannedSend],
    year: int,
    schedule: OfficialSchedule,
    holidays_file: str = "content/holidays.yaml",
) -> str:
    """The plain-text plan that `reminders plan --year Y` prints, one aligned line per send.

    Every row says whether its break is official (国务院通知) or an estimate (预计).
    """
    header = ("日期", "时间", "节日", "放假时间", "依据", "提前", "文案")
    rows = [
        (
            p.send_at.date().isoformat(),
            p.send_at.strftime("%H:%M"),
            p.holiday + ("" if p.brk.official else "*"),
            (
                p.brk.start.isoformat()
                if p.brk.start == p.brk.end
                else f"{p.brk.start.isoformat()}–{p.brk.end.isoformat()}"
            ),
            "国务院通知/official" if p.brk.official else "预计/estimate",
            f"提前{p.lead_days}天",
            p.variant_id,
        )
        for p in plans
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"{year}年节前廉洁提醒计划，共{len(rows)}次发送 / Reminder plan {year}: {len(rows)} sends"
    ]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        lines.append("（无发送 / no sends）")
    how = (
        "按 holidays 包的法定假日和补假连同相邻周末推算，"
        f"提醒正文写作“预计……，{ESTIMATE_AUTHORITY}”"
    )
    how_en = (
        "estimated from the statutory and substitute days in the holidays package joined with "
        "the adjacent weekends; reminder texts word them as expected dates"
    )
    if year not in schedule.breaks:
        lines.append(
            f"注意：{year}年的国务院放假安排尚未载入 {holidays_file}，"
            f"以上放假时间（标 * 和“预计”）{how}。通知公布后请补录，再发送 /reload。"
        )
        lines.append(
            f"Note: the State Council schedule for {year} is not in {holidays_file}; "
            f"the breaks above (marked * and estimate) are {how_en}. "
            "Add it once published, then send /reload."
        )
    elif any(not p.brk.official for p in plans):
        lines.append(f"注意：标 * 的节日不在 {holidays_file} 中，放假时间{how}。")
        lines.append(
            f"Note: holidays marked * are not in {holidays_file}; their breaks are {how_en}."
        )
    return "\n".join(lines)


def warning_lines(warning: ScheduleWarning, holidays_file: str) -> list[str]:
    """One line per missing year, as `content check` prints it and start-up logs it."""
    lines = []
    for gap in warning.gaps:
        what = (
            f"no State Council holiday schedule for {gap.year}"
            if gap.absent
            else f"no official break for {', '.join(gap.missing)} in {gap.year}"
        )
        lines.append(
            f"{holidays_file}: {gap.year}: warning: {what}; reminders are timed from estimated "
            "dates until the notice is added here (then /reload)"
        )
    return lines


def variant_ids(variants: dict[str, list[ReminderVariant]]) -> dict[str, list[str]]:
    """The variant ids per holiday, as plan_reminders takes them."""
    return {holiday: [v.id for v in items] for holiday, items in variants.items()}
