"""The Bot API side, driven by a real python-telegram-bot 22.8 Bot."""

import asyncio
import struct
import time
import zlib

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity
from telegram.error import BadRequest, InvalidToken
from telegram.ext import Application, CommandHandler

from bot.sandbox import ControlError, Sandbox

from .support import TOKEN, USER_ID


def png_bytes(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk, enough for the sandbox to read the size."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + b"pixels"
    )


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"选项{d}", callback_data=d)] for d in data])


async def test_get_me_describes_the_bot(bot):
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        123456,
        True,
        "清廉助手",
        "qinglian_bot",
    )
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False
    assert bot.username == "qinglian_bot"


async def test_wrong_token_raises_invalid_token(sandbox):
    bad = Bot("999:WRONG", base_url=sandbox.base_url)
    with pytest.raises(InvalidToken):
        await bad.get_me()
    await bad.shutdown()


async def test_send_message_html_becomes_text_and_utf16_entities(sandbox, bot):
    sent = await bot.send_message(
        USER_ID,
        '<b>加粗</b> 😀 <i>斜体</i> <a href="https://example.org">链接</a>',
        parse_mode="HTML",
    )
    assert sent.text == "加粗 😀 斜体 链接"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        (MessageEntity.BOLD, 0, 2),
        (MessageEntity.ITALIC, 6, 2),
        (MessageEntity.TEXT_LINK, 9, 2),
    ]
    assert list(sent.parse_entities().values()) == ["加粗", "斜体", "链接"]
    assert sent.from_user.id == 123456
    assert sent.chat.id == USER_ID
    assert sent.chat.type == "private"
    stored = sandbox.bot_messages(USER_ID)
    assert [m["text"] for m in stored] == ["加粗 😀 斜体 链接"]
    assert stored[0]["message_id"] == sent.message_id


async def test_explicit_entities_and_plain_text(bot):
    sent = await bot.send_message(
        USER_ID, "<b> 不解析", entities=[MessageEntity(MessageEntity.BOLD, 0, 3)]
    )
    assert sent.text == "<b> 不解析"
    assert sent.entities == (MessageEntity(MessageEntity.BOLD, 0, 3),)
    plain = await bot.send_message(USER_ID, "a < b & c")
    assert plain.text == "a < b & c"
    assert plain.entities == ()


async def test_text_limits_and_parse_errors(sandbox, bot):
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: Unsupported start tag"):
        await bot.send_message(USER_ID, "<div>x</div>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER_ID, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER_ID, "廉" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(4242, "hi")
    long_ok = await bot.send_message(USER_ID, "<b>" + "廉" * 4096 + "</b>", parse_mode="HTML")
    assert len(long_ok.text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(USER_ID, png_bytes(1, 1), caption="字" * 1025)
    assert len(sandbox.bot_messages(USER_ID)) == 1


async def test_edit_text_and_not_modified(sandbox, bot):
    sent = await bot.send_message(USER_ID, "问题 1", reply_markup=keyboard("a", "b"))
    edited = await bot.edit_message_text(
        "<b>回答正确</b>", USER_ID, sent.message_id, parse_mode="HTML", reply_markup=keyboard("n")
    )
    assert edited.text == "回答正确"
    assert edited.edit_date is not None
    assert edited.reply_markup == keyboard("n")
    with pytest.raises(
        BadRequest, match=r"(?i)message is not modified: specified new message content"
    ):
        await bot.edit_message_text(
            "<b>回答正确</b>",
            USER_ID,
            sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("n"),
        )
    # Telegram removes the keyboard when editMessageText omits reply_markup.
    without = await bot.edit_message_text(
        "<b>回答正确</b>", USER_ID, sent.message_id, parse_mode="HTML"
    )
    assert without.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER_ID, 999)
    [stored] = sandbox.bot_messages(USER_ID)
    assert (stored["text"], stored["reply_markup"]) == ("回答正确", None)
    assert stored["entities"] == [{"type": "bold", "offset": 0, "length": 4}]


async def test_edit_reply_markup_and_delete(sandbox, bot):
    sent = await bot.send_message(USER_ID, "投票", reply_markup=keyboard("x"))
    changed = await bot.edit_message_reply_markup(
        USER_ID, sent.message_id, reply_markup=keyboard("y")
    )
    assert changed.reply_markup == keyboard("y")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER_ID, sent.message_id, reply_markup=keyboard("y"))
    assert await bot.delete_message(USER_ID, sent.message_id) is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)
    assert sandbox.bot_messages(USER_ID) == []
    [entry] = sandbox.messages(USER_ID)
    assert entry["deleted"] is True


