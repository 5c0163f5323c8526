//! Page property values: reading writes (`properties` of create and update page) against a
//! data source's schema, and showing values the way page objects and the property-item
//! endpoint do (computed values, the 25-reference cap, pagination).

use std::collections::BTreeMap;

use notion::{
    DateValue, IdRef, NamedFile, PropertyConfig, PropertyItem, PropertyItemList,
    PropertyItemListInfo, PropertyItemResponse, PropertyItemValue, PropertyValue,
    PropertyValueKind, RichTextContent, RichTextItem, SchemaOption, SelectOption, Timestamp,
    UniqueId, User,
};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::convert;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::objects::{DataSourceRecord, SchemaProperty};
use crate::schema;
use crate::state::{PageRecord, Store};
use crate::time::Clock;

/// References a page object shows per property before cutting (`has_more` on relations).
pub const PAGE_REFERENCE_CAP: usize = 25;
const MAX_ITEMS: usize = 100;
const MAX_URL: usize = 2000;
const MAX_SHORT: usize = 200;

/// The result of reading a `properties` write.
#[derive(Debug, Default)]
pub struct Writes {
    pub title: Option<Vec<RichTextItem>>,
    /// Values by property id.
    pub values: Vec<(String, PropertyValueKind)>,
    /// Select / multi-select options the write creates, by property id.
    pub new_options: Vec<(String, SchemaOption)>,
}

impl Writes {
    /// The property ids written (for `page.properties_updated`).
    pub fn property_ids(&self) -> Vec<String> {
        let mut out: Vec<String> = self.values.iter().map(|(id, _)| id.clone()).collect();
        if self.title.is_some() {
            out.insert(0, "title".into());
        }
        out
    }
}

fn bad(path: &str, what: &str) -> ApiError {
    ApiError::validation(format!("body failed validation: {path} {what}"))
}

/// Reads a `properties` object. `ds` is the row's data source; `None` for a plain page, which
/// only has `title`.
pub fn parse_writes(ds: Option<&DataSourceRecord>, props: &Value, path: &str) -> ApiResult<Writes> {
    let entries = props
        .as_object()
        .ok_or_else(|| bad(path, "should be an object."))?;
    let mut writes = Writes::default();
    for (key, value) in entries {
        let at = format!("{path}.{key}");
        let Some(ds) = ds else {
            if key != "title" {
                return Err(ApiError::validation(format!(
                    "{key} is not a property that exists. Pages that are not in a database only have a title property."
                )));
            }
            writes.title = Some(title_value(value, &at)?);
            continue;
        };
        let prop = ds
            .property(key)
            .ok_or_else(|| ApiError::validation(format!("{key} is not a property that exists.")))?;
        if prop.config.is_read_only() {
            return Err(ApiError::validation(format!(
                "{} is a read-only property ({}); its value cannot be set.",
                prop.name,
                prop.config.type_name()
            )));
        }
        if let PropertyConfig::Title(_) = prop.config {
            writes.title = Some(title_value(value, &at)?);
            continue;
        }
        let value = typed_payload(value, prop, &at)?;
        let kind = parse_value(prop, value, &at, &mut writes.new_options)?;
        writes.values.push((prop.id.clone(), kind));
    }
    Ok(writes)
}

/// `[rich text]` or `{"title": [rich text]}` (both accepted by Notion).
fn title_value(value: &Value, path: &str) -> ApiResult<Vec<RichTextItem>> {
    let items = match value {
        Value::Array(_) => value,
        Value::Object(o) => o.get("title").unwrap_or(&Value::Null),
        _ => &Value::Null,
    };
    convert::rich_text_from_request(items, &format!("{path}.title"))
}

/// The payload under the property's type key (`{"number": 3}` → `3`). A `type` key, if sent,
/// must match the schema.
fn typed_payload<'a>(value: &'a Value, prop: &SchemaProperty, path: &str) -> ApiResult<&'a Value> {
    let t = prop.config.type_name();
    let obj = value
        .as_object()
        .ok_or_else(|| bad(path, &format!("should be an object with a `{t}` key.")))?;
    if let Some(declared) = obj.get("type").and_then(Value::as_str) {
        if declared != t {
            return Err(ApiError::validation(format!(
                "{} is expected to be {t}.",
                prop.name
            )));
        }
    }
    obj.get(t)
        .ok_or_else(|| ApiError::validation(format!("{} is expected to be {t}.", prop.name)))
}

