//! Data-source queries: filters (`and`/`or` up to two levels, property and timestamp
//! conditions) and sorts, evaluated over a data source's rows. Filters and sorts are read with
//! the `notion` crate's models, so the client and the emulator share their definition.

use std::cmp::Ordering;

use notion::{
    CheckboxCondition, ContainsCondition, DateCondition, EmptinessCondition, Filter,
    NumberCondition, PropertyCondition, PropertyConfig, PropertyValueKind, SelectCondition, Sort,
    SortDirection, TextCondition, TimestampKind,
};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::errors::{ApiError, ApiResult};
use crate::objects::{DataSourceRecord, SchemaProperty};
use crate::properties;
use crate::state::{PageRecord, Store};
use crate::time::Clock;

/// Notion allows compound filters nested two levels deep.
const MAX_FILTER_DEPTH: usize = 2;

/// A checked query body.
pub struct Query {
    pub filter: Option<Filter>,
    pub sorts: Vec<Sort>,
    pub start_cursor: Option<String>,
    pub page_size: usize,
    pub in_trash: bool,
}

/// Reads and checks a query body (filter shape and depth, sorts, pagination).
pub fn parse(body: &Value) -> ApiResult<Query> {
    let obj = body.as_object().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: body should be an object, instead was `{body}`."
        ))
    })?;
    let filter = match obj.get("filter").filter(|v| !v.is_null()) {
        None => None,
        Some(f) => {
            let filter: Filter = serde_json::from_value(f.clone()).map_err(|e| {
                ApiError::validation(format!("body failed validation: body.filter: {e}"))
            })?;
            if filter.depth() > MAX_FILTER_DEPTH {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.filter nests compound filters more than {MAX_FILTER_DEPTH} levels deep."
                )));
            }
            Some(filter)
        }
    };
    let sorts = match obj.get("sorts").filter(|v| !v.is_null()) {
        None => Vec::new(),
        Some(s) => serde_json::from_value(s.clone()).map_err(|e| {
            ApiError::validation(format!("body failed validation: body.sorts: {e}"))
        })?,
    };
    let start_cursor = match obj.get("start_cursor") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(ApiError::validation(format!(
            "body failed validation: body.start_cursor should be a string, instead was `{other}`."
        )))
        }
    };
    let in_trash = matches!(
        obj.get("in_trash").or_else(|| obj.get("archived")),
        Some(Value::Bool(true))
    );
    if let Some(rt) = obj.get("result_type").and_then(Value::as_str) {
        if !matches!(rt, "page" | "data_source") {
            return Err(ApiError::validation(format!(
                "body failed validation: body.result_type should be `page` or `data_source`, instead was `{rt}`."
            )));
        }
    }
    Ok(Query {
        filter,
        sorts,
        start_cursor,
        page_size: crate::paging::page_size_field(obj.get("page_size"), "body.page_size")?,
        in_trash,
    })
}

/// Rows matching `query`, in sort order.
pub fn rows<'s>(
    store: &'s Store,
    ds: &DataSourceRecord,
    clock: &Clock,
    query: &Query,
) -> ApiResult<Vec<&'s PageRecord>> {
    let cx = Eval {
        store,
        ds,
        clock,
        now: clock.now(),
    };
    // Check every property the filter and sorts name, even if no row would reach them.
    if let Some(f) = &query.filter {
        cx.check_filter(f)?;
    }
    for s in &query.sorts {
        if let Sort::Property { property, .. } = s {
            cx.property(property)?;
        }
    }
    let mut out = Vec::new();
    for row in store.rows_of(ds.id) {
        if row.in_trash != query.in_trash {
            continue;
        }
        if let Some(f) = &query.filter {
            if !cx.matches(f, row)? {
                continue;
            }
        }
        out.push(row);
    }
    let mut keyed: Vec<(Vec<Key>, &PageRecord)> = out
        .into_iter()
        .map(|r| (query.sorts.iter().map(|s| cx.sort_key(s, r)).collect(), r))
        .collect();
    keyed.sort_by(|(ka, ra), (kb, rb)| {
        for (i, s) in query.sorts.iter().enumerate() {
            let dir = match s {
                Sort::Property { direction, .. } | Sort::Timestamp { direction, .. } => *direction,
            };
            let ord = compare_keys(&ka[i], &kb[i], dir);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        ra.seq.cmp(&rb.seq)
    });
    Ok(keyed.into_iter().map(|(_, r)| r).collect())
}

