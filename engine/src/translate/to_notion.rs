//! GFM events (pulldown-cmark) → Notion blocks.
//!
//! Every construct that has a Notion equivalent maps to it: headings, paragraphs (soft breaks
//! joined: a newline would start a new block in Notion), lists with their nesting, to-dos,
//! quotes, fenced code with Notion's language names, tables, images, dividers, equations, and
//! the inline styles. What Notion cannot hold is kept as literal text so it survives (raw HTML,
//! footnotes); inline NFM tags written in the file (`<span color>`, mentions) map back to
//! their Notion meaning, which is how Notion-only inline styling survives a pull and a push.

use std::ops::Range;

use notion_markdown::{
    Annotations, Block, BlockKind, Color, Dialect, RichText, Span, SpanKind, TableRow,
};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Tag, TagEnd};

use super::languages;
use super::Options;

pub(crate) type Ev<'a> = (Event<'a>, Range<usize>);

/// Converts the events of one parse. `ends[i]` is the index of the `End` matching a `Start`
/// at `i` (or `i` itself for other events).
pub(crate) struct Conv<'e, 'a> {
    pub ev: &'e [Ev<'a>],
    pub ends: Vec<usize>,
    pub opts: &'e Options,
}

/// What inline content turns into: text, or things Notion keeps as their own blocks.
enum Piece {
    Text(Vec<Span>),
    Image { caption: Vec<Span>, url: String },
    Equation(String),
}

