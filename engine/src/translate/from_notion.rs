//! Notion blocks → GFM.
//!
//! Each top-level block is written natively when GFM has the construct, and the result is
//! **verified**: it is read back through the GFM reader and must give the same canonical
//! Notion block. A block that cannot be written natively (a callout, a coloured paragraph, a
//! quote with nested blocks, styling CommonMark cannot delimit) is written as an island: its
//! Notion-flavored Markdown, bare when it starts with a Notion tag, else between marker lines
//! (see [`super::segment`]). Nothing is ever dropped, and every block reads back as itself,
//! which is what makes pull-then-push a fixpoint.

use notion_markdown::{Block, BlockKind, Color, Dialect, RichText, SpanKind};

use super::inline::{self, Style};
use super::segment::{self, ISLAND_CLOSE, ISLAND_OPEN};
use super::{languages, Options};
use crate::normalize;

/// GFM for a page: top-level blocks separated by blank lines (list runs stay tight).
pub(crate) fn render_blocks(blocks: &[Block], opts: &Options) -> String {
    let mut out = String::new();
    let mut number = 0;
    let mut prev: Option<&Block> = None;
    for b in blocks {
        number = if matches!(b.kind, BlockKind::NumberedListItem { .. }) {
            number + 1
        } else {
            0
        };
        let text = render_block(b, number.max(1), opts);
        if text.is_empty() {
            continue;
        }
        if let Some(p) = prev {
            out.push_str(separator(p, b));
        }
        out.push_str(&text);
        prev = Some(b);
    }
    out
}

/// What goes between two rendered top-level blocks.
pub(crate) fn separator(prev: &Block, next: &Block) -> &'static str {
    if same_list(prev, next) {
        "\n"
    } else {
        "\n\n"
    }
}

/// Two items that GFM writes in one list (same marker family).
pub(crate) fn same_list(a: &Block, b: &Block) -> bool {
    use BlockKind::*;
    matches!(
        (&a.kind, &b.kind),
        (
            BulletedListItem {
                color: Color::Default,
                ..
            } | ToDo {
                color: Color::Default,
                ..
            },
            BulletedListItem {
                color: Color::Default,
                ..
            } | ToDo {
                color: Color::Default,
                ..
            }
        ) | (
            NumberedListItem {
                color: Color::Default,
                ..
            },
            NumberedListItem {
                color: Color::Default,
                ..
            }
        )
    )
}

/// GFM for one top-level block; `number` is its position in a numbered run. Empty paragraphs
/// are written as nothing (an empty line in a file is layout, not content).
pub(crate) fn render_block(b: &Block, number: usize, opts: &Options) -> String {
    render_block_with(b, number, opts, '-')
}

/// Same, with the bullet character to use for a bulleted item (to match its neighbours).
pub(crate) fn render_block_with(b: &Block, number: usize, opts: &Options, bullet: char) -> String {
    if let BlockKind::Paragraph { text, color } = &b.kind {
        if color.is_default() && b.children.is_empty() && text.is_empty() {
            return String::new();
        }
    }
    let expected = vec![normalize::block_key(b, Dialect::V1)];
    // Candidates in order of preference, the first that reads back wins. Each is written only
    // once the previous ones failed: most blocks take the first, and writing a block (let alone
    // verifying it) is the expensive part of a pull.
    let mut tried: Vec<String> = Vec::new();
    let mut attempt = |c: String| {
        if tried.contains(&c) {
            return None;
        }
        if verify(&c, &expected, opts) {
            return Some(c);
        }
        tried.push(c);
        None
    };
    if let Some(c) = raw_html(b).and_then(&mut attempt) {
        return c;
    }
    for italic in ['*', '_'] {
        let style = Style {
            italic,
            table: false,
        };
        if let Some(c) = native(b, number, style, opts, bullet).and_then(&mut attempt) {
            return c;
        }
    }
    island(b, opts)
}

