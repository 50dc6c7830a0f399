"""Quiz banks: the YAML shape, loading with line numbers, and every rule `content check` applies."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import ContentError, Problem
from bot.domain.questions import LETTERS, Bank, Question, QuestionType

MAX_OPTIONS = len(LETTERS)
MAX_STEM = 1000
MAX_OPTION = 200
MAX_EXPLANATION = 1000
MAX_SOURCE = 200
# One question message, with its options, verdict, explanation and source, must fit
# Telegram's 4096 characters; keep a margin for labels and markup.
MAX_MESSAGE = 3800
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
# Bank ids travel in button data (Telegram allows 64 bytes), so they are kept shorter.
_BANK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_BANK_KEYS = {"id", "title", "description", "tags", "questions"}
_QUESTION_KEYS = {
    "id",
    "type",
    "stem",
    "options",
    "answer",
    "explanation",
    "source",
    "difficulty",
    "tags",
}


@dataclass
class Library:
    """Every bank that loaded, with every problem found."""

    banks: list[Bank] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def questions(self) -> dict[str, Question]:
        """All questions by id."""
        return {q.id: q for b in self.banks for q in b.questions}

    def bank(self, bank_id: str) -> Bank | None:
        """A bank by id."""
        return next((b for b in self.banks if b.id == bank_id), None)


def _lines(node: yaml.Node) -> dict[str, int]:
    """Line numbers (1-based) of a mapping's keys."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _question_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "questions" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def _letters(raw: Any) -> list[str] | None:
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(x, str) and len(x.strip()) == 1 for x in items):
        return None
    return [x.strip().upper() for x in items]