pub(crate) fn matching_ends(ev: &[Ev<'_>]) -> Vec<usize> {
    let mut ends: Vec<usize> = (0..ev.len()).collect();
    let mut stack = Vec::new();
    for (i, (e, _)) in ev.iter().enumerate() {
        match e {
            Event::Start(_) => stack.push(i),
            Event::End(_) => {
                if let Some(s) = stack.pop() {
                    ends[s] = i;
                }
            }
            _ => {}
        }
    }
    ends
}

fn is_inline(e: &Event<'_>) -> bool {
    match e {
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(t) => matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => true,
        _ => false,
    }
}

impl<'e, 'a> Conv<'e, 'a> {
    pub fn new(ev: &'e [Ev<'a>], opts: &'e Options) -> Self {
        Conv {
            ev,
            ends: matching_ends(ev),
            opts,
        }
    }

    /// Blocks for the events in `[i, j)` (a sequence of sibling blocks).
    pub fn seq(&self, mut i: usize, j: usize) -> Vec<Block> {
        let mut out = Vec::new();
        while i < j {
            if is_inline(&self.ev[i].0) {
                // Inline content outside a paragraph (a tight list item's text, handled by the
                // caller) reads as a paragraph here.
                let mut k = i;
                while k < j && is_inline(&self.ev[k].0) {
                    k = self.ends[k] + 1;
                }
                out.extend(self.paragraph(i, k));
                i = k;
                continue;
            }
            let next = self.ends[i] + 1;
            out.extend(self.block(i));
            i = next;
        }
        out
    }

    /// Blocks for the block starting at event `i`.
    pub fn block(&self, i: usize) -> Vec<Block> {
        let end = self.ends[i];
        match &self.ev[i].0 {
            Event::Start(tag) => match tag {
                Tag::Paragraph => self.paragraph(i + 1, end),
                Tag::Heading { level, .. } => vec![self.heading(*level, i + 1, end)],
                Tag::BlockQuote(_) => vec![self.quote(i + 1, end)],
                Tag::CodeBlock(kind) => vec![self.code(kind, i + 1, end)],
                Tag::HtmlBlock => self.html_block(i + 1, end),
                Tag::List(start) => self.list(start.is_some(), i + 1, end),
                Tag::Item => self.item(false, i),
                Tag::FootnoteDefinition(label) => self.footnote(label, i + 1, end),
                Tag::Table(_) => vec![self.table(i + 1, end)],
                Tag::MetadataBlock(_) => Vec::new(),
                // Not enabled; read whatever they hold as blocks.
                _ => self.seq(i + 1, end),
            },
            Event::Rule => vec![Block::new(BlockKind::Divider)],
            Event::Html(h) => self.raw_html(h),
            _ => self.paragraph(i, end + 1),
        }
    }

    fn heading(&self, level: HeadingLevel, i: usize, j: usize) -> Block {
        let level = match level {
            HeadingLevel::H1 => 1,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            _ => 4,
        };
        Block::new(BlockKind::Heading {
            level,
            text: self.one_line_text(i, j),
            color: Color::Default,
            toggleable: false,
        })
    }

    /// Inline content that must stay one rich text (headings, table cells): images become a
    /// link with the image's caption, display math an inline equation.
    fn one_line_text(&self, i: usize, j: usize) -> RichText {
        let mut spans: Vec<Span> = Vec::new();
        self.pieces(i, j, |piece| {
            match piece {
                // Usually the only piece: taken as is rather than copied.
                Piece::Text(s) if spans.is_empty() => spans = s,
                Piece::Text(s) => spans.extend(s),
                Piece::Image { mut caption, url } => {
                    if caption.is_empty() {
                        caption.push(Span::text(url.clone()));
                    }
                    for s in &mut caption {
                        if let SpanKind::Text { link, .. } = &mut s.kind {
                            *link = Some(url.clone());
                        }
                    }
                    spans.extend(caption);
                }
                Piece::Equation(e) => spans.push(Span {
                    kind: SpanKind::Equation { expression: e },
                    annotations: Annotations::default(),
                }),
            }
        });
        RichText(spans)
    }

    /// A paragraph: its text, with images and display math split out as their own blocks
    /// (Notion has no inline images).
    fn paragraph(&self, i: usize, j: usize) -> Vec<Block> {
        let mut out = Vec::new();
        self.pieces(i, j, |piece| match piece {
            Piece::Text(spans) => {
                let text = RichText(spans);
                if !text_is_blank(&text) {
                    out.push(Block::new(BlockKind::Paragraph {
                        text,
                        color: Color::Default,
                    }));
                }
            }
            Piece::Image { caption, url } => out.push(Block::new(BlockKind::Image {
                url,
                caption: RichText(caption),
                color: Color::Default,
            })),
            Piece::Equation(e) => out.push(Block::new(BlockKind::Equation {
                expression: e.trim_matches('\n').to_string(),
            })),
        });
        out
    }

    fn quote(&self, i: usize, j: usize) -> Block {
        let mut children = self.seq(i, j);
        // Leading paragraphs are the quote's own text, separated as Notion does (`<br><br>`).
        let mut text: Vec<Span> = Vec::new();
        while let Some(Block {
            kind:
                BlockKind::Paragraph {
                    text: t,
                    color: Color::Default,
                },
            children: grand,
        }) = children.first()
        {
            if !grand.is_empty() {
                break;
            }
            if !text.is_empty() {
                text.push(Span::text("\n\n"));
            }
            text.extend(t.0.iter().cloned());
            children.remove(0);
        }
        Block::with_children(
            BlockKind::Quote {
                text: RichText(text),
                color: Color::Default,
            },
            children,
        )
    }

    fn code(&self, kind: &CodeBlockKind<'_>, i: usize, j: usize) -> Block {
        let mut text = String::new();
        for (e, _) in &self.ev[i..j] {
            if let Event::Text(t) = e {
                text.push_str(t);
            }
        }
        if text.ends_with('\n') {
            text.pop();
        }
        let language = match kind {
            CodeBlockKind::Fenced(info) => languages::to_notion(info),
            CodeBlockKind::Indented => "plain text".to_string(),
        };
        Block::new(BlockKind::Code { language, text })
    }

    fn html_block(&self, i: usize, j: usize) -> Vec<Block> {
        let mut html = String::new();
        for (e, _) in &self.ev[i..j] {
            if let Event::Html(t) | Event::Text(t) = e {
                html.push_str(t);
            }
        }
        self.raw_html(&html)
    }

    /// Raw HTML: NFM block tags (a callout or toggle inside a list) are read as Notion blocks;
    /// anything else has no Notion equivalent and is kept as literal text.
    fn raw_html(&self, html: &str) -> Vec<Block> {
        let html = html.trim_end_matches(['\n', '\r']);
        if super::segment::nfm_tag(html).is_some() {
            return super::island_blocks(html);
        }
        if html.trim().is_empty() {
            return Vec::new();
        }
        vec![Block::new(BlockKind::Paragraph {
            text: RichText::plain(super::to_lf(html)),
            color: Color::Default,
        })]
    }

    fn list(&self, ordered: bool, mut i: usize, j: usize) -> Vec<Block> {
        let mut out = Vec::new();
        while i < j {
            let next = self.ends[i] + 1;
            if matches!(self.ev[i].0, Event::Start(Tag::Item)) {
                out.extend(self.item(ordered, i));
            }
            i = next;
        }
        out
    }

    /// One list item: its first paragraph is the item's text, the rest its children.
    pub fn item(&self, ordered: bool, i: usize) -> Vec<Block> {
        let end = self.ends[i];
        let mut k = i + 1;
        let mut checked = None;
        if let Some((Event::TaskListMarker(c), _)) = self.ev.get(k) {
            checked = Some(*c);
            k += 1;
        }
        let mut text = RichText::default();
        let mut extra = Vec::new();
        // The item's text: inline content of a tight item, or its first paragraph.
        if k < end && is_inline(&self.ev[k].0) {
            let mut m = k;
            while m < end && is_inline(&self.ev[m].0) {
                m = self.ends[m] + 1;
            }
            let (t, rest) = self.lead_text(k, m);
            text = t;
            extra = rest;
            k = m;
        } else if k < end && matches!(self.ev[k].0, Event::Start(Tag::Paragraph)) {
            let pend = self.ends[k];
            let mut p = k + 1;
            if checked.is_none() {
                if let Some((Event::TaskListMarker(c), _)) = self.ev.get(p) {
                    checked = Some(*c);
                    p += 1;
                }
            }
            let (t, rest) = self.lead_text(p, pend);
            text = t;
            extra = rest;
            k = pend + 1;
        }
        let mut children = extra;
        children.extend(self.seq(k, end));
        let kind = match (checked, ordered) {
            (Some(checked), _) => BlockKind::ToDo {
                text,
                checked,
                color: Color::Default,
            },
            (None, true) => BlockKind::NumberedListItem {
                text,
                color: Color::Default,
            },
            (None, false) => BlockKind::BulletedListItem {
                text,
                color: Color::Default,
            },
        };
        vec![Block::with_children(kind, children)]
    }

    /// Text of an item: what precedes the first image; images, equations and later text become
    /// the item's first children.
    fn lead_text(&self, i: usize, j: usize) -> (RichText, Vec<Block>) {
        let mut blocks = self.paragraph(i, j);
        match blocks.first() {
            Some(Block {
                kind: BlockKind::Paragraph { .. },
                ..
            }) => {
                let first = blocks.remove(0);
                let text = match first.kind {
                    BlockKind::Paragraph { text, .. } => text,
                    _ => RichText::default(),
                };
                (text, blocks)
            }
            _ => (RichText::default(), blocks),
        }
    }

    /// A footnote definition has no Notion equivalent: it is kept as a paragraph that reads
    /// `[^label]: text`, its other blocks as children.
    fn footnote(&self, label: &str, i: usize, j: usize) -> Vec<Block> {
        let mut children = self.seq(i, j);
        let mut text = vec![Span::text(format!("[^{label}]: "))];
        if let Some(Block {
            kind:
                BlockKind::Paragraph {
                    text: t,
                    color: Color::Default,
                },
            ..
        }) = children.first()
        {
            text.extend(t.0.iter().cloned());
            let first = children.remove(0);
            let mut rest = first.children;
            rest.append(&mut children);
            children = rest;
        }
        vec![Block::with_children(
            BlockKind::Paragraph {
                text: RichText(text),
                color: Color::Default,
            },
            children,
        )]
    }

    fn table(&self, mut i: usize, j: usize) -> Block {
        let mut rows = Vec::new();
        while i < j {
            let end = self.ends[i];
            match &self.ev[i].0 {
                Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                    let mut cells = Vec::new();
                    let mut c = i + 1;
                    while c < end {
                        let cend = self.ends[c];
                        if matches!(self.ev[c].0, Event::Start(Tag::TableCell)) {
                            cells.push(self.one_line_text(c + 1, cend));
                        }
                        c = cend + 1;
                    }
                    rows.push(TableRow::new(cells));
                }
                _ => {}
            }
            i = end + 1;
        }
        let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        for row in &mut rows {
            row.cells.resize(width, RichText::default());
        }
        Block::new(BlockKind::Table {
            has_column_header: true,
            has_row_header: false,
            fit_page_width: false,
            columns: Vec::new(),
            rows,
        })
    }

    /// Inline events in `[i, j)` → pieces, handed to `emit` in order. (Streamed rather than
    /// collected: nearly every text is a single piece, and this runs for every paragraph, item,
    /// heading and table cell.)
    fn pieces(&self, i: usize, j: usize, mut emit: impl FnMut(Piece)) {
        let mut st = InlineState::default();
        let mut k = i;
        while k < j {
            let (e, _) = &self.ev[k];
            match e {
                Event::Start(Tag::Image { dest_url, .. }) => {
                    let end = self.ends[k];
                    let caption = self.caption(k + 1, end);
                    st.flush(&mut emit);
                    emit(Piece::Image {
                        caption,
                        url: owned(dest_url),
                    });
                    k = end + 1;
                    continue;
                }
                Event::DisplayMath(m) => {
                    st.flush(&mut emit);
                    emit(Piece::Equation(owned(m)));
                }
                _ => st.event(e, self.opts),
            }
            k += 1;
        }
        st.flush(&mut emit);
    }

    /// An image's alt text as rich text.
    fn caption(&self, i: usize, j: usize) -> Vec<Span> {
        let mut st = InlineState::default();
        for (e, _) in &self.ev[i..j] {
            match e {
                Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
                _ => st.event(e, self.opts),
            }
        }
        // Events only ever add to the current text: no other piece can come out of them.
        st.cur
    }
}

