"""Writing past quiz activity (the demo seeds a few weeks of it, so /digest has a chart)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from bot.domain.quiz import PastSession
from bot.storage.database import Database
from bot.storage.history import HistoryRepository


class HistoryService:
    """Past sessions in bulk, into a database that has no answers yet."""

    def __init__(self, db: Database) -> None:
        self._repo = HistoryRepository(db)

    async def wait_for_members(self, user_ids: Sequence[int], seconds: float) -> bool:
        """Wait until these users have joined (their /start is handled asynchronously)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            if await self._repo.members_present(user_ids) == len(user_ids):
                return True
            await asyncio.sleep(0.05)
        return False

    async def has_answers(self) -> bool:
        """Whether members have answered anything yet."""
        return await self._repo.has_answers()

    async def write(
        self, user_ids: Sequence[int], joined_at: datetime, sessions: Sequence[PastSession]
    ) -> None:
        """The members dated as joined at `joined_at`, and the sessions stored."""
        await self._repo.write(user_ids, joined_at, sessions)
