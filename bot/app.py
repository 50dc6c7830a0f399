"""The one wiring module: build the Application, open resources, register every handler and job."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
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
from bot.services.registry import Services
from bot.storage.database import Database
from bot.tg import callbacks as cb
from bot.tg.access import gate
from bot.tg.context import SERVICES_KEY, BotApplication, BotContext
from bot.tg.handlers import admin, errors, quiz, settings, start
from bot.tg.menus import publish_default_menus, publish_privileged_menus
from bot.tg.processor import PerMemberUpdateProcessor

log = logging.getLogger(__name__)


def build_application(config: Config, *, services: Services | None = None) -> BotApplication:
    """The bot for this config; `services` may be given by tests to share a clock or database."""
    defaults = Defaults(parse_mode=ParseMode.HTML, tzinfo=config.timezone)
    builder = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.file_base_url)
        .defaults(defaults)
        .context_types(ContextTypes(context=BotContext))
        # Replies to members go out at once; AIORateLimiter keeps the whole bot inside
        # Telegram's 30 requests/s (broadcasts also pace themselves in the delivery engine).
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=config.telegram.rate_limits.overall_per_second,
                overall_time_period=1,
                max_retries=2,
            )
        )
        .concurrent_updates(PerMemberUpdateProcessor())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    application: BotApplication = builder.build()  # type: ignore[assignment]
    application.bot_data[SERVICES_KEY] = services or Services.create(
        config, Database(config.storage_path)
    )
    register_handlers(application)
    return application


def register_handlers(application: Application) -> None:
    """Every handler, in order. Group -1 runs first for every update; group 0 is first match."""
    # -1: the access gate loads the caller and stops strangers before any feature sees them.
    application.add_handler(TypeHandler(Update, gate), group=-1)

    # 0: conversations first: while one is active it owns the member's next messages.
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
    application.add_handler(CommandHandler("assign", quiz.assign))
    application.add_handler(CommandHandler("reload", quiz.reload))
    # [commands]

    # 0: buttons, one handler per callback-data type (each decodes its own payload).
    buttons = [
        (cb.SetLanguage, settings.set_language),
        (cb.SetDailyQuestion, settings.set_daily),
        (cb.Leave, settings.leave),
        (cb.InviteDepartment, admin.invite_department),
        (cb.InviteCreate, admin.invite_create),
        (cb.MembersPage, admin.members_page),
        (cb.MemberShow, admin.member_show),
        (cb.MemberRole, admin.member_role),
        (cb.QuizPickBank, quiz.pick_bank),
        (cb.QuizResume, quiz.resume),
        (cb.QuizAnswer, quiz.answer),
        (cb.QuizSubmit, quiz.submit),
        (cb.QuizReview, quiz.review_button),
        (cb.DailyStart, quiz.daily_start),
        (cb.AssignmentStart, quiz.assignment_start),
        (cb.AssignBank, quiz.assign_bank),
        (cb.AssignAudience, quiz.assign_audience),
        (cb.AssignDeadline, quiz.assign_deadline),
        # [buttons]
    ]
    for data_type, callback in buttons:
        application.add_handler(CallbackQueryHandler(callback, pattern=data_type.pattern()))

    # 0, last: catch-alls. Anything above that matched has already answered.
    application.add_handler(CallbackQueryHandler(errors.stale_button))
    application.add_handler(MessageHandler(filters.COMMAND, errors.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT, errors.plain_text))
    application.add_handler(MessageHandler(filters.ALL, errors.unsupported))

    application.add_error_handler(errors.on_error)


async def _post_init(application: Application) -> None:
    """Open the database, learn the bot's name, seed config invites, publish menus."""
    services: Services = application.bot_data[SERVICES_KEY]
    if not services.db.is_open:
        await services.db.open()
    services.bot_username = application.bot.username
    now = services.now()
    for preset in services.config.preset_invites:
        await services.membership.invites.ensure_preset(preset.code, preset.department, now)
    await publish_default_menus(application.bot, services)
    await publish_privileged_menus(application.bot, services)
    log.info("bot @%s ready", services.bot_username)


async def _post_shutdown(application: Application) -> None:
    """Close the database."""
    services: Services = application.bot_data[SERVICES_KEY]
    await services.db.close()
