"""`content check` on question banks: the shipped banks pass; each broken rule is one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.content.quizzes import bank_files, load_checked, load_library
from bot.domain.questions import QuestionType

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
id: good-bank
title: 好题库
questions:
  - id: g-001
    type: single
    stem: 题干一
    options: [甲, 乙]
    answer: A
    explanation: 因为甲。
    source: 某文件
"""

BROKEN = """\
id: broken-bank
title: 坏题库
questions:
  - id: b-001
    type: single
    stem: 答案不在选项中
    options: [甲, 乙, 丙]
    answer: D
    explanation: 解析
    source: 出处
  - id: b-002
    type: multiple
    stem: 多选只有一个答案
    options: [甲, 乙, 丙]
    answer: [B]
    explanation: 解析
    source: 出处
  - id: b-003
    type: judge
    stem: 判断题不该有选项
    options: [对, 错]
    answer: true
    explanation: 解析
    source: 出处
  - id: b-004
    type: single
    stem: 缺解析和出处
    options: [甲, 乙]
    answer: A
    explanation: ""
    source: "  "
  - id: b-005
    type: essay
    stem: 未知题型
    answer: A
    explanation: 解析
    source: 出处
  - id: b-006
    type: single
    stem: "{long_stem}"
    options: ["{long_option}", 乙]
    answer: A
    explanation: 解析
    source: 出处
  - id: g-001
    type: judge
    stem: 与另一个题库重复的编号
    answer: false
    explanation: 解析
    source: 出处
  - id: b-007
    type: judge
    stem: 同一文件内重复编号
    answer: false
    explanation: 解析
    source: 出处
  - id: b-007
    type: judge
    stem: 同一文件内重复编号（第二次）
    answer: true
    explanation: 解析
    source: 出处
""".replace("{long_stem}", "长" * 1001).replace("{long_option}", "选" * 201)

EXPECTED = [
    (8, "b-001", "answer D is not among the options"),
    (15, "b-002", "a multiple-choice question needs at least two answers"),
    (21, "b-003", "a judge question has no options"),
    (30, "b-004", "explanation is empty"),
    (31, "b-004", "source is empty"),
    (33, "b-005", "unknown type 'essay'"),
    (40, "b-006", "stem is 1001 characters (at most 1000)"),
    (41, "b-006", "option A is 201 characters (at most 200)"),
    (57, "b-007", "duplicate question id (also at line 51)"),
    (45, "g-001", "duplicate question id (also in"),
]


def _write(tmp_path: Path) -> Path:
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "b-broken.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


def test_shipped_banks_pass_and_cover_the_program() -> None:
    library = load_checked(ROOT / "content" / "quizzes")
    questions = list(library.questions.values())
    assert len(library.banks) >= 12
    assert len(questions) >= 300
    assert {q.type for q in questions} == set(QuestionType)
    assert {q.difficulty for q in questions} == {1, 2, 3}
    assert all(q.explanation and q.source for q in questions)


def test_each_broken_rule_is_reported_with_file_line_and_id(tmp_path: Path) -> None:
    folder = _write(tmp_path)
    library = load_library(bank_files(folder))
    lines = [str(p) for p in library.problems]
    broken = str(folder / "b-broken.yaml")
    for line, qid, message in EXPECTED:
        expected = f"{broken}:{line}: {qid}: {message}"
        assert any(text.startswith(expected) for text in lines), (expected, lines)
    assert len(lines) == len(EXPECTED)
    # What is valid still loads: the good bank and nothing from broken questions.
    assert set(library.questions) == {"g-001", "b-007"}


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "x.yaml").write_text("id: x\nquestions: [\n  - broken\n", encoding="utf-8")
    [problem] = load_library(bank_files(folder)).problems
    assert str(problem).startswith(f"{folder / 'x.yaml'}:")
    assert "not valid YAML" in str(problem)


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_cli_passes_on_shipped_content_and_fails_on_broken(tmp_path: Path) -> None:
    ok = _check()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 problems" in ok.stdout
    bad = _check("--quizzes", str(_write(tmp_path)))
    assert bad.returncode == 1
    out = bad.stdout.splitlines()
    assert len(out) == len(EXPECTED)
    assert out[0].endswith("b-001: answer D is not among the options")
    assert f"{len(EXPECTED)} problems" in bad.stderr
