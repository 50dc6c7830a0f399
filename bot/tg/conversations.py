"""Conversations that any other command ends, before that command runs.

A conversation that waits for free text (a broadcast's notice, a reviewer's note) must never
take text meant for something else: an admin who types /report in the middle of a /broadcast
means the report, and the description that follows must not become the notice. So every
command that is not the conversation's own (its entry points and fallbacks: /broadcast again,
/cancel) ends it first, tells the member what was dropped, and then runs as if no conversation
had been open (/broadcast, /assign and a reviewer's note or reply are such conversations).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler, MessageHandler, filters

from bot.tg.context import BotContext

OnEnd = Callable[[Update, BotContext], Awaitable[object]]

# bot_data key: the YieldingConversation handlers, in registration order.
YIELDING = "yielding_conversations"


class YieldingConversation(ConversationHandler[BotContext]):
    """A ConversationHandler that a foreign command can end from outside (`end`)."""

    def __init__(self, *args: Any, on_end: OnEnd | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_end = on_end

    def open_for(self, update: Update) -> bool:
        """Whether this member is inside the conversation."""
        if self.per_chat and update.effective_chat is None:
            return False
        if self.per_user and update.effective_user is None:
            return False
        # PTB has no public way to read or end one member's conversation; the key and the
        # state table are the ones ConversationHandler itself uses.
        return self._get_key(update) in self._conversations

    def owns(self, update: Update) -> bool:
        """Whether the update is one of the conversation's own commands (entry or fallback)."""
        return any(_claims(handler, update) for handler in (*self.entry_points, *self.fallbacks))

    def end(self, update: Update) -> None:
        """Forget this member's state and its pending timeout."""
        key = self._get_key(update)
        self._conversations.pop(key, None)
        job = self.timeout_jobs.pop(key, None)
        if job is not None:
            job.schedule_removal()


def _claims(handler: BaseHandler[Any, Any, Any], update: Update) -> bool:
    check = handler.check_update(update)
    return check is not None and check is not False


def command_ends_conversations(
    conversations: Sequence[YieldingConversation],
) -> MessageHandler[BotContext, None]:
    """The handler (a group of its own, after the gate) that ends what a command interrupts."""

    async def end(update: Update, context: BotContext) -> None:
        for conversation in conversations:
            if conversation.open_for(update) and not conversation.owns(update):
                conversation.end(update)
                if conversation.on_end is not None:
                    await conversation.on_end(update, context)

    return MessageHandler(filters.COMMAND, end)
