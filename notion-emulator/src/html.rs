//! Block trees as HTML, for the emulator's workspace view. Everything taken from the workspace
//! is escaped; links keep only `http(s)` and `mailto` targets.

use notion_markdown::{Block, BlockKind, Mention, RichText, SpanKind};

/// Escapes text for HTML content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An `href` only for schemes that cannot run script.
fn safe_href(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        .then(|| escape(url.trim()))
}

pub fn rich_text(text: &RichText) -> String {
    let mut out = String::new();
    for span in &text.0 {
        let mut inner = match &span.kind {
            SpanKind::Text { content, link } => {
                let body = escape(content).replace('\n', "<br>");
                match link.as_deref().and_then(safe_href) {
                    Some(href) => format!("<a href=\"{href}\" rel=\"noreferrer\">{body}</a>"),
                    None => body,
                }
            }
            SpanKind::Equation { expression } => {
                format!("<span class=\"eq\">{}</span>", escape(expression))
            }
            SpanKind::Mention { mention, label } => {
                let shown = match (label, mention) {
                    (Some(l), _) => l.clone(),
                    (None, Mention::Date { start, end, .. }) => match end {
                        Some(end) => format!("{start} → {end}"),
                        None => start.clone(),
                    },
                    (None, _) => "mention".to_string(),
                };
                format!("<span class=\"mention\">@{}</span>", escape(&shown))
            }
        };
        let a = span.annotations;
        if a.code {
            inner = format!("<code>{inner}</code>");
        }
        if a.bold {
            inner = format!("<strong>{inner}</strong>");
        }
        if a.italic {
            inner = format!("<em>{inner}</em>");
        }
        if a.strikethrough {
            inner = format!("<s>{inner}</s>");
        }
        if a.underline {
            inner = format!("<u>{inner}</u>");
        }
        if !a.color.is_default() {
            inner = format!(
                "<span class=\"c-{}\">{inner}</span>",
                a.color.markdown_name()
            );
        }
        out.push_str(&inner);
    }
    out
}

/// Renders a body. Consecutive list items share one list element.
pub fn blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < blocks.len() {
        let list = match &blocks[i].kind {
            BlockKind::BulletedListItem { .. } => Some("ul"),
            BlockKind::NumberedListItem { .. } => Some("ol"),
            BlockKind::ToDo { .. } => Some("ul class=\"todo\""),
            _ => None,
        };
        let Some(tag) = list else {
            out.push_str(&block(&blocks[i]));
            i += 1;
            continue;
        };
        let first = std::mem::discriminant(&blocks[i].kind);
        let close = tag.split(' ').next().unwrap_or("ul");
        out.push_str(&format!("<{tag}>"));
        while i < blocks.len() && std::mem::discriminant(&blocks[i].kind) == first {
            out.push_str(&block(&blocks[i]));
            i += 1;
        }
        out.push_str(&format!("</{close}>"));
    }
    out
}