fn parse_value(
    prop: &SchemaProperty,
    value: &Value,
    path: &str,
    new_options: &mut Vec<(String, SchemaOption)>,
) -> ApiResult<PropertyValueKind> {
    let at = format!("{path}.{}", prop.config.type_name());
    Ok(match &prop.config {
        PropertyConfig::RichText(_) => {
            PropertyValueKind::RichText(convert::rich_text_from_request(value, &at)?)
        }
        PropertyConfig::Number(_) => match value {
            Value::Null => PropertyValueKind::Number(None),
            Value::Number(n) => PropertyValueKind::Number(n.as_f64()),
            _ => return Err(bad(&at, "should be a number or `null`.")),
        },
        PropertyConfig::Checkbox(_) => match value {
            Value::Bool(b) => PropertyValueKind::Checkbox(*b),
            _ => return Err(bad(&at, "should be a boolean.")),
        },
        PropertyConfig::Select(c) => {
            PropertyValueKind::Select(select_one(value, &c.options, prop, &at, true, new_options)?)
        }
        PropertyConfig::Status(c) => PropertyValueKind::Status(select_one(
            value,
            &c.options,
            prop,
            &at,
            false,
            new_options,
        )?),
        PropertyConfig::MultiSelect(c) => {
            let items = value
                .as_array()
                .ok_or_else(|| bad(&at, "should be an array."))?;
            if items.len() > MAX_ITEMS {
                return Err(bad(&at, &format!("length should be ≤ `{MAX_ITEMS}`.")));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let at = format!("{at}[{i}]");
                if let Some(o) = select_one(item, &c.options, prop, &at, true, new_options)? {
                    if !out.iter().any(|x: &SelectOption| x.name == o.name) {
                        out.push(o);
                    }
                }
            }
            PropertyValueKind::MultiSelect(out)
        }
        PropertyConfig::Date(_) => match value {
            Value::Null => PropertyValueKind::Date(None),
            v => {
                let d: DateValue = serde_json::from_value(v.clone())
                    .map_err(|_| bad(&at, "should be `{start, end?, time_zone?}` or `null`."))?;
                check_date(&d.start, &format!("{at}.start"))?;
                if let Some(end) = &d.end {
                    check_date(end, &format!("{at}.end"))?;
                }
                PropertyValueKind::Date(Some(d))
            }
        },
        PropertyConfig::Url(_) => PropertyValueKind::Url(short_string(value, &at, MAX_URL)?),
        PropertyConfig::Email(_) => PropertyValueKind::Email(short_string(value, &at, MAX_SHORT)?),
        PropertyConfig::PhoneNumber(_) => {
            PropertyValueKind::PhoneNumber(short_string(value, &at, MAX_SHORT)?)
        }
        PropertyConfig::Relation(_) => PropertyValueKind::Relation(
            id_list(value, &at)?
                .into_iter()
                .map(|id| IdRef { id })
                .collect(),
        ),
        PropertyConfig::People(_) => PropertyValueKind::People(
            id_list(value, &at)?
                .into_iter()
                .map(|id| partial_user(&id))
                .collect(),
        ),
        PropertyConfig::Files(_) => {
            let items = value
                .as_array()
                .ok_or_else(|| bad(&at, "should be an array."))?;
            if items.len() > MAX_ITEMS {
                return Err(bad(&at, &format!("length should be ≤ `{MAX_ITEMS}`.")));
            }
            let mut files = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let mut item = item.clone();
                // `{"name", "external": {...}}` without `type` is accepted.
                if let Some(map) = item.as_object_mut() {
                    if !map.contains_key("type") {
                        if let Some(k) = ["external", "file", "file_upload"]
                            .into_iter()
                            .find(|k| map.contains_key(*k))
                        {
                            map.insert("type".into(), Value::from(k));
                        }
                    }
                }
                let file: NamedFile = serde_json::from_value(item)
                    .map_err(|_| bad(&format!("{at}[{i}]"), "should be a file object."))?;
                if let notion::FileObject::FileUpload(_) = file.file {
                    return Err(ApiError::validation(
                        "File uploads are not supported by the emulator; use external files.",
                    ));
                }
                files.push(file);
            }
            PropertyValueKind::Files(files)
        }
        PropertyConfig::Other { type_name, .. } => PropertyValueKind::Other {
            type_name: type_name.clone(),
            payload: value.clone(),
        },
        // Title and read-only types never get here.
        _ => return Err(bad(&at, "cannot be written.")),
    })
}

