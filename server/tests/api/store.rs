//! The same store suite on SQLite and on PostgreSQL (SPEC §6: same behaviour on both).

use crate::helpers::{fresh_postgres_url, fresh_sqlite_url};
use server::store::{
    ConflictRecord, ItemBase, LogRecord, NewConnection, NewMapping, SessionRecord, Store,
};

#[tokio::test]
async fn store_suite_on_sqlite() {
    let (url, _dir) = fresh_sqlite_url();
    suite(Store::connect(&url).await.expect("sqlite store")).await;
}

#[tokio::test]
async fn store_suite_on_postgres() {
    let Some(url) = fresh_postgres_url().await else {
        return;
    };
    suite(Store::connect(&url).await.expect("postgres store")).await;
}

async fn suite(store: Store) {
    single_use_secrets(&store).await;
    connections_and_mappings(&store).await;
    bases_sessions_conflicts_logs(&store).await;
    store.close().await;
}

async fn single_use_secrets(store: &Store) {
    store.insert_ticket("t1", 7, "inst", 1_000).await.unwrap();
    assert_eq!(
        store.take_ticket("t1", 999).await.unwrap(),
        Some((7, "inst".to_string()))
    );
    assert_eq!(
        store.take_ticket("t1", 999).await.unwrap(),
        None,
        "a ticket works once"
    );
    store.insert_ticket("t2", 7, "inst", 1_000).await.unwrap();
    assert_eq!(
        store.take_ticket("t2", 1_000).await.unwrap(),
        None,
        "an expired ticket is refused"
    );
    assert_eq!(store.take_ticket("t2", 0).await.unwrap(), None, "and gone");
    store
        .insert_oauth_state("s1", 9, "inst9", 500)
        .await
        .unwrap();
    assert_eq!(
        store.take_oauth_state("s1", 10).await.unwrap(),
        Some((9, "inst9".to_string()))
    );
    assert_eq!(store.take_oauth_state("s1", 10).await.unwrap(), None);
}

fn connection(user_id: i64, workspace: &str) -> NewConnection {
    NewConnection {
        user_id,
        installation_id: format!("inst-{user_id}"),
        workspace_id: format!("ws-{workspace}"),
        workspace_name: workspace.to_string(),
        workspace_icon: None,
        bot_id: "bot".into(),
        access_token_enc: "sealed-access".into(),
        refresh_token_enc: Some("sealed-refresh".into()),
    }
}

async fn connections_and_mappings(store: &Store) {
    let a = store
        .upsert_connection(&connection(1, "Acme"), 10)
        .await
        .unwrap();
    let again = store
        .upsert_connection(&connection(1, "Acme 2"), 11)
        .await
        .unwrap();
    assert_eq!(
        a.id, again.id,
        "reconnecting replaces the connection in place"
    );
    assert_eq!(
        store.connection(1).await.unwrap().unwrap().workspace_name,
        "Acme 2"
    );
    let b = store
        .upsert_connection(&connection(2, "Other"), 12)
        .await
        .unwrap();
    assert_ne!(a.id, b.id);

    let m = store
        .insert_mapping(
            &NewMapping {
                user_id: 1,
                configuration_id: a.id.clone(),
                kind: "file_page".into(),
                repl_id: Some("repl".into()),
                path: "notes.md".into(),
                notion_page_id: None,
                notion_parent_page_id: None,
                direction: "bidirectional".into(),
                strategy: "merge".into(),
            },
            20,
        )
        .await
        .unwrap();
    assert_eq!(m.status, "never_synced");
    assert_eq!(store.mappings(1).await.unwrap(), vec![m.clone()]);
    assert!(store.mappings(2).await.unwrap().is_empty());
    // Another user's id reads as absent and cannot be deleted (IDOR).
    assert_eq!(store.mapping(2, &m.id).await.unwrap(), None);
    assert!(!store.delete_mapping(2, &m.id).await.unwrap());

    store
        .set_mapping_page(&m.id, "page-1", Some("https://notion/p"), "Notes", 21)
        .await
        .unwrap();
    store
        .set_mapping_status(&m.id, "synced", Some(22), 22)
        .await
        .unwrap();
    store
        .set_mapping_status(&m.id, "failed", None, 23)
        .await
        .unwrap();
    let m2 = store.mapping(1, &m.id).await.unwrap().unwrap();
    assert_eq!(m2.notion_page_id.as_deref(), Some("page-1"));
    assert_eq!(m2.title.as_deref(), Some("Notes"));
    assert_eq!(m2.status, "failed");
    assert_eq!(
        m2.last_synced_at,
        Some(22),
        "a status without a sync time keeps the last one"
    );

    // Disconnecting removes the user's mappings with it.
    assert!(store.delete_connection(2).await.unwrap());
    assert!(store.connection(2).await.unwrap().is_none());
}

