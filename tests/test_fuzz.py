"""Property-based fuzzing of incoming updates through the real handlers (hypothesis).

Random text, oversized text, unknown commands, malformed and forged callback data, stickers,
locations, contacts and edited messages: no update reaches the error handler, every member
gets an answer, and the database stays consistent.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.sandbox import Sandbox
from tests.harness import ADMIN, TOKEN, Harness, buttons, make_config

MEMBERS = (901, 902)
COMMANDS = [
    "/start",
    "/help",
    "/quiz",
    "/review",
    "/me",
    "/settings",
    "/cancel",
    "/report",
    "/status",
    "/digest",
    "/reports",
    "/invite",
    "/members",
    "/broadcast",
    "/assign",
    "/reload",
    "/items",
    "/frobnicate",
    "/start not-a-code",
    "/quiz extra args",
    "/Help",
]

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300
).filter(lambda s: s.strip())
oversized = st.integers(min_value=3000, max_value=4096).map(lambda n: "长" * n)
forged = st.one_of(
    st.text(max_size=70),
    st.builds(
        lambda p, a: f"v1:{p}:{a}",
        st.sampled_from(
            ["qa", "qs", "qbank", "qres", "mrole", "mshow", "lang", "daily", "leave", "invc", "asd"]
        ),
        st.text(alphabet="0123456789:-abcx*", max_size=20),
    ),
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("text"), st.sampled_from(MEMBERS), texts),
        st.tuples(st.just("text"), st.sampled_from(MEMBERS), oversized),
        st.tuples(st.just("text"), st.sampled_from(MEMBERS), st.sampled_from(COMMANDS)),
        st.tuples(st.just("press"), st.sampled_from(MEMBERS), st.integers(0, 20)),
        st.tuples(st.just("forge"), st.sampled_from(MEMBERS), forged),
        st.tuples(
            st.just("raw"),
            st.sampled_from(MEMBERS),
            st.sampled_from(["sticker", "location", "contact", "edited"]),
        ),
    ),
    min_size=5,
    max_size=25,
)


def _raw_message(user_id: int, kind: str, message_id: int) -> tuple[str, dict[str, Any]]:
    base = {
        "message_id": message_id,
        "date": 1_790_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "成员"},
        "from": {"id": user_id, "is_bot": False, "first_name": "成员"},
    }
    if kind == "sticker":
        base["sticker"] = {
            "file_id": "stk",
            "file_unique_id": "stku",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    elif kind == "location":
        base["location"] = {"latitude": 30.5, "longitude": 114.3}
    elif kind == "contact":
        base["contact"] = {"phone_number": "+8613800000000", "first_name": "某人"}
    else:
        base["text"] = "/start edited"
        base["edit_date"] = 1_790_000_100
        return "edited_message", base
    return "message", base


def _answers(h: Harness, user_id: int) -> tuple[int, int, int]:
    """Something the member can see changed: messages, edits, or toasts."""
    messages = h.sandbox.messages(user_id)
    bot = [m for m in messages if m["from_bot"]]
    return len(bot), max((m["rev"] for m in bot), default=0), len(h.sandbox.toasts(user_id))


async def _scenario(steps: list[tuple[str, int, Any]]) -> None:
    sandbox = Sandbox(token=TOKEN, bot_username="qinglian_test_bot")
    await sandbox.start()
    errors: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR:
                errors.append(record)

    catcher = Catch()
    logging.getLogger().addHandler(catcher)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bot.db"
            h = Harness(sandbox=sandbox, db_path=db, config=make_config(sandbox, db))
            await h.start()
            try:
                await h.join(ADMIN, "王管理")
                for member in MEMBERS:
                    await h.join(member, f"成员{member}")
                raw_id = 10_000
                for kind, member, value in steps:
                    before = _answers(h, member)
                    if kind == "text":
                        await h.send(member, value)
                    elif kind in ("press", "forge"):
                        last = h.sandbox.bot_messages(member)[-1]
                        options = [b for b in buttons(last) if "callback_data" in b]
                        if kind == "press" and options:
                            data = options[value % len(options)]["callback_data"]
                        else:
                            data = value if kind == "forge" and value else "x"
                        await h.press_data(member, last["message_id"], data)
                    else:
                        raw_id += 1
                        update_kind, payload = _raw_message(member, value, raw_id)
                        h._expected += 1
                        h.sandbox.state.add_update(update_kind, payload)
                        await h.settle()
                        if value == "edited":
                            continue  # edits of old messages are ignored on purpose
                    assert _answers(h, member) != before, (kind, value)
                assert not [m for m in h.sandbox.bot_messages(ADMIN) if "⚠️" in m["text"]]
                db_ = h.services.db
                assert (await db_.fetchone("PRAGMA integrity_check"))[0] == "ok"
                assert await db_.fetchall("PRAGMA foreign_key_check") == []
                doubles = await db_.fetchall(
                    "SELECT user_id FROM quiz_sessions WHERE status = 'active' "
                    "GROUP BY user_id, kind = 'daily' HAVING COUNT(*) > 1"
                )
                assert doubles == []
            finally:
                await h.stop()
    finally:
        logging.getLogger().removeHandler(catcher)
        await sandbox.stop()
    assert not errors, [r.getMessage() for r in errors]


# derandomize: CI must be repeatable. To explore new inputs, drop it and raise max_examples.
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(steps=actions)
def test_random_updates_never_crash_and_always_get_an_answer(steps: list[Any]) -> None:
    asyncio.run(_scenario(steps))
