//! The test vectors of the reference (`notion-markdown.md` §7): Markdown sent to Notion and the
//! canonical text Notion hands back. `⇥` is a TAB in the expectations for readability.

use expect_test::{expect, Expect};
use notion_markdown::{canonicalize, Dialect};

fn check(input: &str, dialect: Dialect, expected: Expect) {
    let out = canonicalize(input, dialect);
    expected.assert_eq(&out.replace('\t', "⇥"));
    // The canonical form is a fixpoint.
    assert_eq!(canonicalize(&out, dialect), out, "not a fixpoint: {out:?}");
}

use Dialect::{V1, V2};

#[test]
fn v01_blank_line_between_blocks_is_dropped() {
    check(
        "## New Section\n\nHello.",
        V1,
        expect![[r#"
        ## New Section
        Hello."#]],
    );
}

#[test]
fn v02_empty_page_is_empty() {
    check("", V1, expect![[""]]);
}

#[test]
fn v03_meeting_page_is_stable() {
    check(
        "# Meeting\nBody\n## Items\n- [ ] Draft",
        V1,
        expect![[r#"
        # Meeting
        Body
        ## Items
        - [ ] Draft"#]],
    );
}

#[test]
fn v04_heading_5_becomes_4() {
    check("##### Deep", V1, expect!["#### Deep"]);
}

#[test]
fn v05_paragraph_colour() {
    check(
        "Hello {color=\"blue\"}",
        V1,
        expect![[r#"Hello {color="blue"}"#]],
    );
}

#[test]
fn v06_star_bullets_become_dashes() {
    check(
        "* a\n* b",
        V1,
        expect![[r#"
        - a
        - b"#]],
    );
}

#[test]
fn v07_numbered_lists_are_renumbered() {
    check(
        "1. a\n1. b\n1. c",
        V1,
        expect![[r#"
        1. a
        2. b
        3. c"#]],
    );
}

#[test]
fn v08_nested_bullet() {
    check(
        "- a\n\t- b",
        V1,
        expect![[r#"
        - a
        ⇥- b"#]],
    );
}

#[test]
fn v09_capital_x_todo() {
    check("- [X] done", V1, expect!["- [x] done"]);
}

#[test]
fn v10_consecutive_quotes_are_separate() {
    check(
        "> one\n> two",
        V1,
        expect![[r#"
        > one
        > two"#]],
    );
}

#[test]
fn v11_quote_line_break() {
    check("> one<br>two", V1, expect!["> one<br>two"]);
}

#[test]
fn v12_blank_lines_dropped() {
    check(
        "A\n\n\nB",
        V1,
        expect![[r#"
        A
        B"#]],
    );
}

#[test]
fn v13_empty_block_kept() {
    check(
        "A\n<empty-block/>\nB",
        V1,
        expect![[r#"
        A
        <empty-block/>
        B"#]],
    );
}

#[test]
fn v14_details_toggle() {
    check(
        "<details>\n<summary>T</summary>\n\tx\n</details>",
        V1,
        expect![[r#"
        <details>
        <summary>T</summary>
        ⇥x
        </details>"#]],
    );
}

#[test]
fn v15_toggle_heading() {
    check(
        "## T {toggle=\"true\"}\n\tx",
        V1,
        expect![[r###"
        ## T {toggle="true"}
        ⇥x"###]],
    );
}

#[test]
fn v16_callout_tag() {
    check(
        "<callout icon=\"💡\" color=\"gray_bg\">\n\tNote\n</callout>",
        V1,
        expect![[r#"
        <callout icon="💡" color="gray_bg">
        ⇥Note
        </callout>"#]],
    );
}

#[test]
fn v17_callout_fence_becomes_tag() {
    check(
        "::: callout {icon=\"💡\"}\nNote\n:::",
        V1,
        expect![[r#"
        <callout icon="💡">
        ⇥Note
        </callout>"#]],
    );
}

#[test]
fn v18_code_not_escaped() {
    check(
        "```python\nx = [1]\n```",
        V1,
        expect![[r#"
        ```python
        x = [1]
        ```"#]],
    );
}

#[test]
fn v19_code_without_language_is_plain_text() {
    check(
        "```\nplain\n```",
        V1,
        expect![[r#"
        ```plain text
        plain
        ```"#]],
    );
}

#[test]
fn v20_equation_block() {
    check(
        "$$\na+b\n$$",
        V1,
        expect![[r#"
        $$
        a+b
        $$"#]],
    );
}

#[test]
fn v21_stars_divider() {
    check("***", V1, expect!["---"]);
}

#[test]
fn v22_pipe_table_becomes_tag_table() {
    check(
        "| a | b |\n|---|---|\n| 1 | 2 |",
        V1,
        expect![[r#"
        <table header-row="true">
        <tr>
        <td>a</td>
        <td>b</td>
        </tr>
        <tr>
        <td>1</td>
        <td>2</td>
        </tr>
        </table>"#]],
    );
}

#[test]
fn v23_image() {
    check("![Cat](U)", V1, expect!["![Cat](U)"]);
}

#[test]
fn v24_pdf() {
    check(
        "<pdf src=\"U\">Spec</pdf>",
        V1,
        expect![[r#"<pdf src="U">Spec</pdf>"#]],
    );
}

#[test]
fn v25_columns() {
    check(
        "<columns>\n\t<column>\n\t\tL\n\t</column>\n\t<column>\n\t\tR\n\t</column>\n</columns>",
        V1,
        expect![[r#"
        <columns>
        ⇥<column>
        ⇥⇥L
        ⇥</column>
        ⇥<column>
        ⇥⇥R
        ⇥</column>
        </columns>"#]],
    );
}

#[test]
fn v26_table_of_contents() {
    check("<table_of_contents/>", V1, expect!["<table_of_contents/>"]);
}

#[test]
fn v27_bold_and_italic() {
    check("**bold** and *it*", V1, expect!["**bold** and *it*"]);
}

#[test]
fn v28_underscore_emphasis() {
    check("__bold__ _it_", V1, expect!["**bold** *it*"]);
}

#[test]
fn v29_underline_span() {
    check(
        "<span underline=\"true\">u</span>",
        V1,
        expect![[r#"<span underline="true">u</span>"#]],
    );
}

#[test]
fn v30_colour_span() {
    check(
        "<span color=\"red_bg\">hot</span>",
        V1,
        expect![[r#"<span color="red_bg">hot</span>"#]],
    );
}

#[test]
fn v31_date_mention() {
    check(
        "<mention-date start=\"2026-05-24\"/>",
        V1,
        expect![[r#"<mention-date start="2026-05-24"/>"#]],
    );
}

#[test]
fn v32_page_mention_label_dropped() {
    check(
        "<mention-page url=\"U\">Doc</mention-page>",
        V1,
        expect![[r#"<mention-page url="U"/>"#]],
    );
}

#[test]
fn v33_escapes_kept() {
    check("Cost \\$5 \\*net\\*", V1, expect![[r#"Cost \$5 \*net\*"#]]);
}

#[test]
fn v34_bracket_x_paragraph_is_escaped() {
    check("[x] is a variable", V1, expect![[r#"\[x\] is a variable"#]]);
}

#[test]
fn v35_two_space_break_splits() {
    check(
        "Line one  \nLine two",
        V1,
        expect![[r#"
        Line one
        Line two"#]],
    );
}

#[test]
fn v36_background_spelling_dropped() {
    check(
        "<callout color=\"blue_background\">\n\tx\n</callout>",
        V1,
        expect![[r#"
        <callout>
        ⇥x
        </callout>"#]],
    );
}

#[test]
fn v37_blank_line_separates() {
    check(
        "A\n\nB",
        V2,
        expect![[r#"
        A

        B"#]],
    );
}

#[test]
fn v38_soft_break_is_kept_as_break() {
    check(
        "A\nB",
        V2,
        expect![[r#"
        A\
        B"#]],
    );
}

#[test]
fn v39_hard_break() {
    check(
        "one\\\ntwo",
        V2,
        expect![[r#"
        one\
        two"#]],
    );
}

#[test]
fn v40_empty_paragraph() {
    check("<p />", V2, expect!["<p />"]);
}

#[test]
fn v41_toggle() {
    check(
        "<toggle>\nTitle\n\nchild\n</toggle>",
        V2,
        expect![[r#"
        <toggle>
        Title

        child
        </toggle>"#]],
    );
}

#[test]
fn v42_details_is_text() {
    check(
        "<details><summary>T</summary>x</details>",
        V2,
        expect![[r#"\<details\>\<summary\>T\</summary\>x\</details\>"#]],
    );
}

#[test]
fn v43_attribute_list_is_text() {
    check("Hi {color=\"red\"}", V2, expect![[r#"Hi \{color="red"\}"#]]);
}

#[test]
fn v44_coloured_quote_container() {
    check(
        "<quote color=\"purple_bg\">\nQ\n\n- c\n</quote>",
        V2,
        expect![[r#"
        <quote color="purple_bg">
        Q

        - c
        </quote>"#]],
    );
}

#[test]
fn v45_date() {
    check(
        "<date start=\"2026-01-31\" start-time=\"09:00\" time-zone=\"Europe/Paris\" />",
        V2,
        expect![[r#"<date start="2026-01-31" start-time="09:00" time-zone="Europe/Paris" />"#]],
    );
}

#[test]
fn v46_user_mention() {
    check(
        "<mention url=\"user://U\" />",
        V2,
        expect![[r#"<mention url="user://U" />"#]],
    );
}

#[test]
fn v47_plain_pipe_table() {
    check(
        "| a | b |\n|---|---|\n| 1 | 2 |",
        V2,
        expect![[r#"
        | a | b |
        |---|---|
        | 1 | 2 |"#]],
    );
}

#[test]
fn v48_underline_and_spaced_bold() {
    check(
        "<u>under</u> <b> spaced </b>",
        V2,
        expect!["<u>under</u> <b> spaced </b>"],
    );
}

#[test]
fn v49_unknown_block_kept_v1() {
    check(
        "<unknown url=\"U#b\" alt=\"tweet\"/>",
        V1,
        expect![[r#"<unknown url="U#b" alt="tweet"/>"#]],
    );
}

#[test]
fn v49_unknown_block_kept_v2() {
    check(
        "<unknown url=\"U#b\" alt=\"tweet\"/>",
        V2,
        expect![[r#"<unknown url="U#b" alt="tweet"/>"#]],
    );
}
