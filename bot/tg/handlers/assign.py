"""/assign (admin): bank → audience → deadline (a button or a typed date) → preview → confirm.

Nothing is stored and no member is notified before the admin confirms the preview, which
shows the notice as members will read it and how many members it goes to (like /broadcast).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.config import Department
from bot.domain.deadlines import MAX_DEADLINE_DAYS, DeadlineProblem, deadline_range, parse_deadline
from bot.domain.members import Role
from bot.i18n import Translate
from bot.tg import callbacks as cb
from bot.tg.access import requires
from bot.tg.buttons import Press
from bot.tg.buttons import button as registered
from bot.tg.context import BotContext
from bot.tg.conversations import YieldingConversation
from bot.tg.keyboards import button, rows

BANK, AUDIENCE, DEADLINE, CONFIRM = range(4)
DRAFT_KEY = "assign_draft"
DRAFT_TIMEOUT = 3600  # seconds an unfinished draft is kept
DEADLINE_DAYS = (3, 7, 14, 30)  # the deadline buttons


@dataclass
class Draft:
    """An admin's assignment in the making (memory only)."""

    bank: str
    department: str | None = None  # "*": everyone
    deadline: date | None = None


# --- keyboards ----------------------------------------------------------------------------------


def banks_keyboard(banks: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Which bank."""
    return InlineKeyboardMarkup(
        [[button(title, cb.AssignBank(bank_id))] for bank_id, title in banks]
    )


def audience_keyboard(t: Translate, departments: Sequence[Department]) -> InlineKeyboardMarkup:
    """Everyone or one department."""
    keyboard = [[button(t("assign.everyone"), cb.AssignAudience("*"))]]
    keyboard += rows((button(d.name, cb.AssignAudience(d.id)) for d in departments), 2)
    return InlineKeyboardMarkup(keyboard)


def deadline_keyboard(t: Translate, department: str) -> InlineKeyboardMarkup:
    """How many days members have (or the admin types a date instead)."""
    return InlineKeyboardMarkup(
        rows(
            (
                button(t("assign.days", n=n), cb.AssignDeadline(department, n))
                for n in DEADLINE_DAYS
            ),
            2,
        )
    )


def confirm_keyboard(t: Translate, members: int) -> InlineKeyboardMarkup:
    """Assign and notify, or drop the draft."""
    return InlineKeyboardMarkup(
        [
            [
                button(t("assign.confirm", members=members), cb.AssignConfirm(True)),
                button(t("common.cancel"), cb.AssignConfirm(False)),
            ]
        ]
    )


# --- the conversation ---------------------------------------------------------------------------


def conversation() -> YieldingConversation:
    """The /assign conversation; /cancel ends it at any step."""
    with warnings.catch_warnings():
        # Buttons tracked per chat, not per message: one draft per admin (as /broadcast).
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return YieldingConversation(
            entry_points=[CommandHandler("assign", start)],
            states={
                BANK: [registered(cb.AssignBank, chose_bank, role=Role.ADMIN)],
                AUDIENCE: [registered(cb.AssignAudience, chose_audience, role=Role.ADMIN)],
                DEADLINE: [
                    registered(cb.AssignDeadline, chose_days, role=Role.ADMIN),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, typed_date),
                ],
                CONFIRM: [registered(cb.AssignConfirm, confirm, role=Role.ADMIN)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="assign",
            allow_reentry=True,
            conversation_timeout=DRAFT_TIMEOUT,
            on_end=cancel,  # any other command drops the draft first (and says so)
        )


def _draft(context: BotContext) -> Draft | None:
    draft = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return draft if isinstance(draft, Draft) else None


def _departments(department: str) -> list[str] | None:
    return None if department == "*" else [department]


def _audience_name(context: BotContext, department: str) -> str | None:
    if department == "*":
        return context.t("assign.everyone")
    dept = context.services.config.department(department)
    return dept.name if dept else None


@requires(Role.ADMIN)
async def start(update: Update, context: BotContext) -> int | None:
    """/assign: ask for the bank."""
    if update.effective_message is None:
        return None
    context.user_data.pop(DRAFT_KEY, None)
    banks = [(b.id, b.title) for b in context.services.quiz.banks]
    await update.effective_message.reply_text(
        context.t("assign.pick_bank"), reply_markup=banks_keyboard(banks)
    )
    return BANK


async def chose_bank(
    update: Update, context: BotContext, press: Press[cb.AssignBank]
) -> int | None:
    """Bank chosen: keep it in the draft and ask for the audience."""
    query, data = press.query, press.data
    title = context.services.quiz.bank_title(data.bank)
    if title is None:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return BANK
    context.user_data[DRAFT_KEY] = Draft(bank=data.bank)
    await query.answer()
    await query.edit_message_text(
        context.t("assign.pick_audience", title=escape(title)),
        reply_markup=audience_keyboard(context.t, context.services.config.departments),
    )
    return AUDIENCE


async def chose_audience(
    update: Update, context: BotContext, press: Press[cb.AssignAudience]
) -> int | None:
    """Audience chosen: ask for the deadline (buttons, or a typed date)."""
    query, data = press.query, press.data
    draft = _draft(context)
    title = context.services.quiz.bank_title(draft.bank) if draft else None
    audience = _audience_name(context, data.department)
    if draft is None or title is None or audience is None:
        await query.answer(context.t("assign.expired_draft"), show_alert=True)
        return ConversationHandler.END
    if not await context.services.assigned_tests.audience_size(_departments(data.department)):
        await query.answer(context.t("assign.nobody"), show_alert=True)
        return AUDIENCE
    draft.department = data.department
    await query.answer()
    await query.edit_message_text(
        context.t("assign.pick_deadline", title=escape(title), audience=escape(audience)),
        reply_markup=deadline_keyboard(context.t, data.department),
    )
    return DEADLINE


async def chose_days(
    update: Update, context: BotContext, press: Press[cb.AssignDeadline]
) -> int | None:
    """A deadline button: that many days from today; show the preview."""
    query, data = press.query, press.data
    draft = _draft(context)
    if draft is None or draft.department is None or not 1 <= data.days <= MAX_DEADLINE_DAYS:
        await query.answer(context.t("assign.expired_draft"), show_alert=True)
        return ConversationHandler.END
    services = context.services
    draft.deadline = services.assigned_tests.today(services.now()) + timedelta(days=data.days)
    await query.answer()
    text, markup = await _preview(context, draft)
    await query.edit_message_text(text, reply_markup=markup)
    return CONFIRM


@requires(Role.ADMIN)
async def typed_date(update: Update, context: BotContext) -> int | None:
    """A typed deadline date: a clear answer if it is not one, else the preview."""
    message = update.effective_message
    draft = _draft(context)
    if message is None or not message.text or draft is None or draft.department is None:
        return None
    services = context.services
    today = services.assigned_tests.today(services.now())
    parsed = parse_deadline(message.text, today)
    if parsed is DeadlineProblem.FORMAT:
        await message.reply_text(context.t("assign.bad_date", text=escape(message.text[:40])))
        return DEADLINE
    if isinstance(parsed, DeadlineProblem):
        allowed = deadline_range(today)
        await message.reply_text(
            context.t(
                "assign.date_range",
                first=allowed.first.isoformat(),
                last=allowed.last.isoformat(),
                days=MAX_DEADLINE_DAYS,
            )
        )
        return DEADLINE
    draft.deadline = parsed
    text, markup = await _preview(context, draft)
    await message.reply_text(text, reply_markup=markup)
    return CONFIRM


async def _preview(context: BotContext, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    assert draft.department is not None
    assert draft.deadline is not None
    tests = context.services.assigned_tests
    members = await tests.audience_size(_departments(draft.department))
    text = context.t(
        "assign.preview",
        title=escape(context.services.quiz.bank_title(draft.bank) or draft.bank),
        count=tests.question_count(draft.bank),
        audience=escape(_audience_name(context, draft.department) or draft.department),
        members=members,
        deadline=tests.deadline_on(draft.deadline).strftime("%Y-%m-%d %H:%M"),
        notice=tests.preview_text(draft.bank, draft.deadline, context.language),
    )
    return text, confirm_keyboard(context.t, members)


async def confirm(
    update: Update, context: BotContext, press: Press[cb.AssignConfirm]
) -> int | None:
    """Create the assignment and notify its members, or drop the draft."""
    query, data = press.query, press.data
    draft = _draft(context)
    services = context.services
    title = services.quiz.bank_title(draft.bank) if draft else None
    if draft is None or draft.department is None or draft.deadline is None or title is None:
        await query.answer(context.t("assign.expired_draft"), show_alert=True)
        return ConversationHandler.END
    context.user_data.pop(DRAFT_KEY, None)
    await query.answer()
    if not data.send:
        await query.edit_message_text(context.t("assign.cancelled"))
        return ConversationHandler.END
    created = await services.assigned_tests.create(
        bank_id=draft.bank,
        departments=_departments(draft.department),
        deadline_day=draft.deadline,
        created_by=press.caller.user_id,
        now=services.now(),
    )
    if created is None:
        await query.edit_message_text(context.t("assign.no_members"))
        return ConversationHandler.END
    await query.edit_message_text(
        context.t(
            "assign.created",
            title=escape(title),
            count=created.assignment.question_count,
            audience=escape(_audience_name(context, draft.department) or draft.department),
            deadline=services.assigned_tests.deadline_text(created.assignment, context.language),
            members=created.members,
        )
    )
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel inside the conversation."""
    context.user_data.pop(DRAFT_KEY, None)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("assign.cancelled"))
    return ConversationHandler.END


async def stale(update: Update, context: BotContext, press: Press[cb.CallbackData]) -> None:
    """An /assign button outside its conversation (old draft, restart): ask to start again."""
    await press.query.answer(context.t("assign.expired_draft"), show_alert=True)
