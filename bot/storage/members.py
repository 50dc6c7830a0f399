"""Repositories for members, roles, invites and the admin audit log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import aiosqlite

from bot.domain.members import Invite, Member, MemberStatus, Role
from bot.storage.database import Database, Transaction


def to_db_time(value: datetime) -> str:
    """Store times as UTC ISO 8601."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


def from_db_time(value: str | None) -> datetime | None:
    """Read a stored UTC time back as an aware datetime."""
    return None if value is None else datetime.fromisoformat(value)


def _member(row: aiosqlite.Row) -> Member:
    return Member(
        user_id=row["user_id"],
        first_name=row["first_name"],
        username=row["username"],
        department_id=row["department_id"],
        language=row["language"],
        status=MemberStatus(row["status"]),
        joined_at=datetime.fromisoformat(row["joined_at"]),
        daily_question=bool(row["daily_question"]),
    )


def _invite(row: aiosqlite.Row) -> Invite:
    return Invite(
        code=row["code"],
        department_id=row["department_id"],
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
        max_uses=row["max_uses"],
        uses=row["uses"],
        expires_at=from_db_time(row["expires_at"]),
        revoked=bool(row["revoked"]),
    )


class MemberRepository:
    """Members and the roles granted to them in the bot."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> Member | None:
        """One member by Telegram user id."""
        row = await self.db.fetchone("SELECT * FROM members WHERE user_id = ?", (user_id,))
        return _member(row) if row else None

    async def get_with_roles(self, user_id: int) -> tuple[Member | None, frozenset[Role]]:
        """A member and the roles granted to them in the bot, in one query (every update)."""
        row = await self.db.fetchone(
            "SELECT m.*, (SELECT group_concat(role) FROM member_roles r "
            "WHERE r.user_id = m.user_id) AS granted FROM members m WHERE m.user_id = ?",
            (user_id,),
        )
        if row is None:
            return None, frozenset()
        granted = row["granted"] or ""
        return _member(row), frozenset(Role(r) for r in granted.split(",") if r)

    async def upsert_joined(
        self,
        tx: Transaction,
        *,
        user_id: int,
        first_name: str,
        username: str | None,
        department_id: str | None,
        now: datetime,
    ) -> None:
        """Create or re-activate a member who joined (keeps language and history)."""
        stamp = to_db_time(now)
        await tx.execute(
            """
            INSERT INTO members (user_id, first_name, username, department_id, status,
                                 joined_at, updated_at)
            VALUES (?, ?, ?, ?, 'active', ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                first_name = excluded.first_name, username = excluded.username,
                department_id = COALESCE(excluded.department_id, members.department_id),
                status = 'active', joined_at = CASE WHEN members.status = 'left'
                    THEN excluded.joined_at ELSE members.joined_at END,
                updated_at = excluded.updated_at
            """,
            (user_id, first_name, username, department_id, stamp, stamp),
        )

    async def touch(
        self, user_id: int, first_name: str, username: str | None, now: datetime
    ) -> bool:
        """Note that a member wrote: refresh names, re-activate if inactive. True if changed."""
        changed = await self.db.execute(
            """
            UPDATE members SET first_name = ?, username = ?, status = 'active', updated_at = ?
            WHERE user_id = ? AND (status = 'inactive' OR first_name IS NOT ?
                                   OR username IS NOT ?)
            """,
            (first_name, username, to_db_time(now), user_id, first_name, username),
        )
        return changed > 0

    async def set_status(self, user_id: int, status: MemberStatus, now: datetime) -> bool:
        """Change a member's status; True if a row changed."""
        changed = await self.db.execute(
            "UPDATE members SET status = ?, updated_at = ? WHERE user_id = ? AND status != ?",
            (status.value, to_db_time(now), user_id, status.value),
        )
        return changed > 0

    async def mark_inactive(self, user_id: int, now: datetime) -> bool:
        """A send answered 403: stop sending until they write again."""
        changed = await self.db.execute(
            "UPDATE members SET status = 'inactive', updated_at = ? "
            "WHERE user_id = ? AND status = 'active'",
            (to_db_time(now), user_id),
        )
        return changed > 0

    async def set_language(self, user_id: int, language: str, now: datetime) -> None:
        """Store the member's language choice."""
        await self.db.execute(
            "UPDATE members SET language = ?, updated_at = ? WHERE user_id = ?",
            (language, to_db_time(now), user_id),
        )

    async def set_daily_question(self, user_id: int, enabled: bool, now: datetime) -> None:
        """Opt in or out of the daily question."""
        await self.db.execute(
            "UPDATE members SET daily_question = ?, updated_at = ? WHERE user_id = ?",
            (int(enabled), to_db_time(now), user_id),
        )

    async def roles(self, user_id: int) -> frozenset[Role]:
        """Roles granted in the bot (config roles are added by the caller)."""
        rows = await self.db.fetchall("SELECT role FROM member_roles WHERE user_id = ?", (user_id,))
        return frozenset(Role(r["role"]) for r in rows)

    async def grant(
        self, tx: Transaction, user_id: int, role: Role, by: int, now: datetime
    ) -> bool:
        """Grant a role; False if it was already granted."""
        changed = await tx.execute(
            "INSERT OR IGNORE INTO member_roles (user_id, role, granted_by, granted_at) "
            "VALUES (?, ?, ?, ?)",
            (user_id, role.value, by, to_db_time(now)),
        )
        return changed > 0

    async def revoke(self, tx: Transaction, user_id: int, role: Role) -> bool:
        """Revoke a role granted in the bot; False if it was not granted."""
        changed = await tx.execute(
            "DELETE FROM member_roles WHERE user_id = ? AND role = ?", (user_id, role.value)
        )
        return changed > 0

    async def count(self, statuses: Iterable[MemberStatus] = (MemberStatus.ACTIVE,)) -> int:
        """How many members have one of these statuses."""
        values = [s.value for s in statuses]
        marks = ",".join("?" * len(values))
        row = await self.db.fetchone(
            f"SELECT COUNT(*) FROM members WHERE status IN ({marks})", values
        )
        return int(row[0]) if row else 0

    async def page(self, offset: int, limit: int) -> list[Member]:
        """Members who have not left, by department then name."""
        rows = await self.db.fetchall(
            "SELECT * FROM members WHERE status != 'left' "
            "ORDER BY department_id, first_name, user_id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_member(r) for r in rows]

    async def with_role(self, role: Role) -> list[int]:
        """User ids holding a role granted in the bot."""
        rows = await self.db.fetchall("SELECT user_id FROM member_roles WHERE role = ?", (role,))
        return [r["user_id"] for r in rows]

    async def holders(self, role: Role, configured: Iterable[int]) -> list[tuple[int, str | None]]:
        """(user id, language) of active members holding `role`: in `configured` or granted."""
        ids = sorted(set(configured))
        marks = ",".join("?" * len(ids)) or "NULL"
        rows = await self.db.fetchall(
            f"SELECT user_id, language FROM members WHERE status = 'active' AND "
            f"(user_id IN ({marks}) OR user_id IN "
            f"(SELECT user_id FROM member_roles WHERE role = ?)) ORDER BY user_id",
            (*ids, role.value),
        )
        return [(int(r["user_id"]), r["language"]) for r in rows]

    async def active(self, department_id: str | None = None) -> list[int]:
        """User ids of active members (of one department), in order."""
        if department_id is None:
            rows = await self.db.fetchall(
                "SELECT user_id FROM members WHERE status = 'active' ORDER BY user_id"
            )
        else:
            rows = await self.db.fetchall(
                "SELECT user_id FROM members WHERE status = 'active' AND department_id = ? "
                "ORDER BY user_id",
                (department_id,),
            )
        return [int(r["user_id"]) for r in rows]

    async def daily_question_ids(self) -> list[int]:
        """Active members who have not muted the daily question."""
        rows = await self.db.fetchall(
            "SELECT user_id FROM members WHERE status = 'active' AND daily_question = 1 "
            "ORDER BY user_id"
        )
        return [int(r["user_id"]) for r in rows]

    async def leave(self, tx: Transaction, user_id: int, now: datetime) -> bool:
        """The member leaves: status `left`, and the roles granted in the bot are dropped."""
        changed = await tx.execute(
            "UPDATE members SET status = 'left', updated_at = ? "
            "WHERE user_id = ? AND status != 'left'",
            (to_db_time(now), user_id),
        )
        await tx.execute("DELETE FROM member_roles WHERE user_id = ?", (user_id,))
        return changed > 0


class InviteRepository:
    """Invite codes and their use counts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, tx: Transaction, invite: Invite) -> None:
        """Store a new invite."""
        await tx.execute(
            "INSERT INTO invites (code, department_id, created_by, created_at, max_uses, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (
                invite.code,
                invite.department_id,
                invite.created_by,
                to_db_time(invite.created_at),
                invite.max_uses,
                None if invite.expires_at is None else to_db_time(invite.expires_at),
            ),
        )

    async def ensure_preset(self, code: str, department_id: str, now: datetime) -> None:
        """Make sure an invite fixed in the config exists (unlimited, never expires).

        Presets are the invites without a maker (created_by NULL); one put back into the
        config works again. An invite made in the bot is never taken over by a preset.
        """
        await self.db.execute(
            "INSERT INTO invites (code, department_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (code) DO UPDATE SET department_id = excluded.department_id, "
            "revoked = 0 WHERE invites.created_by IS NULL",
            (code, department_id, to_db_time(now)),
        )

    async def retire_presets_except(self, codes: Iterable[str]) -> int:
        """Revoke the presets no longer in the config; return how many were revoked."""
        kept = list(codes)
        marks = ",".join("?" * len(kept))
        keep = f"AND code NOT IN ({marks})" if kept else ""
        return await self.db.execute(
            f"UPDATE invites SET revoked = 1 WHERE created_by IS NULL AND revoked = 0 {keep}",
            kept,
        )

    @staticmethod
    def _usable(now: datetime) -> tuple[str, tuple[str]]:
        return (
            "revoked = 0 AND (expires_at IS NULL OR expires_at > ?) "
            "AND (max_uses IS NULL OR uses < max_uses)",
            (to_db_time(now),),
        )

    async def count_usable(self, now: datetime) -> int:
        """How many invites could admit someone at `now`."""
        where, params = self._usable(now)
        row = await self.db.fetchone(f"SELECT COUNT(*) FROM invites WHERE {where}", params)
        return int(row[0]) if row else 0

    async def usable(self, now: datetime, offset: int, limit: int) -> list[Invite]:
        """Invites that could admit someone at `now`: presets first, then the newest."""
        where, params = self._usable(now)
        rows = await self.db.fetchall(
            f"SELECT * FROM invites WHERE {where} "
            "ORDER BY created_by IS NOT NULL, created_at DESC, code LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_invite(r) for r in rows]

    async def revoke(self, tx: Transaction, code: str) -> Invite | None:
        """Revoke an invite made in the bot; the invite as it was, or None if nothing changed."""
        row = await tx.fetchone(
            "SELECT * FROM invites WHERE code = ? AND revoked = 0 AND created_by IS NOT NULL",
            (code,),
        )
        if row is None:
            return None
        await tx.execute("UPDATE invites SET revoked = 1 WHERE code = ?", (code,))
        return _invite(row)

    async def get(self, tx: Transaction, code: str) -> Invite | None:
        """One invite, read inside the joining transaction."""
        row = await tx.fetchone("SELECT * FROM invites WHERE code = ?", (code,))
        return _invite(row) if row else None

    async def use(self, tx: Transaction, code: str) -> None:
        """Count one use of an invite."""
        await tx.execute("UPDATE invites SET uses = uses + 1 WHERE code = ?", (code,))


class AuditRepository:
    """Who did what among admins (role changes, invites)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        tx: Transaction,
        *,
        actor_id: int,
        action: str,
        target: str | None,
        now: datetime,
        detail: str | None = None,
    ) -> None:
        """Append one entry."""
        await tx.execute(
            "INSERT INTO admin_audit (at, actor_id, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (to_db_time(now), actor_id, action, target, detail),
        )

    async def last_detail(self, action: str) -> str | None:
        """The detail of the latest entry of one action, if any."""
        row = await self.db.fetchone(
            "SELECT detail FROM admin_audit WHERE action = ? ORDER BY id DESC LIMIT 1", (action,)
        )
        return str(row["detail"]) if row and row["detail"] is not None else None