/// A sort key; empty values sort last in both directions.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Text(String),
    Empty,
}

fn compare_keys(a: &Key, b: &Key, dir: SortDirection) -> Ordering {
    match (a, b) {
        (Key::Empty, Key::Empty) => Ordering::Equal,
        (Key::Empty, _) => Ordering::Greater,
        (_, Key::Empty) => Ordering::Less,
        _ => {
            let ord = a.partial_cmp(b).unwrap_or(Ordering::Equal);
            match dir {
                SortDirection::Ascending => ord,
                SortDirection::Descending => ord.reverse(),
            }
        }
    }
}

struct Eval<'a> {
    store: &'a Store,
    ds: &'a DataSourceRecord,
    clock: &'a Clock,
    now: OffsetDateTime,
}

/// Which condition types apply to which property types.
fn condition_fits(condition: &PropertyCondition, config: &PropertyConfig) -> bool {
    use PropertyCondition as C;
    use PropertyConfig as P;
    matches!(
        (condition, config),
        (C::Title(_), P::Title(_))
            | (C::RichText(_), P::RichText(_))
            | (C::Url(_), P::Url(_))
            | (C::Email(_), P::Email(_))
            | (C::PhoneNumber(_), P::PhoneNumber(_))
            | (C::Number(_), P::Number(_))
            | (C::UniqueId(_), P::UniqueId(_))
            | (C::Checkbox(_), P::Checkbox(_))
            | (C::Select(_), P::Select(_))
            | (C::Status(_), P::Status(_))
            | (C::MultiSelect(_), P::MultiSelect(_))
            | (
                C::People(_),
                P::People(_) | P::CreatedBy(_) | P::LastEditedBy(_)
            )
            | (C::Relation(_), P::Relation(_))
            | (C::Date(_), P::Date(_))
            | (C::CreatedTime(_) | C::Date(_), P::CreatedTime(_))
            | (C::LastEditedTime(_) | C::Date(_), P::LastEditedTime(_))
            | (C::Files(_), P::Files(_))
    )
}

