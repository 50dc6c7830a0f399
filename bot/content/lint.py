"""The content lint: figures that show whether quiz answers can be guessed without the rule.

`python -m bot content lint [--quizzes DIR] [--rules FILE]` prints, per bank and overall, the
figures below and one line per failing rule; it exits 1 when any rule fails. The word lists and
patterns live in `content/lint.yaml`; the thresholds are fixed here, because every author writes
banks against the same ones.

Rules (each passes when):

- judge balance: judge questions whose answer is true are 40–60 % overall, and 40–60 % in every
  bank with at least 8 judge questions.
- longest key: single questions whose key is the uniquely longest option (by characters) are at
  most 20 % overall, and at most 30 % in every bank with at least 10 single questions.
- absolute cues: over single and multiple questions, the share of wrong options that contain a
  cue word minus the share of right options that contain one is at most 3 percentage points
  overall.
- multiple key count: multiple questions with exactly one wrong option are at most 40 % overall;
  those whose every option is right at most 15 % overall.
- near-duplicate stems: no two stems, across all banks, are 0.85 or more similar:
  `difflib.SequenceMatcher(autojunk=False).ratio()` after dropping punctuation, symbols (quote
  marks are punctuation) and whitespace.
- superseded versions: no sentence of a stem, option, explanation or source mentions a
  superseded document version unless that sentence also marks it as no longer in force
  (e.g. "（2018年版，已被2023年修订版取代）").
- trivia stems: stems that ask only for a date, an issuer, a count or an article number are at
  most 10 % of all questions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import ContentError, Problem
from bot.content.quizzes import question_line
from bot.domain.questions import Bank, Question, QuestionType

JUDGE_TRUE_RANGE = (0.40, 0.60)
JUDGE_BANK_MIN = 8
LONGEST_KEY_MAX = 0.20
LONGEST_KEY_BANK_MAX = 0.30
LONGEST_KEY_BANK_MIN = 10
CUE_GAP_MAX = 0.03
ONE_WRONG_MAX = 0.40
ALL_RIGHT_MAX = 0.15
DUPLICATE_SIMILARITY = 0.85
TRIVIA_MAX = 0.10

RULES = (
    "judge balance",
    "longest key",
    "absolute cues",
    "multiple key count",
    "near-duplicate stems",
    "superseded versions",
    "trivia stems",
)

_TRIVIA_NOUNS = {
    "date": "a date",
    "issuer": "an issuer",
    "count": "a count",
    "article": "an article number",
}
_SENTENCE_END = re.compile(r"[。；！？!?\n]")


@dataclass(frozen=True)
class Superseded:
    """A document version that is no longer the rule, and how to find a mention of it."""

    document: str
    current: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class LintRules:
    """The word lists and patterns from `content/lint.yaml`."""

    cue_words: tuple[str, ...]
    trivia_ask: tuple[tuple[str, re.Pattern[str]], ...]
    trivia_state: tuple[tuple[str, re.Pattern[str]], ...]
    superseded: tuple[Superseded, ...]
    history_markers: tuple[re.Pattern[str], ...]


def default_rules_path(quiz_dir: Path) -> Path:
    """`lint.yaml` beside the quiz folder, else the one shipped with this code."""
    beside = quiz_dir.parent / "lint.yaml"
    if beside.is_file():
        return beside
    return Path(__file__).resolve().parents[2] / "content" / "lint.yaml"


def load_rules(path: Path) -> LintRules:
    """Read the lint lists; a bad file raises ContentError naming the file and key."""
    where = str(path)

    def fail(key: str, message: str) -> ContentError:
        return ContentError([Problem(where, 1, key, message)])

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail("-", f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise fail("-", f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise fail("-", "expected a mapping with cue_words, trivia, superseded, history_markers")

    def texts(value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not value:
            raise fail(key, "expected a non-empty list of texts")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key, "expected a non-empty list of texts")
        return [v.strip() for v in value]

    def pattern(text: Any, key: str) -> re.Pattern[str]:
        if not isinstance(text, str) or not text:
            raise fail(key, "expected a regular expression")
        try:
            return re.compile(text)
        except re.error as exc:
            raise fail(key, f"not a valid regular expression: {exc}") from None

    def named(value: Any, key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        if not isinstance(value, dict) or not value:
            raise fail(key, "expected a mapping of name: pattern")
        return tuple((str(k), pattern(v, f"{key}.{k}")) for k, v in value.items())

    cue_words = tuple(texts(data.get("cue_words"), "cue_words"))
    trivia = data.get("trivia")
    if not isinstance(trivia, dict):
        raise fail("trivia", "expected a mapping with ask and state")
    trivia_ask = named(trivia.get("ask"), "trivia.ask")
    trivia_state = named(trivia.get("state"), "trivia.state")
    raw_superseded = data.get("superseded")
    if not isinstance(raw_superseded, list) or not raw_superseded:
        raise fail("superseded", "expected a non-empty list")
    superseded = []
    for i, entry in enumerate(raw_superseded):
        key = f"superseded[{i}]"
        if not isinstance(entry, dict):
            raise fail(key, "expected a mapping with document, current, patterns")
        for name in ("document", "current"):
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise fail(f"{key}.{name}", "expected a text")
        patterns = texts(entry.get("patterns"), f"{key}.patterns")
        superseded.append(
            Superseded(
                entry["document"].strip(),
                entry["current"].strip(),
                tuple(pattern(p, f"{key}.patterns[{j}]") for j, p in enumerate(patterns)),
            )
        )
    markers = texts(data.get("history_markers"), "history_markers")
    return LintRules(
        cue_words=cue_words,
        trivia_ask=trivia_ask,
        trivia_state=trivia_state,
        superseded=tuple(superseded),
        history_markers=tuple(pattern(m, f"history_markers[{i}]") for i, m in enumerate(markers)),
    )


@dataclass
class Figures:
    """The counts behind every rate, for one bank or for all of them."""

    questions: int = 0
    judge: int = 0
    judge_true: int = 0
    single: int = 0
    longest_key: int = 0
    wrong_options: int = 0
    wrong_cued: int = 0
    key_options: int = 0
    key_cued: int = 0
    multiple: int = 0
    one_wrong: int = 0
    all_right: int = 0
    trivia: int = 0

    def add(self, other: Figures) -> None:
        """Add another bank's counts to these."""
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def judge_true_rate(self) -> float | None:
        """Share of judge questions whose answer is true."""
        return _rate(self.judge_true, self.judge)

    @property
    def longest_key_rate(self) -> float | None:
        """Share of single questions whose key is the uniquely longest option."""
        return _rate(self.longest_key, self.single)

    @property
    def cue_gap(self) -> float | None:
        """Cue rate in wrong options minus cue rate in right options."""
        wrong, key = (
            _rate(self.wrong_cued, self.wrong_options),
            _rate(self.key_cued, self.key_options),
        )
        if wrong is None or key is None:
            return None
        return wrong - key

    @property
    def one_wrong_rate(self) -> float | None:
        """Share of multiple questions with exactly one wrong option."""
        return _rate(self.one_wrong, self.multiple)

    @property
    def all_right_rate(self) -> float | None:
        """Share of multiple questions whose every option is right."""
        return _rate(self.all_right, self.multiple)

    @property
    def trivia_rate(self) -> float | None:
        """Share of questions whose stem only asks for a date, issuer, count or article."""
        return _rate(self.trivia, self.questions)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Note:
    """Why one question counted towards a figure (printed with --details)."""

    question: Question
    rule: str
    detail: str


