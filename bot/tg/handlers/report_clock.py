"""The case-clock lines of a report card: its age in working days and its due dates."""

from __future__ import annotations

from bot.domain.reports import Report
from bot.domain.workdays import Target
from bot.tg.context import BotContext


def clock_lines(context: BotContext, report: Report) -> str:
    """Age (working days, from the stored day of receipt) and the targets still pending."""
    services = context.services
    t = context.t
    clocks = services.case_clocks
    clock = clocks.report_clock(report, services.now())
    key = "reports.card_age" if report.closed_on is None else "reports.card_age_closed"
    lines = [t(key, days=clock.age.days) + clocks.estimate_note(context.language, clock)]
    targets = clocks.targets
    for target in clock.pending:
        overdue = t("reports.card_overdue") if target in clock.overdue else ""
        if target is Target.REVIEW:
            line = t(
                "reports.card_due_review",
                due=clock.review_due.isoformat(),
                workdays=targets.review_workdays,
            )
        else:
            line = t(
                "reports.card_due_close",
                due=clock.close_due.isoformat(),
                months=targets.close_months,
            )
        lines.append(line + overdue)
    return "\n".join(lines)
