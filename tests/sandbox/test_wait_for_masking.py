"""A timed-out wait describes the chats without the receipt codes in them (test output is kept)."""

from __future__ import annotations

import pytest

from bot.sandbox.state import SandboxState, mask_codes

TOKEN = "123456:" + "A" * 35


async def test_a_timeout_message_masks_receipt_code_shapes() -> None:
    state = SandboxState(TOKEN, "qinglian_test_bot", "清廉助手")
    state.add_user(7, "张干部")
    state.send_text(7, "我的查询码7Q2M-X9KD-4HPT-RB3W，另一个 7q2mx9kd4hptrb3w 也是")
    with pytest.raises(TimeoutError) as raised:
        await state.wait_for(lambda: False, 0.01)
    text = str(raised.value)
    assert "7Q2M" not in text
    assert "7q2mx9kd4hptrb3w" not in text
    assert text.count("[code]") == 2, text


def test_mask_codes_leaves_other_text_alone() -> None:
    assert (
        mask_codes("会议 2026-09-20 09:00，电话 13812345678")
        == "会议 2026-09-20 09:00，电话 13812345678"
    )
    assert mask_codes("ABCD EFGH JKMN PQRS") == "[code]"
