"""The delivery worker: sends every campaign's outbox, paced, at most once each.

One path for reminders, assigned-quiz notices and admin notices. Campaigns are created by
`DeliveryService.create_campaign`; this worker, started at start-up, picks up pending outbox
rows and sends them through a `Sender` (bot/domain/sending.py; Telegram's is bot/tg/sender.py):

- at most `overall_per_second` overall and `per_chat_per_second` per chat (bot/domain/pacing.py),
  with several requests in flight so round trips do not lower the rate;
- a 429 pauses every broadcast for retry_after and puts the row back; 5xx, gateway timeouts and
  connections never made are retried with back-off; 403 marks the row blocked and the member
  unreachable; 400 fails the row with Telegram's description;
- each row is claimed (`sending`) and committed before its request goes out, and marked `sent`
  (with the message id) as soon as the answer arrives. Telegram has no idempotency key, so a row
  whose answer was lost — a crash or kill between the two marks, or a read timeout — may or may
  not have been delivered: it becomes `unknown` and is never resent ("never sends twice").
  Reports count those rows so an admin can see them.

Time comes in through `Clocks` (wall time for the outbox, monotonic seconds for pacing, and the
sleep; bot/services/delivery_settings.py), so tests drive the worker with a fake clock and no
real waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic

from bot.domain.delivery import (
    Campaign,
    CampaignReport,
    Failure,
    OutboxItem,
    OutboxStatus,
    decide,
)
from bot.domain.members import MemberStatus
from bot.domain.pacing import Pacer
from bot.domain.sending import M, NoticeError, Sender, SendResult
from bot.i18n import translate
from bot.services.delivery import DeliveryService, progress_text
from bot.services.delivery_settings import Clocks, WorkerSettings
from bot.services.delivery_waits import PacedWaits

log = logging.getLogger(__name__)


@dataclass
class _Progress:
    """What a campaign's progress message last showed, and when."""

    shown: tuple[int, int, int] | None = None
    at: float = float("-inf")


