"""Button registration: decode the callback data once, check the caller, pass typed values.

A button handler is `async def h(update, context, press: Press[cb.X])`: the helper has
already found the query, decoded `cb.X` from it and, where the registration names a role,
checked that the caller holds it now (buttons can be forged). A payload that does not decode
(forged, truncated, from an old version) gets the stale-button answer and the handler never
runs; a caller without the role gets the same refusal a command gets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from bot.domain.members import Role
from bot.services.membership import Caller
from bot.tg.access import refuse
from bot.tg.callbacks import CallbackData, CallbackDataError
from bot.tg.context import BotContext

D = TypeVar("D", bound=CallbackData)
D_co = TypeVar("D_co", bound=CallbackData, covariant=True)


@dataclasses.dataclass(frozen=True)
class Press(Generic[D_co]):
    """One press of a button: its query, who pressed it, and its decoded payload."""

    query: CallbackQuery
    caller: Caller
    data: D_co


ButtonHandler = Callable[[Update, BotContext, Press[D]], Coroutine[Any, Any, object]]
StepCallback = Callable[[Update, BotContext], Coroutine[Any, Any, object]]


def decoded(update: Update, data_type: type[D]) -> D:
    """The update's callback data as `data_type`; CallbackDataError if it is not that."""
    query = update.callback_query
    if query is None:
        raise CallbackDataError(f"no callback query for {data_type.__name__}")
    return data_type.decode(query.data or "")


async def answer_stale(update: Update, context: BotContext) -> None:
    """The answer to a button nothing can act on: from an old version, an old session, forged."""
    if update.callback_query:
        await update.callback_query.answer(context.t("common.stale_button"), show_alert=True)


def allowed(caller: Caller | None, role: Role | None) -> bool:
    """Whether `caller` may press a button registered for `role` (None: any member)."""
    if role is None:
        return True
    return caller is not None and caller.is_member and caller.has(role)


def press_callback(
    data_type: type[D], handler: ButtonHandler[D], *, role: Role | None = None
) -> StepCallback:
    """The PTB callback: role check, one decode, then the handler with the typed press."""

    async def pressed(update: Update, context: BotContext) -> object:
        query = update.callback_query
        caller = context.caller
        if not allowed(caller, role):
            await refuse(update, context, "access.no_permission")
            return None
        if query is None or caller is None:  # the gate loads the caller for every update
            return None
        try:
            data = data_type.decode(query.data or "")
        except CallbackDataError:
            await answer_stale(update, context)
            return None
        return await handler(update, context, Press(query, caller, data))

    pressed.__name__ = getattr(handler, "__name__", "pressed")
    pressed.__qualname__ = getattr(handler, "__qualname__", "pressed")
    return pressed


def button(
    data_type: type[D], handler: ButtonHandler[D], *, role: Role | None = None
) -> CallbackQueryHandler[BotContext, object]:
    """The handler for every button carrying `data_type`, checked and decoded once."""
    return CallbackQueryHandler(
        press_callback(data_type, handler, role=role), pattern=data_type.pattern()
    )
