//! Properties: rendering is a fixpoint of parse ∘ render on generated trees, and parsing never
//! panics on arbitrary text.

use notion_markdown::{
    canonicalize, parse, parse_inline, render, render_inline, Annotations, Block, BlockKind, Color,
    Dialect, MediaKind, Mention, RichText, Span, SpanKind, TableRow,
};
use proptest::prelude::*;

/// Text fragments chosen to collide with markup.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z]{1,4}",
        2 => Just(" ".to_string()),
        1 => prop::sample::select(vec![
            "*", "**", "_", "__", "~", "~~", "`", "```", "$", "$$", "\\", "[", "]", "(", ")", "<",
            ">", "{", "}", "|", "^", "#", "# ", "- ", "-", "+ ", "1. ", "2)", "\n", "\t", "&amp;",
            "&", "!", "=", "===", "---", ":::", "é", "x_y", "<br>", "<p />", "[x] ", "> ", "  ",
            "{color=\"red\"}", "</details>", "<b>", "\r", "\u{a0}", "💡",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://example.com/a".to_string()),
        Just("https://en.wikipedia.org/wiki/X_(y)".to_string()),
        Just("/0123abcd?pvs=25".to_string()),
        Just("u".to_string()),
        "[a-z:/().<> ]{1,8}",
    ]
}

fn color() -> impl Strategy<Value = Color> {
    prop::sample::select(vec![
        Color::Default,
        Color::Default,
        Color::Red,
        Color::BlueBg,
        Color::Gray,
    ])
}

fn annotations() -> impl Strategy<Value = Annotations> {
    (any::<[bool; 5]>(), color()).prop_map(|(b, color)| Annotations {
        bold: b[0],
        italic: b[1],
        strikethrough: b[2] && b[3],
        underline: b[3] && b[4],
        code: b[4] && b[0],
        color,
    })
}

fn mention() -> impl Strategy<Value = Mention> {
    prop_oneof![
        url().prop_map(|url| Mention::User {
            url: format!("user://{url}")
        }),
        url().prop_map(|url| Mention::Page { url }),
        url().prop_map(|url| Mention::Database { url }),
        url().prop_map(|url| Mention::DataSource {
            url: format!("collection://{url}")
        }),
        Just(Mention::Date {
            start: "2026-01-31".into(),
            end: Some("2026-02-02".into()),
            start_time: Some("09:00".into()),
            end_time: None,
            time_zone: Some("Europe/Paris".into()),
        }),
    ]
}

fn span() -> impl Strategy<Value = Span> {
    let kind = prop_oneof![
        6 => (text(), prop::option::weighted(0.2, url()))
            .prop_map(|(content, link)| SpanKind::Text { content, link }),
        1 => "[a-z^_{}\\\\ $`+]{0,6}".prop_map(|expression| SpanKind::Equation { expression }),
        1 => (mention(), prop::option::of(text()))
            .prop_map(|(mention, label)| SpanKind::Mention { mention, label }),
    ];
    (kind, annotations()).prop_map(|(kind, annotations)| Span { kind, annotations })
}

fn rich() -> impl Strategy<Value = RichText> {
    prop::collection::vec(span(), 0..5).prop_map(RichText)
}

fn leaf() -> impl Strategy<Value = BlockKind> {
    prop_oneof![
        (rich(), color()).prop_map(|(text, color)| BlockKind::Paragraph { text, color }),
        (1u8..=4, rich(), color(), any::<bool>()).prop_map(|(level, text, color, toggleable)| {
            BlockKind::Heading {
                level,
                text,
                color,
                toggleable,
            }
        }),
        (rich(), color()).prop_map(|(text, color)| BlockKind::BulletedListItem { text, color }),
        (rich(), color()).prop_map(|(text, color)| BlockKind::NumberedListItem { text, color }),
        (rich(), any::<bool>(), color()).prop_map(|(text, checked, color)| BlockKind::ToDo {
            text,
            checked,
            color
        }),
        (rich(), color()).prop_map(|(text, color)| BlockKind::Quote { text, color }),
        (rich(), color()).prop_map(|(text, color)| BlockKind::Toggle { text, color }),
        (rich(), prop::option::of(Just("💡".to_string())), color())
            .prop_map(|(text, icon, color)| BlockKind::Callout { text, icon, color }),
        ("[a-z ]{0,8}", "[a-z`\n\t ]{0,20}")
            .prop_map(|(language, text)| BlockKind::Code { language, text }),
        "[a-z^_+\n ]{0,10}".prop_map(|expression| BlockKind::Equation { expression }),
        Just(BlockKind::Divider),
        table(),
        (url(), rich(), color()).prop_map(|(url, caption, color)| BlockKind::Image {
            url,
            caption,
            color
        }),
        (url(), rich(), color()).prop_map(|(url, caption, color)| BlockKind::Media {
            kind: MediaKind::Video,
            url,
            caption,
            color
        }),
        (url(), text(), color()).prop_map(|(url, title, color)| BlockKind::ChildPage {
            url,
            title,
            color
        }),
        (url(), text()).prop_map(|(url, title)| BlockKind::ChildDatabase {
            url,
            title,
            attrs: vec![("inline".into(), "true".into())]
        }),
        color().prop_map(|color| BlockKind::TableOfContents { color }),
        url().prop_map(|url| BlockKind::Unknown {
            url,
            alt: Some("tweet".into())
        }),
        Just(BlockKind::ColumnList),
        prop::option::of(Just("50".to_string())).prop_map(|ratio| BlockKind::Column { ratio }),
        prop::option::of(url()).prop_map(|url| BlockKind::SyncedBlock { url }),
        url().prop_map(|url| BlockKind::SyncedBlockReference { url }),
    ]
}

