//! Databases, data sources, rows and their properties (2025-09-03+ model), and the legacy
//! 2022-06-28 database API.

use std::collections::BTreeMap;

use notion::{
    CreateDataSourceRequest, CreateDatabaseRequest, CreatePageRequest, DateValue, EmptyConfig,
    IdRef, NumberConfig, Page, PageParent, Pagination, Parent, PropertyConfig,
    PropertyItemResponse, PropertySchemaRequest, PropertyValueKind, RichTextItem, SchemaChanges,
    SchemaOption, SearchFilter, SearchRequest, SearchResult, SelectConfig, SelectOption,
    UpdateDataSourceRequest, UpdateDatabaseRequest, UpdatePageRequest,
};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::json;

use crate::build::{client_v, markdown, page, raw_v};
use crate::support::{assert_error, start, Env};

fn prop(config: PropertyConfig) -> Option<PropertySchemaRequest> {
    Some(PropertySchemaRequest::new(config))
}

fn select(options: &[&str]) -> SelectConfig {
    SelectConfig {
        options: options
            .iter()
            .map(|n| SchemaOption {
                id: format!("opt-{n}"),
                name: n.to_string(),
                color: "default".into(),
                description: None,
            })
            .collect(),
    }
}

/// A database under a new page with a schema covering the common property types.
async fn tasks_db(env: &Env) -> (String, String, String) {
    let parent = page(env, "Projects", "").await;
    let mut schema = SchemaChanges::new();
    schema.insert("Name".into(), prop(PropertyConfig::Title(EmptyConfig {})));
    schema.insert(
        "Notes".into(),
        prop(PropertyConfig::RichText(EmptyConfig {})),
    );
    schema.insert(
        "Count".into(),
        prop(PropertyConfig::Number(NumberConfig::default())),
    );
    schema.insert(
        "Done".into(),
        prop(PropertyConfig::Checkbox(EmptyConfig {})),
    );
    schema.insert(
        "Kind".into(),
        prop(PropertyConfig::Select(select(&["bug", "idea"]))),
    );
    schema.insert(
        "Tags".into(),
        prop(PropertyConfig::MultiSelect(select(&["a", "b"]))),
    );
    schema.insert(
        "Status".into(),
        prop(PropertyConfig::Status(Default::default())),
    );
    schema.insert("Due".into(), prop(PropertyConfig::Date(EmptyConfig {})));
    schema.insert("Link".into(), prop(PropertyConfig::Url(EmptyConfig {})));
    schema.insert("Mail".into(), prop(PropertyConfig::Email(EmptyConfig {})));
    schema.insert(
        "Phone".into(),
        prop(PropertyConfig::PhoneNumber(EmptyConfig {})),
    );
    schema.insert("Who".into(), prop(PropertyConfig::People(EmptyConfig {})));
    schema.insert("Files".into(), prop(PropertyConfig::Files(EmptyConfig {})));
    schema.insert(
        "Created".into(),
        prop(PropertyConfig::CreatedTime(EmptyConfig {})),
    );
    schema.insert(
        "Edited".into(),
        prop(PropertyConfig::LastEditedTime(EmptyConfig {})),
    );
    schema.insert(
        "Score".into(),
        prop(PropertyConfig::Formula(notion::FormulaConfig {
            expression: "prop(\"Count\") * 2".into(),
        })),
    );
    schema.insert(
        "Key".into(),
        prop(PropertyConfig::UniqueId(notion::UniqueIdConfig {
            prefix: Some("T".into()),
        })),
    );
    let db = env
        .client
        .create_database(
            &env.token,
            &CreateDatabaseRequest::under_page(&parent, "Tasks", schema),
        )
        .await
        .expect("database created");
    let ds = db.single_data_source().expect("one data source").id.clone();
    (parent, db.id, ds)
}

