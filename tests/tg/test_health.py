"""The heartbeat the running bot writes and `python -m bot health` (Docker's HEALTHCHECK) reads."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bot.services.health import HEARTBEAT_EVERY, Beat, HealthService, heartbeat_path
from bot.tg.health import HEARTBEAT_JOB, POLLING_REQUEST_KEY, beat
from tests.harness import Harness
from tests.tg.test_webhook import webhook_harness  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]


def _without_the_job(h: Harness) -> None:
    """Beats come from the test from here on, with the times it passes."""
    assert h.app is not None
    assert h.app.job_queue is not None
    for job in h.app.job_queue.get_jobs_by_name(HEARTBEAT_JOB):
        job.schedule_removal()


async def _health(h: Harness, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot health` as Docker would, with a config naming the database."""
    config = tmp_path / "health.yaml"
    config.write_text(yaml.safe_dump({"storage": {"path": str(h.db_path)}}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "BOT_CONFIG")}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "health", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


async def test_heartbeat_job_runs_on_a_fixed_period(harness: Harness) -> None:
    assert harness.app is not None
    assert harness.app.job_queue is not None
    [job] = harness.app.job_queue.get_jobs_by_name(HEARTBEAT_JOB)
    assert job.job.trigger.interval == HEARTBEAT_EVERY == timedelta(seconds=30)


async def test_healthy_while_polling_then_unhealthy_when_polling_stops(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    _without_the_job(h)
    assert h.app is not None
    polling = h.app.bot_data[POLLING_REQUEST_KEY]
    await h.sandbox.wait_for(lambda: polling.last_success is not None)
    now = datetime.now(UTC)
    assert (await beat(h.app, now)).problem is None
    assert heartbeat_path(h.config).stat().st_mode & 0o077 == 0
    result = await _health(h, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: polling, heartbeat")

    # Telegram stops answering getUpdates: no successful poll any more.
    h.sandbox.inject_fault("500", count=10_000, method="getUpdates")
    await h.sandbox.wait_for(lambda: h.sandbox.stats()["faults_injected"] >= 1)
    last = polling.last_success
    await h.sandbox.wait_for(lambda: h.sandbox.stats()["faults_injected"] >= 2)
    assert polling.last_success == last
    later = last + timedelta(seconds=61)
    assert (await beat(h.app, later)).problem == "telegram: no successful getUpdates for 61 s"
    result = await _health(h, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("unhealthy: telegram: no successful getUpdates")
    h.sandbox.clear_faults()


async def test_unhealthy_when_the_database_cannot_be_reached(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    _without_the_job(h)
    assert h.app is not None
    polling = h.app.bot_data[POLLING_REQUEST_KEY]
    await h.sandbox.wait_for(lambda: polling.last_success is not None)
    assert (await beat(h.app, datetime.now(UTC))).problem is None
    await h.services.db.close()
    outcome = await beat(h.app, datetime.now(UTC))
    assert outcome.problem is not None
    assert outcome.problem.startswith("database: ")
    result = await _health(h, tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("unhealthy: database: ")
    assert re.search(r", healthy \d+ s ago$", result.stderr.strip())
    await h.services.db.open()


async def test_no_heartbeat_or_an_old_one_is_unhealthy(harness: Harness, tmp_path: Path) -> None:
    h = harness
    _without_the_job(h)
    path = heartbeat_path(h.config)
    assert path is not None
    path.unlink(missing_ok=True)
    result = await _health(h, tmp_path)
    assert result.returncode == 1
    assert "no heartbeat yet" in result.stderr
    # A bot that died five minutes ago left a healthy heartbeat behind.
    stale = datetime.now(UTC) - timedelta(minutes=5)
    HealthService(h.config, h.services.db).record(Beat(stale, "polling", None))
    result = await _health(h, tmp_path)
    assert result.returncode == 1
    assert re.match(r"unhealthy: last heartbeat 30\d s ago", result.stderr)


async def test_webhook_mode_is_healthy_while_telegram_has_the_webhook(
    webhook_harness: Harness,  # noqa: F811
    tmp_path: Path,
) -> None:
    h = webhook_harness
    _without_the_job(h)
    assert h.app is not None
    assert (await beat(h.app, datetime.now(UTC))).problem is None
    result = await _health(h, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: webhook")
    await h.app.bot.delete_webhook()
    outcome = await beat(h.app, datetime.now(UTC))
    assert outcome.problem == "telegram: the webhook is no longer registered with Telegram"
    assert (await _health(h, tmp_path)).returncode == 1
