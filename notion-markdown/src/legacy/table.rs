//! The original table writers: one `String` per line.

use super::inline::{self, Break};
use crate::attrs;
use crate::lines;
use crate::model::{Color, TableRow};
use crate::table::TableRef;
use crate::Dialect;

fn push_color(tag: &mut String, c: Color) {
    if !c.is_default() {
        attrs::push_attrs(tag, [("color", c.markdown_name())]);
    }
}

/// The tag form, one tag per line (Notion's GET layout: no indentation inside the table).
pub(crate) fn render_tags(out: &mut Vec<String>, t: &TableRef<'_>, dialect: Dialect) {
    let mut open = String::from("<table");
    for (on, name) in [
        (t.fit_page_width, "fit-page-width"),
        (t.has_column_header, "header-row"),
        (t.has_row_header, "header-column"),
    ] {
        if on {
            attrs::push_attrs(&mut open, [(name, "true")]);
        }
    }
    open.push('>');
    out.push(open);
    if !t.columns.is_empty() {
        out.push("<colgroup>".into());
        for col in t.columns {
            let mut c = String::from("<col");
            attrs::push_attrs(&mut c, col.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            c.push_str(if dialect == Dialect::V2 { " />" } else { ">" });
            out.push(c);
        }
        out.push("</colgroup>".into());
    }
    let brk = inline::one_line_break(dialect);
    for (ri, row) in t.rows.iter().enumerate() {
        let mut tr = String::from("<tr");
        push_color(&mut tr, row.color);
        tr.push('>');
        out.push(tr);
        for (ci, cell) in row.cells.iter().enumerate() {
            let header = (t.has_column_header && ri == 0) || (t.has_row_header && ci == 0);
            let name = if dialect == Dialect::V2 && header {
                "th"
            } else {
                "td"
            };
            let mut td = format!("<{name}");
            push_color(&mut td, row.cell_color(ci));
            td.push('>');
            td.push_str(inline::render(cell, dialect, brk).trim());
            td.push_str(&format!("</{name}>"));
            out.push(td);
        }
        out.push("</tr>".into());
    }
    out.push("</table>".into());
}

/// The pipe form (v2, plain tables only).
pub(crate) fn render_pipe(out: &mut Vec<String>, t: &TableRef<'_>, dialect: Dialect) {
    let row_line = |row: &TableRow| {
        let mut line = String::from("|");
        for cell in &row.cells {
            let text = inline::render(cell, dialect, Break::BrSlash);
            line.push(' ');
            line.push_str(&escape_pipes(text.trim()));
            line.push_str(" |");
        }
        line
    };
    for (i, row) in t.rows.iter().enumerate() {
        out.push(row_line(row));
        if i == 0 {
            out.push(format!("|{}", "---|".repeat(row.cells.len())));
        }
    }
}

/// Escapes pipes the inline renderer leaves raw (inside code spans).
fn escape_pipes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c == '|' && !lines::is_escaped(b, i) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
