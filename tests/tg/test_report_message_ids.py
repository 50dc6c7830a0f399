"""Attack: Telegram message ids stored with a timestamp count the messages in a member's chat.

In a private chat every message (the member's and the bot's, deleted ones too) takes the next
message id of that chat. The outbox keeps, for every broadcast and reminder, the message id it
got in each member's chat and the time (`outbox.message_id`, `outbox.updated_at`). Two campaigns
bracket a report: the difference of a member's two message ids is how many messages passed in
their chat in between. A /report conversation costs a fixed handful, and nothing else in the
database explains them. An attacker with bot.db alone ranks members by that difference.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.sandbox import Sandbox
from tests.harness import ADMIN, TOKEN, Harness, make_config
from tests.tg.delivery_support import drain
from tests.tg.report_support import all_rows, file_report

A, B, C, R = 901, 902, 903, 905
NAMES = {A: "甲干部", B: "乙干部", C: "丙干部", R: "戊干部"}


async def broadcast(h: Harness, text: str) -> None:
    """The admin sends a notice to everyone, as in /broadcast."""
    await h.send(ADMIN, "/broadcast")
    [ask] = await h.send(ADMIN, text)
    preview = await h.press(ADMIN, ask, "全体成员")
    await h.press(ADMIN, preview, "发送给")
    await drain(h)


async def toggle(h: Harness, user: int) -> None:
    """A recorded, timestamped action (the daily-question switch in /settings)."""
    [panel] = await h.send(user, "/settings")
    await h.press(user, panel, "每日一题")


async def run_world(
    root: Path, reporter: int | None
) -> tuple[dict[int, list[int | None]], dict[str, list[dict[str, Any]]]]:
    """Two broadcasts; between them two members act in /settings, `reporter` files a report.

    Returns, per member, the outbox message ids of the two campaigns (as bot.db holds them),
    and every row of bot.db.
    """
    data = root / "data"
    async with Sandbox(token=TOKEN, bot_username="qinglian_test_bot") as sandbox:
        db_path = data / "bot.db"
        h = Harness(sandbox=sandbox, db_path=db_path, config=make_config(sandbox, db_path))
        h.clock.now = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
        await h.start()
        try:
            await h.join(ADMIN, "王管理")
            for user, name in NAMES.items():
                await h.join(user, name)
            await broadcast(h, "周一上午九点召开廉政教育会议。")
            h.clock.now += timedelta(hours=3)
            await toggle(h, A)
            await toggle(h, C)
            if reporter is not None:
                await file_report(h, reporter)
            h.clock.now += timedelta(days=1)
            await broadcast(h, "周三下午开展警示教育。")
        finally:
            await h.stop()
    rows = all_rows(db_path)
    ids: dict[int, list[int | None]] = {}
    for row in sorted(rows["outbox"], key=lambda r: r["campaign_id"]):
        ids.setdefault(row["user_id"], []).append(row["message_id"])
    return ids, rows


async def test_outbox_message_ids_do_not_depend_on_who_filed(tmp_path: Path) -> None:
    filed, _ = await run_world(tmp_path / "r", R)
    nobody, _ = await run_world(tmp_path / "n", None)
    # The promise: apart from the report's own rows, bot.db reads the same whoever filed.
    assert filed == nobody, (filed, nobody)


async def test_no_message_id_of_a_chat_is_kept_after_its_use(tmp_path: Path) -> None:
    ids, rows = await run_world(tmp_path / "r", R)
    # The attacker: messages in each chat between the two campaigns, minus what the database
    # explains (a /settings toggle is two messages: /settings and the panel). Whoever has the
    # most unexplained messages filed. The fix: no message id survives the send, so there is
    # no gap to count, for any member, in any table.
    stored = {user: pair for user, pair in ids.items() if any(i is not None for i in pair)}
    assert stored == {}, stored
    finished = [c for c in rows["campaigns"] if c["status"] != "running"]
    assert finished
    assert all(c["progress_message"] is None for c in finished), finished
    ended = [s for s in rows["quiz_sessions"] if s["status"] != "active"]
    assert all(s["message_id"] is None for s in ended), ended
