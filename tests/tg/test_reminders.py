"""Holiday reminders: scheduled jobs, the job callback, start-up catch-up, and 已阅知悉."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.holidays import PlannedSend
from tests.harness import Harness, buttons
from tests.tg.delivery_support import drain, seed_members

MID_AUTUMN = "中秋节"  # 2026 break 09-25 – 09-27; sends 09-22 and 09-24 at 09:00 Beijing time


def reminders(h: Harness, user_id: int) -> list[dict[str, object]]:
    """Reminder messages in a member's chat."""
    return [m for m in h.sandbox.bot_messages(user_id) if "节前" in str(m["text"])]


async def campaign_keys(h: Harness) -> list[str]:
    """Keys of reminder campaigns, oldest first."""
    rows = await h.services.db.fetchall(
        "SELECT key FROM campaigns WHERE kind = 'reminder' ORDER BY id"
    )
    return [r["key"] for r in rows]


async def test_every_upcoming_send_has_a_named_job_with_hours_of_grace(harness: Harness) -> None:
    assert harness.app is not None
    job_queue = harness.app.job_queue
    assert job_queue is not None
    names = {job.name for job in job_queue.jobs()}
    assert {"reminder 2026 中秋节 3", "reminder 2026 国庆节 1", "reminder 2027 春节 3"} <= names
    assert "reminders replan" in names
    [job] = job_queue.get_jobs_by_name("reminder 2026 中秋节 3")
    send: PlannedSend = job.data  # type: ignore[assignment]
    assert send.campaign_key == "reminder:2026:中秋节:3"
    assert job.job.misfire_grace_time == 6 * 3600
    # 2026-09-22 09:00 Beijing time is 47 hours after the harness clock (09-20 10:00 Beijing).
    assert job.next_t is not None
    ahead = job.next_t - datetime.now(UTC)
    assert abs(ahead - timedelta(hours=47)) < timedelta(minutes=1)


async def test_reminder_job_sends_the_holiday_text_to_active_members_once(
    harness: Harness,
) -> None:
    h = harness
    members = await seed_members(h.services.db, h.sandbox, range(601, 606))
    await h.services.membership.mark_unreachable(605, h.clock())
    assert h.app is not None
    assert h.app.job_queue is not None
    [job] = h.app.job_queue.get_jobs_by_name("reminder 2026 中秋节 3")

    h.clock.now = datetime(2026, 9, 22, 1, 0, tzinfo=UTC)
    await job.run(h.app)
    await job.run(h.app)  # a second run (e.g. a misfire catch-up) changes nothing
    await drain(h)

    assert await campaign_keys(h) == ["reminder:2026:中秋节:3"]
    for user_id in members[:4]:
        [message] = reminders(h, user_id)
        text = str(message["text"])
        assert "中秋节（9月25日至9月27日）" in text
        assert "测试县应急管理局" in text
        assert "月饼" in text
        assert [b["text"] for b in buttons(message)] == ["已阅知悉"]
    assert reminders(h, 605) == []


async def test_catch_up_after_downtime_sends_once_and_only_the_latest_send(
    harness: Harness,
) -> None:
    h = harness
    members = await seed_members(h.services.db, h.sandbox, range(701, 704))
    await h.stop()

    # Down over both 中秋 send times (09-22 and 09-24, 09:00); back on 09-24 at 12:00.
    h.clock.now = datetime(2026, 9, 24, 4, 0, tzinfo=UTC)
    await h.start()
    await drain(h)
    assert await campaign_keys(h) == ["reminder:2026:中秋节:1"]

    await h.restart()
    await h.restart()
    await drain(h)
    assert await campaign_keys(h) == ["reminder:2026:中秋节:1"]
    for user_id in members:
        assert len(reminders(h, user_id)) == 1

    # After the break has ended nothing of 中秋 is sent late.
    await h.stop()
    h.clock.now = datetime(2026, 9, 27, 17, 0, tzinfo=UTC)  # 09-28 01:00 Beijing time
    await h.start()
    await drain(h)
    assert await campaign_keys(h) == ["reminder:2026:中秋节:1"]


async def test_acknowledgement_is_stored_once_when_pressed_twice(harness: Harness) -> None:
    h = harness
    [member] = await seed_members(h.services.db, h.sandbox, [801])
    h.clock.now = datetime(2026, 9, 22, 1, 0, tzinfo=UTC)
    await h.restart()  # the catch-up creates the 中秋 reminder
    await drain(h)
    [message] = reminders(h, member)
    campaign_id = (await h.services.delivery.campaign_by_key("reminder:2026:中秋节:3")).id

    h.clock.advance(hours=2)
    after = await h.press(member, message, "已阅知悉")
    assert [b["text"] for b in buttons(after)] == ["✅ 已阅"]
    h.clock.advance(minutes=5)
    calls_before = len(h.sandbox.calls)
    await h.press(member, after, "已阅")
    pressed_again = [c[1] for c in h.sandbox.calls[calls_before:] if c[1] != "getUpdates"]
    assert pressed_again == ["answerCallbackQuery"]  # no edit, no message

    assert h.toasts(member) == ["已确认", "已确认"]
    rows = await h.services.db.fetchall("SELECT campaign_id, user_id, at FROM acknowledgements")
    assert [tuple(r) for r in rows] == [(campaign_id, member, "2026-09-22T03:00:00+00:00")]


async def test_acknowledging_someone_elses_campaign_is_refused(harness: Harness) -> None:
    h = harness
    member, outsider = await seed_members(h.services.db, h.sandbox, [901, 902])
    created = await h.services.delivery.create_campaign(
        "test:ack", "notice", {"text": {"zh": "节前通知"}, "ack": True}, [member]
    )
    await h.services.delivery.create_campaign(
        "test:other", "notice", {"text": {"zh": "节前另一份通知"}}, [outsider]
    )
    await drain(h)
    [message] = reminders(h, member)
    [own] = reminders(h, outsider)
    data = buttons(message)[0]["callback_data"]
    await h.press_data(outsider, own["message_id"], data)  # forged onto their own message
    assert h.toasts(outsider) == ["这个按钮已失效（可能来自旧消息）。请重新发送相应指令。"]
    assert await h.services.delivery.acknowledgements(created.campaign_id) == 0