fn check_date(s: &str, path: &str) -> ApiResult<()> {
    let day = s.get(..10).unwrap_or("");
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let date_ok = time::Date::parse(day, &fmt).is_ok();
    let rest_ok = s.len() == 10 || s.as_bytes().get(10) == Some(&b'T');
    if date_ok && rest_ok {
        Ok(())
    } else {
        Err(bad(
            path,
            &format!("should be an ISO 8601 date or date-time, instead was `{s}`."),
        ))
    }
}

fn short_string(value: &Value, path: &str, max: usize) -> ApiResult<Option<String>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) if s.chars().count() > max => Err(bad(
            path,
            &format!(
                "length should be ≤ `{max}`, instead was `{}`.",
                s.chars().count()
            ),
        )),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(bad(path, "should be a string or `null`.")),
    }
}

/// `[{"id": …}]` (≤ 100), ids normalised to the dashed form.
fn id_list(value: &Value, path: &str) -> ApiResult<Vec<String>> {
    let items = value
        .as_array()
        .ok_or_else(|| bad(path, "should be an array."))?;
    if items.len() > MAX_ITEMS {
        return Err(bad(
            path,
            &format!(
                "length should be ≤ `{MAX_ITEMS}`, instead was `{}`.",
                items.len()
            ),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.get("id")
                .and_then(Value::as_str)
                .and_then(ids::parse)
                .map(ids::dashed)
                .ok_or_else(|| bad(&format!("{path}[{i}].id"), "should be a valid uuid."))
        })
        .collect()
}

fn partial_user(id: &str) -> User {
    User {
        object: "user".into(),
        id: id.to_string(),
        name: None,
        avatar_url: None,
        kind: None,
        person: None,
        bot: None,
        request_id: None,
    }
}

/// `{"name"}` or `{"id"}` (or `null`). Select auto-creates unknown names; status names must
/// exist.
fn select_one(
    value: &Value,
    options: &[SchemaOption],
    prop: &SchemaProperty,
    path: &str,
    auto_create: bool,
    new_options: &mut Vec<(String, SchemaOption)>,
) -> ApiResult<Option<SelectOption>> {
    if value.is_null() {
        return Ok(None);
    }
    let as_select = |o: &SchemaOption| SelectOption {
        id: Some(o.id.clone()),
        name: o.name.clone(),
        color: Some(o.color.clone()),
    };
    if let Some(id) = value.get("id").and_then(Value::as_str) {
        return options
            .iter()
            .find(|o| o.id == id)
            .map(|o| Some(as_select(o)))
            .ok_or_else(|| {
                ApiError::validation(format!("{id} is not a valid option id for {}.", prop.name))
            });
    }
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| bad(path, "should have a `name` or an `id`."))?;
    if name.contains(',') && auto_create {
        return Err(ApiError::validation(format!(
            "Option names cannot contain commas: `{name}`."
        )));
    }
    if let Some(o) = options.iter().find(|o| o.name == name) {
        return Ok(Some(as_select(o)));
    }
    if let Some((_, o)) = new_options
        .iter()
        .find(|(pid, o)| *pid == prop.id && o.name == name)
    {
        return Ok(Some(as_select(o)));
    }
    if !auto_create {
        return Err(ApiError::validation(format!(
            "Invalid status option. Status option `{name}` does not exist for {}.",
            prop.name
        )));
    }
    let option = schema::new_option(name);
    let out = as_select(&option);
    new_options.push((prop.id.clone(), option));
    Ok(Some(out))
}

/// Adds the options a write created to the schema.
pub fn add_options(ds: &mut DataSourceRecord, new_options: &[(String, SchemaOption)]) {
    for (pid, option) in new_options {
        if let Some(prop) = ds.properties.iter_mut().find(|p| p.id == *pid) {
            match &mut prop.config {
                PropertyConfig::Select(c) | PropertyConfig::MultiSelect(c) => {
                    c.options.push(option.clone())
                }
                _ => {}
            }
        }
    }
}

