"""The delivery worker with a recording fake sender and a fake clock: no Telegram, no sleeping.

Each scenario runs the worker's rounds by hand (`step`, then `flush` for the sends in flight)
and reads what the fake sender was asked, what the outbox holds and what the clock says.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.domain.delivery import Campaign, Failure
from bot.domain.members import MemberStatus
from bot.domain.sending import NoticeError, SendResult
from bot.services.delivery import DeliveryService
from bot.services.delivery_worker import Clocks, DeliveryWorker
from bot.services.membership import MembershipService
from bot.storage.database import Database
from bot.storage.members import MemberRepository

NOW = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
NOTICE = {"text": {"zh": "节前提醒", "en": "Before the holiday"}}


class FakeClock:
    """Wall and monotonic time that move only when the worker sleeps or a test says so."""

    def __init__(self) -> None:
        self.wall = NOW
        self.mono = 1000.0
        self.slept: list[float] = []

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would

    def clocks(self) -> Clocks:
        return Clocks(
            wall=lambda: self.wall,
            monotonic=lambda: self.mono,
            sleep=self.sleep,
            jitter=lambda: 0.0,
        )


@dataclass(frozen=True)
class Call:
    method: str
    chat_id: int
    text: str
    at: float  # monotonic time of the request


@dataclass
class RecordingSender:
    """Records every request; answers from a per-chat script, else delivers."""

    clock: FakeClock
    calls: list[Call] = field(default_factory=list)
    script: dict[int, deque[SendResult | BaseException]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    hang: set[int] = field(default_factory=set)  # chats whose answer never comes
    next_id: int = 100

    def answer(self, chat_id: int, *outcomes: SendResult | BaseException) -> None:
        self.script[chat_id].extend(outcomes)

    def prepare(self, campaign: Campaign, language: str | None) -> str:
        if campaign.key.startswith("broken"):
            raise NoticeError("unknown button action 'nothing:1'")
        return campaign.notice.text_for(language or "zh", "zh")

    async def send(self, chat_id: int, message: str) -> SendResult:
        self.calls.append(Call("send", chat_id, message, self.clock.mono))
        if chat_id in self.hang:
            await asyncio.Event().wait()
        if self.script[chat_id]:
            outcome = self.script[chat_id].popleft()
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        self.next_id += 1
        return SendResult(message_id=self.next_id)

    async def edit(
        self, chat_id: int, message_id: int, text: str, button: tuple[str, str] | None = None
    ) -> SendResult:
        self.calls.append(Call("edit", chat_id, text, self.clock.mono))
        return SendResult(message_id=message_id)

    def sends(self, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == "send" and chat_id in (None, c.chat_id)]


@dataclass
class World:
    db: Database
    delivery: DeliveryService
    clock: FakeClock
    sender: RecordingSender
    worker: DeliveryWorker[str]

    def new_worker(self) -> DeliveryWorker[str]:
        """Another worker on the same database, as after a restart."""
        self.worker = DeliveryWorker(self.delivery, self.sender, clocks=self.clock.clocks())
        return self.worker

    async def run(self, rounds: int = 1) -> None:
        """Rounds of the worker, each waiting for its sends to record their answers."""
        for _ in range(rounds):
            await self.worker.step()
            await self.worker.flush()

    async def outbox(self, campaign_id: int) -> dict[int, tuple[str, int, str | None]]:
        rows = await self.db.fetchall(
            "SELECT user_id, status, attempts, error FROM outbox WHERE campaign_id = ?",
            (campaign_id,),
        )
        return {r["user_id"]: (r["status"], r["attempts"], r["error"]) for r in rows}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = Database(tmp_path / "bot.db")
    await db.open()
    config = parse_config(
        {
            "organization": {"departments": [{"id": "office", "name": "办公室"}]},
            "telegram": {"rate_limits": {"overall_per_second": 30, "per_chat_per_second": 1}},
        },
        require_token=False,
    )
    members = MemberRepository(db)
    async with db.transaction() as tx:
        for user_id in range(1, 6):
            await members.upsert_joined(
                tx,
                user_id=user_id,
                first_name=f"成员{user_id}",
                username=None,
                department_id="office",
                now=NOW,
            )
    await members.set_language(2, "en", NOW)
    await members.set_status(5, MemberStatus.LEFT, NOW)
    clock = FakeClock()
    delivery = DeliveryService(config, db, MembershipService(config, db))
    sender = RecordingSender(clock)
    worker = DeliveryWorker(delivery, sender, clocks=clock.clocks())
    try:
        yield World(db, delivery, clock, sender, worker)
    finally:
        await worker.stop()
        await db.close()


async def campaign(w: World, key: str, members: list[int], **kw: object) -> int:
    created = await w.delivery.create_campaign(key, "notice", NOTICE, members, now=NOW, **kw)
    return created.campaign_id


async def test_each_member_gets_one_copy_in_their_language_paced(world: World) -> None:
    w = world
    cid = await campaign(w, "k", [1, 2, 3, 4, 5])
    await w.run()
    sends = w.sender.sends()
    assert sorted((c.chat_id, c.text) for c in sends) == [
        (1, "节前提醒"),
        (2, "Before the holiday"),
        (3, "节前提醒"),
        (4, "节前提醒"),
    ]
    gaps = [b.at - a.at for a, b in itertools.pairwise(sends)]
    assert all(gap >= w.worker.pacer.interval - 0.006 for gap in gaps)  # ≤ 30/s, within slack
    assert sum(w.clock.slept) > 0  # the pacing waited, on the fake clock only
    rows = await w.outbox(cid)
    assert rows == {
        1: ("sent", 1, None),
        2: ("sent", 1, None),
        3: ("sent", 1, None),
        4: ("sent", 1, None),
        5: ("skipped", 0, "not a member"),  # left before their turn
    }
    await w.run()  # nothing left: the campaign is finished and nobody is sent twice
    assert len(w.sender.sends()) == 4
    finished = await w.delivery.campaign(cid)
    assert finished is not None
    assert finished.status == "done"


async def test_a_crash_between_claim_and_answer_leaves_unknown_never_resent(
    world: World,
) -> None:
    w = world
    w.sender.hang.add(1)
    cid = await campaign(w, "crash", [1, 2])
    await w.worker.step()  # both claimed and sent; member 1's answer never comes
    await asyncio.sleep(0)
    assert (await w.outbox(cid))[1][0] == "sending"
    for task in list(w.worker._in_flight):  # the process dies here
        task.cancel()
    await asyncio.gather(*w.worker._in_flight, return_exceptions=True)

    restarted = w.new_worker()
    assert await restarted.recover() == 1
    await w.run(2)
    assert sorted(c.chat_id for c in w.sender.sends()) == [1, 2]  # 1 was not tried again
    rows = await w.outbox(cid)
    assert rows[1] == ("unknown", 1, "interrupted while sending")
    assert rows[2][0] == "sent"
    report = await w.delivery.report(cid)
    assert (report.sent, report.unknown, report.remaining) == (1, 1, 0)


async def test_429_waits_retry_after_for_every_broadcast_then_sends(world: World) -> None:
    w = world
    w.sender.answer(1, SendResult(failure=Failure.FLOOD, detail="RetryAfter: 5", retry_after=5))
    first = await campaign(w, "flood", [1])
    await w.run()
    assert (await w.outbox(first))[1] == ("pending", 1, "RetryAfter: 5")
    assert await w.delivery.next_retry_at() == w.clock.wall + timedelta(seconds=5)
    paused_from = w.clock.mono
    assert w.worker.pacer.paused(paused_from) == pytest.approx(5)

    other = await campaign(w, "other", [3])  # another broadcast waits out the same pause
    await w.run()
    [to_other] = w.sender.sends(3)
    assert to_other.at >= paused_from + 5
    assert await w.delivery.due(w.clock.wall, 10) != []  # the retry is due by now
    await w.run()
    assert (await w.outbox(first))[1] == ("sent", 2, None)
    assert (await w.outbox(other))[3][0] == "sent"
    assert len(w.sender.sends(1)) == 2


async def test_5xx_and_unsent_timeouts_are_retried_with_back_off(world: World) -> None:
    w = world
    w.sender.answer(
        1,
        SendResult(failure=Failure.TRANSIENT, detail="NetworkError: Bad Gateway"),
        SendResult(failure=Failure.TRANSIENT, detail="TimedOut: connect timeout"),
    )
    cid = await campaign(w, "5xx", [1])
    await w.run()
    assert (await w.outbox(cid))[1] == ("pending", 1, "NetworkError: Bad Gateway")
    # Back-off doubles from 1 s, half of it jittered (jitter 0 here): 0.5 s, then 1 s.
    assert await w.delivery.next_retry_at() == w.clock.wall + timedelta(seconds=0.5)
    w.clock.advance(0.5)
    # Due again, but its chat had a message 0.5 s ago: one round waits out the chat's
    # one-per-second spacing, the next sends.
    await w.run()
    assert (await w.outbox(cid))[1] == ("pending", 1, "NetworkError: Bad Gateway")
    await w.run()
    assert (await w.outbox(cid))[1] == ("pending", 2, "TimedOut: connect timeout")
    assert await w.delivery.next_retry_at() == w.clock.wall + timedelta(seconds=1)
    w.clock.advance(1)
    await w.run(2)  # the chat's spacing is a little over a second: it may take a round
    assert (await w.outbox(cid))[1] == ("sent", 3, None)
    assert len(w.sender.sends(1)) == 3


async def test_transient_failures_give_up_after_five_attempts(world: World) -> None:
    w = world
    w.sender.answer(1, *[SendResult(failure=Failure.TRANSIENT, detail="NetworkError: 502")] * 5)
    cid = await campaign(w, "give-up", [1])
    for _ in range(5):
        await w.run()
        w.clock.advance(60)
    assert (await w.outbox(cid))[1] == ("failed", 5, "NetworkError: 502")
    assert len(w.sender.sends(1)) == 5


async def test_a_read_timeout_or_a_broken_sender_is_unknown_and_not_resent(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    w = world
    w.sender.answer(
        1, SendResult(failure=Failure.AMBIGUOUS, detail="TimedOut: read", error="TimedOut")
    )
    w.sender.answer(3, RuntimeError("sender bug"))
    cid = await campaign(w, "lost", [1, 3])
    await w.run(2)
    rows = await w.outbox(cid)
    assert rows[1] == ("unknown", 1, "TimedOut: read")
    assert rows[3] == ("unknown", 1, "RuntimeError: sender bug")
    assert sorted(c.chat_id for c in w.sender.sends()) == [1, 3]
    assert "a send's answer was lost (TimedOut); not resending" in caplog.text


async def test_403_blocks_the_row_and_makes_the_member_unreachable(world: World) -> None:
    w = world
    w.sender.answer(4, SendResult(failure=Failure.BLOCKED, detail="Forbidden: bot was blocked"))
    cid = await campaign(w, "blocked", [3, 4])
    await w.run()
    assert (await w.outbox(cid))[4] == ("blocked", 1, "Forbidden: bot was blocked")
    member = await w.delivery.membership.member(4)
    assert member is not None
    assert member.status is MemberStatus.INACTIVE
    later = await campaign(w, "later", await w.delivery.membership.active_ids())
    await w.run()
    assert 4 not in await w.outbox(later)  # no longer in an audience of active members


async def test_a_notice_that_cannot_be_rendered_fails_without_a_request(world: World) -> None:
    w = world
    cid = await campaign(w, "broken:1", [1])
    await w.run()
    assert (await w.outbox(cid))[1] == ("failed", 0, "unknown button action 'nothing:1'")
    assert w.sender.sends() == []


async def test_stopping_between_claim_and_request_puts_the_row_back(world: World) -> None:
    w = world
    cid = await campaign(w, "stop", [1])
    # Another send to this chat a moment ago: the row must wait for its chat's turn.
    w.worker.note_send(1)
    stepping = asyncio.create_task(w.worker.step())
    await asyncio.sleep(0)
    await w.worker.stop()
    await stepping
    assert (await w.outbox(cid))[1] == ("pending", 0, None)
    assert w.sender.sends() == []


async def test_the_progress_message_shows_the_numbers_then_the_report(world: World) -> None:
    w = world
    cid = await campaign(w, "progress", [1, 2, 3], progress=(1, 555))
    await w.run(2)
    edits = [c for c in w.sender.calls if c.method == "edit"]
    assert edits, "no progress edit"
    assert edits[-1].chat_id == 1
    assert "3" in edits[-1].text  # the final report counts the three sends
    report = await w.delivery.report(cid)
    assert report.sent == 3
    # The admin's chat had the notice too: the edit keeps that chat's one-per-second spacing.
    [notice] = w.sender.sends(1)
    assert edits[0].at - notice.at >= w.worker.pacer.chat_interval - 0.006
