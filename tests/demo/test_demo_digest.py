"""The demo's leader asks for /digest and gets the text and a chart of seeded activity."""

from __future__ import annotations

from bot.demo import MEMBERS, demo_environment

LEADER = next(m for m in MEMBERS if m.label == "领导")


async def test_demo_leader_gets_a_digest_with_a_chart() -> None:
    async with demo_environment(port=0) as (sandbox, application):
        services = application.bot_data["services"]
        sessions = await services.db.fetchone("SELECT COUNT(*) FROM quiz_sessions")
        assert sessions[0] > 20  # a few weeks of seeded activity
        await sandbox.wait_for(lambda: sandbox.bot_messages(LEADER.user_id), timeout=10)
        sandbox.send_text(LEADER.user_id, "/digest")
        picker = await sandbox.wait_for(
            lambda: next(
                (m for m in sandbox.bot_messages(LEADER.user_id) if m["reply_markup"]), None
            ),
            timeout=10,
        )
        data = next(
            b["callback_data"]
            for row in picker["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == "上周"
        )
        sandbox.press_button(LEADER.user_id, picker["message_id"], data)
        photo = await sandbox.wait_for(
            lambda: next((m for m in sandbox.bot_messages(LEADER.user_id) if m["photo"]), None),
            timeout=15,
        )
        text = next(
            m["text"]
            for m in sandbox.messages(LEADER.user_id)
            if m["message_id"] == picker["message_id"]
        )
        assert "清廉机关建设周报" in text
        assert "全体：参与率" in text
        assert sandbox.file_bytes(photo["photo"]["file_id"]).startswith(b"\x89PNG")