fn row(props: Vec<(&str, PropertyValueKind)>) -> BTreeMap<String, PropertyValueKind> {
    props.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn title(s: &str) -> PropertyValueKind {
    PropertyValueKind::Title(vec![RichTextItem::text(s)])
}

fn opt(name: &str) -> SelectOption {
    SelectOption {
        id: None,
        name: name.into(),
        color: None,
    }
}

async fn add_row(env: &Env, ds: &str, props: Vec<(&str, PropertyValueKind)>) -> Page {
    env.client
        .create_page(&env.token, &CreatePageRequest::row(ds, row(props)))
        .await
        .expect("row created")
}

#[tokio::test]
async fn create_a_database_its_schema_and_rows() {
    let env = start(Seed::Empty).await;
    let (parent, db_id, ds_id) = tasks_db(&env).await;

    // The container: ms-precision `+00:00` timestamps, one data source, no schema.
    let raw = env
        .api(Method::GET, &format!("/v1/databases/{db_id}"), None)
        .await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    let created = raw.json["created_time"].as_str().unwrap();
    assert!(
        created.ends_with("+00:00") && created.len() == 29,
        "{created}"
    );
    assert!(raw.json.get("properties").is_none() && raw.json.get("archived").is_none());
    assert_eq!(raw.json["data_sources"][0]["id"], ds_id.as_str());
    assert_eq!(raw.json["data_sources"][0]["name"], "Tasks");

    // The parent page shows it as a child database, in the blocks API and in Markdown.
    let blocks = env
        .client
        .list_all_block_children(&env.token, &parent)
        .await
        .unwrap();
    assert_eq!(blocks[0].id, db_id);
    assert_eq!(blocks[0].content.type_name(), "child_database");
    assert!(markdown(&env, &parent).await.contains(&format!(
        "data-source-url=\"collection://{ds_id}\">Tasks</database>"
    )));

    let ds = env
        .client
        .retrieve_data_source(&env.token, &ds_id)
        .await
        .unwrap();
    assert_eq!(ds.title(), "Tasks");
    assert_eq!(ds.parent, Some(Parent::DatabaseId(db_id.clone())));
    assert_eq!(ds.database_parent, Some(Parent::PageId(parent.clone())));
    assert_eq!(ds.title_property(), Some("Name"));
    assert_eq!(ds.properties.len(), 17);
    match &ds.properties["Status"].config {
        PropertyConfig::Status(s) => {
            let names: Vec<_> = s.options.iter().map(|o| o.name.as_str()).collect();
            assert_eq!(names, ["Not started", "In progress", "Done"]);
        }
        other => panic!("{other:?}"),
    }

    // Rows: parent {data_source_id, database_id}; select auto-creates options.
    let r = add_row(
        &env,
        &ds_id,
        vec![
            ("Name", title("Fix login")),
            ("Count", PropertyValueKind::Number(Some(3.0))),
            ("Done", PropertyValueKind::Checkbox(true)),
            ("Kind", PropertyValueKind::Select(Some(opt("chore")))),
            (
                "Tags",
                PropertyValueKind::MultiSelect(vec![opt("a"), opt("new")]),
            ),
            (
                "Status",
                PropertyValueKind::Status(Some(opt("In progress"))),
            ),
            (
                "Due",
                PropertyValueKind::Date(Some(DateValue {
                    start: "2026-07-01".into(),
                    end: None,
                    time_zone: None,
                })),
            ),
            (
                "Link",
                PropertyValueKind::Url(Some("https://example.com".into())),
            ),
        ],
    )
    .await;
    assert_eq!(
        r.parent,
        Some(Parent::DataSourceId {
            data_source_id: ds_id.clone(),
            database_id: Some(db_id.clone()),
        })
    );
    assert_eq!(r.title(), "Fix login");
    assert_eq!(r.properties.len(), 17);
    assert_eq!(
        r.properties["Count"].value,
        PropertyValueKind::Number(Some(3.0))
    );
    match &r.properties["Key"].value {
        PropertyValueKind::UniqueId(u) => {
            assert_eq!((u.prefix.as_deref(), u.number), (Some("T"), Some(1)))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.properties["Created"].value,
        PropertyValueKind::CreatedTime(_)
    ));
    let ds = env
        .client
        .retrieve_data_source(&env.token, &ds_id)
        .await
        .unwrap();
    match (&ds.properties["Kind"].config, &ds.properties["Tags"].config) {
        (PropertyConfig::Select(k), PropertyConfig::MultiSelect(t)) => {
            assert!(k.options.iter().any(|o| o.name == "chore"));
            assert!(t.options.iter().any(|o| o.name == "new"));
        }
        other => panic!("{other:?}"),
    }

    // Status names must exist; read-only properties cannot be written; unknown ones neither.
    for (name, value) in [
        ("Status", json!({"status": {"name": "Nope"}})),
        ("Created", json!({"created_time": "2026-01-01T00:00:00Z"})),
        ("Ghost", json!({"rich_text": []})),
        ("Count", json!({"number": "three"})),
        ("Link", json!({"url": "x".repeat(2001)})),
    ] {
        let bad = env
            .api(
                Method::POST,
                "/v1/pages",
                Some(json!({"parent": {"data_source_id": ds_id}, "properties": {name: value}})),
            )
            .await;
        assert_error(&bad, 400, "validation_error");
    }

    // PATCH changes only the given properties.
    let updated = env
        .client
        .update_page(
            &env.token,
            &r.id,
            &UpdatePageRequest {
                properties: row(vec![("Count", PropertyValueKind::Number(Some(4.0)))]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        updated.properties["Count"].value,
        PropertyValueKind::Number(Some(4.0))
    );
    assert_eq!(
        updated.properties["Done"].value,
        PropertyValueKind::Checkbox(true)
    );
    assert_eq!(updated.title(), "Fix login");

    // A single-source database may stand in as the parent.
    let via_db = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest {
                parent: PageParent::DatabaseId(db_id.clone()),
                properties: row(vec![("Name", title("Second"))]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(via_db.parent, Some(Parent::DataSourceId { .. })));
}

#[tokio::test]
async fn schema_changes_and_a_second_data_source() {
    let env = start(Seed::Empty).await;
    let (_, db_id, ds_id) = tasks_db(&env).await;
    let mut changes = SchemaChanges::new();
    changes.insert(
        "Priority".into(),
        prop(PropertyConfig::Number(NumberConfig::default())),
    );
    changes.insert(
        "Notes".into(),
        Some(PropertySchemaRequest::rename("Details")),
    );
    changes.insert("Phone".into(), None);
    let ds = env
        .client
        .update_data_source(
            &env.token,
            &ds_id,
            &UpdateDataSourceRequest {
                title: Some(vec![RichTextItem::text("Tasks v2")]),
                properties: changes,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(ds.properties.contains_key("Priority") && ds.properties.contains_key("Details"));
    assert!(!ds.properties.contains_key("Phone") && !ds.properties.contains_key("Notes"));
    assert_eq!(ds.title(), "Tasks v2");
    let bad = env
        .api(
            Method::PATCH,
            &format!("/v1/data_sources/{ds_id}"),
            Some(json!({"properties": {"Name": null}})),
        )
        .await;
    assert_error(&bad, 400, "validation_error");

    let mut props = SchemaChanges::new();
    props.insert("Title".into(), prop(PropertyConfig::Title(EmptyConfig {})));
    let second = env
        .client
        .create_data_source(
            &env.token,
            &CreateDataSourceRequest {
                parent: Parent::DatabaseId(db_id.clone()),
                properties: props,
                title: vec![RichTextItem::text("Archive")],
                icon: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(second.title_property(), Some("Title"));
    let db = env
        .client
        .retrieve_database(&env.token, &db_id)
        .await
        .unwrap();
    assert_eq!(db.data_sources.as_ref().map(Vec::len), Some(2));
    assert!(db.single_data_source().is_none());
    // With several data sources, a database id is no longer a row parent.
    let refused = env
        .api(
            Method::POST,
            "/v1/pages",
            Some(json!({"parent": {"database_id": db_id}, "properties": {}})),
        )
        .await;
    assert_error(&refused, 400, "validation_error");
    // The legacy version cannot show such a database.
    let legacy = raw_v(
        &env,
        "2022-06-28",
        Method::GET,
        &format!("/v1/databases/{db_id}"),
        None,
    )
    .await;
    assert_error(&legacy, 400, "validation_error");
}

#[tokio::test]
async fn database_metadata_trash_and_search() {
    let env = start(Seed::Empty).await;
    let (parent, db_id, ds_id) = tasks_db(&env).await;
    let updated = env
        .client
        .update_database(
            &env.token,
            &db_id,
            &UpdateDatabaseRequest {
                title: Some(vec![RichTextItem::text("Work items")]),
                icon: Some(Some(notion::Icon::Emoji("🔥".into()))),
                is_locked: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.title().as_str(), updated.is_locked),
        ("Work items", Some(true))
    );
    assert!(markdown(&env, &parent)
        .await
        .contains(">Work items</database>"));

    let found = env
        .client
        .search(
            &env.token,
            &SearchRequest {
                filter: Some(SearchFilter::DataSource),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(found
        .results
        .iter()
        .any(|r| matches!(r, SearchResult::DataSource(d) if d.id == ds_id)));

    // Trash: the database leaves its parent's body and search; restore brings it back.
    let trashed = env.client.delete_block(&env.token, &db_id).await.unwrap();
    assert_eq!(trashed.content.type_name(), "child_database");
    assert!(trashed.in_trash);
    assert!(!markdown(&env, &parent).await.contains("<database"));
    let none = env
        .client
        .search(
            &env.token,
            &SearchRequest {
                filter: Some(SearchFilter::DataSource),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.results.is_empty());
    let rows = env
        .api(
            Method::POST,
            "/v1/pages",
            Some(json!({"parent": {"data_source_id": ds_id}})),
        )
        .await;
    assert_error(&rows, 400, "validation_error");
    env.client
        .update_database(
            &env.token,
            &db_id,
            &UpdateDatabaseRequest {
                in_trash: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(markdown(&env, &parent).await.contains("<database"));

    // Dropping the `<database>` tag through Markdown deletes it only when allowed, into the
    // trash.
    let refused = env
        .client
        .update_page_markdown(
            &env.token,
            &parent,
            &notion::UpdatePageMarkdown::replace_content("no db"),
        )
        .await
        .unwrap_err();
    assert!(refused.is_validation_error());
    let allowed = env
        .api(
            Method::PATCH,
            &format!("/v1/pages/{parent}/markdown"),
            Some(json!({"type": "replace_content",
                "replace_content": {"new_str": "no db", "allow_deleting_content": true}})),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
    let db = env
        .client
        .retrieve_database(&env.token, &db_id)
        .await
        .unwrap();
    assert!(db.in_trash);
}

#[tokio::test]
async fn property_items_paginate_past_25_references() {
    let env = start(Seed::Empty).await;
    let (_, _, ds_id) = tasks_db(&env).await;
    let mut changes = SchemaChanges::new();
    changes.insert(
        "Related".into(),
        prop(PropertyConfig::Relation(notion::RelationConfig {
            database_id: None,
            data_source_id: Some(ds_id.clone()),
            relation_type: "single_property".into(),
            single_property: None,
            dual_property: None,
        })),
    );
    env.client
        .update_data_source(
            &env.token,
            &ds_id,
            &UpdateDataSourceRequest {
                properties: changes,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut targets = Vec::new();
    for i in 0..30 {
        targets.push(
            add_row(&env, &ds_id, vec![("Name", title(&format!("t{i}")))])
                .await
                .id,
        );
    }
    let runs: Vec<RichTextItem> = (0..30)
        .map(|i| RichTextItem::text(format!("r{i} ")))
        .collect();
    let r = add_row(
        &env,
        &ds_id,
        vec![
            ("Name", title("hub")),
            (
                "Related",
                PropertyValueKind::Relation(
                    targets.iter().map(|id| IdRef { id: id.clone() }).collect(),
                ),
            ),
            ("Notes", PropertyValueKind::RichText(runs)),
        ],
    )
    .await;
    // The page object cuts relations at 25 and says so.
    let related = &r.properties["Related"];
    match &related.value {
        PropertyValueKind::Relation(list) => assert_eq!(list.len(), 25),
        other => panic!("{other:?}"),
    }
    assert_eq!(related.has_more, Some(true));
    let rel_id = related.id.clone();

    // The property endpoint pages through all 30.
    let mut got = Vec::new();
    let mut page_req = Pagination::page_size(10);
    loop {
        let item = env
            .client
            .retrieve_page_property(&env.token, &r.id, &rel_id, &page_req)
            .await
            .unwrap();
        let PropertyItemResponse::List(list) = &item else {
            panic!("relation items are paginated")
        };
        assert_eq!(list.property_item.kind, "relation");
        got.extend(list.results.iter().map(|i| i.id.clone()));
        match &list.next_cursor {
            Some(c) => {
                assert!(list.property_item.next_url.is_some());
                page_req = page_req.after(c);
            }
            None => break,
        }
    }
    assert_eq!(got.len(), 30);
    let notes = env
        .client
        .retrieve_page_property(&env.token, &r.id, "Notes", &Pagination::default())
        .await
        .unwrap();
    assert_eq!(notes.items().len(), 30);
    let count = env
        .client
        .retrieve_page_property(&env.token, &r.id, "Count", &Pagination::default())
        .await
        .unwrap();
    assert!(matches!(count, PropertyItemResponse::Item(_)));
    let missing = env
        .api(
            Method::GET,
            &format!("/v1/pages/{}/properties/nope", r.id),
            None,
        )
        .await;
    assert_error(&missing, 404, "object_not_found");
    let bad_cursor = env
        .api(
            Method::GET,
            &format!("/v1/pages/{}/properties/{rel_id}?start_cursor=zzz", r.id),
            None,
        )
        .await;
    assert_error(&bad_cursor, 400, "validation_error");
}

#[tokio::test]
async fn legacy_2022_06_28_databases() {
    let env = start(Seed::Empty).await;
    let (_, db_id, ds_id) = tasks_db(&env).await;
    add_row(&env, &ds_id, vec![("Name", title("one"))]).await;

    // Data-source endpoints do not exist for 2022-06-28.
    for (method, path) in [
        (Method::GET, format!("/v1/data_sources/{ds_id}")),
        (Method::POST, format!("/v1/data_sources/{ds_id}/query")),
        (Method::POST, "/v1/data_sources".to_string()),
    ] {
        let raw = raw_v(&env, "2022-06-28", method, &path, Some(json!({}))).await;
        assert_error(&raw, 400, "invalid_request_url");
    }
    // The database query is answered, with rows under a `database_id` parent.
    let legacy = client_v(&env, "2022-06-28");
    let rows = legacy
        .query_database(&env.token, &db_id, &Default::default())
        .await
        .unwrap();
    assert_eq!(rows.results.len(), 1);
    let row = rows.results[0].as_page().unwrap();
    assert_eq!(row.parent, Some(Parent::DatabaseId(db_id.clone())));
    assert_eq!(row.archived, Some(false));
    // ... but not from 2025-09-03 on.
    let modern = env
        .api(
            Method::POST,
            &format!("/v1/databases/{db_id}/query"),
            Some(json!({})),
        )
        .await;
    assert_error(&modern, 400, "invalid_request_url");

    // The legacy database shape: the schema as `properties`, no `data_sources`.
    let db = legacy.retrieve_database(&env.token, &db_id).await.unwrap();
    assert!(db.data_sources.is_none());
    assert_eq!(db.properties.as_ref().map(|p| p.len()), Some(17));
    assert_eq!(db.archived, Some(false));
    // Search filters on `database` and returns databases.
    let found = legacy
        .search(
            &env.token,
            &SearchRequest {
                filter: Some(SearchFilter::Database),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(&found.results[0], SearchResult::Database(d) if d.id == db_id));
    let wrong = raw_v(
        &env,
        "2022-06-28",
        Method::POST,
        "/v1/search",
        Some(json!({"filter": {"property": "object", "value": "data_source"}})),
    )
    .await;
    assert_error(&wrong, 400, "validation_error");
    // A legacy create takes `properties` on the database itself.
    let parent = page(&env, "Legacy parent", "").await;
    let created = raw_v(
        &env,
        "2022-06-28",
        Method::POST,
        "/v1/databases",
        Some(
            json!({"parent": {"page_id": parent}, "title": [{"text": {"content": "Old"}}],
            "properties": {"Name": {"title": {}}, "Size": {"number": {}}}}),
        ),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.json["properties"]["Size"]["type"], "number");
    assert!(created.json["created_by"].is_object());
}
