//! Databases and data sources: records → API objects (the 2025-09-03+ container and data
//! source shapes, and the 2022-06-28 database that carries its single data source's schema),
//! and creating them.

use std::collections::BTreeMap;

use notion::{DataSource, DataSourceRef, Database, Parent, PartialUser, RichTextItem, Timestamp};
use notion_markdown::BlockKind;
use serde_json::Value;
use uuid::Uuid;

use crate::content::{Stamp, StoredBlock};
use crate::errors::ApiResult;
use crate::ids;
use crate::objects::{DataSourceRecord, DatabaseRecord, SchemaProperty};
use crate::schema;
use crate::state::{PageParentRef, Store};
use crate::time::Clock;
use crate::version::ApiVersion;

/// A database's (and its data sources') `url`.
pub fn url(id: Uuid) -> String {
    format!("https://app.notion.com/p/{}", ids::compact(id))
}

fn parent(p: PageParentRef) -> Parent {
    match p {
        PageParentRef::Workspace => Parent::Workspace,
        PageParentRef::Page(id) => Parent::PageId(ids::dashed(id)),
        PageParentRef::DataSource(id) => Parent::DataSourceId {
            data_source_id: ids::dashed(id),
            database_id: None,
        },
    }
}

/// The schema by property name.
pub fn schema_map(ds: &DataSourceRecord) -> BTreeMap<String, notion::PropertySchema> {
    ds.properties
        .iter()
        .map(|p| (p.name.clone(), schema::to_api(p)))
        .collect()
}

/// The database object for `version`. Container timestamps keep millisecond precision.
pub fn database(store: &Store, db: &DatabaseRecord, version: ApiVersion) -> Database {
    let legacy = !version.has_data_sources();
    let sources: Vec<&DataSourceRecord> = db
        .data_sources
        .iter()
        .filter_map(|id| store.objects.data_sources.get(id))
        .collect();
    Database {
        object: "database".into(),
        id: ids::dashed(db.id),
        title: db.title.clone(),
        description: db.description.clone(),
        parent: Some(parent(db.parent)),
        is_inline: db.is_inline,
        in_trash: db.in_trash,
        is_locked: (!legacy).then_some(db.is_locked),
        created_time: Some(Timestamp::new(db.created_time)),
        last_edited_time: Some(Timestamp::new(db.last_edited_time)),
        created_by: legacy.then(|| PartialUser::new(ids::dashed(db.created_by))),
        last_edited_by: legacy.then(|| PartialUser::new(ids::dashed(db.last_edited_by))),
        data_sources: (!legacy).then(|| {
            sources
                .iter()
                .map(|ds| DataSourceRef {
                    id: ids::dashed(ds.id),
                    name: ds.title_text(),
                })
                .collect()
        }),
        properties: if legacy {
            sources.first().map(|ds| schema_map(ds))
        } else {
            None
        },
        icon: db.icon.clone(),
        cover: db.cover.clone(),
        url: url(db.id),
        public_url: None,
        archived: version.has_archived_key().then_some(db.in_trash),
        request_id: None,
    }
}

pub fn data_source(
    store: &Store,
    ds: &DataSourceRecord,
    clock: &Clock,
    version: ApiVersion,
) -> DataSource {
    let db = store.objects.databases.get(&ds.database);
    DataSource {
        object: "data_source".into(),
        id: ids::dashed(ds.id),
        cover: None,
        icon: ds.icon.clone(),
        created_time: Some(Timestamp::new(clock.floor(ds.created_time))),
        created_by: Some(PartialUser::new(ids::dashed(ds.created_by))),
        last_edited_by: Some(PartialUser::new(ids::dashed(ds.last_edited_by))),
        last_edited_time: Some(Timestamp::new(clock.floor(ds.last_edited_time))),
        title: ds.title.clone(),
        description: ds.description.clone(),
        is_inline: db.is_some_and(|d| d.is_inline),
        properties: schema_map(ds),
        parent: Some(Parent::DatabaseId(ids::dashed(ds.database))),
        database_parent: db.map(|d| parent(d.parent)),
        url: Some(url(ds.database)),
        public_url: None,
        in_trash: ds.in_trash,
        archived: version.has_archived_key().then_some(ds.in_trash),
        request_id: None,
    }
}

/// A new data source in `database`: a `Name` title property, then `properties` applied.
pub fn new_data_source(
    store: &Store,
    database: Uuid,
    title: Vec<RichTextItem>,
    properties: Option<&Value>,
    stamp: Stamp,
    seq: u64,
) -> ApiResult<DataSourceRecord> {
    let mut ds = DataSourceRecord {
        id: ids::new_id(),
        database,
        title,
        description: Vec::new(),
        icon: None,
        properties: vec![SchemaProperty {
            id: "title".into(),
            name: "Name".into(),
            description: None,
            config: notion::PropertyConfig::Title(notion::EmptyConfig {}),
        }],
        in_trash: false,
        created_time: stamp.now,
        last_edited_time: stamp.now,
        created_by: stamp.actor,
        last_edited_by: stamp.actor,
        seq,
        next_property: 0,
    };
    if let Some(props) = properties {
        schema::apply(store, &mut ds, props, "body.properties")?;
    }
    Ok(ds)
}

/// The `child_database` block a database shows as in its parent page's body.
pub fn child_block(store: &Store, db: &DatabaseRecord, stamp: Stamp) -> StoredBlock {
    StoredBlock {
        id: db.id,
        kind: markdown_kind(store, db),
        children: Vec::new(),
        created_time: stamp.now,
        last_edited_time: stamp.now,
        created_by: stamp.actor,
        last_edited_by: stamp.actor,
    }
}

/// `<database url="…" inline="true" data-source-url="collection://…">Title</database>`.
pub fn markdown_kind(store: &Store, db: &DatabaseRecord) -> BlockKind {
    let mut attrs = Vec::new();
    if db.is_inline {
        attrs.push(("inline".to_string(), "true".to_string()));
    }
    if let Some(ds) = db
        .data_sources
        .iter()
        .find(|id| store.objects.data_sources.contains_key(id))
    {
        attrs.push((
            "data-source-url".to_string(),
            format!("collection://{}", ids::dashed(*ds)),
        ));
    }
    BlockKind::ChildDatabase {
        url: ids::markdown_page_url(db.id),
        title: db.title_text(),
        attrs,
    }
}
