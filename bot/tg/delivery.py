"""The delivery worker: sends every campaign's outbox through Telegram, paced, at most once each.

One path for reminders, assigned-quiz notices and admin notices. Campaigns are created by
`services.delivery.create_campaign` (PTB-free); this worker, started in post_init, picks up
pending outbox rows and sends them:

- at most `overall_per_second` overall and `per_chat_per_second` per chat (bot/domain/pacing.py),
  with several requests in flight so round trips do not lower the rate;
- a 429 pauses every broadcast for retry_after and puts the row back; 5xx, gateway timeouts and
  connections never made are retried with back-off; 403 marks the row blocked and the member
  inactive; 400 fails the row with Telegram's description;
- each row is marked `sending` and committed before its request goes out, and `sent` (with the
  message id) as soon as the answer arrives. Telegram has no idempotency key, so a row whose
  answer was lost — a crash or kill between the two marks, or a read timeout — may or may not
  have been delivered: it becomes `unknown` and is never resent ("never sends twice"). Reports
  count those rows so an admin can see them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.domain.delivery import (
    Campaign,
    CampaignReport,
    Decision,
    Failure,
    Notice,
    NoticeButton,
    OutboxStatus,
    RetryPolicy,
    decide,
)
from bot.domain.members import MemberStatus
from bot.domain.pacing import Pacer
from bot.i18n import translate
from bot.services.delivery import DeliveryService
from bot.services.registry import Services
from bot.storage.outbox import OutboxItem
from bot.tg import callbacks as cb
from bot.tg.keyboards import button
from bot.tg.ratelimit import ENGINE_CALL, SharedRateLimiter

log = logging.getLogger(__name__)

WORKER_KEY = "delivery_worker"

# Transport failures that happen before a request reaches the server: safe to retry.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

ActionResolver = Callable[[str], str | None]


def _assignment_action(argument: str) -> str | None:
    return cb.AssignmentStart(int(argument)).encode() if argument.isdigit() else None


def _daily_action(argument: str) -> str | None:
    return cb.DailyStart(argument).encode() if argument.isdigit() and len(argument) == 8 else None


# Named button actions that PTB-free services put in payloads ("assignment:12"), by name.
ACTIONS: dict[str, Callable[[str], str | None]] = {
    "assignment": _assignment_action,
    "daily": _daily_action,
}


def resolve_action(action: str) -> str | None:
    """Callback data for a named action, e.g. `assignment:12`; None if unknown."""
    name, _, argument = action.partition(":")
    handler = ACTIONS.get(name)
    return handler(argument) if handler else None


def classify(error: BaseException) -> Failure:
    """How a failed send counts: retry, give up, or treat as possibly delivered."""
    if isinstance(error, RetryAfter):
        return Failure.FLOOD
    if isinstance(error, Forbidden):
        return Failure.BLOCKED
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: check it first
        return Failure.REJECTED
    if isinstance(error, NetworkError):  # includes TimedOut
        cause = error.__cause__
        if isinstance(cause, _NOT_SENT):
            return Failure.TRANSIENT
        if isinstance(cause, httpx.HTTPError) or isinstance(error, TimedOut):
            # The request may have reached Telegram and only the answer was lost.
            return Failure.AMBIGUOUS
        return Failure.TRANSIENT  # Telegram answered 5xx: nothing was sent
    if isinstance(error, TelegramError):  # BadRequest, InvalidToken, Conflict, …
        return Failure.REJECTED
    return Failure.AMBIGUOUS


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds (PTB 22 returns int or timedelta and warns about it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker sends; the rates come from config.telegram.rate_limits."""

    concurrency: int = 16  # requests in flight
    batch: int = 64  # outbox rows read per round
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    read_timeout: float = 20.0  # a send's answer; longer than Telegram's own gateway timeouts
    connect_timeout: float = 5.0
    progress_every: float = 2.0  # seconds between edits of a progress message
    idle_wait: float = 60.0  # longest sleep with nothing due
    stop_grace: float = 10.0  # how long stop() lets sends in flight finish


