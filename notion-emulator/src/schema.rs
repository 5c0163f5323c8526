//! Data-source schemas: reading schema writes (create, add, rename, delete properties) the way
//! Notion reads them, and giving option and property ids out.

use notion::{
    PropertyConfig, PropertySchema, PropertySchemaRequest, SchemaOption, StatusConfig, StatusGroup,
};
use rand::Rng;
use serde_json::{Map, Value};

use crate::convert;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::objects::{DataSourceRecord, SchemaProperty};
use crate::state::Store;

/// Most options a select, multi-select or status property may hold.
const MAX_OPTIONS: usize = 100;

/// A short random id like Notion's (`aB3x`); URL-safe so it needs no encoding.
pub fn short_id(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// The schema property as the API shows it.
pub fn to_api(prop: &SchemaProperty) -> PropertySchema {
    PropertySchema {
        id: prop.id.clone(),
        name: prop.name.clone(),
        description: Some(match &prop.description {
            Some(d) => Value::String(notion::plain_text(d)),
            None => Value::Null,
        }),
        config: prop.config.clone(),
    }
}

/// What a schema write did, for webhooks (`updated_properties`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaChange {
    pub id: String,
    pub name: String,
    pub action: &'static str,
}

/// Applies a schema write (`properties` of `POST/PATCH /v1/data_sources`, or a database's
/// `initial_data_source.properties`) to `ds`. Validates everything first: an error changes
/// nothing. Keys name existing properties by name or id; a `null` value deletes one.
pub fn apply(
    store: &Store,
    ds: &mut DataSourceRecord,
    properties: &Value,
    path: &str,
) -> ApiResult<Vec<SchemaChange>> {
    let entries = properties.as_object().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: {path} should be an object, instead was `{properties}`."
        ))
    })?;
    let mut next = ds.clone();
    let mut changes = Vec::new();
    for (key, value) in entries {
        let at = format!("{path}.{key}");
        if value.is_null() {
            let Some(pos) = next
                .properties
                .iter()
                .position(|p| p.id == *key || p.name == *key)
            else {
                return Err(ApiError::validation(format!(
                    "{key} is not a property that exists."
                )));
            };
            if matches!(next.properties[pos].config, PropertyConfig::Title(_)) {
                return Err(ApiError::validation(
                    "Cannot delete the title property of a data source.",
                ));
            }
            let gone = next.properties.remove(pos);
            changes.push(SchemaChange {
                id: gone.id,
                name: gone.name,
                action: "deleted",
            });
            continue;
        }
        let request: PropertySchemaRequest = serde_json::from_value(value.clone())
            .map_err(|e| ApiError::validation(format!("body failed validation: {at}: {e}")))?;
        let description = match value.get("description") {
            Some(d @ Value::Array(_)) => Some(convert::rich_text_from_request(
                d,
                &format!("{at}.description"),
            )?),
            _ => None,
        };
        let existing = next
            .properties
            .iter()
            .position(|p| p.id == *key || p.name == *key);
        let config = match request.config {
            Some(c) => Some(typed(
                store,
                c,
                &at,
                existing.map(|i| &next.properties[i].config),
            )?),
            None => None,
        };
        match existing {
            Some(i) => {
                let prop = &mut next.properties[i];
                if let Some(config) = config {
                    let was_title = matches!(prop.config, PropertyConfig::Title(_));
                    let is_title = matches!(config, PropertyConfig::Title(_));
                    if was_title != is_title {
                        return Err(ApiError::validation(format!(
                            "Cannot change the type of {} to or from title.",
                            prop.name
                        )));
                    }
                    prop.config = config;
                }
                if let Some(name) = request.name {
                    prop.name = name;
                }
                if description.is_some() {
                    prop.description = description;
                }
                changes.push(SchemaChange {
                    id: prop.id.clone(),
                    name: prop.name.clone(),
                    action: "updated",
                });
            }
            None => {
                let Some(config) = config else {
                    return Err(ApiError::validation(format!(
                        "{key} is not a property that exists."
                    )));
                };
                let is_title = matches!(config, PropertyConfig::Title(_));
                let id = if is_title {
                    if next.title_property().is_some() {
                        // A second title property renames the existing one, as Notion does
                        // when a create names the title differently.
                        let title = next
                            .properties
                            .iter_mut()
                            .find(|p| matches!(p.config, PropertyConfig::Title(_)));
                        if let Some(t) = title {
                            t.name = request.name.clone().unwrap_or_else(|| key.clone());
                            changes.push(SchemaChange {
                                id: t.id.clone(),
                                name: t.name.clone(),
                                action: "updated",
                            });
                        }
                        continue;
                    }
                    "title".to_string()
                } else {
                    new_property_id(&next)
                };
                let name = request.name.unwrap_or_else(|| key.clone());
                if next.properties.iter().any(|p| p.name == name) {
                    return Err(ApiError::validation(format!(
                        "Property name `{name}` is already used by another property."
                    )));
                }
                changes.push(SchemaChange {
                    id: id.clone(),
                    name: name.clone(),
                    action: "created",
                });
                next.properties.push(SchemaProperty {
                    id,
                    name,
                    description,
                    config,
                });
            }
        }
    }
    if next.title_property().is_none() {
        return Err(ApiError::validation(
            "A data source needs exactly one title property.",
        ));
    }
    *ds = next;
    Ok(changes)
}

