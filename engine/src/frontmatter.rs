//! YAML front matter ↔ Notion page properties, with the front matter's own formatting kept.
//!
//! Why a small parser of our own rather than a YAML crate: the file must keep its bytes (key
//! order, quoting, comments, keys we do not know; G15), and a pull must change only the keys
//! whose property changed. The maintained YAML crates parse into values and drop comments and
//! styles, and `serde_yaml` is deprecated. Front matter that maps to Notion properties uses a
//! small subset (scalars, quoted strings, flow and block lists), so this module reads that
//! subset line by line, keeps every entry's exact lines, and rewrites only the entries it sets.
//! Anything outside the subset (nested maps, block scalars, anchors) is kept verbatim and is
//! never sent as a property. Front matter never reaches the page body (G15).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::EngineError;

/// Where front matter ends in `text` (after its closing `---` line), if `text` starts with it.
///
/// A thematic break (`---`) can also open a Markdown body, so the block counts as front matter
/// only when it reads as YAML: the line after the opening `---` is a `key:` line, a comment or
/// the closing line, and every line inside is a `key:` line, indented, a list item, a comment
/// or blank.
pub fn extent(text: &str) -> Option<usize> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end_matches('\r') != "---" {
        return None;
    }
    let mut pos = first_end + 1;
    let mut first_line = true;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end_matches('\r');
        if line == "---" || line == "..." {
            return Some(if end < text.len() { end + 1 } else { end });
        }
        let yaml_line = line.starts_with('#')
            || line.starts_with(' ')
            || line.starts_with('\t')
            || line.starts_with("- ")
            || line == "-"
            || split_key(line).is_some()
            || (line.trim().is_empty() && !first_line);
        if !yaml_line {
            return None;
        }
        first_line = false;
        if end >= text.len() {
            break;
        }
        pos = end + 1;
    }
    None
}

/// A scalar or list value from the supported subset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as text, for properties that hold text.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(format_number(*n)),
            Value::String(s) => Some(s.clone()),
            Value::List(_) => None,
        }
    }

    /// The value as a list of strings (a single string is a list of one).
    pub fn to_list(&self) -> Vec<String> {
        match self {
            Value::List(items) => items.iter().filter_map(Value::to_text).collect(),
            Value::Null => Vec::new(),
            other => other.to_text().into_iter().collect(),
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// One top-level entry, with the lines it spans in the front matter's inner text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    /// `None` when the value is outside the supported subset (kept verbatim, never synced).
    pub value: Option<Value>,
    /// Byte range in [`FrontMatter::inner`] (whole lines, line breaks included).
    pub range: Range<usize>,
    style: Style,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Double,
    Single,
    Flow,
    /// A block list; the indentation before `-`.
    Block(usize),
}

/// Parsed front matter; `inner` is the text between the `---` lines.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    pub open: String,
    pub inner: String,
    pub close: String,
    pub entries: Vec<Entry>,
}

impl FrontMatter {
    /// Parses front matter text (from the opening `---` to after the closing one). Never
    /// fails: what is not understood is kept as text without a value.
    pub fn parse(raw: &str) -> FrontMatter {
        let open_end = raw.find('\n').map_or(raw.len(), |i| i + 1);
        let body = &raw[open_end..];
        // The closing line is the last line that is `---` or `...`.
        let mut close_start = body.len();
        let trimmed = body.trim_end_matches(['\n', '\r']);
        if let Some(i) = trimmed.rfind('\n') {
            let last = trimmed[i + 1..].trim_end_matches('\r');
            if last == "---" || last == "..." {
                close_start = i + 1;
            }
        } else if trimmed == "---" || trimmed == "..." {
            close_start = 0;
        }
        let inner = &body[..close_start];
        FrontMatter {
            open: raw[..open_end].to_string(),
            inner: inner.to_string(),
            close: body[close_start..].to_string(),
            entries: parse_entries(inner),
        }
    }

    /// A new front matter holding nothing (for a file that had none).
    pub fn empty(nl: &str) -> FrontMatter {
        FrontMatter {
            open: format!("---{nl}"),
            inner: String::new(),
            close: format!("---{nl}"),
            entries: Vec::new(),
        }
    }

