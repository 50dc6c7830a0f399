"""The lint's checks: each rule over the banks, figures per bank and overall."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from bot.content.lint.figures import Figures, LintReport, Note, QuestionLines, percent, share
from bot.content.lint.rules import (
    ALL_RIGHT_MAX,
    CUE_GAP_MAX,
    DUPLICATE_SIMILARITY,
    JUDGE_BANK_MIN,
    JUDGE_TRUE_RANGE,
    LONGEST_KEY_BANK_MAX,
    LONGEST_KEY_BANK_MIN,
    LONGEST_KEY_MAX,
    ONE_WRONG_MAX,
    TRIVIA_MAX,
    LintRules,
)
from bot.content.problems import Problem
from bot.domain.questions import Bank, Question, QuestionType

_TRIVIA_NOUNS = {
    "date": "a date",
    "issuer": "an issuer",
    "count": "a count",
    "article": "an article number",
}
_SENTENCE_END = re.compile(r"[。；！？!?\n]")


def normalise_stem(text: str) -> str:
    """A stem without punctuation, symbols, quote marks or whitespace, for comparison."""
    return "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PSZ"
    )


def stem_similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised stems (0 … 1)."""
    return SequenceMatcher(None, normalise_stem(a), normalise_stem(b), autojunk=False).ratio()


