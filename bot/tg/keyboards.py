"""Inline keyboards, built in one place from typed callback data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Department
from bot.domain.members import Invite, Member, Role
from bot.domain.reports import TRANSITIONS, Category, ReportStatus, ReportSummary
from bot.i18n import Translate
from bot.tg import callbacks as cb

MEMBERS_PAGE_SIZE = 8
INVITES_PAGE_SIZE = 5
REPORTS_PAGE = 8
# (max uses, days valid); 0 means no limit.
INVITE_PRESETS: tuple[tuple[int, int], ...] = ((1, 7), (0, 7), (0, 30), (0, 0))


def button(text: str, data: cb.CallbackData) -> InlineKeyboardButton:
    """One button carrying typed callback data."""
    return InlineKeyboardButton(text, callback_data=data.encode())


def rows(buttons: Iterable[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    """Lay buttons out `width` per row."""
    items = list(buttons)
    return [items[i : i + width] for i in range(0, len(items), width)]


def settings_keyboard(t: Translate, language: str, daily: bool) -> InlineKeyboardMarkup:
    """/settings: language, daily question, leave."""
    mark = "✅ "
    return InlineKeyboardMarkup(
        [
            [
                button((mark if language == "zh" else "") + "中文", cb.SetLanguage("zh")),
                button((mark if language == "en" else "") + "English", cb.SetLanguage("en")),
            ],
            [
                button(
                    t("settings.daily_on") if daily else t("settings.daily_off"),
                    cb.SetDailyQuestion(not daily),
                )
            ],
            [button(t("settings.leave"), cb.Leave("ask"))],
        ]
    )


def leave_confirm_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """Ask once more before leaving."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("settings.leave_yes"), cb.Leave("yes")),
                button(t("common.cancel"), cb.Leave("no")),
            ]
        ]
    )


def invite_menu_keyboard(t: Translate, departments: Sequence[Department]) -> InlineKeyboardMarkup:
    """Admin /invite: a department for a new invite, or the list of invites still usable."""
    keyboard = rows((button(d.name, cb.InviteDepartment(d.id)) for d in departments), 2)
    keyboard.append([button(t("invite.list_button"), cb.InviteList(0))])
    return InlineKeyboardMarkup(keyboard)


def invites_keyboard(
    t: Translate, invites: Sequence[Invite], offset: int, total: int
) -> InlineKeyboardMarkup:
    """Admin: a revoke button for each invite made in the bot on this page, with paging."""
    keyboard = [
        [button(t("invite.revoke_button", n=offset + i + 1), cb.InviteRevoke(inv.code, offset))]
        for i, inv in enumerate(invites)
        if not inv.from_config
    ]
    nav = []
    if offset > 0:
        nav.append(button(t("common.prev"), cb.InviteList(max(0, offset - INVITES_PAGE_SIZE))))
    if offset + INVITES_PAGE_SIZE < total:
        nav.append(button(t("common.next"), cb.InviteList(offset + INVITES_PAGE_SIZE)))
    if nav:
        keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard)


def invite_presets_keyboard(t: Translate, department_id: str) -> InlineKeyboardMarkup:
    """Admin: how often and how long the invite may be used."""
    buttons = [
        button(
            t(
                "invite.preset",
                uses=t("invite.uses_any") if uses == 0 else t("invite.uses_n", n=uses),
                days=t("invite.days_any") if days == 0 else t("invite.days_n", n=days),
            ),
            cb.InviteCreate(department_id, uses, days),
        )
        for uses, days in INVITE_PRESETS
    ]
    return InlineKeyboardMarkup(rows(buttons, 1))


def members_keyboard(
    members: Sequence[Member], offset: int, total: int, t: Translate
) -> InlineKeyboardMarkup:
    """Admin: one page of members, each a button to their card, with paging."""
    keyboard = [[button(m.display_name, cb.MemberShow(m.user_id, offset))] for m in members]
    nav = []
    if offset > 0:
        nav.append(button(t("common.prev"), cb.MembersPage(max(0, offset - MEMBERS_PAGE_SIZE))))
    if offset + MEMBERS_PAGE_SIZE < total:
        nav.append(button(t("common.next"), cb.MembersPage(offset + MEMBERS_PAGE_SIZE)))
    if nav:
        keyboard.append(nav)
    return InlineKeyboardMarkup(keyboard)


def member_card_keyboard(
    t: Translate, user_id: int, granted: frozenset[Role], from_config: frozenset[Role], offset: int
) -> InlineKeyboardMarkup:
    """Admin: grant or revoke each role; roles from the config file cannot be changed here."""
    keyboard = []
    for role in Role:
        name = t(f"role.{role.value}")
        if role in from_config:
            continue
        if role in granted:
            keyboard.append(
                [
                    button(
                        t("members.revoke", role=name), cb.MemberRole(user_id, role, False, offset)
                    )
                ]
            )
        else:
            keyboard.append(
                [button(t("members.grant", role=name), cb.MemberRole(user_id, role, True, offset))]
            )
    keyboard.append([button(t("common.back"), cb.MembersPage(offset))])
    return InlineKeyboardMarkup(keyboard)