/// The block as Notion-flavored Markdown, bare or between markers, whichever reads back.
pub(crate) fn island(b: &Block, opts: &Options) -> String {
    let nfm = notion_markdown::render(std::slice::from_ref(b), Dialect::V1);
    let first = nfm.split('\n').next().unwrap_or("");
    if segment::nfm_tag(first).is_some() {
        let expected = vec![normalize::block_key(b, Dialect::V1)];
        if verify(&nfm, &expected, opts) {
            return nfm;
        }
    }
    format!("{ISLAND_OPEN}\n{nfm}\n{ISLAND_CLOSE}")
}

/// Whether `text`, read as a GFM body, gives exactly the blocks with keys `expected`.
fn verify(text: &str, expected: &[String], opts: &Options) -> bool {
    let chunks = segment::chunks(text, opts);
    let mut keys = Vec::with_capacity(expected.len());
    for c in &chunks {
        for b in &c.blocks {
            keys.push(normalize::block_key(b, Dialect::V1));
        }
    }
    keys == expected
}

/// A paragraph of plain text that is raw HTML (kept from a file): written back raw.
fn raw_html(b: &Block) -> Option<String> {
    let BlockKind::Paragraph {
        text,
        color: Color::Default,
    } = &b.kind
    else {
        return None;
    };
    if !b.children.is_empty() || !is_plain(text) {
        return None;
    }
    let t = text.plain_text();
    t.starts_with('<').then_some(t)
}

fn is_plain(rt: &RichText) -> bool {
    rt.0.iter().all(|s| {
        matches!(&s.kind, SpanKind::Text { link: None, .. })
            && s.annotations == notion_markdown::Annotations::default()
    })
}

fn text_of(rt: &RichText, style: Style, opts: &Options) -> String {
    inline::escape_line_starts(inline::render(rt, style, &opts.links))
}

/// Indents every line but the first by `n` spaces (blank lines stay empty).
fn indent_rest(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(line);
    }
    out
}

/// Children of a list item or quote, written natively one after the other.
fn children(blocks: &[Block], style: Style, opts: &Options) -> Option<String> {
    let mut out = String::new();
    let mut number = 0;
    let mut prev: Option<&Block> = None;
    for b in blocks {
        number = if matches!(b.kind, BlockKind::NumberedListItem { .. }) {
            number + 1
        } else {
            0
        };
        let t = native(b, number.max(1), style, opts, '-')?;
        if t.is_empty() {
            return None;
        }
        if let Some(p) = prev {
            out.push_str(separator(p, b));
        }
        out.push_str(&t);
        prev = Some(b);
    }
    Some(out)
}

