"""The anonymous-report write tick: stores reporters' queued writes at fixed clock times, answers
the reporters (receipt codes, added information), and at the hourly batch announces what came in
to reviewers and tells admins how many report-flow problems there were.

Nothing here logs anything a reporter did: the only log lines are the hourly batch's counts,
written at the full hour, which is what the reviewers' notice says anyway.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.domain.members import Role
from bot.i18n import translator
from bot.services.registry import Services
from bot.services.reports import Announcement
from bot.tg.context import SERVICES_KEY, BotContext
from bot.tg.handlers.reports import Outgoing, Recipient, expire_idle, information_reply, receipt
from bot.tg.notify import notify_many, send_direct

log = logging.getLogger(__name__)

TICK_JOB = "reports: tick"
COURIER_KEY = "report_courier"


class Courier:
    """Sends reporters what a tick stored; retries transient errors, else keeps it in memory
    until the reporter next writes to the bot. Failures are counted, never logged."""

    def __init__(self) -> None:
        self.delays: tuple[float, ...] = (1.0, 4.0, 15.0)

    async def send(self, bot: Bot, services: Services, sender: str, outgoing: Outgoing) -> bool:
        """Deliver one message now, with retries; hold it for later if it cannot be."""
        for pause in (0.0, *self.delays):
            if pause:
                await asyncio.sleep(pause)
            try:
                await _send(bot, outgoing)
                return True
            except Forbidden:
                break  # blocked the bot: kept until they write again, nothing to count
            except RetryAfter as exc:
                services.reports.problem()
                wait = exc.retry_after
                await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
            except BadRequest:
                services.reports.problem()
                break
            except TelegramError:  # 5xx, time-outs, network: try again after a pause
                services.reports.problem()
        services.reports.hold(sender, outgoing)
        return False


async def _send(bot: Bot, outgoing: Outgoing) -> None:
    await bot.send_message(
        outgoing.chat_id,
        outgoing.text,
        reply_markup=outgoing.markup,
        protect_content=outgoing.protect or None,
    )


async def run_tick(application: Application, courier: Courier) -> None:
    """One tick: expire idle drafts, write what is queued, answer, announce at the batch."""
    services: Services = application.bot_data[SERVICES_KEY]
    now = services.now()
    expire_idle(application.user_data, now)
    result = await services.reports.tick(now)
    bot = application.bot
    sends = []
    for reply_to, submitted in result.reports:
        assert isinstance(reply_to, Recipient)
        message = receipt(translator(reply_to.language), reply_to.chat_id, submitted)
        sends.append(courier.send(bot, services, reply_to.sender, message))
    for reply_to, saved in result.information:
        assert isinstance(reply_to, Recipient)
        message = information_reply(translator(reply_to.language), reply_to.chat_id, saved)
        sends.append(courier.send(bot, services, reply_to.sender, message))
    for reply_to in result.unstored:
        assert isinstance(reply_to, Recipient)
        message = Outgoing(reply_to.chat_id, translator(reply_to.language)("reports.not_stored"))
        sends.append(courier.send(bot, services, reply_to.sender, message))
    await asyncio.gather(*sends)
    if result.announcement is not None:
        await announce(bot, services, result.announcement)


async def tick_job(context: BotContext) -> None:
    """Job: the write tick."""
    courier = context.application.bot_data.get(COURIER_KEY)
    if courier is not None:  # None once the final tick of a shutdown has run
        await run_tick(context.application, courier)


async def final_tick(application: Application) -> None:
    """On a graceful stop: store and answer what is still queued, in one last tick."""
    courier = application.bot_data.pop(COURIER_KEY, None)
    services: Services = application.bot_data[SERVICES_KEY]
    if courier is not None and services.storage_open:
        await run_tick(application, courier)


async def deliver_held(update: Update, context: BotContext) -> None:
    """Before anything else: give a reporter what could not be sent to them (their receipt)."""
    user = update.effective_user
    reports = context.services.reports
    if user is None or not reports.holding:
        return
    sender = reports.sender(user.id)
    for item in reports.take_held(sender):
        assert isinstance(item, Outgoing)
        try:
            await _send(context.bot, item)
        except Forbidden:
            reports.hold(sender, item)
        except TelegramError:
            reports.hold(sender, item)
            reports.problem()


async def announce(bot: Bot, services: Services, announcement: Announcement) -> None:
    """The hourly batch: reviewers hear counts per category; admins hear the problem count."""
    if announcement.reports or announcement.information:
        delivered = 0
        for user_id, language in await services.membership.holders(Role.REVIEWER):
            t = translator(language)
            lines = []
            if announcement.reports:
                items = t("reports.list_separator").join(
                    t("reports.notice_item", category=t(f"reports.category.{c.value}"), count=n)
                    for c, n in announcement.categories
                )
                lines.append(t("reports.notice", count=announcement.reports, categories=items))
            if announcement.information:
                lines.append(t("reports.notice_information", count=announcement.information))
            lines.append(t("reports.notice_open"))
            delivered += await send_direct(bot, services, user_id, "\n".join(lines))
        log.info(
            "reviewer notice: %d new reports, %d additions, %d reviewers reached",
            announcement.reports,
            announcement.information,
            delivered,
        )
    if announcement.problems:
        log.warning("report flow: %d problems since the last batch", announcement.problems)
        text = translator(services.config.language)(
            "reports.problems_notice", count=announcement.problems
        )
        admins = [h.user_id for h in await services.membership.holders(Role.ADMIN)]
        await notify_many(bot, services, admins, text)


def start_batches(
    application: Application, now: datetime, announce_every: timedelta | None
) -> None:
    """Before the tick job is registered (bot/tg/schedule.py): the courier, and the batch
    boundaries: every `announce_every` (the full hour), or every tick if None (the demo)."""
    services: Services = application.bot_data[SERVICES_KEY]
    application.bot_data.setdefault(COURIER_KEY, Courier())
    services.reports.start_batches(now, announce_every)
