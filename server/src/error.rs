//! One error type for every route: a status, a stable code and a message for people.
//!
//! Internal failures are logged with their whole chain and answered with a generic message, so
//! nothing about the database or a token leaks to the caller.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::api::{ErrorBody, ErrorDetail};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    source: Option<anyhow::Error>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            source: None,
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn not_connected() -> ApiError {
        ApiError::new(
            StatusCode::CONFLICT,
            "not_connected",
            "Notion is not connected: click \"Connect Notion\" first",
        )
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "the relay hit an internal error; try again, and check the relay's logs if it persists".into(),
            source: Some(err.into()),
        }
    }

    /// A Notion failure, translated into what the user can do about it.
    pub fn notion(err: notion::NotionError) -> ApiError {
        let (status, code, message) = if err.is_unauthorized() {
            (
                StatusCode::UNAUTHORIZED,
                "notion_unauthorized",
                "Notion refused the connection's token: reconnect Notion".to_string(),
            )
        } else if err.is_not_found() {
            (
                StatusCode::NOT_FOUND,
                "notion_not_found",
                "the Notion page was not found or is no longer shared with the integration"
                    .to_string(),
            )
        } else {
            (
                StatusCode::BAD_GATEWAY,
                "notion_error",
                format!("Notion request failed: {err}"),
            )
        };
        ApiError {
            status,
            code,
            message,
            source: Some(err.into()),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        ApiError::internal(e)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(source) = &self.source {
            if self.status.is_server_error() {
                tracing::error!(
                    code = self.code,
                    error = format!("{source:#}"),
                    "request failed"
                );
            } else {
                tracing::warn!(
                    code = self.code,
                    error = format!("{source:#}"),
                    "request failed"
                );
            }
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
