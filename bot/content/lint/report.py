"""The lint's output: the table of figures and one line per counted question."""

from __future__ import annotations

from bot.content.lint.figures import Figures, LintReport, QuestionLines, percent

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
        f"{f.judge_true}/{f.judge} {percent(f.judge_true_rate)}",
        f"{f.longest_key}/{f.single} {percent(f.longest_key_rate)}",
        "-" if f.cue_gap is None else f"{f.cue_gap * 100:+.1f}",
        f"{f.one_wrong}/{f.multiple} {percent(f.one_wrong_rate)}",
        f"{f.all_right}/{f.multiple} {percent(f.all_right_rate)}",
        f"{f.trivia}/{f.questions} {percent(f.trivia_rate)}",
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
    lines = QuestionLines()
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