impl Eval<'_> {
    fn property(&self, key: &str) -> ApiResult<&SchemaProperty> {
        self.ds.property(key).ok_or_else(|| {
            ApiError::validation(format!("Could not find property with name or id: {key}"))
        })
    }

    fn check_filter(&self, f: &Filter) -> ApiResult<()> {
        match f {
            Filter::And(fs) | Filter::Or(fs) => fs.iter().try_for_each(|f| self.check_filter(f)),
            Filter::Timestamp { .. } => Ok(()),
            Filter::Property {
                property,
                condition,
            } => {
                let prop = self.property(property)?;
                if let PropertyCondition::Other { type_name, .. } = condition {
                    return Err(ApiError::validation(format!(
                        "Filtering on `{type_name}` properties is not supported by the emulator."
                    )));
                }
                if !condition_fits(condition, &prop.config) {
                    return Err(ApiError::validation(format!(
                        "body failed validation: the filter on {} uses a `{}` condition, but the property is of type `{}`.",
                        prop.name,
                        condition.type_name(),
                        prop.config.type_name()
                    )));
                }
                Ok(())
            }
        }
    }

    fn matches(&self, f: &Filter, row: &PageRecord) -> ApiResult<bool> {
        Ok(match f {
            Filter::And(fs) => {
                for f in fs {
                    if !self.matches(f, row)? {
                        return Ok(false);
                    }
                }
                true
            }
            Filter::Or(fs) => {
                for f in fs {
                    if self.matches(f, row)? {
                        return Ok(true);
                    }
                }
                false
            }
            Filter::Timestamp {
                timestamp,
                condition,
            } => {
                let at = match timestamp {
                    TimestampKind::CreatedTime => row.created_time,
                    TimestampKind::LastEditedTime => row.last_edited_time,
                };
                self.date(condition, Some(self.clock.floor(at)), None)?
            }
            Filter::Property {
                property,
                condition,
            } => {
                let prop = self.property(property)?;
                let value = properties::value_of(self.store, row, self.ds, prop, self.clock);
                self.condition(condition, &value)?
            }
        })
    }

    fn condition(
        &self,
        condition: &PropertyCondition,
        value: &PropertyValueKind,
    ) -> ApiResult<bool> {
        use PropertyCondition as C;
        use PropertyValueKind as V;
        Ok(match (condition, value) {
            (C::Title(c) | C::RichText(c), V::Title(t) | V::RichText(t)) => {
                text(c, &notion::plain_text(t))
            }
            (C::Url(c), V::Url(s))
            | (C::Email(c), V::Email(s))
            | (C::PhoneNumber(c), V::PhoneNumber(s)) => text(c, s.as_deref().unwrap_or("")),
            (C::Number(c), V::Number(n)) => number(c, *n),
            (C::UniqueId(c), V::UniqueId(u)) => number(c, u.number.map(|n| n as f64)),
            (C::Checkbox(c), V::Checkbox(b)) => match c {
                CheckboxCondition::Equals(x) => b == x,
                CheckboxCondition::DoesNotEqual(x) => b != x,
            },
            (C::Select(c), V::Select(o)) | (C::Status(c), V::Status(o)) => {
                let name = o.as_ref().map(|o| o.name.as_str());
                match c {
                    SelectCondition::Equals(x) => name == Some(x.as_str()),
                    SelectCondition::DoesNotEqual(x) => name != Some(x.as_str()),
                    SelectCondition::IsEmpty(_) => name.is_none(),
                    SelectCondition::IsNotEmpty(_) => name.is_some(),
                }
            }
            (C::MultiSelect(c), V::MultiSelect(list)) => {
                contains(c, &list.iter().map(|o| o.name.clone()).collect::<Vec<_>>())
            }
            (C::People(c), V::People(list)) => {
                contains(c, &list.iter().map(|u| u.id.clone()).collect::<Vec<_>>())
            }
            (C::People(c), V::CreatedBy(u) | V::LastEditedBy(u)) => {
                contains(c, std::slice::from_ref(&u.id))
            }
            (C::Relation(c), V::Relation(list)) => {
                contains(c, &list.iter().map(|r| r.id.clone()).collect::<Vec<_>>())
            }
            (C::Date(c), V::Date(d)) => {
                let start = d.as_ref().and_then(|d| parse_instant(&d.start));
                let end = d
                    .as_ref()
                    .and_then(|d| d.end.as_deref())
                    .and_then(parse_instant);
                self.date(c, start, end)?
            }
            (
                C::Date(c) | C::CreatedTime(c) | C::LastEditedTime(c),
                V::CreatedTime(t) | V::LastEditedTime(t),
            ) => self.date(c, Some(t.as_offset_date_time()), None)?,
            (C::Files(c), V::Files(files)) => match c {
                EmptinessCondition::IsEmpty(_) => files.is_empty(),
                EmptinessCondition::IsNotEmpty(_) => !files.is_empty(),
            },
            _ => false,
        })
    }

    /// A date condition against a value (a range matches `equals` on any of its days).
    fn date(
        &self,
        c: &DateCondition,
        start: Option<OffsetDateTime>,
        end: Option<OffsetDateTime>,
    ) -> ApiResult<bool> {
        let Some(v) = start else {
            return Ok(matches!(c, DateCondition::IsEmpty(_)));
        };
        let last = end.unwrap_or(v);
        let operand = |s: &str| self.operand(s);
        let day = Duration::days(1);
        Ok(match c {
            DateCondition::IsEmpty(_) => false,
            DateCondition::IsNotEmpty(_) => true,
            DateCondition::Equals(s) => {
                let (at, whole_day) = operand(s)?;
                if whole_day {
                    v < at + day && last >= at
                } else {
                    v == at
                }
            }
            DateCondition::Before(s) => v < operand(s)?.0,
            DateCondition::OnOrBefore(s) => {
                let (at, whole_day) = operand(s)?;
                if whole_day {
                    v < at + day
                } else {
                    v <= at
                }
            }
            DateCondition::After(s) => {
                let (at, whole_day) = operand(s)?;
                if whole_day {
                    v >= at + day
                } else {
                    v > at
                }
            }
            DateCondition::OnOrAfter(s) => v >= operand(s)?.0,
            DateCondition::PastWeek(_) => v >= self.now - Duration::weeks(1) && v <= self.now,
            DateCondition::PastMonth(_) => v >= self.now - Duration::days(30) && v <= self.now,
            DateCondition::PastYear(_) => v >= self.now - Duration::days(365) && v <= self.now,
            DateCondition::NextWeek(_) => v > self.now && v <= self.now + Duration::weeks(1),
            DateCondition::NextMonth(_) => v > self.now && v <= self.now + Duration::days(30),
            DateCondition::NextYear(_) => v > self.now && v <= self.now + Duration::days(365),
            DateCondition::ThisWeek(_) => {
                let (y, w, _) = self.now.to_iso_week_date();
                let (vy, vw, _) = v.to_iso_week_date();
                (y, w) == (vy, vw)
            }
        })
    }

    /// An operand: `(instant, is a whole day)`. ISO dates and date-times, or relative values.
    fn operand(&self, s: &str) -> ApiResult<(OffsetDateTime, bool)> {
        let today = self.now.replace_time(time::Time::MIDNIGHT);
        let relative = match s {
            "today" => Some(today),
            "tomorrow" => Some(today + Duration::days(1)),
            "yesterday" => Some(today - Duration::days(1)),
            "one_week_ago" => Some(today - Duration::weeks(1)),
            "one_week_from_now" => Some(today + Duration::weeks(1)),
            "one_month_ago" => Some(today - Duration::days(30)),
            "one_month_from_now" => Some(today + Duration::days(30)),
            _ => None,
        };
        if let Some(at) = relative {
            return Ok((at, true));
        }
        let whole_day = s.len() == 10;
        parse_instant(s).map(|at| (at, whole_day)).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: `{s}` is not an ISO 8601 date or date-time."
            ))
        })
    }

    fn sort_key(&self, sort: &Sort, row: &PageRecord) -> Key {
        let time = |t: OffsetDateTime| Key::Num(self.clock.floor(t).unix_timestamp_nanos() as f64);
        match sort {
            Sort::Timestamp { timestamp, .. } => match timestamp {
                TimestampKind::CreatedTime => time(row.created_time),
                TimestampKind::LastEditedTime => time(row.last_edited_time),
            },
            Sort::Property { property, .. } => {
                let Some(prop) = self.ds.property(property) else {
                    return Key::Empty;
                };
                let value = properties::value_of(self.store, row, self.ds, prop, self.clock);
                let position = |name: &str, options: &[notion::SchemaOption]| {
                    options
                        .iter()
                        .position(|o| o.name == name)
                        .map_or(Key::Empty, |i| Key::Num(i as f64))
                };
                match (&value, &prop.config) {
                    (PropertyValueKind::Title(t) | PropertyValueKind::RichText(t), _) => {
                        let s = notion::plain_text(t);
                        if s.is_empty() {
                            Key::Empty
                        } else {
                            Key::Text(s.to_lowercase())
                        }
                    }
                    (PropertyValueKind::Number(n), _) => n.map_or(Key::Empty, Key::Num),
                    (PropertyValueKind::Checkbox(b), _) => Key::Num(if *b { 1.0 } else { 0.0 }),
                    (PropertyValueKind::Select(Some(o)), PropertyConfig::Select(c)) => {
                        position(&o.name, &c.options)
                    }
                    (PropertyValueKind::Status(Some(o)), PropertyConfig::Status(c)) => {
                        position(&o.name, &c.options)
                    }
                    (PropertyValueKind::MultiSelect(list), _) => list
                        .first()
                        .map_or(Key::Empty, |o| Key::Text(o.name.to_lowercase())),
                    (PropertyValueKind::Date(Some(d)), _) => parse_instant(&d.start)
                        .map_or(Key::Empty, |t| Key::Num(t.unix_timestamp_nanos() as f64)),
                    (
                        PropertyValueKind::CreatedTime(t) | PropertyValueKind::LastEditedTime(t),
                        _,
                    ) => Key::Num(t.as_offset_date_time().unix_timestamp_nanos() as f64),
                    (
                        PropertyValueKind::Url(Some(s))
                        | PropertyValueKind::Email(Some(s))
                        | PropertyValueKind::PhoneNumber(Some(s)),
                        _,
                    ) => Key::Text(s.to_lowercase()),
                    (PropertyValueKind::UniqueId(u), _) => {
                        u.number.map_or(Key::Empty, |n| Key::Num(n as f64))
                    }
                    _ => Key::Empty,
                }
            }
        }
    }
}