/// The value a row shows for `prop` (stored, computed, or the empty value of its type), with
/// select options refreshed from the schema (renames show; deleted options disappear).
pub fn value_of(
    store: &Store,
    page: &PageRecord,
    ds: &DataSourceRecord,
    prop: &SchemaProperty,
    clock: &Clock,
) -> PropertyValueKind {
    let user = |id: Uuid| partial_user(&ids::dashed(id));
    let ts = |t| Timestamp::new(clock.floor(t));
    match &prop.config {
        PropertyConfig::Title(_) => PropertyValueKind::Title(page.title.clone()),
        PropertyConfig::CreatedTime(_) => PropertyValueKind::CreatedTime(ts(page.created_time)),
        PropertyConfig::LastEditedTime(_) => {
            PropertyValueKind::LastEditedTime(ts(page.last_edited_time))
        }
        PropertyConfig::CreatedBy(_) => PropertyValueKind::CreatedBy(user(page.created_by)),
        PropertyConfig::LastEditedBy(_) => {
            PropertyValueKind::LastEditedBy(user(page.last_edited_by))
        }
        PropertyConfig::UniqueId(c) => {
            let number = store
                .rows_of(ds.id)
                .iter()
                .position(|r| r.id == page.id)
                .map(|i| i as i64 + 1);
            PropertyValueKind::UniqueId(UniqueId {
                prefix: c.prefix.clone(),
                number,
            })
        }
        // The emulator does not evaluate formulas or rollups: they read as empty results.
        PropertyConfig::Formula(_) => {
            PropertyValueKind::Formula(serde_json::json!({"type": "string", "string": null}))
        }
        PropertyConfig::Rollup(c) => PropertyValueKind::Rollup(
            serde_json::json!({"type": "array", "array": [], "function": c.function}),
        ),
        config => match page.properties.get(&prop.id) {
            Some(stored) => refresh_options(stored.clone(), config),
            None => empty_value(config),
        },
    }
}

fn refresh_options(value: PropertyValueKind, config: &PropertyConfig) -> PropertyValueKind {
    let current = |o: &SelectOption, options: &[SchemaOption]| {
        options
            .iter()
            .find(|s| Some(&s.id) == o.id.as_ref())
            .map(|s| SelectOption {
                id: Some(s.id.clone()),
                name: s.name.clone(),
                color: Some(s.color.clone()),
            })
    };
    match (value, config) {
        (PropertyValueKind::Select(Some(o)), PropertyConfig::Select(c)) => {
            PropertyValueKind::Select(current(&o, &c.options))
        }
        (PropertyValueKind::Status(Some(o)), PropertyConfig::Status(c)) => {
            PropertyValueKind::Status(current(&o, &c.options))
        }
        (PropertyValueKind::MultiSelect(list), PropertyConfig::MultiSelect(c)) => {
            PropertyValueKind::MultiSelect(
                list.iter().filter_map(|o| current(o, &c.options)).collect(),
            )
        }
        // A type change leaves an old value of another type: it reads as empty.
        (v, c) if v.type_name() != c.type_name() => empty_value(c),
        (v, _) => v,
    }
}

/// The value of a property that was never set.
pub fn empty_value(config: &PropertyConfig) -> PropertyValueKind {
    match config {
        PropertyConfig::Title(_) => PropertyValueKind::Title(Vec::new()),
        PropertyConfig::RichText(_) => PropertyValueKind::RichText(Vec::new()),
        PropertyConfig::Number(_) => PropertyValueKind::Number(None),
        PropertyConfig::Checkbox(_) => PropertyValueKind::Checkbox(false),
        PropertyConfig::Select(_) => PropertyValueKind::Select(None),
        PropertyConfig::MultiSelect(_) => PropertyValueKind::MultiSelect(Vec::new()),
        PropertyConfig::Status(_) => PropertyValueKind::Status(None),
        PropertyConfig::Date(_) => PropertyValueKind::Date(None),
        PropertyConfig::Url(_) => PropertyValueKind::Url(None),
        PropertyConfig::Email(_) => PropertyValueKind::Email(None),
        PropertyConfig::PhoneNumber(_) => PropertyValueKind::PhoneNumber(None),
        PropertyConfig::People(_) => PropertyValueKind::People(Vec::new()),
        PropertyConfig::Relation(_) => PropertyValueKind::Relation(Vec::new()),
        PropertyConfig::Files(_) => PropertyValueKind::Files(Vec::new()),
        other => PropertyValueKind::Other {
            type_name: other.type_name().to_string(),
            payload: Value::Object(Map::new()),
        },
    }
}

