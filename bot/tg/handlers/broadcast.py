"""/broadcast (admin): text → audience → preview → confirm → progress → report; and 已阅知悉."""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.domain.delivery import Audience, CampaignReport, OutboxStatus
from bot.domain.members import Role
from bot.services.delivery import AckOutcome, progress_text
from bot.tg import callbacks as cb
from bot.tg.access import requires
from bot.tg.buttons import Press, button
from bot.tg.context import BotContext
from bot.tg.conversations import YieldingConversation
from bot.tg.keyboards import broadcast_audience_keyboard, broadcast_preview_keyboard

TEXT, AUDIENCE, CONFIRM = range(3)
DRAFT_KEY = "broadcast_draft"
MAX_TEXT = 3500  # leaves room under Telegram's 4096 once escaped text is parsed back
DRAFT_TIMEOUT = 3600  # seconds an unfinished draft is kept


@dataclass
class Draft:
    """An admin's broadcast in the making (memory only)."""

    text: str  # HTML, escaped from what the admin wrote
    audience: Audience | None = None


def conversation() -> YieldingConversation:
    """The /broadcast conversation; /cancel, or any other command, ends it at any step."""
    with warnings.catch_warnings():
        # PTB warns that with per_message=False a button is tracked per chat, not per message.
        # That is the intent: one draft per admin, and its buttons belong to that draft.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return YieldingConversation(
            entry_points=[CommandHandler("broadcast", start)],
            states={
                TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_text)],
                AUDIENCE: [button(cb.BroadcastAudience, chose_audience, role=Role.ADMIN)],
                CONFIRM: [button(cb.BroadcastConfirm, confirm, role=Role.ADMIN)],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="broadcast",
            allow_reentry=True,
            conversation_timeout=DRAFT_TIMEOUT,
            on_end=cancel,  # any other command drops the draft first (and says so)
        )


def _draft(context: BotContext) -> Draft | None:
    data = context.optional_user_data
    draft = data.get(DRAFT_KEY) if data is not None else None
    return draft if isinstance(draft, Draft) else None


@requires(Role.ADMIN)
async def start(update: Update, context: BotContext) -> int | None:
    """/broadcast: ask for the text."""
    message = update.effective_message
    if message is None:
        return None
    context.user_data.pop(DRAFT_KEY, None)
    await message.reply_text(context.t("broadcast.ask_text", limit=MAX_TEXT))
    return TEXT


@requires(Role.ADMIN)
async def got_text(update: Update, context: BotContext) -> int | None:
    """The notice text: keep it (escaped) and ask who gets it."""
    message = update.effective_message
    if message is None or not message.text:
        return None
    text = message.text.strip()
    if len(text) > MAX_TEXT:
        await message.reply_text(context.t("broadcast.too_long", length=len(text), limit=MAX_TEXT))
        return TEXT
    context.user_data[DRAFT_KEY] = Draft(text=html.escape(text, quote=False))
    await message.reply_text(
        context.t("broadcast.choose_audience"),
        reply_markup=broadcast_audience_keyboard(context.t, context.services.config.departments),
    )
    return AUDIENCE


def _audience_name(context: BotContext, audience: Audience) -> str:
    if audience.kind == "department":
        dept = context.services.config.department(audience.value)
        return dept.name if dept else audience.value
    if audience.kind == "role":
        return context.t(f"broadcast.role.{audience.value}")
    return context.t("broadcast.everyone")


def _audience(data: cb.BroadcastAudience, context: BotContext) -> Audience | None:
    """The audience a button names, if it is one this config has."""
    if data.kind is cb.AudienceKind.ALL:
        return Audience("all")
    if data.kind is cb.AudienceKind.DEPARTMENT and context.services.config.department(data.value):
        return Audience("department", data.value)
    if data.kind is cb.AudienceKind.ROLE and data.value in {r.value for r in Role}:
        return Audience("role", data.value)
    return None


async def chose_audience(
    update: Update, context: BotContext, press: Press[cb.BroadcastAudience]
) -> int | None:
    """Audience chosen: show the notice exactly as members will see it, with the count."""
    query = press.query
    draft = _draft(context)
    audience = _audience(press.data, context)
    if draft is None or audience is None:
        await query.answer(context.t("broadcast.expired"), show_alert=True)
        return ConversationHandler.END
    recipients = await context.services.delivery.audience(audience)
    if not recipients:
        await query.answer(context.t("broadcast.nobody"), show_alert=True)
        return AUDIENCE
    draft.audience = audience
    await query.answer()
    await query.edit_message_text(
        draft.text,
        reply_markup=broadcast_preview_keyboard(
            context.t, _audience_name(context, audience), len(recipients)
        ),
    )
    return CONFIRM


