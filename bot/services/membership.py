"""Joining, leaving, roles and invites (the values they return: membership_values)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.config import Config, PresetInvite
from bot.domain.members import (
    Holder,
    Invite,
    InviteState,
    JoinThrottle,
    Member,
    MemberStatus,
    Role,
    invite_expiry,
    invite_state,
    new_invite_code,
)
from bot.services.membership_values import (
    Caller,
    JoinOutcome,
    JoinResult,
    Proposal,
    ReviewerDecision,
    ReviewerGrant,
    RevokeOutcome,
)
from bot.storage.database import Database
from bot.storage.members import AuditRepository, InviteRepository, MemberRepository

__all__ = [
    "Caller",
    "JoinOutcome",
    "JoinResult",
    "MembershipService",
    "Proposal",
    "ReviewerDecision",
    "ReviewerGrant",
    "RevokeOutcome",
]


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
        self._members = MemberRepository(db)
        self._invites = InviteRepository(db)
        self._audit = AuditRepository(db)
        # Failed /start <code> attempts, in memory only (gone on restart, by design).
        self.throttle = JoinThrottle()
        # Reviewer proposals waiting for a reviewer (memory only: a restart drops them, and
        # the admin proposes again).
        self._proposals: dict[int, Proposal] = {}

    async def caller(self, user_id: int) -> Caller:
        """Load who is acting, with config roles merged with roles granted in the bot."""
        member, granted = await self._members.get_with_roles(user_id)
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
        return await self._members.touch(m.user_id, first_name, username, now)

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
        if code and (wait := self.throttle.wait(user_id, now)) is not None:
            return JoinResult(JoinOutcome.THROTTLED, wait=wait)
        async with self.db.transaction() as tx:
            if code:
                invite = await self._invites.get(tx, code)
                if invite is None:
                    self.throttle.failed(user_id, now)
                    return JoinResult(JoinOutcome.INVALID_INVITE)
                state = invite_state(invite, now)
                if state is not InviteState.VALID:
                    self.throttle.failed(user_id, now)
                    return JoinResult(_STATE_TO_OUTCOME[state])
                await self._invites.use(tx, code)
                department = invite.department_id
            elif not caller.roles and self.config.registration != "open":
                return JoinResult(JoinOutcome.NEED_INVITE)
            await self._members.upsert_joined(
                tx,
                user_id=user_id,
                first_name=first_name,
                username=username,
                department_id=department,
                now=now,
            )
        return JoinResult(JoinOutcome.JOINED, await self._members.get(user_id))

    async def leave(self, user_id: int, now: datetime) -> bool:
        """The member leaves the program; roles granted in the bot are dropped."""
        async with self.db.transaction() as tx:
            return await self._members.leave(tx, user_id, now)

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
            await self._invites.create(tx, invite)
            await self._audit.record(
                tx,
                actor_id=created_by,
                action="invite.create",
                target=department_id,
                now=now,
                detail=f"max_uses={max_uses} days={days}",
            )
        return invite

    async def sync_presets(self, presets: Iterable[PresetInvite], now: datetime) -> int:
        """Store the config's invites; revoke presets the config no longer has (how many)."""
        kept = list(presets)
        for preset in kept:
            await self._invites.ensure_preset(preset.code, preset.department, now)
        return await self._invites.retire_presets_except(p.code for p in kept)

    async def usable_invites(
        self, now: datetime, offset: int, limit: int
    ) -> tuple[int, list[Invite]]:
        """How many invites could admit someone now, and one page of them."""
        return await self._invites.count_usable(now), await self._invites.usable(now, offset, limit)

    async def revoke_invite(self, *, actor_id: int, code: str, now: datetime) -> RevokeOutcome:
        """Withdraw an invite made in the bot, with an audit entry."""
        async with self.db.transaction() as tx:
            invite = await self._invites.get(tx, code)
            if invite is not None and invite.from_config and not invite.revoked:
                return RevokeOutcome.FROM_CONFIG
            revoked = await self._invites.revoke(tx, code)
            if revoked is None:
                return RevokeOutcome.GONE
            await self._audit.record(
                tx,
                actor_id=actor_id,
                action="invite.revoke",
                target=revoked.department_id,
                now=now,
                detail=f"uses={revoked.uses}",
            )
        return RevokeOutcome.REVOKED

    async def set_role(
        self, *, actor_id: int, user_id: int, role: Role, granted: bool, now: datetime
    ) -> bool:
        """Grant or revoke a role in the bot; True if anything changed.

        The reviewer role (it reads every anonymous report) is granted only through
        `grant_reviewer` and `decide_reviewer`: never by oneself, and only by a reviewer.
        """
        if granted and role is Role.REVIEWER:
            raise ValueError("the reviewer role is granted by grant_reviewer / decide_reviewer")
        return await self._set_role(
            actor_id=actor_id, user_id=user_id, role=role, granted=granted, now=now
        )

    async def grant_reviewer(self, *, actor_id: int, user_id: int, now: datetime) -> ReviewerGrant:
        """An admin grants the reviewer role: at once if they are a reviewer, else proposed."""
        if actor_id == user_id:
            return ReviewerGrant.SELF
        if (await self.caller(user_id)).has(Role.REVIEWER):
            return ReviewerGrant.ALREADY
        actor = await self.caller(actor_id)
        if actor.is_member and actor.has(Role.REVIEWER):
            await self._set_role(
                actor_id=actor_id, user_id=user_id, role=Role.REVIEWER, granted=True, now=now
            )
            return ReviewerGrant.GRANTED
        if not await self.confirmers(Proposal(user_id, actor_id)):
            return ReviewerGrant.NO_CONFIRMER
        self._proposals[user_id] = Proposal(user_id, actor_id)
        async with self.db.transaction() as tx:
            await self._audit.record(
                tx,
                actor_id=actor_id,
                action="role.propose",
                target=str(user_id),
                detail=Role.REVIEWER.value,
                now=now,
            )
        return ReviewerGrant.PROPOSED

    async def confirmers(self, proposal: Proposal) -> list[tuple[int, str]]:
        """Reviewers who may decide on a proposal: neither its proposer nor the proposed."""
        return [
            (user_id, language)
            for user_id, language in await self.holders(Role.REVIEWER)
            if user_id not in (proposal.user_id, proposal.proposer_id)
        ]

    def proposal(self, user_id: int) -> Proposal | None:
        """The open proposal for this member, if any."""
        return self._proposals.get(user_id)

    async def decide_reviewer(
        self, *, reviewer_id: int, user_id: int, accept: bool, now: datetime
    ) -> ReviewerDecision:
        """A reviewer confirms or declines a proposal (the role is checked now)."""
        proposal = self._proposals.get(user_id)
        if proposal is None:
            return ReviewerDecision.EXPIRED
        reviewer = await self.caller(reviewer_id)
        allowed = reviewer.is_member and reviewer.has(Role.REVIEWER)
        if not allowed or reviewer_id in (proposal.user_id, proposal.proposer_id):
            return ReviewerDecision.NOT_ALLOWED
        del self._proposals[user_id]
        if not accept or not (await self.caller(user_id)).is_member:
            async with self.db.transaction() as tx:
                await self._audit.record(
                    tx,
                    actor_id=reviewer_id,
                    action="role.decline",
                    target=str(user_id),
                    detail=Role.REVIEWER.value,
                    now=now,
                )
            return ReviewerDecision.DECLINED
        await self._set_role(
            actor_id=reviewer_id, user_id=user_id, role=Role.REVIEWER, granted=True, now=now
        )
        return ReviewerDecision.CONFIRMED

    async def display_name(self, user_id: int) -> str:
        """How a member is named to other members (their Telegram name, or the id)."""
        member = await self._members.get(user_id)
        return member.display_name if member else str(user_id)

    async def _set_role(
        self, *, actor_id: int, user_id: int, role: Role, granted: bool, now: datetime
    ) -> bool:
        async with self.db.transaction() as tx:
            if granted:
                changed = await self._members.grant(tx, user_id, role, actor_id, now)
            else:
                changed = await self._members.revoke(tx, user_id, role)
            if changed:
                await self._audit.record(
                    tx,
                    actor_id=actor_id,
                    action=f"role.{'grant' if granted else 'revoke'}",
                    target=str(user_id),
                    detail=role.value,
                    now=now,
                )
        return changed

    async def holders(self, role: Role) -> list[Holder]:
        """THE answer to "who holds role R": active members holding it now (from the config or
        granted in the bot), in user-id order, each with their language."""
        rows = await self._members.holders(role, self.config.roles[role])
        return [Holder(user_id, language or self.config.language) for user_id, language in rows]

    # -- members ---------------------------------------------------------------------------

    async def member(self, user_id: int) -> Member | None:
        """A member's record (whatever their status), or None."""
        return await self._members.get(user_id)

    async def language_of(self, user_id: int) -> str:
        """The language to write to this person in: their choice, else the configured one."""
        member = await self._members.get(user_id)
        return (member.language if member else None) or self.config.language

    async def granted_roles(self, user_id: int) -> frozenset[Role]:
        """The roles granted to a member in the bot (not those from the config)."""
        return await self._members.roles(user_id)

    async def member_page(self, offset: int, limit: int) -> tuple[int, int, list[Member]]:
        """How many members are listed (not left), the offset moved into the list, that page."""
        total = await self._members.count((MemberStatus.ACTIVE, MemberStatus.INACTIVE))
        offset = max(0, min(offset, max(0, total - 1)))
        return total, offset, await self._members.page(offset, limit)

    async def count(self, statuses: Iterable[MemberStatus] = (MemberStatus.ACTIVE,)) -> int:
        """How many members have one of these statuses."""
        return await self._members.count(statuses)

    async def active_ids(self, department_id: str | None = None) -> list[int]:
        """Active members (of one department), by user id."""
        return await self._members.active(department_id)

    async def daily_question_ids(self) -> list[int]:
        """Active members who receive the daily question."""
        return await self._members.daily_question_ids()

    async def set_language(self, user_id: int, language: str, now: datetime) -> None:
        """Store the member's language choice."""
        await self._members.set_language(user_id, language, now)

    async def set_daily_question(self, user_id: int, enabled: bool, now: datetime) -> None:
        """Opt in or out of the daily question."""
        await self._members.set_daily_question(user_id, enabled, now)

    async def mark_unreachable(self, user_id: int, now: datetime) -> bool:
        """THE rule for a 403 (the member blocked the bot): inactive, so nothing more is sent
        to them until they write again (`seen` re-activates). True if their status changed."""
        return await self._members.mark_inactive(user_id, now)
