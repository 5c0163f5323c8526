//! File Markdown ↔ Notion-flavored Markdown (v1).
//!
//! Notion's v1 dialect has one block per line and drops blank lines; a Markdown file separates
//! paragraphs with blank lines. Going to Notion the text is sent as written (Notion normalizes it,
//! and the base records what it made of it); coming back, top-level blocks are separated by blank
//! lines again so the file reads as ordinary Markdown, while list runs, code fences and tag blocks
//! stay contiguous.

/// The page content to send for a file body.
pub fn to_notion(body: &str) -> String {
    body.replace("\r\n", "\n")
}

/// The file body for a page's Notion Markdown.
pub fn from_notion(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + markdown.len() / 8);
    let mut prev: Option<LineKind> = None;
    let mut fence: Option<String> = None;
    let mut tag_depth = 0usize;
    for line in markdown.split('\n') {
        if let Some(open) = &fence {
            out.push_str(line);
            out.push('\n');
            if line.trim_start().starts_with(open.as_str()) && line.trim() == open {
                fence = None;
            }
            continue;
        }
        let kind = classify(line);
        let inside = tag_depth > 0 || line.starts_with('\t');
        if let Some(p) = prev {
            let contiguous = inside || (p == LineKind::ListItem && kind == LineKind::ListItem);
            if !contiguous {
                out.push('\n');
            }
        }
        if line.trim() == "<empty-block/>" && !inside {
            // An empty paragraph is an empty line in a file; the blank separators carry it.
        } else {
            out.push_str(line);
            out.push('\n');
        }
        if kind == LineKind::Fence {
            let ticks: String = line
                .trim_start()
                .chars()
                .take_while(|c| *c == '`')
                .collect();
            fence = Some(ticks);
        }
        tag_depth = track_tags(line, tag_depth);
        prev = Some(kind);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if markdown.is_empty() {
        out.clear();
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    ListItem,
    Fence,
    Other,
}

fn classify(line: &str) -> LineKind {
    let t = line.trim_start();
    if t.starts_with("```") {
        return LineKind::Fence;
    }
    let ordered = t
        .find(". ")
        .is_some_and(|i| i > 0 && t[..i].bytes().all(|b| b.is_ascii_digit()));
    if t.starts_with("- ") || ordered {
        LineKind::ListItem
    } else {
        LineKind::Other
    }
}

/// Multi-line tag blocks (`<details>`, `<callout>`, `<table>`, `<columns>`, …) stay together.
fn track_tags(line: &str, depth: usize) -> usize {
    const CONTAINERS: [&str; 6] = [
        "details",
        "callout",
        "table",
        "columns",
        "synced_block",
        "synced_block_reference",
    ];
    let t = line.trim();
    for name in CONTAINERS {
        if t.starts_with(&format!("<{name}"))
            && !t.ends_with("/>")
            && !t.contains(&format!("</{name}>"))
        {
            return depth + 1;
        }
        if t == format!("</{name}>") {
            return depth.saturating_sub(1);
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn paragraphs_get_blank_lines_back() {
        let md = "Intro\n- a\n- b\n## Next\n```rust\nfn x() {}\n\n```\nEnd";
        expect![[r#"
            Intro

            - a
            - b

            ## Next

            ```rust
            fn x() {}

            ```

            End
        "#]]
        .assert_eq(&from_notion(md));
    }

    #[test]
    fn tag_blocks_stay_together() {
        let md = "<details>\n<summary>T</summary>\n\tx\n</details>\nAfter";
        expect![[r#"
            <details>
            <summary>T</summary>
            	x
            </details>

            After
        "#]]
        .assert_eq(&from_notion(md));
    }

    #[test]
    fn empty_page_is_empty_file() {
        assert_eq!(from_notion(""), "");
    }
}
