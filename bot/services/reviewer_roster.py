"""Reviewers named in the config: every change between two starts is told to all reviewers.

Whoever edits the config can add an id to `roles.reviewers` and restart; that account then
reads every anonymous report. The set the config named at the last start is kept in the admin
audit (action `config_reviewers`, the ids as JSON), and each start compares the config with
it, so every addition and removal can be told to all reviewers. The first start that keeps
the set has nothing to compare with: it records the set and reports no change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.config import Config
from bot.domain.members import Role
from bot.storage.database import Database
from bot.storage.members import AuditRepository

ACTION = "config_reviewers"


@dataclass(frozen=True)
class RosterChange:
    """Reviewer ids the config added and removed since the last start."""

    added: tuple[int, ...]
    removed: tuple[int, ...]


async def config_reviewer_changes(config: Config, db: Database, now: datetime) -> RosterChange:
    """Compare the config's reviewers with the last start's, and record the current set."""
    audit = AuditRepository(db)
    current = sorted(config.roles[Role.REVIEWER])
    stored = await audit.last_detail(ACTION)
    if stored is not None and sorted(json.loads(stored)) == current:
        return RosterChange((), ())
    async with db.transaction() as tx:
        await audit.record(
            tx, actor_id=0, action=ACTION, target=None, now=now, detail=json.dumps(current)
        )
    if stored is None:
        return RosterChange((), ())
    last = set(json.loads(stored))
    return RosterChange(
        tuple(u for u in current if u not in last), tuple(sorted(last - set(current)))
    )