/// Text conditions: `equals` is exact, the others ignore case.
fn text(c: &TextCondition, s: &str) -> bool {
    let lower = s.to_lowercase();
    match c {
        TextCondition::Equals(x) => s == x,
        TextCondition::DoesNotEqual(x) => s != x,
        TextCondition::Contains(x) => lower.contains(&x.to_lowercase()),
        TextCondition::DoesNotContain(x) => !lower.contains(&x.to_lowercase()),
        TextCondition::StartsWith(x) => lower.starts_with(&x.to_lowercase()),
        TextCondition::EndsWith(x) => lower.ends_with(&x.to_lowercase()),
        TextCondition::IsEmpty(_) => s.is_empty(),
        TextCondition::IsNotEmpty(_) => !s.is_empty(),
    }
}

fn number(c: &NumberCondition, n: Option<f64>) -> bool {
    match (c, n) {
        (NumberCondition::IsEmpty(_), n) => n.is_none(),
        (NumberCondition::IsNotEmpty(_), n) => n.is_some(),
        (_, None) => matches!(c, NumberCondition::DoesNotEqual(_)),
        (NumberCondition::Equals(x), Some(n)) => n == *x,
        (NumberCondition::DoesNotEqual(x), Some(n)) => n != *x,
        (NumberCondition::GreaterThan(x), Some(n)) => n > *x,
        (NumberCondition::LessThan(x), Some(n)) => n < *x,
        (NumberCondition::GreaterThanOrEqualTo(x), Some(n)) => n >= *x,
        (NumberCondition::LessThanOrEqualTo(x), Some(n)) => n <= *x,
    }
}

