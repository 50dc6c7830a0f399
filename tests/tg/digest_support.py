"""Two weeks of program activity written straight into the database, with explicit dates.

The digest scenario reports "last week" at the harness clock (Sunday 2026-09-20, Asia/Shanghai):
the period is 2026-09-07 … 09-13 and the previous week 08-31 … 09-06. The comments give each
number the digest must show.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.storage.database import Database
from bot.storage.members import to_db_time

TZ = ZoneInfo("Asia/Shanghai")

BANK = """\
id: digest-bank
title: 测试题库
tags: [综合]
questions:
  - id: dg-a
    type: judge
    stem: 党员干部可以接受管理服务对象赠送的购物卡。
    answer: false
    explanation: 违反中央八项规定精神。
    source: 《中国共产党纪律处分条例》
    tags: [廉洁自律]
  - id: dg-b
    type: judge
    stem: 以文件落实文件属于形式主义。
    answer: true
    explanation: 形式主义的典型表现。
    source: 中央八项规定实施细则
    tags: [作风建设]
  - id: dg-c
    type: judge
    stem: 警告是党纪处分中最轻的一种。
    answer: true
    explanation: 处分由轻到重：警告、严重警告……
    source: 《中国共产党纪律处分条例》
    tags: [纪律处分]
  - id: dg-d
    type: judge
    stem: 政务处分只适用于公务员。
    answer: false
    explanation: 适用于所有行使公权力的公职人员。
    source: 《中华人民共和国公职人员政务处分法》
    tags: [政务处分]
