"""What the shipped reminder texts say, checked for every variant (not only this year's).

- Every variant names the prohibitions that matter at every holiday (SPEC §4): 烟酒, 购物卡,
  电子红包, 公款吃喝, 公车私用, 违规操办婚丧喜庆, 违规发放津补贴; and its holiday's own risk.
- Seasonal gifts stay in their season: 粽子 only at 端午, 月饼 and 蟹卡 only at 中秋 and 国庆
  (when 中秋 falls inside the 国庆 break, as in 2025 and 2028, the 国庆 reminder is the only one
  sent), 年货 only at 元旦 and 春节.
- A text goes out year after year, so no year and no statistic is stated as current news: a
  sentence with a year or a figure names the year and marks it as past (曾); a document version
  such as "（2023年修订）" is not news.
- Article numbers only where /work/shared/reference/discipline-facts.md (part two, section L)
  verifies them for the 2023 《中国共产党纪律处分条例》, and only with that version named; no
  superseded version cited as current (the patterns of content/lint.yaml).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.lint import load_rules, sentences
from bot.content.reminders import ReminderVariant, load_reminders

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = [v for items in load_reminders(ROOT / "content" / "reminders").values() for v in items]
RULES = load_rules(ROOT / "content" / "lint.yaml")

# Named in every variant of every holiday: what the prohibition is called → what must appear.
EVERYWHERE = {
    "烟酒": re.compile("烟酒"),
    "购物卡": re.compile("购物卡"),
    "电子红包": re.compile("电子红包"),
    "公款吃喝": re.compile("吃喝"),
    "公车私用": re.compile("公车私用"),
    "违规操办婚丧喜庆": re.compile("婚丧喜庆"),
    "违规发放津补贴": re.compile("津贴|津补贴"),
}
# Each holiday's own risk, named in every one of its variants.
SEASONAL = {
    "元旦": ("年货",),
    "春节": ("年货",),
    "清明节": ("祭扫",),
    "劳动节": ("旅游",),
    "端午节": ("粽子", "汛期"),
    "中秋节": ("月饼", "蟹卡"),
    "国庆节": ("旅游", "蟹卡"),
}
# A seasonal gift or case named at any other holiday is out of season.
ONLY_AT = {
    "粽子": {"端午节"},
    "月饼": {"中秋节", "国庆节"},
    "蟹卡": {"中秋节", "国庆节"},
    "年货": {"元旦", "春节"},
}

YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
DOCUMENT_VERSION = re.compile(r"[（(](?:19|20)\d{2}年(?:修订|修正|版)[）)]")
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*[%％‰]|百分之|\d+\s*起|\d+\s*人次")
HISTORY_MARKERS = ("曾",)

ARTICLE = re.compile(r"第[一二三四五六七八九十百零]+条")
CURRENT_REGULATIONS = "《中国共产党纪律处分条例》（2023年修订）"
# 2023 条例 articles whose wording the fact sheet's section L verifies (F50 F52–F60); 第九十六条
# (number only) and the 2018/2015 numbers of F29 are deliberately absent.
VERIFIED_2023_ARTICLES = {
    "第九十条",  # F50 外国国籍
    "第九十一条",  # F50 因私出国（境）
    "第九十四条",  # F54 特定关系人收受财物
    "第九十五条",  # F54 权权交易
    "第九十七条",  # F52 收受礼品、礼金、消费卡（券）
    "第九十八条",  # F53 违规送礼
    "第一百零一条",  # F55 接受可能影响公正执行公务的宴请、旅游、娱乐等活动安排
    "第一百零四条",  # F54 为特定关系人谋利
    "第一百零七条",  # F56 亲属违规从业拒不纠正
    "第一百一十三条",  # F55 公款宴请、娱乐、健身，公款购买赠送礼品、消费卡（券）
    "第一百一十七条",  # F57 公务交通工具
    "第一百三十条",  # F59 新官不理旧账
    "第一百三十一条",  # F59 不敢斗争、不愿担当
    "第一百三十二条",  # F58 形式主义、官僚主义
    "第一百五十条",  # F60 生活奢靡、铺张浪费
}


def missing_prohibitions(variant: ReminderVariant) -> list[str]:
    """The prohibitions every holiday needs, and this holiday's own, that the text leaves out."""
    text = f"{variant.title}\n{variant.text}"
    missing = [name for name, pattern in EVERYWHERE.items() if not pattern.search(text)]
    return missing + [word for word in SEASONAL[variant.holiday] if word not in text]


def out_of_season(variant: ReminderVariant) -> list[str]:
    """Seasonal gifts and cases the text names at a holiday they do not belong to."""
    text = f"{variant.title}\n{variant.text}"
    return [w for w, holidays in ONLY_AT.items() if w in text and variant.holiday not in holidays]


def stated_as_current(text: str) -> list[str]:
    """Sentences that state a year or a figure without naming the year as past.

    A sentence with a year passes only with a history marker; one with a figure (a percentage, a
    count of cases) also needs its year. Document versions such as （2023年修订） are ignored.
    """
    found = []
    for sentence in sentences(DOCUMENT_VERSION.sub("", text)):
        has_year = bool(YEAR.search(sentence))
        marked = any(marker in sentence for marker in HISTORY_MARKERS)
        if (has_year and not marked) or (FIGURE.search(sentence) and not (has_year and marked)):
            found.append(sentence.strip())
    return found


def article_problems(text: str) -> list[str]:
    """Article numbers the fact sheet does not verify for 2023, or cited without that version."""
    problems = [
        f"{m.group(0)} is not verified for the 2023 条例"
        for m in ARTICLE.finditer(text)
        if m.group(0) not in VERIFIED_2023_ARTICLES
    ]
    first = ARTICLE.search(text)
    if first is not None and CURRENT_REGULATIONS not in text[: first.start()]:
        problems.append(f"{first.group(0)} is cited before {CURRENT_REGULATIONS} is named")
    return problems


