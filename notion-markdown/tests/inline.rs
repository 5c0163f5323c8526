//! Inline Markdown ↔ rich text: escaping, Notion's segment-wise markers, spans, mentions.

use expect_test::{expect, Expect};
use notion_markdown::{parse_inline, render_inline, Dialect, Mention, RichText, SpanKind};

use Dialect::{V1, V2};

/// One line per segment: its kind, content and annotations.
fn show(rt: &RichText) -> String {
    let mut out = String::new();
    for s in &rt.0 {
        let a = &s.annotations;
        let mut flags = Vec::new();
        for (on, name) in [
            (a.bold, "b"),
            (a.italic, "i"),
            (a.strikethrough, "s"),
            (a.underline, "u"),
            (a.code, "code"),
        ] {
            if on {
                flags.push(name.to_string());
            }
        }
        if !a.color.is_default() {
            flags.push(a.color.markdown_name().to_string());
        }
        let body = match &s.kind {
            SpanKind::Text {
                content,
                link: None,
            } => format!("{content:?}"),
            SpanKind::Text {
                content,
                link: Some(l),
            } => format!("{content:?} -> {l}"),
            SpanKind::Equation { expression } => format!("math {expression:?}"),
            SpanKind::Mention { mention, label } => format!("mention {mention:?} {label:?}"),
        };
        out.push_str(&format!("{body} [{}]\n", flags.join(" ")));
    }
    out
}

/// Parses `src`, shows the segments, and checks that rendering gives `rendered` back.
fn check(src: &str, d: Dialect, segments: Expect, rendered: &str) {
    let rt = parse_inline(src, d);
    segments.assert_eq(&show(&rt));
    assert_eq!(render_inline(&rt, d), rendered, "rendering {src:?}");
}

