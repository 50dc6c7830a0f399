"""/me: a member's own quiz progress."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot.domain.quiz import score_percent
from bot.tg import callbacks as cb
from bot.tg.context import BotContext
from bot.tg.keyboards import button


async def me(update: Update, context: BotContext) -> None:
    """/me: my attempts, average score, weakest topics, mistakes due."""
    if update.effective_message is None or context.caller is None:
        return
    services = context.services
    progress = await services.quiz.progress(context.caller.user_id, services.now())
    t = context.t
    lines = [t("me.title")]
    if progress.answered == 0:
        lines.append(t("me.nothing_yet"))
    else:
        average = (
            t("me.no_average")
            if progress.average_score is None
            else f"{round(progress.average_score)}"
        )
        lines.append(t("me.sessions", sessions=progress.sessions, average=average))
        lines.append(
            t(
                "me.answered",
                answered=progress.answered,
                rate=score_percent(progress.right, progress.answered),
            )
        )
        if progress.weakest_tags:
            items = t("common.list_separator").join(
                t("me.weak_item", tag=escape(tag), right=right, answered=answered)
                for tag, answered, right in progress.weakest_tags
            )
            lines.append(t("me.weakest", items=items))
    if progress.review_total:
        lines.append(t("me.review", due=progress.review_due, total=progress.review_total))
        if progress.review_due:
            lines.append(t("me.review_action"))
    # A mistake book: a button starts the review (or says when the first item comes due).
    markup = (
        InlineKeyboardMarkup([[button(t("me.review_button"), cb.QuizReview())]])
        if progress.review_total
        else None
    )
    await update.effective_message.reply_text("\n".join(lines), reply_markup=markup)