def _check_question(
    raw: Any, bank_id: str, where: str, line: int, keys: dict[str, int]
) -> tuple[Question | None, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        return None, [Problem(where, line, "?", "a question must be a mapping")]
    qid = raw.get("id")
    label = qid if isinstance(qid, str) and qid else "?"

    def bad(key: str, message: str) -> None:
        problems.append(Problem(where, keys.get(key, line), label, message))

    if not isinstance(qid, str) or not _ID_RE.match(qid):
        bad("id", "id must be 2–64 characters of a-z, 0-9 and '-'")
    for key in sorted(set(raw) - _QUESTION_KEYS):
        bad(key, f"unknown field {key!r}")
    try:
        qtype = QuestionType(str(raw.get("type")))
    except ValueError:
        bad("type", f"unknown type {raw.get('type')!r} (single, multiple or judge)")
        return None, problems

    stem = raw.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        bad("stem", "stem is empty")
        stem = ""
    elif len(stem) > MAX_STEM:
        bad("stem", f"stem is {len(stem)} characters (at most {MAX_STEM})")

    options: list[str] = []
    raw_options = raw.get("options")
    if qtype is QuestionType.JUDGE:
        if raw_options is not None:
            bad("options", "a judge question has no options")
    elif not isinstance(raw_options, list) or not all(
        isinstance(o, str | int | float) and not isinstance(o, bool) for o in raw_options
    ):
        bad("options", "options must be a list of texts")
    else:
        options = [str(o).strip() for o in raw_options]
        if not 2 <= len(options) <= MAX_OPTIONS:
            bad("options", f"{len(options)} options (2 to {MAX_OPTIONS})")
        for i, text in enumerate(options):
            if not text:
                bad("options", f"option {LETTERS[i] if i < MAX_OPTIONS else i + 1} is empty")
            elif len(text) > MAX_OPTION:
                bad(
                    "options",
                    f"option {LETTERS[min(i, 5)]} is {len(text)} characters (at most {MAX_OPTION})",
                )
        if len(set(options)) != len(options):
            bad("options", "two options have the same text")

    answer: set[int] = set()
    raw_answer = raw.get("answer")
    if qtype is QuestionType.JUDGE:
        if not isinstance(raw_answer, bool):
            bad("answer", f"a judge answer must be true or false, got {raw_answer!r}")
        else:
            answer = {0 if raw_answer else 1}
    else:
        letters = _letters(raw_answer)
        if letters is None:
            bad("answer", f"answer must be option letters, got {raw_answer!r}")
        else:
            for letter in letters:
                index = LETTERS.find(letter)
                if index < 0 or index >= len(options):
                    bad("answer", f"answer {letter} is not among the options")
                else:
                    answer.add(index)
            if qtype is QuestionType.SINGLE and len(letters) != 1:
                bad("answer", "a single-choice question has exactly one answer")
            if qtype is QuestionType.MULTIPLE and len(set(letters)) < 2:
                bad("answer", "a multiple-choice question needs at least two answers")
            if qtype is QuestionType.MULTIPLE and options and len(set(letters)) > len(options):
                bad("answer", "more answers than options")

    explanation = raw.get("explanation")
    if not isinstance(explanation, str) or not explanation.strip():
        bad("explanation", "explanation is empty")
        explanation = ""
    elif len(explanation) > MAX_EXPLANATION:
        bad(
            "explanation",
            f"explanation is {len(explanation)} characters (at most {MAX_EXPLANATION})",
        )
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        bad("source", "source is empty")
        source = ""
    elif len(source) > MAX_SOURCE:
        bad("source", f"source is {len(source)} characters (at most {MAX_SOURCE})")
    size = len(stem) + sum(len(o) + 4 for o in options) + len(explanation) + len(source)
    if size > MAX_MESSAGE:
        bad(
            "stem",
            f"question, options and explanation are {size} characters together, too "
            f"long for one Telegram message (at most {MAX_MESSAGE})",
        )

    difficulty = raw.get("difficulty", 2)
    if not isinstance(difficulty, int) or isinstance(difficulty, bool) or not 1 <= difficulty <= 3:
        bad("difficulty", f"difficulty must be 1, 2 or 3, got {difficulty!r}")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        bad("tags", "tags must be a list of texts")
        tags = []

    if problems:
        return None, problems
    return (
        Question(
            id=str(qid),
            bank_id=bank_id,
            type=qtype,
            stem=stem.strip(),
            options=tuple(options),
            answer=frozenset(answer),
            explanation=explanation.strip(),
            source=source.strip(),
            difficulty=difficulty,
            tags=tuple(t.strip() for t in tags),
        ),
        [],
    )


def parse_bank(text: str, where: str) -> tuple[Bank | None, list[Problem]]:
    """Parse and check one bank file's text; report every problem with its line."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [Problem(where, line, "-", f"not valid YAML: {getattr(exc, 'problem', exc)}")]
    if not isinstance(data, dict):
        return None, [Problem(where, 1, "-", "a bank must be a mapping with id, title, questions")]
    keys = _lines(root) if root is not None else {}
    problems: list[Problem] = []
    bank_id = data.get("id")
    if not isinstance(bank_id, str) or not _BANK_ID_RE.match(bank_id):
        problems.append(
            Problem(
                where, keys.get("id", 1), "-", "bank id must be 2–40 characters of a-z, 0-9 and '-'"
            )
        )
        bank_id = "?"
    for key in sorted(set(data) - _BANK_KEYS):
        problems.append(Problem(where, keys.get(key, 1), "-", f"unknown bank field {key!r}"))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(where, keys.get("title", 1), "-", "bank title is empty"))
        title = ""
    description = data.get("description") or ""
    if not isinstance(description, str):
        problems.append(Problem(where, keys.get("description", 1), "-", "description must be text"))
        description = ""
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(Problem(where, keys.get("tags", 1), "-", "tags must be a list of texts"))
        tags = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(Problem(where, keys.get("questions", 1), "-", "a bank needs questions"))
        raw_questions = []
    nodes = _question_nodes(root)
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_questions):
        node = nodes[index] if index < len(nodes) else None
        line = node.start_mark.line + 1 if node is not None else keys.get("questions", 1)
        question, found = _check_question(
            raw, bank_id, where, line, _lines(node) if node is not None else {}
        )
        problems.extend(found)
        if question is None:
            continue
        if question.id in seen:
            problems.append(
                Problem(
                    where,
                    line,
                    question.id,
                    f"duplicate question id (also at line {seen[question.id]})",
                )
            )
            continue
        seen[question.id] = line
        questions.append(question)
    bank = Bank(
        id=bank_id,
        title=title.strip(),
        description=description.strip(),
        tags=tuple(tags),
        questions=tuple(questions),
        path=Path(where),
    )
    return bank, problems


def load_library(paths: Iterable[Path]) -> Library:
    """Load banks from files; duplicate bank and question ids across files are problems too."""
    library = Library()
    owners: dict[str, str] = {}
    bank_owners: dict[str, str] = {}
    for path in sorted(paths):
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            library.problems.append(Problem(where, 1, "-", f"cannot read: {exc}"))
            continue
        bank, problems = parse_bank(text, where)
        library.problems.extend(problems)
        if bank is None:
            continue
        if bank.id in bank_owners:
            library.problems.append(
                Problem(
                    where, 1, "-", f"bank id {bank.id!r} is also used by {bank_owners[bank.id]}"
                )
            )
            continue
        bank_owners[bank.id] = where
        kept = []
        for q in bank.questions:
            if q.id in owners:
                library.problems.append(
                    Problem(
                        where,
                        question_line(text, q.id),
                        q.id,
                        f"duplicate question id (also in {owners[q.id]})",
                    )
                )
                continue
            owners[q.id] = where
            kept.append(q)
        library.banks.append(
            Bank(bank.id, bank.title, bank.description, bank.tags, tuple(kept), bank.path)
        )
    return library


def question_line(text: str, question_id: str) -> int:
    """The line of a question's `id:` in a bank file's text (1 if not found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(rf"\bid:\s*['\"]?{re.escape(question_id)}['\"]?\s*$", line):
            return number
    return 1


def bank_files(directory: Path) -> list[Path]:
    """The bank files in a content directory."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_checked(directory: Path) -> Library:
    """Load every bank in a directory; raise ContentError listing every problem."""
    files = bank_files(directory)
    if not files:
        raise ContentError([Problem(str(directory), 0, "-", "no question banks (*.yaml) found")])
    library = load_library(files)
    if library.problems:
        raise ContentError(library.problems)
    return library