fn new_property_id(ds: &DataSourceRecord) -> String {
    loop {
        let id = short_id(4);
        if !ds.properties.iter().any(|p| p.id == id) {
            return id;
        }
    }
}

/// A request configuration made ready to store: option ids and colours given out, status
/// defaults filled in, relations checked. A request may omit option ids (`{"name": "x"}`),
/// which the typed model does not accept, so those payloads are fixed up and read again.
fn typed(
    store: &Store,
    config: PropertyConfig,
    path: &str,
    existing: Option<&PropertyConfig>,
) -> ApiResult<PropertyConfig> {
    let config = match config {
        PropertyConfig::Other {
            type_name,
            mut payload,
        } if PropertyConfig::TYPE_NAMES.contains(&type_name.as_str()) => {
            fill_option_ids(&mut payload, existing);
            let retyped = PropertyConfig::from_parts(type_name.clone(), payload);
            if let PropertyConfig::Other { .. } = retyped {
                return Err(ApiError::validation(format!(
                    "body failed validation: {path}.{type_name} is not a valid `{type_name}` configuration."
                )));
            }
            retyped
        }
        other => other,
    };
    Ok(match config {
        PropertyConfig::Select(c) => {
            check_options(c.options.len(), path)?;
            PropertyConfig::Select(c)
        }
        PropertyConfig::MultiSelect(c) => {
            check_options(c.options.len(), path)?;
            PropertyConfig::MultiSelect(c)
        }
        PropertyConfig::Status(c) => {
            check_options(c.options.len(), path)?;
            PropertyConfig::Status(if c.options.is_empty() {
                default_status()
            } else {
                with_groups(c)
            })
        }
        PropertyConfig::Relation(mut r) => {
            let target = r
                .data_source_id
                .as_deref()
                .and_then(ids::parse)
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "body failed validation: {path}.relation.data_source_id should be a valid uuid."
                    ))
                })?;
            let ds = store.objects.data_sources.get(&target).ok_or_else(|| {
                ApiError::validation(format!(
                    "Could not find data source with ID: {}.",
                    ids::dashed(target)
                ))
            })?;
            r.data_source_id = Some(ids::dashed(target));
            r.database_id = Some(ids::dashed(ds.database));
            if r.relation_type == "single_property" && r.single_property.is_none() {
                r.single_property = Some(Value::Object(Map::new()));
            }
            PropertyConfig::Relation(r)
        }
        other => other,
    })
}

fn check_options(n: usize, path: &str) -> ApiResult<()> {
    if n > MAX_OPTIONS {
        return Err(ApiError::validation(format!(
            "body failed validation: {path} options.length should be ≤ `{MAX_OPTIONS}`, instead was `{n}`."
        )));
    }
    Ok(())
}