async def confirm(
    update: Update, context: BotContext, press: Press[cb.BroadcastConfirm]
) -> int | None:
    """Send (the preview message becomes the progress message) or drop the draft."""
    query, data = press.query, press.data
    draft = _draft(context)
    message = query.message
    if draft is None or draft.audience is None or message is None:
        await query.answer(context.t("broadcast.expired"), show_alert=True)
        return ConversationHandler.END
    context.user_data.pop(DRAFT_KEY, None)
    if not data.send:
        await query.answer()
        await query.edit_message_text(context.t("broadcast.cancelled"))
        return ConversationHandler.END
    services = context.services
    # The audience is fixed now: whoever is active at this moment.
    recipients = await services.delivery.audience(draft.audience)
    await query.answer(context.t("broadcast.queued"))
    await query.edit_message_text(
        progress_text(
            context.language,
            "delivery.progress",
            CampaignReport(0, {OutboxStatus.PENDING: len(recipients)}),
        )
    )
    await services.delivery.create_campaign(
        # The preview message is unique per draft: a double press creates one campaign.
        f"broadcast:{message.chat.id}:{message.message_id}",
        "notice",
        {"text": {services.config.language: draft.text}, "ack": True},
        recipients,
        created_by=press.caller.user_id,
        progress=(message.chat.id, message.message_id),
        now=services.now(),
    )
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel inside the conversation."""
    context.user_data.pop(DRAFT_KEY, None)
    if update.effective_message:
        await update.effective_message.reply_text(context.t("broadcast.cancelled"))
    return ConversationHandler.END


async def stale(update: Update, context: BotContext, press: Press[cb.CallbackData]) -> None:
    """A broadcast button outside its conversation (old draft, restart): ask to start again."""
    await press.query.answer(context.t("broadcast.expired"), show_alert=True)


async def refresh(update: Update, context: BotContext, press: Press[cb.BroadcastRefresh]) -> None:
    """🔄 under a broadcast report: the same report with today's acknowledgement count."""
    query, data = press.query, press.data
    delivery = context.services.delivery
    campaign = await delivery.campaign(data.campaign)
    message = query.message
    # The report's message id is not kept once the campaign ends (it would count the
    # messages in the admin's chat): the campaign's own chat is the check.
    if campaign is None or message is None or campaign.progress_chat != message.chat.id:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    if campaign.status == "running":
        await query.answer(context.t("delivery.refresh_running"), show_alert=True)
        return
    text = progress_text(
        context.language,
        "delivery.report",
        await delivery.report(campaign.id),
        await delivery.acknowledgements(campaign.id),
    )
    await query.answer(context.t("delivery.refreshed"))
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(context.t("delivery.refresh"), callback_data=query.data)]]
    )
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:  # nothing changed since the last refresh
        if "not modified" not in str(exc):
            raise


async def acknowledge(update: Update, context: BotContext, press: Press[cb.Acknowledge]) -> None:
    """已阅知悉: store it once; pressing again only says so again."""
    query, data = press.query, press.data
    if data.campaign == 0:
        await query.answer(context.t("delivery.ack_preview"))
        return
    services = context.services
    outcome = await services.delivery.acknowledge(
        data.campaign, press.caller.user_id, services.now()
    )
    if outcome is AckOutcome.NOT_RECIPIENT:
        await query.answer(context.t("common.stale_button"), show_alert=True)
        return
    await query.answer(context.t("delivery.ack_done"))
    message = query.message
    if outcome is AckOutcome.RECORDED and message is not None:
        markup = getattr(message, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            await query.edit_message_reply_markup(
                _acknowledged(markup, query.data or "", context.t("delivery.acked_button"))
            )


def _acknowledged(markup: InlineKeyboardMarkup, data: str, label: str) -> InlineKeyboardMarkup:
    """The same keyboard with the 已阅知悉 button showing that it was pressed."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=data) if b.callback_data == data else b
                for b in row
            ]
            for row in markup.inline_keyboard
        ]
    )
