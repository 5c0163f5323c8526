//! Normalization and hashing, identical on every platform.
//!
//! Two different things are normalized here, for two reasons:
//!
//! - **File bytes** ([`TextForm`]): a file's BOM, line endings and final newline are recorded so
//!   text the engine writes into the file (a pulled paragraph) uses the file's own conventions
//!   (G15). Untouched bytes are never rewritten; only new text is adapted.
//! - **Content** ([`canonical_blocks`], [`block_key`], [`remote_hash`]): two texts are "the same
//!   content" when their Notion block trees render to the same canonical Notion-flavored
//!   Markdown. Noise Notion adds on its own is removed first: the rotating signature of hosted
//!   file URLs (G9: a no-op read must not look like an edit) and styling on whitespace only,
//!   which Markdown cannot express (bold spaces).
//!
//! Hashes are SHA-256 over UTF-8 bytes ([`protocol::ContentHash`]); nothing depends on the
//! platform's line endings, locale or hash seeds.

use std::borrow::Cow;

use notion_markdown::{Block, BlockKind, Dialect, RichText, Span, SpanKind};
use protocol::ContentHash;

/// How a text file is laid out in bytes, beyond its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TextForm {
    /// Starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// Lines end with CRLF (most of them, for a file with mixed endings).
    pub crlf: bool,
    /// The last line ends with a line break.
    pub final_newline: bool,
}

impl TextForm {
    /// Reads the form of `text`.
    pub fn detect(text: &str) -> TextForm {
        let bom = text.starts_with('\u{feff}');
        let crlf_count = text.matches("\r\n").count();
        let lf_count = text.matches('\n').count();
        TextForm {
            bom,
            // Mixed files count as CRLF when most of their lines are; new text follows them.
            crlf: crlf_count > 0 && crlf_count * 2 >= lf_count,
            final_newline: text.ends_with('\n'),
        }
    }

