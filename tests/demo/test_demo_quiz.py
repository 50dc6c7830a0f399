"""In the demo page, a cadre takes a whole quiz by clicking buttons, as a person would."""

from __future__ import annotations

import os

import pytest

from bot.demo import MEMBERS, demo_environment
from tests.demo.cdp import Page, find_chromium, open_page

CADRE = next(m for m in MEMBERS if m.label.startswith("干部"))

LAST_BOT = "[...document.querySelectorAll('#messages .msg.bot')].pop()"


async def _click(page: Page, label: str) -> None:
    """Click the first inline button of the newest bot message whose text contains `label`."""
    clicked = await page.evaluate(
        f"""(() => {{
            const b = [...{LAST_BOT}.querySelectorAll('.kb-button')]
                .find(x => x.innerText.includes({label!r}));
            if (!b) return false;
            b.click();
            return true;
        }})()"""
    )
    buttons = await page.evaluate(
        f"[...{LAST_BOT}.querySelectorAll('.kb-button')].map(b => b.innerText)"
    )
    text = await page.evaluate(f"{LAST_BOT}.innerText")
    assert clicked, f"no button {label!r} in {buttons} of {text}"


async def test_browser_cadre_takes_a_whole_quiz() -> None:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    async with demo_environment(port=0) as (sandbox, application):
        total = application.bot_data["services"].config.quiz.questions_per_session
        await sandbox.wait_for(lambda: sandbox.bot_messages(CADRE.user_id), timeout=10)
        url = f"http://127.0.0.1:{sandbox.port}/demo/#user={CADRE.user_id}"
        async with open_page(binary, url) as page:
            await page.wait_for("document.querySelectorAll('#messages .msg.bot').length >= 1")
            await page.evaluate(
                """(() => {
                    const input = document.getElementById('composer-input');
                    input.value = '/quiz';
                    input.dispatchEvent(new Event('input', {bubbles: true}));
                    document.getElementById('send-button').click();
                })()"""
            )
            await page.wait_for(f"{LAST_BOT}.innerText.includes('选择题库')")
            await _click(page, "中央八项规定")
            for number in range(1, total + 1):
                await page.wait_for(f"{LAST_BOT}.innerText.includes('第 {number}/{total} 题')")
                text = await page.evaluate(f"{LAST_BOT}.innerText")
                header = next(line for line in text.splitlines() if f"第 {number}/" in line)
                if "多选" in header:
                    await _click(page, "☐")
                    await page.wait_for(f"{LAST_BOT}.innerText.includes('☑')")
                    await _click(page, "提交")
                elif "判断" in header:
                    await _click(page, "正确")
                else:
                    await _click(page, "A")
                if number < total:
                    await page.wait_for(
                        f"{LAST_BOT}.innerText.includes('第 {number + 1}/{total} 题')"
                    )
            await page.wait_for(f"{LAST_BOT}.innerText.includes('测验完成')")
            result = await page.evaluate(f"{LAST_BOT}.innerText")
            assert f"/{total}（" in result
            assert "解析" in result
            assert "出处" in result
