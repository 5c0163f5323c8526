//! The renderer as it was before it was rewritten for speed, kept (in tests only) as the oracle
//! the current one must match byte for byte.
//!
//! The original built a canonical copy of the whole tree, collected every line as a `String`
//! and joined them, and rendered rich text through owned copies of its segments. The current
//! renderer (`v1::render`, `v2::render`, `inline::render`) walks the borrowed tree and writes into
//! one buffer; nothing about its output may differ. The tests below compare both on generated
//! trees and rich text built to hit every special case of the writers (edge blanks, breaks in
//! code, inexpressible math, unmerged segments, links made of line breaks, nesting past
//! `MAX_DEPTH`, …) and on real documents.

mod block;
mod escape;
mod inline;
mod table;
mod v1;
mod v2;

use crate::model::{Block, RichText};
use crate::Dialect;

/// The original `crate::render`.
pub(crate) fn render(blocks: &[Block], dialect: Dialect) -> String {
    match dialect {
        Dialect::V1 => v1::render(blocks),
        Dialect::V2 => v2::render(blocks),
    }
}

/// The original `crate::inline::render`.
pub(crate) fn render_inline(rt: &RichText, dialect: Dialect, brk: inline::Break) -> String {
    inline::render(rt, dialect, brk)
}

mod tests {
    use proptest::prelude::*;

    use super::inline::Break;
    use crate::model::{
        Annotations, Block, BlockKind, Color, MediaKind, Mention, RichText, Span, SpanKind,
        TableRow,
    };
    use crate::{parse, Dialect};

    const BREAKS: [Break; 3] = [Break::Br, Break::BrSlash, Break::Backslash];