# --- quiz ---------------------------------------------------------------------------------------


def quiz_banks_keyboard(
    t: Translate, banks: Sequence[tuple[str, str, int]]
) -> InlineKeyboardMarkup:
    """/quiz: the mixed bank first, then each bank (id, title, question count)."""
    keyboard = [[button(t("quiz.mixed"), cb.QuizPickBank("mixed"))]]
    keyboard += [
        [button(t("quiz.bank_button", title=title, count=count), cb.QuizPickBank(bank_id))]
        for bank_id, title, count in banks
    ]
    return InlineKeyboardMarkup(keyboard)


def quiz_resume_keyboard(t: Translate, session_id: int) -> InlineKeyboardMarkup:
    """An unfinished session: continue or abandon."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("quiz.continue"), cb.QuizResume(session_id, "continue")),
                button(t("quiz.abandon"), cb.QuizResume(session_id, "abandon")),
            ]
        ]
    )


def quiz_answer_keyboard(
    t: Translate,
    session_id: int,
    position: int,
    letters: Sequence[str],
    *,
    multiple: bool,
    judge: bool,
    selection: frozenset[int] = frozenset(),
) -> InlineKeyboardMarkup:
    """Answer buttons: letters (toggles and Submit for multiple choice), or 正确/错误."""
    if judge:
        return InlineKeyboardMarkup(
            [
                [
                    button("✓ " + t("quiz.judge_true"), cb.QuizAnswer(session_id, position, 0)),
                    button("✗ " + t("quiz.judge_false"), cb.QuizAnswer(session_id, position, 1)),
                ]
            ]
        )
    buttons = [
        button(
            (("☑ " if i in selection else "☐ ") + letter) if multiple else letter,
            cb.QuizAnswer(session_id, position, i),
        )
        for i, letter in enumerate(letters)
    ]
    keyboard = rows(buttons, 4 if len(buttons) <= 4 else 3)
    if multiple:
        keyboard.append([button(t("quiz.submit"), cb.QuizSubmit(session_id, position))])
    return InlineKeyboardMarkup(keyboard)


def quiz_finished_keyboard(t: Translate, bank: str | None) -> InlineKeyboardMarkup:
    """After a session: another round of the same bank, or review."""
    first = [button(t("quiz.again"), cb.QuizPickBank(bank))] if bank else []
    return InlineKeyboardMarkup([[*first, button(t("quiz.review"), cb.QuizReview())]])


def single_button(text: str, data: cb.CallbackData) -> InlineKeyboardMarkup:
    """A keyboard of one button."""
    return InlineKeyboardMarkup([[button(text, data)]])


# --- delivery -----------------------------------------------------------------------------------


def broadcast_audience_keyboard(
    t: Translate, departments: Sequence[Department]
) -> InlineKeyboardMarkup:
    """Admin /broadcast: everyone, one department, or one role."""
    keyboard = [[button(t("broadcast.everyone"), cb.BroadcastAudience("all", "-"))]]
    keyboard += rows(
        (button(d.name, cb.BroadcastAudience("department", d.id)) for d in departments), 2
    )
    keyboard += rows(
        (
            button(t(f"broadcast.role.{role.value}"), cb.BroadcastAudience("role", role.value))
            for role in (Role.LEADER, Role.REVIEWER, Role.ADMIN)
        ),
        3,
    )
    return InlineKeyboardMarkup(keyboard)


def broadcast_preview_keyboard(t: Translate, audience: str, count: int) -> InlineKeyboardMarkup:
    """Admin /broadcast preview: the members' 已阅知悉 button (inert here), then send or cancel."""
    return InlineKeyboardMarkup(
        [
            [button(t("delivery.ack_button"), cb.Acknowledge(0))],
            [
                button(
                    t("broadcast.send", audience=audience, count=count), cb.BroadcastConfirm(True)
                ),
                button(t("common.cancel"), cb.BroadcastConfirm(False)),
            ],
        ]
    )


# --- reports ------------------------------------------------------------------------------------


def report_categories_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/report: what the report is about."""
    return InlineKeyboardMarkup(
        rows(
            (
                button(t(f"reports.category.{c.value}"), cb.ReportCategory(c.value))
                for c in Category
            ),
            2,
        )
    )


def report_units_keyboard(t: Translate, departments: Sequence[Department]) -> InlineKeyboardMarkup:
    """/report: which unit or department, or another one typed in."""
    keyboard = rows((button(d.name, cb.ReportUnit(d.id)) for d in departments), 2)
    keyboard.append([button(t("reports.other_unit"), cb.ReportUnit("*"))])
    return InlineKeyboardMarkup(keyboard)


def report_done_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/report: no (more) attachments."""
    return single_button(t("reports.done"), cb.ReportAttachDone())