"""

# Members: office has 7 (one left → 6 count), command 5 (one inactive), safety 3 (<5).
OFFICE = [1001, 1002, 1003, 1004, 1005, 1006]
OFFICE_LEFT = 1007
COMMAND = [2001, 2002, 2003, 2004, 2005]
COMMAND_INACTIVE = 2005
SAFETY = [3001, 3002, 3003]
CARRIER = 1005  # owns the abandoned sessions that carry the answers seeded for weak questions


def at(month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> str:
    """A stored timestamp for a local (Asia/Shanghai) time in 2026."""
    return to_db_time(datetime(2026, month, day, hour, minute, second, tzinfo=TZ))


def _items(count: int) -> str:
    return json.dumps([["dg-a", [0, 1]] for _ in range(count)])


async def seed_members(db: Database) -> None:
    """The members above, joined on 2026-08-01."""
    rows = []
    for ids, dept in ((OFFICE, "office"), (COMMAND, "command"), (SAFETY, "safety")):
        for uid in ids:
            status = "inactive" if uid == COMMAND_INACTIVE else "active"
            rows.append((uid, f"成员{uid}", dept, status))
    rows.append((OFFICE_LEFT, "已退出", "office", "left"))
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO members (user_id, first_name, department_id, status, joined_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(*r, at(8, 1), at(8, 1)) for r in rows],
        )


async def seed_activity(db: Database) -> None:
    """Quiz sessions and answers in both weeks, reminders, assignments and reports."""
    # (user, kind, status, correct, total, finished local time)
    sessions = [
        # --- last week (09-07 … 09-13) ---
        (1001, "quiz", "finished", 8, 10, (9, 8)),  # office 80
        (1002, "quiz", "finished", 6, 10, (9, 9)),  # office 60
        (1003, "daily", "finished", 1, 1, (9, 10)),  # office: participates, not scored
        (1004, "quiz", "abandoned", 3, 10, None),  # office: abandoned, does not count
        (OFFICE_LEFT, "quiz", "finished", 10, 10, (9, 9)),  # left: not counted
        (2001, "quiz", "finished", 9, 10, (9, 8)),  # command 90
        (2001, "review", "finished", 3, 4, (9, 9)),  # command 75
        (2002, "assigned", "finished", 7, 10, (9, 10)),  # command 70
        (2003, "quiz", "finished", 5, 10, (9, 13, 23, 59, 59)),  # command 50, last second
        (2004, "quiz", "finished", 10, 10, (9, 14, 0, 0, 0)),  # this week: not counted
        (3001, "quiz", "finished", 10, 10, (9, 11)),  # safety 100
        # --- the week before (08-31 … 09-06) ---
        (1001, "quiz", "finished", 5, 10, (9, 1)),  # office 50
        (1002, "daily", "finished", 0, 1, (9, 2)),  # office: participates
        (2001, "quiz", "finished", 10, 10, (9, 3)),  # command 100
        (3001, "quiz", "finished", 4, 10, (9, 6, 23, 0, 0)),  # safety 40
    ]
    async with db.transaction() as tx:
        for uid, kind, status, correct, total, finished in sessions:
            finished_at = at(finished[0], finished[1], *finished[2:]) if finished else None
            await tx.insert(
                "INSERT INTO quiz_sessions (user_id, kind, bank_id, items, position, correct, "
                "status, started_at, finished_at) VALUES (?, ?, 'digest-bank', ?, ?, ?, ?, ?, ?)",
                (
                    uid,
                    kind,
                    _items(total),
                    total,
                    correct,
                    status,
                    finished_at or at(9, 8),
                    finished_at,
                ),
            )
        # Answers for the weakest tags and questions, each in an abandoned carrier session.
        # dg-a 2/10 right, dg-b 4/8, dg-c 5/6, dg-d 1/4 (too few answers for a tag) in the
        # period; dg-c 0/5 the week before (outside the period: ignored).
        answers = [("dg-a", 10, 2, (9, 8)), ("dg-b", 8, 4, (9, 9)), ("dg-c", 6, 5, (9, 10))]
        answers += [("dg-d", 4, 1, (9, 11)), ("dg-c", 5, 0, (9, 2))]
        for question, count, right, (month, day) in answers:
            for n in range(count):
                session = await tx.insert(
                    "INSERT INTO quiz_sessions (user_id, kind, bank_id, items, status, "
                    "started_at) VALUES (?, 'quiz', 'digest-bank', ?, 'abandoned', ?)",
                    (CARRIER, _items(1), at(month, day)),
                )
                await tx.execute(
                    "INSERT INTO answers (session_id, user_id, question_id, bank_id, correct, "
                    "answered_at) VALUES (?, ?, ?, 'digest-bank', ?, ?)",
                    (session, CARRIER, question, int(n < right), at(month, day, 11)),
                )
    await _seed_campaigns(db)
    await _seed_assignments(db)
    await _seed_reports(db)


async def _campaign(db: Database, key: str, kind: str, created: str, outcomes: list[str]) -> int:
    async with db.transaction() as tx:
        campaign = await tx.insert(
            "INSERT INTO campaigns (key, kind, payload, status, created_at) "
            'VALUES (?, ?, \'{"text": {"zh": "x"}}\', \'done\', ?)',
            (key, kind, created),
        )
        await tx.executemany(
            "INSERT INTO outbox (campaign_id, user_id, status) VALUES (?, ?, ?)",
            [(campaign, 5000 + i, status) for i, status in enumerate(outcomes)],
        )
    return campaign


async def _seed_campaigns(db: Database) -> None:
    # In the period: 7 sent + 1 unknown = 8 delivered, 6 acknowledged → 75%.
    outcomes = ["sent"] * 7 + ["unknown", "failed", "blocked"]
    campaign = await _campaign(db, "reminder:2026:中秋节:3", "reminder", at(9, 8, 9), outcomes)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO acknowledgements (campaign_id, user_id, at) VALUES (?, ?, ?)",
            [(campaign, 5000 + i, at(9, 8, 12)) for i in range(6)],
        )
    # Not counted: a reminder from the week before, and a broadcast in the period.
    await _campaign(db, "reminder:2026:国庆节:9", "reminder", at(9, 3, 9), ["sent"] * 4)
    await _campaign(db, "broadcast:17", "notice", at(9, 9, 9), ["sent"] * 5)


async def _seed_assignments(db: Database) -> None:
    async with db.transaction() as tx:
        # For command (5 members, one inactive): 2002 and 2003 done in the period, 2004 after.
        command = await tx.insert(
            "INSERT INTO assignments (bank_id, departments, question_count, deadline, "
            "created_by, created_at) VALUES ('digest-bank', '[\"command\"]', 4, ?, 1, ?)",
            (at(9, 12, 23, 59), at(9, 5)),
        )
        for uid, done in ((2002, at(9, 10)), (2003, at(9, 11)), (2004, at(9, 15))):
            await tx.execute(
                "INSERT INTO assignment_results (assignment_id, user_id, correct, total, "
                "completed_at) VALUES (?, ?, 3, 4, ?)",
                (command, uid, done),
            )
        # For safety (3 members): shown as <5. One that closed before the period: not shown.
        await tx.execute(
            "INSERT INTO assignments (bank_id, departments, question_count, deadline, "
            "created_by, created_at) VALUES ('digest-bank', '[\"safety\"]', 4, ?, 1, ?)",
            (at(9, 18, 23, 59), at(9, 9)),
        )
        await tx.execute(
            "INSERT INTO assignments (bank_id, departments, question_count, deadline, "
            "created_by, created_at) VALUES ('digest-bank', NULL, 4, ?, 1, ?)",
            (at(9, 5, 23, 59), at(8, 28)),
        )


async def _seed_reports(db: Database) -> None:
    # (status, submitted_on, closed_on). In the period: received r1 r4 r8 = 3; closed r2 r4 =
    # 2; open on 09-13: r1 r3 r6 r8 = 4, overdue on 09-13 by the default targets (closure
    # within 3 months): r3 (due 09-01) and r6 (due 09-10) = 2; r1 (新收到 since 09-08) has
    # its first review due on the 5th working day, 09-15: not overdue yet.
    reports = [
        ("new", "2026-09-08", None),  # r1
        ("closed", "2026-09-01", "2026-09-10"),  # r2
        ("checking", "2026-06-01", None),  # r3
        ("rejected", "2026-09-09", "2026-09-09"),  # r4
        ("new", "2026-09-16", None),  # r5: after the period
        ("closed", "2026-06-10", "2026-09-15"),  # r6: still open on 09-13
        ("transferred", "2026-09-06", "2026-09-06"),  # r7: before the period
        ("checking", "2026-09-07", None),  # r8
    ]
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO reports (ref, receipt_hash, category, unit, body, status, submitted_on, "
            "closed_on, notified) VALUES (?, ?, 'formalism', '某科室', '……', ?, ?, ?, 1)",
            [(f"R{i}", f"hash{i}", *r) for i, r in enumerate(reports, start=1)],
        )
