//! What can go wrong talking to Notion.

use std::time::Duration;

use crate::models::codes;

/// A failed Notion call.
///
/// `Api` carries Notion's own error object; the helpers (`is_not_found`, …) exist so callers
/// branch on meaning rather than on raw codes. A 404 means "missing *or not shared*": never
/// treat it as proof of deletion (SPEC G7).
#[derive(Debug, thiserror::Error)]
pub enum NotionError {
    /// Notion answered with an error object.
    #[error("notion api error {status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// 429 after the retry budget was spent (or a `Retry-After` too long to wait for).
    #[error("notion rate limit hit (retry after {retry_after:?})")]
    RateLimited {
        retry_after: Option<Duration>,
        request_id: Option<String>,
    },
    /// A non-JSON or unreadable error answer (e.g. a proxy's HTML 502).
    #[error("unexpected notion response status {status}")]
    UnexpectedStatus {
        status: u16,
        request_id: Option<String>,
    },
    /// The request did not complete in time; for writes the outcome is unknown.
    #[error("notion request timed out")]
    Timeout,
    /// Transport failure (connect, TLS, reset).
    #[error("notion transport error: {0}")]
    Http(#[source] reqwest::Error),
    /// A success answer whose body did not match the model.
    #[error("could not decode notion response: {0}")]
    Decode(#[source] serde_json::Error),
    /// The request could not be built (bad base URL, unencodable body).
    #[error("invalid notion request: {0}")]
    InvalidRequest(String),
}

impl NotionError {
    /// HTTP status, when Notion answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            NotionError::Api { status, .. } | NotionError::UnexpectedStatus { status, .. } => {
                Some(*status)
            }
            NotionError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Notion's error code (`object_not_found`, …), when Notion answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            NotionError::Api { code, .. } => Some(code),
            NotionError::RateLimited { .. } => Some(codes::RATE_LIMITED),
            _ => None,
        }
    }

    /// Notion's request id, for support and log correlation.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            NotionError::Api { request_id, .. }
            | NotionError::RateLimited { request_id, .. }
            | NotionError::UnexpectedStatus { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Missing or not shared with this integration.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(codes::OBJECT_NOT_FOUND)
    }

    /// The token is invalid, revoked or expired: refresh or re-authorize.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401) || self.code() == Some(codes::UNAUTHORIZED)
    }

    /// The integration lacks a capability for this endpoint.
    pub fn is_restricted(&self) -> bool {
        self.code() == Some(codes::RESTRICTED_RESOURCE)
    }

    pub fn is_validation_error(&self) -> bool {
        self.code() == Some(codes::VALIDATION_ERROR)
    }

    pub fn is_rate_limited(&self) -> bool {
        matches!(self, NotionError::RateLimited { .. }) || self.status() == Some(529)
    }

    /// An OAuth code or refresh token that is invalid, used, expired or revoked.
    pub fn is_invalid_grant(&self) -> bool {
        self.code() == Some(codes::INVALID_GRANT)
    }

    /// Worth retrying later (rate limits, overload, 5xx, timeouts, transport errors).
    /// For writes, re-read state first: the write may have been applied.
    pub fn is_transient(&self) -> bool {
        match self {
            NotionError::RateLimited { .. } | NotionError::Timeout | NotionError::Http(_) => true,
            NotionError::Api { status, code, .. } => {
                *status >= 500 || *status == 429 || code == codes::CONFLICT_ERROR
            }
            NotionError::UnexpectedStatus { status, .. } => *status >= 500,
            NotionError::Decode(_) | NotionError::InvalidRequest(_) => false,
        }
    }

    /// `Retry-After` as sent by Notion, for rate-limit errors.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            NotionError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}
