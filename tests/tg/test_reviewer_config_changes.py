"""Attack: separation of duties, a reviewer added in the config.

SPEC §5: "The reviewer role is config-only or confirmed by a reviewer, never self-granted, and
every grant is told to all reviewers." Whoever can edit the config (the operator) adds an id to
roles.reviewers and restarts: every reviewer must hear of it, and of a removal.
"""

from __future__ import annotations

from tests.harness import ADMIN, REVIEWER, Harness, make_config
from tests.tg.report_support import batch, file_report

OPERATOR_ALT = 4242


async def test_a_reviewer_added_in_the_config_is_told_to_the_reviewers(harness: Harness) -> None:
    h = harness
    await h.join(REVIEWER, "赵纪检")
    await h.join(ADMIN, "王管理")
    h.user(OPERATOR_ALT, "运维小号", username="ops_alt")
    await h.send(OPERATOR_ALT, "/start test-office-invite")
    await file_report(h, ADMIN)
    await batch(h)
    told_before = len(h.sandbox.bot_messages(REVIEWER))
    # The operator edits the config and restarts the bot.
    h.config = make_config(h.sandbox, h.db_path, roles__reviewers=[REVIEWER, OPERATOR_ALT])
    await h.restart()
    [overview] = await h.send(OPERATOR_ALT, "/reports")
    assert "新收到：1" in overview["text"], overview["text"]  # the new reviewer reads reports
    new_to_reviewer = [m["text"] or "" for m in h.sandbox.bot_messages(REVIEWER)[told_before:]]
    [told] = [t for t in new_to_reviewer if "新增了纪检监察组成员" in t]
    assert "运维小号" in told
    assert str(OPERATOR_ALT) in told
    assert "@ops_alt" in told
    # A restart with the same config tells nothing again; taking the id out is told too.
    await h.restart()
    h.config = make_config(h.sandbox, h.db_path, roles__reviewers=[REVIEWER])
    await h.restart()
    texts = [m["text"] or "" for m in h.sandbox.bot_messages(REVIEWER)[told_before:]]
    assert len([t for t in texts if "新增了纪检监察组成员" in t]) == 1, texts
    assert len([t for t in texts if "不再列出纪检监察组成员：运维小号" in t]) == 1, texts
    assert any("不再列出" in (m["text"] or "") for m in h.sandbox.bot_messages(OPERATOR_ALT))
