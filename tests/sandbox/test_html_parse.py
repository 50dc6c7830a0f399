"""Telegram HTML parsing: plain text, entities in UTF-16 units, tdlib's errors."""

import pytest

from bot.sandbox import EntityParseError, parse_html, utf16_len
from bot.sandbox.html_parse import strip_text


def test_utf16_length_counts_astral_characters_twice():
    assert utf16_len("廉洁") == 2
    assert utf16_len("😀") == 2
    assert utf16_len("a😀b") == 4


def test_nested_tags_give_utf16_offsets():
    text, entities = parse_html("<b>廉洁 😀 <i>自律</i></b> ok")
    assert text == "廉洁 😀 自律 ok"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "italic", "offset": 6, "length": 2},
    ]


@pytest.mark.parametrize(
    ("markup", "entity_type"),
    [
        ("<strong>x</strong>", "bold"),
        ("<em>x</em>", "italic"),
        ("<ins>x</ins>", "underline"),
        ("<u>x</u>", "underline"),
        ("<del>x</del>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"),
        ("<s>x</s>", "strikethrough"),
        ("<code>x</code>", "code"),
        ("<pre>x</pre>", "pre"),
        ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ('<span class="tg-spoiler">x</span>', "spoiler"),
        ("<blockquote>x</blockquote>", "blockquote"),
        ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ("<B>x</B>", "bold"),
    ],
)
def test_every_supported_tag_maps_to_its_entity(markup, entity_type):
    assert parse_html(markup) == ("x", [{"type": entity_type, "offset": 0, "length": 1}])


def test_links_and_pre_code_language():
    text, entities = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">链接</a>\n'
        '<pre><code class="language-python">print(1)</code></pre>'
    )
    assert text == "链接\nprint(1)"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 2, "url": "https://example.org/?a=1&b=2"},
        {"type": "pre", "offset": 3, "length": 8, "language": "python"},
    ]


def test_character_references_follow_telegram():
    text, entities = parse_html(
        "1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;ok&quot; &#128512; &#x4E2D; &nbsp;"
    )
    assert text == '1 < 2 && 3 > 2 "ok" 😀 中 &nbsp;'
    assert entities == []


def test_empty_tags_produce_no_entity():
    assert parse_html("a<b></b>b") == ("ab", [])


@pytest.mark.parametrize(
    ("markup", "message"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("1<2", 'Unsupported start tag "2" at byte offset 1'),
        ("廉<x>", 'Unsupported start tag "x" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<!-- note -->", 'Unsupported start tag "!--" at byte offset 0'),
    ],
)
def test_invalid_markup_raises_tdlib_messages(markup, message):
    with pytest.raises(EntityParseError) as error:
        parse_html(markup)
    assert str(error.value) == message


def test_strip_shifts_and_clips_entities():
    text, entities = parse_html("\n  <b> 廉洁 </b>  \n")
    assert strip_text(text, entities) == ("廉洁", [{"type": "bold", "offset": 0, "length": 2}])
