//! `POST /v1/data_sources/{id}/query`: compound filters over every filterable type, timestamp
//! filters, sorts, pagination and `filter_properties`.

use notion::{
    CheckboxCondition, ContainsCondition, CreateDatabaseRequest, CreatePageRequest, DateCondition,
    EmptyConfig, Filter, NumberCondition, NumberConfig, PropertyCondition, PropertyConfig,
    PropertySchemaRequest, QueryRequest, SchemaChanges, SelectCondition, SelectConfig, Sort,
    SortDirection, TextCondition, TimestampKind,
};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::{json, Value};

use crate::build::page;
use crate::support::{assert_error, start, Env};

async fn setup(env: &Env) -> String {
    let parent = page(env, "Q", "").await;
    let mut schema = SchemaChanges::new();
    let mut add = |name: &str, c: PropertyConfig| {
        schema.insert(name.into(), Some(PropertySchemaRequest::new(c)));
    };
    add("Name", PropertyConfig::Title(EmptyConfig {}));
    add("Notes", PropertyConfig::RichText(EmptyConfig {}));
    add("Count", PropertyConfig::Number(NumberConfig::default()));
    add("Done", PropertyConfig::Checkbox(EmptyConfig {}));
    add("Kind", PropertyConfig::Select(SelectConfig::default()));
    add("Tags", PropertyConfig::MultiSelect(SelectConfig::default()));
    add("Status", PropertyConfig::Status(Default::default()));
    add("Due", PropertyConfig::Date(EmptyConfig {}));
    let db = env
        .client
        .create_database(
            &env.token,
            &CreateDatabaseRequest::under_page(&parent, "Q", schema),
        )
        .await
        .unwrap();
    let ds = db.single_data_source().unwrap().id.clone();
    let rows = [
        json!({"Name": {"title": [{"text": {"content": "Alpha spec"}}]}, "Count": {"number": 1},
            "Done": {"checkbox": true}, "Kind": {"select": {"name": "bug"}},
            "Tags": {"multi_select": [{"name": "x"}, {"name": "y"}]},
            "Status": {"status": {"name": "Done"}}, "Due": {"date": {"start": "2026-01-10"}},
            "Notes": {"rich_text": [{"text": {"content": "first"}}]}}),
        json!({"Name": {"title": [{"text": {"content": "Beta"}}]}, "Count": {"number": 5},
            "Kind": {"select": {"name": "idea"}}, "Tags": {"multi_select": [{"name": "y"}]},
            "Status": {"status": {"name": "In progress"}}, "Due": {"date": {"start": "2026-02-01T10:00:00Z"}}}),
        json!({"Name": {"title": [{"text": {"content": "Gamma spec"}}]}, "Count": {"number": 3},
            "Done": {"checkbox": true}}),
        json!({"Name": {"title": [{"text": {"content": "Delta"}}]}}),
    ];
    for props in rows {
        let r = env
            .api(
                Method::POST,
                "/v1/pages",
                Some(json!({"parent": {"data_source_id": ds}, "properties": props})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    ds
}

async fn names(env: &Env, ds: &str, req: &QueryRequest) -> Vec<String> {
    env.client
        .query_data_source_all(&env.token, ds, req)
        .await
        .unwrap()
        .iter()
        .map(|r| r.title())
        .collect()
}

fn by(filter: Filter) -> QueryRequest {
    QueryRequest {
        filter: Some(filter),
        ..Default::default()
    }
}

fn p(name: &str, c: PropertyCondition) -> Filter {
    Filter::property(name, c)
}

#[tokio::test]
async fn filters_over_each_type() {
    let env = start(Seed::Empty).await;
    let ds = setup(&env).await;
    let cases: Vec<(Filter, Vec<&str>)> = vec![
        (
            p(
                "Name",
                PropertyCondition::Title(TextCondition::Contains("SPEC".into())),
            ),
            vec!["Alpha spec", "Gamma spec"],
        ),
        (
            p(
                "Name",
                PropertyCondition::Title(TextCondition::Equals("Beta".into())),
            ),
            vec!["Beta"],
        ),
        (
            p(
                "Name",
                PropertyCondition::Title(TextCondition::StartsWith("del".into())),
            ),
            vec!["Delta"],
        ),
        (
            p(
                "Notes",
                PropertyCondition::RichText(TextCondition::IsNotEmpty(true)),
            ),
            vec!["Alpha spec"],
        ),
        (
            p(
                "Count",
                PropertyCondition::Number(NumberCondition::GreaterThan(2.0)),
            ),
            vec!["Beta", "Gamma spec"],
        ),
        (
            p(
                "Count",
                PropertyCondition::Number(NumberCondition::IsEmpty(true)),
            ),
            vec!["Delta"],
        ),
        (
            p(
                "Done",
                PropertyCondition::Checkbox(CheckboxCondition::Equals(true)),
            ),
            vec!["Alpha spec", "Gamma spec"],
        ),
        (
            p(
                "Kind",
                PropertyCondition::Select(SelectCondition::Equals("idea".into())),
            ),
            vec!["Beta"],
        ),
        (
            p(
                "Kind",
                PropertyCondition::Select(SelectCondition::IsEmpty(true)),
            ),
            vec!["Gamma spec", "Delta"],
        ),
        (
            p(
                "Tags",
                PropertyCondition::MultiSelect(ContainsCondition::Contains("y".into())),
            ),
            vec!["Alpha spec", "Beta"],
        ),
        (
            p(
                "Tags",
                PropertyCondition::MultiSelect(ContainsCondition::DoesNotContain("x".into())),
            ),
            vec!["Beta", "Gamma spec", "Delta"],
        ),
        (
            p(
                "Status",
                PropertyCondition::Status(SelectCondition::Equals("Done".into())),
            ),
            vec!["Alpha spec"],
        ),
        (
            p(
                "Due",
                PropertyCondition::Date(DateCondition::OnOrAfter("2026-01-15".into())),
            ),
            vec!["Beta"],
        ),
        (
            p(
                "Due",
                PropertyCondition::Date(DateCondition::Equals("2026-01-10".into())),
            ),
            vec!["Alpha spec"],
        ),
        (
            p(
                "Due",
                PropertyCondition::Date(DateCondition::Before("2026-02-01".into())),
            ),
            vec!["Alpha spec"],
        ),
        (
            p("Due", PropertyCondition::Date(DateCondition::IsEmpty(true))),
            vec!["Gamma spec", "Delta"],
        ),
        // Compound, two levels.
        (
            Filter::Or(vec![
                p(
                    "Kind",
                    PropertyCondition::Select(SelectCondition::Equals("bug".into())),
                ),
                Filter::And(vec![
                    p(
                        "Done",
                        PropertyCondition::Checkbox(CheckboxCondition::Equals(true)),
                    ),
                    p(
                        "Count",
                        PropertyCondition::Number(NumberCondition::LessThanOrEqualTo(3.0)),
                    ),
                ]),
            ]),
            vec!["Alpha spec", "Gamma spec"],
        ),
        // Timestamp filters need no property.
        (
            Filter::edited_since("2020-01-01T00:00:00Z"),
            vec!["Alpha spec", "Beta", "Gamma spec", "Delta"],
        ),
        (
            Filter::Timestamp {
                timestamp: TimestampKind::CreatedTime,
                condition: DateCondition::Before("2020-01-01".into()),
            },
            vec![],
        ),
        (
            Filter::Timestamp {
                timestamp: TimestampKind::CreatedTime,
                condition: DateCondition::PastWeek(Default::default()),
            },
            vec!["Alpha spec", "Beta", "Gamma spec", "Delta"],
        ),
    ];
    for (filter, expected) in cases {
        let got = names(&env, &ds, &by(filter.clone())).await;
        assert_eq!(
            got,
            expected,
            "filter {}",
            serde_json::to_string(&filter).unwrap()
        );
    }
}

#[tokio::test]
async fn bad_queries_are_validation_errors() {
    let env = start(Seed::Empty).await;
    let ds = setup(&env).await;
    let path = format!("/v1/data_sources/{ds}/query");
    let deep =
        json!({"and": [{"or": [{"and": [{"property": "Done", "checkbox": {"equals": true}}]}]}]});
    for body in [
        json!({"filter": deep}),
        json!({"filter": {"property": "Nope", "checkbox": {"equals": true}}}),
        json!({"filter": {"property": "Done", "number": {"equals": 1}}}),
        json!({"filter": {"property": "Done", "checkbox": {"sounds_like": true}}}),
        json!({"sorts": [{"property": "Nope", "direction": "ascending"}]}),
        json!({"start_cursor": "not-a-cursor"}),
        json!({"page_size": 0}),
    ] {
        let raw = env.api(Method::POST, &path, Some(body.clone())).await;
        assert_error(&raw, 400, "validation_error");
    }
    let missing = env
        .api(
            Method::POST,
            "/v1/data_sources/00000000-0000-4000-8000-000000000000/query",
            Some(json!({})),
        )
        .await;
    assert_error(&missing, 404, "object_not_found");
}

#[tokio::test]
async fn sorts_pagination_and_filter_properties() {
    let env = start(Seed::Empty).await;
    let ds = setup(&env).await;
    let by_count = QueryRequest {
        sorts: vec![Sort::Property {
            property: "Count".into(),
            direction: SortDirection::Descending,
        }],
        ..Default::default()
    };
    // Empty values sort last.
    assert_eq!(
        names(&env, &ds, &by_count).await,
        ["Beta", "Gamma spec", "Alpha spec", "Delta"]
    );
    let by_name = QueryRequest {
        sorts: vec![Sort::Property {
            property: "Name".into(),
            direction: SortDirection::Ascending,
        }],
        ..Default::default()
    };
    assert_eq!(
        names(&env, &ds, &by_name).await,
        ["Alpha spec", "Beta", "Delta", "Gamma spec"]
    );
    let by_created = QueryRequest {
        sorts: vec![Sort::Timestamp {
            timestamp: TimestampKind::CreatedTime,
            direction: SortDirection::Ascending,
        }],
        ..Default::default()
    };
    assert_eq!(
        names(&env, &ds, &by_created).await,
        ["Alpha spec", "Beta", "Gamma spec", "Delta"]
    );

    // Pages of two, following cursors.
    let first = env
        .client
        .query_data_source(
            &env.token,
            &ds,
            &QueryRequest {
                page_size: Some(2),
                ..by_name.clone()
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!((first.results.len(), first.has_more), (2, true));
    let second = env
        .client
        .query_data_source(
            &env.token,
            &ds,
            &QueryRequest {
                page_size: Some(2),
                start_cursor: first.next_cursor.clone(),
                ..by_name.clone()
            },
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        second.results.iter().map(|r| r.title()).collect::<Vec<_>>(),
        ["Delta", "Gamma spec"]
    );
    assert!(!second.has_more && second.next_cursor.is_none());
    assert_eq!(first.kind.as_deref(), Some("page_or_data_source"));

    // filter_properties limits what each row shows.
    let slim = env
        .client
        .query_data_source(
            &env.token,
            &ds,
            &QueryRequest::default(),
            &["Count", "title"],
        )
        .await
        .unwrap();
    let row = slim.results[0].as_page().unwrap();
    let mut keys: Vec<&str> = row.properties.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["Count", "Name"]);

    // Trashed rows leave the results (and can be asked for with `in_trash`).
    let all = env
        .client
        .query_data_source_all(&env.token, &ds, &QueryRequest::default())
        .await
        .unwrap();
    let beta = all
        .iter()
        .find(|r| r.title() == "Beta")
        .and_then(|r| r.id())
        .unwrap()
        .to_string();
    env.client.delete_block(&env.token, &beta).await.unwrap();
    assert_eq!(names(&env, &ds, &QueryRequest::default()).await.len(), 3);
    let trash = names(
        &env,
        &ds,
        &QueryRequest {
            in_trash: Some(true),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(trash, ["Beta"]);
    let _: Value = json!(null);
    let _ = CreatePageRequest::default();
}