def sentences(text: str) -> list[str]:
    """A text cut at Chinese and Western sentence ends."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def superseded_mentions(question: Question, rules: LintRules) -> list[tuple[str, str, str]]:
    """(field, document, sentence) for every unmarked mention of a superseded version."""
    fields = [("stem", question.stem)]
    fields += [(f"option {chr(65 + i)}", o) for i, o in enumerate(question.options)]
    fields += [("explanation", question.explanation), ("source", question.source)]
    found = []
    for name, text in fields:
        for sentence in sentences(text):
            if any(m.search(sentence) for m in rules.history_markers):
                continue
            for entry in rules.superseded:
                if any(p.search(sentence) for p in entry.patterns):
                    found.append((name, entry.document, sentence.strip()))
                    break
    return found


def trivia_kind(question: Question, rules: LintRules) -> str | None:
    """Which kind of trivia the stem asks for (date, issuer, count, article), if any."""
    patterns = rules.trivia_state if question.type is QuestionType.JUDGE else rules.trivia_ask
    for kind, pattern in patterns:
        if pattern.search(question.stem):
            return kind
    return None


def _has_cue(text: str, rules: LintRules) -> bool:
    return any(word in text for word in rules.cue_words)


def _bank_figures(bank: Bank, rules: LintRules, notes: list[Note]) -> Figures:
    figures = Figures(questions=len(bank.questions))
    for q in bank.questions:
        kind = trivia_kind(q, rules)
        if kind:
            figures.trivia += 1
            notes.append(Note(q, "trivia stems", f"asks only for {_TRIVIA_NOUNS.get(kind, kind)}"))
        if q.type is QuestionType.JUDGE:
            figures.judge += 1
            figures.judge_true += 0 in q.answer
            continue
        for index, option in enumerate(q.options):
            cued = _has_cue(option, rules)
            if index in q.answer:
                figures.key_options += 1
                figures.key_cued += cued
            else:
                figures.wrong_options += 1
                figures.wrong_cued += cued
                if cued:
                    notes.append(Note(q, "absolute cues", f"wrong option {chr(65 + index)}"))
        if q.type is QuestionType.SINGLE:
            figures.single += 1
            [key] = q.answer
            lengths = [len(o) for i, o in enumerate(q.options) if i != key]
            if lengths and len(q.options[key]) > max(lengths):
                figures.longest_key += 1
                notes.append(Note(q, "longest key", f"key {chr(65 + key)} is the longest"))
        else:
            figures.multiple += 1
            wrong = len(q.options) - len(q.answer)
            figures.one_wrong += wrong == 1
            figures.all_right += wrong == 0
            if wrong <= 1:
                notes.append(Note(q, "multiple key count", f"{wrong} wrong option(s)"))
    return figures


def near_duplicates(
    questions: Sequence[Question], threshold: float = DUPLICATE_SIMILARITY
) -> list[tuple[Question, Question, float]]:
    """Pairs of questions whose normalised stems are at least `threshold` similar."""
    stems = [normalise_stem(q.stem) for q in questions]
    pairs = []
    for i in range(len(questions)):
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(stems[i])
        for j in range(i + 1, len(questions)):
            matcher.set_seq1(stems[j])
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                pairs.append((questions[i], questions[j], ratio))
    return pairs


def lint(banks: Iterable[Bank], rules: LintRules, where: str = "overall") -> LintReport:
    """Every figure and every failing rule for these banks; `where` names the whole set."""
    report = LintReport()
    banks = list(banks)
    lines = QuestionLines()
    owner = {q.id: b for b in banks for q in b.questions}

    def path(bank: Bank) -> str:
        return str(bank.path) if bank.path else bank.id

    def fail(rule: str, problem: Problem) -> None:
        report.failed_rules.add(rule)
        report.failures.append(problem)

    for bank in banks:
        figures = _bank_figures(bank, rules, report.notes)
        report.banks.append((bank, figures))
        report.overall.add(figures)
        low, high = JUDGE_TRUE_RANGE
        rate = figures.judge_true_rate
        if figures.judge >= JUDGE_BANK_MIN and rate is not None and not low <= rate <= high:
            fail(
                "judge balance",
                Problem(
                    path(bank),
                    1,
                    bank.id,
                    f"judge balance: {figures.judge_true} of {figures.judge} judge answers are "
                    f"true ({percent(rate)}; want 40–60%)",
                ),
            )
        rate = figures.longest_key_rate
        if (
            figures.single >= LONGEST_KEY_BANK_MIN
            and rate is not None
            and rate > LONGEST_KEY_BANK_MAX
        ):
            fail(
                "longest key",
                Problem(
                    path(bank),
                    1,
                    bank.id,
                    f"longest key: {figures.longest_key} of {figures.single} single keys are the "
                    f"uniquely longest option ({percent(rate)}; want at most 30%)",
                ),
            )
        for q in bank.questions:
            for name, document, sentence in superseded_mentions(q, rules):
                fail(
                    "superseded versions",
                    Problem(
                        path(bank),
                        lines.of(bank, q),
                        q.id,
                        f"superseded version: {name} cites {document} without marking it as "
                        f"superseded: “{sentence[:60]}”",
                    ),
                )

    total = report.overall
    low, high = JUDGE_TRUE_RANGE
    rate = total.judge_true_rate
    if rate is not None and not low <= rate <= high:
        fail(
            "judge balance",
            Problem(
                where,
                0,
                "overall",
                f"judge balance: {total.judge_true} of {total.judge} judge answers are true "
                f"({percent(rate)}; want 40–60%)",
            ),
        )
    rate = total.longest_key_rate
    if rate is not None and rate > LONGEST_KEY_MAX:
        fail(
            "longest key",
            Problem(
                where,
                0,
                "overall",
                f"longest key: {total.longest_key} of {total.single} single keys are the uniquely "
                f"longest option ({percent(rate)}; want at most 20%)",
            ),
        )
    gap = total.cue_gap
    if gap is not None and gap > CUE_GAP_MAX:
        wrong_cued = percent(share(total.wrong_cued, total.wrong_options))
        key_cued = percent(share(total.key_cued, total.key_options))
        fail(
            "absolute cues",
            Problem(
                where,
                0,
                "overall",
                f"absolute cues: in {total.wrong_cued} of {total.wrong_options} wrong options "
                f"({wrong_cued}) but {total.key_cued} of "
                f"{total.key_options} right ones ({key_cued})"
                f"; gap {gap * 100:.1f} points, want at most 3",
            ),
        )
    rate = total.one_wrong_rate
    if rate is not None and rate > ONE_WRONG_MAX:
        fail(
            "multiple key count",
            Problem(
                where,
                0,
                "overall",
                f"multiple key count: {total.one_wrong} of {total.multiple} multiple questions "
                f"have exactly one wrong option ({percent(rate)}; want at most 40%)",
            ),
        )
    rate = total.all_right_rate
    if rate is not None and rate > ALL_RIGHT_MAX:
        fail(
            "multiple key count",
            Problem(
                where,
                0,
                "overall",
                f"multiple key count: {total.all_right} of {total.multiple} multiple questions "
                f"have every option right ({percent(rate)}; want at most 15%)",
            ),
        )
    rate = total.trivia_rate
    if rate is not None and rate > TRIVIA_MAX:
        fail(
            "trivia stems",
            Problem(
                where,
                0,
                "overall",
                f"trivia stems: {total.trivia} of {total.questions} stems ask only for a date, "
                f"issuer, count or article number ({percent(rate)}; want at most 10%)",
            ),
        )
    questions = [q for b in banks for q in b.questions]
    for a, b, ratio in near_duplicates(questions):
        bank_a, bank_b = owner[a.id], owner[b.id]
        fail(
            "near-duplicate stems",
            Problem(
                path(bank_b),
                lines.of(bank_b, b),
                b.id,
                f"near-duplicate stem: {ratio:.2f} similar to {a.id} "
                f"({path(bank_a)}:{lines.of(bank_a, a)})",
            ),
        )
    return report