/// Gives options without an id the id of the existing option of the same name, else a new one.
fn fill_option_ids(payload: &mut Value, existing: Option<&PropertyConfig>) {
    let known: Vec<SchemaOption> = match existing {
        Some(PropertyConfig::Select(c)) | Some(PropertyConfig::MultiSelect(c)) => c.options.clone(),
        Some(PropertyConfig::Status(c)) => c.options.clone(),
        _ => Vec::new(),
    };
    let Some(options) = payload.get_mut("options").and_then(Value::as_array_mut) else {
        return;
    };
    for option in options.iter_mut() {
        let Some(map) = option.as_object_mut() else {
            continue;
        };
        if !map.contains_key("id") {
            let name = map.get("name").and_then(Value::as_str).unwrap_or_default();
            let id = known
                .iter()
                .find(|o| o.name == name)
                .map(|o| o.id.clone())
                .unwrap_or_else(|| short_id(4));
            map.insert("id".into(), Value::from(id));
        }
        map.entry("color").or_insert_with(|| Value::from("default"));
        map.entry("description").or_insert(Value::Null);
    }
}

fn option(name: &str, color: &str) -> SchemaOption {
    SchemaOption {
        id: short_id(4),
        name: name.into(),
        color: color.into(),
        description: None,
    }
}

/// Notion's default status options and groups.
fn default_status() -> StatusConfig {
    let options = vec![
        option("Not started", "default"),
        option("In progress", "blue"),
        option("Done", "green"),
    ];
    let group = |name: &str, color: &str, o: &SchemaOption| StatusGroup {
        id: short_id(4),
        name: name.into(),
        color: color.into(),
        option_ids: vec![o.id.clone()],
    };
    let groups = vec![
        group("To-do", "gray", &options[0]),
        group("In progress", "blue", &options[1]),
        group("Complete", "green", &options[2]),
    ];
    StatusConfig { options, groups }
}

/// Status options given without groups all go in a "To-do" group.
fn with_groups(mut c: StatusConfig) -> StatusConfig {
    if c.groups.is_empty() {
        c.groups.push(StatusGroup {
            id: short_id(4),
            name: "To-do".into(),
            color: "gray".into(),
            option_ids: c.options.iter().map(|o| o.id.clone()).collect(),
        });
    }
    c
}

/// A new select or multi-select option (a row value naming an unknown option creates it).
pub fn new_option(name: &str) -> SchemaOption {
    option(name, "default")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ds() -> DataSourceRecord {
        let now = time::OffsetDateTime::now_utc();
        DataSourceRecord {
            id: ids::new_id(),
            database: ids::new_id(),
            title: Vec::new(),
            description: Vec::new(),
            icon: None,
            properties: Vec::new(),
            in_trash: false,
            created_time: now,
            last_edited_time: now,
            created_by: ids::new_id(),
            last_edited_by: ids::new_id(),
            seq: 1,
            next_property: 0,
        }
    }

    #[test]
    fn create_rename_delete() {
        let store = Store::new("w", "o", "o@x");
        let mut d = ds();
        apply(
            &store,
            &mut d,
            &json!({"Name": {"title": {}}, "Tags": {"multi_select": {"options": [{"name": "a"}]}}, "State": {"status": {}}}),
            "p",
        )
        .unwrap();
        assert_eq!(d.title_property().unwrap().id, "title");
        let tags = d.property("Tags").unwrap().clone();
        match &tags.config {
            PropertyConfig::MultiSelect(c) => assert_eq!(c.options[0].name, "a"),
            other => panic!("{other:?}"),
        }
        match &d.property("State").unwrap().config {
            PropertyConfig::Status(c) => assert_eq!(c.options.len(), 3),
            other => panic!("{other:?}"),
        }
        apply(&store, &mut d, &json!({"Tags": {"name": "Labels"}}), "p").unwrap();
        assert_eq!(d.property(&tags.id).unwrap().name, "Labels");
        apply(&store, &mut d, &json!({"Labels": null}), "p").unwrap();
        assert!(d.property("Labels").is_none());
        assert!(apply(&store, &mut d, &json!({"Name": null}), "p").is_err());
        assert!(apply(&store, &mut d, &json!({"Nope": {"name": "x"}}), "p").is_err());
    }
}