class DeliveryWorker(Generic[M]):
    """Sends pending outbox rows in the background, paced and recorded."""

    def __init__(
        self,
        delivery: DeliveryService,
        sender: Sender[M],
        settings: WorkerSettings | None = None,
        *,
        clocks: Clocks | None = None,
    ) -> None:
        self.delivery = delivery
        self.sender = sender
        self.settings = settings or WorkerSettings()
        self.clocks = clocks or Clocks()
        limits = delivery.config.telegram.rate_limits
        self.pacer = Pacer(limits.overall_per_second, limits.per_chat_per_second)
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._waits = PacedWaits(self.pacer, self.clocks, self._stop)
        self._task: asyncio.Task[None] | None = None
        self._campaigns: dict[int, Campaign] = {}
        self._progress: dict[int, _Progress] = {}
        self._last_review = float("-inf")
        self._edits_waiting = 0  # progress edits whose chat is ready: they go before the queue

    # -- lifecycle ---------------------------------------------------------------------------

    async def recover(self) -> int:
        """Settle what a crash left in flight: `unknown`, never resent. How many rows."""
        interrupted = await self.delivery.settle_interrupted()
        if interrupted:
            log.warning(
                "%d sends were in flight when the bot last stopped; marked unknown, not resent",
                interrupted,
            )
        return interrupted

    async def start(self) -> None:
        """Settle what a crash left in flight, then start sending in the background."""
        await self.recover()
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="delivery worker")

    def note_send(self, chat_id: int | None) -> None:
        """A reply to a member went out past the worker: keep that chat's and the bot's spacing."""
        self.pacer.note(self.clocks.monotonic(), chat_id)

    async def stop(self) -> None:
        """Stop taking rows; let sends in flight record their answer (bounded wait)."""
        self._stop.set()
        if self._task is not None:
            task, self._task = self._task, None
            try:
                await asyncio.wait_for(task, timeout=self.settings.stop_grace)
            except TimeoutError:
                log.warning("delivery worker did not stop in time; cancelled")
        if self._in_flight:
            _done, pending = await asyncio.wait(self._in_flight, timeout=self.settings.stop_grace)
            for task in pending:
                # Its row stays `sending` and becomes `unknown` at the next start.
                task.cancel()
            if pending:
                await asyncio.wait(pending)

    async def flush(self) -> None:
        """Wait until the sends and edits in flight have recorded their outcome."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))

    async def drain(self) -> None:
        """Wait until no campaign runs and reports are shown (tests; wrap in asyncio.timeout)."""
        while True:
            if not await self.delivery.running() and not self._in_flight:
                # A round that has just finished a campaign spawns its report once it resumes:
                # look again after it had the chance.
                await asyncio.sleep(0.05)
                if not self._in_flight and not await self.delivery.running():
                    return
            self.delivery.work.set()
            await asyncio.sleep(0.05)

    # -- the loop ----------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not await self.step():
                    await self._idle()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed; trying again shortly")
                await self._waits.sleep(5.0)

    async def step(self) -> bool:
        """One round: start the sends that are due; False if nothing was (campaigns reviewed)."""
        self.delivery.work.clear()
        items = await self.delivery.due(self.clocks.wall(), self.settings.batch)
        if not items:
            await self._review_campaigns(force=True)
            return False
        deferred: list[float] = []
        for item in items:
            if self._stop.is_set():
                return True
            now = self.clocks.monotonic()
            chat_wait = self.pacer.delay(now, item.user_id) - self.pacer.delay(now)
            if chat_wait > self.pacer.interval:
                # This chat had a message a moment ago (another campaign, a progress edit):
                # serve other members meanwhile.
                deferred.append(chat_wait)
                continue
            while self._edits_waiting and not self._stop.is_set():
                await self._waits.sleep(self.pacer.interval)  # a progress edit takes the next slot
            await self._dispatch(item)
            await self._review_campaigns()
        if len(deferred) == len(items):
            await self._waits.sleep(min(deferred))
        return True

    async def _idle(self) -> None:
        """Sleep until new work, the next retry, or a while."""
        wait = self.settings.idle_wait
        next_retry = await self.delivery.next_retry_at()
        if next_retry is not None:
            wait = min(wait, max(0.01, (next_retry - self.clocks.wall()).total_seconds()))
        if self._progress_pending():
            wait = min(wait, self.settings.progress_every)
        await self._waits.sleep(wait, wake=self.delivery.work)

    # -- one send ----------------------------------------------------------------------------

    async def _dispatch(self, item: OutboxItem) -> None:
        """Claim one row and start its send when its turn comes."""
        delivery = self.delivery
        if item.member_status in (None, MemberStatus.LEFT):
            await delivery.conclude(item, OutboxStatus.SKIPPED, "not a member")
            return
        campaign = await self._campaign(item.campaign_id)
        try:
            message = self.sender.prepare(campaign, item.language)
        except NoticeError as exc:
            await delivery.conclude(item, OutboxStatus.FAILED, str(exc))
            return
        await self._slots.acquire()
        try:
            # Claim the row only when its turn is near, so that a pause (429) or a crash does
            # not leave it marked `sending` while it waits.
            await self._waits.for_turn(item.user_id, lead=self.pacer.interval)
            if self._stop.is_set() or not await delivery.claim(item):
                self._slots.release()
                return
            await self._waits.for_turn(item.user_id)
            if self._stop.is_set():
                # Stopping between the claim and the request: nothing went out; put it back.
                await delivery.unclaim(item)
                self._slots.release()
                return
            self.pacer.take(self.clocks.monotonic(), item.user_id)
        except BaseException:
            self._slots.release()
            raise
        self._spawn(self._send(item, message))

    async def _send(self, item: OutboxItem, message: M) -> None:
        try:
            try:
                result = await self.sender.send(item.user_id, message)
            except Exception as exc:  # a sender that broke its promise: the request may be out
                result = SendResult(
                    failure=Failure.AMBIGUOUS,
                    detail=f"{type(exc).__name__}: {exc}",
                    error=type(exc).__name__,
                )
            if result.ok and result.message_id is not None:
                await self.delivery.sent(item)
            else:
                await self._failed(item, result)
        except Exception:
            log.exception("could not record a delivery outcome")
        finally:
            self._slots.release()
            self.delivery.work.set()

    async def _failed(self, item: OutboxItem, result: SendResult) -> None:
        """Record a failed attempt: retry later, or its final status."""
        failure = result.failure or Failure.AMBIGUOUS  # "ok" without a message: not provable
        if failure is Failure.FLOOD:
            # Telegram's flood control is for the whole bot: every broadcast waits.
            self.pacer.pause(self.clocks.monotonic(), result.retry_after)
        decision = decide(
            failure,
            item.attempts + 1,
            self.settings.retry,
            retry_after=result.retry_after,
            jitter=self.clocks.jitter(),
        )
        detail = result.detail[:500]
        now = self.clocks.wall()
        if decision.status is OutboxStatus.PENDING:
            at = now + timedelta(seconds=decision.retry_in or 0.0)
            await self.delivery.retry_later(item, detail, at)
            return
        await self.delivery.conclude(item, decision.status, detail)
        if decision.status is OutboxStatus.BLOCKED:
            await self.delivery.membership.mark_unreachable(item.user_id, now)
        if failure is Failure.AMBIGUOUS:
            log.warning("a send's answer was lost (%s); not resending", result.error or "?")

    async def _campaign(self, campaign_id: int) -> Campaign:
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            campaign = await self.delivery.campaign(campaign_id)
            assert campaign is not None, f"outbox row of missing campaign {campaign_id}"
            self._campaigns[campaign_id] = campaign
        return campaign

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    # -- progress and reports ----------------------------------------------------------------

    def _progress_pending(self) -> bool:
        return any(c.progress_message for c in self._campaigns.values() if c.status == "running")

    async def _review_campaigns(self, *, force: bool = False) -> None:
        """Finish campaigns with nothing left; edit progress messages (at most every ~2 s)."""
        now = self.clocks.monotonic()
        if not force and now - self._last_review < self.settings.review_every:
            return
        self._last_review = now
        for campaign in await self.delivery.running():
            self._campaigns.setdefault(campaign.id, campaign)
            report = await self.delivery.report(campaign.id)
            if report.finished:
                if await self.delivery.finish(campaign.id, self.clocks.wall()):
                    self._finished(campaign, report)
            elif campaign.progress_chat and campaign.progress_message:
                self._show_progress(campaign, report, now)

    def _show_progress(self, campaign: Campaign, report: CampaignReport, now: float) -> None:
        state = self._progress.get(campaign.id)
        if state is None:
            # The confirmation already shows the numbers at the start: the first edit comes
            # `first_progress_after` seconds on, the next ones every `progress_every`.
            settings = self.settings
            state = _Progress(at=now - settings.progress_every + settings.first_progress_after)
            self._progress[campaign.id] = state
        numbers = (report.sent, report.failed + report.blocked + report.unknown, report.remaining)
        if numbers == state.shown or now - state.at < self.settings.progress_every:
            return
        state.shown, state.at = numbers, now
        self._spawn(self._edit_progress(campaign, "delivery.progress", report))

    def _finished(self, campaign: Campaign, report: CampaignReport) -> None:
        log.info(
            "campaign %s (%s) done: %d sent, %d failed, %d blocked, %d unknown, %d skipped",
            campaign.key,
            campaign.kind,
            report.sent,
            report.failed,
            report.blocked,
            report.unknown,
            report.skipped,
        )
        self._campaigns.pop(campaign.id, None)
        self._progress.pop(campaign.id, None)
        if campaign.progress_chat and campaign.progress_message:
            self._spawn(self._edit_progress(campaign, "delivery.report", report))

    async def _edit_progress(self, campaign: Campaign, key: str, report: CampaignReport) -> None:
        """Edit the admin's progress message (paced like every other send)."""
        chat, message_id = campaign.progress_chat, campaign.progress_message
        assert chat is not None
        assert message_id is not None
        language = await self.delivery.membership.language_of(chat)
        final = key == "delivery.report"
        for _attempt in range(3):
            await self._waits.for_chat(chat, finish=final)
            # The chat is ready: the next overall slot is this edit's, not the queue's (else a
            # long campaign would show no progress until its last send).
            self._edits_waiting += 1
            try:
                if not final:
                    report = await self.delivery.report(campaign.id)  # fresh numbers
                await self._waits.for_turn(chat, finish=final)
                if not final and (self._stop.is_set() or campaign.id not in self._progress):
                    return  # stopping, or the campaign finished meanwhile: the report wins
                self.pacer.take(self.clocks.monotonic(), chat)
            finally:
                self._edits_waiting -= 1
            if final:
                acks = await self.delivery.acknowledgements(campaign.id)
                text = progress_text(language, key, report, acks)
                # The report can be refreshed later: acknowledgements keep coming in.
                refresh = (
                    translate(language, "delivery.refresh"),
                    f"campaign_report:{campaign.id}",
                )
                result = await self.sender.edit(chat, message_id, text, refresh)
            else:
                result = await self.sender.edit(
                    chat, message_id, progress_text(language, key, report)
                )
            if result.failure is Failure.FLOOD:
                self.pacer.pause(self.clocks.monotonic(), result.retry_after)
                continue
            if result.failure in (Failure.TRANSIENT, Failure.AMBIGUOUS):
                log.warning("progress message not updated: %s", result.detail)
                await self._waits.sleep(1.0)
                continue
            if result.failure is Failure.REJECTED:
                log.warning("progress message not updated: %s", result.detail)
            return  # shown, refused, or the admin blocked the bot
