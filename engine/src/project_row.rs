//! `repl_project_row` mappings: the Repl itself as one row of a "Projects" database
//! (Replit → Notion only).
//!
//! Pure decisions for the relay: the properties a new Projects database gets ([`SCHEMA`]), the
//! values a Repl gives them ([`values`]), those values fitted to the data source's actual types
//! ([`fit`], for a database the user made) and the properties a sync must write ([`changes`]):
//! only the ones whose value differs from the row's, so a sync where nothing changed writes
//! nothing. `Last sync` is written along with a change, never on its own (it would make every
//! sync a write).

use std::collections::BTreeMap;

use protocol::session::ReplProject;

use crate::frontmatter::{Properties, PropertyValue};
use crate::translate::limits::{MAX_ITEMS, MAX_TEXT_CHARS};

pub const TITLE: &str = "Title";
pub const DESCRIPTION: &str = "Description";
pub const URL: &str = "URL";
pub const VISIBILITY: &str = "Visibility";
pub const CREATED: &str = "Created";
pub const OWNER: &str = "Owner";
pub const LANGUAGES: &str = "Languages";
pub const FILE_COUNT: &str = "File count";
pub const LAST_SYNC: &str = "Last sync";
/// The row's key: a sync finds its row again by this property (never by title).
pub const REPL_ID: &str = "Repl ID";

/// The properties of a Projects database the relay creates, with their Notion types.
pub const SCHEMA: &[(&str, &str)] = &[
    (TITLE, "title"),
    (DESCRIPTION, "rich_text"),
    (URL, "url"),
    (VISIBILITY, "select"),
    (CREATED, "date"),
    (OWNER, "rich_text"),
    (LANGUAGES, "multi_select"),
    (FILE_COUNT, "number"),
    (LAST_SYNC, "date"),
    (REPL_ID, "rich_text"),
];

/// Text cut to what one rich-text property of ours holds (a single run: Notion's limit).
fn text(s: &str) -> String {
    s.chars().take(MAX_TEXT_CHARS).collect()
}

