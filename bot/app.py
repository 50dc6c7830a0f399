"""The one wiring module: build the Application, open resources, register every handler and job."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Config
from bot.services.delivery_worker import DeliveryWorker
from bot.services.registry import Services
from bot.storage.database import Database
from bot.tg import callbacks as cb
from bot.tg import report_jobs
from bot.tg.access import PUBLIC_FLOWS, REPORT_FLOWS, gate
from bot.tg.backup import schedule_backup
from bot.tg.case_clock_jobs import schedule_case_clocks
from bot.tg.context import SERVICES_KEY, WORKER_KEY, BotApplication, BotContext
from bot.tg.digest import schedule_digest
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
from bot.tg.health import POLLING_REQUEST_KEY, PollingRequest, schedule_heartbeat
from bot.tg.jobs import start_reminders
from bot.tg.menus import publish_default_menus, publish_privileged_menus
from bot.tg.processor import PerMemberUpdateProcessor
from bot.tg.quiz_jobs import start_quiz_jobs
from bot.tg.ratelimit import SharedRateLimiter
from bot.tg.sender import TelegramSender

log = logging.getLogger(__name__)


def build_application(config: Config, *, services: Services | None = None) -> BotApplication:
    """The bot for this config; `services` may be given by tests to share a clock or database."""
    defaults = Defaults(parse_mode=ParseMode.HTML, tzinfo=config.timezone)
    # telegram.proxy for every request (getUpdates too); unset, httpx reads HTTPS_PROXY /
    # ALL_PROXY / NO_PROXY from the environment itself. getUpdates gets its own connection
    # (as PTB gives it) that notes each successful poll for the heartbeat.
    proxy = config.telegram.proxy or None
    polling = PollingRequest(connection_pool_size=1, proxy=proxy)
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
        .concurrent_updates(PerMemberUpdateProcessor())
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
    """Every handler, in order. Groups -3 to -1 run in turn for every update (each stops at
    its first match); group 0 is first match."""
    anonymous_reports = reports.build_flow()
    # -3: a reporter whose receipt (or other answer) could not be sent gets it first thing.
    application.add_handler(TypeHandler(Update, report_jobs.deliver_held), group=-3)
    # -2: the access gate loads the caller and stops strangers before any feature sees them;
    # for the report handlers' updates it writes nothing (it asks them whether they claim it).
    application.add_handler(TypeHandler(Update, gate), group=-2)
    application.bot_data[REPORT_FLOWS] = anonymous_reports.handlers
    # -1: a message that looks like a receipt code goes to /status when it asked for one and
    # is deleted everywhere else, before any conversation (a broadcast draft) could take it.
    application.add_handler(anonymous_reports.router, group=-1)

    # 0: conversations first: while one is active it owns the member's next messages.
    application.add_handler(broadcast.conversation())
    application.add_handler(assign.conversation())
    # Anonymous reports. A reviewer typing a note or a message to a reporter comes first, and
    # any command abandons it, so a later text never lands in a note by mistake.
    application.add_handler(report_review.input_conversation())
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

    # 0: buttons, one handler per callback-data type (each decodes its own payload).
    buttons = [
        (cb.SetLanguage, settings.set_language),
        (cb.SetDailyQuestion, settings.set_daily),
        (cb.Leave, settings.leave),
        (cb.InviteDepartment, admin.invite_department),
        (cb.InviteCreate, admin.invite_create),
        (cb.InviteList, admin.invite_list),
        (cb.InviteRevoke, admin.invite_revoke),
        (cb.MembersPage, admin.members_page),
        (cb.MemberShow, admin.member_show),
        (cb.MemberRole, admin.member_role),
        (cb.ReviewerConfirm, admin.decide_reviewer),
        (cb.QuizPickBank, quiz.pick_bank),
        (cb.QuizResume, quiz.resume),
        (cb.QuizAnswer, quiz.answer),
        (cb.QuizSubmit, quiz.submit),
        (cb.QuizReview, quiz.review_button),
        (cb.DailyStart, quiz.daily_start),
        (cb.AssignmentStart, quiz.assignment_start),
        # /assign buttons outside their conversation (old draft, restart, forged).
        (cb.AssignBank, assign.stale),
        (cb.AssignAudience, assign.stale),
        (cb.AssignDeadline, assign.stale),
        (cb.AssignConfirm, assign.stale),
        (cb.Acknowledge, broadcast.acknowledge),
        (cb.BroadcastRefresh, broadcast.refresh),
        # Broadcast buttons outside their conversation (old draft, restart, forged).
        (cb.BroadcastAudience, broadcast.stale),
        (cb.BroadcastConfirm, broadcast.stale),
        # Reviewers (each checks the role when pressed). Note and reply start a conversation.
        (cb.ReportsHome, report_review.home),
        (cb.ReportsList, report_review.list_page),
        (cb.ReportOpen, report_review.open_report),
        (cb.ReportMedia, report_review.media),
        (cb.ReportSetStatus, report_review.set_status),
        (cb.ReportExport, report_review.export),
        # Leaders' digest (the role is checked again when pressed).
        (cb.DigestWeek, digest.digest_week),
        # [buttons]
    ]
    for data_type, callback in buttons:
        application.add_handler(
            CallbackQueryHandler(errors.tolerant(callback), pattern=data_type.pattern())
        )

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

    # Delivery: settle sends a crash left in flight, then send outbox rows in the background,
    # through the Telegram sender; replies to members sent meanwhile count in its pacing.
    worker = DeliveryWorker(
        services.delivery, TelegramSender(application.bot, services.config.language)
    )
    application.bot_data[WORKER_KEY] = worker
    if isinstance(application.bot.rate_limiter, SharedRateLimiter):
        application.bot.rate_limiter.observe(worker.note_send)
    await worker.start()
    # Jobs: a reminder job per upcoming send, a daily re-plan, the start-up catch-up, and the
    # daily check that warns admins (weekly at most) while the official schedule is missing.
    await start_reminders(application)
    # Quizzes: the daily-question notice at quiz.daily_time (caught up within hours if the
    # bot was down), an hourly check for assigned tests due within a day, and the admins'
    # weekly notice of newly flagged questions.
    await start_quiz_jobs(application)

    # Anonymous reports: load (or create) the receipt secret now, so a problem stops start-up.
    # Reporters' writes are stored at fixed clock ticks (reports.write_every_minutes); at the
    # full hour the tick announces to reviewers what came in, counts and categories only, so
    # neither the files nor a notice show when anyone filed.
    services.reports.open()
    report_jobs.schedule_ticks(application, now)
    # The weekly digest for leaders, and the nightly job that deletes reports past retention
    # and then takes the online backup, at their configured local times.
    schedule_digest(application)
    schedule_backup(application)
    # Reviewers hear once per report and target that it nears its due day (working days).
    schedule_case_clocks(application)
    # The heartbeat for `python -m bot health` (Docker's HEALTHCHECK), every 30 s.
    schedule_heartbeat(application)

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