    /// The front matter as text.
    pub fn render(&self) -> String {
        format!("{}{}{}", self.open, self.inner, self.close)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .and_then(|e| e.value.as_ref())
    }

    /// The `title` key, if it is a non-empty string.
    pub fn title(&self) -> Option<String> {
        self.get("title")
            .and_then(Value::to_text)
            .filter(|t| !t.trim().is_empty())
    }

    fn newline(&self) -> &'static str {
        if self.open.ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Sets `key` to `value`, rewriting only that entry's lines (in the entry's own style); a
    /// new key goes at the end.
    pub fn set(&mut self, key: &str, value: &Value) {
        let nl = self.newline();
        if let Some(e) = self.entries.iter().find(|e| e.key == key) {
            if e.value.as_ref() == Some(value) {
                return;
            }
            let text = render_entry(&self.inner[e.range.clone()], key, value, e.style, nl);
            self.inner.replace_range(e.range.clone(), &text);
        } else {
            if !self.inner.is_empty() && !self.inner.ends_with('\n') {
                self.inner.push_str(nl);
            }
            let style = match value {
                Value::List(_) => Style::Flow,
                _ => Style::Plain,
            };
            let text = render_entry("", &yaml_key(key), value, style, nl);
            self.inner.push_str(&text);
        }
        self.entries = parse_entries(&self.inner);
    }

    /// Removes `key` (its lines) if present.
    pub fn remove(&mut self, key: &str) {
        if let Some(e) = self.entries.iter().find(|e| e.key == key) {
            self.inner.replace_range(e.range.clone(), "");
            self.entries = parse_entries(&self.inner);
        }
    }
}

fn yaml_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ')
        && !key.starts_with(' ')
        && !key.ends_with(' ')
        && !key.is_empty()
    {
        key.to_string()
    } else {
        double_quoted(key)
    }
}

fn parse_entries(inner: &str) -> Vec<Entry> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut pos = 0;
    for line in inner.split_inclusive('\n') {
        lines.push((pos, line));
        pos += line.len();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let content = line.trim_end_matches(['\n', '\r']);
        let top_level = !content.starts_with([' ', '\t', '#', '-']) && !content.trim().is_empty();
        let Some((key, rest)) = top_level.then(|| split_key(content)).flatten() else {
            i += 1;
            continue;
        };
        // The entry runs over following indented lines, list items and comments under it.
        let mut j = i + 1;
        while j < lines.len() {
            let c = lines[j].1.trim_end_matches(['\n', '\r']);
            if c.starts_with([' ', '\t', '-']) || c.trim().is_empty() {
                j += 1;
            } else {
                break;
            }
        }
        // Trailing blank lines belong to the gap, not to the entry.
        while j > i + 1 && lines[j - 1].1.trim().is_empty() {
            j -= 1;
        }
        let end = lines.get(j).map_or(inner.len(), |l| l.0);
        let continuation: Vec<&str> = lines[i + 1..j]
            .iter()
            .map(|l| l.1.trim_end_matches(['\n', '\r']))
            .collect();
        let (value, style) = parse_value(rest, &continuation);
        out.push(Entry {
            key,
            value,
            range: start..end,
            style,
        });
        i = j;
    }
    out
}

/// `key: rest` → (key, rest).
fn split_key(line: &str) -> Option<(String, &str)> {
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = line[1..].find(q)? + 1;
        let key = line[1..close].to_string();
        let rest = line[close + 1..].strip_prefix(':')?;
        return Some((key, rest));
    }
    let idx = line
        .find(": ")
        .or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
    let key = line[..idx].trim_end().to_string();
    if key.is_empty() || key.contains(['{', '[', '&', '*', '!']) {
        return None;
    }
    Some((key, &line[idx + 1..]))
}

fn strip_comment(s: &str) -> &str {
    // ` #` starts a comment outside quotes.
    let mut in_single = false;
    let mut in_double = false;
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match c {
            '\'' if !in_double => in_single = !in_single,
            '"' if !in_single && prev != '\\' => in_double = !in_double,
            '#' if !in_single && !in_double && (prev == ' ' || prev == '\t') => {
                return s[..i].trim_end();
            }
            _ => {}
        }
        prev = c;
    }
    s.trim_end()
}