/// Keeps at most `PAGE_REFERENCE_CAP` mentions in a rich-text array.
fn cap_mentions(items: Vec<RichTextItem>) -> Vec<RichTextItem> {
    let mut mentions = 0;
    items
        .into_iter()
        .filter(|i| {
            if let RichTextContent::Mention { .. } = i.content {
                mentions += 1;
                mentions <= PAGE_REFERENCE_CAP
            } else {
                true
            }
        })
        .collect()
}

/// A value as the page object shows it: references capped at 25 (`has_more` on relations).
pub fn page_value(id: &str, value: PropertyValueKind) -> PropertyValue {
    let (value, has_more) = match value {
        PropertyValueKind::Relation(mut r) => {
            let more = r.len() > PAGE_REFERENCE_CAP;
            r.truncate(PAGE_REFERENCE_CAP);
            (PropertyValueKind::Relation(r), Some(more))
        }
        PropertyValueKind::People(mut p) => {
            p.truncate(PAGE_REFERENCE_CAP);
            (PropertyValueKind::People(p), None)
        }
        PropertyValueKind::Title(t) => (PropertyValueKind::Title(cap_mentions(t)), None),
        PropertyValueKind::RichText(t) => (PropertyValueKind::RichText(cap_mentions(t)), None),
        v => (v, None),
    };
    PropertyValue {
        id: id.to_string(),
        value,
        has_more,
    }
}

/// Every property of a row by name, or only those named in `only` (ids or names).
pub fn row_properties(
    store: &Store,
    page: &PageRecord,
    ds: &DataSourceRecord,
    clock: &Clock,
    only: Option<&[String]>,
) -> BTreeMap<String, PropertyValue> {
    ds.properties
        .iter()
        .filter(|p| only.is_none_or(|keys| keys.iter().any(|k| *k == p.id || *k == p.name)))
        .map(|p| {
            (
                p.name.clone(),
                page_value(&p.id, value_of(store, page, ds, p, clock)),
            )
        })
        .collect()
}

/// `GET /v1/pages/{id}/properties/{property_id}`: paginated for title, rich_text, relation,
/// people and rollup; one item otherwise. The cursor is the index of the next item.
pub fn property_item(
    value: PropertyValueKind,
    property_id: &str,
    cursor: Option<&str>,
    page_size: usize,
    next_url: impl Fn(&str) -> String,
) -> ApiResult<PropertyItemResponse> {
    let item = |value: PropertyItemValue| PropertyItem {
        object: "property_item".into(),
        id: property_id.to_string(),
        value,
        request_id: None,
    };
    let kind = value.type_name().to_string();
    let items: Vec<PropertyItemValue> = match value {
        PropertyValueKind::Title(t) => t.into_iter().map(PropertyItemValue::Title).collect(),
        PropertyValueKind::RichText(t) => t.into_iter().map(PropertyItemValue::RichText).collect(),
        PropertyValueKind::Relation(r) => r.into_iter().map(PropertyItemValue::Relation).collect(),
        PropertyValueKind::People(p) => p.into_iter().map(PropertyItemValue::People).collect(),
        PropertyValueKind::Rollup(v) => vec![PropertyItemValue::Rollup(v)],
        other => {
            let value = PropertyItemValue::from_parts(
                other.type_name().to_string(),
                other.payload_value().unwrap_or(Value::Null),
            );
            return Ok(PropertyItemResponse::Item(Box::new(item(value))));
        }
    };
    let start = match cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= items.len())
            .ok_or_else(|| {
                ApiError::validation(format!("start_cursor provided is invalid: {c}"))
            })?,
    };
    let end = (start + page_size).min(items.len());
    let next_cursor = (end < items.len()).then(|| end.to_string());
    let mut extra = Map::new();
    extra.insert(kind.clone(), Value::Object(Map::new()));
    Ok(PropertyItemResponse::List(Box::new(PropertyItemList {
        object: "list".into(),
        next_cursor: next_cursor.clone(),
        has_more: next_cursor.is_some(),
        kind: "property_item".into(),
        property_item: PropertyItemListInfo {
            id: property_id.to_string(),
            next_url: next_cursor.as_deref().map(next_url),
            kind,
            extra,
        },
        results: items[start..end].iter().cloned().map(item).collect(),
        request_id: None,
    })))
}
