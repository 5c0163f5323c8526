//! The fewest `update_content` edits that turn a page's Markdown into the desired Markdown.
//!
//! Each edit is a search-and-replace (`old_str` → `new_str`) that Notion applies in order, each
//! against the result of the previous one, and an `old_str` must match exactly once at its
//! turn. The edits come from a line diff of the two texts; a hunk's `old_str` is its old lines,
//! extended with neighbouring lines until it is unique (an insertion is anchored on a
//! neighbouring line). Numbered-list markers are compared without their numbers, because Notion
//! renumbers lists itself: inserting an item must not rewrite every item after it. Past a
//! threshold (many edits, or edits covering most of the page) one `replace_content` is cheaper
//! and as safe.
//!
//! Keeping edits small is what keeps block ids (G4): Notion only rebuilds the blocks an edit
//! touches, so comments and inbound links on every other block survive.

use serde::{Deserialize, Serialize};

/// One search-and-replace of an `update_content` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentEdit {
    pub old_str: String,
    pub new_str: String,
}

/// What to send to `PATCH /v1/pages/{id}/markdown`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RemoteEdit {
    /// `update_content` with these edits, in order.
    Update { edits: Vec<ContentEdit> },
    /// `replace_content` with the whole new body.
    Replace { markdown: String },
}

/// Where `replace_content` becomes the better choice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EditLimits {
    /// More edits than this: replace instead (Notion accepts at most 100 per request).
    pub max_edits: usize,
    /// Edits whose `old_str`s cover more than this share of the page: replace instead.
    pub max_share: f64,
    /// Gaps of at most this many unchanged lines between two hunks are bridged (one edit).
    pub bridge_lines: usize,
}

impl Default for EditLimits {
    fn default() -> Self {
        EditLimits {
            max_edits: 20,
            max_share: 0.6,
            bridge_lines: 1,
        }
    }
}

/// The edits from `current` (the page's Markdown exactly as Notion returned it) to `desired`.
/// `None` when nothing needs to change.
pub fn minimal_edits(current: &str, desired: &str, limits: &EditLimits) -> Option<RemoteEdit> {
    if current == desired {
        return None;
    }
    let replace = || {
        Some(RemoteEdit::Replace {
            markdown: desired.to_string(),
        })
    };
    if current.trim().is_empty() || desired.trim().is_empty() {
        return replace();
    }
    let cur: Vec<&str> = current.split_inclusive('\n').collect();
    let des: Vec<&str> = desired.split_inclusive('\n').collect();
    let cur_keys: Vec<String> = cur.iter().map(|l| line_key(l)).collect();
    let des_keys: Vec<String> = des.iter().map(|l| line_key(l)).collect();
    let mut hunks: Vec<(usize, usize, usize, usize)> = Vec::new();
    for h in crate::diff::diff(&cur_keys, &des_keys).1 {
        let h = (h.old.start, h.old.end, h.new.start, h.new.end);
        match hunks.last_mut() {
            Some(last) if h.0 <= last.1 + limits.bridge_lines => {
                last.1 = h.1;
                last.3 = h.3;
            }
            _ => hunks.push(h),
        }
    }
    if hunks.is_empty() {
        // Only list numbers differ: Notion renumbers, nothing to send.
        return None;
    }
    if hunks.len() > limits.max_edits {
        return replace();
    }
    // Apply hunk by hunk to a working copy, extending each old_str until it is unique there.
    let mut work: Vec<String> = cur.iter().map(|s| s.to_string()).collect();
    let mut shift: isize = 0;
    let mut edits = Vec::with_capacity(hunks.len());
    let mut covered = 0usize;
    for (a0, a1, b0, b1) in hunks {
        let a0 = (a0 as isize + shift) as usize;
        let a1 = (a1 as isize + shift) as usize;
        let new_lines: Vec<String> = des[b0..b1].iter().map(|s| s.to_string()).collect();
        let (mut lo, mut hi) = (a0, a1);
        let mut prefix: Vec<String> = Vec::new();
        let mut suffix: Vec<String> = Vec::new();
        if lo == hi {
            // An insertion needs an anchor line.
            if lo > 0 {
                lo -= 1;
                prefix.push(work[lo].clone());
            } else if hi < work.len() {
                suffix.push(work[hi].clone());
                hi += 1;
            } else {
                return replace();
            }
        }
        let mut grow_before = true;
        loop {
            let old: String = work[lo..hi].concat();
            let whole = work.concat();
            if !old.is_empty() && count(&whole, &old) == 1 {
                break;
            }
            let can_before = lo > 0;
            let can_after = hi < work.len();
            if !can_before && !can_after {
                return replace();
            }
            if (grow_before && can_before) || !can_after {
                lo -= 1;
                prefix.insert(0, work[lo].clone());
            } else {
                suffix.push(work[hi].clone());
                hi += 1;
            }
            grow_before = !grow_before;
        }
        let old_str: String = work[lo..hi].concat();
        let mut replacement = prefix.clone();
        replacement.extend(new_lines.iter().cloned());
        replacement.extend(suffix.iter().cloned());
        let new_str: String = replacement.concat();
        covered += old_str.len();
        let removed = hi - lo;
        work.splice(lo..hi, replacement.iter().cloned());
        shift += replacement.len() as isize - removed as isize;
        edits.push(ContentEdit { old_str, new_str });
    }
    if covered as f64 > limits.max_share * current.len() as f64 {
        return replace();
    }
    // The result must be what was asked for (up to list numbering, which Notion redoes), with
    // the edits applied the way Notion applies them, not as spliced above.
    let Some(result) = apply(current, &edits) else {
        return replace();
    };
    let same = result == desired
        || result
            .split_inclusive('\n')
            .map(line_key)
            .eq(desired.split_inclusive('\n').map(line_key));
    if !same {
        return replace();
    }
    Some(RemoteEdit::Update { edits })
}