fn parse_value(rest: &str, continuation: &[&str]) -> (Option<Value>, Style) {
    let v = strip_comment(rest.trim());
    if v.is_empty() {
        let items: Vec<&str> = continuation
            .iter()
            .copied()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect();
        if items.is_empty() {
            return (Some(Value::Null), Style::Plain);
        }
        let indent = items[0].len() - items[0].trim_start().len();
        let mut list = Vec::new();
        for item in items {
            let t = item.trim_start();
            let Some(x) = t.strip_prefix("- ").or_else(|| (t == "-").then_some("")) else {
                return (None, Style::Plain);
            };
            match scalar(strip_comment(x.trim())) {
                Some((s, _)) => list.push(s),
                None => return (None, Style::Plain),
            }
        }
        return (Some(Value::List(list)), Style::Block(indent));
    }
    if !continuation
        .iter()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return (None, Style::Plain);
    }
    if let Some(inner) = v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let mut list = Vec::new();
        for part in split_flow(inner) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match scalar(part) {
                Some((s, _)) => list.push(s),
                None => return (None, Style::Flow),
            }
        }
        return (Some(Value::List(list)), Style::Flow);
    }
    match scalar(v) {
        Some((s, style)) => (Some(s), style),
        None => (None, Style::Plain),
    }
}

fn split_flow(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// A scalar (plain, single- or double-quoted) and its style; `None` for block scalars, maps,
/// anchors and other syntax outside the subset.
fn scalar(v: &str) -> Option<(Value, Style)> {
    if let Some(inner) = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        return Some((Value::String(unescape_double(inner)), Style::Double));
    }
    if let Some(inner) = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        return Some((Value::String(inner.replace("''", "'")), Style::Single));
    }
    if v.starts_with(['|', '>', '&', '*', '!', '{', '[', '"', '\'', '%', '@', '`']) {
        return None;
    }
    let value = match v {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => match parse_number(v) {
            Some(n) => Value::Number(n),
            None => Value::String(v.to_string()),
        },
    };
    Some((value, Style::Plain))
}

