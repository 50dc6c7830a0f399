"""Views are plain functions of the translator and values: rendered here without PTB running,
without a context, a sandbox or a database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.members import Invite, Member, MemberStatus
from bot.domain.reports import Category, ReportStatus, ReportSummary
from bot.i18n import translator
from bot.tg.handlers.admin import invite_line, member_card_text, members_title
from bot.tg.handlers.report_review import reports_list_title
from bot.tg.handlers.settings import settings_text
from bot.tg.keyboards import report_list_line

SHANGHAI = ZoneInfo("Asia/Shanghai")
zh, en = translator("zh"), translator("en")


def test_settings_view_has_its_title_and_the_note_under_it() -> None:
    assert settings_text(zh) == zh("settings.title")
    with_note = settings_text(en, "settings.language_note")
    assert with_note == f"{en('settings.title')}\n\n{en('settings.language_note')}"


def test_members_page_heading_counts_the_page_shown() -> None:
    assert members_title(zh, 23, 8, 8) == (
        "<b>成员</b>（共 23 人，当前第 9–16 位）。点选成员查看或调整角色。"
    )
    assert "（共 0 人，当前第 0–0 位）" in members_title(zh, 0, 0, 0)


def test_member_card_shows_local_join_date_and_escapes_names() -> None:
    member = Member(
        user_id=42,
        first_name="<张三>",
        username="zs",
        department_id="office",
        language=None,
        status=MemberStatus.ACTIVE,
        joined_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC),  # 01:30 on 03-02 in Shanghai
    )
    card = member_card_text(
        zh, member, department="办公室", roles="管理员", config_roles=None, tz=SHANGHAI
    )
    assert "<b>&lt;张三&gt;</b>  @zs" in card
    assert "加入日期：2026-03-02" in card
    assert "部门：办公室" in card
    assert "配置文件" not in card
    from_config = member_card_text(
        zh, member, department="办公室", roles="管理员", config_roles="管理员", tz=SHANGHAI
    )
    assert from_config.endswith("（管理员 角色由配置文件授予，需修改配置文件调整）")


def test_invite_line_names_uses_expiry_in_local_time_and_the_link() -> None:
    invite = Invite(
        code="AbCdEfGhIjKlMnOp",
        department_id="office",
        created_by=1,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        max_uses=5,
        uses=2,
        expires_at=datetime(2026, 3, 8, 16, 0, tzinfo=UTC),
    )
    line = invite_line(
        zh, 3, invite, department="办公室 & 后勤", bot_username="qinglian_bot", tz=SHANGHAI
    )
    assert line.startswith("3. <b>办公室 &amp; 后勤</b> · 已使用 2/5 次 · 2026-03-09 00:00 前有效")
    assert line.endswith("https://t.me/qinglian_bot?start=AbCdEfGhIjKlMnOp")


def test_report_list_line_marks_a_reporter_waiting_and_cuts_the_unit() -> None:
    item = ReportSummary(
        ref="R7K2",
        category=Category.GIFTS,
        unit="某某市某某区某某街道办事处综合行政执法大队",
        status=ReportStatus.NEW,
        submitted_on=date(2026, 9, 20),
        awaiting_reply=False,
    )
    line = report_list_line(zh, item)
    assert line == f"R7K2 · 2026-09-20 · {zh('reports.category.gifts')} · {item.unit[:20]}"
    waiting = dataclasses.replace(item, awaiting_reply=True)
    assert report_list_line(zh, waiting) == "💬 " + line


def test_reports_list_title_or_empty() -> None:
    assert reports_list_title(zh, ReportStatus.CHECKING, 12, 8, 4) == (
        f"<b>{zh('reports.state.checking')}</b>（共 12 条，当前第 9–12 条）。点选查看。"
    )
    assert reports_list_title(en, ReportStatus.NEW, 0, 0, 0) == en(
        "reports.list_empty", status=en("reports.state.new")
    )
