"""Anonymous reports, the reviewers' side: role checks on every button, the audit log, the
batched notice and retention (before the nightly backup)."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from bot.domain.members import Role
from bot.domain.reports import Attachment, AttachmentKind, Category, Draft, ReportStatus
from bot.i18n import translate
from bot.tg import callbacks as cb
from bot.tg.backup import BACKUP_JOB
from bot.tg.report_jobs import TICK_JOB
from tests.harness import ADMIN, LEADER, REVIEWER, Harness, buttons, make_config
from tests.tg.report_support import (
    BODY,
    batch,
    file_report,
    make_reviewer,
    png,
    raw_bytes,
    tick,
)

CADRE = 701
OTHER = 702


async def _report(
    h: Harness,
    *,
    body: str = BODY,
    category: Category = Category.FORMALISM,
    now: datetime | None = None,
    sender: str = "test-sender",
    photo: bool = False,
    announce: bool = True,
) -> str:
    """A stored report (queued and written by a tick, as the conversation has it stored), and
    then announced by the next hourly batch unless `announce` is False; its ref."""
    attachments = []
    if photo:
        stored = h.sandbox.state.store_file(png(), "photo", "x.png", None)
        attachments.append(Attachment(AttachmentKind.PHOTO, stored.file_id))
    reports = h.services.reports
    when = now or h.clock.now
    assert reports.queue_report(Draft(category, "办公室", body, attachments), sender, when, None)
    [(_, submitted)] = (await reports.tick(when)).reports
    if announce:
        await batch(h)
    return submitted.ref


async def _status(h: Harness, ref: str) -> str:
    row = await h.services.db.fetchone("SELECT status FROM reports WHERE ref = ?", (ref,))
    return row["status"]


async def _audit(h: Harness) -> list[tuple[Any, ...]]:
    rows = await h.services.db.fetchall(
        "SELECT reviewer_id, action, report_ref, detail FROM report_audit ORDER BY id"
    )
    return [tuple(r) for r in rows]


async def test_every_reviewer_command_and_button_is_refused_to_others(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    await h.join(LEADER, "李局长")
    h.user(OTHER, "陌生人")
    ref = await _report(h, photo=True)
    [cadre_try] = await h.send(CADRE, "/reports")
    assert "没有执行此操作的权限" in cadre_try["text"]
    # A leader who is not a reviewer sees counts only, as of the end of yesterday: no
    # buttons, no content, and not today's report.
    [leader_view] = await h.send(LEADER, "/reports")
    assert "仅统计，截至 2026-09-19" in leader_view["text"]
    assert "共收到 0 条" in leader_view["text"]
    assert not buttons(leader_view)
    assert BODY[:10] not in leader_view["text"]

    forged = [
        cb.ReportsHome(),
        cb.ReportsList(ReportStatus.NEW, 0),
        cb.ReportOpen(ref),
        cb.ReportMedia(ref),
        cb.ReportSetStatus(ref, ReportStatus.CHECKING),
        cb.ReportNote(ref),
        cb.ReportReply(ref),
        cb.ReportExport(),
    ]
    reviewer_types = {
        t
        for name, t in vars(cb).items()
        if name.startswith("Report") and isinstance(t, type) and issubclass(t, cb.CallbackData)
    } - {
        cb.ReportCategory,
        cb.ReportUnit,
        cb.ReportAttachDone,
        cb.ReportConfirm,
        cb.ReportAddInfo,
        cb.ReportReceiptDone,
        cb.ReportCleanup,
    }
    assert {type(d) for d in forged} == reviewer_types  # every reviewer button type is tried
    for user, shown in ((CADRE, cadre_try), (LEADER, leader_view)):
        before = len(h.sandbox.bot_messages(user))
        for data in forged:
            await h.press_data(user, shown["message_id"], data.encode())
            assert "没有执行此操作的权限" in h.toasts(user)[-1], data
        # Nothing was shown or sent: no card, no photo, no CSV, no prompt for a note.
        assert len(h.sandbox.bot_messages(user)) == before
        # A text after the forged note button is not taken as a note.
        await h.send(user, "这不是备注")
    [start] = await h.send(OTHER, "/start")
    for data in forged:
        await h.press_data(OTHER, start["message_id"], data.encode())
        assert "仅向本单位干部职工开放" in h.toasts(OTHER)[-1]
    assert await _status(h, ref) == "new"
    assert await _audit(h) == []
    for table in ("report_notes", "report_messages"):
        assert (await h.services.db.fetchone(f"SELECT COUNT(*) FROM {table}"))[0] == 0


async def test_a_reviewer_whose_role_is_revoked_mid_note_cannot_save_it(harness: Harness) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    await h.join(ADMIN, "王管理")
    await h.join(REVIEWER, "赵纪检")
    ref = await _report(h)
    now = h.clock.now
    await make_reviewer(h, CADRE)
    [overview] = await h.send(CADRE, "/reports")
    listing = await h.press(CADRE, overview, "新收到（1）")
    card = await h.press(CADRE, listing, ref)
    await h.press(CADRE, card, "内部备注")
    assert "内部备注" in h.last(CADRE)["text"]
    await h.services.membership.set_role(
        actor_id=ADMIN, user_id=CADRE, role=Role.REVIEWER, granted=False, now=now
    )
    [refused] = await h.send(CADRE, "核查发现属实")
    assert "没有执行此操作的权限" in refused["text"]
    assert (await h.services.db.fetchone("SELECT COUNT(*) FROM report_notes"))[0] == 0


async def test_reviewer_workflow_is_audited_action_by_action(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    ref = await _report(h, photo=True)
    [overview] = await h.send(REVIEWER, "/reports")
    assert "新收到：1" in overview["text"]
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    assert "共 1 条" in listing["text"]
    card = await h.press(REVIEWER, listing, ref)
    assert f"反映 {ref}" in card["text"]
    assert BODY in card["text"]
    assert "附件：1 个" in card["text"]
    photos = [m for m in h.sandbox.bot_messages(REVIEWER) if m.get("photo")]
    assert len(photos) == 1
    assert ref in photos[0]["caption"]
    # Only allowed moves are offered; a forged one is refused.
    labels = [b["text"] for b in buttons(card)]
    assert "→ 核查中" in labels
    assert "→ 已办结" not in labels
    await h.press_data(
        REVIEWER, card["message_id"], cb.ReportSetStatus(ref, ReportStatus.CLOSED).encode()
    )
    assert "不能改为这个状态" in h.toasts(REVIEWER)[-1]
    # A status outside the set does not decode: the stale-button answer, nothing moves.
    await h.press_data(REVIEWER, card["message_id"], "v1:rvs:" + ref + ":bogus")
    assert h.toasts(REVIEWER)[-1] == translate("zh", "common.stale_button")
    card = await h.press(REVIEWER, card, "→ 核查中")
    assert "状态：核查中" in card["text"]
    assert "→ 已办结" in [b["text"] for b in buttons(card)]
    await h.press(REVIEWER, card, "内部备注")
    # A command abandons the note, then runs as if no note had been asked for.
    [abandoned, listing] = await h.send(REVIEWER, "/reports")
    assert "已取消，没有保存" in abandoned["text"]
    assert "反映" in listing["text"], listing  # the /reports overview
    await h.press(REVIEWER, card, "内部备注")
    [too_long, *_] = await h.send(REVIEWER, "长" * 2001)
    assert "1–2000 字" in too_long["text"]
    [saved, new_card] = await h.send(REVIEWER, "已约谈科室负责人，情况基本属实。")
    assert "备注已保存" in saved["text"]
    assert "已约谈科室负责人" in new_card["text"]
    assert "赵纪检" in new_card["text"]
    await h.press(REVIEWER, new_card, "回复反映人")
    [saved, new_card] = await h.send(REVIEWER, "已受理，正在核查。")
    assert "留言已保存" in saved["text"]
    await h.press(REVIEWER, new_card, "附件与全文")
    card = await h.press(REVIEWER, new_card, "→ 已办结")
    assert "状态：已办结" in card["text"]
    assert "结束日期：2026-09-20" in card["text"]
    assert not [b for b in buttons(card) if b["text"].startswith("→")]  # final
    await h.press(REVIEWER, overview, "导出")
    [document] = [m for m in h.sandbox.bot_messages(REVIEWER) if m.get("document")]
    assert document["document"]["file_name"] == "reports-2026-09-20.csv"
    csv_text = h.sandbox.file_bytes(document["document"]["file_id"]).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "编号,提交日期,类别,单位,状态,结束日期,附件数,内容"
    assert f"{ref},2026-09-20,形式主义,办公室,已办结,2026-09-20,1," in csv_text
    audit = await _audit(h)
    assert [a[1] for a in audit] == [
        "open",
        "status",
        "note",
        "message",
        "attachments",
        "status",
        "export",
    ]
    assert all(a[0] == REVIEWER for a in audit)
    assert [a[2] for a in audit] == [ref] * 6 + ["*"]
    assert audit[1][3] == "new->checking"
    assert audit[5][3] == "checking->closed"
    # The audit log records actions, never the text of a note or a message.
    assert not any("已约谈" in str(a) or "已受理" in str(a) for a in audit)


async def test_paging_through_a_long_list(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    for i in range(10):
        await _report(h, sender=f"s{i}", announce=False)
    await batch(h)
    [overview] = await h.send(REVIEWER, "/reports")
    page = await h.press(REVIEWER, overview, "新收到（10）")
    assert "第 1–8 条" in page["text"]
    assert len([b for b in buttons(page) if "形式主义" in b["text"]]) == 8
    page = await h.press(REVIEWER, page, "下一页")
    assert "第 9–10 条" in page["text"]
    # A double tap edits nothing and is not an error.
    toasts = len(h.toasts(REVIEWER))
    await h.press_data(REVIEWER, page["message_id"], cb.ReportsList("new", 8).encode())
    assert len(h.toasts(REVIEWER)) == toasts
    page = await h.press(REVIEWER, page, "上一页")
    assert "第 1–8 条" in page["text"]
    home = await h.press(REVIEWER, page, "返回总览")
    assert "新收到：10" in home["text"]


async def test_reviewers_get_one_batched_notice_with_counts_only(harness: Harness) -> None:
    h = harness
    assert h.app is not None
    await h.join(ADMIN, "王管理")
    await h.join(REVIEWER, "赵纪检")
    await h.join(CADRE, "张干部")
    await make_reviewer(h, CADRE)
    [job] = h.app.job_queue.get_jobs_by_name(TICK_JOB)
    assert job.next_t is not None
    assert (job.next_t.minute % 10, job.next_t.second) == (0, 0)  # :00, :10, … :50
    await batch(h)  # nothing new: nothing sent
    before = {u: len(h.sandbox.bot_messages(u)) for u in (REVIEWER, CADRE)}
    await _report(h, category=Category.FORMALISM, sender="a", announce=False)
    await _report(h, category=Category.BANQUETS, sender="b", announce=False)
    await _report(
        h, category=Category.FORMALISM, sender="c", body="另一条：" + BODY, announce=False
    )
    h.clock.advance(minutes=10)
    await tick(h)  # stored, but not the full hour: nobody is told yet
    assert {u: len(h.sandbox.bot_messages(u)) for u in (REVIEWER, CADRE)} == before
    await batch(h)
    for user in (REVIEWER, CADRE):
        [notice] = h.sandbox.bot_messages(user)[before[user] :]
        assert "新收到 3 条反映：形式主义 2，违规吃喝 1" in notice["text"]
        assert BODY[:8] not in notice["text"]
        assert "办公室" not in notice["text"]
    await batch(h)
    assert len(h.sandbox.bot_messages(REVIEWER)) == before[REVIEWER] + 1
    await _report(h, category=Category.GIFTS, sender="d")
    assert "新收到 1 条反映：违规收送礼品礼金 1" in h.last(REVIEWER)["text"]


async def test_retention_deletes_only_reports_closed_long_enough_ago_before_the_backup(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await h.stop()
    h.config = make_config(h.sandbox, h.db_path, backup__dir=str(tmp_path / "backups"))
    await h.start()
    assert h.app is not None
    await h.join(REVIEWER, "赵纪检")
    reports = h.services.reports

    def day(y: int, m: int, d: int) -> datetime:
        return datetime(y, m, d, 4, 0, tzinfo=UTC)

    async def ended(ref: str, status: ReportStatus, on: datetime) -> None:
        if status is not ReportStatus.CHECKING:
            assert await reports.set_status(ref, ReportStatus.CHECKING, REVIEWER, on)
        if status is not ReportStatus.CHECKING:
            assert await reports.set_status(ref, status, REVIEWER, on)

    marker = "过期待删除的反映内容标记"
    old_closed = await _report(h, body=marker + BODY, now=day(2024, 5, 1), sender="1", photo=True)
    await ended(old_closed, ReportStatus.CLOSED, day(2025, 1, 1))
    await reports.add_note(old_closed, REVIEWER, "备注：已办结", day(2025, 1, 1))
    await reports.reply(old_closed, REVIEWER, "感谢反映", day(2025, 1, 1))
    old_rejected = await _report(h, now=day(2025, 8, 1), sender="2")
    await ended(old_rejected, ReportStatus.REJECTED, day(2025, 9, 19))
    edge = await _report(h, now=day(2025, 8, 1), sender="3")
    await ended(edge, ReportStatus.TRANSFERRED, day(2025, 9, 20))  # exactly 365 days
    recent = await _report(h, now=day(2026, 8, 1), sender="4")
    await ended(recent, ReportStatus.CLOSED, day(2026, 9, 1))
    old_open = await _report(h, now=day(2023, 1, 1), sender="5")
    old_checking = await _report(h, now=day(2023, 1, 1), sender="6")
    await ended(old_checking, ReportStatus.CHECKING, day(2023, 2, 1))
    assert marker.encode() in raw_bytes(h.db_path)

    assert (await h.services.db.fetchone("PRAGMA secure_delete"))[0] == 1
    h.clock.now = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)  # 2026-09-20 in Asia/Shanghai
    # The nightly job deletes what is past retention first, then takes the backup.
    [job] = h.app.job_queue.get_jobs_by_name(BACKUP_JOB)
    await job.run(h.app)
    [copy] = (tmp_path / "backups").iterdir()
    assert marker.encode() not in copy.read_bytes()
    backed_up = sqlite3.connect(copy)
    assert {r[0] for r in backed_up.execute("SELECT ref FROM reports")} == {
        edge,
        recent,
        old_open,
        old_checking,
    }
    backed_up.close()

    left = {r["ref"] for r in await h.services.db.fetchall("SELECT ref FROM reports")}
    assert left == {edge, recent, old_open, old_checking}
    for table in ("report_attachments", "report_messages", "report_notes"):
        assert (await h.services.db.fetchone(f"SELECT COUNT(*) FROM {table}"))[0] == 0
    # The audit log keeps the references of what reviewers did, nothing more.
    refs = {r["report_ref"] for r in await h.services.db.fetchall("SELECT * FROM report_audit")}
    assert old_closed in refs
    # secure_delete plus a checkpoint: the deleted text is gone from the files on disk.
    assert marker.encode() not in raw_bytes(h.db_path)
    # A day later the edge case is past retention too.
    h.clock.advance(days=1)
    await job.run(h.app)
    left = {r["ref"] for r in await h.services.db.fetchall("SELECT ref FROM reports")}
    assert left == {recent, old_open, old_checking}


async def test_a_report_filed_in_chat_reaches_the_reviewer_with_its_photo(
    harness: Harness,
) -> None:
    h = harness
    await h.join(CADRE, "张干部")
    await h.join(REVIEWER, "赵纪检")
    await file_report(h, CADRE, photos=2)
    await batch(h)
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    await h.press(REVIEWER, listing, "形式主义")
    photos = [m for m in h.sandbox.bot_messages(REVIEWER) if m.get("photo")]
    assert [p["caption"].split("·")[-1].strip() for p in photos] == ["附件 1/2", "附件 2/2"]
    # The very pictures the cadre sent, as the bot's own re-encoded copies.
    sent = [m for m in h.sandbox.messages(CADRE) if not m["from_bot"] and m["photo"]]
    for copy, original in zip(photos, sent, strict=True):
        assert copy["photo"]["file_id"] != original["photo"]["file_id"]
        pixels = [
            Image.open(io.BytesIO(h.sandbox.file_bytes(m["photo"]["file_id"]))).convert("RGB")
            for m in (copy, original)
        ]
        assert pixels[0].tobytes() == pixels[1].tobytes()


async def test_long_texts_are_shortened_on_the_card_and_sent_in_full(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    body = "开头" + "😀情况" * 1300 + "结尾"  # 3904 characters, 5204 UTF-16 units
    ref = await _report(h, body=body)
    reports = h.services.reports
    await reports.reply(ref, REVIEWER, "请补充" * 500, h.clock.now)
    view = await reports.view(ref)
    reports.queue_information(view.report.id, "补充" * 1500, h.clock.now, None)
    assert (await reports.tick(h.clock.now)).information == [(None, True)]
    await batch(h)
    [overview] = await h.send(REVIEWER, "/reports")
    listing = await h.press(REVIEWER, overview, "新收到（1）")
    card = await h.press(REVIEWER, listing, ref)
    assert "全文见随后的消息" in card["text"]
    assert "📎 附件与全文" in [b["text"] for b in buttons(card)]
    pieces = [m["text"] for m in h.sandbox.bot_messages(REVIEWER) if "全文（" in m["text"]]
    assert len(pieces) >= 3
    joined = "".join(p.split("\n", 1)[1] for p in pieces)
    assert body in joined.replace("\n", "")
    assert "补充" * 1500 in joined.replace("\n", "")
