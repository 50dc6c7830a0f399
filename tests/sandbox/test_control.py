"""The HTTP control API used by the demo page and the benchmarks."""

import asyncio

import aiohttp
import pytest
from telegram import (
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from .support import USER_ID

ADMIN_ID = 1002


@pytest.fixture
async def http(sandbox):
    async with aiohttp.ClientSession(base_url=sandbox.url) as session:
        yield session


async def post_json(http, path, body):
    async with http.post(path, json=body) as response:
        return response.status, await response.json()


async def test_users_are_created_and_listed(http):
    status, body = await post_json(
        http, "/control/users", {"id": ADMIN_ID, "first_name": "李四", "label": "管理员"}
    )
    assert status == 200
    assert body["user"]["label"] == "管理员"
    async with http.get("/control/users") as response:
        users = (await response.json())["users"]
    assert [(u["id"], u["first_name"]) for u in users] == [(USER_ID, "张三"), (ADMIN_ID, "李四")]


async def test_user_message_reaches_the_bot_and_timeline(sandbox, http, bot):
    status, body = await post_json(http, f"/control/users/{USER_ID}/messages", {"text": "/quiz"})
    assert status == 200
    message = body["message"]
    assert (message["from_bot"], message["text"]) == (False, "/quiz")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    [update] = await bot.get_updates()
    assert update.message.text == "/quiz"
    await bot.send_message(USER_ID, "开始自测")
    async with http.get(f"/control/chats/{USER_ID}/messages", params={"since": "0"}) as response:
        body = await response.json()
    assert [(m["from_bot"], m["text"]) for m in body["messages"]] == [
        (False, "/quiz"),
        (True, "开始自测"),
    ]
    assert body["rev"] == max(m["rev"] for m in body["messages"])
    async with http.get(
        f"/control/chats/{USER_ID}/messages", params={"since": str(body["rev"])}
    ) as response:
        assert (await response.json())["messages"] == []


async def test_long_poll_wakes_on_edit_toast_and_delete(sandbox, http, bot):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("对", callback_data="v1|a")]])
    sent = await bot.send_message(USER_ID, "问题", reply_markup=markup)
    async with http.get(f"/control/chats/{USER_ID}/messages") as response:
        rev = (await response.json())["rev"]

    async def poll(since):
        async with http.get(
            f"/control/chats/{USER_ID}/messages", params={"since": str(since), "wait": "20"}
        ) as response:
            return await response.json()

    waiting = asyncio.create_task(poll(rev))
    status, body = await post_json(
        http, f"/control/users/{USER_ID}/callback", {"message_id": sent.message_id, "data": "v1|a"}
    )
    assert status == 200
    query_id = body["callback_query_id"]
    [update] = await bot.get_updates()
    assert update.callback_query.id == query_id
    assert not waiting.done()
    await bot.answer_callback_query(query_id, text="回答正确")
    changes = await asyncio.wait_for(waiting, 5)
    assert changes["messages"] == []
    assert [(t["text"], t["callback_query_id"]) for t in changes["toasts"]] == [
        ("回答正确", query_id)
    ]

    waiting = asyncio.create_task(poll(changes["rev"]))
    await bot.edit_message_text("问题（已作答）", USER_ID, sent.message_id)
    changes = await asyncio.wait_for(waiting, 5)
    [edited] = changes["messages"]
    assert (edited["text"], edited["reply_markup"]) == ("问题（已作答）", None)
    assert edited["edit_date"] is not None

    waiting = asyncio.create_task(poll(changes["rev"]))
    await bot.delete_message(USER_ID, sent.message_id)
    changes = await asyncio.wait_for(waiting, 5)
    assert [(m["message_id"], m["deleted"]) for m in changes["messages"]] == [
        (sent.message_id, True)
    ]


async def test_long_poll_returns_empty_after_wait(http):
    async with http.get(
        f"/control/chats/{USER_ID}/messages", params={"since": "999", "wait": "0.05"}
    ) as response:
        body = await response.json()
    assert (body["messages"], body["toasts"]) == ([], [])