async def test_inline_keyboard_and_callback_round_trip(sandbox, bot):
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("对", callback_data="v1|q|1"),
                InlineKeyboardButton("错", callback_data="v1|q|2"),
            ],
            [InlineKeyboardButton("说明", url="https://example.org/rules")],
        ]
    )
    sent = await bot.send_message(USER_ID, "纪律规矩自测", reply_markup=markup)
    assert sent.reply_markup == markup
    assert sandbox.bot_messages(USER_ID)[0]["reply_markup"] == markup.to_dict()

    query_id = sandbox.press_button(USER_ID, sent.message_id, "v1|q|2")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert (query.id, query.data, query.from_user.id) == (query_id, "v1|q|2", USER_ID)
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == markup

    assert sandbox.callback_answered(query_id) is False
    assert await bot.answer_callback_query(query_id, text="已记录", show_alert=True) is True
    assert sandbox.callback_answered(query_id) is True
    [toast] = sandbox.toasts(USER_ID)
    assert (toast["text"], toast["show_alert"], toast["callback_query_id"]) == (
        "已记录",
        True,
        query_id,
    )
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    with pytest.raises(ControlError, match="no button with callback_data"):
        sandbox.press_button(USER_ID, sent.message_id, "forged")
    assert sandbox.press_button(USER_ID, sent.message_id, "forged", require_button=False)


async def test_callback_data_limits(bot):
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="字" * 22)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "x", reply_markup=too_long)
    exactly_64 = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="字" * 21 + "a")]])
    assert (
        await bot.send_message(USER_ID, "x", reply_markup=exactly_64)
    ).reply_markup == exactly_64


async def test_get_updates_offset_confirms_and_keeps_unconfirmed(sandbox, bot):
    sandbox.send_text(USER_ID, "/start")
    sandbox.send_text(USER_ID, "你好")
    first = await bot.get_updates()
    assert [u.message.text for u in first] == ["/start", "你好"]
    assert first[0].message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert first[0].message.from_user.username == "zhangsan"
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [u.update_id for u in first]
    limited = await bot.get_updates(limit=1)
    assert [u.update_id for u in limited] == [first[0].update_id]
    rest = await bot.get_updates(offset=first[0].update_id + 1)
    assert [u.update_id for u in rest] == [first[1].update_id]
    assert await bot.get_updates(offset=first[1].update_id + 1) == ()
    assert sandbox.pending_updates() == []
    assert await bot.get_updates() == ()


async def test_long_poll_wakes_on_update_and_is_capped(sandbox, bot):
    started = time.monotonic()
    assert await bot.get_updates(timeout=30) == ()
    assert time.monotonic() - started < 2.0

    def polls() -> int:
        return sum(1 for call in sandbox.calls if call[1] == "getUpdates")

    before = polls()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await sandbox.wait_for(lambda: polls() > before)
    assert not poll.done()
    sent_at = time.monotonic()
    sandbox.send_text(USER_ID, "醒醒")
    updates = await poll
    assert [u.message.text for u in updates] == ["醒醒"]
    assert time.monotonic() - sent_at < 0.4


async def test_send_photo_upload_get_file_and_download(sandbox, bot):
    data = png_bytes(3, 2)
    sent = await bot.send_photo(USER_ID, data, caption="<b>图表</b>", parse_mode="HTML")
    photo = sent.photo[-1]
    assert (photo.width, photo.height, photo.file_size) == (3, 2, len(data))
    assert sent.caption == "图表"
    assert sent.caption_entities == (MessageEntity(MessageEntity.BOLD, 0, 2),)
    file = await bot.get_file(photo.file_id)
    assert file.file_path.startswith(sandbox.base_file_url + TOKEN + "/photos/")
    assert bytes(await file.download_as_bytearray()) == data
    again = await bot.send_photo(USER_ID, photo.file_id)
    assert again.photo[-1].file_id == photo.file_id
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(USER_ID, "no-such-file")
    assert sandbox.file_bytes(photo.file_id) == data


async def test_send_document_upload_and_download(sandbox, bot):
    payload = "线索汇总\n".encode() * 100
    sent = await bot.send_document(USER_ID, payload, filename="汇总.csv", caption="周报")
    document = sent.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "汇总.csv",
        "text/csv",
        len(payload),
    )
    file = await bot.get_file(document.file_id)
    assert file.file_path.endswith(".csv")
    assert bytes(await file.download_as_bytearray()) == payload
    [entry] = sandbox.bot_messages(USER_ID)
    assert entry["document"]["file_name"] == "汇总.csv"
    assert entry["caption"] == "周报"


async def test_user_sent_file_can_be_downloaded_by_the_bot(sandbox, bot):
    data = png_bytes(640, 480)
    message = sandbox.send_file(USER_ID, data, filename="证据.png", kind="photo", caption="现场")
    assert message["photo"]["url"] == f"/control/files/{message['photo']['file_id']}"
    [update] = await bot.get_updates()
    assert update.message.caption == "现场"
    photo = update.message.photo[-1]
    assert (photo.width, photo.height) == (640, 480)
    downloaded = await (await bot.get_file(photo.file_id)).download_as_bytearray()
    assert bytes(downloaded) == data