#[test]
fn notion_segment_markers() {
    check(
        "notice **this has ***some* <span underline=\"true\">formatting</span>!",
        V1,
        expect![[r#"
            "notice " []
            "this has " [b]
            "some" [i]
            " " []
            "formatting" [u]
            "!" []
        "#]],
        "notice **this has ***some* <span underline=\"true\">formatting</span>!",
    );
}

#[test]
fn marker_boundaries_between_styles() {
    // bold+italic → bold, italic → bold+italic, struck bold → struck.
    check(
        "***a*****b** *c****d*** ~~**e**~~~~f~~",
        V1,
        expect![[r#"
            "a" [b i]
            "b" [b]
            " " []
            "c" [i]
            "d" [b i]
            " " []
            "e" [b s]
            "f" [s]
        "#]],
        "***a*****b** *c****d*** ~~**e**~~~~f~~",
    );
}

#[test]
fn commonmark_nesting_is_read_too() {
    check(
        "**a *b* c** and *x **y** z*",
        V1,
        expect![[r#"
            "a " [b]
            "b" [b i]
            " c" [b]
            " and " []
            "x " [i]
            "y" [b i]
            " z" [i]
        "#]],
        "**a *****b***** c** and *x ****y**** z*",
    );
}

#[test]
fn lone_and_unclosed_markers_stay_text() {
    check(
        "2 * 3 * 4, **open, a_b_c, _x",
        V1,
        expect![[r#"
            "2 * 3 * 4, **open, a_b_c, _x" []
        "#]],
        r"2 \* 3 \* 4, \*\*open, a_b_c, \_x",
    );
}

#[test]
fn escapes() {
    check(
        r"\\ \* \~ \` \$ \[ \] \< \> \{ \} \| \^ \_ \# \q &lt;b&gt; &amp;amp; & ;",
        V1,
        expect![[r#"
            "\\ * ~ ` $ [ ] < > { } | ^ _ # \\q <b> &amp; & ;" []
        "#]],
        r"\\ \* \~ \` \$ \[ \] \< \> \{ \} \| \^ \_ # \\q \<b\> \&amp; & ;",
    );
}

#[test]
fn code_spans() {
    check(
        "`a*b` `` x`y `` ` `` ` `\\`",
        V1,
        expect![[r#"
            "a*b" [code]
            " " []
            "x`y" [code]
            " " []
            "``" [code]
            " " []
            "\\" [code]
        "#]],
        "`a*b` ``x`y`` ``` `` ``` `\\`",
    );
}

#[test]
fn links() {
    check(
        "[plain ](u)[*ital*](u)[`code`](u) [a](https://x.org/w/A_(b)) <https://auto.link> [no link] [x]",
        V1,
        expect![[r#"
            "plain " -> u []
            "ital" -> u [i]
            "code" -> u [code]
            " " []
            "a" -> https://x.org/w/A_(b) []
            " " []
            "https://auto.link" -> https://auto.link []
            " [no link] [x]" []
        "#]],
        "[plain ](u)[*ital*](u)[`code`](u) [a](https://x.org/w/A_(b)) [https://auto.link](https://auto.link) \\[no link\\] \\[x\\]",
    );
}

#[test]
fn line_breaks() {
    check(
        "a<br>b<br/>c<br />d",
        V1,
        expect![[r#"
            "a\nb\nc\nd" []
        "#]],
        "a<br>b<br>c<br>d",
    );
    check(
        "a<br>b",
        V2,
        expect![[r#"
            "a\nb" []
        "#]],
        "a\\\nb",
    );
}

#[test]
fn math() {
    check(
        "$x+1$ and $`a_1 < b`$ and $ not$ and \\$5",
        V1,
        expect![[r#"
            math "x+1" []
            " and " []
            math "a_1 < b" []
            " and $ not$ and $5" []
        "#]],
        "$x+1$ and $`a_1 < b`$ and \\$ not\\$ and \\$5",
    );
}

#[test]
fn v1_mentions() {
    check(
        "<mention-user url=\"user://1\"/> <mention-page url=\"https://www.notion.so/p\">Title</mention-page> <mention-database url=\"d\"/> <mention-data-source url=\"collection://c\"/> <mention-agent url=\"agent://a\"/> <mention-date start=\"2026-01-31\" end=\"2026-02-02\" startTime=\"14:00\" timeZone=\"Europe/Paris\"/>",
        V1,
        expect![[r#"
            mention User { url: "user://1" } None []
            " " []
            mention Page { url: "https://www.notion.so/p" } Some("Title") []
            " " []
            mention Database { url: "d" } None []
            " " []
            mention DataSource { url: "collection://c" } None []
            " " []
            mention Agent { url: "agent://a" } None []
            " " []
            mention Date { start: "2026-01-31", end: Some("2026-02-02"), start_time: Some("14:00"), end_time: None, time_zone: Some("Europe/Paris") } None []
        "#]],
        "<mention-user url=\"user://1\"/> <mention-page url=\"https://www.notion.so/p\"/> <mention-database url=\"d\"/> <mention-data-source url=\"collection://c\"/> <mention-agent url=\"agent://a\"/> <mention-date start=\"2026-01-31\" end=\"2026-02-02\" startTime=\"14:00\" timeZone=\"Europe/Paris\"/>",
    );
}

#[test]
fn v2_mentions_and_tags() {
    check(
        "<mention url=\"user://1\">Ann</mention> <mention url=\"https://n.so/d\" type=\"database\" /> <mention url=\"collection://c\" /> <date start=\"2026-01-31\" end-time=\"10:00\" /> <span color=\"red\"><u>t</u></span> <b> b </b><i>i</i><s>s</s>",
        V2,
        expect![[r#"
            mention User { url: "user://1" } Some("Ann") []
            " " []
            mention Database { url: "https://n.so/d" } None []
            " " []
            mention DataSource { url: "collection://c" } None []
            " " []
            mention Date { start: "2026-01-31", end: None, start_time: None, end_time: Some("10:00"), time_zone: None } None []
            " " []
            "t" [u red]
            " " []
            " b " [b]
            "i" [i]
            "s" [s]
        "#]],
        "<mention url=\"user://1\">Ann</mention> <mention url=\"https://n.so/d\" type=\"database\" /> <mention url=\"collection://c\" /> <date start=\"2026-01-31\" end-time=\"10:00\" /> <span color=\"red\"><u>t</u></span> <b> b </b>*i*~~s~~",
    );
}

#[test]
fn dialect_specific_tags_are_text_elsewhere() {
    check(
        "<u>x</u> <mention url=\"u\" />",
        V1,
        expect![[r#"
            "<u>x</u> <mention url=\"u\" />" []
        "#]],
        "\\<u\\>x\\</u\\> \\<mention url=\"u\" /\\>",
    );
    check(
        "<mention-page url=\"u\"/>",
        V2,
        expect![[r#"
            "<mention-page url=\"u\"/>" []
        "#]],
        "\\<mention-page url=\"u\"/\\>",
    );
}

#[test]
fn spans_nest_and_combine() {
    check(
        "<span color=\"blue\">a **b** <span color=\"red\">c</span></span> <span color=\"blue_background\">d</span>",
        V1,
        expect![[r#"
            "a " [blue]
            "b" [b blue]
            " " [blue]
            "c" [red]
            " d" []
        "#]],
        "<span color=\"blue\">a </span><span color=\"blue\">**b**</span><span color=\"blue\"> </span><span color=\"red\">c</span> d",
    );
}

#[test]
fn edge_spaces_never_make_lone_markers() {
    // Bold " b" after a space would render as `a ** b**`, which cannot open; the space moves out.
    let rt = RichText(vec![
        notion_markdown::Span::text("a "),
        notion_markdown::Span {
            annotations: notion_markdown::Annotations {
                bold: true,
                ..Default::default()
            },
            ..notion_markdown::Span::text(" b")
        },
    ]);
    assert_eq!(render_inline(&rt, V1), "a  **b**");
    assert_eq!(render_inline(&rt, V2), "a <b> b</b>");
}

#[test]
fn mention_plain_text() {
    let rt = parse_inline("<mention-date start=\"2026-05-24\"/>", V1);
    assert!(matches!(
        &rt.0[0].kind,
        SpanKind::Mention {
            mention: Mention::Date { .. },
            ..
        }
    ));
    assert_eq!(rt.plain_text(), "2026-05-24");
}
