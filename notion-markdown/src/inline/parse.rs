//! Inline Markdown → rich text.
//!
//! One left-to-right pass with a stack of open containers (link text, `<span>`, v2 style tags);
//! a container that never closes is flattened back into literal text, so no input is lost and
//! nothing is re-scanned. Emphasis is resolved per container afterwards (see
//! [`super::emphasis`]).

use std::collections::HashMap;

use super::emphasis::{resolve, Delim, Item};
use super::normalize;
use super::syntax::{
    autolink, br_tag, build_mention, equation, find_dollar_close, link_destination, mention,
    mention_kind, style_tag, tick_runs, Style,
};
use crate::attrs;
use crate::escape::{self, underscore_flanking};
use crate::lines;
use crate::model::{Color, Span, SpanKind};
use crate::Dialect;

/// Parses inline Markdown into rich-text segments (normalised).
pub(crate) fn parse(src: &str, dialect: Dialect) -> Vec<Span> {
    if !src.bytes().any(is_special) {
        // Most lines are plain prose.
        return if src.is_empty() {
            Vec::new()
        } else {
            vec![Span::text(src)]
        };
    }
    normalize::merge(resolve(root_items(src, dialect)))
}

/// A stretch of block text: rich text, or an image written inside it.
#[derive(Debug)]
pub(crate) enum Piece {
    Text(Vec<Span>),
    Image { caption: Vec<Span>, url: String },
}

/// Parses block text, splitting out `![caption](url)` images: Notion keeps an image as its own
/// block, never inside text. Emphasis does not reach across an image.
pub(crate) fn parse_pieces(src: &str, dialect: Dialect) -> Vec<Piece> {
    if !src.contains("![") {
        return vec![Piece::Text(parse(src, dialect))];
    }
    let mut out = Vec::new();
    let mut chunk = Vec::new();
    for item in root_items(src, dialect) {
        match item {
            Item::Image { caption, url, .. } => {
                out.push(Piece::Text(normalize::merge(resolve(std::mem::take(
                    &mut chunk,
                )))));
                out.push(Piece::Image { caption, url });
            }
            other => chunk.push(other),
        }
    }
    out.push(Piece::Text(normalize::merge(resolve(chunk))));
    out
}

/// The top-level items, unclosed containers flattened back into text.
fn root_items(src: &str, dialect: Dialect) -> Vec<Item> {
    let mut p = Parser::new(src, dialect, false);
    p.run();
    let mut frames = std::mem::take(&mut p.frames);
    while frames.len() > 1 {
        if let Some(f) = frames.pop() {
            if let Some(parent) = frames.last_mut() {
                flatten(f, parent);
            }
        }
    }
    frames.pop().map(|f| f.items).unwrap_or_default()
}

/// Parses `[text](url)` at the start of `src` with the full inline grammar, so brackets inside
/// code, math or mentions do not confuse it: the text, the url and the byte length.
/// Image lines (`![caption](url)`) use it for their caption.
pub(crate) fn bracketed(src: &str, dialect: Dialect) -> Option<(Vec<Span>, String, usize)> {
    if !src.starts_with('[') {
        return None;
    }
    let mut p = Parser::new(src, dialect, true);
    p.run();
    p.outer
        .map(|(spans, url, end)| (normalize::merge(spans), url, end))
}

#[derive(Debug)]
enum FrameKind {
    Root,
    /// `[` at offset `start`; `image` is the offset of a `!` right before it (an image).
    Link {
        start: usize,
        image: Option<usize>,
    },
    Span {
        color: Color,
        underline: bool,
    },
    Style(Style),
}

#[derive(Debug)]
struct Frame {
    kind: FrameKind,
    /// The source text that opened the frame, restored if it never closes.
    opener: String,
    items: Vec<Item>,
}

fn flatten(f: Frame, parent: &mut Frame) {
    let mut items = f.items.into_iter();
    match parent.items.last_mut() {
        Some(Item::Text(t)) => t.push_str(&f.opener),
        _ => parent.items.push(Item::Text(f.opener)),
    }
    if let (Some(Item::Text(t)), Some(Item::Text(_))) =
        (parent.items.last_mut(), items.as_slice().first())
    {
        if let Some(Item::Text(first)) = items.next() {
            t.push_str(&first);
        }
    }
    parent.items.extend(items);
}

/// Open containers deeper than this are read as text: real rich text nests a few levels, and
/// the bound keeps hostile input (`[[[[…`) linear.
const MAX_FRAMES: usize = 32;

