//! Deliveries as Notion sends them: the JSON payload and its signature.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Queued;
use crate::events::entity_json;
use crate::ids;

/// The `api_version` webhook payloads carry.
const API_VERSION: &str = "2026-03-11";

/// `sha256=<hex HMAC-SHA256(key = verification token, message = body)>`.
pub fn sign(token: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(token.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The event as Notion delivers it (see the fixtures under `notionrs_webhooks/src/events`).
pub(super) fn payload(item: &Queued) -> Vec<u8> {
    let cx = &item.context;
    let people = |list: &[(Uuid, &'static str)]| -> Vec<Value> {
        list.iter()
            .map(|(id, kind)| json!({ "id": ids::dashed(*id), "type": kind }))
            .collect()
    };
    let mut data = serde_json::Map::new();
    data.insert("parent".into(), entity_json(item.parent));
    if item.kind.ends_with(".content_updated") {
        let blocks: Vec<Value> = item
            .updated_blocks
            .iter()
            .map(|id| json!({ "id": ids::dashed(*id), "type": "block" }))
            .collect();
        data.insert("updated_blocks".into(), blocks.into());
    }
    if item.kind.ends_with(".properties_updated") || item.kind.ends_with(".schema_updated") {
        data.insert(
            "updated_properties".into(),
            item.updated_properties.clone().into(),
        );
    }
    let mut body = json!({
        "id": ids::dashed(item.event_id),
        "timestamp": timestamp(item.at),
        "workspace_id": ids::dashed(cx.workspace_id),
        "workspace_name": cx.workspace_name,
        "subscription_id": ids::dashed(cx.subscription_id),
        "integration_id": ids::dashed(cx.integration_id),
        "type": item.kind,
        "authors": people(&item.authors),
        "attempt_number": item.attempt,
        "api_version": API_VERSION,
        "entity": entity_json(item.entity),
        "data": data,
    });
    if let (Some(list), Value::Object(map)) = (&cx.accessible_by, &mut body) {
        map.insert("accessible_by".into(), people(list).into());
    }
    serde_json::to_vec(&body).unwrap_or_default()
}

/// `2024-12-05T19:49:36.997Z`: webhook timestamps keep milliseconds.
fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_the_raw_body() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn formats_timestamps_with_milliseconds() {
        let at = time::macros::datetime!(2024-12-05 19:49:36.997123 UTC);
        assert_eq!(timestamp(at), "2024-12-05T19:49:36.997Z");
    }
}