fn block(b: &Block) -> String {
    let children = if b.children.is_empty() {
        String::new()
    } else {
        format!("<div class=\"children\">{}</div>", blocks(&b.children))
    };
    match &b.kind {
        BlockKind::Paragraph { text, .. } => {
            format!("<p>{}</p>{children}", rich_text(text))
        }
        BlockKind::Heading {
            level,
            text,
            toggleable,
            ..
        } => {
            let level = (*level).clamp(1, 4) + 1;
            let heading = format!("<h{level}>{}</h{level}>", rich_text(text));
            if *toggleable {
                format!("<details open><summary>{heading}</summary>{children}</details>")
            } else {
                format!("{heading}{children}")
            }
        }
        BlockKind::BulletedListItem { text, .. } | BlockKind::NumberedListItem { text, .. } => {
            format!("<li>{}{children}</li>", rich_text(text))
        }
        BlockKind::ToDo { text, checked, .. } => format!(
            "<li><input type=\"checkbox\" disabled{}> {}{children}</li>",
            if *checked { " checked" } else { "" },
            rich_text(text)
        ),
        BlockKind::Quote { text, .. } => {
            format!("<blockquote>{}{children}</blockquote>", rich_text(text))
        }
        BlockKind::Toggle { text, .. } => format!(
            "<details open><summary>{}</summary>{children}</details>",
            rich_text(text)
        ),
        BlockKind::Callout { text, icon, .. } => format!(
            "<div class=\"callout\"><span class=\"icon\">{}</span><div>{}{children}</div></div>",
            escape(icon.as_deref().unwrap_or("💡")),
            rich_text(text)
        ),
        BlockKind::Code { language, text } => format!(
            "<pre class=\"code\" data-language=\"{}\"><code>{}</code></pre>",
            escape(language),
            escape(text)
        ),
        BlockKind::Equation { expression } => {
            format!("<div class=\"eq block\">{}</div>", escape(expression))
        }
        BlockKind::Divider => "<hr>".to_string(),
        BlockKind::Table {
            has_column_header,
            rows,
            ..
        } => {
            let mut html = String::from("<table>");
            for (r, row) in rows.iter().enumerate() {
                let cell = if r == 0 && *has_column_header {
                    "th"
                } else {
                    "td"
                };
                html.push_str("<tr>");
                for c in &row.cells {
                    html.push_str(&format!("<{cell}>{}</{cell}>", rich_text(c)));
                }
                html.push_str("</tr>");
            }
            html.push_str("</table>");
            html
        }
        BlockKind::Image { url, caption, .. } => format!(
            "<figure><div class=\"placeholder\">image: {}</div><figcaption>{}</figcaption></figure>",
            escape(url),
            rich_text(caption)
        ),
        BlockKind::Media {
            kind, url, caption, ..
        } => format!(
            "<figure><div class=\"placeholder\">{}: {}</div><figcaption>{}</figcaption></figure>",
            kind.tag(),
            escape(url),
            rich_text(caption)
        ),
        BlockKind::ChildPage { url, title, .. } => {
            let label = if title.is_empty() { "Untitled" } else { title };
            match crate::ids::from_url(url) {
                Some(id) => format!(
                    "<p class=\"subpage\">📄 <a href=\"/__emulator/pages/{}\">{}</a></p>",
                    crate::ids::dashed(id),
                    escape(label)
                ),
                None => format!("<p class=\"subpage\">📄 {}</p>", escape(label)),
            }
        }
        BlockKind::ChildDatabase { title, .. } => {
            format!("<p class=\"subpage\">🗃 {}</p>", escape(title))
        }
        BlockKind::TableOfContents { .. } => {
            "<p class=\"placeholder\">Table of contents</p>".to_string()
        }
        BlockKind::ColumnList => format!("<div class=\"columns\">{children}</div>"),
        BlockKind::Column { .. } => format!("<div class=\"column\">{children}</div>"),
        BlockKind::SyncedBlock { .. } | BlockKind::SyncedBlockReference { .. } => {
            format!("<div class=\"synced\">{children}</div>")
        }
        BlockKind::Unknown { alt, .. } => format!(
            "<p class=\"placeholder\">{} (not expressible in Markdown; kept as is)</p>{children}",
            escape(alt.as_deref().unwrap_or("unknown block"))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notion_markdown::Dialect;

    #[test]
    fn escapes_text_and_drops_script_links() {
        let parsed = notion_markdown::parse(
            "<b>hi</b> & [x](javascript:alert(1)) [ok](https://a.example/?q=\"1\")\n- one\n- two\n1. first",
            Dialect::V1,
        );
        let html = blocks(&parsed);
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;hi&lt;/b&gt; &amp;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains("href=\"https://a.example/?q=&quot;1&quot;\""),
            "{html}"
        );
        assert!(
            html.contains("<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"),
            "{html}"
        );
    }
}
