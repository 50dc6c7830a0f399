"""In the demo, a cadre files an anonymous report and the reviewer handles it, through the
control API the demo page uses and through the page itself in a browser."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from bot.demo import demo_environment
from bot.tg.report_jobs import TICK_JOB
from tests.demo.cdp import Page, find_chromium, open_page
from tests.tg.report_support import CODE_RE, code_in, png

CADRE, REVIEWER = 20004, 20003
Message = dict[str, Any]
LAST_BOT = "[...document.querySelectorAll('#messages .msg.bot')].pop()"


async def _type(page: Page, text: str) -> None:
    """Type into the page's composer and send, as a person would."""
    await page.evaluate(
        f"""(() => {{
            const input = document.getElementById('composer-input');
            input.value = {text!r};
            input.dispatchEvent(new Event('input', {{bubbles: true}}));
            document.getElementById('send-button').click();
        }})()"""
    )


async def _click(page: Page, label: str) -> None:
    """Click the button of the newest bot message whose text contains `label`."""
    clicked = await page.evaluate(
        f"""(() => {{
            const b = [...{LAST_BOT}.querySelectorAll('.kb-button')]
                .find(x => x.innerText.includes({label!r}));
            if (!b) return false;
            b.click();
            return true;
        }})()"""
    )
    assert clicked, f"no button {label!r} in {await page.evaluate(f'{LAST_BOT}.innerText')}"


class Chat:
    """One demo member's chat, driven over HTTP like the page does."""

    def __init__(self, session: aiohttp.ClientSession, base: str, user_id: int) -> None:
        self.session, self.base, self.user_id = session, base, user_id
        self.seen: dict[int, Message] = {}
        self.rev = 0

    async def _poll(self, wait: float) -> None:
        url = f"{self.base}/control/chats/{self.user_id}/messages"
        async with self.session.get(url, params={"since": self.rev, "wait": wait}) as response:
            body = await response.json()
        for message in body["messages"]:
            self.seen[message["message_id"]] = message
        self.rev = max(self.rev, body["rev"])

    async def wait_for(self, predicate: Callable[[Message], bool], timeout: float = 10) -> Message:
        """The newest message (bot's or own) matching `predicate`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            await self._poll(0)
            found = [m for m in self.seen.values() if predicate(m)]
            if found:
                return max(found, key=lambda m: m["message_id"])
            assert time.monotonic() < deadline, [m["text"] for m in self.seen.values()][-5:]
            await self._poll(1)

    async def bot_says(self, words: str) -> Message:
        """Wait for a live bot message containing `words`."""
        return await self.wait_for(
            lambda m: m["from_bot"] and not m["deleted"] and words in (m["text"] or "")
        )

    async def send(self, text: str) -> Message:
        """Type a message."""
        url = f"{self.base}/control/users/{self.user_id}/messages"
        async with self.session.post(url, json={"text": text}) as response:
            return (await response.json())["message"]

    async def press(self, message: Message, label: str) -> None:
        """Press the button whose text contains `label`."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        data = next(b["callback_data"] for row in rows for b in row if label in b["text"])
        url = f"{self.base}/control/users/{self.user_id}/callback"
        body = {"message_id": message["message_id"], "data": data}
        async with self.session.post(url, json=body) as response:
            assert response.status == 200

    async def send_photo(self, data: bytes) -> None:
        """Upload a photo."""
        form = aiohttp.FormData()
        form.add_field("kind", "photo")
        form.add_field("file", data, filename="photo.png", content_type="image/png")
        url = f"{self.base}/control/users/{self.user_id}/files"
        async with self.session.post(url, data=form) as response:
            assert response.status == 200


