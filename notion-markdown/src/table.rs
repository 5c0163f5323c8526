//! Tables: the `<table>` tag form (both dialects) and GFM pipe tables (input in both, output in
//! v2 when the table carries no styling).

use crate::attrs::{self, Attrs};
use crate::inline::{self, Break};
use crate::lines;
use crate::model::{BlockKind, Color, RichText, TableRow};
use crate::write::Lines;
use crate::Dialect;

/// A table's fields, borrowed from [`BlockKind::Table`].
pub(crate) struct TableRef<'a> {
    pub has_column_header: bool,
    pub has_row_header: bool,
    pub fit_page_width: bool,
    pub columns: &'a [Vec<(String, String)>],
    pub rows: &'a [TableRow],
}

impl<'a> TableRef<'a> {
    pub(crate) fn of(kind: &'a BlockKind) -> Option<TableRef<'a>> {
        match kind {
            BlockKind::Table {
                has_column_header,
                has_row_header,
                fit_page_width,
                columns,
                rows,
            } => Some(TableRef {
                has_column_header: *has_column_header,
                has_row_header: *has_row_header,
                fit_page_width: *fit_page_width,
                columns,
                rows,
            }),
            _ => None,
        }
    }

    /// Whether v2 writes it as a pipe table: a header row, nothing styled, a rectangular grid.
    pub(crate) fn is_plain(&self) -> bool {
        let width = self.rows.first().map_or(0, |r| r.cells.len());
        self.has_column_header
            && !self.has_row_header
            && !self.fit_page_width
            && self.columns.is_empty()
            && width > 0
            && self.rows.iter().all(|r| {
                r.cells.len() == width
                    && r.color.is_default()
                    && r.cell_colors.iter().all(|c| c.is_default())
            })
    }
}

fn cell_text(src: &str, dialect: Dialect) -> RichText {
    // Raw newlines inside a cell are line breaks; the indentation after them is layout.
    let joined: Vec<&str> = src.split('\n').map(str::trim).collect();
    inline::parse(joined.join("\n").trim(), dialect)
}

/// Finds the end tag `</name>` in `s` that is not backslash-escaped.
fn find_close(s: &str, name: &str) -> Option<usize> {
    let pat = format!("</{name}>");
    let mut from = 0;
    while let Some(rel) = s[from..].find(&pat) {
        let at = from + rel;
        if !lines::is_escaped(s.as_bytes(), at) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Parses the text between `<table …>` and `</table>`; `None` if it is not a well-formed table,
/// in which case the caller keeps the lines as text.
pub(crate) fn parse_body(open: &Attrs, body: &str, dialect: Dialect) -> Option<BlockKind> {
    let mut columns = Vec::new();
    let mut rows: Vec<TableRow> = Vec::new();
    let mut row: Option<TableRow> = None;
    let mut i = 0;
    let b = body.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let rest = &body[i..];
        if let Some((name, len)) = attrs::end_tag(rest) {
            match name {
                "colgroup" | "col" => {}
                "tr" => rows.push(row.take()?),
                _ => return None,
            }
            i += len;
            continue;
        }
        let tag = attrs::start_tag(rest)?;
        i += tag.len;
        match tag.name {
            "colgroup" => {}
            "col" => columns.push(tag.attrs),
            "tr" => {
                rows.extend(row.take());
                row = Some(TableRow {
                    color: color_attr(&tag.attrs),
                    ..TableRow::default()
                });
            }
            // `<th>` is how v2 marks header cells; the header attributes, always written
            // alongside, are what counts.
            "td" | "th" => {
                let r = row.as_mut()?;
                let text = if tag.self_closing {
                    RichText::default()
                } else {
                    let end = find_close(&body[i..], tag.name)?;
                    let t = cell_text(&body[i..i + end], dialect);
                    i += end + tag.name.len() + 3;
                    t
                };
                r.cells.push(text);
                r.cell_colors.push(color_attr(&tag.attrs));
            }
            _ => return None,
        }
    }
    rows.extend(row.take());
    for r in rows.iter_mut() {
        if r.cell_colors.iter().all(|c| c.is_default()) {
            r.cell_colors.clear();
        }
    }
    Some(BlockKind::Table {
        has_column_header: attrs::flag(open, "header-row"),
        has_row_header: attrs::flag(open, "header-column"),
        fit_page_width: attrs::flag(open, "fit-page-width"),
        columns,
        rows,
    })
}

fn color_attr(a: &Attrs) -> Color {
    attrs::get(a, "color")
        .and_then(Color::from_markdown_name)
        .unwrap_or_default()
}

fn push_color(tag: &mut String, c: Color) {
    if !c.is_default() {
        attrs::push_attrs(tag, [("color", c.markdown_name())]);
    }
}

/// The tag form, one tag per line (Notion's GET layout: no indentation inside the table).
/// `scratch` is reused for each cell's text.
pub(crate) fn render_tags(
    out: &mut Lines,
    scratch: &mut String,
    t: &TableRef<'_>,
    dialect: Dialect,
) {
    let open = out.line();
    open.push_str("<table");
    for (on, name) in [
        (t.fit_page_width, "fit-page-width"),
        (t.has_column_header, "header-row"),
        (t.has_row_header, "header-column"),
    ] {
        if on {
            attrs::push_attrs(open, [(name, "true")]);
        }
    }
    open.push('>');
    if !t.columns.is_empty() {
        out.push_line("<colgroup>");
        for col in t.columns {
            let c = out.line();
            c.push_str("<col");
            attrs::push_attrs(c, col.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            c.push_str(if dialect == Dialect::V2 { " />" } else { ">" });
        }
        out.push_line("</colgroup>");
    }
    let brk = inline::one_line_break(dialect);
    for (ri, row) in t.rows.iter().enumerate() {
        let tr = out.line();
        tr.push_str("<tr");
        push_color(tr, row.color);
        tr.push('>');
        for (ci, cell) in row.cells.iter().enumerate() {
            let header = (t.has_column_header && ri == 0) || (t.has_row_header && ci == 0);
            let name = if dialect == Dialect::V2 && header {
                "th"
            } else {
                "td"
            };
            let text = inline::render_trimmed(scratch, cell, dialect, brk);
            let td = out.line();
            td.push('<');
            td.push_str(name);
            push_color(td, row.cell_color(ci));
            td.push('>');
            td.push_str(text);
            td.push_str("</");
            td.push_str(name);
            td.push('>');
        }
        out.push_line("</tr>");
    }
    out.push_line("</table>");
}

/// Builds a table from pipe rows (header first); ragged rows are padded, never cut.
pub(crate) fn from_pipe_rows(rows: &[Vec<&str>], dialect: Dialect) -> BlockKind {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let rows = rows
        .iter()
        .map(|cells| {
            let mut cells: Vec<RichText> = cells
                .iter()
                .map(|c| inline::parse(&c.replace("\\|", "|"), dialect))
                .collect();
            cells.resize_with(width, RichText::default);
            TableRow::new(cells)
        })
        .collect();
    BlockKind::Table {
        has_column_header: true,
        has_row_header: false,
        fit_page_width: false,
        columns: Vec::new(),
        rows,
    }
}

/// The pipe form (v2, plain tables only). `scratch` is reused for each cell's text.
pub(crate) fn render_pipe(
    out: &mut Lines,
    scratch: &mut String,
    t: &TableRef<'_>,
    dialect: Dialect,
) {
    for (i, row) in t.rows.iter().enumerate() {
        let line = out.line();
        line.push('|');
        for cell in &row.cells {
            let text = inline::render_trimmed(scratch, cell, dialect, Break::BrSlash);
            line.push(' ');
            push_pipes_escaped(line, text);
            line.push_str(" |");
        }
        if i == 0 {
            let delim = out.line();
            delim.push('|');
            for _ in 0..row.cells.len() {
                delim.push_str("---|");
            }
        }
    }
}

/// Appends `s`, escaping the pipes the inline renderer leaves raw (inside code spans).
fn push_pipes_escaped(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let mut copied = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'|' && !lines::is_escaped(b, i) {
            out.push_str(&s[copied..i]);
            out.push('\\');
            copied = i;
        }
    }
    out.push_str(&s[copied..]);
}