async def test_user_file_upload_is_served_to_bot_and_page(sandbox, http, bot):
    form = aiohttp.FormData()
    form.add_field("file", b"%PDF-1.4 report", filename="线索.pdf", content_type="application/pdf")
    form.add_field("kind", "document")
    form.add_field("caption", "附件")
    async with http.post(f"/control/users/{USER_ID}/files", data=form) as response:
        assert response.status == 200
        message = (await response.json())["message"]
    document = message["document"]
    assert (document["file_name"], document["mime_type"], message["caption"]) == (
        "线索.pdf",
        "application/pdf",
        "附件",
    )
    async with http.get(document["url"]) as response:
        assert response.content_type == "application/pdf"
        assert await response.read() == b"%PDF-1.4 report"
    [update] = await bot.get_updates()
    file = await bot.get_file(update.message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 report"


async def test_block_faults_limits_and_stats_over_http(sandbox, http, bot):
    assert await post_json(http, f"/control/users/{USER_ID}/block", {"blocked": True}) == (200, {})
    assert sandbox.users()[0]["blocked"] is True
    assert await post_json(http, f"/control/users/{USER_ID}/block", {"blocked": False}) == (200, {})
    fault = {"method": "sendMessage", "kind": "500", "count": 1, "chat_id": USER_ID}
    assert await post_json(http, "/control/faults", fault) == (200, {})
    assert sandbox.api.faults[0].chat_id == USER_ID
    async with http.delete("/control/faults") as response:
        assert response.status == 200
    assert sandbox.api.faults == []
    limits = {"enforce": True, "global_per_second": 10, "per_chat_per_second": 2}
    assert await post_json(http, "/control/limits", limits) == (200, {})
    assert (sandbox.api.global_per_second, sandbox.api.per_chat_per_second) == (10, 2)
    await bot.send_message(USER_ID, "一")
    async with http.get("/control/stats") as response:
        stats = await response.json()
    assert stats["calls"]["sendMessage"] == 1
    assert stats["calls"]["getMe"] == 1
    assert set(stats) == {
        "calls",
        "rejected_429",
        "faults_injected",
        "max_global_rate",
        "max_chat_rate",
    }


async def test_control_errors_are_json(http):
    status, body = await post_json(http, "/control/users/4040/messages", {"text": "hi"})
    assert status == 404
    assert "unknown user" in body["error"]
    status, body = await post_json(http, "/control/faults", {"kind": "418"})
    assert status == 400
    assert "fault kind" in body["error"]
    status, body = await post_json(http, f"/control/users/{USER_ID}/messages", {"text": " "})
    assert status == 400
    status, body = await post_json(
        http, f"/control/users/{USER_ID}/callback", {"message_id": 77, "data": "x"}
    )
    assert status == 404
    async with http.post(f"/control/users/{USER_ID}/messages", data=b"not json") as response:
        assert response.status == 400
    async with http.get("/control/files/missing") as response:
        assert response.status == 404


async def test_commands_are_the_menu_telegram_would_pick_for_the_member(sandbox, http, bot):
    async def menu(user_id):
        async with http.get(f"/control/users/{user_id}/commands") as response:
            assert response.status == 200
            body = await response.json()
        return [c["command"] for c in body["commands"]], body["scope"], body["language_code"]

    assert await menu(USER_ID) == ([], None, "")
    await bot.set_my_commands([("start", "Start")])
    assert await menu(USER_ID) == (["start"], {"type": "default"}, "")
    # The member's client language (zh-hans) picks the list set for "zh".
    await bot.set_my_commands([("start", "开始"), ("help", "帮助")], language_code="zh")
    assert await menu(USER_ID) == (["start", "help"], {"type": "default"}, "zh")
    await bot.set_my_commands([("quiz", "自测")], scope=BotCommandScopeAllPrivateChats())
    assert (await menu(USER_ID))[1] == {"type": "all_private_chats"}
    # The member's own chat wins over every wider scope, in any language set for it.
    await bot.set_my_commands([("digest", "周报")], scope=BotCommandScopeChat(USER_ID))
    assert await menu(USER_ID) == (["digest"], {"type": "chat", "chat_id": USER_ID}, "")
    await bot.set_my_commands(
        [("digest", "周报"), ("reports", "反映")],
        scope=BotCommandScopeChat(USER_ID),
        language_code="zh",
    )
    assert (await menu(USER_ID))[0] == ["digest", "reports"]
    # Another member's chat scope is not this member's: they get the wider lists.
    sandbox.add_user(ADMIN_ID, "李四", language_code="en")
    assert await menu(ADMIN_ID) == (["quiz"], {"type": "all_private_chats"}, "")
    assert sandbox.menu(USER_ID)["commands"][1] == {"command": "reports", "description": "反映"}
    async with http.get("/control/users/999/commands") as response:
        assert response.status == 404
