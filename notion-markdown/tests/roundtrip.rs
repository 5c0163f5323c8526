//! Every block type survives render → parse unchanged, in both dialects, and renders in the
//! expected shape.

use expect_test::{expect, Expect};
use notion_markdown::{
    parse, parse_inline, render, Annotations, Block, BlockKind, Color, Dialect, MediaKind, Mention,
    RichText, Span, SpanKind, TableRow,
};

use Dialect::{V1, V2};

fn rt(s: &str) -> RichText {
    RichText::plain(s)
}

fn styled(s: &str, f: impl FnOnce(&mut Annotations)) -> Span {
    let mut span = Span::text(s);
    f(&mut span.annotations);
    span
}

/// Renders `blocks` in `dialect`, checks the text, and checks it parses back to `blocks`.
fn check(blocks: &[Block], dialect: Dialect, expected: Expect) {
    let text = render(blocks, dialect);
    expected.assert_eq(&text.replace('\t', "⇥"));
    assert_eq!(parse(&text, dialect), blocks, "round trip of {text:?}");
}

fn both(blocks: &[Block], v1: Expect, v2: Expect) {
    check(blocks, V1, v1);
    check(blocks, V2, v2);
}

fn b(kind: BlockKind) -> Block {
    Block::new(kind)
}

fn p(text: &str) -> Block {
    Block::paragraph(text)
}