def report_confirm_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/report preview: submit or drop."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("reports.confirm"), cb.ReportConfirm(True)),
                button(t("reports.discard"), cb.ReportConfirm(False)),
            ]
        ]
    )


def report_status_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """/status: add information to the report just looked up, or clear the chat."""
    return InlineKeyboardMarkup(
        [
            [button(t("reports.add_info"), cb.ReportAddInfo())],
            [button(t("reports.cleanup"), cb.ReportCleanup(keep=False))],
        ]
    )


def report_receipt_keyboard(t: Translate, *, cleanup: bool = True) -> InlineKeyboardMarkup:
    """The receipt: delete it once copied; delete the rest of the conversation."""
    keyboard = [[button(t("reports.receipt_done"), cb.ReportReceiptDone())]]
    if cleanup:
        keyboard.append([button(t("reports.cleanup"), cb.ReportCleanup(keep=True))])
    return InlineKeyboardMarkup(keyboard)


def report_cleanup_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """After added information is stored: delete the conversation from the chat."""
    return single_button(t("reports.cleanup"), cb.ReportCleanup(keep=False))


def reviewer_confirm_keyboard(t: Translate, user_id: int) -> InlineKeyboardMarkup:
    """To reviewers: confirm or decline a proposed reviewer."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("reviewers.confirm"), cb.ReviewerConfirm(user_id, True)),
                button(t("reviewers.decline"), cb.ReviewerConfirm(user_id, False)),
            ]
        ]
    )


def reports_overview_keyboard(
    t: Translate, counts: Mapping[ReportStatus, int]
) -> InlineKeyboardMarkup:
    """/reports: one button per status with its count, and the export."""
    keyboard = rows(
        (
            button(
                t("reports.status_button", status=t(f"reports.state.{s.value}"), count=counts[s]),
                cb.ReportsList(s.value, 0),
            )
            for s in ReportStatus
        ),
        2,
    )
    keyboard.append([button(t("reports.export"), cb.ReportExport())])
    return InlineKeyboardMarkup(keyboard)


def reports_list_keyboard(
    t: Translate,
    status: ReportStatus,
    items: Sequence[ReportSummary],
    offset: int,
    total: int,
) -> InlineKeyboardMarkup:
    """/reports: one page of a status's reports, each a button to its card, with paging."""
    keyboard = [
        [
            button(
                (t("reports.awaiting") if item.awaiting_reply else "")
                + t(
                    "reports.list_item",
                    ref=item.ref,
                    date=item.submitted_on.isoformat(),
                    category=t(f"reports.category.{item.category.value}"),
                    unit=item.unit[:20],
                ),
                cb.ReportOpen(item.ref),
            )
        ]
        for item in items
    ]
    nav = []
    if offset > 0:
        nav.append(
            button(t("common.prev"), cb.ReportsList(status.value, max(0, offset - REPORTS_PAGE)))
        )
    if offset + REPORTS_PAGE < total:
        nav.append(button(t("common.next"), cb.ReportsList(status.value, offset + REPORTS_PAGE)))
    if nav:
        keyboard.append(nav)
    keyboard.append([button(t("reports.back_home"), cb.ReportsHome())])
    return InlineKeyboardMarkup(keyboard)


def report_card_keyboard(
    t: Translate, ref: str, status: ReportStatus, attachments: int, clipped: bool
) -> InlineKeyboardMarkup:
    """A report's card: the allowed status moves, note, message, attachments, back."""
    keyboard = rows(
        (
            button(
                t("reports.move_to", status=t(f"reports.state.{s.value}")),
                cb.ReportSetStatus(ref, s.value),
            )
            for s in TRANSITIONS[status]
        ),
        3,
    )
    keyboard.append(
        [
            button(t("reports.add_note"), cb.ReportNote(ref)),
            button(t("reports.write_reporter"), cb.ReportReply(ref)),
        ]
    )
    if attachments or clipped:
        keyboard.append([button(t("reports.show_media"), cb.ReportMedia(ref))])
    keyboard.append([button(t("reports.back_to_list"), cb.ReportsList(status.value, 0))])
    return InlineKeyboardMarkup(keyboard)


# --- digest -------------------------------------------------------------------------------------


def digest_keyboard(t: Translate) -> InlineKeyboardMarkup:
    """Leaders /digest: this week so far, or last week."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("digest.this_week"), cb.DigestWeek("this")),
                button(t("digest.last_week"), cb.DigestWeek("last")),
            ]
        ]
    )