/// An owned copy of parser text (`CowStr::to_string` would go through `Display`, formatting
/// rather than copying).
fn owned(s: &str) -> String {
    s.to_owned()
}

fn text_is_blank(rt: &RichText) -> bool {
    rt.0.iter().all(|s| match &s.kind {
        SpanKind::Text { content, link } => link.is_none() && content.trim().is_empty(),
        _ => false,
    })
}

/// Inline HTML that carries Notion styling (`<span color="red">`, `<u>`).
#[derive(Debug, Clone)]
enum Mark {
    Span {
        color: Option<Color>,
        underline: bool,
    },
    U,
}

#[derive(Default)]
struct InlineState {
    bold: u32,
    italic: u32,
    strike: u32,
    links: Vec<String>,
    marks: Vec<Mark>,
    cur: Vec<Span>,
}

impl InlineState {
    fn annotations(&self) -> Annotations {
        let mut a = Annotations {
            bold: self.bold > 0,
            italic: self.italic > 0,
            strikethrough: self.strike > 0,
            ..Annotations::default()
        };
        for m in &self.marks {
            match m {
                Mark::Span { color, underline } => {
                    if let Some(c) = color {
                        a.color = *c;
                    }
                    a.underline |= *underline;
                }
                Mark::U => a.underline = true,
            }
        }
        a
    }

