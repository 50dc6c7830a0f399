"""Joining, leaving, roles and invites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.config import Config
from bot.domain.members import (
    Invite,
    InviteState,
    Member,
    MemberStatus,
    Role,
    invite_expiry,
    invite_state,
    new_invite_code,
)
from bot.storage.database import Database
from bot.storage.members import (
    AuditRepository,
    InviteRepository,
    MemberRepository,
    to_db_time,
)


class JoinOutcome(Enum):
    """What happened when someone pressed /start."""

    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    NEED_INVITE = "need_invite"
    INVALID_INVITE = "invalid_invite"
    EXPIRED_INVITE = "expired_invite"
    USED_UP_INVITE = "used_up_invite"


@dataclass(frozen=True)
class JoinResult:
    """Outcome of a join attempt, with the member as stored afterwards."""

    outcome: JoinOutcome
    member: Member | None = None


@dataclass(frozen=True)
class Caller:
    """Who is acting: their member record (if any) and effective roles."""

    user_id: int
    member: Member | None
    roles: frozenset[Role]

    @property
    def is_member(self) -> bool:
        """A member who has not left."""
        return self.member is not None and self.member.status != MemberStatus.LEFT

    def has(self, role: Role) -> bool:
        """Whether the caller holds this role."""
        return role in self.roles


_STATE_TO_OUTCOME = {
    InviteState.EXPIRED: JoinOutcome.EXPIRED_INVITE,
    InviteState.USED_UP: JoinOutcome.USED_UP_INVITE,
    InviteState.REVOKED: JoinOutcome.INVALID_INVITE,
}


class MembershipService:
    """Membership rules over the member and invite repositories."""

    def __init__(self, config: Config, db: Database) -> None:
        self.config = config
        self.db = db
        self.members = MemberRepository(db)
        self.invites = InviteRepository(db)
        self.audit = AuditRepository(db)

    async def caller(self, user_id: int) -> Caller:
        """Load who is acting, with config roles merged with roles granted in the bot."""
        member, granted = await self.members.get_with_roles(user_id)
        roles = self.config.config_roles(user_id)
        if member is not None and member.status != MemberStatus.LEFT:
            roles = roles | granted
        return Caller(user_id, member, roles)

    async def seen(
        self, caller: Caller, first_name: str, username: str | None, now: datetime
    ) -> bool:
        """A member wrote: re-activate if a 403 marked them inactive; refresh names."""
        m = caller.member
        if m is None or m.status == MemberStatus.LEFT:
            return False
        if (
            m.status == MemberStatus.ACTIVE
            and m.first_name == first_name
            and m.username == username
        ):
            return False
        return await self.members.touch(m.user_id, first_name, username, now)

    async def join(
        self,
        *,
        user_id: int,
        first_name: str,
        username: str | None,
        code: str | None,
        now: datetime,
    ) -> JoinResult:
        """Apply /start [code]: join by invite, by config role, or by open registration."""
        caller = await self.caller(user_id)
        if caller.is_member:
            return JoinResult(JoinOutcome.ALREADY_MEMBER, caller.member)
        department: str | None = None
        async with self.db.transaction() as tx:
            if code:
                invite = await self.invites.get(tx, code)
                if invite is None:
                    return JoinResult(JoinOutcome.INVALID_INVITE)
                state = invite_state(invite, now)
                if state is not InviteState.VALID:
                    return JoinResult(_STATE_TO_OUTCOME[state])
                await self.invites.use(tx, code)
                department = invite.department_id
            elif not caller.roles and self.config.registration != "open":
                return JoinResult(JoinOutcome.NEED_INVITE)
            await self.members.upsert_joined(
                tx,
                user_id=user_id,
                first_name=first_name,
                username=username,
                department_id=department,
                now=now,
            )
        return JoinResult(JoinOutcome.JOINED, await self.members.get(user_id))

    async def leave(self, user_id: int, now: datetime) -> bool:
        """The member leaves the program; roles granted in the bot are dropped."""
        async with self.db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE members SET status = 'left', updated_at = ? "
                "WHERE user_id = ? AND status != 'left'",
                (to_db_time(now), user_id),
            )
            await tx.execute("DELETE FROM member_roles WHERE user_id = ?", (user_id,))
        return changed > 0

    async def create_invite(
        self,
        *,
        department_id: str,
        created_by: int,
        max_uses: int | None,
        days: int | None,
        now: datetime,
    ) -> Invite:
        """A new invite for a configured department."""
        if self.config.department(department_id) is None:
            raise ValueError(f"unknown department {department_id!r}")
        invite = Invite(
            code=new_invite_code(),
            department_id=department_id,
            created_by=created_by,
            created_at=now,
            max_uses=max_uses,
            uses=0,
            expires_at=invite_expiry(now, days),
        )
        async with self.db.transaction() as tx:
            await self.invites.create(tx, invite)
            await self.audit.record(
                tx,
                actor_id=created_by,
                action="invite.create",
                target=department_id,
                now=now,
                detail=f"max_uses={max_uses} days={days}",
            )
        return invite

    async def set_role(
        self, *, actor_id: int, user_id: int, role: Role, granted: bool, now: datetime
    ) -> bool:
        """Grant or revoke a role in the bot; True if anything changed."""
        async with self.db.transaction() as tx:
            if granted:
                changed = await self.members.grant(tx, user_id, role, actor_id, now)
            else:
                changed = await self.members.revoke(tx, user_id, role)
            if changed:
                await self.audit.record(
                    tx,
                    actor_id=actor_id,
                    action=f"role.{'grant' if granted else 'revoke'}",
                    target=str(user_id),
                    detail=role.value,
                    now=now,
                )
        return changed

    async def holders(self, role: Role) -> list[tuple[int, str]]:
        """Active members holding `role` now (config or granted), with their language."""
        user_ids = set(self.config.roles[role]) | set(await self.members.with_role(role))
        found = []
        for user_id in sorted(user_ids):
            caller = await self.caller(user_id)
            member = caller.member
            if member is not None and member.status is MemberStatus.ACTIVE and caller.has(role):
                found.append((user_id, member.language or self.config.language))
        return found

    async def admin_ids(self) -> set[int]:
        """Admins from the config (joined or not) and admins granted in the bot (members)."""
        return set(self.config.roles[Role.ADMIN]) | set(await self.members.with_role(Role.ADMIN))
