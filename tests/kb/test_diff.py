"""kb.diff: line matching, word and character marks, links kept whole, unchanged stretches folded."""

import re

from kb.diff import markdown_diff, rendered_diff, value_diff


def _marks(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html)


def test_a_line_inserted_above_an_edited_line_shows_as_an_insertion_and_an_edit():
    rows = markdown_diff("a\nThe quick brown fox\nz\n", "a\nA new line\nThe quick red fox\nz\n")

    kinds = [(row.kind, row.old_number, row.new_number) for row in rows]
    assert kinds == [("equal", 1, 1), ("insert", None, 2), ("change", 2, 3), ("equal", 3, 4)]
    assert _marks(rows[2].old_html, "del") == ["brown"]


def test_long_unchanged_stretches_fold_into_one_row_with_a_count():
    old = "\n".join(f"第{i}行" for i in range(20))
    new = old.replace("第10行", "第10行改了")

    rows = markdown_diff(old, new)

    skipped = [row.skipped for row in rows if row.kind == "skip"]
    assert skipped == [8, 7]  # lines 0-7 and 13-19; two lines of context on each side of line 10
    assert [row.kind for row in rows].count("change") == 1


def test_a_one_character_chinese_edit_marks_that_character():
    old, new = value_diff("确认热敏纸方向正确。", "确认热敏纸方向朝上。")

    assert (_marks(old, "del"), _marks(new, "ins")) == (["正确"], ["朝上"])


def test_a_changed_link_is_replaced_whole_in_markdown_and_in_the_rendered_text():
    before, after = "见[网络检查](article:fix-network)。", "见[网络检查](article:fix-hardware)。"

    markdown = markdown_diff(before, after)[0]
    rendered = rendered_diff('<p>见<a href="/a/">网络检查</a>。</p>', '<p>见<a href="/b/">网络检查</a>。</p>')[0]

    assert _marks(markdown.old_html, "del") == ["[网络检查](article:fix-network)"]
    assert _marks(rendered.old_html, "del") == ["网络检查 ⟨/a/⟩"]
    assert _marks(rendered.new_html, "ins") == ["网络检查 ⟨/b/⟩"]


def test_the_rendered_text_has_no_markdown_syntax():
    rows = rendered_diff("<ul><li><strong>按确认</strong>键</li></ul>", "<ul><li><strong>按取消</strong>键</li></ul>")

    assert "**" not in rows[0].old_html and "<strong>" not in rows[0].old_html
    assert rows[0].old_html.startswith("• ")


def test_text_is_escaped():
    old, new = value_diff("<b>粗</b>", "<script>x</script>")

    assert "<script>" not in new and "<b>" not in old
    assert re.sub(r"</?(ins|del)>", "", new) == "&lt;script&gt;x&lt;/script&gt;"


def test_identical_texts_have_no_rows():
    assert markdown_diff("同样\n", "同样\n") == []
