//! Files and icons: `{"type":"external","external":{"url":…}}` and friends.

use serde::{Deserialize, Serialize};

use super::tagged::tagged_enum;
use super::timestamp::Timestamp;

/// A file hosted elsewhere; the URL never expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalFile {
    pub url: String,
}

/// A Notion-hosted file; the signed URL expires (about an hour), so never store it as identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedFile {
    pub url: String,
    #[serde(default)]
    pub expiry_time: Option<Timestamp>,
}

/// A reference to a finished file upload (request side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileUploadRef {
    pub id: String,
}

tagged_enum! {
    /// A file reference (page cover, media blocks, `files` property items).
    pub enum FileObject {
        External(ExternalFile) = "external",
        File(HostedFile) = "file",
        FileUpload(FileUploadRef) = "file_upload",
    }
}

impl FileObject {
    /// The URL, for external and hosted files.
    pub fn url(&self) -> Option<&str> {
        match self {
            FileObject::External(f) => Some(&f.url),
            FileObject::File(f) => Some(&f.url),
            _ => None,
        }
    }
}

tagged_enum! {
    /// A page, callout or database icon.
    pub enum Icon {
        Emoji(String) = "emoji",
        External(ExternalFile) = "external",
        File(HostedFile) = "file",
        FileUpload(FileUploadRef) = "file_upload",
        CustomEmoji(serde_json::Value) = "custom_emoji",
        /// Notion's own icon set: `{name, color}`.
        Icon(serde_json::Value) = "icon",
    }
}

/// An item of a `files` property: a named file reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedFile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(flatten)]
    pub file: FileObject,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icon_round_trip() {
        let raw = r#"{"type":"emoji","emoji":"🌄"}"#;
        let icon: Icon = serde_json::from_str(raw).unwrap();
        assert_eq!(icon, Icon::Emoji("🌄".into()));
        assert_eq!(serde_json::to_string(&icon).unwrap(), raw);
        let odd: Icon = serde_json::from_str(r#"{"type":"sparkle","sparkle":{"x":1}}"#).unwrap();
        assert_eq!(odd.type_name(), "sparkle");
    }
}