/// The row's values for a Repl (`Last sync` excepted: see [`changes`]).
pub fn values(p: &ReplProject) -> Properties {
    let mut out = Properties::new();
    out.insert(TITLE.into(), PropertyValue::Title(text(p.title.trim())));
    out.insert(
        DESCRIPTION.into(),
        PropertyValue::RichText(text(p.description.trim())),
    );
    let url = p.url.trim();
    out.insert(
        URL.into(),
        PropertyValue::Url((!url.is_empty()).then(|| url.to_string())),
    );
    out.insert(
        VISIBILITY.into(),
        PropertyValue::Select(Some(if p.is_private { "Private" } else { "Public" }.into())),
    );
    let created = p
        .created_at
        .as_deref()
        .map(str::trim)
        .filter(|s| looks_like_iso_date(s));
    out.insert(
        CREATED.into(),
        PropertyValue::Date(created.map(|s| (s.to_string(), None))),
    );
    out.insert(
        OWNER.into(),
        PropertyValue::RichText(text(p.owner.as_deref().unwrap_or_default().trim())),
    );
    // Option names cannot hold commas; duplicates would be one option anyway.
    let mut languages: Vec<String> = p
        .languages
        .iter()
        .map(|l| {
            l.replace(',', " ")
                .trim()
                .chars()
                .take(100)
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .collect();
    languages.sort();
    languages.dedup();
    languages.truncate(MAX_ITEMS);
    out.insert(LANGUAGES.into(), PropertyValue::MultiSelect(languages));
    out.insert(
        FILE_COUNT.into(),
        PropertyValue::Number(Some(f64::from(p.file_count))),
    );
    out.insert(
        REPL_ID.into(),
        PropertyValue::RichText(text(p.repl_id.trim())),
    );
    out
}

/// `YYYY-MM-DD`, optionally followed by a time: what Notion's date property takes.
fn looks_like_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && (b.len() == 10 || b[10] == b'T')
}

/// Values fitted to a data source's schema (property name → Notion type name): the title goes
/// to whichever property is the title; a property the data source lacks is left out; one of
/// another type gets the value in that type when it has a faithful form (text, a select, a
/// list), and is left out otherwise.
pub fn fit(values: &Properties, schema: &BTreeMap<String, String>) -> Properties {
    let mut out = Properties::new();
    for (name, value) in values {
        let target = if matches!(value, PropertyValue::Title(_)) {
            schema
                .iter()
                .find(|(_, ty)| ty.as_str() == "title")
                .map(|(n, _)| n.clone())
        } else {
            schema.contains_key(name).then(|| name.clone())
        };
        let Some(target) = target else {
            continue;
        };
        let Some(ty) = schema.get(&target) else {
            continue;
        };
        if let Some(v) = convert(value, ty) {
            out.insert(target, v);
        }
    }
    out
}

fn as_text(v: &PropertyValue) -> Option<String> {
    Some(match v {
        PropertyValue::Title(s) | PropertyValue::RichText(s) => s.clone(),
        PropertyValue::Url(s) | PropertyValue::Select(s) => s.clone().unwrap_or_default(),
        PropertyValue::Number(n) => n.map(|n| n.to_string()).unwrap_or_default(),
        PropertyValue::MultiSelect(l) => l.join(", "),
        PropertyValue::Date(d) => d.as_ref().map(|(s, _)| s.clone()).unwrap_or_default(),
        _ => return None,
    })
}

fn convert(v: &PropertyValue, ty: &str) -> Option<PropertyValue> {
    let same = matches!(
        (v, ty),
        (PropertyValue::Title(_), "title")
            | (PropertyValue::RichText(_), "rich_text")
            | (PropertyValue::Url(_), "url")
            | (PropertyValue::Select(_), "select")
            | (PropertyValue::Date(_), "date")
            | (PropertyValue::MultiSelect(_), "multi_select")
            | (PropertyValue::Number(_), "number")
    );
    if same {
        return Some(v.clone());
    }
    let t = as_text(v)?;
    Some(match ty {
        "title" => PropertyValue::Title(text(&t)),
        "rich_text" => PropertyValue::RichText(text(&t)),
        "select" => PropertyValue::Select((!t.is_empty()).then(|| t.replace(',', " "))),
        "multi_select" => match v {
            PropertyValue::MultiSelect(l) => PropertyValue::MultiSelect(l.clone()),
            _ if t.is_empty() => PropertyValue::MultiSelect(Vec::new()),
            _ => PropertyValue::MultiSelect(vec![t.replace(',', " ")]),
        },
        "url" if t.contains("://") => PropertyValue::Url(Some(t)),
        _ => return None,
    })
}

/// Two values the same for the row: Notion's own spelling of a date or an order of options is
/// not a change.
fn same(a: &PropertyValue, b: &PropertyValue) -> bool {
    match (a, b) {
        (PropertyValue::Date(x), PropertyValue::Date(y)) => {
            x.as_ref().map(|(s, _)| canonical_date(s)) == y.as_ref().map(|(s, _)| canonical_date(s))
        }
        (PropertyValue::MultiSelect(x), PropertyValue::MultiSelect(y)) => {
            let (mut x, mut y) = (x.clone(), y.clone());
            x.sort();
            y.sort();
            x == y
        }
        (PropertyValue::Url(x), PropertyValue::Url(y)) => {
            x.as_deref().unwrap_or_default() == y.as_deref().unwrap_or_default()
        }
        (PropertyValue::Select(x), PropertyValue::Select(y)) => {
            x.as_deref().unwrap_or_default() == y.as_deref().unwrap_or_default()
        }
        _ => a == b,
    }
}

/// `2024-05-01T10:00:00.000+00:00` and `2024-05-01T10:00:00Z` are the same instant as Notion
/// spells them.
fn canonical_date(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_suffix("+00:00")
        .map(|x| format!("{x}Z"))
        .unwrap_or_else(|| s.to_string());
    s.replace(".000Z", "Z")
}

/// The properties to write: those of `desired` whose value differs from the row's `current`
/// one, plus `last_sync` (when the data source has `Last sync`) if anything else changed.
pub fn changes(
    desired: &Properties,
    current: &Properties,
    schema: &BTreeMap<String, String>,
    last_sync: &str,
) -> Properties {
    let mut out: Properties = desired
        .iter()
        .filter(|(name, value)| current.get(*name).is_none_or(|c| !same(value, c)))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    if !out.is_empty() && schema.get(LAST_SYNC).map(String::as_str) == Some("date") {
        out.insert(
            LAST_SYNC.into(),
            PropertyValue::Date(Some((last_sync.to_string(), None))),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> ReplProject {
        ReplProject {
            repl_id: "repl-1".into(),
            title: "Demo".into(),
            description: "A demo".into(),
            url: "https://replit.com/@ada/demo".into(),
            is_private: true,
            created_at: Some("2024-05-01T10:00:00.000Z".into()),
            owner: Some("ada".into()),
            languages: vec!["rust".into(), "python, 3".into(), "rust".into()],
            file_count: 12,
        }
    }

    fn schema() -> BTreeMap<String, String> {
        SCHEMA
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn values_are_typed_and_clean() {
        let v = values(&project());
        assert_eq!(v[VISIBILITY], PropertyValue::Select(Some("Private".into())));
        assert_eq!(
            v[LANGUAGES],
            PropertyValue::MultiSelect(vec!["python  3".into(), "rust".into()])
        );
        assert_eq!(v[FILE_COUNT], PropertyValue::Number(Some(12.0)));
        let bad = ReplProject {
            created_at: Some("last tuesday".into()),
            ..project()
        };
        assert_eq!(values(&bad)[CREATED], PropertyValue::Date(None));
        assert_eq!(fit(&v, &schema()), v, "our own schema takes every value");
    }

    #[test]
    fn only_changed_values_are_written_with_last_sync() {
        let s = schema();
        let desired = fit(&values(&project()), &s);
        let mut current = desired.clone();
        // Notion's spelling of the same date, and options in another order, are no change.
        current.insert(
            CREATED.into(),
            PropertyValue::Date(Some(("2024-05-01T10:00:00+00:00".into(), None))),
        );
        current.insert(
            LANGUAGES.into(),
            PropertyValue::MultiSelect(vec!["rust".into(), "python  3".into()]),
        );
        assert!(changes(&desired, &current, &s, "2026-01-01T00:00:00Z").is_empty());
        current.insert(DESCRIPTION.into(), PropertyValue::RichText("old".into()));
        let c = changes(&desired, &current, &s, "2026-01-01T00:00:00Z");
        assert_eq!(c.len(), 2);
        assert_eq!(c[DESCRIPTION], PropertyValue::RichText("A demo".into()));
        assert!(c.contains_key(LAST_SYNC));
    }

    #[test]
    fn a_users_database_gets_values_in_its_own_types() {
        let mut s = BTreeMap::new();
        s.insert("Name".to_string(), "title".to_string());
        s.insert(REPL_ID.to_string(), "rich_text".to_string());
        s.insert(LANGUAGES.to_string(), "rich_text".to_string());
        s.insert(FILE_COUNT.to_string(), "checkbox".to_string());
        let f = fit(&values(&project()), &s);
        assert_eq!(f["Name"], PropertyValue::Title("Demo".into()));
        assert_eq!(
            f[LANGUAGES],
            PropertyValue::RichText("python  3, rust".into())
        );
        assert!(
            !f.contains_key(FILE_COUNT),
            "no faithful checkbox for a count"
        );
        assert!(!f.contains_key(DESCRIPTION), "absent from the data source");
        assert_eq!(f.len(), 3);
    }
}
