//! `/ws/sync-status`: live progress, authenticated by a single-use ticket.

use crate::helpers::{Db, TestApp};
use crate::sync::{new_page_mapping, Panel};
use futures_util::StreamExt;
use protocol::api::{ProgressStage, SyncEvent};
use std::time::Duration;

pub(crate) async fn socket(
    app: &TestApp,
    ticket: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::Error,
> {
    let mut url = app
        .url
        .join(&format!("ws/sync-status?ticket={ticket}"))
        .unwrap();
    url.set_scheme("ws").unwrap();
    tokio_tungstenite::connect_async(url.as_str())
        .await
        .map(|(ws, _)| ws)
}

#[tokio::test]
async fn a_sync_streams_progress_then_completion_to_its_user_only() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(91).await;
    app.connect_notion(&client).await;
    let bystander = app.login(92).await;
    let mut mine = socket(&app, &client.ticket().await.unwrap().ticket)
        .await
        .unwrap();
    let mut theirs = socket(&app, &bystander.ticket().await.unwrap().ticket)
        .await
        .unwrap();

    let mapping = new_page_mapping(&client, "live.md").await;
    let mut file = Some("Live.\n".to_string());
    Panel { client: &client }
        .sync(&mapping, "live.md", &mut file)
        .await;

    let mut events = Vec::new();
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_secs(5), mine.next()).await {
        let event: SyncEvent = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        let done = matches!(event, SyncEvent::SyncCompleted { .. });
        events.push(event);
        if done {
            break;
        }
    }
    let stages: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            SyncEvent::ItemProgress { stage, path, .. } => Some((path.as_str(), *stage)),
            _ => None,
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("live.md", ProgressStage::ReadingNotion),
            ("live.md", ProgressStage::WritingNotion),
            ("live.md", ProgressStage::Planned)
        ]
    );
    match events.last() {
        Some(SyncEvent::SyncCompleted {
            mapping_id,
            summary,
            ..
        }) => {
            assert_eq!(mapping_id, &mapping);
            assert_eq!(summary.created, 1);
        }
        other => panic!("no completion: {other:?}"),
    }
    // The other user's socket heard nothing.
    assert!(
        tokio::time::timeout(Duration::from_millis(300), theirs.next())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_socket_needs_a_fresh_ticket() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(93).await;
    assert!(socket(&app, "bogus").await.is_err());
    let ticket = client.ticket().await.unwrap().ticket;
    assert!(socket(&app, &ticket).await.is_ok());
    assert!(
        socket(&app, &ticket).await.is_err(),
        "tickets are single-use"
    );
}