fn table() -> impl Strategy<Value = BlockKind> {
    (1usize..4, 0usize..4, any::<[bool; 3]>(), color(), color()).prop_flat_map(
        |(width, height, flags, row_color, cell_color)| {
            prop::collection::vec(prop::collection::vec(rich(), width), height).prop_map(
                move |rows| {
                    let rows = rows
                        .into_iter()
                        .enumerate()
                        .map(|(i, cells)| {
                            let mut r = TableRow::new(cells);
                            if i == 1 {
                                r.color = row_color;
                                r.cell_colors = vec![cell_color];
                            }
                            r
                        })
                        .collect();
                    BlockKind::Table {
                        has_column_header: flags[0],
                        has_row_header: flags[1],
                        fit_page_width: flags[2] && flags[0],
                        columns: if flags[2] {
                            vec![vec![("width".into(), "120".into())]]
                        } else {
                            vec![]
                        },
                        rows,
                    }
                },
            )
        },
    )
}

fn tree() -> impl Strategy<Value = Vec<Block>> {
    let block = leaf()
        .prop_map(Block::new)
        .prop_recursive(3, 24, 4, |inner| {
            (leaf(), prop::collection::vec(inner, 0..4))
                .prop_map(|(kind, children)| Block::with_children(kind, children))
        });
    prop::collection::vec(block, 0..6)
}

/// Arbitrary text biased towards markup.
fn markup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => text(),
        1 => any::<String>(),
        1 => prop::sample::select(vec![
            "<details>", "<summary>T</summary>", "</details>", "<callout icon=\"x\">", "</callout>",
            "::: callout", ":::", "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>",
            "<columns>", "<column>", "</column>", "</columns>", "<toggle>", "</toggle>", "<p>",
            "</p>", "<ul>", "<li>", "</li>", "</ul>", "<quote>", "</quote>", "| a |", "|---|",
            "```", "$$", "\n\t", "\n\n", "<mention-page url=\"u\">", "</mention-page>",
            "<span color=\"red\">", "</span>", "![x](", "![x](u)", "a ![*x*](u) b", "[![x](u)](v)",
            "- ![i](u)", "<synced_block>", "</synced_block>",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn render_is_a_fixpoint_v1(t in tree()) {
        let once = render(&t, Dialect::V1);
        let twice = render(&parse(&once, Dialect::V1), Dialect::V1);
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn render_is_a_fixpoint_v2(t in tree()) {
        let once = render(&t, Dialect::V2);
        let twice = render(&parse(&once, Dialect::V2), Dialect::V2);
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn inline_render_is_a_fixpoint(rt in rich()) {
        for d in [Dialect::V1, Dialect::V2] {
            let once = render_inline(&rt, d);
            let twice = render_inline(&parse_inline(&once, d), d);
            prop_assert_eq!(twice, once);
        }
    }

    #[test]
    fn plain_text_survives_inline(s in text()) {
        // Whatever a user types as plain text reads back as the same characters.
        let s = s.replace(['\n', '\r'], "");
        for d in [Dialect::V1, Dialect::V2] {
            let back = parse_inline(&render_inline(&RichText::plain(s.clone()), d), d);
            prop_assert_eq!(back.plain_text(), s.clone());
        }
    }

    #[test]
    fn parse_never_panics_and_canonical_form_is_stable(s in markup()) {
        for d in [Dialect::V1, Dialect::V2] {
            let once = canonicalize(&s, d);
            prop_assert_eq!(canonicalize(&once, d), once);
        }
    }

    #[test]
    fn parse_never_panics_on_any_string(s in any::<String>()) {
        for d in [Dialect::V1, Dialect::V2] {
            let _ = parse(&s, d);
            let _ = parse_inline(&s, d);
        }
    }
}