/// The block written with GFM constructs only, or `None` when GFM has none for it.
fn native(b: &Block, number: usize, style: Style, opts: &Options, bullet: char) -> Option<String> {
    match &b.kind {
        BlockKind::Paragraph {
            text,
            color: Color::Default,
        } if b.children.is_empty() => {
            let t = footnote_definition(text_of(text, style, opts));
            (!t.trim().is_empty()).then_some(t)
        }
        BlockKind::Heading {
            level,
            text,
            color: Color::Default,
            toggleable: false,
        } if b.children.is_empty() => {
            let t = inline::render(text, style, &opts.links);
            if t.contains('\n') {
                return None;
            }
            let hashes = "#".repeat((*level).clamp(1, 4) as usize);
            Some(if t.is_empty() {
                hashes
            } else {
                format!("{hashes} {t}")
            })
        }
        BlockKind::BulletedListItem {
            text,
            color: Color::Default,
        } => item(&format!("{bullet}"), None, text, &b.children, style, opts),
        BlockKind::NumberedListItem {
            text,
            color: Color::Default,
        } => item(&format!("{number}."), None, text, &b.children, style, opts),
        BlockKind::ToDo {
            text,
            checked,
            color: Color::Default,
        } => item(
            &format!("{bullet}"),
            Some(*checked),
            text,
            &b.children,
            style,
            opts,
        ),
        BlockKind::Quote {
            text,
            color: Color::Default,
        } => {
            let mut body = text_of(text, style, opts).replace("\\\n\\\n", "\n\n");
            if !b.children.is_empty() {
                let kids = children(&b.children, style, opts)?;
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                body.push_str(&kids);
            }
            Some(
                body.split('\n')
                    .map(|l| {
                        if l.is_empty() {
                            ">".to_string()
                        } else {
                            format!("> {l}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }
        BlockKind::Code { language, text } if b.children.is_empty() => {
            let mut longest = 0;
            let mut run = 0;
            for c in text.chars() {
                if c == '`' {
                    run += 1;
                    longest = longest.max(run);
                } else {
                    run = 0;
                }
            }
            let fence = "`".repeat((longest + 1).max(3));
            let info = languages::to_gfm(language);
            Some(format!("{fence}{info}\n{text}\n{fence}"))
        }
        BlockKind::Equation { expression } if b.children.is_empty() => {
            Some(format!("$$\n{expression}\n$$"))
        }
        BlockKind::Divider if b.children.is_empty() => Some("---".into()),
        BlockKind::Table {
            has_column_header: true,
            has_row_header: false,
            fit_page_width: false,
            columns,
            rows,
        } if columns.is_empty() && b.children.is_empty() => table(rows, style, opts),
        BlockKind::Image {
            url,
            caption,
            color: Color::Default,
        } if b.children.is_empty() => {
            let alt = inline::render(caption, style, &opts.links);
            if alt.contains('\n') {
                return None;
            }
            Some(format!("![{alt}]({})", image_destination(url)))
        }
        _ => None,
    }
}

/// A paragraph kept from a footnote definition (`[^label]: text`) is written back as one.
fn footnote_definition(t: String) -> String {
    let Some(rest) = t.strip_prefix("\\[^") else {
        return t;
    };
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    match rest[len..].strip_prefix("\\]:") {
        Some(after) if len > 0 => format!("[^{}]:{after}", &rest[..len]),
        _ => t,
    }
}

fn image_destination(url: &str) -> String {
    if url.is_empty()
        || url
            .chars()
            .any(|c| c.is_whitespace() || c == '(' || c == ')')
    {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_string()
    }
}

fn item(
    marker: &str,
    checked: Option<bool>,
    text: &RichText,
    kids: &[Block],
    style: Style,
    opts: &Options,
) -> Option<String> {
    let indent = marker.len() + 1;
    let mut t = text_of(text, style, opts);
    let mut head = match checked {
        Some(true) => format!("{marker} [x]"),
        Some(false) => format!("{marker} [ ]"),
        None => marker.to_string(),
    };
    if !t.is_empty() {
        head.push(' ');
        head.push_str(&std::mem::take(&mut t));
    } else if checked.is_some() {
        // An empty to-do still needs its space after `]`.
        head.push(' ');
    }
    let mut out = indent_rest(&head, indent);
    if !kids.is_empty() {
        let k = children(kids, style, opts)?;
        let first_is_list = matches!(
            kids.first().map(|b| &b.kind),
            Some(
                BlockKind::BulletedListItem { .. }
                    | BlockKind::NumberedListItem { .. }
                    | BlockKind::ToDo { .. }
            )
        );
        out.push_str(if first_is_list && !text.is_empty() {
            "\n"
        } else {
            "\n\n"
        });
        out.push_str(&" ".repeat(indent));
        out.push_str(&indent_rest(&k, indent));
    }
    Some(out)
}

fn table(rows: &[notion_markdown::TableRow], style: Style, opts: &Options) -> Option<String> {
    let width = rows.first()?.cells.len();
    if width == 0 {
        return None;
    }
    let cell_style = Style {
        table: true,
        ..style
    };
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (i, row) in rows.iter().enumerate() {
        if row.cells.len() != width || !row.color.is_default() || !row.cell_colors.is_empty() {
            return None;
        }
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| inline::render(c, cell_style, &opts.links))
            .collect();
        lines.push(format!("| {} |", cells.join(" | ")));
        if i == 0 {
            lines.push(format!("|{}|", vec![" --- "; width].join("|")));
        }
    }
    Some(lines.join("\n"))
}
