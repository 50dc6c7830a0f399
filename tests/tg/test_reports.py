"""Anonymous reports, the reporter's side: filing without identity, /status, limits, access."""

from __future__ import annotations

import logging
import re

import pytest

from bot.domain.reports import ReceiptCode
from bot.logs import quiet_libraries
from tests.harness import REVIEWER, Harness, buttons, make_config
from tests.tg.report_support import (
    BODY,
    CODE_RE,
    all_rows,
    batch,
    code_in,
    columns,
    confirm_and_get_code,
    file_report,
    png,
    tick,
)

REPORTER = 58123467
REPORTER_NAME = "张举报人"
REPORTER_USERNAME = "whistle_zhang"
OTHER = 702


async def _join(h: Harness, user_id: int, name: str, username: str | None = None) -> None:
    h.user(user_id, name, username=username)
    assert await h.send(user_id, "/start test-office-invite")


async def _restart_with(h: Harness, **overrides: object) -> None:
    await h.stop()
    h.config = make_config(h.sandbox, h.db_path, **overrides)
    await h.start()


def _code_forms(code: str) -> list[str]:
    raw = code.replace("-", "")
    return [code, raw, code.lower(), raw.lower(), " ".join(code.split("-"))]


async def test_a_filed_report_stores_and_logs_nothing_that_identifies_the_reporter(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # As a deployment with logging.level: DEBUG: everything at DEBUG, then the libraries that
    # would print request parameters (PTB logs whole updates at DEBUG) are quietened.
    caplog.set_level(logging.DEBUG)
    logging.getLogger("telegram").setLevel(logging.NOTSET)
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    quiet_libraries()
    h = harness
    assert h.app is not None
    assert h.app.persistence is None  # drafts can only live in memory
    await _join(h, REPORTER, REPORTER_NAME, REPORTER_USERNAME)
    await h.join(REVIEWER, "赵纪检")

    [intro] = await h.send(REPORTER, "/report")
    for promise in ("会保存", "不会保存", "Telegram 平台本身知道", "不要写能认出你的细节"):
        assert promise in intro["text"]
    message = await h.press(REPORTER, intro, "形式主义")
    assert "反映涉及哪个单位" in message["text"]
    message = await h.press(REPORTER, message, "办公室")
    [prompt] = await h.send(REPORTER, BODY)
    assert "最多 5 个" in prompt["text"]
    [copy, added] = await h.send_file(REPORTER, png(), "IMG_20260920_101532.jpg", kind="photo")
    assert copy["caption"] == "附件 1：审阅人将看到的副本"
    assert "已添加附件 1/5" in added["text"]
    preview = await h.press(REPORTER, added, "完成")
    assert BODY in preview["text"]
    assert "附件：1 个" in preview["text"]
    saving = await h.press(REPORTER, preview, "确认提交")
    assert "下一个固定时间点（约 10 分钟内）" in saving["text"]
    assert "没有收到查询码" in saving["text"]
    assert BODY not in saving["text"]  # the preview became the "saving" notice
    assert not CODE_RE.search(saving["text"])  # no code before the report is stored
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 0
    h.clock.advance(minutes=10)
    await tick(h)  # 10:10: stored, then the code
    receipt = h.last(REPORTER)
    code = code_in(receipt["text"])
    assert "只显示这一次" in receipt["text"]
    assert "无法找回" in receipt["text"]
    assert receipt["protected"]  # no forwarding, no saving
    # The tick ends with a checkpoint: the WAL does not keep the report's commit in order
    # between timestamped commits of other tables.
    wal = h.db_path.with_name(h.db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    # Reviewers are told in the hourly batch; run it so its log line is part of the scan.
    await batch(h)
    await h.restart()

    identity = [str(REPORTER), REPORTER_NAME, REPORTER_USERNAME]
    rows = all_rows(h.db_path)
    assert any(str(r["user_id"]) == str(REPORTER) for r in rows["members"])  # sanity
    report_tables = [t for t in rows if t.startswith("report")]
    assert set(report_tables) == {
        "reports",
        "report_attachments",
        "report_messages",
        "report_notes",
        "report_audit",
    }
    for table in report_tables:
        for row in rows[table]:
            for value in row.values():
                for needle in identity:
                    assert needle not in str(value), (table, row)
    for table, table_rows in rows.items():
        for row in table_rows:
            for value in row.values():
                for form in _code_forms(code):
                    assert form not in str(value), table
    # No column of the report tables could hold an identity or a time of day.
    assert columns(h.db_path, "reports") == {
        "id",
        "ref",
        "receipt_hash",
        "category",
        "unit",
        "body",
        "status",
        "submitted_on",
        "closed_on",
        "notified",
    }
    assert columns(h.db_path, "report_attachments") == {
        "report_id",
        "position",
        "kind",
        "file_id",
        "sanitized",  # no file name column at all: camera names carry the time of a photo
    }
    assert columns(h.db_path, "report_messages") == {
        "report_id",
        "seq",  # numbered within the report, not one sequence across reports
        "direction",
        "body",
        "sent_on",
        "announced",
    }
    [stored] = rows["reports"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stored["submitted_on"])
    assert stored["submitted_on"] == "2026-09-20"  # 02:00 UTC is 10:00 in Asia/Shanghai
    assert stored["body"] == BODY
    assert stored["category"] == "formalism"
    assert stored["unit"] == "办公室"
    assert stored["notified"] == 1
    assert not re.fullmatch(r"\d+", stored["ref"])
    parsed = ReceiptCode.parse(code)
    assert parsed is not None
    assert stored["receipt_hash"] == parsed.digest(h.services.reports.secret)
    [attachment] = rows["report_attachments"]
    assert attachment["kind"] == "photo"
    assert rows["report_audit"] == []

    records = caplog.records
    assert any(r.name.startswith("bot") for r in records), "scenario produced no bot log lines"
    assert any("reviewer notice" in r.getMessage() for r in records)
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        for form in _code_forms(code):
            assert form not in text, record.name
        assert BODY[:12] not in text, record.name
        for needle in identity:
            assert needle not in text, record.name
    # The secret lives beside the database, readable by the bot's user only.
    secret_file = h.db_path.parent / "report_secret"
    assert secret_file.stat().st_mode & 0o077 == 0
    assert secret_file.read_text().strip().encode() == h.services.reports.secret


async def test_status_deletes_the_code_shows_replies_and_takes_an_addition(
    harness: Harness,
) -> None:
    h = harness
    await _join(h, REPORTER, REPORTER_NAME)
    await h.join(REVIEWER, "赵纪检")
    code = await file_report(h, REPORTER, photos=1)
    await batch(h)

    # A reviewer writes to the reporter.
    [overview] = await h.send(REVIEWER, "/reports")
    assert "新收到：1" in overview["text"]
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    card = await h.press(REVIEWER, listing, "形式主义")
    assert BODY in card["text"]
    assert any(m.get("photo") for m in h.sandbox.bot_messages(REVIEWER))
    await h.press(REVIEWER, card, "回复反映人")
    replies = await h.send(REVIEWER, "请补充具体是哪一周，以便核查。")
    assert "留言已保存" in replies[0]["text"]

    # The reporter checks with the code, typed carelessly; the message with it disappears.
    [ask] = await h.send(REPORTER, "/status")
    assert "立即删除" in ask["text"]
    typed = " ".join(code.replace("-", "").lower()[i : i + 4] for i in range(0, 16, 4))
    [view] = await h.send(REPORTER, typed)
    sent = [m for m in h.sandbox.messages(REPORTER) if not m["from_bot"] and m["text"] == typed]
    assert sent
    assert all(m["deleted"] for m in sent)
    assert "新收到" in view["text"]
    assert "请补充具体是哪一周" in view["text"]
    await h.press(REPORTER, view, "补充信息")
    assert "请发送一条文字消息补充信息" in h.last(REPORTER)["text"]
    [queued] = await h.send(REPORTER, "是九月第二周，周一到周五每天都要报。")
    assert "下一个固定时间点" in queued["text"]
    await tick(h)
    assert "已补充" in h.last(REPORTER)["text"]
    messages = await h.services.db.fetchall(
        "SELECT direction, body, sent_on FROM report_messages ORDER BY seq"
    )
    assert [m["direction"] for m in messages] == ["reviewer", "reporter"]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", m["sent_on"]) for m in messages)

    # The reviewer sees the addition on the card, after the hourly batch.
    await batch(h)
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    assert any(b["text"].startswith("💬") for b in buttons(listing))
    card = await h.press(REVIEWER, listing, "形式主义")
    assert "← 反映人" in card["text"]
    assert "九月第二周" in card["text"]

    # The code also works in one go, as /status CODE; that message is deleted too.
    [view] = await h.send(REPORTER, f"/status {code}")
    assert "九月第二周" in view["text"]
    mine = [m for m in h.sandbox.messages(REPORTER) if not m["from_bot"]]
    assert all(m["deleted"] for m in mine if code in (m["text"] or ""))


async def test_wrong_codes_are_refused_then_locked_out_then_allowed_again(
    harness: Harness,
) -> None:
    h = harness
    await _join(h, REPORTER, REPORTER_NAME)
    code = await file_report(h, REPORTER)
    wrong = ReceiptCode.generate().formatted()
    assert wrong != code
    [nonsense] = await h.send(REPORTER, "/status hello")
    assert "格式不对" in nonsense["text"]  # a typo, not a guess: not counted
    for _ in range(4):
        [refused] = await h.send(REPORTER, f"/status {wrong}")
        assert "没有找到" in refused["text"]
    [locked] = await h.send(REPORTER, f"/status {wrong}")
    assert "错误次数过多" in locked["text"]
    assert "1 分钟" in locked["text"]
    # While locked, even the right code is not checked.
    [still] = await h.send(REPORTER, f"/status {code}")
    assert "错误次数过多" in still["text"]
    h.clock.advance(minutes=2)
    [longer] = await h.send(REPORTER, f"/status {wrong}")
    assert "2 分钟" in longer["text"]  # each further miss doubles the wait
    # Another person is not affected by this one's misses.
    await _join(h, OTHER, "李干部")
    [other] = await h.send(OTHER, f"/status {code}")
    assert "新收到" in other["text"]
    h.clock.advance(minutes=3)
    [view] = await h.send(REPORTER, f"/status {code}")
    assert "反映办理情况" in view["text"]
    # Every message that carried a code is gone from the chats.
    for user in (REPORTER, OTHER):
        for m in h.sandbox.messages(user):
            if not m["from_bot"] and m["text"] and m["text"].startswith("/status "):
                assert m["deleted"], m["text"]


async def test_limits_on_length_attachments_and_reports_per_day(harness: Harness) -> None:
    h = harness
    await _restart_with(
        h,
        reports__max_per_day=2,
        reports__min_length=10,
        reports__max_length=60,
        reports__max_attachments=1,
    )
    await _join(h, REPORTER, REPORTER_NAME)
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "违规吃喝")
    message = await h.press(REPORTER, message, "其他单位")
    assert "输入涉及的单位" in message["text"]
    [ask_body] = await h.send(REPORTER, "县城投公司")
    assert "县城投公司" in ask_body["text"]
    [short] = await h.send(REPORTER, "太短")
    assert "太短了（2 字）" in short["text"]
    assert "至少需要 10 字" in short["text"]
    [long] = await h.send(REPORTER, "长" * 61)
    assert "太长了（61 字）" in long["text"]
    [photo_first] = await h.send_file(REPORTER, png(), "a.png")
    assert "请先用文字描述" in photo_first["text"]
    [prompt] = await h.send(REPORTER, "某公司每周以接待名义安排公款宴请，费用拆分报销。")
    assert "最多 1 个" in prompt["text"]
    [copy, added] = await h.send_file(REPORTER, b"%PDF-1.4 test", "清单.pdf", kind="document")
    assert copy["document"]["file_name"] == "attachment-1.pdf"
    assert "已添加附件 1/1" in added["text"]
    [refused] = await h.send_file(REPORTER, png(), "b.png")
    assert "最多只能添加 1 个附件" in refused["text"]
    [hint] = await h.send(REPORTER, "还有一张")
    assert "只接收图片或文件" in hint["text"]
    preview = await h.press(REPORTER, refused, "完成")
    assert "附件：1 个" in preview["text"]
    await confirm_and_get_code(h, REPORTER, preview)
    [stored] = await h.services.db.fetchall("SELECT unit, category FROM reports")
    assert tuple(stored) == ("县城投公司", "banquets")
    kinds = await h.services.db.fetchall("SELECT kind FROM report_attachments")
    assert [tuple(k) for k in kinds] == [("document",)]

    await file_report(h, REPORTER, body="第二条反映的内容，长度足够。")
    [limit] = await h.send(REPORTER, "/report")
    assert "达到每日上限" in limit["text"]
    # The limit is per sender and per day, and kept in memory only.
    await _join(h, OTHER, "李干部")
    await file_report(h, OTHER, body="另一位同事的反映，长度足够。")
    h.clock.advance(days=1)
    await file_report(h, REPORTER, body="第二天的反映内容，长度足够。")
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM reports"))[0] == 4


async def test_cancel_anywhere_stores_nothing(harness: Harness) -> None:
    h = harness
    await _join(h, REPORTER, REPORTER_NAME)
    [intro] = await h.send(REPORTER, "/report")
    [cancelled] = await h.send(REPORTER, "/cancel")
    assert "没有保存任何内容" in cancelled["text"]
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "官僚主义")
    message = await h.press(REPORTER, message, "应急指挥科")
    [prompt] = await h.send(REPORTER, BODY)
    await h.send_file(REPORTER, png(), "a.png")
    preview = await h.press(REPORTER, h.last(REPORTER), "完成")
    [cancelled] = await h.send(REPORTER, "/cancel")
    assert "草稿已丢弃" in cancelled["text"]
    # The old preview's button no longer submits anything.
    await h.press_data(REPORTER, preview["message_id"], buttons(preview)[0]["callback_data"])
    assert "这一步已经过去了" in h.toasts(REPORTER)[-1]
    # Discarding at the preview stores nothing either.
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "其他")
    message = await h.press(REPORTER, message, "办公室")
    await h.send(REPORTER, BODY)
    preview = await h.press(REPORTER, h.last(REPORTER), "完成")
    discarded = await h.press(REPORTER, preview, "放弃")
    assert "没有保存任何内容" in discarded["text"]
    # After /cancel, /cancel again is the ordinary "nothing to cancel".
    [nothing] = await h.send(REPORTER, "/cancel")
    assert "没有进行中的操作" in nothing["text"]
    rows = all_rows(h.db_path)
    assert all(not rows[t] for t in rows if t.startswith("report"))
    assert prompt["text"]


