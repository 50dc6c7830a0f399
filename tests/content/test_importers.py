"""`content import`: spreadsheets, Aiken and GIFT files become banks that pass the bank check."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.content.importers import (
    ImportFailed,
    ImportResult,
    Rejected,
    UnsupportedFormat,
    import_file,
)
from bot.content.importers.base import strip_own_letter
from bot.content.quizzes import Bank, Question, QuestionType, parse_bank

FIXTURES = Path(__file__).parent / "fixtures"
LAW7 = "《中华人民共和国公职人员政务处分法》第七条"
LAW8 = "《中华人民共和国公职人员政务处分法》第八条"
EIGHT_POINT_RULES = "《十八届中央政治局关于改进工作作风、密切联系群众的八项规定》（2012年）"
PERIODS = "第八条规定：警告，六个月；记过，十二个月；记大过，十八个月；降级、撤职，二十四个月。"
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "出处"]
SINGLE, MULTIPLE, JUDGE = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.JUDGE


def checked(result: ImportResult) -> Bank:
    """The imported bank, after proving it passes the same check as `content check`."""
    bank, problems = parse_bank(result.bank_yaml, "<test>")
    assert problems == []
    assert bank is not None
    assert len(bank.questions) == result.imported
    return bank


def question(bank: Bank, stem: str) -> Question:
    """The one question with this stem."""
    [found] = [q for q in bank.questions if q.stem == stem]
    return found


def fields(q: Question) -> dict[str, Any]:
    """What an import must keep exactly."""
    keys = ("type", "stem", "options", "answer", "explanation", "source", "difficulty", "tags")
    return {key: getattr(q, key) for key in keys}


def expected(
    qtype: QuestionType,
    stem: str,
    options: tuple[str, ...],
    answer: set[int],
    explanation: str,
    source: str,
    difficulty: int = 2,
    tags: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "type": qtype,
        "stem": stem,
        "options": options,
        "answer": frozenset(answer),
        "explanation": explanation,
        "source": source,
        "difficulty": difficulty,
        "tags": tags,
    }


def reasons(result: ImportResult | ImportFailed) -> dict[str, str]:
    return {r.location: r.reason for r in result.rejected}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


# --- spreadsheets: .csv -------------------------------------------------------------------

CSV_REJECTED = {
    "row 7": "'填空' is not supported",
    "row 8": "answer E is not among the options",
    "row 9": "'不确定' is not a judge answer",
    "row 10": "at least two answers",
    "row 11": "解析 is empty",
    "row 12": "出处 is empty",
    "row 13": "stem is empty",
    "row 17": "选项C is empty",
    "row 18": "'见解析' is not option letters",
    "row 19": "难度 '5' must be 1, 2 or 3",
}


@pytest.mark.parametrize("name", ["bank.csv", "bank_gbk.csv"])
def test_csv_imports_every_good_row_and_reports_every_bad_one(name: str) -> None:
    result = import_file(FIXTURES / name)

    checked(result)
    assert result.imported == 7
    # Row 6 is blank: not data, so not reported.
    assert list(reasons(result)) == list(CSV_REJECTED)
    for location, cause in CSV_REJECTED.items():
        assert cause in reasons(result)[location]


def test_csv_round_trip_keeps_every_field_of_each_question_type() -> None:
    bank = checked(import_file(FIXTURES / "bank.csv"))

    single = question(bank, "中央八项规定是哪次会议审议通过的？")
    assert fields(single) == expected(
        SINGLE,
        "中央八项规定是哪次会议审议通过的？",
        (
            "2012年12月4日中共中央政治局会议",
            "2012年11月党的十八大",
            "2013年1月十八届中央纪委二次全会",
            "2017年10月27日十九届中央政治局会议",
        ),
        {0},
        "2012年12月4日，中共中央政治局会议审议通过《十八届中央政治局关于改进工作作风、"
        "密切联系群众的八项规定》，即“中央八项规定”。",
        EIGHT_POINT_RULES,
        tags=("中央八项规定",),
    )
    multiple = question(bank, "下列属于《公职人员政务处分法》规定的政务处分种类的有：")
    assert fields(multiple) == expected(
        MULTIPLE,
        "下列属于《公职人员政务处分法》规定的政务处分种类的有：",
        ("警告", "记过", "严重警告", "撤职", "留党察看"),
        {0, 1, 3},  # "A、B、D"
        "第七条规定政务处分的种类为：警告、记过、记大过、降级、撤职、开除。\n"
        "严重警告、留党察看是党纪处分，不是政务处分。",
        LAW7,
        tags=("政务处分",),
    )
    judge_true = question(bank, "依照《公职人员政务处分法》第八条，警告处分的期间为六个月。")
    assert fields(judge_true) == expected(JUDGE, judge_true.stem, (), {0}, PERIODS, LAW8)
    judge_false = question(bank, "依照《公职人员政务处分法》第八条，记大过处分的期间为十二个月。")
    assert judge_false.answer == frozenset({1})  # "×"
    assert judge_false.explanation == "记大过的处分期间为十八个月；十二个月是记过的期间。"


def test_csv_strips_option_letters_and_reads_difficulty_tags_and_letter_judge_answers() -> None:
    bank = checked(import_file(FIXTURES / "bank.csv"))

    prefixed = question(bank, "依照《公职人员政务处分法》第八条，处分期间为十二个月的是哪一种？")
    assert fields(prefixed) == expected(
        SINGLE,
        prefixed.stem,
        # The cells were "A．警告", "B、记过", "C. 记大过", "D) 降级".
        ("警告", "记过", "记大过", "降级"),
        {1},  # "b"
        "第八条：警告六个月，记过十二个月，记大过十八个月，降级、撤职二十四个月。",
        LAW8,
        difficulty=1,
        tags=("政务处分", "处分期间"),
    )
    spaced = question(bank, "下列处分中，属于党纪处分的有：")
    assert (spaced.answer, spaced.difficulty, spaced.tags) == (
        frozenset({0, 2}),  # "A C"
        3,
        ("纪律处分", "政务处分"),
    )
    # 选项A/B hold 正确/错误 and the answer is "B": a judge question answered "false".
    lettered = question(bank, "中央八项规定是2017年10月27日由十九届中央政治局会议审议通过的。")
    assert (lettered.type, lettered.options, lettered.answer) == (JUDGE, (), frozenset({1}))


def test_gb18030_csv_gives_the_same_questions_as_utf8() -> None:
    utf8 = checked(import_file(FIXTURES / "bank.csv", bank_id="same"))
    gbk = checked(import_file(FIXTURES / "bank_gbk.csv", bank_id="same"))

    assert [fields(q) for q in gbk.questions] == [fields(q) for q in utf8.questions]


def test_ids_and_title_come_from_the_file_name_or_the_arguments(tmp_path: Path) -> None:
    bank = checked(import_file(FIXTURES / "bank.csv"))
    assert (bank.id, bank.title) == ("bank", "bank")
    assert [q.id for q in bank.questions] == [f"bank-{n:03d}" for n in range(1, 8)]

    named = checked(
        import_file(FIXTURES / "bank.csv", bank_id="sanctions", title="政务处分", id_prefix="ps")
    )
    assert (named.id, named.title, named.questions[0].id) == ("sanctions", "政务处分", "ps-001")

    chinese = shutil.copy(FIXTURES / "bank.csv", tmp_path / "廉政题库.csv")
    bank = checked(import_file(Path(chinese)))
    digest = hashlib.sha1("廉政题库".encode()).hexdigest()[:8]
    assert (bank.id, bank.title) == (f"imported-{digest}", "廉政题库")


def test_every_answer_notation_is_understood(tmp_path: Path) -> None:
    options = ["警告", "记过", "严重警告", "撤职"]
    multiple = ["ABD", "A,B,D", "A、B、D", "A B D", "a，b，d", "A；B；D", " A/B/D "]
    trues = ["正确", "对", "√", "T", "true", "是", "TRUE"]
    falses = ["错误", "错", "×", "F", "false", "否"]
    rows = [HEADER]
    rows += [["多选", f"政务处分种类（{a}）", *options, a, "第七条。", LAW7] for a in multiple]
    rows += [["判断", f"警告期间六个月（{a}）", "", "", "", "", a, PERIODS, LAW8] for a in trues]
    rows += [["判断", f"记过期间六个月（{a}）", "", "", "", "", a, PERIODS, LAW8] for a in falses]
    singles = ("单选", "单选题", "single", "单项选择题")
    rows += [[t, f"警告期间（{t}）", "六个月", "一年", "", "", "A", PERIODS, LAW8] for t in singles]
    multiples = ("多选题", "multiple", "多项选择")
    party = ["严重警告", "记过", "留党察看", ""]
    rows += [[t, f"党纪处分（{t}）", *party, "AC", "见条例。", "《条例》"] for t in multiples]
    rows += [["判断题", "开除没有处分期间。", "", "", "", "", "对", "开除没有处分期。", LAW8]]
    rows += [["judge", "撤职期间十二个月。", "", "", "", "", "错", PERIODS, LAW8]]

    result = import_file(write_csv(tmp_path / "notations.csv", rows))

    bank = checked(result)
    assert result.rejected == []
    answers = [(q.type, q.answer) for q in bank.questions]
    assert answers == (
        [(MULTIPLE, frozenset({0, 1, 3}))] * len(multiple)
        + [(JUDGE, frozenset({0}))] * len(trues)
        + [(JUDGE, frozenset({1}))] * len(falses)
        + [(SINGLE, frozenset({0}))] * 4
        + [(MULTIPLE, frozenset({0, 2}))] * 3
        + [(JUDGE, frozenset({0})), (JUDGE, frozenset({1}))]
    )


def test_headers_with_spaces_full_width_letters_and_extra_columns_are_read(tmp_path: Path) -> None:
    header = ["序号", " 题型", "题干 ", "选项Ａ", "选项 B", "答案", "解析", "出处", "备注"]
    row = ["1", "单选", "警告处分的期间是多长？", "六个月", "十二个月", "A", PERIODS, LAW8, "无"]

    bank = checked(import_file(write_csv(tmp_path / "headers.csv", [header, row])))

    assert bank.questions[0].options == ("六个月", "十二个月")


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    rows = [
        HEADER[:-1],
        ["单选", "警告处分的期间是多长？", "六个月", "十二个月", "", "", "A", PERIODS],
    ]
    path = write_csv(tmp_path / "no-source.csv", rows)

    with pytest.raises(ImportFailed, match="missing column 出处"):
        import_file(path)
    # Someone who knows the whole file's source can give it.
    bank = checked(import_file(path, default_source=LAW8))
    assert bank.questions[0].source == LAW8


def test_questions_the_bank_rules_refuse_are_moved_to_rejected(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["单选", "警告处分的期间是多长？", "六个月", "十二个月", "", "", "A", PERIODS, LAW8],
        ["单选", "记过处分的期间是多长？", "十二个月", "十二个月", "", "", "A", PERIODS, LAW8],
        ["单选", "长" * 1001, "六个月", "十二个月", "", "", "A", PERIODS, LAW8],
        ["判断", "记大过处分的期间为十八个月。", "", "", "", "", "对", PERIODS, LAW8],
    ]

    result = import_file(write_csv(tmp_path / "limits.csv", rows))

    bank = checked(result)
    assert result.imported == 2
    assert reasons(result) == {
        "row 3": "two options have the same text",
        "row 4": "stem is 1001 characters (at most 1000)",
    }
    assert [q.id for q in bank.questions] == ["limits-001", "limits-002"]


# --- spreadsheets: .xlsx ------------------------------------------------------------------


def test_xlsx_reads_the_first_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "题库"
    letters = [f"选项{x}" for x in "ABCDEFG"]
    sheet.append(["题型", "题干", *letters, "答案", "解析", "出处", "难度", "标签"])
    sheet.append(
        ["单选题", "政务处分的种类共有几种？", "四种", "五种", "六种", "七种", None, None, None,
         "C", "警告、记过、记大过、降级、撤职、开除，共六种。", LAW7, 3, "政务处分"]
    )  # fmt: skip
    sheet.append(
        ["判断", "政务处分中，警告处分的期间为六个月。", *[None] * 7, True, PERIODS, LAW8, 1.0]
    )
    sheet.append([])
    sheet.append(
        ["多选", "下列属于政务处分的有：", "记过", "严重警告", "降级", "开除", None, None, None,
         "A,C,D", "严重警告是党纪处分。", LAW7]
    )  # fmt: skip
    sheet.append(["多选", "七个选项的题", *"甲乙丙丁戊己庚", "AB", "解析。", LAW7])
    sheet.append(["简答", "什么是“三个区分开来”？", *[None] * 7, "略", "略", "略"])
    workbook.create_sheet("说明").append(["题型", "题干"])
    path = tmp_path / "政务处分.xlsx"
    workbook.save(path)

    result = import_file(path)

    bank = checked(result)
    assert result.imported == 3
    assert list(reasons(result)) == ["row 6", "row 7"]
    assert "7 options" in reasons(result)["row 6"]
    assert "'简答' is not supported" in reasons(result)["row 7"]
    assert fields(bank.questions[0]) == expected(
        SINGLE,
        "政务处分的种类共有几种？",
        ("四种", "五种", "六种", "七种"),
        {2},
        "警告、记过、记大过、降级、撤职、开除，共六种。",
        LAW7,
        difficulty=3,
        tags=("政务处分",),
    )
    judge = bank.questions[1]
    assert (judge.type, judge.answer, judge.difficulty) == (JUDGE, frozenset({0}), 1)
    assert bank.questions[2].answer == frozenset({0, 2, 3})


def test_a_file_that_is_not_a_workbook_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip archive")

    with pytest.raises(ImportFailed, match=r"broken\.xlsx: cannot read as an \.xlsx workbook"):
        import_file(path)


# --- Moodle Aiken -------------------------------------------------------------------------


def test_aiken_imports_good_questions_and_reports_bad_ones() -> None:
    result = import_file(FIXTURES / "bank.aiken.txt")

    checked(result)
    assert result.imported == 3
    found = reasons(result)
    assert list(found) == [
        "question 4 (line 28)",
        "question 5 (line 36)",
        "question 6 (line 42)",
        "question 7 (line 49)",
    ]
    assert "answer D is not among the options" in found["question 4 (line 28)"]
    assert "no 'ANSWER: …' line" in found["question 5 (line 36)"]
    # No explanation or source: the reason says how to give them.
    assert "no explanation: add a line '解析：…'" in found["question 6 (line 42)"]
    assert "--explanation" in found["question 6 (line 42)"]
    assert "no source: add a line '出处：…'" in found["question 6 (line 42)"]
    assert "--source" in found["question 6 (line 42)"]
    assert "line 52: option D where C was expected" in found["question 7 (line 49)"]


def test_aiken_round_trip_keeps_every_field() -> None:
    bank = checked(import_file(FIXTURES / "bank.aiken.txt"))

    first, second, third = bank.questions
    assert fields(first) == expected(
        SINGLE,
        "中央八项规定是在哪次会议上审议通过的？",
        (
            "2012年12月4日中共中央政治局会议",
            "2012年11月党的十八大",
            "2013年1月十八届中央纪委二次全会",
            "2017年10月27日十九届中央政治局会议",
        ),
        {0},
        "2012年12月4日，中共中央政治局会议审议通过《十八届中央政治局关于改进工作作风、"
        "密切联系群众的八项规定》，即“中央八项规定”。",
        EIGHT_POINT_RULES,
    )
    # A two-line stem, "A)" options, and English EXPLANATION/SOURCE lines.
    assert fields(second) == expected(
        SINGLE,
        "依照《公职人员政务处分法》第八条，\n警告处分的期间是多长？",
        ("六个月", "十二个月", "十八个月", "二十四个月"),
        {0},
        PERIODS,
        LAW8,
    )
    # Follows the previous question without a blank line; "ANSWER: A, B, D" is multiple choice.
    assert fields(third) == expected(
        MULTIPLE,
        "下列属于《公职人员政务处分法》规定的政务处分种类的有：",
        ("警告", "记过", "严重警告", "开除"),
        {0, 1, 3},
        "第七条规定政务处分的种类为警告、记过、记大过、降级、撤职、开除；严重警告是党纪处分。",
        LAW7,
    )


def test_aiken_defaults_fill_in_explanation_and_source_only_where_missing() -> None:
    result = import_file(
        FIXTURES / "bank.aiken.txt",
        default_explanation="第八条：记大过，十八个月。",
        default_source=LAW8,
    )

    bank = checked(result)
    assert result.imported == 4
    filled = question(bank, "记大过处分的期间是多长？")
    assert (filled.answer, filled.explanation, filled.source) == (
        frozenset({2}),
        "第八条：记大过，十八个月。",
        LAW8,
    )
    assert bank.questions[0].source == EIGHT_POINT_RULES


# --- Moodle GIFT --------------------------------------------------------------------------

GIFT_REJECTED = {
    "question 7 (line 43)": "no source: add a comment line '// 出处：…'",
    "question 8 (line 49)": "short-answer question",
    "question 9 (line 51)": "matching question",
    "question 10 (line 57)": "numerical question",
    "question 11 (line 59)": "essay question",
    "question 12 (line 61)": "missing-word question",
    "question 13 (line 64)": "partial credit",
    "question 14 (line 70)": "no answer block",
}


def test_gift_imports_choice_and_true_false_and_reports_other_kinds() -> None:
    result = import_file(FIXTURES / "bank.gift")

    checked(result)
    assert result.imported == 6
    assert list(reasons(result)) == list(GIFT_REJECTED)
    for location, cause in GIFT_REJECTED.items():
        assert cause in reasons(result)[location]


def test_gift_round_trip_reads_weights_feedback_escapes_comments_and_titles() -> None:
    bank = checked(import_file(FIXTURES / "bank.gift"))
    single, weighted, true, false, escaped, _ = bank.questions

    # Title and comments stay out of the stem; the right answer's feedback explains;
    # the source comes from the "// 出处：" comment above.
    assert fields(single) == expected(
        SINGLE,
        "中央八项规定是在哪次会议上审议通过的？",
        (
            "2012年12月4日中共中央政治局会议",
            "2012年11月党的十八大",
            "2013年1月十八届中央纪委二次全会",
            "2017年10月27日十九届中央政治局会议",
        ),
        {0},
        "正确。2012年12月4日，中共中央政治局会议审议通过了中央八项规定。",
        EIGHT_POINT_RULES,
    )
    # Positive weights are the right answers; general feedback (####) is the explanation.
    assert fields(weighted) == expected(
        MULTIPLE,
        "下列属于《公职人员政务处分法》规定的政务处分种类的有：",
        ("警告", "记过", "严重警告", "开除"),
        {0, 1, 3},
        "第七条规定政务处分的种类为：警告、记过、记大过、降级、撤职、开除。",
        LAW7,  # from "// source: …"
    )
    assert fields(true) == expected(
        JUDGE, "依照《公职人员政务处分法》第八条，警告处分的期间为六个月。", (), {0}, PERIODS, LAW8
    )
    # {FALSE#wrong-answer feedback#right-answer feedback}
    assert fields(false) == expected(
        JUDGE,
        "记大过处分的期间为十二个月。",
        (),
        {1},
        "对，记大过的期间是十八个月，十二个月是记过的期间。",
        LAW8,
    )
    assert fields(escaped) == expected(
        SINGLE,
        "下列处分与期间的对应（格式“处分=期间”）正确的是（题#6）:",
        ("警告=十二个月", "记过=十二个月", "记大过=二十四个月", "撤职=六个月 {无期限}"),
        {1},
        "第八条：记过，十二个月。",
        LAW8,
    )


def test_gift_default_source_fills_in_a_question_without_one() -> None:
    result = import_file(FIXTURES / "bank.gift", default_source=LAW8)

    bank = checked(result)
    assert result.imported == 7
    filled = question(bank, "政务处分期自何时起计算？")
    assert (filled.source, filled.explanation) == (
        LAW8,
        "第八条：政务处分期自政务处分决定生效之日起计算。",
    )


@pytest.mark.parametrize(
    ("gift", "cause"),
    [
        ("警告期间？{=六个月 =半年 ~一年}", "more than one '=' answer"),
        ("警告期间？{~%-50%一年 ~两年}", "no right answer"),
        ("警告期间？{=六个月 ~一年", "unbalanced { and }"),
        ("警告期间？{=六个月 ~一年}\n记过期间？{=一年 ~两年}", "two answer blocks"),
        ("警告期间？{=六个月 ~}", "an answer is empty"),
    ],
)
def test_gift_malformed_questions_are_rejected(tmp_path: Path, gift: str, cause: str) -> None:
    path = tmp_path / "bad.gift"
    path.write_text(f"// 出处：{LAW8}\n{gift}\n\n::ok::警告期间为六个月。{{T####{PERIODS}}}\n")

    result = import_file(path, default_source=LAW8)

    assert result.imported == 1
    [rejected] = result.rejected
    assert rejected.location == "question 1 (line 2)"
    assert cause in rejected.reason


def test_gift_html_text_and_a_category_line_right_above_a_question(tmp_path: Path) -> None:
    path = tmp_path / "moodle-export.gift"
    path.write_text(
        "$CATEGORY: $course$/政务处分\n"
        f"// 出处：{LAW8}\n"
        "::q1::[html]<p>依照第八条，<b>警告</b>处分的期间是？</p>{\n"
        "\t=六个月\n\t~十二个月\n\t####<p>警告，六个月&amp;记过，十二个月。</p>\n}\n",
        encoding="utf-8",
    )

    [q] = checked(import_file(path)).questions

    assert (q.stem, q.options, q.explanation) == (
        "依照第八条，警告处分的期间是？",
        ("六个月", "十二个月"),
        "警告，六个月&记过，十二个月。",
    )


# --- telling formats apart, and files that cannot be imported -----------------------------


@pytest.mark.parametrize(("fixture", "imported"), [("bank.gift", 6), ("bank.aiken.txt", 3)])
def test_txt_files_are_read_as_gift_or_aiken_by_their_content(
    tmp_path: Path, fixture: str, imported: int
) -> None:
    path = Path(shutil.copy(FIXTURES / fixture, tmp_path / "questions.txt"))

    assert import_file(path).imported == imported


def test_aiken_extension_is_always_aiken(tmp_path: Path) -> None:
    path = Path(shutil.copy(FIXTURES / "bank.aiken.txt", tmp_path / "questions.aiken"))

    assert import_file(path).imported == 3


@pytest.mark.parametrize("name", ["bank.xls", "bank.docx", "bank"])
def test_unknown_file_types_are_refused_in_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")

    with pytest.raises(UnsupportedFormat, match=r"unsupported file type .*\.xlsx") as caught:
        import_file(path)
    assert "\n" not in str(caught.value)


def test_unreadable_files_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="no such file"):
        import_file(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x80\x81\xff\xfe\x00")
    with pytest.raises(ImportFailed, match="not UTF-8 or GB18030"):
        import_file(binary)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="expected a header row"):
        import_file(empty)


def test_a_file_with_nothing_importable_fails_with_every_reason(tmp_path: Path) -> None:
    rows = [HEADER, ["填空", "政务处分共____种。", "", "", "", "", "六", "第七条。", LAW7]]

    with pytest.raises(ImportFailed, match=r"nothing to import \(all 1 rejected\)") as caught:
        import_file(write_csv(tmp_path / "blanks.csv", rows))
    assert caught.value.rejected == [
        Rejected("row 2", "题型 '填空' is not supported (单选, 多选, 判断)")
    ]


@pytest.mark.parametrize("bad", ["x", "Bad_Id", "-leading", "a" * 57])
def test_an_invalid_bank_id_or_prefix_is_refused(bad: str) -> None:
    with pytest.raises(ImportFailed, match=f"bank id {re.escape(repr(bad))}"):
        import_file(FIXTURES / "bank.csv", bank_id=bad)
    with pytest.raises(ImportFailed, match=f"id prefix {re.escape(repr(bad))}"):
        import_file(FIXTURES / "bank.csv", id_prefix=bad)


@pytest.mark.parametrize(
    ("cell", "index", "option"),
    [
        ("A．警告", 0, "警告"),
        ("B、记过", 1, "记过"),
        ("C. 记大过", 2, "记大过"),
        ("(D) 降级", 3, "降级"),
        ("Ａ．撤职", 0, "撤职"),
        ("B、记过", 0, "B、记过"),  # not its own letter: part of the text
        ("A级响应", 0, "A级响应"),
        ("A.", 0, "A."),
    ],
)
def test_option_letters_are_stripped_only_when_they_are_the_options_own(
    cell: str, index: int, option: str
) -> None:
    assert strip_own_letter(cell, index) == option


def test_cli_import_writes_a_bank_that_passes_content_check(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "banks" / "imported.yaml"
    env = {k: v for k, v in os.environ.items() if k != "BOT_CONFIG"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "content",
            "import",
            str(Path(__file__).parent / "fixtures" / "bank.csv"),
            "--out",
            str(out),
            "--id",
            "csv-import",
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1  # the fixture has rows that cannot be converted
    assert "questions written" in result.stdout
    rejected = [line for line in result.stderr.splitlines() if "not imported" in line]
    assert rejected
    assert all(
        line.startswith(f"{Path(__file__).parent / 'fixtures' / 'bank.csv'}: row ")
        for line in rejected
    )
    check = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", "--quizzes", str(out.parent)],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