#[test]
fn paragraphs() {
    let blocks = vec![
        p("Plain text"),
        b(BlockKind::Paragraph {
            text: rt("Grey"),
            color: Color::Gray,
        }),
        b(BlockKind::Paragraph {
            text: RichText::default(),
            color: Color::Default,
        }),
        Block::with_children(
            BlockKind::Paragraph {
                text: rt("Parent"),
                color: Color::Default,
            },
            vec![p("child")],
        ),
        b(BlockKind::Paragraph {
            text: rt("one\ntwo"),
            color: Color::Default,
        }),
    ];
    both(
        &blocks,
        expect![[r#"
            Plain text
            Grey {color="gray"}
            <empty-block/>
            Parent
            ⇥child
            one<br>two"#]],
        expect![[r#"
            Plain text

            <p color="gray">
            Grey
            </p>

            <p />

            <p>
            Parent

            child
            </p>

            one\
            two"#]],
    );
}

#[test]
fn paragraphs_that_look_like_other_blocks_are_escaped() {
    let blocks: Vec<Block> = [
        "# not a heading",
        "- not a bullet",
        "1. not a list",
        "---",
        "===",
        "::: x",
        "+ x",
    ]
    .into_iter()
    .map(p)
    .collect();
    both(
        &blocks,
        expect![[r#"
            \# not a heading
            \- not a bullet
            1\. not a list
            \---
            \===
            \::: x
            \+ x"#]],
        expect![[r#"
            \# not a heading

            \- not a bullet

            1\. not a list

            \---

            \===

            \::: x

            \+ x"#]],
    );
}

#[test]
fn headings() {
    let h = |level, text: &str, color, toggleable| {
        b(BlockKind::Heading {
            level,
            text: rt(text),
            color,
            toggleable,
        })
    };
    let blocks = vec![
        h(1, "One", Color::Default, false),
        h(2, "Two", Color::Red, false),
        h(3, "Three", Color::Default, false),
        Block::with_children(h(4, "Four", Color::Default, true).kind, vec![p("inside")]),
        Block::with_children(h(2, "T", Color::Blue, true).kind, vec![p("x")]),
    ];
    both(
        &blocks,
        expect![[r#"
            # One
            ## Two {color="red"}
            ### Three
            #### Four {toggle="true"}
            ⇥inside
            ## T {toggle="true" color="blue"}
            ⇥x"#]],
        expect![[r#"
            # One

            <h2 color="red">
            Two
            </h2>

            ### Three

            <toggle heading="h4">
            Four

            inside
            </toggle>

            <toggle heading="h2" color="blue">
            T

            x
            </toggle>"#]],
    );
}

#[test]
fn lists() {
    let bullet = |t: &str| {
        b(BlockKind::BulletedListItem {
            text: rt(t),
            color: Color::Default,
        })
    };
    let num = |t: &str| {
        b(BlockKind::NumberedListItem {
            text: rt(t),
            color: Color::Default,
        })
    };
    let todo = |t: &str, checked| {
        b(BlockKind::ToDo {
            text: rt(t),
            checked,
            color: Color::Default,
        })
    };
    let blocks = vec![
        Block::with_children(bullet("a").kind, vec![bullet("a.1"), p("a para")]),
        bullet("b"),
        num("one"),
        Block::with_children(num("two").kind, vec![num("two.one")]),
        num("three"),
        todo("open", false),
        todo("done", true),
        b(BlockKind::BulletedListItem {
            text: rt("red"),
            color: Color::Red,
        }),
        b(BlockKind::NumberedListItem {
            text: rt("blue"),
            color: Color::BlueBg,
        }),
        b(BlockKind::ToDo {
            text: rt("grey"),
            checked: true,
            color: Color::Gray,
        }),
        bullet("line\nbreak"),
        bullet(""),
    ];
    both(
        &blocks,
        expect![[r#"
            - a
            ⇥- a.1
            ⇥a para
            - b
            1. one
            2. two
            ⇥1. two.one
            3. three
            - [ ] open
            - [x] done
            - red {color="red"}
            1. blue {color="blue_bg"}
            - [x] grey {color="gray"}
            - line<br>break
            -"#]],
        expect![[r#"
            - a
            ⇥- a.1

            ⇥a para
            - b
            1. one
            2. two
            ⇥1. two.one
            3. three
            - [ ] open
            - [x] done

            <ul><li color="red">red</li></ul>

            <ol><li color="blue_bg">blue</li></ol>

            <todo checked="true" color="gray">grey</todo>

            - line\
            ⇥break
            -"#]],
    );
}

#[test]
fn quotes_toggles_callouts() {
    let blocks = vec![
        b(BlockKind::Quote {
            text: rt("one\n\nthree"),
            color: Color::Default,
        }),
        Block::with_children(
            BlockKind::Quote {
                text: rt("Q"),
                color: Color::PurpleBg,
            },
            vec![b(BlockKind::BulletedListItem {
                text: rt("c"),
                color: Color::Default,
            })],
        ),
        Block::with_children(
            BlockKind::Toggle {
                text: rt("Title"),
                color: Color::Blue,
            },
            vec![p("child")],
        ),
        Block::with_children(
            BlockKind::Callout {
                text: rt("Note"),
                icon: Some("💡".into()),
                color: Color::GrayBg,
            },
            vec![p("more")],
        ),
        Block::with_children(
            BlockKind::Callout {
                text: RichText::default(),
                icon: None,
                color: Color::Default,
            },
            vec![p("first child")],
        ),
    ];
    both(
        &blocks,
        expect![[r#"
            > one<br><br>three
            > Q {color="purple_bg"}
            ⇥- c
            <details color="blue">
            <summary>Title</summary>
            ⇥child
            </details>
            <callout icon="💡" color="gray_bg">
            ⇥Note
            ⇥more
            </callout>
            <callout>
            ⇥<empty-block/>
            ⇥first child
            </callout>"#]],
        expect![[r#"
            > one\
            > \
            > three

            <quote color="purple_bg">
            Q

            - c
            </quote>

            <toggle color="blue">
            Title

            child
            </toggle>

            <callout icon="💡" color="gray_bg">
            Note

            more
            </callout>

            <callout>

            first child
            </callout>"#]],
    );
}

#[test]
fn code_and_equations() {
    let blocks = vec![
        b(BlockKind::Code {
            language: "rust".into(),
            text: "fn main() {\n\tprintln!(\"*hi*\");\n}".into(),
        }),
        b(BlockKind::Code {
            language: "plain text".into(),
            text: "a ``` fence\n```".into(),
        }),
        b(BlockKind::Code {
            language: "mermaid".into(),
            text: String::new(),
        }),
        b(BlockKind::Equation {
            expression: "E = mc^2".into(),
        }),
    ];
    both(
        &blocks,
        expect![[r#"
            ```rust
            fn main() {
            ⇥println!("*hi*");
            }
            ```
            ````plain text
            a ``` fence
            ```
            ````
            ```mermaid
            ```
            $$
            E = mc^2
            $$"#]],
        expect![[r#"
            ```rust
            fn main() {
            ⇥println!("*hi*");
            }
            ```

            ````plain text
            a ``` fence
            ```
            ````

            ```mermaid
            ```

            $$
            E = mc^2
            $$"#]],
    );
}

#[test]
fn nested_code_keeps_its_indentation() {
    let blocks = vec![Block::with_children(
        BlockKind::BulletedListItem {
            text: rt("item"),
            color: Color::Default,
        },
        vec![b(BlockKind::Code {
            language: "py".into(),
            text: "if x:\n    y()\n\n\tz".into(),
        })],
    )];
    both(
        &blocks,
        expect![[r#"
            - item
            ⇥```py
            ⇥if x:
            ⇥    y()
            ⇥
            ⇥⇥z
            ⇥```"#]],
        expect![[r#"
            - item

            ⇥```py
            ⇥if x:
            ⇥    y()

            ⇥⇥z
            ⇥```"#]],
    );
}

#[test]
fn tables() {
    let cells = |a: &str, b: &str| TableRow::new(vec![rt(a), rt(b)]);
    let plain = b(BlockKind::Table {
        has_column_header: true,
        has_row_header: false,
        fit_page_width: false,
        columns: vec![],
        rows: vec![cells("a", "b"), cells("1 | 2", "x\ny")],
    });
    both(
        std::slice::from_ref(&plain),
        expect![[r#"
            <table header-row="true">
            <tr>
            <td>a</td>
            <td>b</td>
            </tr>
            <tr>
            <td>1 \| 2</td>
            <td>x<br>y</td>
            </tr>
            </table>"#]],
        expect![[r#"
            | a | b |
            |---|---|
            | 1 \| 2 | x<br />y |"#]],
    );
    let mut row = cells("c", "d");
    row.color = Color::BlueBg;
    row.cell_colors = vec![Color::Default, Color::Red];
    let styled = b(BlockKind::Table {
        has_column_header: true,
        has_row_header: true,
        fit_page_width: true,
        columns: vec![
            vec![("width".into(), "120".into())],
            vec![("color".into(), "gray".into())],
        ],
        rows: vec![cells("a", "b"), row],
    });
    both(
        &[styled],
        expect![[r#"
            <table fit-page-width="true" header-row="true" header-column="true">
            <colgroup>
            <col width="120">
            <col color="gray">
            </colgroup>
            <tr>
            <td>a</td>
            <td>b</td>
            </tr>
            <tr color="blue_bg">
            <td>c</td>
            <td color="red">d</td>
            </tr>
            </table>"#]],
        expect![[r#"
            <table fit-page-width="true" header-row="true" header-column="true">
            <colgroup>
            <col width="120" />
            <col color="gray" />
            </colgroup>
            <tr>
            <th>a</th>
            <th>b</th>
            </tr>
            <tr color="blue_bg">
            <th>c</th>
            <td color="red">d</td>
            </tr>
            </table>"#]],
    );
}

#[test]
fn media_pages_and_references() {
    let blocks = vec![
        b(BlockKind::Image {
            url: "https://x/cat.png".into(),
            caption: rt("A cat"),
            color: Color::Default,
        }),
        b(BlockKind::Image {
            url: "https://x/d.png".into(),
            caption: RichText::default(),
            color: Color::Red,
        }),
        b(BlockKind::Media {
            kind: MediaKind::Pdf,
            url: "U".into(),
            caption: rt("Spec"),
            color: Color::Default,
        }),
        b(BlockKind::Media {
            kind: MediaKind::Audio,
            url: "A".into(),
            caption: RichText::default(),
            color: Color::Blue,
        }),
        b(BlockKind::Media {
            kind: MediaKind::File,
            url: "file://%7B%22a%22%7D".into(),
            caption: rt(""),
            color: Color::Default,
        }),
        b(BlockKind::Media {
            kind: MediaKind::Video,
            url: "V".into(),
            caption: rt("clip"),
            color: Color::Default,
        }),
        b(BlockKind::ChildPage {
            url: "https://www.notion.so/abc".into(),
            title: "Sub <page>".into(),
            color: Color::Default,
        }),
        b(BlockKind::ChildDatabase {
            url: "https://www.notion.so/db".into(),
            title: "Tasks".into(),
            attrs: vec![
                ("inline".into(), "true".into()),
                ("data-source-url".into(), "collection://x".into()),
            ],
        }),
        b(BlockKind::TableOfContents {
            color: Color::Default,
        }),
        b(BlockKind::TableOfContents { color: Color::Gray }),
        b(BlockKind::Divider),
        b(BlockKind::Unknown {
            url: "https://www.notion.so/p#b".into(),
            alt: Some("tweet".into()),
        }),
        b(BlockKind::Unknown {
            url: "https://www.notion.so/p#c".into(),
            alt: None,
        }),
    ];
    both(
        &blocks,
        expect![[r#"
            ![A cat](https://x/cat.png)
            ![](https://x/d.png) {color="red"}
            <pdf src="U">Spec</pdf>
            <audio src="A" color="blue"></audio>
            <file src="file://%7B%22a%22%7D"></file>
            <video src="V">clip</video>
            <page url="https://www.notion.so/abc">Sub \<page\></page>
            <database url="https://www.notion.so/db" inline="true" data-source-url="collection://x">Tasks</database>
            <table_of_contents/>
            <table_of_contents color="gray"/>
            ---
            <unknown url="https://www.notion.so/p#b" alt="tweet"/>
            <unknown url="https://www.notion.so/p#c"/>"#]],
        expect![[r#"
            ![A cat](https://x/cat.png)

            <image source="https://x/d.png" color="red"></image>

            <pdf source="U">Spec</pdf>

            <audio source="A" color="blue"></audio>

            <file source="file://%7B%22a%22%7D"></file>

            <video source="V">clip</video>

            <page url="https://www.notion.so/abc">Sub \<page\></page>

            <database url="https://www.notion.so/db" inline="true" data-source-url="collection://x">Tasks</database>

            <table-of-contents />

            <table-of-contents color="gray" />

            ---

            <unknown url="https://www.notion.so/p#b" alt="tweet"/>

            <unknown url="https://www.notion.so/p#c"/>"#]],
    );
}

#[test]
fn columns_and_synced_blocks() {
    let blocks = vec![
        Block::with_children(
            BlockKind::ColumnList,
            vec![
                Block::with_children(BlockKind::Column { ratio: None }, vec![p("L"), p("L2")]),
                Block::with_children(
                    BlockKind::Column {
                        ratio: Some("25".into()),
                    },
                    vec![p("R")],
                ),
            ],
        ),
        Block::with_children(BlockKind::SyncedBlock { url: None }, vec![p("new")]),
        Block::with_children(
            BlockKind::SyncedBlock {
                url: Some("https://www.notion.so/p#s".into()),
            },
            vec![p("orig")],
        ),
        Block::with_children(
            BlockKind::SyncedBlockReference {
                url: "https://www.notion.so/p#s".into(),
            },
            vec![p("orig")],
        ),
    ];
    both(
        &blocks,
        expect![[r#"
            <columns>
            ⇥<column>
            ⇥⇥L
            ⇥⇥L2
            ⇥</column>
            ⇥<column ratio="25">
            ⇥⇥R
            ⇥</column>
            </columns>
            <synced_block>
            ⇥new
            </synced_block>
            <synced_block url="https://www.notion.so/p#s">
            ⇥orig
            </synced_block>
            <synced_block_reference url="https://www.notion.so/p#s">
            ⇥orig
            </synced_block_reference>"#]],
        expect![[r#"
            <columns>
            <column>
            L

            L2
            </column>

            <column ratio="25">
            R
            </column>
            </columns>

            <synced-block>
            new
            </synced-block>

            <synced-block url="https://www.notion.so/p#s">
            orig
            </synced-block>

            <synced-block-reference url="https://www.notion.so/p#s">
            orig
            </synced-block-reference>"#]],
    );
}

#[test]
fn rich_text_round_trips() {
    let link = |s: &str| Span {
        kind: SpanKind::Text {
            content: s.into(),
            link: Some("https://e.com".into()),
        },
        annotations: Annotations::default(),
    };
    let text = RichText(vec![
        styled("this has ", |a| a.bold = true),
        styled("some", |a| a.italic = true),
        Span::text(" "),
        styled("u", |a| a.underline = true),
        Span::text(" "),
        styled("hot", |a| a.color = Color::RedBg),
        Span::text(" "),
        styled("code", |a| a.code = true),
        Span::text(" "),
        link("plain "),
        Span {
            annotations: Annotations {
                italic: true,
                ..Annotations::default()
            },
            ..link("ital")
        },
        Span::text(" "),
        Span {
            kind: SpanKind::Equation {
                expression: "x_1".into(),
            },
            annotations: Annotations::default(),
        },
        Span::text(" "),
        Span {
            kind: SpanKind::Mention {
                mention: Mention::User {
                    url: "user://u".into(),
                },
                label: None,
            },
            annotations: Annotations::default(),
        },
        styled(" struck", |a| a.strikethrough = true),
    ]);
    both(
        &[b(BlockKind::Paragraph {
            text,
            color: Color::Default,
        })],
        expect![[
            r#"**this has ***some* <span underline="true">u</span> <span color="red_bg">hot</span> `code` [plain ](https://e.com)[*ital*](https://e.com) $`x_1`$ <mention-user url="user://u"/>~~ struck~~"#
        ]],
        expect![[
            r#"<b>this has </b>*some* <u>u</u> <span color="red_bg">hot</span> `code` [plain ](https://e.com)[*ital*](https://e.com) $`x_1`$ <mention url="user://u" /><s> struck</s>"#
        ]],
    );
}

#[test]
fn gfm_input_is_normalised_in_v1() {
    let src = "Title\n===\n+ plus\n* star\n- [X] Done\n3. three\n7. seven\n__b__ and _i_ and snake_case\n\n\n| a | b |\n|:--|--:|\n| 1 |\n***\n~~~\ncode\n~~~";
    expect![[r#"
        # Title
        - plus
        - star
        - [x] Done
        1. three
        2. seven
        **b** and *i* and snake_case
        <table header-row="true">
        <tr>
        <td>a</td>
        <td>b</td>
        </tr>
        <tr>
        <td>1</td>
        <td></td>
        </tr>
        </table>
        ---
        ```plain text
        code
        ```"#]]
    .assert_eq(&render(&parse(src, V1), V1));
}

#[test]
fn gfm_input_in_v2() {
    let src =
        "Title\n---\n\n- a\n  - nested with spaces\n- b\nlazy\n\n> quote\n> more\n\nsoft\nwrapped";
    expect![[r#"
        ## Title

        - a
        ⇥- nested with spaces
        - b\
        ⇥lazy

        > quote\
        > more

        soft\
        wrapped"#]]
    .assert_eq(&render(&parse(src, V2), V2).replace('\t', "⇥"));
}

#[test]
fn v1_structure_edge_cases() {
    let src = "<details>\n<summary>T</summary>\n\t- a\n\t\t- b\n</details>\nafter\n\t\tdeep child\n</callout>\n## plain heading\n\tnot a child";
    expect![[r#"
        <details>
        <summary>T</summary>
        ⇥- a
        ⇥⇥- b
        </details>
        after
        ⇥deep child
        \</callout\>
        ## plain heading
        not a child"#]]
    .assert_eq(&render(&parse(src, V1), V1).replace('\t', "⇥"));
}

#[test]
fn unclosed_and_stray_markup_is_kept_as_text() {
    for (src, d, want) in [
        (
            "<callout>\n\tnever closed",
            V1,
            "<callout>\n\tnever closed\n</callout>",
        ),
        ("$$\nno end", V1, "\\$\\$\nno end"),
        ("**bold", V1, "\\*\\*bold"),
        ("2 * 3 * 4", V1, "2 \\* 3 \\* 4"),
        ("[link](", V1, "\\[link\\]("),
        (
            "<mention-page url=\"x\">never closed",
            V1,
            "\\<mention-page url=\"x\"\\>never closed",
        ),
        (
            "<table>\n<tr>\n<td>x</td>\n</tr>",
            V1,
            "\\<table\\>\n\\<tr\\>\n\\<td\\>x\\</td\\>\n\\</tr\\>",
        ),
        ("<toggle>\nT", V2, "<toggle>\nT\n</toggle>"),
        ("<div>x</div>", V2, "\\<div\\>x\\</div\\>"),
    ] {
        assert_eq!(render(&parse(src, d), d), want, "input {src:?}");
    }
}

#[test]
fn segment_wise_emphasis_from_notion() {
    let spans = parse_inline("*where *[*the text*](u)* (plus more)*", V1).0;
    let italic: Vec<bool> = spans.iter().map(|s| s.annotations.italic).collect();
    assert_eq!(italic, vec![true, true, true]);
    assert_eq!(RichText(spans).plain_text(), "where the text (plus more)");
}

#[test]
fn images_inside_text_become_blocks() {
    let src = "Before ![one](https://x/1.png) between ![two](https://x/2.png)\n- item ![i](u) tail\n# Heading ![h](u)";
    let out = render(&parse(src, V1), V1);
    expect![[r#"
        Before
        ![one](https://x/1.png)
        between
        ![two](https://x/2.png)
        - item
        ⇥![i](u)
        ⇥tail
        # Heading !\[h\](u)"#]]
    .assert_eq(&out.replace('\t', "⇥"));
    assert_eq!(render(&parse(&out, V1), V1), out);
    // A linked image (a README badge) has no Notion form and stays text.
    let badge = render(&parse("[![CI](https://ci/b.svg)](https://ci) ok", V1), V1);
    assert_eq!(badge, r"\[!\[CI\](https://ci/b.svg)\](https://ci) ok");
    let v2 = render(&parse("text ![a](u) more\n\n- x ![b](v)", V2), V2);
    expect![[r#"
        text

        ![a](u)

        more

        - x

        ⇥![b](v)"#]]
    .assert_eq(&v2.replace('\t', "⇥"));
    assert_eq!(render(&parse(&v2, V2), V2), v2);
}

#[test]
fn v2_coloured_items_with_children() {
    let blocks = vec![
        Block::with_children(
            BlockKind::BulletedListItem {
                text: rt("red\nitem"),
                color: Color::Red,
            },
            vec![b(BlockKind::BulletedListItem {
                text: rt("plain child"),
                color: Color::Default,
            })],
        ),
        Block::with_children(
            BlockKind::ToDo {
                text: rt("task"),
                checked: false,
                color: Color::YellowBg,
            },
            vec![p("note")],
        ),
    ];
    check(
        &blocks,
        V2,
        expect![[r#"
            <ul>
            <li color="red">
            red\
            item

            - plain child
            </li>
            </ul>

            <todo checked="false" color="yellow_bg">
            task

            note
            </todo>"#]],
    );
}