/// Applies edits the way Notion does; `None` when an `old_str` does not match exactly once.
pub fn apply(current: &str, edits: &[ContentEdit]) -> Option<String> {
    let mut text = current.to_string();
    for e in edits {
        if e.old_str.is_empty() || count(&text, &e.old_str) != 1 {
            return None;
        }
        text = text.replacen(&e.old_str, &e.new_str, 1);
    }
    Some(text)
}

/// Occurrences of `needle` in `hay`, overlapping ones included, capped at 2. `str::matches`
/// skips overlaps: in `---\n---\n---\n` it finds `---\n---\n` once, yet a replace would hit
/// the first pair while the diff meant the second.
fn count(hay: &str, needle: &str) -> usize {
    let Some(first) = hay.find(needle) else {
        return 0;
    };
    let next = first + hay[first..].chars().next().map_or(1, char::len_utf8);
    if hay[next..].contains(needle) {
        2
    } else {
        1
    }
}

/// A line with its numbered-list number blanked (`\t3. x` → `\t#. x`).
fn line_key(line: &str) -> String {
    let body = line.trim_start_matches('\t');
    let indent = &line[..line.len() - body.len()];
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && (body[digits..].starts_with(". ") || &body[digits..] == ".") {
        format!("{indent}#{}", &body[digits..])
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(n: usize) -> String {
        (0..n)
            .map(|i| format!("Paragraph number {i} with some text."))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn one_paragraph_is_one_edit() {
        let cur = doc(300);
        let des = cur.replace(
            "Paragraph number 150 with",
            "Paragraph number 150, edited, with",
        );
        let Some(RemoteEdit::Update { edits }) = minimal_edits(&cur, &des, &EditLimits::default())
        else {
            panic!("expected an update");
        };
        assert_eq!(edits.len(), 1);
        assert_eq!(apply(&cur, &edits).as_deref(), Some(des.as_str()));
    }

    #[test]
    fn duplicates_get_context() {
        let cur = "A\nSame\nB\nSame\nC";
        let des = "A\nSame\nB\nChanged\nC";
        let Some(RemoteEdit::Update { edits }) = minimal_edits(cur, des, &EditLimits::default())
        else {
            panic!("expected an update");
        };
        assert_eq!(edits.len(), 1);
        assert_eq!(apply(cur, &edits).as_deref(), Some(des));
        // Insertions are anchored.
        let ins = "A\nSame\nB\nSame\nnew\nC";
        let Some(RemoteEdit::Update { edits }) = minimal_edits(cur, ins, &EditLimits::default())
        else {
            panic!("expected an update");
        };
        assert_eq!(apply(cur, &edits).as_deref(), Some(ins));
    }

    #[test]
    fn overlapping_repeats_are_not_unique() {
        // Found by the G17 property test: the third of three dividers replaced. A non-overlapping
        // count calls `---\n---\n` unique, and Notion would rewrite the first pair instead.
        let cur = "A\n---\n---\n---\n> q\n";
        let des = "A\n---\n---\nNew\n> q\n";
        let limits = EditLimits {
            max_share: 1.0,
            ..EditLimits::default()
        };
        let Some(RemoteEdit::Update { edits }) = minimal_edits(cur, des, &limits) else {
            panic!("expected an update");
        };
        assert_eq!(apply(cur, &edits).as_deref(), Some(des), "{edits:?}");
        assert_eq!(count("---\n---\n---\n", "---\n---\n"), 2);
        assert_eq!(count("ééé", "éé"), 2);
        assert_eq!(count("abc", "x"), 0);
    }

    #[test]
    fn renumbering_is_not_an_edit() {
        let cur = "1. a\n2. b\n3. c";
        let des = "1. new\n2. a\n3. b\n4. c";
        let Some(RemoteEdit::Update { edits }) = minimal_edits(cur, des, &EditLimits::default())
        else {
            panic!("expected an update");
        };
        assert_eq!(edits.len(), 1);
        assert!(edits[0].old_str.len() <= 6, "{edits:?}");
    }

    #[test]
    fn big_changes_replace() {
        let cur = doc(10);
        let des = doc(10).replace("Paragraph", "Para");
        assert!(matches!(
            minimal_edits(&cur, &des, &EditLimits::default()),
            Some(RemoteEdit::Replace { .. })
        ));
        assert_eq!(minimal_edits(&cur, &cur, &EditLimits::default()), None);
    }
}