async def test_set_and_get_my_commands(sandbox, bot):
    assert await bot.set_my_commands([("start", "开始"), ("quiz", "自测")], language_code="zh")
    commands = await bot.get_my_commands(language_code="zh")
    assert [(c.command, c.description) for c in commands] == [("start", "开始"), ("quiz", "自测")]
    assert await bot.get_my_commands() == ()
    assert sandbox.my_commands(language_code="zh")[1] == {"command": "quiz", "description": "自测"}
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad Command", "x")])
    assert await bot.delete_my_commands(language_code="zh")
    assert sandbox.my_commands(language_code="zh") == []


async def test_chat_action_and_webhook_methods(bot):
    assert await bot.send_chat_action(USER_ID, "typing") is True
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""


async def test_webhook_receives_updates_by_post_with_the_secret_header(bot, sandbox):
    from aiohttp import web
    from telegram.error import Conflict

    received: list[tuple[str | None, dict]] = []
    answers = [500]  # the first delivery fails: Telegram retries it

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await bot.set_webhook(
            url, secret_token="s3cret-token_X", allowed_updates=["message"]
        )
        info = await bot.get_webhook_info()
        assert info.url == url
        assert info.allowed_updates == ("message",)
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        with pytest.raises(BadRequest, match="unallowed characters"):
            await bot.set_webhook(url, secret_token="no spaces allowed")

        sandbox.send_text(USER_ID, "第一条")
        sandbox.send_text(USER_ID, "第二条")
        await sandbox.wait_for(lambda: len(received) >= 3, timeout=5)
        assert [secret for secret, _ in received] == ["s3cret-token_X"] * 3
        texts = [body["message"]["text"] for _, body in received]
        assert texts == ["第一条", "第一条", "第二条"]  # retried after the 500, in order
        await sandbox.wait_for(lambda: sandbox.webhook_info()["pending"] == 0, timeout=5)
        assert sandbox.webhook_info()["delivered"] == 2
        assert (await bot.get_webhook_info()).pending_update_count == 0

        assert await bot.delete_webhook()
        assert sandbox.webhook_info() is None
        sandbox.send_text(USER_ID, "轮询")
        [update] = await bot.get_updates(timeout=0)
        assert update.message.text == "轮询"
    finally:
        await runner.cleanup()


async def test_raw_requests_json_bodies_and_garbage(sandbox):
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.base_url}{TOKEN}"
        async with http.post(
            f"{url}/sendMessage", json={"chat_id": USER_ID, "text": "json 请求"}
        ) as r:
            body = await r.json()
            assert (r.status, body["ok"], body["result"]["text"]) == (200, True, "json 请求")
        async with http.post(f"{url}/noSuchMethod", data={"a": "1"}) as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.post(
            f"{url}/sendMessage", data=b"{not json", headers={"Content-Type": "application/json"}
        ) as r:
            assert r.status == 400
            assert (await r.json())["ok"] is False
        async with http.post(f"{url}/sendMessage", data={"chat_id": "abc", "text": "x"}) as r:
            assert r.status == 400
        async with http.post(f"{url}/getMe") as r:
            assert (await r.json())["result"]["username"] == "qinglian_bot"


async def test_application_polling_end_to_end(sandbox):
    async def start(update, context) -> None:
        await update.effective_message.reply_text(f"欢迎，{update.effective_user.first_name}")

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=10)
        sandbox.send_text(USER_ID, "/start")
        await sandbox.wait_for(lambda: sandbox.bot_messages(USER_ID), timeout=5)
        stopping = time.monotonic()
        await application.updater.stop()
        await application.stop()
    assert time.monotonic() - stopping < 2.0
    assert [m["text"] for m in sandbox.bot_messages(USER_ID)] == ["欢迎，张三"]
    assert sandbox.pending_updates() == []
    assert "deleteWebhook" in sandbox.stats()["calls"]


async def test_wait_for_timeout_reports_recent_messages(sandbox, bot):
    await bot.send_message(USER_ID, "最后一条")
    with pytest.raises(TimeoutError, match="最后一条"):
        await sandbox.wait_for(lambda: False, timeout=0.05)


async def test_add_static_and_route_before_start(tmp_path):
    (tmp_path / "index.html").write_text("<h1>演示</h1>", encoding="utf-8")
    (tmp_path / "app.js").write_text("console.log(1)", encoding="utf-8")
    box = Sandbox(token=TOKEN)

    async def hello(request):
        return aiohttp.web.json_response({"hello": True})

    box.add_static("/demo", tmp_path)
    box.add_route("GET", "/demo-api/hello", hello)
    async with box:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{box.url}/demo/") as r:
                assert await r.text() == "<h1>演示</h1>"
            async with http.get(f"{box.url}/demo/app.js") as r:
                assert await r.text() == "console.log(1)"
            async with http.get(f"{box.url}/demo-api/hello") as r:
                assert await r.json() == {"hello": True}
        with pytest.raises(RuntimeError, match="before start"):
            box.add_route("GET", "/late", hello)
