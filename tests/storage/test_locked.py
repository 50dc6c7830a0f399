"""Another process locks the database file for a few seconds: writes wait, nothing is lost."""

from __future__ import annotations

import asyncio
import sys

from tests.harness import Harness, buttons

CADRE = 811
LOCK_SECONDS = 3

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


async def test_writes_wait_for_a_lock_held_by_another_process(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [picker] = await h.send(CADRE, "/quiz")
    message = await h.press(CADRE, picker, "综合")
    locker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        LOCKER,
        str(h.db_path),
        str(LOCK_SECONDS),
        stdout=asyncio.subprocess.PIPE,
    )
    assert locker.stdout is not None
    assert (await locker.stdout.readline()).strip() == b"locked"
    for _ in range(3):
        session = await h.services.quiz.active(CADRE)
        item = session.current
        question = h.services.quiz.questions[item.question_id]
        data = next(b["callback_data"] for b in buttons(message) if "提交" not in b["text"])
        h._expected += 1
        h.sandbox.press_button(CADRE, message["message_id"], data)
        if question.type.value == "multiple":
            await h.settle(timeout=LOCK_SECONDS + 10)
            message = h.message(CADRE, message["message_id"])
            submit = next(b["callback_data"] for b in buttons(message) if "提交" in b["text"])
            h._expected += 1
            h.sandbox.press_button(CADRE, message["message_id"], submit)
        await h.settle(timeout=LOCK_SECONDS + 10)
        message = h.message(CADRE, message["message_id"])
    assert await locker.wait() == 0
    answers = await h.services.db.fetchone(
        "SELECT COUNT(*) FROM answers WHERE user_id = ?", (CADRE,)
    )
    assert answers[0] == 3
    assert "第 4/" in message["text"]
    assert not any("出了点问题" in t for t in h.toasts(CADRE))
