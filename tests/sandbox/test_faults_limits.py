"""Rate limits, injected faults and blocked users, as PTB 22.8 sees them."""

import datetime as dtm
import time

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from .support import TOKEN, USER_ID

OTHER_ID = 1002


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


async def test_per_chat_limit_answers_retry_after(sandbox, bot):
    sandbox.set_limits(enforce=True, global_per_second=30, per_chat_per_second=1)
    await bot.send_message(USER_ID, "第一条")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(USER_ID, "第二条")
    assert error.value.retry_after == dtm.timedelta(seconds=1)
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("改", USER_ID, sandbox.bot_messages(USER_ID)[0]["message_id"])
    assert [m["text"] for m in sandbox.bot_messages(USER_ID)] == ["第一条"]
    for _ in range(5):
        assert (await bot.get_me()).username == "qinglian_bot"
        assert await bot.send_chat_action(USER_ID, "typing")
    stats = sandbox.stats()
    assert stats["rejected_429"] == 2
    assert stats["max_chat_rate"] == 1
    assert stats["calls"]["sendMessage"] == 2


async def test_global_limit_counts_all_chats(sandbox, bot):
    for user_id in range(2001, 2005):
        sandbox.add_user(user_id, f"成员{user_id}")
    sandbox.set_limits(enforce=True, global_per_second=3, per_chat_per_second=5)
    for user_id in range(2001, 2004):
        await bot.send_message(user_id, "通知")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(2004, "通知")
    assert error.value.retry_after == dtm.timedelta(seconds=1)
    assert sandbox.bot_messages(2004) == []
    assert sandbox.stats()["max_global_rate"] == 3


async def test_limits_are_off_by_default_but_rates_are_recorded(sandbox, bot):
    for index in range(4):
        await bot.send_message(USER_ID, f"消息{index}")
    stats = sandbox.stats()
    assert (stats["rejected_429"], stats["max_chat_rate"], stats["max_global_rate"]) == (0, 4, 4)
    sent = [call for call in sandbox.calls if call[1] == "sendMessage"]
    assert [call[2] for call in sent] == [USER_ID] * 4
    sandbox.reset_stats()
    assert sandbox.stats()["calls"] == {}
    assert sandbox.calls == []


async def test_injected_429_uses_given_retry_after_and_is_consumed(sandbox, bot):
    sandbox.inject_fault("429", count=2, method="sendMessage", retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as error:
            await bot.send_message(USER_ID, "重试")
        assert error.value.retry_after == dtm.timedelta(seconds=7)
    assert sandbox.bot_messages(USER_ID) == []
    await bot.send_message(USER_ID, "重试")
    assert [m["text"] for m in sandbox.bot_messages(USER_ID)] == ["重试"]
    assert sandbox.stats()["faults_injected"] == 2


@pytest.mark.parametrize("kind", ["500", "502"])
async def test_server_errors_raise_network_error(sandbox, bot, kind):
    sandbox.inject_fault(kind, method="sendMessage")
    with pytest.raises(NetworkError) as error:
        await bot.send_message(USER_ID, "x")
    assert type(error.value) is NetworkError
    assert sandbox.bot_messages(USER_ID) == []
    assert (await bot.send_message(USER_ID, "x")).text == "x"


async def test_injected_403_raises_forbidden(sandbox, bot):
    sandbox.inject_fault("403", method="sendPhoto")
    assert (await bot.send_message(USER_ID, "文字不受影响")).text == "文字不受影响"
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_photo(USER_ID, b"\x89PNG\r\n\x1a\n")
    assert len(sandbox.bot_messages(USER_ID)) == 1


async def test_fault_for_one_chat_spares_others(sandbox, bot):
    sandbox.add_user(OTHER_ID, "李四")
    sandbox.inject_fault("500", count=1, chat_id=OTHER_ID)
    await bot.send_message(USER_ID, "不受影响")
    with pytest.raises(NetworkError):
        await bot.send_message(OTHER_ID, "失败")
    await bot.send_message(OTHER_ID, "成功")
    assert [m["text"] for m in sandbox.bot_messages(OTHER_ID)] == ["成功"]


async def test_fault_without_method_spares_get_updates(sandbox, bot):
    sandbox.inject_fault("502")
    assert await bot.get_updates() == ()
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_me()
    assert sandbox.stats()["faults_injected"] == 1


async def test_faults_can_be_cleared_and_bad_kinds_rejected(sandbox, bot):
    sandbox.inject_fault("502", count=5)
    sandbox.clear_faults()
    assert (await bot.send_message(USER_ID, "ok")).text == "ok"
    with pytest.raises(ValueError, match="fault kind"):
        sandbox.inject_fault("418")
    with pytest.raises(ValueError, match="no Bot API method"):
        sandbox.inject_fault("500", method="sendSticker")


async def test_timeout_fault_raises_timed_out_and_stop_stays_prompt(sandbox):
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=sandbox.base_url, request=request) as slow_bot:
        sandbox.inject_fault("timeout", method="sendMessage")
        with pytest.raises(TimedOut):
            await slow_bot.send_message(USER_ID, "超时")
        assert sandbox.bot_messages(USER_ID) == []
        assert (await slow_bot.send_message(USER_ID, "恢复")).text == "恢复"
    started = time.monotonic()
    await sandbox.stop()
    assert time.monotonic() - started < 1.5


async def test_blocked_user_gets_forbidden_until_they_write_again(sandbox, bot):
    sandbox.block(USER_ID)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER_ID, "周报")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER_ID, "typing")
    assert sandbox.users()[0]["blocked"] is True
    sandbox.send_text(USER_ID, "/start")
    assert (await bot.send_message(USER_ID, "欢迎回来")).text == "欢迎回来"


async def test_validation_errors_do_not_count_as_sends(sandbox, bot):
    sandbox.set_limits(enforce=True, per_chat_per_second=1)
    with pytest.raises(BadRequest):
        await bot.send_message(USER_ID, "")
    assert (await bot.send_message(USER_ID, "有效")).text == "有效"