async def test_help_lists_the_report_commands_by_role(harness: Harness) -> None:
    h = harness
    await _join(h, REPORTER, REPORTER_NAME)
    await h.join(REVIEWER, "赵纪检")
    [cadre_help] = await h.send(REPORTER, "/help")
    assert "/report" in cadre_help["text"]
    assert "/status" in cadre_help["text"]
    assert "/reports" not in cadre_help["text"]
    [reviewer_help] = await h.send(REVIEWER, "/help")
    assert "/reports" in reviewer_help["text"]


async def test_members_only_refuses_strangers(harness: Harness) -> None:
    h = harness
    h.user(OTHER, "陌生人")
    [refused] = await h.send(OTHER, "/report")
    assert "仅向本单位干部职工开放" in refused["text"]
    [refused] = await h.send(OTHER, "/status")
    assert "仅向本单位干部职工开放" in refused["text"]


async def test_open_to_anyone_lets_a_stranger_report_and_check_and_nothing_else(
    harness: Harness,
) -> None:
    h = harness
    await _restart_with(h, reports__open_to="anyone")
    stranger = h.user(OTHER, "陌生人", username="passer_by")
    code = await file_report(h, stranger, photos=1)
    [view] = await h.send(stranger, f"/status {code}")
    assert "新收到" in view["text"]
    asked = await h.press(stranger, view, "补充信息")
    assert asked
    await h.send(stranger, "补充一点情况。")
    await tick(h)
    assert "已补充" in h.last(stranger)["text"]
    # Still a stranger everywhere else: no member row, no other command, no reviewer button.
    assert await h.services.membership.member(stranger) is None
    [quiz] = await h.send(stranger, "/quiz")
    assert "仅向本单位干部职工开放" in quiz["text"]
    [text] = await h.send(stranger, "随便说点什么")
    assert "仅向本单位干部职工开放" in text["text"]
    await h.press_data(stranger, view["message_id"], "v1:rvx")
    assert "仅向本单位干部职工开放" in h.toasts(stranger)[-1]
    # A reporter's button outside a running conversation is not a way in either.
    await h.press_data(stranger, view["message_id"], "v1:rpa")
    assert "仅向本单位干部职工开放" in h.toasts(stranger)[-1]
    rows = all_rows(h.db_path)
    for table in (t for t in rows if t.startswith("report")):
        for row in rows[table]:
            assert str(stranger) not in " ".join(map(str, row.values()))


async def test_a_long_description_fits_the_preview_and_is_stored_whole(harness: Harness) -> None:
    h = harness
    await _join(h, REPORTER, REPORTER_NAME)
    # 2800 characters (within max_length) but 3800 UTF-16 units, as Telegram counts them.
    body = "情😀" * 1000 + "说明" * 400
    [intro] = await h.send(REPORTER, "/report")
    message = await h.press(REPORTER, intro, "其他")
    message = await h.press(REPORTER, message, "办公室")
    [prompt] = await h.send(REPORTER, body)
    preview = await h.press(REPORTER, prompt, "完成")
    assert "全文共 2800 字，将完整提交" in preview["text"]
    await confirm_and_get_code(h, REPORTER, preview)
    [stored] = await h.services.db.fetchall("SELECT body FROM reports")
    assert stored["body"] == body
