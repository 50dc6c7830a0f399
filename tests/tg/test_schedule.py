"""One home for scheduled jobs: what start-up registers, under which names, with which grace."""

from __future__ import annotations

from datetime import timedelta

from bot.tg import schedule
from bot.tg.backup import BACKUP_JOB
from bot.tg.case_clock_jobs import CASE_CLOCK_JOB
from bot.tg.digest import DIGEST_JOB
from bot.tg.health import HEARTBEAT_JOB
from bot.tg.jobs import REPLAN_JOB, SCHEDULE_CHECK_JOB, reminder_job_name
from bot.tg.quiz_jobs import DAILY_JOB, DEADLINE_JOB, ITEMS_JOB
from bot.tg.report_jobs import TICK_JOB
from tests.harness import Harness

SIX_HOURS = 6 * 3600


def _jobs(h: Harness) -> dict[str, float]:
    """Every job on the queue: its name and its misfire grace in seconds."""
    assert h.app is not None
    assert h.app.job_queue is not None
    found: dict[str, float] = {}
    for job in h.app.job_queue.jobs():
        assert job.name is not None
        assert job.name not in found, f"two jobs named {job.name!r}"
        found[job.name] = job.job.misfire_grace_time
    return found


async def test_start_up_registers_every_job_by_name_with_one_misfire_policy(
    harness: Harness,
) -> None:
    jobs = _jobs(harness)
    services = harness.services
    reminders = {reminder_job_name(s) for s in services.reminders.upcoming(services.now())}
    assert reminders  # the shipped holiday schedule has sends ahead
    every_tick = services.reports.write_every.total_seconds()
    assert jobs == {
        **dict.fromkeys(reminders, SIX_HOURS),
        REPLAN_JOB: SIX_HOURS,
        SCHEDULE_CHECK_JOB: SIX_HOURS,
        DAILY_JOB: SIX_HOURS,
        DEADLINE_JOB: SIX_HOURS,
        ITEMS_JOB: SIX_HOURS,
        TICK_JOB: every_tick,
        DIGEST_JOB: SIX_HOURS,
        CASE_CLOCK_JOB: SIX_HOURS,
        BACKUP_JOB: SIX_HOURS,
        HEARTBEAT_JOB: 30,
    }


async def test_registering_again_replaces_every_job_instead_of_adding_one(
    harness: Harness,
) -> None:
    before = _jobs(harness)
    assert harness.app is not None
    schedule.register_jobs(harness.app, harness.services.now())
    await harness.settle()
    assert _jobs(harness) == before


def test_the_misfire_policy_is_hours_or_one_period() -> None:
    assert schedule.late_ok() == {"misfire_grace_time": SIX_HOURS}
    assert schedule.late_ok(timedelta(seconds=30)) == {"misfire_grace_time": 30}