fn contains(c: &ContainsCondition, items: &[String]) -> bool {
    let has = |x: &str| {
        let dashed = crate::ids::parse(x).map(crate::ids::dashed);
        items
            .iter()
            .any(|i| i == x || dashed.as_deref() == Some(i.as_str()))
    };
    match c {
        ContainsCondition::Contains(x) => has(x),
        ContainsCondition::DoesNotContain(x) => !has(x),
        ContainsCondition::IsEmpty(_) => items.is_empty(),
        ContainsCondition::IsNotEmpty(_) => !items.is_empty(),
    }
}

/// An ISO 8601 date (midnight UTC) or date-time (with offset, or UTC when it has none).
pub fn parse_instant(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let day_fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(s.get(..10)?, &day_fmt).ok()?;
    if s.len() == 10 {
        return Some(date.midnight().assume_utc());
    }
    let local = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute][optional [:[second][optional [.[subsecond]]]]]"
    );
    time::PrimitiveDateTime::parse(s, &local)
        .ok()
        .map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        assert!(parse_instant("2026-07-01").is_some());
        assert!(parse_instant("2026-07-01T10:00:00Z").is_some());
        assert!(parse_instant("2026-07-01T10:00").is_some());
        assert!(parse_instant("2026-07-01T10:00:00.000+02:00").is_some());
        assert!(parse_instant("July 1").is_none());
    }

    #[test]
    fn text_and_numbers() {
        assert!(text(&TextCondition::Contains("SPEC".into()), "the spec"));
        assert!(!text(&TextCondition::Equals("Spec".into()), "spec"));
        assert!(number(&NumberCondition::GreaterThan(2.0), Some(3.0)));
        assert!(number(&NumberCondition::IsEmpty(true), None));
        assert!(!number(&NumberCondition::Equals(1.0), None));
    }
}
