"""Attack: a broadcast's outbox times show, to the second, when a reporter was in /report.

The delivery engine sends a campaign in user-id order, but defers a member whose chat had a
reply from the bot within the last second (`Pacer`, the limiter's observer). The outbox keeps
each row's send time in milliseconds (`outbox.updated_at`). A reporter who goes through /report
while a broadcast is running is served out of order, at a time the database records, with no
recorded action of theirs to explain it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.sandbox import Sandbox
from tests.harness import ADMIN, TOKEN, Harness, make_config
from tests.tg.delivery_support import drain, seed_members
from tests.tg.report_support import BODY, all_rows

R = 1030


async def run_world(root: Path, reporting: bool) -> tuple[list[int], list[dict[str, Any]]]:
    """A 60-member broadcast; R files meanwhile (or not). The order sent and the sent rows."""
    data = root / "data"
    async with Sandbox(token=TOKEN, bot_username="qinglian_test_bot") as sandbox:
        db_path = data / "bot.db"
        h = Harness(sandbox=sandbox, db_path=db_path, config=make_config(sandbox, db_path))
        await h.start()
        try:
            await h.join(ADMIN, "王管理")
            await seed_members(h.services.db, h.sandbox, range(1001, 1061))
            await h.send(ADMIN, "/broadcast")
            [ask] = await h.send(ADMIN, "周一上午九点召开廉政教育会议。")
            preview = await h.press(ADMIN, ask, "全体成员")
            await h.press(ADMIN, preview, "发送给")  # the engine starts sending
            # Wait until the broadcast is under way (its first rows are out).
            await h.sandbox.wait_for(
                lambda: any(c == 1015 for _, m, c in h.sandbox.calls), timeout=10
            )
            if reporting:
                [intro] = await h.send(R, "/report")
                message = await h.press(R, intro, "形式主义")
                message = await h.press(R, message, "办公室")
                [prompt] = await h.send(R, BODY)
                preview = await h.press(R, prompt, "完成")
                await h.press(R, preview, "确认提交")
            await drain(h)
            order = [c for _, m, c in h.sandbox.calls if m == "sendMessage" and 1001 <= c <= 1060]
        finally:
            await h.stop()
    return order, [r for r in all_rows(db_path)["outbox"] if r["status"] == "sent"]


async def test_the_send_order_is_random_and_no_row_keeps_its_time(tmp_path: Path) -> None:
    order, rows = await run_world(tmp_path / "r", True)
    # The attack sorted the sent rows by their time and read R's place: no row keeps one.
    assert len(rows) == 61  # the 60 members and the admin
    kept = [
        r for r in rows if (r["updated_at"], r["next_attempt_at"], r["message_id"]) != (None,) * 3
    ]
    assert kept == [], kept[:3]
    # And the queue is not user-id order (where a member served late stands out).
    assert sorted(set(order)) == list(range(1001, 1061))
    assert order != sorted(order)