fn parse_number(v: &str) -> Option<f64> {
    let digits = v.trim_start_matches(['-', '+']);
    let looks = !digits.is_empty()
        && digits.chars().next().is_some_and(|c| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && digits.matches('.').count() <= 1
        // Leading zeros (`007`) and dates (`2024-01-02`) are strings.
        && !(digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
        && !digits[1..].contains('-');
    if !looks {
        return None;
    }
    v.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn unescape_double(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('0') => out.push('\0'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string as YAML: plain when it reads back as the same string, else quoted.
fn string_scalar(s: &str, style: Style) -> String {
    match style {
        Style::Double => return double_quoted(s),
        Style::Single if !s.contains(['\n', '\r']) => {
            return format!("'{}'", s.replace('\'', "''"))
        }
        _ => {}
    }
    let plain_ok = !s.is_empty()
        && s.trim() == s
        && !s.contains(['\n', '\r', '\t'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && matches!(scalar(s), Some((Value::String(ref back), _)) if back == s);
    if plain_ok {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

fn scalar_text(v: &Value, style: Style) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) => string_scalar(s, style),
        Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| scalar_text(i, Style::Plain))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The lines for `key: value`, keeping the original key spelling and inline comment.
fn render_entry(old: &str, key: &str, value: &Value, style: Style, nl: &str) -> String {
    let first = old.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let key_text = match first.find(':') {
        Some(i) if !first.is_empty() => first[..i].to_string(),
        _ => key.to_string(),
    };
    let comment = first
        .find(':')
        .map(|i| &first[i + 1..])
        .and_then(|rest| {
            let stripped = strip_comment(rest.trim());
            let t = rest.trim();
            (t.len() > stripped.len()).then(|| t[stripped.len()..].trim().to_string())
        })
        .filter(|c| c.starts_with('#'));
    let mut out = match (value, style) {
        (Value::List(items), Style::Block(indent)) if !items.is_empty() => {
            let mut s = format!("{key_text}:");
            if let Some(c) = &comment {
                s.push(' ');
                s.push_str(c);
            }
            for item in items {
                s.push_str(nl);
                s.push_str(&" ".repeat(indent));
                s.push_str("- ");
                s.push_str(&scalar_text(item, Style::Plain));
            }
            s
        }
        (v, style) => {
            let text = scalar_text(v, style);
            let mut s = if text.is_empty() {
                format!("{key_text}:")
            } else {
                format!("{key_text}: {text}")
            };
            if let Some(c) = &comment {
                s.push(' ');
                s.push_str(c);
            }
            s
        }
    };
    out.push_str(nl);
    out
}

// ---------------------------------------------------------------------------------------------
// Properties

/// The Notion property types front matter maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyType {
    Title,
    RichText,
    Number,
    Checkbox,
    Select,
    MultiSelect,
    Status,
    Date,
    Url,
    Email,
    PhoneNumber,
    People,
    Relation,
    /// Read-only or unsupported types (formula, rollup, files, …): never written.
    Other(String),
}

impl PropertyType {
    /// From Notion's type name (`rich_text`, `multi_select`, …).
    pub fn from_api(name: &str) -> PropertyType {
        match name {
            "title" => PropertyType::Title,
            "rich_text" => PropertyType::RichText,
            "number" => PropertyType::Number,
            "checkbox" => PropertyType::Checkbox,
            "select" => PropertyType::Select,
            "multi_select" => PropertyType::MultiSelect,
            "status" => PropertyType::Status,
            "date" => PropertyType::Date,
            "url" => PropertyType::Url,
            "email" => PropertyType::Email,
            "phone_number" => PropertyType::PhoneNumber,
            "people" => PropertyType::People,
            "relation" => PropertyType::Relation,
            other => PropertyType::Other(other.to_string()),
        }
    }
}

/// A page's property schema: property name → type.
pub type Schema = BTreeMap<String, PropertyType>;

/// A typed property value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PropertyValue {
    Title(String),
    RichText(String),
    Number(Option<f64>),
    Checkbox(bool),
    Select(Option<String>),
    MultiSelect(Vec<String>),
    Status(Option<String>),
    /// ISO 8601 start and optional end.
    Date(Option<(String, Option<String>)>),
    Url(Option<String>),
    Email(Option<String>),
    PhoneNumber(Option<String>),
    /// User ids.
    People(Vec<String>),
    /// Page ids.
    Relation(Vec<String>),
}

/// Property values by property name.
pub type Properties = BTreeMap<String, PropertyValue>;

impl PropertyValue {
    /// Converts a front matter value for a property of type `ty`.
    pub fn from_value(name: &str, ty: &PropertyType, v: &Value) -> Result<Self, EngineError> {
        let err = |reason: &str| EngineError::Property {
            name: name.to_string(),
            reason: reason.to_string(),
        };
        let text = || v.to_text();
        Ok(match ty {
            PropertyType::Title => PropertyValue::Title(text().unwrap_or_default()),
            PropertyType::RichText => PropertyValue::RichText(text().unwrap_or_default()),
            PropertyType::Number => PropertyValue::Number(match v {
                Value::Null => None,
                Value::Number(n) => Some(*n),
                Value::String(s) => Some(
                    s.trim()
                        .parse::<f64>()
                        .map_err(|_| err("expected a number"))?,
                ),
                _ => return Err(err("expected a number")),
            }),
            PropertyType::Checkbox => PropertyValue::Checkbox(match v {
                Value::Bool(b) => *b,
                Value::Null => false,
                Value::String(s) if s.eq_ignore_ascii_case("yes") => true,
                Value::String(s) if s.eq_ignore_ascii_case("no") => false,
                _ => return Err(err("expected true or false")),
            }),
            PropertyType::Select => PropertyValue::Select(text().filter(|t| !t.is_empty())),
            PropertyType::Status => PropertyValue::Status(text().filter(|t| !t.is_empty())),
            PropertyType::MultiSelect => PropertyValue::MultiSelect(v.to_list()),
            PropertyType::Date => PropertyValue::Date(match v {
                Value::Null => None,
                Value::List(items) => {
                    let l: Vec<String> = items.iter().filter_map(Value::to_text).collect();
                    match l.as_slice() {
                        [] => None,
                        [s] => Some((s.clone(), None)),
                        [s, e, ..] => Some((s.clone(), Some(e.clone()))),
                    }
                }
                other => {
                    let t = other.to_text().ok_or_else(|| err("expected a date"))?;
                    match t.split_once(" → ") {
                        Some((s, e)) => Some((s.trim().to_string(), Some(e.trim().to_string()))),
                        None => Some((t, None)),
                    }
                }
            }),
            PropertyType::Url => PropertyValue::Url(text().filter(|t| !t.is_empty())),
            PropertyType::Email => PropertyValue::Email(text().filter(|t| !t.is_empty())),
            PropertyType::PhoneNumber => {
                PropertyValue::PhoneNumber(text().filter(|t| !t.is_empty()))
            }
            PropertyType::People => PropertyValue::People(v.to_list()),
            PropertyType::Relation => PropertyValue::Relation(v.to_list()),
            PropertyType::Other(t) => return Err(err(&format!("`{t}` properties are read-only"))),
        })
    }

    /// The front matter value for this property.
    pub fn to_value(&self) -> Value {
        let opt = |o: &Option<String>| o.clone().map_or(Value::Null, Value::String);
        let list = |l: &Vec<String>| Value::List(l.iter().cloned().map(Value::String).collect());
        match self {
            PropertyValue::Title(s) | PropertyValue::RichText(s) => Value::String(s.clone()),
            PropertyValue::Number(n) => n.map_or(Value::Null, Value::Number),
            PropertyValue::Checkbox(b) => Value::Bool(*b),
            PropertyValue::Select(s)
            | PropertyValue::Status(s)
            | PropertyValue::Url(s)
            | PropertyValue::Email(s)
            | PropertyValue::PhoneNumber(s) => opt(s),
            PropertyValue::MultiSelect(l)
            | PropertyValue::People(l)
            | PropertyValue::Relation(l) => list(l),
            PropertyValue::Date(None) => Value::Null,
            PropertyValue::Date(Some((s, None))) => Value::String(s.clone()),
            PropertyValue::Date(Some((s, Some(e)))) => Value::String(format!("{s} → {e}")),
        }
    }

    /// The property value as the body of `PATCH /v1/pages/{id}` expects it
    /// (`{"select": {"name": "Done"}}`, …). Text is split into 2,000-character runs (G14).
    pub fn to_notion_json(&self) -> serde_json::Value {
        let rich = |s: &str| {
            let items: Vec<serde_json::Value> =
                crate::translate::limits::split_text(s, crate::translate::limits::MAX_TEXT_CHARS)
                    .into_iter()
                    .map(|p| json!({"type": "text", "text": {"content": p}}))
                    .collect();
            serde_json::Value::Array(items)
        };
        let name = |o: &Option<String>| match o {
            Some(n) => json!({ "name": n }),
            None => serde_json::Value::Null,
        };
        match self {
            PropertyValue::Title(s) => json!({ "title": rich(s) }),
            PropertyValue::RichText(s) => json!({ "rich_text": rich(s) }),
            PropertyValue::Number(n) => json!({ "number": n }),
            PropertyValue::Checkbox(b) => json!({ "checkbox": b }),
            PropertyValue::Select(s) => json!({ "select": name(s) }),
            PropertyValue::Status(s) => json!({ "status": name(s) }),
            PropertyValue::MultiSelect(l) => {
                json!({ "multi_select": l.iter().map(|n| json!({"name": n})).collect::<Vec<_>>() })
            }
            PropertyValue::Date(None) => json!({ "date": null }),
            PropertyValue::Date(Some((s, e))) => json!({ "date": {"start": s, "end": e} }),
            PropertyValue::Url(s) => json!({ "url": s }),
            PropertyValue::Email(s) => json!({ "email": s }),
            PropertyValue::PhoneNumber(s) => json!({ "phone_number": s }),
            PropertyValue::People(l) => {
                json!({ "people": l.iter().map(|id| json!({"object": "user", "id": id})).collect::<Vec<_>>() })
            }
            PropertyValue::Relation(l) => {
                json!({ "relation": l.iter().map(|id| json!({"id": id})).collect::<Vec<_>>() })
            }
        }
    }

    /// Reads a property value from Notion's page JSON (`page.properties[name]`).
    pub fn from_notion_json(v: &serde_json::Value) -> Option<PropertyValue> {
        let ty = v.get("type")?.as_str()?;
        let inner = v.get(ty)?;
        let plain = |arr: &serde_json::Value| -> String {
            arr.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|i| {
                            i.get("plain_text")
                                .or_else(|| i.get("text").and_then(|t| t.get("content")))
                                .and_then(|s| s.as_str())
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let name = |o: &serde_json::Value| o.get("name").and_then(|n| n.as_str()).map(String::from);
        let ids = |arr: &serde_json::Value| -> Vec<String> {
            arr.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|i| i.get("id").and_then(|s| s.as_str()).map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(match ty {
            "title" => PropertyValue::Title(plain(inner)),
            "rich_text" => PropertyValue::RichText(plain(inner)),
            "number" => PropertyValue::Number(inner.as_f64()),
            "checkbox" => PropertyValue::Checkbox(inner.as_bool().unwrap_or(false)),
            "select" => PropertyValue::Select(name(inner)),
            "status" => PropertyValue::Status(name(inner)),
            "multi_select" => PropertyValue::MultiSelect(
                inner
                    .as_array()
                    .map(|a| a.iter().filter_map(name).collect())
                    .unwrap_or_default(),
            ),
            "date" => PropertyValue::Date(inner.get("start").and_then(|s| s.as_str()).map(|s| {
                (
                    s.to_string(),
                    inner.get("end").and_then(|e| e.as_str()).map(String::from),
                )
            })),
            "url" => PropertyValue::Url(inner.as_str().map(String::from)),
            "email" => PropertyValue::Email(inner.as_str().map(String::from)),
            "phone_number" => PropertyValue::PhoneNumber(inner.as_str().map(String::from)),
            "people" => PropertyValue::People(ids(inner)),
            "relation" => PropertyValue::Relation(ids(inner)),
            _ => return None,
        })
    }
}

/// The properties front matter sets, typed by `schema`. Keys the schema does not know are
/// not properties (they stay in the file only). The `title` key sets the title property.
pub fn properties(fm: &FrontMatter, schema: &Schema) -> Result<Properties, EngineError> {
    let mut out = Properties::new();
    let title_prop = schema
        .iter()
        .find(|(_, t)| **t == PropertyType::Title)
        .map(|(n, _)| n.clone());
    for e in &fm.entries {
        let Some(value) = &e.value else { continue };
        let (name, ty) = match schema.get(&e.key) {
            Some(ty) => (e.key.clone(), ty.clone()),
            None if e.key == "title" => match &title_prop {
                Some(n) => (n.clone(), PropertyType::Title),
                None => continue,
            },
            None => continue,
        };
        if matches!(ty, PropertyType::Other(_)) {
            continue;
        }
        out.insert(name.clone(), PropertyValue::from_value(&name, &ty, value)?);
    }
    Ok(out)
}

/// Writes `props` into the front matter, changing only the keys whose value differs. Keys not
/// present are added at the end; other keys, comments and order are kept.
pub fn apply_properties(fm: &mut FrontMatter, props: &Properties, schema: &Schema) {
    for (name, value) in props {
        let key = if matches!(schema.get(name), Some(PropertyType::Title))
            && fm.get(name).is_none()
            && fm.get("title").is_some()
        {
            "title".to_string()
        } else {
            name.clone()
        };
        let current = fm.get(&key).cloned();
        let same = current
            .as_ref()
            .and_then(|c| PropertyValue::from_value(name, &property_type(value), c).ok())
            .is_some_and(|c| c == *value);
        if !same {
            fm.set(&key, &value.to_value());
        }
    }
}

fn property_type(v: &PropertyValue) -> PropertyType {
    match v {
        PropertyValue::Title(_) => PropertyType::Title,
        PropertyValue::RichText(_) => PropertyType::RichText,
        PropertyValue::Number(_) => PropertyType::Number,
        PropertyValue::Checkbox(_) => PropertyType::Checkbox,
        PropertyValue::Select(_) => PropertyType::Select,
        PropertyValue::MultiSelect(_) => PropertyType::MultiSelect,
        PropertyValue::Status(_) => PropertyType::Status,
        PropertyValue::Date(_) => PropertyType::Date,
        PropertyValue::Url(_) => PropertyType::Url,
        PropertyValue::Email(_) => PropertyType::Email,
        PropertyValue::PhoneNumber(_) => PropertyType::PhoneNumber,
        PropertyValue::People(_) => PropertyType::People,
        PropertyValue::Relation(_) => PropertyType::Relation,
    }
}

/// Checks that front matter text is well-formed enough to sync (closed, entries readable).
pub fn validate(raw: &str) -> Result<(), EngineError> {
    if extent(raw).is_none() {
        return Err(EngineError::FrontMatter(
            "the front matter is not closed by a `---` line".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FM: &str = "---\r\n# a comment\r\ntitle: \"My Page\"\r\nstatus: Draft  # keep me\r\ntags:\r\n  - a\r\n  - b\r\ncustom: {x: 1}\r\nestimate: 3\r\ndone: false\r\ndue: 2024-05-01\r\n---\r\n";

    fn schema() -> Schema {
        [
            ("Name", PropertyType::Title),
            ("status", PropertyType::Status),
            ("tags", PropertyType::MultiSelect),
            ("estimate", PropertyType::Number),
            ("done", PropertyType::Checkbox),
            ("due", PropertyType::Date),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    #[test]
    fn reads_typed_properties() {
        assert_eq!(extent(FM), Some(FM.len()));
        let fm = FrontMatter::parse(FM);
        assert_eq!(fm.title().as_deref(), Some("My Page"));
        assert_eq!(fm.render(), FM);
        let props = properties(&fm, &schema()).unwrap();
        assert_eq!(props["Name"], PropertyValue::Title("My Page".into()));
        assert_eq!(props["status"], PropertyValue::Status(Some("Draft".into())));
        assert_eq!(
            props["tags"],
            PropertyValue::MultiSelect(vec!["a".into(), "b".into()])
        );
        assert_eq!(props["estimate"], PropertyValue::Number(Some(3.0)));
        assert_eq!(props["done"], PropertyValue::Checkbox(false));
        assert_eq!(
            props["due"],
            PropertyValue::Date(Some(("2024-05-01".into(), None)))
        );
        assert!(!props.contains_key("custom"));
    }

    #[test]
    fn writes_only_changed_keys_in_their_style() {
        let mut fm = FrontMatter::parse(FM);
        let mut props = properties(&fm, &schema()).unwrap();
        props.insert("status".into(), PropertyValue::Status(Some("Done".into())));
        props.insert(
            "tags".into(),
            PropertyValue::MultiSelect(vec!["a".into(), "c: d".into()]),
        );
        props.insert("Name".into(), PropertyValue::Title("New \"title\"".into()));
        props.insert("owner".into(), PropertyValue::People(vec!["u1".into()]));
        let mut schema = schema();
        schema.insert("owner".into(), PropertyType::People);
        apply_properties(&mut fm, &props, &schema);
        assert_eq!(
            fm.render(),
            "---\r\n# a comment\r\ntitle: \"New \\\"title\\\"\"\r\nstatus: Done # keep me\r\ntags:\r\n  - a\r\n  - \"c: d\"\r\ncustom: {x: 1}\r\nestimate: 3\r\ndone: false\r\ndue: 2024-05-01\r\nowner: [u1]\r\n---\r\n"
        );
        let again = properties(&FrontMatter::parse(&fm.render()), &schema).unwrap();
        assert_eq!(again, props);
    }

    #[test]
    fn a_leading_thematic_break_is_not_front_matter() {
        assert_eq!(extent("---\n\nText.\n\n---\n"), None);
        assert_eq!(extent("---\n1. item\n---\n"), None);
        assert_eq!(extent("---\n---\nBody"), Some(8));
        let fm = "---\n# c\nk: v\n\nx: [1]\n---\n";
        assert_eq!(extent(fm), Some(fm.len()));
    }

    #[test]
    fn json_shapes() {
        assert_eq!(
            PropertyValue::Select(Some("A".into())).to_notion_json(),
            json!({"select": {"name": "A"}})
        );
        let v = json!({"id": "x", "type": "multi_select", "multi_select": [{"name": "a"}]});
        assert_eq!(
            PropertyValue::from_notion_json(&v),
            Some(PropertyValue::MultiSelect(vec!["a".into()]))
        );
    }
}