    /// The line ending new text should use.
    pub fn newline(&self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Writes LF-only text (`lf_text`) in this form: CRLF if the file uses it, and the BOM.
    /// The final newline is taken from the text itself (callers decide it).
    pub fn apply(&self, lf_text: &str) -> String {
        let mut out = String::with_capacity(lf_text.len() + lf_text.len() / 16 + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        if self.crlf {
            out.push_str(&to_crlf(lf_text));
        } else {
            out.push_str(lf_text);
        }
        out
    }
}

/// Removes a leading BOM.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// CRLF (and a lone CR) → LF.
pub fn to_lf(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// LF → CRLF, leaving existing CRLF alone.
pub fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Query parameters that make a hosted-file URL a signed, expiring one. They change on every
/// read, so they are not content.
const SIGNATURE_PARAMS: &[&str] = &[
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signedheaders",
    "x-amz-algorithm",
    "x-amz-content-sha256",
    "signature",
    "expires",
    "key-pair-id",
    "policy",
];

/// A URL without its signature: the query is dropped when it carries signing parameters.
pub fn canonical_url(url: &str) -> String {
    unsigned(url).unwrap_or(url).to_string()
}

/// The URL without its query when the query carries signing parameters; `None` when the URL
/// is already canonical.
fn unsigned(url: &str) -> Option<&str> {
    let (base, query) = url.split_once('?')?;
    let query = query.split('#').next().unwrap_or(query);
    let signed = query.split('&').any(|kv| {
        let key = kv.split('=').next().unwrap_or("");
        SIGNATURE_PARAMS.iter().any(|p| key.eq_ignore_ascii_case(p))
    });
    signed.then_some(base)
}

/// Blocks in the form used for comparing content (see the module doc).
pub fn canonical_blocks(blocks: &[Block]) -> Vec<Block> {
    blocks
        .iter()
        .map(|b| canonical_block_with(b, true))
        .collect()
}

/// Blocks with styling moved off edge whitespace (Markdown cannot express bold spaces), URLs
/// untouched: the form the translator sends, so Notion's copy is already canonical.
pub fn tidy_blocks(blocks: &[Block]) -> Vec<Block> {
    let mut out = blocks.to_vec();
    tidy_in_place(&mut out);
    out
}

/// [`tidy_blocks`] without copying the blocks (the translator's hot path).
pub fn tidy_in_place(blocks: &mut [Block]) {
    for b in blocks {
        match &mut b.kind {
            BlockKind::Paragraph { text, .. }
            | BlockKind::Heading { text, .. }
            | BlockKind::BulletedListItem { text, .. }
            | BlockKind::NumberedListItem { text, .. }
            | BlockKind::ToDo { text, .. }
            | BlockKind::Quote { text, .. }
            | BlockKind::Toggle { text, .. }
            | BlockKind::Callout { text, .. } => tidy_text(text),
            BlockKind::Table { rows, .. } => {
                for row in rows {
                    for cell in &mut row.cells {
                        tidy_text(cell);
                    }
                }
            }
            BlockKind::Image { caption, .. } | BlockKind::Media { caption, .. } => {
                tidy_text(caption)
            }
            _ => {}
        }
        tidy_in_place(&mut b.children);
    }
}

/// Tidies a rich text in place; copies only when something changes.
fn tidy_text(rt: &mut RichText) {
    let needs_split = rt.0.iter().any(|s| {
        let a = s.annotations;
        (a.bold || a.italic || a.strikethrough)
            && !a.code
            && matches!(&s.kind, SpanKind::Text { content, .. }
                if content.starts_with(is_ws) || content.ends_with(is_ws))
    });
    let needs_merge =
        rt.0.iter()
            .any(|s| matches!(&s.kind, SpanKind::Text { content, .. } if content.is_empty()))
            || rt.0.windows(2).any(|w| {
                w[0].annotations == w[1].annotations
                    && matches!((&w[0].kind, &w[1].kind),
                    (SpanKind::Text { link: a, .. }, SpanKind::Text { link: b, .. }) if a == b)
            });
    if needs_split {
        *rt = canonical_rich_text_with(rt, false);
    } else if needs_merge {
        merge_in_place(rt);
    }
}

/// [`RichText::normalized`] without the copy: the segments are moved, and merged ones appended
/// to their predecessor. (Most GFM paragraphs need this: the parser splits text at soft breaks
/// and entities.)
fn merge_in_place(rt: &mut RichText) {
    let spans = std::mem::take(&mut rt.0);
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if matches!(&s.kind, SpanKind::Text { content, .. } if content.is_empty()) {
            continue;
        }
        if let Some(last) = out.last_mut() {
            if let (
                SpanKind::Text {
                    content: a,
                    link: la,
                },
                SpanKind::Text {
                    content: b,
                    link: lb,
                },
            ) = (&mut last.kind, &s.kind)
            {
                if la == lb && last.annotations == s.annotations {
                    a.push_str(b);
                    continue;
                }
            }
        }
        out.push(s);
    }
    rt.0 = out;
}

fn canonical_block(b: &Block) -> Block {
    canonical_block_with(b, true)
}

fn canonical_block_with(b: &Block, urls: bool) -> Block {
    let rich = |rt: &RichText| canonical_rich_text_with(rt, urls);
    let mut kind = b.kind.clone();
    match &mut kind {
        BlockKind::Paragraph { text, .. }
        | BlockKind::Heading { text, .. }
        | BlockKind::BulletedListItem { text, .. }
        | BlockKind::NumberedListItem { text, .. }
        | BlockKind::ToDo { text, .. }
        | BlockKind::Quote { text, .. }
        | BlockKind::Toggle { text, .. }
        | BlockKind::Callout { text, .. } => *text = rich(text),
        BlockKind::Table { rows, .. } => {
            for row in rows {
                for cell in &mut row.cells {
                    *cell = rich(cell);
                }
            }
        }
        BlockKind::Image { url, caption, .. } | BlockKind::Media { url, caption, .. } => {
            if urls {
                *url = canonical_url(url);
            }
            *caption = rich(caption);
        }
        _ => {}
    }
    Block {
        kind,
        children: b
            .children
            .iter()
            .map(|c| canonical_block_with(c, urls))
            .collect(),
    }
}

/// Rich text with whitespace moved out of bold/italic/strikethrough, links without signatures,
/// and neighbouring equal-looking segments merged.
pub fn canonical_rich_text(rt: &RichText) -> RichText {
    canonical_rich_text_with(rt, true)
}

fn canonical_rich_text_with(rt: &RichText, urls: bool) -> RichText {
    let mut out: Vec<Span> = Vec::with_capacity(rt.0.len());
    for span in &rt.0 {
        let mut span = span.clone();
        if let SpanKind::Text {
            link: Some(url), ..
        } = &mut span.kind
        {
            if urls {
                *url = canonical_url(url);
            }
        }
        let a = span.annotations;
        let styled = a.bold || a.italic || a.strikethrough;
        match &span.kind {
            SpanKind::Text { content, link } if styled && !a.code => {
                let core = content.trim_matches(is_ws);
                let lead = &content[..content.len() - content.trim_start_matches(is_ws).len()];
                let trail = &content[content.trim_end_matches(is_ws).len()..];
                let mut plain = a;
                plain.bold = false;
                plain.italic = false;
                plain.strikethrough = false;
                let piece = |text: &str, ann| Span {
                    kind: SpanKind::Text {
                        content: text.to_string(),
                        link: link.clone(),
                    },
                    annotations: ann,
                };
                if core.is_empty() {
                    out.push(piece(content, plain));
                    continue;
                }
                if !lead.is_empty() {
                    out.push(piece(lead, plain));
                }
                out.push(piece(core, a));
                if !trail.is_empty() {
                    out.push(piece(trail, plain));
                }
            }
            _ => out.push(span),
        }
    }
    let mut rt = RichText(out);
    merge_in_place(&mut rt);
    rt
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The canonical Notion Markdown of one block (with its children): equal keys, equal content.
pub fn block_key(block: &Block, dialect: Dialect) -> String {
    if is_canonical_block(block) {
        // The usual case (blocks the translator wrote are tidy): rendered without a copy.
        notion_markdown::render(std::slice::from_ref(block), dialect)
    } else {
        notion_markdown::render(&[canonical_block(block)], dialect)
    }
}

/// Whether [`canonical_block`] would return the block unchanged. Keys are computed for every
/// block on every sync; most blocks are canonical already, and checking is far cheaper than
/// copying.
fn is_canonical_block(b: &Block) -> bool {
    let own = match &b.kind {
        BlockKind::Paragraph { text, .. }
        | BlockKind::Heading { text, .. }
        | BlockKind::BulletedListItem { text, .. }
        | BlockKind::NumberedListItem { text, .. }
        | BlockKind::ToDo { text, .. }
        | BlockKind::Quote { text, .. }
        | BlockKind::Toggle { text, .. }
        | BlockKind::Callout { text, .. } => is_canonical_text(text),
        BlockKind::Table { rows, .. } => rows
            .iter()
            .all(|row| row.cells.iter().all(is_canonical_text)),
        BlockKind::Image { url, caption, .. } | BlockKind::Media { url, caption, .. } => {
            unsigned(url).is_none() && is_canonical_text(caption)
        }
        _ => true,
    };
    own && b.children.iter().all(is_canonical_block)
}

/// Whether [`canonical_rich_text`] would return the text unchanged: no signed link, no styled
/// segment with whitespace at an edge, nothing to merge.
fn is_canonical_text(rt: &RichText) -> bool {
    let mut prev: Option<&Span> = None;
    for span in &rt.0 {
        if let SpanKind::Text { content, link } = &span.kind {
            let a = span.annotations;
            let styled = (a.bold || a.italic || a.strikethrough) && !a.code;
            if content.is_empty()
                || link.as_deref().is_some_and(|l| unsigned(l).is_some())
                || (styled && (content.starts_with(is_ws) || content.ends_with(is_ws)))
            {
                return false;
            }
            if let Some(SpanKind::Text {
                link: prev_link, ..
            }) = prev.map(|p| &p.kind)
            {
                if prev_link == link && prev.is_some_and(|p| p.annotations == a) {
                    return false;
                }
            }
        }
        prev = Some(span);
    }
    true
}

/// [`canonical_rich_text`], borrowed when the text is canonical already.
pub(crate) fn canonical_spans(rt: &RichText) -> Cow<'_, [Span]> {
    if is_canonical_text(rt) {
        Cow::Borrowed(&rt.0)
    } else {
        Cow::Owned(canonical_rich_text(rt).0)
    }
}

/// Keys of a sequence of blocks.
pub fn block_keys(blocks: &[Block], dialect: Dialect) -> Vec<String> {
    blocks.iter().map(|b| block_key(b, dialect)).collect()
}

/// The hash of a page's content as Notion returned it, stable under Notion's noise (rotating
/// file URL signatures, styled whitespace). Use it for the remote side of the base rule.
pub fn remote_hash(markdown: &str, dialect: Dialect) -> ContentHash {
    let blocks = notion_markdown::parse(markdown, dialect);
    ContentHash::of(notion_markdown::render(&canonical_blocks(&blocks), dialect))
}

/// The canonical form of a page body (see [`remote_hash`]).
pub fn canonical_markdown(markdown: &str, dialect: Dialect) -> String {
    let blocks = notion_markdown::parse(markdown, dialect);
    notion_markdown::render(&canonical_blocks(&blocks), dialect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use notion_markdown::Annotations;

    #[test]
    fn form_is_detected_and_applied() {
        let f = TextForm::detect("\u{feff}a\r\nb\r\n");
        assert!(f.bom && f.crlf && f.final_newline);
        assert_eq!(f.apply("a\nb\n"), "\u{feff}a\r\nb\r\n");
        let f = TextForm::detect("a\nb");
        assert!(!f.bom && !f.crlf && !f.final_newline);
        assert_eq!(to_crlf("a\r\nb\n"), "a\r\nb\r\n");
        assert_eq!(to_lf("a\r\nb\rc"), "a\nb\nc");
    }

    #[test]
    fn signatures_are_not_content() {
        assert_eq!(
            canonical_url("https://s3.x/f.png?X-Amz-Signature=abc&X-Amz-Date=1"),
            "https://s3.x/f.png"
        );
        assert_eq!(canonical_url("https://x/?q=1"), "https://x/?q=1");
        let a = "![](https://s3.x/f.png?X-Amz-Signature=abc)";
        let b = "![](https://s3.x/f.png?X-Amz-Signature=def)";
        assert_eq!(remote_hash(a, Dialect::V1), remote_hash(b, Dialect::V1));
    }

    #[test]
    fn merging_in_place_is_normalizing() {
        let bold = Annotations {
            bold: true,
            ..Annotations::default()
        };
        let span = |content: &str, link: Option<&str>, annotations| Span {
            kind: SpanKind::Text {
                content: content.into(),
                link: link.map(str::to_string),
            },
            annotations,
        };
        let plain = Annotations::default();
        let texts = [
            vec![],
            vec![span("", None, plain)],
            vec![
                span("a", None, plain),
                span(" ", None, plain),
                span("b", None, plain),
            ],
            vec![
                span("a", None, plain),
                span("", None, bold),
                span("b", None, plain),
            ],
            vec![span("a", Some("u"), plain), span("b", Some("v"), plain)],
            vec![span("a", Some("u"), plain), span("b", Some("u"), plain)],
            vec![
                span("a", None, bold),
                span("b", None, plain),
                span("c", None, plain),
            ],
            vec![
                span("a", None, plain),
                Span {
                    kind: SpanKind::Equation {
                        expression: "x".into(),
                    },
                    annotations: plain,
                },
                span("b", None, plain),
            ],
        ];
        for spans in texts {
            let rt = RichText(spans);
            let mut merged = rt.clone();
            merge_in_place(&mut merged);
            assert_eq!(merged, rt.normalized());
        }
    }

    #[test]
    fn styled_whitespace_is_not_content() {
        let a = notion_markdown::parse_inline("**bold **x", Dialect::V1);
        let b = notion_markdown::parse_inline("**bold** x", Dialect::V1);
        assert_eq!(canonical_rich_text(&a), canonical_rich_text(&b));
    }
}
