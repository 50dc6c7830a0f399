"""Seeded first attempts for item analysis: strong and weak members, and questions that a
discipline inspector would want to hear about (or not).

40 members answer eight filler questions, which tell strong members (about 7 of 8 right) from
weak ones (2 of 8), and then:

- `q-easy`: everyone right → too easy;
- `q-reversed`: the strong members wrong, the weak right → discrimination negative;
- `q-hard`: only four strong members right → too hard (it still discriminates);
- `q-good`: the strong right, four weak right → a good question, not flagged; the weak members
  answer it again later, right, which must not count (first attempts only);
- `q-unseen`: never answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from bot.storage.database import Database
from bot.storage.members import to_db_time

STRONG = list(range(100, 120))
WEAK = list(range(200, 220))
FILLER = [f"f-{i}" for i in range(8)]
AT = datetime(2026, 9, 14, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai

Attempt = tuple[int, str, bool]  # (member, question, right)


def _judge(qid: str, stem: str) -> str:
    return f"""\
  - id: {qid}
    type: judge
    stem: {stem}
    answer: true
    explanation: 《条例》第十条有明确规定，此处仅作统计测试之用。
    source: 《中国共产党纪律处分条例》（2023年修订）
"""


BANK = (
    "id: item-bank\ntitle: 质量测试题库\ntags: [统计]\nquestions:\n"
    + "".join(_judge(f, f"填充题{f}：党员应当遵守党的纪律。") for f in FILLER)
    + _judge("q-easy", "人人都会的题：党员应当遵守党章。")
    + _judge("q-reversed", "强者反而答错的题：这是一道题意含糊的题目。")
    + _judge("q-hard", "几乎没人答对的题：这道题的答案可能标错了。")
    + _judge("q-good", "好题：能区分掌握与未掌握的成员。")
    + _judge("q-unseen", "还没有人作答的题。")
)


def filler_attempts(strong: Sequence[int], weak: Sequence[int]) -> list[Attempt]:
    """Strong members miss one filler each, weak members get two each right."""
    rows: list[Attempt] = []
    for k, member in enumerate(strong):
        rows += [(member, f, i != k % len(FILLER)) for i, f in enumerate(FILLER)]
    for k, member in enumerate(weak):
        hits = {k % len(FILLER), (k + 1) % len(FILLER)}
        rows += [(member, f, i in hits) for i, f in enumerate(FILLER)]
    return rows


def target_attempts(strong: Sequence[int], weak: Sequence[int]) -> list[Attempt]:
    """The first attempts at the four questions under test."""
    everyone = [*strong, *weak]
    rows: list[Attempt] = [(m, "q-easy", True) for m in everyone]
    rows += [(m, "q-reversed", m in weak) for m in everyone]
    rows += [(m, "q-hard", m in strong[:4]) for m in everyone]
    rows += [(m, "q-good", m in strong or m in weak[:4]) for m in everyone]
    return rows


async def seed_attempts(db: Database, attempts: Iterable[Attempt], at: datetime = AT) -> None:
    """Members (as needed), then one finished session per answer, a minute apart, in order."""
    rows = list(attempts)
    async with db.transaction() as tx:
        for member in sorted({m for m, _, _ in rows}):
            await tx.execute(
                "INSERT OR IGNORE INTO members (user_id, first_name, joined_at, updated_at) "
                "VALUES (?, ?, ?, ?)",
                (member, f"成员{member}", to_db_time(at), to_db_time(at)),
            )
        for n, (member, question, right) in enumerate(rows):
            when = to_db_time(at + timedelta(minutes=n))
            session = await tx.insert(
                "INSERT INTO quiz_sessions (user_id, kind, bank_id, items, position, correct, "
                "status, started_at, finished_at) VALUES (?, 'quiz', 'item-bank', ?, 1, ?, "
                "'finished', ?, ?)",
                (member, f'[["{question}",[0,1]]]', int(right), when, when),
            )
            await tx.execute(
                "INSERT INTO answers (session_id, user_id, question_id, bank_id, correct, "
                "answered_at) VALUES (?, ?, ?, 'item-bank', ?, ?)",
                (session, member, question, int(right), when),
            )


async def seed_scenario(db: Database, at: datetime = AT) -> None:
    """The whole scenario of the module docstring, with the weak members' later retry."""
    await seed_attempts(
        db,
        [
            *filler_attempts(STRONG, WEAK),
            *target_attempts(STRONG, WEAK),
            *[(m, "q-good", True) for m in WEAK],  # second attempts: not counted
        ],
        at,
    )