@dataclass
class _Progress:
    """What a campaign's progress message last showed, and when."""

    shown: tuple[int, int, int] | None = None
    at: float = float("-inf")


class DeliveryWorker:
    """Sends pending outbox rows in the background, paced and recorded."""

    def __init__(
        self,
        bot: Bot,
        services: Services,
        settings: WorkerSettings | None = None,
        *,
        actions: ActionResolver = resolve_action,
        wall: Callable[[], datetime] = utc_now,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.bot = bot
        self.services = services
        self.settings = settings or WorkerSettings()
        limits = services.config.telegram.rate_limits
        self.pacer = Pacer(limits.overall_per_second, limits.per_chat_per_second)
        self._actions = actions
        # Retry times are real time even where tests freeze the services' clock: Telegram's
        # retry_after and back-off are physical seconds.
        self._wall = wall
        self._jitter = jitter
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._campaigns: dict[int, Campaign] = {}
        self._progress: dict[int, _Progress] = {}
        self._last_review = float("-inf")

    @property
    def delivery(self) -> DeliveryService:
        """The PTB-free half of the engine: campaigns, outbox, reports."""
        return self.services.delivery

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Settle what a crash left in flight, then start sending in the background."""
        interrupted = await self.delivery.outbox.settle_interrupted(self._wall())
        if interrupted:
            log.warning(
                "%d sends were in flight when the bot last stopped; marked unknown, not resent",
                interrupted,
            )
        self._stop.clear()
        if isinstance(self._limiter, SharedRateLimiter):
            self._limiter.observe(self._other_send)
        self._task = asyncio.create_task(self._run(), name="delivery worker")

    @property
    def _limiter(self) -> object:
        """The bot's rate limiter (ExtBot has one; a plain Bot has none)."""
        return getattr(self.bot, "rate_limiter", None)

    def _other_send(self, chat_id: int | None) -> None:
        """A reply to a member went out: keep that chat's and the bot's spacing."""
        self.pacer.note(time.monotonic(), chat_id)

    async def stop(self) -> None:
        """Stop taking rows; let sends in flight record their answer (bounded wait)."""
        self._stop.set()
        if isinstance(self._limiter, SharedRateLimiter):
            self._limiter.forget(self._other_send)
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

    async def drain(self) -> None:
        """Wait until no campaign runs and reports are shown (tests; wrap in asyncio.timeout)."""
        while True:
            if not await self.delivery.campaigns.running() and not self._in_flight:
                # A round that has just finished a campaign spawns its report once it resumes:
                # look again after it had the chance.
                await asyncio.sleep(0.05)
                if not self._in_flight and not await self.delivery.campaigns.running():
                    return
            self.delivery.work.set()
            await asyncio.sleep(0.05)

    # -- the loop ----------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self._round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed; trying again shortly")
                await self._sleep(5.0)

    async def _round(self) -> None:
        work = self.delivery.work
        work.clear()
        items = await self.delivery.outbox.due(self._wall(), self.settings.batch)
        if not items:
            await self._review_campaigns(force=True)
            await self._idle()
            return
        deferred: list[float] = []
        for item in items:
            if self._stop.is_set():
                return
            now = time.monotonic()
            chat_wait = self.pacer.delay(now, item.user_id) - self.pacer.delay(now)
            if chat_wait > self.pacer.interval:
                # This chat had a message a moment ago (another campaign, a progress edit):
                # serve other members meanwhile.
                deferred.append(chat_wait)
                continue
            await self._dispatch(item)
            await self._review_campaigns()
        if len(deferred) == len(items):
            await self._sleep(min(deferred))

    async def _idle(self) -> None:
        """Sleep until new work, the next retry, or a while."""
        wait = self.settings.idle_wait
        next_retry = await self.delivery.outbox.next_retry_at()
        if next_retry is not None:
            wait = min(wait, max(0.01, (next_retry - self._wall()).total_seconds()))
        if self._progress_pending():
            wait = min(wait, self.settings.progress_every)
        work = asyncio.create_task(self.delivery.work.wait())
        stop = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({work, stop}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            work.cancel()
            stop.cancel()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake up at once when stopping."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def _wait_for_turn(
        self, chat_id: int, lead: float = 0.0, *, finish: bool = False
    ) -> None:
        """Sleep until a send to `chat_id` is `lead` seconds away; `finish`: even when stopping."""
        while finish or not self._stop.is_set():
            wait = self.pacer.delay(time.monotonic(), chat_id) - lead
            if wait <= 0:
                return
            if finish:
                await asyncio.sleep(wait)
            else:
                await self._sleep(wait)

    # -- one send ----------------------------------------------------------------------------

    async def _dispatch(self, item: OutboxItem) -> None:
        """Claim one row and start its send when its turn comes."""
        outbox = self.delivery.outbox
        if item.member_status in (None, MemberStatus.LEFT):
            await outbox.conclude(
                item.campaign_id, item.user_id, OutboxStatus.SKIPPED, "not a member", self._wall()
            )
            return
        campaign = await self._campaign(item.campaign_id)
        try:
            text, markup = self.render(campaign, item.language)
        except (ValueError, KeyError) as exc:
            await outbox.conclude(
                item.campaign_id, item.user_id, OutboxStatus.FAILED, str(exc), self._wall()
            )
            return
        await self._slots.acquire()
        try:
            # Claim the row only when its turn is near, so that a pause (429) or a crash does
            # not leave it marked `sending` while it waits.
            await self._wait_for_turn(item.user_id, lead=self.pacer.interval)
            if self._stop.is_set() or not await outbox.mark_sending(
                item.campaign_id, item.user_id, self._wall()
            ):
                self._slots.release()
                return
            await self._wait_for_turn(item.user_id)
            if self._stop.is_set():
                # Stopping between the claim and the request: nothing went out; put it back.
                await outbox.unclaim(item.campaign_id, item.user_id, self._wall())
                self._slots.release()
                return
            self.pacer.take(time.monotonic(), item.user_id)
        except BaseException:
            self._slots.release()
            raise
        task = asyncio.create_task(self._send(item, text, markup))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _send(self, item: OutboxItem, text: str, markup: InlineKeyboardMarkup | None) -> None:
        outbox = self.delivery.outbox
        try:
            try:
                message = await self.bot.send_message(
                    chat_id=item.user_id,
                    text=text,
                    reply_markup=markup,
                    rate_limit_args=ENGINE_CALL,
                    read_timeout=self.settings.read_timeout,
                    connect_timeout=self.settings.connect_timeout,
                    write_timeout=self.settings.connect_timeout,
                    pool_timeout=self.settings.connect_timeout,
                )
            except Exception as exc:
                await self._failed(item, exc)
            else:
                await outbox.mark_sent(
                    item.campaign_id, item.user_id, message.message_id, self._wall()
                )
        except Exception:
            log.exception("could not record a delivery outcome")
        finally:
            self._slots.release()
            self.delivery.work.set()

    async def _failed(self, item: OutboxItem, error: Exception) -> None:
        """Record a failed attempt: retry later, or its final status."""
        failure = classify(error)
        attempts = item.attempts + 1
        wait = 0.0
        if isinstance(error, RetryAfter):
            wait = retry_after_seconds(error)
            # Telegram's flood control is for the whole bot: every broadcast waits.
            self.pacer.pause(time.monotonic(), wait)
        decision: Decision = decide(
            failure, attempts, self.settings.retry, retry_after=wait, jitter=self._jitter()
        )
        detail = f"{type(error).__name__}: {error}"[:500]
        now = self._wall()
        outbox = self.delivery.outbox
        if decision.status is OutboxStatus.PENDING:
            at = now + timedelta(seconds=decision.retry_in or 0.0)
            await outbox.retry_later(item.campaign_id, item.user_id, detail, at, now)
            return
        await outbox.conclude(item.campaign_id, item.user_id, decision.status, detail, now)
        if decision.status is OutboxStatus.BLOCKED:
            await self.services.membership.members.mark_inactive(item.user_id, now)
        if failure is Failure.AMBIGUOUS:
            log.warning("a send's answer was lost (%s); not resending", type(error).__name__)

    # -- rendering ---------------------------------------------------------------------------

    async def _campaign(self, campaign_id: int) -> Campaign:
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            campaign = await self.delivery.campaign(campaign_id)
            assert campaign is not None, f"outbox row of missing campaign {campaign_id}"
            self._campaigns[campaign_id] = campaign
        return campaign

    def render(
        self, campaign: Campaign, language: str | None
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The message a member sees, in their language (else the configured default)."""
        default = self.services.config.language
        lang = language or default
        notice: Notice = campaign.notice
        rows = [[self._button(b, lang, default) for b in row] for row in notice.buttons]
        if notice.ack:
            rows.append(
                [button(translate(lang, "delivery.ack_button"), cb.Acknowledge(campaign.id))]
            )
        return notice.text_for(lang, default), InlineKeyboardMarkup(rows) if rows else None

    def _button(self, spec: NoticeButton, language: str, default: str) -> InlineKeyboardButton:
        label = (
            spec.label.get(language) or spec.label.get(default) or next(iter(spec.label.values()))
        )
        data = spec.data
        if spec.action is not None:
            data = self._actions(spec.action)
            if data is None:
                raise ValueError(f"unknown button action {spec.action!r}")
        return InlineKeyboardButton(label, callback_data=data)

    # -- progress and reports ----------------------------------------------------------------

    def _progress_pending(self) -> bool:
        return any(c.progress_message for c in self._campaigns.values() if c.status == "running")

    async def _review_campaigns(self, *, force: bool = False) -> None:
        """Finish campaigns with nothing left; edit progress messages (at most every ~2 s)."""
        now = time.monotonic()
        if not force and now - self._last_review < self.settings.progress_every:
            return
        self._last_review = now
        for campaign in await self.delivery.campaigns.running():
            self._campaigns.setdefault(campaign.id, campaign)
            report = await self.delivery.report(campaign.id)
            if report.finished:
                if await self.delivery.campaigns.finish(campaign.id, self._wall()):
                    self._finished(campaign, report)
            elif campaign.progress_chat and campaign.progress_message:
                self._show_progress(campaign, report, now)

    def _show_progress(self, campaign: Campaign, report: CampaignReport, now: float) -> None:
        state = self._progress.setdefault(campaign.id, _Progress())
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

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _edit_progress(self, campaign: Campaign, key: str, report: CampaignReport) -> None:
        """Edit the admin's progress message (paced like every other send)."""
        chat, message_id = campaign.progress_chat, campaign.progress_message
        assert chat is not None
        assert message_id is not None
        member = await self.services.membership.members.get(chat)
        language = (member.language if member else None) or self.services.config.language
        final = key == "delivery.report"
        for _attempt in range(3):
            await self._wait_for_turn(chat, lead=self.pacer.interval, finish=final)
            if not final:
                report = await self.delivery.report(campaign.id)  # fresh numbers when shown
            await self._wait_for_turn(chat, finish=final)
            if not final and (self._stop.is_set() or campaign.id not in self._progress):
                return  # stopping, or the campaign finished meanwhile: the report wins
            self.pacer.take(time.monotonic(), chat)
            text = progress_text(language, key, report)
            try:
                await self.bot.edit_message_text(
                    text, chat_id=chat, message_id=message_id, rate_limit_args=ENGINE_CALL
                )
                return
            except RetryAfter as exc:
                self.pacer.pause(time.monotonic(), retry_after_seconds(exc))
            except BadRequest as exc:
                if "not modified" not in str(exc):
                    log.warning("progress message not updated: %s", exc)
                return
            except Forbidden:
                return
            except TelegramError as exc:
                log.warning("progress message not updated: %s", exc)
                await self._sleep(1.0)


def progress_text(language: str, key: str, report: CampaignReport) -> str:
    """A campaign's progress or final report, in one language."""
    return translate(
        language,
        key,
        total=report.total,
        sent=report.sent,
        failed=report.failed,
        problems=report.failed + report.blocked + report.unknown,
        blocked=report.blocked,
        unknown=report.unknown,
        skipped=report.skipped,
        remaining=report.remaining,
    )
