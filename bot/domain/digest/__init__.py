"""The weekly digest for leaders as plain values, built from query results for an explicit period.

Definitions (the digest text and the chart say the same thing):

- A period is a run of local calendar days `start`…`end`. `/digest` offers this week (Monday to
  today) and last week (Monday to Sunday); the weekly job reports the seven days before the day
  it runs (sent on a Monday: exactly last week). "Previous week" is always the same days one
  week earlier (this week so far, Monday to Wednesday, is compared with last Monday to
  Wednesday: like with like). The trend is eight whole seven-day windows: ending with the
  period when it is a whole week, else ending the day before it starts (a partial week is left
  out of the trend rather than drawn as a Monday plunge).
- Members of a group in a window: members who have not left and joined before the window ended,
  grouped by the department they are in now (membership has no history; neither do leavers).
  Active: those of them whose status is active (the bot can reach them).
- Participation: a member participated in a window if they finished at least one quiz session
  of any kind in it — a test (`quiz`), a mistake review, an assigned test, or the daily question
  (a daily session holds one question, so answering it finishes it). Rate = participants /
  members.
- Average score: the mean of `100 × correct / questions` over sessions finished in the window,
  daily questions excluded (one question is all-or-nothing) — the same score /me shows.
- Rates and changes are whole numbers rounded half up; a change is the difference of the two
  rounded values, so the numbers a leader reads add up.
- Small groups: a group (a department, everyone, or an assignment's audience) with fewer than
  `SMALL_GROUP` members shows "<5" instead of its rates, so a rate never points at a person.
- Weakest tags and questions: over every answer recorded in the period, the lowest accuracy
  among those with at least `MIN_TAG_ANSWERS` / `MIN_QUESTION_ANSWERS` answers and at least one
  wrong answer; ties go to the one answered more often.
- Reminder acknowledgement: for reminder campaigns created in the period, acknowledgements /
  messages delivered (sent, or possibly sent after a lost answer — the rows 已阅知悉 accepts).
- Assigned tests: assignments open at some point of the period; completed = members of the
  audience with a result before the period ended.
- Reports (counts only): received and closed (a final status reached) within the period; open
  and overdue as of the period's last day (at most yesterday). Overdue: past a case-clock
  target (bot/domain/workdays.py): the first review within `review_workdays` working days,
  closure within `close_months` months of receipt.
"""

from __future__ import annotations

from bot.domain.digest.build import (
    build_digest,
    upcoming_campaign,
    weakest,
)
from bot.domain.digest.inputs import (
    ActivityRow,
    AssignmentRow,
    CampaignAcks,
    DigestInputs,
    MemberRow,
    QuestionInfo,
    ReportCounts,
    UpcomingCampaign,
)
from bot.domain.digest.model import (
    AssignmentLine,
    Digest,
    GroupLine,
    ReminderSummary,
    TrendPoint,
    Weakness,
)
from bot.domain.digest.periods import (
    EVERYONE,
    MIN_QUESTION_ANSWERS,
    MIN_TAG_ANSWERS,
    SMALL_GROUP,
    TREND_WEEKS,
    WEAKEST,
    Period,
    digest_windows,
    half_up,
    percent,
    scheduled_period,
    trend_windows,
    week_period,
)

__all__ = [
    "EVERYONE",
    "MIN_QUESTION_ANSWERS",
    "MIN_TAG_ANSWERS",
    "SMALL_GROUP",
    "TREND_WEEKS",
    "WEAKEST",
    "ActivityRow",
    "AssignmentLine",
    "AssignmentRow",
    "CampaignAcks",
    "Digest",
    "DigestInputs",
    "GroupLine",
    "MemberRow",
    "Period",
    "QuestionInfo",
    "ReminderSummary",
    "ReportCounts",
    "TrendPoint",
    "UpcomingCampaign",
    "Weakness",
    "build_digest",
    "digest_windows",
    "half_up",
    "percent",
    "scheduled_period",
    "trend_windows",
    "upcoming_campaign",
    "weakest",
    "week_period",
]
