"""The one wiring module: build the Application, open resources, register every handler and job."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Config
from bot.domain.members import Role
from bot.services.delivery_worker import DeliveryWorker
from bot.services.registry import Services
from bot.services.reviewer_roster import config_reviewer_changes
from bot.storage.database import Database
from bot.tg import callbacks as cb
from bot.tg import report_jobs
from bot.tg.access import PUBLIC_FLOWS, REPORT_FLOWS, gate
from bot.tg.buttons import button
from bot.tg.context import SERVICES_KEY, WORKER_KEY, BotApplication, BotContext
from bot.tg.conversations import command_ends_conversations
from bot.tg.handlers import (
    admin,
    assign,
    broadcast,
    content,
    digest,
    errors,
    items,
    quiz,
    report_review,
    reports,
    settings,
    start,
)
from bot.tg.health import POLLING_REQUEST_KEY, PollingRequest
from bot.tg.jobs import start_reminders
from bot.tg.menus import publish_default_menus, publish_privileged_menus
from bot.tg.processor import PerMemberUpdateProcessor
from bot.tg.quiz_jobs import catch_up_daily_notice
from bot.tg.ratelimit import SharedRateLimiter
from bot.tg.reviewer_notices import tell_config_reviewer_changes
from bot.tg.schedule import register_jobs
from bot.tg.sender import TelegramSender

log = logging.getLogger(__name__)


def build_application(config: Config, *, services: Services | None = None) -> BotApplication:
    """The bot for this config; `services` may be given by tests to share a clock or database."""
    defaults = Defaults(parse_mode=ParseMode.HTML, tzinfo=config.timezone)
    # telegram.proxy for every request (getUpdates too); unset, httpx reads HTTPS_PROXY /
    # ALL_PROXY / NO_PROXY from the environment itself. getUpdates gets its own connection
    # (as PTB gives it) that notes each successful poll for the heartbeat and, while the
    # processor has many updates in hand, lets it catch up before fetching more.
    proxy = config.telegram.proxy or None
    processor = PerMemberUpdateProcessor()
    polling = PollingRequest(connection_pool_size=1, proxy=proxy, catch_up=processor.catch_up)
    builder = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.file_base_url)
        .get_updates_request(polling)
        .defaults(defaults)
        .context_types(ContextTypes(context=BotContext))
        # Replies to members go out at once; AIORateLimiter keeps the whole bot inside
        # Telegram's 30 requests/s. Broadcasts pace themselves in the delivery engine and
        # handle 429 themselves: SharedRateLimiter gives their calls one attempt, no retries.
        .rate_limiter(
            SharedRateLimiter(
                overall_max_rate=config.telegram.rate_limits.overall_per_second,
                overall_time_period=1,
                max_retries=2,
            )
        )
        .concurrent_updates(processor)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if proxy:
        builder = builder.proxy(proxy)
    application: BotApplication = builder.build()  # type: ignore[assignment]
    application.bot_data[POLLING_REQUEST_KEY] = polling
    application.bot_data[SERVICES_KEY] = services or Services.create(
        config, Database(config.storage_path)
    )
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    """Every handler, in order. Groups -4 to -1 run in turn for every update (each stops at
    its first match); group 0 is first match."""
    anonymous_reports = reports.build_flow()
    # -4: a reporter whose receipt (or other answer) could not be sent gets it first thing.
    application.add_handler(TypeHandler(Update, report_jobs.deliver_held), group=-4)
    # -3: the access gate loads the caller and stops strangers before any feature sees them;
    # for the report handlers' updates it writes nothing (it asks them whether they claim it).
    application.add_handler(TypeHandler(Update, gate), group=-3)
    application.bot_data[REPORT_FLOWS] = anonymous_reports.handlers
    # -2: a command ends a conversation that waits for free text (a broadcast's notice, a
    # reviewer's note) unless it is that conversation's own, so the text that follows (a
    # report's description) goes where the command meant; the /assign buttons' draft too.
    broadcasting = broadcast.conversation()
    assigning = assign.conversation()
    reviewer_input = report_review.input_conversation()
    application.add_handler(
        command_ends_conversations((broadcasting, assigning, reviewer_input)),
        group=-2,
    )
    # -1: a message that looks like a receipt code goes to /status when it asked for one and
    # is deleted everywhere else, before any conversation (a broadcast draft) could take it.
    application.add_handler(anonymous_reports.router, group=-1)

    # 0: conversations first: while one is active it owns the member's next messages.
    application.add_handler(broadcasting)
    application.add_handler(assigning)
    # Anonymous reports. A reviewer typing a note or a message to a reporter comes first, and
    # any command abandons it, so a later text never lands in a note by mistake.
    application.add_handler(reviewer_input)
    # /report and /status (one conversation, so a receipt code can never land in a draft),
    # and the reporter's buttons outside it (the receipt's, cleanup, old steps).
    # With reports.open_to: anyone, the gate admits strangers to exactly what they claim.
    application.add_handler(anonymous_reports.conversation)
    for handler in anonymous_reports.buttons:
        application.add_handler(handler)
    if application.bot_data[SERVICES_KEY].config.reports.open_to == "anyone":
        application.bot_data[PUBLIC_FLOWS] = anonymous_reports.public
    # [conversations]

    # 0: commands.
    application.add_handler(CommandHandler("start", start.start))
    application.add_handler(CommandHandler("help", start.help_command))
    application.add_handler(CommandHandler("cancel", start.cancel))
    application.add_handler(CommandHandler("settings", settings.settings))
    application.add_handler(CommandHandler("invite", admin.invite))
    application.add_handler(CommandHandler("members", admin.members))
    application.add_handler(CommandHandler("quiz", quiz.quiz))
    application.add_handler(CommandHandler("review", quiz.review))
    application.add_handler(CommandHandler("me", quiz.me))
    # /reload: banks, reminder texts and holidays together, then the reminder jobs re-planned.
    application.add_handler(CommandHandler("reload", content.reload))
    application.add_handler(CommandHandler("plan", content.plan))
    application.add_handler(CommandHandler("items", items.items))
    application.add_handler(CommandHandler("reports", report_review.reports_command))
    application.add_handler(CommandHandler("digest", digest.digest))
    # [commands]

    # 0: buttons, one handler per callback-data type. Each is decoded once here and the role
    # (where one is named) checked when pressed, since callback data can be forged; data that
    # does not decode gets the stale-button answer (bot/tg/buttons.py).
    admin_only, reviewers, leaders = Role.ADMIN, Role.REVIEWER, Role.LEADER
    buttons: list[BaseHandler[Update, BotContext, object]] = [
        button(cb.SetLanguage, settings.set_language),
        button(cb.SetDailyQuestion, settings.set_daily),
        button(cb.Leave, settings.leave),
        button(cb.InviteDepartment, admin.invite_department, role=admin_only),
        button(cb.InviteCreate, admin.invite_create, role=admin_only),
        button(cb.InviteList, admin.invite_list, role=admin_only),
        button(cb.InviteRevoke, admin.invite_revoke, role=admin_only),
        button(cb.MembersPage, admin.members_page, role=admin_only),
        button(cb.MemberShow, admin.member_show, role=admin_only),
        button(cb.MemberRole, admin.member_role, role=admin_only),
        button(cb.ReviewerConfirm, admin.decide_reviewer, role=reviewers),
        button(cb.QuizPickBank, quiz.pick_bank),
        button(cb.QuizResume, quiz.resume),
        button(cb.QuizAnswer, quiz.answer),
        button(cb.QuizSubmit, quiz.submit),
        button(cb.QuizReview, quiz.review_button),
        button(cb.DailyStart, quiz.daily_start),
        button(cb.AssignmentStart, quiz.assignment_start),
        # /assign buttons outside their conversation (old draft, restart, forged).
        button(cb.AssignBank, assign.stale, role=admin_only),
        button(cb.AssignAudience, assign.stale, role=admin_only),
        button(cb.AssignDeadline, assign.stale, role=admin_only),
        button(cb.AssignConfirm, assign.stale, role=admin_only),
        button(cb.Acknowledge, broadcast.acknowledge),
        button(cb.BroadcastRefresh, broadcast.refresh, role=admin_only),
        # Broadcast buttons outside their conversation (old draft, restart, forged).
        button(cb.BroadcastAudience, broadcast.stale, role=admin_only),
        button(cb.BroadcastConfirm, broadcast.stale, role=admin_only),
        # Reviewers. Note and reply start a conversation (registered with it).
        button(cb.ReportsHome, report_review.home, role=reviewers),
        button(cb.ReportsList, report_review.list_page, role=reviewers),
        button(cb.ReportOpen, report_review.open_report, role=reviewers),
        button(cb.ReportMedia, report_review.media, role=reviewers),
        button(cb.ReportSetStatus, report_review.set_status, role=reviewers),
        button(cb.ReportExport, report_review.export, role=reviewers),
        # Leaders' digest.
        button(cb.DigestWeek, digest.digest_week, role=leaders),
        # [buttons]
    ]
    for handler in buttons:
        application.add_handler(handler)

    # 0, last: catch-alls. Anything above that matched has already answered.
    application.add_handler(CallbackQueryHandler(errors.stale_button))
    application.add_handler(MessageHandler(filters.COMMAND, errors.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT, errors.plain_text))
    application.add_handler(MessageHandler(filters.ALL, errors.unsupported))

    application.add_error_handler(errors.on_error)


async def _post_init(application: Application) -> None:
    """Open the database, learn the bot's name, sync config invites, publish menus."""
    services: Services = application.bot_data[SERVICES_KEY]
    if not services.db.is_open:
        await services.db.open()
    services.bot_username = application.bot.username
    now = services.now()
    # Presets removed from the config stop admitting anyone from this start on.
    retired = await services.membership.sync_presets(services.config.preset_invites, now)
    if retired:
        log.info("%d invite(s) no longer in access.invites revoked", retired)
    await publish_default_menus(application.bot, services)
    await publish_privileged_menus(application.bot, services)
    # Reviewers named in the config: every change since the last start is told to them all.
    change = await config_reviewer_changes(services.config, services.db, now)
    await tell_config_reviewer_changes(application.bot, services, change)

    # Delivery: settle sends a crash left in flight, then send outbox rows in the background,
    # through the Telegram sender; replies to members sent meanwhile count in its pacing.
    worker = DeliveryWorker(
        services.delivery, TelegramSender(application.bot, services.config.language)
    )
    application.bot_data[WORKER_KEY] = worker
    if isinstance(application.bot.rate_limiter, SharedRateLimiter):
        application.bot.rate_limiter.observe(worker.note_send)
    await worker.start()
    # Anonymous reports: load (or create) the receipt secret now, so a problem stops start-up.
    services.reports.open()
    # Every scheduled job, in this order (bot/tg/schedule.py): a reminder job per upcoming
    # send, their daily re-plan and the daily check that warns admins (weekly at most) while
    # the official schedule is missing; the daily-question notice at quiz.daily_time, an
    # hourly check for assigned tests due within a day, the admins' weekly notice of newly
    # flagged questions; the report tick every reports.write_every_minutes (at the full hour
    # it announces to reviewers what came in, counts and categories only, so neither the
    # files nor a notice show when anyone filed); the leaders' weekly digest; the nightly
    # retention and online backup; the heartbeat for `python -m bot health` (Docker's
    # HEALTHCHECK), every 30 s.
    register_jobs(application, now)
    # What came due while the bot was down: reminder sends, today's daily notice (within
    # hours), and the holiday-schedule warning.
    await start_reminders(services)
    await catch_up_daily_notice(services)

    log.info("bot @%s ready", services.bot_username)


async def _post_stop(application: Application) -> None:
    """While the bot can still send: store and answer queued reports, stop the delivery worker."""
    await report_jobs.final_tick(application)
    worker: DeliveryWorker[object] | None = application.bot_data.pop(WORKER_KEY, None)
    if worker is not None:
        if isinstance(application.bot.rate_limiter, SharedRateLimiter):
            application.bot.rate_limiter.forget(worker.note_send)
        await worker.stop()


async def _post_shutdown(application: Application) -> None:
    """Close the database."""
    services: Services = application.bot_data[SERVICES_KEY]
    await _post_stop(application)  # if start-up failed before the application ran
    await services.db.close()