def superseded_citations(text: str) -> list[str]:
    """Sentences citing a superseded document version (content/lint.yaml) as if in force."""
    found = []
    for sentence in sentences(text):
        if any(m.search(sentence) for m in RULES.history_markers):
            continue
        if any(p.search(sentence) for entry in RULES.superseded for p in entry.patterns):
            found.append(sentence.strip())
    return found


# --- the checks can fail ------------------------------------------------------------------------


def _variant(holiday: str, text: str) -> ReminderVariant:
    return ReminderVariant(id="x-1", holiday=holiday, title=f"{holiday}提醒", text=text)


def test_missing_prohibitions_names_what_a_text_leaves_out() -> None:
    # 端午 without 婚丧喜庆 and without 津贴, as dragon-boat texts once were.
    text = "不收粽子、烟酒、购物卡、电子红包；不违规吃喝；不公车私用。汛期值班。"
    assert missing_prohibitions(_variant("端午节", text)) == ["违规操办婚丧喜庆", "违规发放津补贴"]
    full = text + "不违规操办婚丧喜庆事宜，不违规发放津补贴。"
    assert missing_prohibitions(_variant("端午节", full)) == []
    assert missing_prohibitions(_variant("中秋节", full)) == ["月饼", "蟹卡"]


def test_out_of_season_flags_the_mooncake_case_at_spring_festival() -> None:
    case = "例如收受管理服务对象所送月饼的，受到党内警告处分；年货同样如此。"
    assert out_of_season(_variant("春节", case)) == ["月饼"]
    assert out_of_season(_variant("元旦", "不收粽子和年货。")) == ["粽子"]
    assert out_of_season(_variant("中秋节", case)) == ["年货"]
    assert out_of_season(_variant("国庆节", "不收月饼、蟹卡蟹券。")) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # The figures the 2027 texts once quoted as fresh.
        "据中央纪委国家监委网站数据，2025年全国查处的享乐主义、奢靡之风问题中，"
        "违规收送名贵特产和礼品礼金占54.5%，违规吃喝占22.3%。",
        "截至2017年10月底，违规配备使用公务用车占18.4%，在各类问题中居于前列。",
        "中央纪委办公厅在2025年国庆中秋期间的通知中，把公车私用列为紧盯的问题。",
        # A figure with neither a year nor a history marker, and one marked but undated.
        "违规收送礼品礼金占54.5%。",
        "八项规定实施五年时曾公布，公车问题占18.4%。",
        "全国累计查处问题193168起。",
    ],
)
def test_stated_as_current_flags_dated_news_and_bare_figures(sentence: str) -> None:
    assert stated_as_current(sentence) == [sentence.rstrip("。")]


@pytest.mark.parametrize(
    "sentence",
    [
        "2025年国庆中秋前，中央纪委办公厅曾专门发出通知，要求紧盯公车私用。",
        "2017年公布的数据中，公车问题曾占查处问题总数的18.4%。",
        "《中国共产党纪律处分条例》（2023年修订）第九十七条规定，收受礼品的要受处分。",
        "{holiday}（{start}至{end}）将至，请严格落实中央八项规定精神。",
    ],
)
def test_stated_as_current_lets_history_and_versions_pass(sentence: str) -> None:
    assert stated_as_current(sentence) == []


def test_article_problems_flags_unverified_numbers_and_an_unnamed_version() -> None:
    assert article_problems("依据该条例第一百一十四条给予相应处分。") == [
        "第一百一十四条 is not verified for the 2023 条例",
        f"第一百一十四条 is cited before {CURRENT_REGULATIONS} is named",
    ]
    assert article_problems("依据《中国共产党纪律处分条例》第一百一十三条。") == [
        f"第一百一十三条 is cited before {CURRENT_REGULATIONS} is named"
    ]
    assert article_problems(f"依据{CURRENT_REGULATIONS}第一百一十三条、第九十七条。") == []
    assert article_problems("不收礼金。") == []


def test_superseded_citations_flags_the_2018_regulations_as_current() -> None:
    assert superseded_citations("依据2018年版第九十一条，给予警告处分。") != []
    assert superseded_citations("2018年版第九十一条（已被2023年修订版取代）规定了婚丧喜庆。") == []
    assert superseded_citations(f"依据{CURRENT_REGULATIONS}第九十七条。") == []


# --- the shipped texts --------------------------------------------------------------------------


def test_every_holiday_has_its_three_variants() -> None:
    assert len(VARIANTS) == 21
    assert {v.holiday for v in VARIANTS} == set(SEASONAL)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_variant_names_the_prohibitions_of_its_holiday(variant: ReminderVariant) -> None:
    assert missing_prohibitions(variant) == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_variant_keeps_seasonal_examples_in_season(variant: ReminderVariant) -> None:
    assert out_of_season(variant) == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_variant_states_no_year_or_figure_as_current(variant: ReminderVariant) -> None:
    assert stated_as_current(f"{variant.title}\n{variant.text}") == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_variant_cites_only_verified_2023_articles(variant: ReminderVariant) -> None:
    assert article_problems(variant.text) == []
    assert superseded_citations(variant.text) == []


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.id)
def test_variant_says_it_is_an_integrity_reminder(variant: ReminderVariant) -> None:
    # Members (and the chat tests) tell a reminder from other messages by its 廉洁.
    assert "廉洁" in f"{variant.title}\n{variant.text}"