async fn bases_sessions_conflicts_logs(store: &Store) {
    let conn = store.connection(1).await.unwrap().unwrap();
    let m = store
        .insert_mapping(
            &NewMapping {
                user_id: 1,
                configuration_id: conn.id.clone(),
                kind: "file_page".into(),
                repl_id: None,
                path: "docs/spec.md".into(),
                notion_page_id: None,
                notion_parent_page_id: Some("parent".into()),
                direction: "bidirectional".into(),
                strategy: "merge".into(),
            },
            30,
        )
        .await
        .unwrap();
    assert_eq!(store.item(&m.id, "docs/spec.md").await.unwrap(), None);
    let mut base = ItemBase {
        mapping_id: m.id.clone(),
        path: "docs/spec.md".into(),
        notion_page_id: "page".into(),
        local_hash: "l1".into(),
        remote_hash: "r1".into(),
        base_text: "text ünïcode\r\n".into(),
        remote_markdown: "md".into(),
        title: "Spec".into(),
        title_from_h1: true,
        properties: "{}".into(),
    };
    store.put_item(&base, 31).await.unwrap();
    assert_eq!(
        store.item(&m.id, "docs/spec.md").await.unwrap(),
        Some(base.clone())
    );
    base.local_hash = "l2".into();
    base.title_from_h1 = false;
    store.put_item(&base, 32).await.unwrap();
    assert_eq!(store.item(&m.id, "docs/spec.md").await.unwrap(), Some(base));

    let s = SessionRecord {
        id: "sess".into(),
        user_id: 1,
        mapping_id: m.id.clone(),
        stage: "started".into(),
        state: "{}".into(),
        expires_at: 100,
    };
    store.insert_session(&s, 40).await.unwrap();
    assert!(
        store.session(2, "sess", 40).await.unwrap().is_none(),
        "sessions are per user"
    );
    assert!(
        store.session(1, "sess", 100).await.unwrap().is_none(),
        "and expire"
    );
    assert!(store
        .advance_session("sess", "started", "planned", "{\"x\":1}")
        .await
        .unwrap());
    assert!(
        !store
            .advance_session("sess", "started", "planned", "{}")
            .await
            .unwrap(),
        "a stage moves once"
    );
    assert_eq!(
        store.session(1, "sess", 41).await.unwrap().unwrap().state,
        "{\"x\":1}"
    );

    let conflict = ConflictRecord {
        user_id: 1,
        mapping_id: m.id.clone(),
        path: "docs/spec.md".into(),
        base_text: "base".into(),
        local_text: None,
        remote_text: "remote".into(),
        local_hash: None,
        remote_hash: "r".into(),
    };
    let id = store.upsert_conflict(&conflict, 50).await.unwrap();
    assert_eq!(store.open_conflicts(1).await.unwrap(), 1);
    assert_eq!(store.open_conflicts(2).await.unwrap(), 0);
    // One unsettled conflict per item: a newer one updates it, and drops a stale choice.
    assert!(store
        .resolve_conflict(1, &id, "keep_notion", None)
        .await
        .unwrap());
    assert!(
        !store
            .resolve_conflict(2, &id, "keep_notion", None)
            .await
            .unwrap(),
        "not another user's"
    );
    let newer = ConflictRecord {
        remote_text: "remote 2".into(),
        remote_hash: "r2".into(),
        ..conflict.clone()
    };
    assert_eq!(store.upsert_conflict(&newer, 51).await.unwrap(), id);
    let stored = store.conflict(1, &id).await.unwrap().unwrap();
    assert_eq!((stored.status.as_str(), stored.resolution), ("open", None));
    assert_eq!(stored.remote_text, "remote 2");
    store.mark_conflict_applied(&id, 52).await.unwrap();
    assert!(store.conflicts(1).await.unwrap().is_empty());
    assert_ne!(
        store.upsert_conflict(&conflict, 53).await.unwrap(),
        id,
        "a settled conflict is history"
    );

    for (i, status) in ["success", "partial", "failure"].iter().enumerate() {
        store
            .insert_log(&LogRecord {
                id: format!("log{i}"),
                user_id: 1,
                mapping_id: Some(m.id.clone()),
                operation: "sync".into(),
                status: status.to_string(),
                records_processed: i as i64,
                conflicts_detected: 0,
                conflicts_resolved: 0,
                error_details: None,
                duration_ms: 5,
                created_at: 60 + i as i64,
            })
            .await
            .unwrap();
    }
    let logs = store.logs(1, 2).await.unwrap();
    assert_eq!(
        logs.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["log2", "log1"],
        "newest first, limited"
    );
    assert!(store.logs(2, 10).await.unwrap().is_empty());
}
