"""Attack: a receipt code typed without separators inside a sentence.

The receipt is protected (no copy, no forward), so people type the code again, often without
dashes. `looks_like_receipt_code` catches a whole message that is a code, or XXXX-XXXX-XXXX-XXXX
with separators inside a text, but not 16 characters run together inside a sentence. Such a
message stays in the chat, and an admin's unfinished /broadcast takes it as the notice and
shows it back in the preview.
"""

from __future__ import annotations

from bot.domain.reports import ReceiptCode, looks_like_receipt_code, shows_receipt_code
from bot.i18n import translate
from tests.harness import ADMIN, Harness
from tests.tg.report_support import file_report


async def test_a_code_inside_a_sentence_is_deleted_and_not_taken(harness: Harness) -> None:
    h = harness
    await h.join(ADMIN, "王管理")
    code = await file_report(h, ADMIN)
    bare = code.replace("-", "")
    await h.send(ADMIN, "/broadcast")
    replies = await h.send(ADMIN, f"我的查询码{bare}，请帮我查一下")
    mine = [m for m in h.sandbox.messages(ADMIN) if not m["from_bot"] and bare in (m["text"] or "")]
    echoed = [m for m in h.sandbox.bot_messages(ADMIN) if bare in (m["text"] or "")]
    assert mine
    assert all(m["deleted"] for m in mine), mine
    assert echoed == [], echoed
    assert any("看起来像查询码，已删除" in (m["text"] or "") for m in replies), replies
    assert not any("发给谁" in (m["text"] or "") for m in replies), replies  # not the notice
    # The broadcast still waits for its own text.
    [audience] = await h.send(ADMIN, "明天上午九点召开廉政警示教育大会。")
    assert "发给谁" in audience["text"]


def test_bare_code_shapes_in_sentences() -> None:
    code = "7Q2M-X9KD-4HPT-RB3W"
    bare = code.replace("-", "")
    assert looks_like_receipt_code(f"我的查询码{bare}，请帮我查一下")
    assert looks_like_receipt_code(f"code {bare.lower()} please")
    # Kept: words and numbers of that length, and longer runs (links, hashes).
    assert not looks_like_receipt_code("请于2026年9月20日前报送，电话13812345678901")
    assert not looks_like_receipt_code("internationalism is a long word")
    assert not looks_like_receipt_code("卡号1234567890123456已挂失")
    assert not looks_like_receipt_code(f"https://example.org/{bare}ABCD")
    assert not looks_like_receipt_code("/start Xk3mQ9pLr2TzW8vB")  # an invite code


def test_a_receipt_the_bot_wrote_is_recognised_and_ordinary_text_is_not() -> None:
    """The gate's check on a button's message (the bot's own text): a receipt's code, in
    either language, and nothing else that merely has four groups of four."""
    for _ in range(50):
        code = ReceiptCode.generate().formatted()
        for language in ("zh", "en"):
            receipt = translate(language, "reports.submitted", code=code)
            plain = receipt.replace("<code>", "").replace("</code>", "")
            assert shows_receipt_code(plain), language
    assert not shows_receipt_code("Please meet with your team next week.")
    assert not shows_receipt_code("Members: PAUL RUTH HUGH LUKE")
    assert not shows_receipt_code("会议编号 2026-0901-1000-2000A")
    assert not shows_receipt_code("请于 9 月 20 日前报送")
    assert not shows_receipt_code(None)
