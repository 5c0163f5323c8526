//! Notion-shaped error answers.
//!
//! Every failure leaves as `{"object":"error","status",…,"code","message","request_id"}` with
//! the HTTP status mirrored in the body; the request-id middleware adds `request_id`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use notion::{codes, ErrorObject};
use serde_json::Value;
use uuid::Uuid;

use crate::ids;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub additional_data: Option<Value>,
    /// OAuth token endpoints also answer RFC 6749 keys (`error`, `error_description`), which is
    /// what OAuth libraries such as the `oauth2` crate parse.
    pub oauth_error: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            additional_data: None,
            oauth_error: None,
        }
    }

    pub fn missing_version() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::MISSING_VERSION,
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "API token is invalid.",
        )
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::VALIDATION_ERROR, message)
    }

    pub fn invalid_json(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_JSON,
            format!("Error parsing JSON body. {detail}"),
        )
    }

    pub fn invalid_request_url() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST_URL,
            "Invalid request URL.",
        )
    }

    /// 404 for an id that does not exist *or* is not shared with the integration: Notion gives
    /// the same answer for both so that ids cannot be probed.
    pub fn not_found(kind: &str, id: Uuid, integration_name: &str, integration_id: Uuid) -> Self {
        let mut err = Self::new(
            StatusCode::NOT_FOUND,
            codes::OBJECT_NOT_FOUND,
            format!(
                "Could not find {kind} with ID: {}. Make sure the relevant pages and databases are shared with your integration \"{integration_name}\".",
                ids::dashed(id)
            ),
        );
        err.additional_data =
            Some(serde_json::json!({ "integration_id": ids::dashed(integration_id) }));
        err
    }

    /// A malformed id in the URL path.
    pub fn invalid_path_id(param: &str, raw: &str) -> Self {
        Self::validation(format!(
            "path failed validation: path.{param} should be a valid uuid, instead was `{}`.",
            serde_json::Value::from(raw)
        ))
    }

    pub fn invalid_grant(message: impl Into<String>) -> Self {
        let mut err = Self::new(StatusCode::BAD_REQUEST, codes::INVALID_GRANT, message);
        err.oauth_error = Some("invalid_grant");
        err
    }

    pub fn invalid_client() -> Self {
        let mut err = Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "Invalid client credentials.",
        );
        err.oauth_error = Some("invalid_client");
        err
    }

    pub fn oauth(mut self, error: &'static str) -> Self {
        self.oauth_error = Some(error);
        self
    }

    pub fn body(&self) -> Value {
        let mut object = ErrorObject::new(self.status.as_u16(), self.code, self.message.clone());
        object.additional_data = self.additional_data.clone();
        let mut value = serde_json::to_value(&object).unwrap_or(Value::Null);
        if let (Some(error), Value::Object(map)) = (self.oauth_error, &mut value) {
            map.insert("error".into(), Value::from(error));
            map.insert(
                "error_description".into(),
                Value::from(self.message.clone()),
            );
        }
        value
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