@dataclass
class LintReport:
    """Figures per bank and overall, the failures, and what each question counted towards."""

    banks: list[tuple[Bank, Figures]] = field(default_factory=list)
    overall: Figures = field(default_factory=Figures)
    failures: list[Problem] = field(default_factory=list)
    failed_rules: set[str] = field(default_factory=set)
    notes: list[Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every rule passes."""
        return not self.failures


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


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


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


class _Lines:
    """Line numbers of questions in their bank files (read once per file)."""

    def __init__(self) -> None:
        self._texts: dict[Path, str] = {}

    def of(self, bank: Bank, question: Question) -> int:
        if bank.path is None:
            return 1
        if bank.path not in self._texts:
            try:
                self._texts[bank.path] = bank.path.read_text(encoding="utf-8")
            except OSError:
                self._texts[bank.path] = ""
        return question_line(self._texts[bank.path], question.id)


def lint(banks: Iterable[Bank], rules: LintRules, where: str = "overall") -> LintReport:
    """Every figure and every failing rule for these banks; `where` names the whole set."""
    report = LintReport()
    banks = list(banks)
    lines = _Lines()
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
                    f"true ({_pct(rate)}; want 40–60%)",
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
                    f"uniquely longest option ({_pct(rate)}; want at most 30%)",
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
                f"({_pct(rate)}; want 40–60%)",
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
                f"longest option ({_pct(rate)}; want at most 20%)",
            ),
        )
    gap = total.cue_gap
    if gap is not None and gap > CUE_GAP_MAX:
        fail(
            "absolute cues",
            Problem(
                where,
                0,
                "overall",
                f"absolute cues: in {total.wrong_cued} of {total.wrong_options} wrong options "
                f"({_pct(_rate(total.wrong_cued, total.wrong_options))}) but {total.key_cued} of "
                f"{total.key_options} right ones ({_pct(_rate(total.key_cued, total.key_options))})"
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
                f"have exactly one wrong option ({_pct(rate)}; want at most 40%)",
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
                f"have every option right ({_pct(rate)}; want at most 15%)",
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
                f"issuer, count or article number ({_pct(rate)}; want at most 10%)",
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


_COLUMNS = (
    ("bank", 28),
    ("questions", 9),
    ("judge true", 13),
    ("longest key", 13),
    ("cue gap", 8),
    ("1 wrong", 10),
    ("0 wrong", 10),
    ("trivia", 10),
)


def _row(name: str, f: Figures) -> str:
    cells = [
        name,
        str(f.questions),
        f"{f.judge_true}/{f.judge} {_pct(f.judge_true_rate)}",
        f"{f.longest_key}/{f.single} {_pct(f.longest_key_rate)}",
        "-" if f.cue_gap is None else f"{f.cue_gap * 100:+.1f}",
        f"{f.one_wrong}/{f.multiple} {_pct(f.one_wrong_rate)}",
        f"{f.all_right}/{f.multiple} {_pct(f.all_right_rate)}",
        f"{f.trivia}/{f.questions} {_pct(f.trivia_rate)}",
    ]
    return "  ".join(c.ljust(w) for c, (_, w) in zip(cells, _COLUMNS, strict=True)).rstrip()


def format_figures(report: LintReport) -> str:
    """The table of figures, one row per bank and one for all of them."""
    header = "  ".join(name.ljust(w) for name, w in _COLUMNS).rstrip()
    rows = [header] + [_row(bank.id, f) for bank, f in report.banks]
    rows.append(_row("overall", report.overall))
    return "\n".join(rows)


def format_notes(report: LintReport) -> list[str]:
    """One line per question that counted towards a figure, for --details."""
    lines = _Lines()
    owner = {q.id: b for b, _ in report.banks for q in b.questions}
    out = []
    for note in report.notes:
        bank = owner[note.question.id]
        where = str(bank.path) if bank.path else bank.id
        out.append(
            f"{where}:{lines.of(bank, note.question)}: {note.question.id}: "
            f"{note.rule}: {note.detail}"
        )
    return out
