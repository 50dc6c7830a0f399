"""Holiday schedule and reminder texts: loading with line numbers, validation, rendering.

`schedule` reads content/holidays.yaml, `texts` content/reminders/*.yaml, `render` fills a
text for a break and formats the plan; the names below are the ones the bot imports.
"""

from bot.content.reminders.render import (
    ESTIMATE_AUTHORITY,
    ESTIMATE_NOTE,
    format_plan,
    render_reminder,
    variant_ids,
    warning_lines,
)
from bot.content.reminders.schedule import (
    MAKEUP_KEY,
    MAX_BREAK_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    load_schedule,
)
from bot.content.reminders.texts import MAX_TEXT, PLACEHOLDERS, ReminderVariant, load_reminders

__all__ = [
    "ESTIMATE_AUTHORITY",
    "ESTIMATE_NOTE",
    "MAKEUP_KEY",
    "MAX_BREAK_DAYS",
    "MAX_TEXT",
    "MAX_YEAR",
    "MIN_YEAR",
    "PLACEHOLDERS",
    "ReminderVariant",
    "format_plan",
    "load_reminders",
    "load_schedule",
    "render_reminder",
    "variant_ids",
    "warning_lines",
]
