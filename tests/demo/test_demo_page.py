"""The demo page on a phone (390×844) in headless Chromium: the composer's placeholder is whole,
the walkthrough guides and can be put away, the "/" menu is the bot's menu for the member, the
page speaks the member's language, and a failed send says why in that language."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator

import pytest

from bot.demo import MEMBERS, demo_environment
from bot.sandbox import Sandbox
from tests.demo.cdp import Page, find_chromium, open_page

ADMIN, _LEADER, _REVIEWER, CADRE, _OTHER_CADRE, _VISITOR = MEMBERS
PHONE = (390, 844)

# The placeholder's line fits inside the textarea's content box, and its text fits the width.
PLACEHOLDER_WHOLE = """(() => {
    const input = document.getElementById('composer-input');
    const cs = getComputedStyle(input);
    const inner = input.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = `${cs.fontSize} ${cs.fontFamily}`;
    const width = ctx.measureText(input.placeholder).width;
    const room = input.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const box = input.getBoundingClientRect();
    return {value: input.value, placeholder: input.placeholder, inner,
            line: parseFloat(cs.lineHeight), width, room,
            onScreen: box.top >= 0 && box.bottom <= innerHeight && box.right <= innerWidth};
})()"""

# Every date chip against every message bubble: none may lie over another.
CHIP_OVER_TEXT = """(() => {
    const box = document.getElementById('messages');
    box.scrollTop = box.scrollHeight;
    const rects = (s) => [...document.querySelectorAll(s)].map(n => n.getBoundingClientRect());
    const chips = rects('.date-sep span');
    const bubbles = rects('.msg .bubble');
    return chips.some(c => bubbles.some(b =>
        c.left < b.right && b.left < c.right && c.top < b.bottom && b.top < c.bottom));
})()"""

POPUP = "[...document.querySelectorAll('#cmd-popup .cmd-item')]"


def _chromium() -> str:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return binary


@contextlib.asynccontextmanager
async def _phone(binary: str, sandbox: Sandbox, user_id: int) -> AsyncIterator[Page]:
    """The demo page as a phone shows it, on one member's chat."""
    async with open_page(binary, "about:blank") as page:
        await page.set_viewport(*PHONE, mobile=True)
        await page.navigate(f"http://127.0.0.1:{sandbox.port}/demo/#user={user_id}")
        await page.wait_for("document.querySelectorAll('#messages .msg.bot').length >= 1")
        yield page


async def _send(page: Page, text: str) -> None:
    await page.evaluate(
        f"""(() => {{
            const input = document.getElementById('composer-input');
            input.value = {json.dumps(text)};
            input.dispatchEvent(new Event('input', {{bubbles: true}}));
            document.getElementById('send-button').click();
        }})()"""
    )


async def _popup(page: Page) -> tuple[str, list[tuple[str, str]]]:
    """Open the "/" menu, read its heading and items once loaded, and close it again."""
    await page.evaluate("document.getElementById('cmd-button').click()")
    await page.wait_for(f"{POPUP}.length > 0")
    head, items = await page.evaluate(
        f"""[document.querySelector('#cmd-popup .cmd-head').textContent,
            {POPUP}.map(b => [b.querySelector('.cmd-name').textContent,
                              b.querySelector('.cmd-desc').textContent])]"""
    )
    await page.evaluate("document.getElementById('cmd-button').click()")
    assert await page.evaluate("document.getElementById('cmd-popup').hidden")
    return head, [(name, description) for name, description in items]


async def _popup_becomes(page: Page, expected: list[tuple[str, str]]) -> str:
    """The menu's heading once the popup lists `expected` (the page re-reads the menu)."""
    for _ in range(50):
        head, items = await _popup(page)
        if items == expected:
            return head
        await asyncio.sleep(0.2)
    raise AssertionError(f"the popup never listed {expected}: {items}")


def _bot_menu(sandbox: Sandbox, user_id: int) -> list[tuple[str, str]]:
    return [("/" + c["command"], c["description"]) for c in sandbox.menu(user_id)["commands"]]