async def test_demo_cadre_files_a_report_and_the_reviewer_handles_it() -> None:
    async with demo_environment(port=0) as (sandbox, application):
        [job] = application.job_queue.get_jobs_by_name(TICK_JOB)
        assert job.trigger.interval.total_seconds() == 60  # the demo stores every minute
        async with aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{sandbox.port}"
            cadre, reviewer = Chat(session, base, CADRE), Chat(session, base, REVIEWER)
            await cadre.bot_says("张明")
            await reviewer.bot_says("赵纪检")

            await cadre.send("/report")
            intro = await cadre.bot_says("匿名反映问题线索")
            await cadre.press(intro, "形式主义")
            units = await cadre.bot_says("反映涉及哪个单位")
            await cadre.press(units, "应急指挥科")
            await cadre.bot_says("请用文字描述问题")
            await cadre.send("科里要求每天在三个工作群分别打卡上报同一组数据，层层加码、重复填报。")
            await cadre.bot_says("可以添加图片或文件")
            await cadre.send_photo(png())
            added = await cadre.bot_says("已添加附件 1/5")
            await cadre.press(added, "完成")
            preview = await cadre.bot_says("请核对要提交的反映")
            await cadre.press(preview, "确认提交")
            await cadre.bot_says("正在保存你的反映")  # the code comes once it is stored
            await job.run(application)  # the minute's tick, without waiting for it
            receipt = await cadre.bot_says("你的查询码")
            assert receipt["protected"]
            code = code_in(receipt["text"])
            # The demo announces at every tick (production: at the full hour).
            await reviewer.bot_says("新收到 1 条反映：形式主义 1")
            await reviewer.send("/reports")
            overview = await reviewer.bot_says("选择状态查看列表")
            await reviewer.press(overview, "新收到（1）")
            listing = await reviewer.bot_says("当前第 1–1 条")
            await reviewer.press(listing, "应急指挥科")
            card = await reviewer.bot_says("三个工作群")
            await reviewer.wait_for(lambda m: m["from_bot"] and m["photo"] is not None)
            await reviewer.press(card, "→ 核查中")
            card = await reviewer.bot_says("状态：核查中")
            await reviewer.press(card, "回复反映人")
            await reviewer.bot_says("的反映人的留言")
            await reviewer.send("已收到，正在核查，请留意本机器人的回复。")
            await reviewer.bot_says("留言已保存")

            await cadre.send("/status")
            await cadre.bot_says("请发送你的查询码")
            sent = await cadre.send(code)
            view = await cadre.bot_says("反映办理情况")
            assert "核查中" in view["text"]
            assert "已收到，正在核查" in view["text"]
            deleted = await cadre.wait_for(lambda m: m["message_id"] == sent["message_id"])
            assert deleted["deleted"]


async def test_demo_page_shows_saving_then_the_code_and_deletes_it_when_copied() -> None:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    async with demo_environment(port=0) as (sandbox, application):
        [job] = application.job_queue.get_jobs_by_name(TICK_JOB)
        await sandbox.wait_for(lambda: sandbox.bot_messages(CADRE), timeout=10)
        async with open_page(binary, f"http://127.0.0.1:{sandbox.port}/demo/#user={CADRE}") as page:
            await page.wait_for("document.querySelectorAll('#messages .msg.bot').length >= 1")
            await _type(page, "/report")
            await page.wait_for(f"{LAST_BOT}.innerText.includes('匿名反映问题线索')")
            await _click(page, "形式主义")
            await page.wait_for(f"{LAST_BOT}.innerText.includes('反映涉及哪个单位')")
            await _click(page, "应急指挥科")
            await page.wait_for(f"{LAST_BOT}.innerText.includes('请用文字描述问题')")
            await _type(page, "科里要求每天在三个工作群分别打卡上报同一组数据，层层加码。")
            await page.wait_for(f"{LAST_BOT}.innerText.includes('可以添加图片或文件')")
            await _click(page, "完成")
            await page.wait_for(f"{LAST_BOT}.innerText.includes('请核对要提交的反映')")
            await _click(page, "确认提交")
            await page.wait_for(f"{LAST_BOT}.innerText.includes('正在保存你的反映')")
            assert not CODE_RE.search(await page.evaluate(f"{LAST_BOT}.innerText"))
            await job.run(application)  # the minute's tick, without waiting for it
            await page.wait_for(f"{LAST_BOT}.innerText.includes('你的查询码')")
            code = code_in(await page.evaluate(f"{LAST_BOT}.innerText"))
            await _click(page, "已抄写")
            await page.wait_for(
                f"!document.querySelector('#messages').innerText.includes({code!r})"
            )
