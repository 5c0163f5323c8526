//! Canonical shape of a rich-text array: no empty text segments, no two neighbours that could be
//! one. Parser output and renderer input both go through it, so equal texts render equally.

use crate::model::{Span, SpanKind};

/// Whether two neighbours differ in nothing but their text (and so are one segment).
pub(crate) fn mergeable(a: &Span, b: &Span) -> bool {
    match (&a.kind, &b.kind) {
        (SpanKind::Text { link: la, .. }, SpanKind::Text { link: lb, .. }) => {
            la == lb && a.annotations == b.annotations
        }
        _ => false,
    }
}

fn is_empty_text(s: &Span) -> bool {
    matches!(&s.kind, SpanKind::Text { content, .. } if content.is_empty())
}

/// Drops empty text segments and merges neighbours that differ only in content.
pub(crate) fn merge(spans: Vec<Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        if is_empty_text(&s) {
            continue;
        }
        if let Some(last) = out.last_mut() {
            if mergeable(last, &s) {
                if let (SpanKind::Text { content: a, .. }, SpanKind::Text { content: b, .. }) =
                    (&mut last.kind, &s.kind)
                {
                    a.push_str(b);
                    continue;
                }
            }
        }
        out.push(s);
    }
    out
}

/// What the v2 parser trims from line edges.
fn is_blank(c: char) -> bool {
    c.is_whitespace() && c != '\n'
}

/// Code cannot hold a line break in Markdown: the break is written outside the code span, so
/// it is a plain-text segment of its own (as the parser reads it back).
pub(crate) fn split_code_breaks(spans: Vec<Span>) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len());
    for s in spans {
        match &s.kind {
            SpanKind::Text { content, link } if s.annotations.code && content.contains('\n') => {
                for (i, piece) in content.split('\n').enumerate() {
                    if i > 0 {
                        let mut a = s.annotations;
                        a.code = false;
                        out.push(Span {
                            kind: SpanKind::Text {
                                content: "\n".into(),
                                link: link.clone(),
                            },
                            annotations: a,
                        });
                    }
                    out.push(Span {
                        kind: SpanKind::Text {
                            content: piece.into(),
                            link: link.clone(),
                        },
                        annotations: s.annotations,
                    });
                }
            }
            _ => out.push(s),
        }
    }
    merge(out)
}

/// Removes blanks next to line breaks in non-code text. In v2 a line's edge blanks are not
/// content (the parser trims each line), so the renderer must not rely on them.
pub(crate) fn trim_around_breaks(spans: Vec<Span>) -> Vec<Span> {
    let mut spans = spans;
    // Within each segment.
    for s in spans.iter_mut() {
        if s.annotations.code {
            continue;
        }
        if let SpanKind::Text { content, .. } = &mut s.kind {
            if content.contains('\n') {
                let parts: Vec<&str> = content.split('\n').collect();
                let last = parts.len() - 1;
                let mut out = String::with_capacity(content.len());
                for (i, p) in parts.iter().enumerate() {
                    let mut p: &str = p;
                    if i > 0 {
                        p = p.trim_start_matches(is_blank);
                    }
                    if i < last {
                        p = p.trim_end_matches(is_blank);
                        out.push_str(p);
                        out.push('\n');
                    } else {
                        out.push_str(p);
                    }
                }
                *content = out;
            }
        }
    }
    let mut spans = merge(spans);
    // Across segment boundaries; repeat because a segment may vanish and expose new neighbours.
    loop {
        let mut changed = false;
        for i in 0..spans.len().saturating_sub(1) {
            let (left, right) = spans.split_at_mut(i + 1);
            let a = &mut left[i];
            let b = &mut right[0];
            let a_code = a.annotations.code;
            let b_code = b.annotations.code;
            let b_starts_line = text_of(b).is_some_and(|t| t.starts_with('\n'));
            let a_ends_line = text_of(a).is_some_and(|t| t.ends_with('\n'));
            if b_starts_line && !a_code {
                if let SpanKind::Text { content, .. } = &mut a.kind {
                    let n = content.trim_end_matches(is_blank).len();
                    if n != content.len() {
                        content.truncate(n);
                        changed = true;
                    }
                }
            }
            if a_ends_line && !b_code {
                if let SpanKind::Text { content, .. } = &mut b.kind {
                    let t = content.trim_start_matches(is_blank);
                    if t.len() != content.len() {
                        *content = t.to_string();
                        changed = true;
                    }
                }
            }
        }
        spans = merge(spans);
        if !changed {
            return spans;
        }
    }
}

fn text_of(s: &Span) -> Option<&str> {
    match &s.kind {
        SpanKind::Text { content, .. } if !s.annotations.code => Some(content),
        _ => None,
    }
}
