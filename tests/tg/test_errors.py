"""The error handler: the user hears about it in their language; admins get no personal data."""

from __future__ import annotations

import logging

import pytest

from tests.harness import ADMIN, Harness

CADRE = 801


async def test_a_failing_handler_is_answered_and_reported_without_personal_data(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    h.user(CADRE, "机密姓名", username="secret_handle")
    await h.send(CADRE, "/start test-office-invite")

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(h.services.quiz, "progress", broken)
    caplog.set_level(logging.ERROR, logger="bot")
    [reply] = await h.send(CADRE, "/me")
    assert "出了点问题" in reply["text"]
    notice = h.last(ADMIN)
    assert "RuntimeError" in notice["text"]
    for private in ("机密姓名", "secret_handle", str(CADRE), "database on fire"):
        assert private not in notice["text"]
    assert any("unhandled error" in r.getMessage() for r in caplog.records)

    # The same member in English hears it in English.
    [panel] = await h.send(CADRE, "/settings")
    await h.press(CADRE, panel, "English")
    [english] = await h.send(CADRE, "/me")
    assert "Sorry, something went wrong" in english["text"]


async def test_a_failing_button_is_answered_with_an_alert(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    [panel] = await h.send(CADRE, "/settings")

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(h.services.membership, "set_daily_question", broken)
    await h.press(CADRE, panel, "每日一题")
    assert "出了点问题" in h.toasts(CADRE)[-1]