async def test_phone_page_guides_and_offers_the_bots_menu_for_the_member() -> None:
    binary = _chromium()
    async with demo_environment(port=0) as (sandbox, _application):
        for m in MEMBERS:
            await sandbox.wait_for(lambda m=m: sandbox.bot_messages(m.user_id), timeout=10)
        async with _phone(binary, sandbox, CADRE.user_id) as page:
            # Before the first keystroke the placeholder is whole and on screen.
            shown = await page.evaluate(PLACEHOLDER_WHOLE)
            assert shown["value"] == ""
            assert shown["placeholder"] == "输入消息…"
            assert shown["inner"] >= shown["line"], shown
            assert shown["width"] <= shown["room"], shown
            assert shown["onScreen"], shown

            # A newcomer meets the walkthrough: four journeys, within the phone's width.
            guide = await page.evaluate(
                """(() => {
                    const g = document.getElementById('guide');
                    const r = g.getBoundingClientRect();
                    return {hidden: g.hidden, left: r.left, right: r.right,
                            journeys: g.querySelectorAll('.journey').length,
                            text: g.textContent};
                })()"""
            )
            assert not guide["hidden"]
            assert guide["journeys"] == 4
            assert guide["left"] >= 0
            assert guide["right"] <= PHONE[0]
            for member in ("张明", "赵纪检", "王建国", "李局长"):
                assert member in guide["text"]  # whom to pick …
            for command in ("/quiz", "/report", "/reports", "/broadcast", "/digest"):
                assert command in guide["text"]  # … and what to send
            # The role tip for the member on screen offers only commands of their menu.
            tips = await page.evaluate(
                "[...document.querySelectorAll('.guide-you .chip')].map(c => c.textContent)"
            )
            assert tips
            assert set(tips) <= {name for name, _ in _bot_menu(sandbox, CADRE.user_id)}

            # Put away, it stays away on the next visit, and comes back from the header.
            await page.evaluate("document.getElementById('guide-close').click()")
            assert await page.evaluate("document.getElementById('guide').hidden")
            assert await page.evaluate("localStorage.getItem('qinglian-demo:guide')") == "closed"
            await page.reload()
            await page.wait_for("document.querySelectorAll('#messages .msg.bot').length >= 1")
            assert await page.evaluate("document.getElementById('guide').hidden")
            await page.evaluate("document.getElementById('guide-button').click()")
            assert not await page.evaluate("document.getElementById('guide').hidden")
            await page.evaluate("document.getElementById('guide-dismiss').click()")

            # "/" lists exactly the menu the bot published for this cadre.
            head, menu = await _popup(page)
            assert head == "菜单"
            assert menu == _bot_menu(sandbox, CADRE.user_id)
            names = [name for name, _ in menu]
            assert "/quiz" in names
            assert "/digest" not in names
            assert "/assign" not in names
            assert not any("积分" in description for _, description in menu)

            # More messages than the screen holds: the date chip lies over none of them.
            for _ in range(2):
                before = len(sandbox.bot_messages(CADRE.user_id))
                await _send(page, "/help")
                await sandbox.wait_for(
                    lambda b=before: len(sandbox.bot_messages(CADRE.user_id)) > b
                )
            await page.wait_for("document.querySelectorAll('#messages .msg.bot').length >= 3")
            assert await page.evaluate(
                "document.getElementById('messages').scrollHeight > innerHeight"
            )
            assert await page.evaluate(CHIP_OVER_TEXT) is False

            # The cadre switches to English in /settings: the page's own words follow.
            await _send(page, "/settings")
            await page.wait_for(
                "[...document.querySelectorAll('.kb-button')].some(b => b.innerText === 'English')"
            )
            await page.evaluate(
                "[...document.querySelectorAll('.kb-button')]"
                ".filter(b => b.innerText === 'English').pop().click()"
            )
            await page.wait_for("document.documentElement.lang === 'en'")
            english = await page.evaluate(
                """({
                    placeholder: document.getElementById('composer-input').placeholder,
                    edited: [...document.querySelectorAll('.meta .edited')].map(n => n.textContent),
                    chips: [...document.querySelectorAll('.date-sep span')].map(n => n.textContent),
                    sub: document.getElementById('chat-sub').innerText,
                })"""
            )
            assert english["placeholder"] == "Message…"
            assert english["edited"] == ["edited"]  # the settings message, edited in place
            assert english["chips"] == ["Today"]
            assert english["sub"].startswith("You are: Staff")
            assert (await page.evaluate(PLACEHOLDER_WHOLE))["inner"] >= shown["line"]
            await sandbox.wait_for(
                lambda: _bot_menu(sandbox, CADRE.user_id)[0] == ("/start", "Start / join")
            )
            assert await _popup_becomes(page, _bot_menu(sandbox, CADRE.user_id)) == "Menu"

            # A send that cannot reach the server says so in the page's language.
            await page.evaluate(
                "window.fetch = () => Promise.reject(new TypeError('Failed to fetch'))"
            )
            await _send(page, "hello")
            await page.wait_for("document.querySelector('.toast.error') !== null")
            toast = await page.evaluate("document.querySelector('.toast.error').textContent")
            assert "demo server cannot be reached" in toast
            assert "Failed to fetch" not in toast
            assert await page.evaluate("document.getElementById('composer-input').value") == (
                "hello"
            )  # kept, to send again


async def test_phone_page_offers_an_admin_their_own_commands() -> None:
    binary = _chromium()
    async with demo_environment(port=0) as (sandbox, _application):
        await sandbox.wait_for(lambda: sandbox.bot_messages(ADMIN.user_id), timeout=10)
        async with _phone(binary, sandbox, ADMIN.user_id) as page:
            head, menu = await _popup(page)
            assert head == "菜单"
            assert menu == _bot_menu(sandbox, ADMIN.user_id)
            names = {name for name, _ in menu}
            assert {"/invite", "/members", "/broadcast", "/assign", "/reload", "/plan"} <= names
            assert "/digest" not in names
            assert "/reports" not in names
