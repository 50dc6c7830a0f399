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

from bot.content.lint.checks import (
    lint,
    near_duplicates,
    normalise_stem,
    sentences,
    stem_similarity,
    superseded_mentions,
    trivia_kind,
)
from bot.content.lint.figures import Figures, LintReport, Note
from bot.content.lint.report import format_figures, format_notes
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
    RULES,
    TRIVIA_MAX,
    LintRules,
    Superseded,
    default_rules_path,
    load_rules,
)

__all__ = [
    "ALL_RIGHT_MAX",
    "CUE_GAP_MAX",
    "DUPLICATE_SIMILARITY",
    "JUDGE_BANK_MIN",
    "JUDGE_TRUE_RANGE",
    "LONGEST_KEY_BANK_MAX",
    "LONGEST_KEY_BANK_MIN",
    "LONGEST_KEY_MAX",
    "ONE_WRONG_MAX",
    "RULES",
    "TRIVIA_MAX",
    "Figures",
    "LintReport",
    "LintRules",
    "Note",
    "Superseded",
    "default_rules_path",
    "format_figures",
    "format_notes",
    "lint",
    "load_rules",
    "near_duplicates",
    "normalise_stem",
    "sentences",
    "stem_similarity",
    "superseded_mentions",
    "trivia_kind",
]