    fn assert_same_render(blocks: &[Block]) {
        for d in [Dialect::V1, Dialect::V2] {
            let old = super::render(blocks, d);
            let new = crate::render(blocks, d);
            if old != new {
                let line = old
                    .lines()
                    .zip(new.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(old.lines().count().min(new.lines().count()));
                panic!(
                    "{d:?} output differs from line {}:\nold:\n{old}\n---\nnew:\n{new}\n---\n{blocks:#?}",
                    line + 1
                );
            }
        }
    }

    fn assert_same_inline(rt: &RichText) {
        for d in [Dialect::V1, Dialect::V2] {
            for brk in BREAKS {
                assert_eq!(
                    crate::inline::render(rt, d, brk),
                    super::render_inline(rt, d, brk),
                    "{d:?} {brk:?}: {rt:?}"
                );
            }
        }
    }

    /// Text fragments chosen to collide with markup and with the writers' special cases.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[a-zA-Z0-9]{1,5}",
            3 => prop::sample::select(vec![" ", "  ", "\t", "\n", "\n\n", " \n ", "\r\n"])
                .prop_map(str::to_string),
            2 => prop::sample::select(vec![
                "*", "**", "_", "__", "a_b", "_a", "b_", "é_é", "~", "~~", "`", "``", "```", "$",
                "$$", "`$", "\\", "\\\\", "[", "]", "(", ")", "<", ">", "{", "}", "|", "\\|", "^",
                "#", "# ", "## x", "- ", "-", "--- ", "+ ", "* ", "1. ", "12) ", "2.5", "- [ ] ",
                "[x] ", "> ", "===", "---", "***", ":::", "&", "&amp;", "&#65;", "&x", "!", "![",
                "!x", "<br>", "<p />", "{color=\"red\"}", "</details>", "<b>", "</mention>",
                "\u{a0}", "\u{2003}", "💡", "日本",
            ])
            .prop_map(str::to_string),
        ];
        prop::collection::vec(piece, 0..7).prop_map(|v| v.concat())
    }

    fn url() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("https://example.com/a".to_string()),
            Just("https://en.wikipedia.org/wiki/X_(y)".to_string()),
            Just("https://x/a(b".to_string()),
            Just("/0123abcd?pvs=25".to_string()),
            Just("user://u1".to_string()),
            Just("collection://c1".to_string()),
            Just("\n".to_string()),
            Just("a\nb\r".to_string()),
            Just(String::new()),
            "[a-z:/().<>\\\\\" \t]{1,8}",
        ]
    }

    fn color() -> impl Strategy<Value = Color> {
        prop::sample::select(vec![
            Color::Default,
            Color::Default,
            Color::Default,
            Color::Red,
            Color::BlueBg,
        ])
    }

    fn annotations() -> impl Strategy<Value = Annotations> {
        (any::<[bool; 6]>(), color()).prop_map(|(b, color)| Annotations {
            bold: b[0],
            italic: b[1],
            strikethrough: b[2] && b[3],
            underline: b[3] && b[4],
            code: b[4] && b[5],
            color,
        })
    }

    fn mention() -> impl Strategy<Value = Mention> {
        prop_oneof![
            url().prop_map(|url| Mention::User { url }),
            url().prop_map(|url| Mention::Page { url }),
            url().prop_map(|url| Mention::Database { url }),
            url().prop_map(|url| Mention::DataSource { url }),
            url().prop_map(|url| Mention::Agent { url }),
            (
                prop::option::of(Just("2026-02-02".to_string())),
                prop::option::of(Just("09:00".to_string()))
            )
                .prop_map(|(end, start_time)| Mention::Date {
                    start: "2026-01-31".into(),
                    end,
                    start_time,
                    end_time: None,
                    time_zone: Some("Europe/Paris".into()),
                }),
        ]
    }

    fn span() -> impl Strategy<Value = Span> {
        let kind = prop_oneof![
            8 => (text(), prop::option::weighted(0.2, url()))
                .prop_map(|(content, link)| SpanKind::Text { content, link }),
            1 => prop_oneof![
                "[a-z^_{}\\\\ $`+\n]{0,6}",
                Just("`$".to_string()),
                Just(" x".to_string()),
            ]
            .prop_map(|expression| SpanKind::Equation { expression }),
            1 => (mention(), prop::option::of(text()))
                .prop_map(|(mention, label)| SpanKind::Mention { mention, label }),
        ];
        (kind, annotations()).prop_map(|(kind, annotations)| Span { kind, annotations })
    }

    /// Rich text, sometimes with neighbours that share their styling (so they would merge).
    fn rich() -> impl Strategy<Value = RichText> {
        (prop::collection::vec(span(), 0..6), any::<bool>()).prop_map(|(mut spans, same)| {
            if same && spans.len() > 1 {
                let a = spans[0].annotations;
                for s in &mut spans {
                    s.annotations = a;
                }
            }
            RichText(spans)
        })
    }

    fn table() -> impl Strategy<Value = BlockKind> {
        (1usize..4, 0usize..4, any::<[bool; 5]>(), color(), color()).prop_flat_map(
            |(width, height, flags, row_color, cell_color)| {
                prop::collection::vec(prop::collection::vec(rich(), width), height).prop_map(
                    move |rows| {
                        let rows = rows
                            .into_iter()
                            .enumerate()
                            .map(|(i, mut cells)| {
                                if flags[3] && i == 1 {
                                    cells.pop();
                                }
                                let mut r = TableRow::new(cells);
                                if i == 1 {
                                    r.color = row_color;
                                    r.cell_colors = vec![cell_color];
                                }
                                r
                            })
                            .collect();
                        BlockKind::Table {
                            has_column_header: flags[0] || flags[4],
                            has_row_header: flags[1],
                            fit_page_width: flags[2] && flags[0],
                            columns: if flags[2] {
                                vec![vec![("width".into(), "120\"".into())]]
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

    fn leaf() -> impl Strategy<Value = BlockKind> {
        prop_oneof![
            3 => (rich(), color()).prop_map(|(text, color)| BlockKind::Paragraph { text, color }),
            1 => (0u8..=6, rich(), color(), any::<bool>()).prop_map(
                |(level, text, color, toggleable)| BlockKind::Heading {
                    level,
                    text,
                    color,
                    toggleable,
                }
            ),
            2 => (rich(), color())
                .prop_map(|(text, color)| BlockKind::BulletedListItem { text, color }),
            2 => (rich(), color())
                .prop_map(|(text, color)| BlockKind::NumberedListItem { text, color }),
            1 => (rich(), any::<bool>(), color()).prop_map(|(text, checked, color)| BlockKind::ToDo {
                text,
                checked,
                color
            }),
            1 => (rich(), color()).prop_map(|(text, color)| BlockKind::Quote { text, color }),
            1 => (rich(), color()).prop_map(|(text, color)| BlockKind::Toggle { text, color }),
            1 => (rich(), prop::option::of(text()), color())
                .prop_map(|(text, icon, color)| BlockKind::Callout { text, icon, color }),
            1 => ("[a-z `\n\r]{0,8}", "[a-z`\n\r\t ]{0,20}")
                .prop_map(|(language, text)| BlockKind::Code { language, text }),
            1 => "[a-z^_+\n\r ]{0,10}".prop_map(|expression| BlockKind::Equation { expression }),
            1 => Just(BlockKind::Divider),
            1 => table(),
            1 => (url(), rich(), color()).prop_map(|(url, caption, color)| BlockKind::Image {
                url,
                caption,
                color
            }),
            1 => (
                prop::sample::select(vec![
                    MediaKind::Audio,
                    MediaKind::Video,
                    MediaKind::File,
                    MediaKind::Pdf
                ]),
                url(),
                rich(),
                color()
            )
                .prop_map(|(kind, url, caption, color)| BlockKind::Media {
                    kind,
                    url,
                    caption,
                    color
                }),
            1 => (url(), text(), color()).prop_map(|(url, title, color)| BlockKind::ChildPage {
                url,
                title,
                color
            }),
            1 => (url(), text()).prop_map(|(url, title)| BlockKind::ChildDatabase {
                url,
                title,
                attrs: vec![("inline".into(), "true".into())]
            }),
            1 => color().prop_map(|color| BlockKind::TableOfContents { color }),
            1 => (url(), prop::option::of(text())).prop_map(|(url, alt)| BlockKind::Unknown { url, alt }),
            1 => Just(BlockKind::ColumnList),
            1 => prop::option::of(Just("0.5".to_string())).prop_map(|ratio| BlockKind::Column { ratio }),
            1 => prop::option::of(url()).prop_map(|url| BlockKind::SyncedBlock { url }),
            1 => url().prop_map(|url| BlockKind::SyncedBlockReference { url }),
        ]
    }

    fn tree() -> impl Strategy<Value = Vec<Block>> {
        let block = leaf()
            .prop_map(Block::new)
            .prop_recursive(4, 48, 5, |inner| {
                (leaf(), prop::collection::vec(inner, 0..5))
                    .prop_map(|(kind, children)| Block::with_children(kind, children))
            });
        prop::collection::vec(block, 0..8)
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1024),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn render_matches_the_original(t in tree()) {
            assert_same_render(&t);
        }

        #[test]
        fn inline_render_matches_the_original(rt in rich()) {
            assert_same_inline(&rt);
        }
    }

    /// Nesting past `MAX_DEPTH` (children lifted to siblings) and children of blocks that
    /// cannot hold them, lifted at every level.
    #[test]
    fn deep_and_lifted_children_match_the_original() {
        let item = |s: &str| {
            Block::new(BlockKind::BulletedListItem {
                text: RichText::plain(s),
                color: Color::Default,
            })
        };
        let mut deep = item("leaf");
        for i in 0..100 {
            let mut parent = item(&format!("level {i}"));
            let code = Block::with_children(
                BlockKind::Code {
                    language: "rust".into(),
                    text: format!("fn f{i}() {{}}"),
                },
                vec![item("lifted"), Block::new(BlockKind::Divider)],
            );
            let mut numbered = Block::new(BlockKind::NumberedListItem {
                text: RichText::plain("n"),
                color: Color::Default,
            });
            numbered.children = vec![item("x")];
            parent.children = vec![code, numbered.clone(), numbered, deep];
            deep = parent;
        }
        let page = Block::with_children(
            BlockKind::ChildPage {
                url: "u".into(),
                title: "hidden children".into(),
                color: Color::Default,
            },
            vec![item("dropped")],
        );
        assert_same_render(&[deep, page]);
    }

    /// The recorded Notion page and the round-trip corpus of the engine, read in both dialects,
    /// and each rendering read back in the other dialect.
    #[test]
    fn documents_match_the_original() {
        let mut docs = vec![include_str!("../../tests/fixtures/notion_v1_snapshot.md").to_string()];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/corpus/docs");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.sort();
        docs.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
        assert!(docs.len() > 1, "the engine corpus is missing");
        for doc in &docs {
            for d in [Dialect::V1, Dialect::V2] {
                let blocks = parse(doc, d);
                assert_same_render(&blocks);
                for other in [Dialect::V1, Dialect::V2] {
                    assert_same_render(&parse(&crate::render(&blocks, d), other));
                }
            }
        }
    }
}
