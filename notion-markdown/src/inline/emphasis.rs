//! Emphasis: which `*`, `_` and `~` runs are markers, and what they mark.
//!
//! Notion writes markers per segment without moving edge spaces out (`**this has ***some*`), so
//! CommonMark's flanking rules would misread its own output. Instead each run of `*` toggles
//! bold/italic given what is open: a run of 1, 2 or 3 toggles italic, bold or both; a longer run
//! first closes everything open and then opens what remains (how Notion writes the boundary
//! between two differently styled segments). Openers that are never closed become literal again.
//! A run with whitespace on both sides may close but not open, so `2 * 3 * 4` stays text.
//! `_` follows CommonMark's flanking rules (it only comes from GFM input), `~~` toggles strike.

use crate::model::{Annotations, Span, SpanKind};

#[derive(Debug, Clone, Copy)]
pub(super) struct Delim {
    pub(super) ch: u8,
    pub(super) len: usize,
    /// Both neighbours are whitespace (or the text edge): such a run may only close.
    pub(super) lone: bool,
    pub(super) can_open: bool,
    pub(super) can_close: bool,
}

#[derive(Debug)]
pub(super) enum Item {
    Text(String),
    Delim(Delim),
    Spans(Vec<Span>),
    /// `![caption](url)` at the top level; `raw` is its source, for contexts that only hold text.
    Image {
        caption: Vec<Span>,
        url: String,
        raw: String,
    },
}

const STAR_B: usize = 0;
const STAR_I: usize = 1;
const UND_B: usize = 2;
const UND_I: usize = 3;
const STRIKE: usize = 4;

fn width(ch: usize) -> usize {
    if ch == STAR_I || ch == UND_I {
        1
    } else {
        2
    }
}

/// Up to four toggles (channel, opens?) done by one marker run.
#[derive(Clone, Copy, Default)]
struct Toggles {
    list: [(usize, bool); 4],
    len: usize,
}

impl Toggles {
    fn push(&mut self, t: (usize, bool)) {
        if self.len < self.list.len() {
            self.list[self.len] = t;
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = (usize, bool)> + '_ {
        self.list[..self.len].iter().copied()
    }

    fn closes(&self) -> bool {
        self.iter().any(|(_, opens)| !opens)
    }
}

/// The toggles a run of `m` markers performs in state `on`.
fn reading(d: &Delim, m: usize, on: &[bool; 5]) -> Option<Toggles> {
    let mut out = Toggles::default();
    let (b, i) = match d.ch {
        b'*' => (STAR_B, STAR_I),
        b'_' => (UND_B, UND_I),
        _ => {
            // `~~~~` is the boundary between two struck segments: close, then open again.
            match m {
                2 if !d.lone || on[STRIKE] => out.push((STRIKE, !on[STRIKE])),
                4 if on[STRIKE] => {
                    out.push((STRIKE, false));
                    out.push((STRIKE, true));
                }
                _ => return None,
            }
            return Some(out);
        }
    };
    // Channels to toggle, closes first so one run can end a style and start another.
    let mut chans = [0usize; 4];
    let mut n = 0;
    let mut add = |c: usize| {
        if n < chans.len() {
            chans[n] = c;
            n += 1;
        }
    };
    match m {
        1 => add(i),
        2 => add(b),
        3 => {
            if on[i] {
                add(i);
            }
            if on[b] {
                add(b);
            }
            if !on[b] {
                add(b);
            }
            if !on[i] {
                add(i);
            }
        }
        _ => {
            let closing = 2 * on[b] as usize + on[i] as usize;
            let rest = m.checked_sub(closing)?;
            if rest > 3 {
                return None;
            }
            if on[i] {
                add(i);
            }
            if on[b] {
                add(b);
            }
            match rest {
                1 => add(i),
                2 => add(b),
                3 => {
                    add(b);
                    add(i);
                }
                _ => {}
            }
        }
    }
    let mut state = *on;
    for &t in &chans[..n] {
        let opens = !state[t];
        state[t] = opens;
        out.push((t, opens));
    }
    let closes = out.closes();
    let opens = out.iter().any(|(_, o)| o);
    if d.ch == b'_' && ((opens && !d.can_open) || (closes && !d.can_close)) {
        return None;
    }
    if d.lone && !closes {
        return None;
    }
    Some(out)
}

fn effective(items: &[Item], forced: &[usize], k: usize) -> Option<(Delim, usize)> {
    match &items[k] {
        Item::Delim(d) => Some((*d, d.len.saturating_sub(forced[k]))),
        _ => None,
    }
}

/// Runs the toggles and returns the openers left unclosed: (item index, marker count).
fn unmatched(items: &[Item], forced: &[usize]) -> Vec<(usize, usize)> {
    let mut on = [false; 5];
    let mut open_at: [Option<(usize, usize)>; 5] = [None; 5];
    for k in 0..items.len() {
        let Some((d, m)) = effective(items, forced, k) else {
            continue;
        };
        if m == 0 {
            continue;
        }
        if let Some(toggles) = reading(&d, m, &on) {
            for (ch, opens) in toggles.iter() {
                on[ch] = opens;
                open_at[ch] = opens.then_some((k, width(ch)));
            }
        }
    }
    open_at.iter().flatten().copied().collect()
}

fn annotations(on: &[bool; 5]) -> Annotations {
    Annotations {
        bold: on[STAR_B] || on[UND_B],
        italic: on[STAR_I] || on[UND_I],
        strikethrough: on[STRIKE],
        ..Annotations::default()
    }
}

fn styled_text(text: String, on: &[bool; 5]) -> Span {
    Span {
        kind: SpanKind::Text {
            content: text,
            link: None,
        },
        annotations: annotations(on),
    }
}

/// Turns a container's items into segments, applying emphasis.
pub(super) fn resolve(items: Vec<Item>) -> Vec<Span> {
    let mut forced = vec![0usize; items.len()];
    if items.iter().any(|i| matches!(i, Item::Delim(_))) {
        for _ in 0..16 {
            let left = unmatched(&items, &forced);
            if left.is_empty() {
                break;
            }
            for (k, n) in left {
                if let Item::Delim(d) = &items[k] {
                    forced[k] = (forced[k] + n).min(d.len);
                }
            }
        }
    }
    let mut on = [false; 5];
    let mut out = Vec::with_capacity(items.len());
    for (k, item) in items.into_iter().enumerate() {
        match item {
            Item::Text(t) | Item::Image { raw: t, .. } => out.push(styled_text(t, &on)),
            Item::Spans(spans) => {
                let a = annotations(&on);
                for mut s in spans {
                    s.annotations.bold |= a.bold;
                    s.annotations.italic |= a.italic;
                    s.annotations.strikethrough |= a.strikethrough;
                    out.push(s);
                }
            }
            Item::Delim(d) => {
                let lit = forced[k].min(d.len);
                let m = d.len - lit;
                let marker = d.ch as char;
                match (m > 0).then(|| reading(&d, m, &on)).flatten() {
                    None => out.push(styled_text(marker.to_string().repeat(d.len), &on)),
                    Some(toggles) => {
                        let closes = toggles.closes();
                        if !closes && lit > 0 {
                            out.push(styled_text(marker.to_string().repeat(lit), &on));
                        }
                        for (ch, opens) in toggles.iter() {
                            on[ch] = opens;
                        }
                        if closes && lit > 0 {
                            out.push(styled_text(marker.to_string().repeat(lit), &on));
                        }
                    }
                }
            }
        }
    }
    out
}
