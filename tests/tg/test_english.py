"""Members who chose English read English: no Chinese outside the content they are shown.

"Content" is exactly what the scenario seeds or types and the bot quotes back: the question
bank (title, tags, stems, options, explanations, sources), the organisation and department
names from the config, the members' Telegram names, the text members type (a report, a
broadcast, a note, a unit), the Chinese reminder text (as Chinese members receive it) and the
"中文" button that names Chinese in Chinese. The test removes exactly those strings from what
the bot showed and then finds no CJK character and no Chinese punctuation in the rest.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.services.reminders import schedule_example
from bot.tg.digest import DIGEST_JOB
from bot.tg.jobs import SCHEDULE_CHECK_JOB
from bot.tg.quiz_jobs import DAILY_JOB, DEADLINE_JOB
from tests.harness import ADMIN, LEADER, REVIEWER, Harness, buttons, make_config
from tests.tg.delivery_support import drain
from tests.tg.report_support import CODE_RE, batch, code_in, png, tick

CADRE = 701
OTHER = 702
ORG = "测试县应急管理局"
BANK = """\
id: english-bank
title: 测试题库
tags: [作风建设]
questions:
  - id: en-single
    type: single
    stem: 中央八项规定是哪一年审议通过的？
    options: [2012年, 2013年, 2015年]
    answer: A
    explanation: 2012年12月4日中央政治局会议审议通过。
    source: 新华社（2012年12月4日）
    tags: [作风建设]
  - id: en-multiple
    type: multiple
    stem: 下列哪些属于“三公”经费？
    options: [因公出国（境）费, 公务用车购置及运行维护费, 公务接待费, 差旅费]
    answer: [A, B, C]
    explanation: 三公经费包括因公出国（境）费、公务用车购置及运行维护费和公务接待费。
    source: 施甸县政府网站
    tags: [三公经费]
  - id: en-judge
    type: judge
    stem: 开除党籍是党内的最高处分。
    answer: true
    explanation: 党章规定开除党籍是党内的最高处分。
    source: 《中国共产党章程》
    tags: [纪律处分]
