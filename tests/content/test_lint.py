"""`content lint`: a good bank passes; small bad banks trip each rule, and only that rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content.lint import (
    LintReport,
    default_rules_path,
    lint,
    load_rules,
    normalise_stem,
    stem_similarity,
)
from bot.content.problems import ContentError
from bot.content.quizzes import bank_files, load_checked, load_library

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "content" / "lint.yaml"

# Stems that share little, so only the questions meant to be near-duplicates are.
STEMS = [
    "执法检查结束后，企业负责人塞给检查人员一个信封，检查人员应当怎么做？",
    "股室年底把结余经费平均分给每名职工，这样处理经费妥当吗？",
    "局长让驾驶员周末开公车送孩子上补习班，应当如何看待？",
    "党支部组织生活会上只谈成绩不谈问题，反映了什么倾向？",
    "新任股长发现前任遗留的隐患台账没有销号，应当怎样处理？",
    "辖区加油站老板请执法队员到私人会所打牌，队员应如何回应？",
    "上级调研组没有公函却要求安排住宿，接待科应当怎么办？",
    "班子成员对重大采购方案有不同看法时，正确的表达方式是？",
    "同事在工作群里晒出管理服务对象送的购物卡，旁人应如何提醒？",
    "应急演练事先写好剧本反复彩排，这种做法的问题出在哪里？",
    "企业办理审批材料齐全却被拖延三周，经办人的行为属于什么？",
    "干部配偶在其管辖行业开办咨询公司，干部本人应当怎么办？",
    "值班人员接到隐患举报却以不归我管为由拒绝登记，错在何处？",
    "考核组要求基层每周上报三套内容相同的表格，这加重了什么负担？",
    "表彰大会订制大量鲜花背景板和纪念品，花费远超需要，属于什么？",
    "退休干部受聘到原管辖企业担任顾问领取高额报酬，需要注意什么？",
    "执法人员对同类违法行为罚款畸轻畸重，违背了哪项执法要求？",
    "机关食堂关起门来用公款宴请兄弟单位，这种聚餐应当怎样定性？",
    "干部在防汛抢险时主动请缨坚守一线，体现了什么精神？",
    "群众反映窗口人员态度生硬、办事拖拉，单位应当从哪里改起？",
    "下属以给孩子压岁钱的名义送来红包，领导干部应当如何处理？",
    "纪检组发现某股长多次接受企业吃请，首先可以采取什么方式？",
]


def _single(i: int, *, key: int = 0, options: list[str] | None = None, **extra: Any) -> dict:
    return {
        "id": f"q-{i:03d}",
        "type": "single",
        "stem": STEMS[i],
        "options": options or ["拒绝收受", "收下再说", "转交同事", "先放抽屉"],
        "answer": "ABCD"[key],
        "explanation": "解析。",
        "source": "《中国共产党纪律处分条例》（2023年修订）",
        **extra,
    }


def _multiple(i: int, answer: list[str], options: list[str] | None = None) -> dict:
    return {
        "id": f"q-{i:03d}",
        "type": "multiple",
        "stem": STEMS[i],
        "options": options or ["及时报告", "依规处理", "隐瞒不报", "拖延不办"],
        "answer": answer,
        "explanation": "解析。",
        "source": "《中国共产党纪律处分条例》（2023年修订）",
    }


def _judge(i: int, answer: bool, stem: str | None = None) -> dict:
    return {
        "id": f"q-{i:03d}",
        "type": "judge",
        "stem": (stem or STEMS[i]).rstrip("？") + "。",
        "answer": answer,
        "explanation": "解析。",
        "source": "《中国共产党纪律处分条例》（2023年修订）",
    }


def good_questions() -> list[dict]:
    """Balanced judge keys, keys not the longest, two wrong options, no cues or trivia."""
    return [
        _single(0, key=0),
        _single(1, key=1, options=["可以分", "不能分", "看情况", "问领导"]),
        _single(2, key=2, options=["无关紧要", "偶尔可以", "公车私用", "算作福利"]),
        _multiple(3, ["A", "B"]),
        _multiple(4, ["A", "B"]),
        _judge(5, True),
        _judge(6, False),
        _judge(7, True),
        _judge(8, False),
    ]


def _write(folder: Path, name: str, questions: list[dict], bank_id: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    bank = {"id": bank_id or name, "title": name, "questions": questions}
    text = yaml.safe_dump(bank, allow_unicode=True, sort_keys=False, width=1000)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def _lint(folder: Path) -> LintReport:
    library = load_library(bank_files(folder))
    assert library.problems == [], library.problems
    return lint(library.banks, load_rules(RULES_FILE), where=str(folder))


def _messages(report: LintReport) -> list[str]:
    return [str(p) for p in report.failures]


def test_shipped_banks_pass_every_rule() -> None:
    library = load_checked(ROOT / "content" / "quizzes")
    report = lint(library.banks, load_rules(RULES_FILE))
    assert report.ok, _messages(report)
    assert report.overall.questions >= 350
    assert len(report.banks) == len(library.banks)


def test_good_bank_passes_every_rule(tmp_path: Path) -> None:
    _write(tmp_path, "good", good_questions())
    report = _lint(tmp_path)
    assert report.ok, _messages(report)
    f = report.overall
    assert (f.judge, f.judge_true, f.single, f.longest_key, f.multiple) == (4, 2, 3, 0, 2)
    assert (f.one_wrong, f.all_right, f.trivia, f.wrong_cued, f.key_cued) == (0, 0, 0, 0, 0)


def test_judge_balance_per_bank_and_overall(tmp_path: Path) -> None:
    # 8 judge questions, 2 true: the bank (≥ 8 judge) and the whole set both fail.
    _write(tmp_path, "judgy", [_judge(i, i < 2) for i in range(8)])
    report = _lint(tmp_path)
    assert report.failed_rules == {"judge balance"}
    lines = _messages(report)
    assert any(
        line.startswith(f"{tmp_path / 'judgy.yaml'}:1: judgy: judge balance: 2 of 8")
        for line in lines
    )
    assert any(line.startswith(f"{tmp_path}:0: overall: judge balance: 2 of 8") for line in lines)


def test_judge_balance_small_banks_count_only_overall(tmp_path: Path) -> None:
    # Two banks of 4 judge questions, 1 true each: no bank has 8, but 2 of 8 overall fails.
    _write(tmp_path, "bank-a", [_judge(i, i == 0) for i in range(4)])
    _write(tmp_path, "bank-b", [_judge(i, i == 4) for i in range(4, 8)])
    report = _lint(tmp_path)
    assert report.failed_rules == {"judge balance"}
    assert len(report.failures) == 1
    assert report.failures[0].item == "overall"


def test_longest_key_counts_only_a_uniquely_longest_key(tmp_path: Path) -> None:
    long_key = ["拒绝并当场向组织如实报告", "收下", "转交", "放下"]
    tie = ["拒绝并报告", "收下再说吧", "转交", "放下"]  # key ties for longest: not counted
    questions = [_single(i, options=long_key if i < 4 else tie) for i in range(10)]
    _write(tmp_path, "long", questions)
    report = _lint(tmp_path)
    assert report.failed_rules == {"longest key"}
    assert report.overall.longest_key == 4
    lines = _messages(report)
    assert any("long: longest key: 4 of 10 single keys" in line for line in lines)
    assert any("overall: longest key: 4 of 10" in line for line in lines)


def test_absolute_cues_in_wrong_options(tmp_path: Path) -> None:
    cued = ["拒绝并报告", "只要不声张就可以收", "一律可以收下", "转交同事"]
    questions = [_single(i, options=cued) for i in range(3)]
    questions += [_judge(3, True), _judge(4, False)]
    _write(tmp_path, "cues", questions)
    report = _lint(tmp_path)
    assert report.failed_rules == {"absolute cues"}
    assert report.overall.wrong_cued == 6
    assert report.overall.key_cued == 0
    [line] = _messages(report)
    assert "absolute cues: in 6 of 9 wrong options" in line


def test_a_cue_in_the_right_answer_offsets_cues_in_wrong_ones(tmp_path: Path) -> None:
    # "一律不得" in keys is how discipline rules are written; balanced cues pass.
    options = ["一律不得收受", "只要不声张就可以收", "转交同事", "先放抽屉"]
    _write(tmp_path, "rule", [_single(i, options=options) for i in range(3)])
    report = _lint(tmp_path)
    assert "absolute cues" not in report.failed_rules
    assert report.overall.cue_gap is not None
    assert report.overall.cue_gap < 0


def test_multiple_key_count(tmp_path: Path) -> None:
    questions = [_multiple(i, ["A", "B", "C"]) for i in range(3)]  # one wrong option each
    questions += [_multiple(3, ["A", "B", "C", "D"])]  # every option right
    questions += [_multiple(4, ["A", "B"])]
    _write(tmp_path, "multi", questions)
    report = _lint(tmp_path)
    assert report.failed_rules == {"multiple key count"}
    lines = _messages(report)
    assert any("3 of 5 multiple questions have exactly one wrong option (60%" in x for x in lines)
    assert any("1 of 5 multiple questions have every option right (20%" in x for x in lines)


def test_near_duplicate_stems_across_banks(tmp_path: Path) -> None:
    first = good_questions()
    twin = _single(0, options=["拒绝收受", "收下再说", "转交同事", "放入抽屉"])
    twin["id"] = "t-001"
    twin["stem"] = "执法检查结束后，企业负责人塞给检查人员一个“信封”。检查人员应当怎么办？"
    _write(tmp_path, "good", first)
    _write(tmp_path, "twin", [twin])
    report = _lint(tmp_path)
    assert report.failed_rules == {"near-duplicate stems"}
    [line] = _messages(report)
    assert line.startswith(f"{tmp_path / 'twin.yaml'}:")
    assert "t-001: near-duplicate stem:" in line
    assert f"q-000 ({tmp_path / 'good.yaml'}:" in line


def test_normalisation_drops_punctuation_quotes_and_spaces() -> None:
    assert normalise_stem("“三重一大”： 必须 集体决定！") == "三重一大必须集体决定"
    assert stem_similarity("某干部，收礼。", "某干部“收礼”") == 1.0
    assert stem_similarity(STEMS[0], STEMS[1]) < 0.5


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("stem", "按照2018年修订的《纪律处分条例》第八十八条，收受购物卡应当如何处理？"),
        ("stem", "依据2015年版条例，收受礼金应当怎样处理？"),
        ("source", "《中国共产党纪律处分条例》（2018年修订）第八十八条"),
        ("explanation", "2018年版第九十一条规定了婚丧喜庆。"),
        ("explanation", "按照2018年监察法第四十三条，留置不得超过三个月。"),
        ("source", "《中华人民共和国监察法》（2018年）"),
        ("source", "《中国共产党问责条例》（2016年）第七条"),
        ("explanation", "应当对照《中国共产党党员领导干部廉洁从政若干准则》执行。"),
        ("source", "《中华人民共和国安全生产法》（2014年修正）"),
    ],
)
def test_superseded_versions_are_caught(tmp_path: Path, field: str, text: str) -> None:
    questions = good_questions()
    questions[0][field] = text
    _write(tmp_path, "old", questions)
    report = _lint(tmp_path)
    assert report.failed_rules == {"superseded versions"}
    [line] = _messages(report)
    assert line.startswith(f"{tmp_path / 'old.yaml'}:4: q-000: superseded version: {field}")


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("explanation", "该条（2018年版，已被2023年修订版取代）为第八十八条。"),
        ("source", "《中国共产党纪律处分条例》（2018年修订，已被2023年修订版取代）第八十八条"),
        ("explanation", "2010年印发的《中国共产党党员领导干部廉洁从政若干准则》同时废止。"),
        ("source", "《中华人民共和国监察法》（2018年通过，2024年修改）"),
        ("source", "《中国共产党纪律处分条例》（2023年修订）第九十七条"),
        ("source", "《中华人民共和国公务员法》（2018年修订）"),
        ("explanation", "政务处分法于2020年通过；监察法于2018年3月20日通过。"),
    ],
)
def test_marked_history_and_current_versions_pass(tmp_path: Path, field: str, text: str) -> None:
    questions = good_questions()
    questions[0][field] = text
    _write(tmp_path, "ok", questions)
    report = _lint(tmp_path)
    assert report.ok, _messages(report)


def test_a_marker_in_another_sentence_does_not_count(tmp_path: Path) -> None:
    questions = good_questions()
    questions[0]["explanation"] = "2018年版第八十八条规定了收礼。该版本已被2023年修订版取代。"
    _write(tmp_path, "split", questions)
    assert _lint(tmp_path).failed_rules == {"superseded versions"}


@pytest.mark.parametrize(
    ("stem", "kind"),
    [
        ("《中国共产党廉洁自律准则》是哪一年印发的？", "date"),
        ("该规定自何时起施行？", "date"),
        ("《关于加强新时代廉洁文化建设的意见》是由哪个机关印发的？", "issuer"),
        ("“一案双查”是在哪次会议的报告中提出的？", "issuer"),
        ("《中国共产党廉洁自律准则》共有多少条？", "count"),
        ("实施细则规定陪同的负责同志不超过几人？", "count"),
        ("收受礼品礼金规定在条例的第几条？", "article number"),
    ],
)
def test_trivia_stems(tmp_path: Path, stem: str, kind: str) -> None:
    questions = good_questions()
    questions[1]["stem"] = stem
    _write(tmp_path, "trivia", questions)
    report = _lint(tmp_path)
    assert report.failed_rules == {"trivia stems"}  # 1 of 9 is over 10%
    [note] = [n for n in report.notes if n.rule == "trivia stems"]
    assert note.detail.startswith("asks only for ")
    assert note.detail.endswith(kind)
    [line] = _messages(report)
    assert "trivia stems: 1 of 9 stems" in line


@pytest.mark.parametrize(
    "stem",
    [
        "政务处分期从什么时候开始计算？",  # a rule about time, not a date to recall
        "下列哪几种做法违反了廉洁纪律？",
        "开除党籍处分对应“四种形态”中的第几种形态？",
        "《廉洁自律准则》哪一条规定的要求与此相符？",
    ],
)
def test_rule_questions_are_not_trivia(tmp_path: Path, stem: str) -> None:
    questions = good_questions()
    questions[1]["stem"] = stem
    _write(tmp_path, "fine", questions)
    assert _lint(tmp_path).ok


def test_bad_rules_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "lint.yaml"
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    data["superseded"][0]["patterns"] = ["(unclosed"]
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_rules(bad)
    assert str(caught.value).startswith(f"{bad}:1: superseded[0].patterns[0]: not a valid regular")


def test_rules_beside_the_quiz_folder_win(tmp_path: Path) -> None:
    (tmp_path / "quizzes").mkdir()
    assert default_rules_path(tmp_path / "quizzes") == RULES_FILE
    (tmp_path / "lint.yaml").write_text("x: 1\n", encoding="utf-8")
    assert default_rules_path(tmp_path / "quizzes") == tmp_path / "lint.yaml"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "BOT_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "content", "lint", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_cli_prints_figures_and_exits_by_result(tmp_path: Path) -> None:
    good = tmp_path / "good" / "quizzes"
    _write(good, "good", good_questions())
    ok = _cli("--quizzes", str(good))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[0].split()[:2] == ["bank", "questions"]
    assert any(line.startswith("good ") for line in ok.stdout.splitlines())
    assert any(line.startswith("overall ") for line in ok.stdout.splitlines())
    assert "7 of 7 rules pass" in ok.stdout

    shipped = _cli()
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert "7 of 7 rules pass" in shipped.stdout

    bad = tmp_path / "bad" / "quizzes"
    _write(bad, "judgy", [_judge(i, i < 2) for i in range(8)])
    failed = _cli("--quizzes", str(bad), "--rules", str(RULES_FILE), "--details")
    assert failed.returncode == 1
    assert f"{bad / 'judgy.yaml'}:1: judgy: judge balance: 2 of 8" in failed.stdout
    assert "failing: judge balance" in failed.stderr


def test_cli_refuses_a_bad_rules_file(tmp_path: Path) -> None:
    quizzes = tmp_path / "quizzes"
    _write(quizzes, "good", good_questions())
    (tmp_path / "lint.yaml").write_text("cue_words: []\n", encoding="utf-8")
    result = _cli("--quizzes", str(quizzes))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"error: {tmp_path / 'lint.yaml'}:1: cue_words: expected a non-empty list of texts"
    )