struct Parser<'a> {
    src: &'a str,
    dialect: Dialect,
    frames: Vec<Frame>,
    /// Start offsets of maximal backtick runs, by run length (built on first use).
    tick_runs: Option<HashMap<usize, Vec<usize>>>,
    /// Searches for a closing `$` starting at or after this offset are known to fail.
    dollar_fail: usize,
    tick_dollar_fail: usize,
    /// Per closing tag: searches starting at or after this offset are known to fail.
    close_fail: HashMap<String, usize>,
    /// [`bracketed`] mode: stop when the link opened at offset 0 closes, and keep it here.
    bracket_mode: bool,
    outer: Option<(Vec<Span>, String, usize)>,
    /// Bytes link destinations may still scan. Unclosed `(` could otherwise make every `]`
    /// rescan the rest of the text; real destinations are short (Notion caps urls at 2000).
    dest_budget: usize,
}

fn is_special(b: u8) -> bool {
    matches!(
        b,
        b'\\' | b'`' | b'$' | b'*' | b'_' | b'~' | b'[' | b']' | b'<' | b'&'
    )
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, dialect: Dialect, bracket_mode: bool) -> Parser<'a> {
        Parser {
            src,
            dialect,
            frames: vec![Frame {
                kind: FrameKind::Root,
                opener: String::new(),
                items: Vec::new(),
            }],
            tick_runs: None,
            dollar_fail: usize::MAX,
            tick_dollar_fail: usize::MAX,
            close_fail: HashMap::new(),
            bracket_mode,
            outer: None,
            dest_budget: 4 * src.len() + 4096,
        }
    }

    fn top(&mut self) -> &mut Frame {
        // The root frame is never popped while parsing.
        let n = self.frames.len() - 1;
        &mut self.frames[n]
    }

    fn push_text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let top = self.top();
        if let Some(Item::Text(t)) = top.items.last_mut() {
            t.push_str(s);
        } else {
            top.items.push(Item::Text(s.to_string()));
        }
    }

    fn push_spans(&mut self, spans: Vec<Span>) {
        self.top().items.push(Item::Spans(spans));
    }

    fn run(&mut self) {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut i = 0;
        let mut text_start = 0;
        while i < bytes.len() {
            if self.bracket_mode && (self.outer.is_some() || self.frames.len() < 2) && i > 0 {
                return;
            }
            if !is_special(bytes[i]) {
                i += 1;
                continue;
            }
            self.push_text(&src[text_start..i]);
            i = match bytes[i] {
                b'\\' => self.backslash(i),
                b'`' => self.code(i),
                b'$' => self.dollar(i),
                b'*' | b'_' | b'~' => self.delim(i),
                b'[' if self.frames.len() >= MAX_FRAMES => {
                    self.push_text("[");
                    i + 1
                }
                b'[' => {
                    // Images count at the top level and inside links (a linked image, kept
                    // as text since Notion images cannot link).
                    let outside_text_styles = self
                        .frames
                        .iter()
                        .all(|f| matches!(f.kind, FrameKind::Root | FrameKind::Link { .. }));
                    let image = (!self.bracket_mode
                        && outside_text_styles
                        && i > 0
                        && bytes[i - 1] == b'!'
                        && !lines::is_escaped(bytes, i - 1)
                        && matches!(self.top().items.last(), Some(Item::Text(t)) if t.ends_with('!')))
                    .then(|| i - 1);
                    self.frames.push(Frame {
                        kind: FrameKind::Link { start: i, image },
                        opener: "[".into(),
                        items: Vec::new(),
                    });
                    i + 1
                }
                b']' => self.close_bracket(i),
                b'<' => self.angle(i),
                _ => self.ampersand(i),
            };
            text_start = i;
        }
        self.push_text(&src[text_start..]);
    }

    fn backslash(&mut self, i: usize) -> usize {
        match self.src[i + 1..].chars().next() {
            Some(c) if c.is_ascii_punctuation() => {
                let mut b = [0u8; 4];
                self.push_text(c.encode_utf8(&mut b));
                i + 2
            }
            Some('\n') => {
                self.push_text("\n");
                i + 2
            }
            _ => {
                self.push_text("\\");
                i + 1
            }
        }
    }

    fn ampersand(&mut self, i: usize) -> usize {
        match escape::entity(&self.src[i..]) {
            Some((c, len)) => {
                let mut b = [0u8; 4];
                self.push_text(c.encode_utf8(&mut b));
                i + len
            }
            None => {
                self.push_text("&");
                i + 1
            }
        }
    }

    fn delim(&mut self, i: usize) -> usize {
        let bytes = self.src.as_bytes();
        let ch = bytes[i];
        let len = bytes[i..].iter().take_while(|&&b| b == ch).count();
        let prev = self.src[..i].chars().next_back();
        let next = self.src[i + len..].chars().next();
        let ws = |c: Option<char>| c.is_none_or(char::is_whitespace);
        let (can_open, can_close) = underscore_flanking(prev, next);
        let d = Delim {
            ch,
            len,
            lone: ws(prev) && ws(next),
            can_open,
            can_close,
        };
        self.top().items.push(Item::Delim(d));
        i + len
    }

    fn code(&mut self, i: usize) -> usize {
        let src = self.src;
        let n = src.as_bytes()[i..]
            .iter()
            .take_while(|&&b| b == b'`')
            .count();
        let runs = self.tick_runs.get_or_insert_with(|| tick_runs(src));
        let close = runs.get(&n).and_then(|starts| {
            let k = starts.partition_point(|&s| s < i + n);
            starts.get(k).copied()
        });
        match close {
            Some(j) => {
                let raw = src[i + n..j].replace('\n', " ");
                let strip = raw.len() >= 2
                    && raw.starts_with(' ')
                    && raw.ends_with(' ')
                    && !raw.bytes().all(|b| b == b' ');
                let content = if strip {
                    raw[1..raw.len() - 1].to_string()
                } else {
                    raw
                };
                let mut span = Span::text(content);
                span.annotations.code = true;
                self.push_spans(vec![span]);
                j + n
            }
            None => {
                self.push_text(&src[i..i + n]);
                i + n
            }
        }
    }

    fn dollar(&mut self, i: usize) -> usize {
        let src = self.src;
        let bytes = src.as_bytes();
        if bytes.get(i + 1) == Some(&b'`') {
            let from = i + 2;
            if from < self.tick_dollar_fail {
                match src[from..].find("`$") {
                    Some(rel) => {
                        let expr = src[from..from + rel].to_string();
                        self.push_spans(vec![equation(expr)]);
                        return from + rel + 2;
                    }
                    None => self.tick_dollar_fail = from,
                }
            }
        } else if src[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '$')
        {
            let from = i + 1;
            if from < self.dollar_fail {
                match find_dollar_close(bytes, from) {
                    Some(j) => {
                        self.push_spans(vec![equation(src[from..j].to_string())]);
                        return j + 1;
                    }
                    None => self.dollar_fail = from,
                }
            }
        }
        self.push_text("$");
        i + 1
    }

    fn close_bracket(&mut self, i: usize) -> usize {
        let Some(f) = self
            .frames
            .iter()
            .rposition(|f| matches!(f.kind, FrameKind::Link { .. }))
        else {
            self.push_text("]");
            return i + 1;
        };
        self.unwind_to(f);
        let dest = match self.src.as_bytes().get(i + 1) {
            Some(b'(') => link_destination(self.src, i + 2, &mut self.dest_budget),
            _ => None,
        };
        let frame = self.frames.pop();
        let Some(frame) = frame else { return i + 1 };
        match dest {
            Some((url, end)) if self.bracket_mode && f == 1 => {
                self.outer = Some((resolve(frame.items), url, end));
                end
            }
            Some((_, end))
                if frame
                    .items
                    .iter()
                    .any(|it| matches!(it, Item::Image { .. })) =>
            {
                // A link around an image has no Notion form: keep its source as text.
                let start = match frame.kind {
                    FrameKind::Link { start, image } => image.unwrap_or(start),
                    _ => i,
                };
                if start < self.src.len() && self.src.as_bytes()[start] == b'!' {
                    if let Some(Item::Text(t)) = self.top().items.last_mut() {
                        t.pop();
                    }
                }
                self.push_text(&self.src[start..end]);
                end
            }
            Some((url, end)) if matches!(frame.kind, FrameKind::Link { image: Some(_), .. }) => {
                let start = match frame.kind {
                    FrameKind::Link { image: Some(s), .. } => s,
                    _ => i,
                };
                let caption = normalize::merge(resolve(frame.items));
                if let Some(Item::Text(t)) = self.top().items.last_mut() {
                    t.pop();
                }
                let raw = self.src[start..end].to_string();
                self.top().items.push(Item::Image { caption, url, raw });
                end
            }
            Some((url, end)) => {
                let mut spans = resolve(frame.items);
                if spans.is_empty() {
                    self.push_text("[]");
                    return i + 1;
                }
                for s in spans.iter_mut() {
                    if let SpanKind::Text { link, .. } = &mut s.kind {
                        if link.is_none() {
                            *link = Some(url.clone());
                        }
                    }
                }
                self.push_spans(spans);
                end
            }
            None => {
                if let Some(parent) = self.frames.last_mut() {
                    flatten(frame, parent);
                }
                self.push_text("]");
                i + 1
            }
        }
    }

    /// Flattens every frame above index `f` into its parent, as literal text.
    fn unwind_to(&mut self, f: usize) {
        while self.frames.len() > f + 1 {
            if let Some(fr) = self.frames.pop() {
                if let Some(parent) = self.frames.last_mut() {
                    flatten(fr, parent);
                }
            }
        }
    }

    fn angle(&mut self, i: usize) -> usize {
        let src = self.src;
        let rest = &src[i..];
        if let Some(len) = br_tag(rest) {
            self.push_text("\n");
            return i + len;
        }
        if let Some((name, len)) = attrs::end_tag(rest) {
            if let Some(next) = self.close_tag(name, i + len) {
                return next;
            }
        } else if let Some(tag) = attrs::start_tag(rest) {
            if let Some(next) = self.open_tag(&tag, i) {
                return next;
            }
        } else if let Some((url, len)) = autolink(rest) {
            let mut s = Span::text(url.clone());
            s.kind = SpanKind::Text {
                content: url.clone(),
                link: Some(url),
            };
            self.push_spans(vec![s]);
            return i + len;
        }
        self.push_text("<");
        i + 1
    }

    fn close_tag(&mut self, name: &str, end: usize) -> Option<usize> {
        let want = |k: &FrameKind| match (k, name) {
            (FrameKind::Span { .. }, "span") => true,
            (FrameKind::Style(s), n) => style_tag(n) == Some(*s),
            _ => false,
        };
        if name != "span" && (self.dialect == Dialect::V1 || style_tag(name).is_none()) {
            return None;
        }
        let f = self.frames.iter().rposition(|f| want(&f.kind))?;
        self.unwind_to(f);
        let frame = self.frames.pop()?;
        let mut spans = resolve(frame.items);
        for s in spans.iter_mut() {
            let a = &mut s.annotations;
            match frame.kind {
                FrameKind::Span { color, underline } => {
                    if a.color.is_default() {
                        a.color = color;
                    }
                    a.underline |= underline;
                }
                FrameKind::Style(Style::Bold) => a.bold = true,
                FrameKind::Style(Style::Italic) => a.italic = true,
                FrameKind::Style(Style::Strike) => a.strikethrough = true,
                FrameKind::Style(Style::Underline) => a.underline = true,
                _ => {}
            }
        }
        self.push_spans(spans);
        Some(end)
    }

    fn open_tag(&mut self, tag: &attrs::StartTag<'_>, i: usize) -> Option<usize> {
        let raw = &self.src[i..i + tag.len];
        let v2 = self.dialect == Dialect::V2;
        let room = self.frames.len() < MAX_FRAMES;
        if tag.self_closing {
            if let Some(kind) = mention_kind(tag.name, v2) {
                let m = build_mention(kind, &tag.attrs)?;
                self.push_spans(vec![mention(m, None)]);
                return Some(i + tag.len);
            }
            return None;
        }
        if tag.name == "span" && room {
            let color = attrs::get(&tag.attrs, "color")
                .and_then(Color::from_markdown_name)
                .unwrap_or_default();
            let underline = attrs::flag(&tag.attrs, "underline");
            self.frames.push(Frame {
                kind: FrameKind::Span { color, underline },
                opener: raw.to_string(),
                items: Vec::new(),
            });
            return Some(i + tag.len);
        }
        if v2 && room && tag.attrs.is_empty() {
            if let Some(style) = style_tag(tag.name) {
                self.frames.push(Frame {
                    kind: FrameKind::Style(style),
                    opener: raw.to_string(),
                    items: Vec::new(),
                });
                return Some(i + tag.len);
            }
        }
        let kind = mention_kind(tag.name, v2)?;
        let m = build_mention(kind, &tag.attrs)?;
        let from = i + tag.len;
        let close = format!("</{}>", tag.name);
        let fail = self.close_fail.get(&close).copied().unwrap_or(usize::MAX);
        if from >= fail {
            return None;
        }
        match self.src[from..].find(&close) {
            Some(rel) => {
                let label = &self.src[from..from + rel];
                let label = (!label.is_empty()).then(|| label.to_string());
                self.push_spans(vec![mention(m, label)]);
                Some(from + rel + close.len())
            }
            None => {
                self.close_fail.insert(close, from);
                None
            }
        }
    }
}