"""
BANK_CONTENT = [
    "测试题库",
    "作风建设",
    "三公经费",
    "纪律处分",
    "中央八项规定是哪一年审议通过的？",
    "2012年",
    "2013年",
    "2015年",
    "2012年12月4日中央政治局会议审议通过。",
    "新华社（2012年12月4日）",
    "下列哪些属于“三公”经费？",
    "因公出国（境）费",
    "公务用车购置及运行维护费",
    "公务接待费",
    "差旅费",
    "三公经费包括因公出国（境）费、公务用车购置及运行维护费和公务接待费。",
    "施甸县政府网站",
    "开除党籍是党内的最高处分。",
    "党章规定开除党籍是党内的最高处分。",
    "《中国共产党章程》",
]
CONFIG_CONTENT = [ORG, "办公室", "应急指挥科", "安全生产监督管理科"]
NAMES = ["王管理", "李局长", "赵纪检", "张干部", "陈干部"]
TYPED = {
    "report_unit": "县应急管理局办公室",
    "report_body": "本科室要求每项工作都要拍照留痕、层层填表，同一数据一周内重复报送三次。",
    "report_more": "补充：上周又要求重新报送一次。",
    "note": "已约谈科室负责人，情况基本属实。",
    "reply": "已受理，正在核查。",
    "broadcast": "【通知】请各科室于周五前完成廉政学习。",
}
ENDONYM = "中文"  # the language button names Chinese in Chinese, in every language

# CJK ideographs (with extensions and compatibility forms), kana and Hangul, CJK symbols and
# punctuation (、。「」【】〔〕), fullwidth forms (，：；（）！？), and the curly quotes Chinese
# text uses (“” ‘’) — English messages use straight quotes.
CHINESE = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d"
    "\U00020000-\U0003134f]"
)


class Recorder:
    """Everything the bot showed in English: each message as it looked after every step."""

    def __init__(self, h: Harness, chats: Iterable[int]) -> None:
        self.h = h
        self.chats = list(chats)
        self.seen: set[str] = set()
        self.content: list[str] = []
        self.since = 0  # only message states newer than this revision are recorded

    def start(self) -> None:
        """Record from now on: what the chats show already is left out."""
        sandbox = self.h.sandbox
        self.since = max(
            [0]
            + [m["rev"] for c in self.chats for m in sandbox.messages(c)]
            + [t["rev"] for c in self.chats for t in sandbox.toasts(c)]
        )
        self.seen.clear()

    def snapshot(self) -> None:
        """Record what every chat shows now (texts, captions, buttons, file names, toasts)."""
        for chat in self.chats:
            for m in self.h.sandbox.bot_messages(chat):
                if m["rev"] <= self.since:
                    continue
                document = m.get("document") or {}
                parts = [m.get("text"), m.get("caption"), document.get("file_name")]
                parts += [b["text"] for b in buttons(m)]
                self.seen.update(str(p) for p in parts if p)
            self.seen.update(
                t["text"] for t in self.h.sandbox.toasts(chat) if t["rev"] > self.since
            )

    async def send(self, user_id: int, text: str) -> list[dict[str, Any]]:
        """The member sends text; record what changed."""
        replies = await self.h.send(user_id, text)
        self.snapshot()
        return replies

    async def send_photo(self, user_id: int) -> list[dict[str, Any]]:
        """The member sends a photo; record what changed."""
        replies = await self.h.send_file(user_id, png(), "evidence.png", kind="photo")
        self.snapshot()
        return replies

    async def press(self, user_id: int, message: dict[str, Any], label: str) -> dict[str, Any]:
        """The member presses a button; record what changed."""
        after = await self.h.press(user_id, message, label)
        self.snapshot()
        return after

    def shown(self, text: str) -> bool:
        """Whether some recorded text contains `text`."""
        return any(text in seen for seen in self.seen)

    def leaks(self) -> list[str]:
        """Shown texts that still hold Chinese once the content is removed."""
        content = sorted(set(self.content), key=len, reverse=True)
        found = []
        for text in self.seen:
            rest = text
            for item in content:
                rest = rest.replace(item, "")
            if CHINESE.search(rest):
                found.append(f"{CHINESE.findall(rest)} in {text!r}")
        return sorted(found)


@pytest.fixture
async def english(harness: Harness, tmp_path: Path) -> tuple[Harness, Recorder]:
    """Admin, leader, reviewer and two cadres joined, all switched to English in /settings."""
    h = harness
    banks = tmp_path / "banks"
    banks.mkdir()
    (banks / "english-bank.yaml").write_text(BANK, encoding="utf-8")
    await h.stop()
    h.config = make_config(
        h.sandbox, h.db_path, quiz__content_dir=str(banks), quiz__questions_per_session=3
    )
    await h.start()
    h.services.quiz.rng = random.Random(7)
    people = dict(zip((ADMIN, LEADER, REVIEWER, CADRE, OTHER), NAMES, strict=True))
    for user_id, name in people.items():
        await h.join(user_id, name)
    # OTHER keeps Chinese: what they receive is the content as Chinese members read it.
    recorder = Recorder(h, [p for p in people if p != OTHER])
    for user_id in recorder.chats:
        [settings] = await h.send(user_id, "/settings")
        switched = await h.press(user_id, settings, "English")
        assert "stays in Chinese" in switched["text"]
    # From here on every chat is in English: record only what comes after the switch.
    recorder.start()
    recorder.content += BANK_CONTENT + CONFIG_CONTENT + NAMES + list(TYPED.values()) + [ENDONYM]
    return h, recorder


async def run_job(r: Recorder, name: str, at: datetime) -> None:
    """Run a scheduled job as if its time had come, and let its sends go out."""
    h = r.h
    h.clock.now = at
    assert h.app is not None
    assert h.app.job_queue is not None
    [job] = h.app.job_queue.get_jobs_by_name(name)
    await job.run(h.app)
    await drain(h)
    r.snapshot()


async def _answer_all(r: Recorder, user_id: int, question: dict[str, Any]) -> dict[str, Any]:
    """Answer each question of the round with its first button (submitting multiples)."""
    message = question
    for _ in range(10):
        labels = [b["text"] for b in buttons(message)]
        if any("Another round" in label for label in labels):
            return message
        if "Submit" in labels:
            message = await r.press(user_id, message, labels[0])
            message = await r.press(user_id, message, "Submit")
        else:
            message = await r.press(user_id, message, labels[0])
        newest = r.h.last(user_id)
        if newest["message_id"] != message["message_id"]:
            message = newest
    raise AssertionError("the quiz did not finish")


async def test_english_flows_show_no_chinese_outside_content(
    english: tuple[Harness, Recorder],
) -> None:
    h, r = english
    for user_id in (ADMIN, LEADER, REVIEWER, CADRE):
        await r.send(user_id, "/help")
        await r.send(user_id, "/settings")
    await r.send(CADRE, "/nonsense")
    await r.send(CADRE, "hello")
    await r.send(CADRE, "/cancel")

    # Quiz, mistake book, record.
    [picker] = await r.send(CADRE, "/quiz")
    first = await r.press(CADRE, picker, "测试题库")
    finished = await _answer_all(r, CADRE, first)
    await r.press(CADRE, finished, "Review mistakes")
    await r.send(CADRE, "/review")
    await r.send(CADRE, "/me")

    # An anonymous report (a first one given up), its status, and the reviewer handling it.
    [intro] = await r.send(CADRE, "/report")
    unit = await r.press(CADRE, intro, "Other")
    await r.press(CADRE, unit, "办公室")
    await r.send(CADRE, "too short")
    await r.send(CADRE, "/cancel")
    [intro] = await r.send(CADRE, "/report")
    unit = await r.press(CADRE, intro, "Formalism")
    await r.press(CADRE, unit, "Another unit")
    await r.send(CADRE, TYPED["report_unit"])
    await r.send(CADRE, TYPED["report_body"])
    [copy, ask_more] = await r.send_photo(CADRE)
    assert copy["caption"] == "Attachment 1: the copy reviewers will see"
    preview = await r.press(CADRE, ask_more, "Done")
    await r.press(CADRE, preview, "Submit")
    # Stored at the next write tick, which then brings the receipt code.
    await tick(h)
    r.snapshot()
    code = code_in(
        next(
            m["text"]
            for m in reversed(h.sandbox.bot_messages(CADRE))
            if CODE_RE.search(m["text"] or "")
        )
    )
    await r.send(CADRE, "/status")
    await r.send(CADRE, "not a code")
    await r.send(CADRE, "ABCD-EFGH-JKMN-PQRS")
    [view] = await r.send(CADRE, code)
    await r.press(CADRE, view, "Add information")
    await r.send(CADRE, TYPED["report_more"])
    await tick(h)
    # The full-hour batch announces both to the reviewers (their notice), and lists show them.
    await batch(h)
    r.snapshot()

    [overview] = await r.send(REVIEWER, "/reports")
    listing = await r.press(REVIEWER, overview, "New")
    ref = next(b["text"] for b in buttons(listing) if "·" in b["text"])
    card = await r.press(REVIEWER, listing, ref)
    card = await r.press(REVIEWER, card, "Being checked")
    await r.press(REVIEWER, card, "Internal note")
    [_saved, card] = await r.send(REVIEWER, TYPED["note"])
    await r.press(REVIEWER, card, "Reply to the reporter")
    [_saved, card] = await r.send(REVIEWER, TYPED["reply"])
    await r.press(REVIEWER, card, "Attachments and full text")
    await r.press(REVIEWER, overview, "Export")
    await r.send(LEADER, "/reports")
    r.content.append(ref.split(" · ")[0])

    # Invites and members.
    [prompt] = await r.send(ADMIN, "/invite")
    chosen = await r.press(ADMIN, prompt, "办公室")
    await r.press(ADMIN, chosen, buttons(chosen)[0]["text"])
    [prompt] = await r.send(ADMIN, "/invite")
    listing = await r.press(ADMIN, prompt, "active invite links")
    await r.press(ADMIN, listing, "Revoke")
    [listing] = await r.send(ADMIN, "/members")
    card = await r.press(ADMIN, listing, "张干部")
    card = await r.press(ADMIN, card, buttons(card)[0]["text"])
    card = await r.press(ADMIN, card, buttons(card)[0]["text"])
    await r.press(ADMIN, card, "Back")

    # A broadcast to the leaders, acknowledged.
    await r.send(ADMIN, "/broadcast")
    [ask] = await r.send(ADMIN, TYPED["broadcast"])
    preview = await r.press(ADMIN, ask, "Leaders")
    await r.press(ADMIN, preview, "Send:")
    await drain(h)
    r.snapshot()
    notice = next(m for m in h.sandbox.bot_messages(LEADER) if TYPED["broadcast"] in m["text"])
    await r.press(LEADER, notice, "Read and noted")

    # An assigned test.
    [start] = await r.send(ADMIN, "/assign")
    audience = await r.press(ADMIN, start, "测试题库")
    deadline = await r.press(ADMIN, audience, "办公室")
    preview = await r.press(ADMIN, deadline, buttons(deadline)[0]["text"])
    await r.press(ADMIN, preview, "Assign and notify")
    await drain(h)
    r.snapshot()

    # The digest, both periods.
    [picker] = await r.send(LEADER, "/digest")
    await r.press(LEADER, picker, "Last week")
    [picker] = await r.send(LEADER, "/digest")
    await r.press(LEADER, picker, "This week")

    # Content admin: the plan and a reload.
    await r.send(ADMIN, "/plan")
    await r.send(ADMIN, "/reload")

    # Scheduled sends: the daily question, the weekly
    # digest, the reminder of the assigned test's deadline, a holiday reminder (the Chinese
    # text with an English lead-in) and, from November, the admins' schedule warning.
    await run_job(r, DAILY_JOB, datetime(2026, 9, 21, 0, 0, tzinfo=UTC))
    daily = next(m for m in h.sandbox.bot_messages(CADRE) if "Daily question" in (m["text"] or ""))
    await r.press(CADRE, daily, "Answer now")
    await run_job(r, DIGEST_JOB, datetime(2026, 9, 21, 1, 0, tzinfo=UTC))
    await run_job(r, DEADLINE_JOB, datetime(2026, 9, 22, 0, 30, tzinfo=UTC))
    await run_job(r, "reminder 2026 中秋节 3", datetime(2026, 9, 22, 1, 0, tzinfo=UTC))
    reminder = next(
        m for m in h.sandbox.bot_messages(CADRE) if "Integrity reminder" in (m["text"] or "")
    )
    # The reminder text itself is content: as the Chinese member received it.
    r.content.append(h.last(OTHER)["text"])
    await r.press(CADRE, reminder, "Read and noted")

    at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    warning = h.services.reminders.schedule_warning(at.date())
    assert warning is not None
    # The lines to paste into holidays.yaml: its keys are the Chinese holiday names.
    r.content.append(schedule_example(warning.gaps))
    await run_job(r, SCHEDULE_CHECK_JOB, at)

    # Leaving the program.
    [settings] = await r.send(CADRE, "/settings")
    ask = await r.press(CADRE, settings, "Leave")
    await r.press(CADRE, ask, "Yes, leave")
    await r.send(CADRE, "/quiz")

    # The wording the issue named, now English.
    assert r.shown("1 person · valid 7 days")
    assert r.shown("Grant role: Discipline inspection")
    assert r.shown("✅ Send: Leaders (1 person)")
    assert r.shown("Integrity reminder: Mid-Autumn Festival (days off 2026-09-25 to 2026-09-27)")
    assert r.shown("Next: Mid-Autumn Festival (2026-09-25 to 2026-09-27)")
    assert r.shown("the answer is A, B, D")
    assert len(r.seen) > 150
    leaks = r.leaks()
    assert not leaks, "\n".join(leaks)


async def test_english_by_default_strangers_read_english(harness: Harness) -> None:
    h = harness
    await h.stop()
    h.config = make_config(h.sandbox, h.db_path, language="en")
    await h.start()
    stranger = h.user(901, "路人")
    r = Recorder(h, [stranger])
    r.start()
    r.content += [*CONFIG_CONTENT, "路人"]
    for text in ("/start", "/help", "/quiz", "/report", "hello", "/start not-a-real-code"):
        await r.send(stranger, text)
    await r.send(stranger, "/start test-office-invite")
    await r.send(stranger, "/help")
    assert "Welcome" in h.sandbox.bot_messages(stranger)[-2]["text"]
    leaks = r.leaks()
    assert not leaks, "\n".join(leaks)