    fn text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        let link = self.links.last();
        let annotations = self.annotations();
        // The parser cuts text at every soft break, entity and escape. Unstyled pieces are
        // joined here, saving a string per cut: tidying (`normalize::tidy_in_place`) would merge
        // them anyway. Bold, italic and struck pieces stay apart, because tidying moves the
        // edge whitespace out of each of those separately.
        if !(annotations.bold || annotations.italic || annotations.strikethrough) {
            if let Some(Span {
                kind:
                    SpanKind::Text {
                        content,
                        link: last_link,
                    },
                annotations: last,
            }) = self.cur.last_mut()
            {
                if *last == annotations && last_link.as_ref() == link {
                    content.push_str(t);
                    return;
                }
            }
        }
        self.cur.push(Span {
            kind: SpanKind::Text {
                content: t.to_string(),
                link: link.cloned(),
            },
            annotations,
        });
    }

    /// Hands the text gathered so far (if any) to `emit` as a piece.
    fn flush(&mut self, emit: &mut impl FnMut(Piece)) {
        if !self.cur.is_empty() {
            emit(Piece::Text(std::mem::take(&mut self.cur)));
        }
    }

    fn event(&mut self, e: &Event<'_>, opts: &Options) {
        match e {
            Event::Text(t) => self.text(t),
            Event::Code(c) => {
                let mut annotations = self.annotations();
                annotations.code = true;
                self.cur.push(Span {
                    kind: SpanKind::Text {
                        content: owned(c),
                        link: self.links.last().cloned(),
                    },
                    annotations,
                });
            }
            Event::InlineMath(m) | Event::DisplayMath(m) => {
                let annotations = self.annotations();
                self.cur.push(Span {
                    kind: SpanKind::Equation {
                        expression: owned(m),
                    },
                    annotations,
                });
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.text("\n"),
            Event::FootnoteReference(label) => self.text(&format!("[^{label}]")),
            Event::TaskListMarker(c) => self.text(if *c { "[x] " } else { "[ ] " }),
            Event::InlineHtml(h) => self.html(h),
            Event::Start(tag) => match tag {
                Tag::Emphasis => self.italic += 1,
                Tag::Strong => self.bold += 1,
                Tag::Strikethrough => self.strike += 1,
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                } => {
                    let url = match link_type {
                        LinkType::Email if !dest_url.starts_with("mailto:") => {
                            format!("mailto:{dest_url}")
                        }
                        _ => owned(dest_url),
                    };
                    let url = opts.links.to_page(&url).unwrap_or(url);
                    self.links.push(url);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
                TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
                TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
                TagEnd::Link => {
                    self.links.pop();
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Inline HTML: Notion's own inline tags map back to styling and mentions; `<br>` is a line
    /// break (as in GFM tables); anything else is literal text.
    fn html(&mut self, h: &str) {
        let lower = h.to_ascii_lowercase();
        let trimmed = lower.trim();
        if matches!(trimmed, "<br>" | "<br/>" | "<br />") {
            self.text("\n");
            return;
        }
        if trimmed == "</span>" {
            if let Some(pos) = self
                .marks
                .iter()
                .rposition(|m| matches!(m, Mark::Span { .. }))
            {
                self.marks.remove(pos);
                return;
            }
        }
        if trimmed == "<u>" {
            self.marks.push(Mark::U);
            return;
        }
        if trimmed == "</u>" {
            if let Some(pos) = self.marks.iter().rposition(|m| matches!(m, Mark::U)) {
                self.marks.remove(pos);
                return;
            }
        }
        if trimmed.starts_with("<span ") && !trimmed.ends_with("/>") {
            let color = attr(h, "color").and_then(|c| Color::from_markdown_name(&c));
            let underline = attr(h, "underline").is_some_and(|u| u == "true");
            if color.is_some() || underline {
                self.marks.push(Mark::Span { color, underline });
                return;
            }
        }
        if trimmed.starts_with("<mention-") {
            let parsed = notion_markdown::parse_inline(h, Dialect::V1);
            if let [span] = parsed.0.as_slice() {
                if matches!(span.kind, SpanKind::Mention { .. }) {
                    let mut span = span.clone();
                    let a = self.annotations();
                    span.annotations = a;
                    self.cur.push(span);
                    return;
                }
            }
        }
        self.text(h);
    }
}

/// The value of attribute `name` in a tag (double-quoted values only, as NFM writes them).
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}
