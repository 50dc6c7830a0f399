"""/start (joining by invite), /help and /cancel."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.domain.members import Role, whole_minutes
from bot.services.membership import Caller, JoinOutcome
from bot.tg.commands import HELP_SECTIONS, commands_for
from bot.tg.context import BotContext
from bot.tg.menus import publish_member_menu

_OUTCOME_KEYS = {
    JoinOutcome.NEED_INVITE: "start.need_invite",
    JoinOutcome.INVALID_INVITE: "start.invalid_invite",
    JoinOutcome.EXPIRED_INVITE: "start.expired_invite",
    JoinOutcome.USED_UP_INVITE: "start.used_up_invite",
}


def department_name(context: BotContext, department_id: str | None) -> str:
    """The configured name of a department, or a neutral word when there is none."""
    dept = context.services.config.department(department_id)
    return dept.name if dept else context.t("common.no_department")


async def start(update: Update, context: BotContext) -> None:
    """/start [code]: join with an invite, or greet a member who is back."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    services = context.services
    code = context.args[0] if context.args else None
    result = await services.membership.join(
        user_id=user.id,
        first_name=user.first_name,
        username=user.username,
        code=code,
        now=services.now(),
    )
    org = escape(services.config.organization_name)
    if result.outcome is JoinOutcome.THROTTLED:
        assert result.wait is not None
        await message.reply_text(
            context.t("start.too_many_attempts", minutes=whole_minutes(result.wait))
        )
        return
    if result.outcome in _OUTCOME_KEYS:
        await message.reply_text(context.t(_OUTCOME_KEYS[result.outcome], org=org))
        return
    context.caller = await services.membership.caller(user.id)
    if result.outcome is JoinOutcome.JOINED and context.caller.roles:
        # Admins, reviewers and leaders named in the config: their commands in the menu now.
        await publish_member_menu(context.bot, services, context.caller)
    member = result.member
    dept = escape(department_name(context, member.department_id if member else None))
    key = "start.joined" if result.outcome is JoinOutcome.JOINED else "start.welcome_back"
    await message.reply_text(
        context.t(key, name=escape(user.first_name), org=org, department=dept)
        + "\n\n"
        + help_text(context, context.caller)
    )


def help_text(context: BotContext, caller: Caller | None) -> str:
    """The commands this caller can use, grouped by role."""
    t = context.t
    if caller is None or not caller.is_member:
        text = t("help.stranger", org=escape(context.services.config.organization_name))
        if context.services.config.reports.open_to == "anyone":
            text += "\n\n" + t("help.stranger_reports")
        return text
    specs = commands_for(caller.roles)
    sections = []
    for role in HELP_SECTIONS:
        if role is not None and role not in caller.roles:
            continue
        lines = [f"/{c.name} — {t(f'commands.{c.name}')}" for c in specs if c.role == role]
        if lines:
            title = t("help.title_member") if role is None else t(f"help.title_{role.value}")
            sections.append(f"<b>{title}</b>\n" + "\n".join(lines))
    return "\n\n".join(sections)


async def help_command(update: Update, context: BotContext) -> None:
    """/help: what I can do here."""
    if update.effective_message:
        await update.effective_message.reply_text(help_text(context, context.caller))


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel when nothing is in progress."""
    if update.effective_message:
        await update.effective_message.reply_text(context.t("common.nothing_to_cancel"))


def role_names(context: BotContext, roles: frozenset[Role]) -> str:
    """Roles as words, cadre when there are none."""
    if not roles:
        return context.t("role.cadre")
    return context.t("common.list_separator").join(
        context.t(f"role.{r.value}") for r in Role if r in roles
    )
