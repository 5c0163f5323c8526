//! `Notion-Version` handling: which dated versions are accepted and what differs between them.

/// The versions Notion has published. Older ones are accepted (Notion still answers them) and
/// get the pre-2026 response shape.
const KNOWN: &[&str] = &[
    "2021-05-11",
    "2021-05-13",
    "2021-08-16",
    "2022-02-22",
    "2022-06-28",
    "2025-09-03",
    "2026-03-11",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion(&'static str);

impl ApiVersion {
    pub const CURRENT: ApiVersion = ApiVersion("2026-03-11");

    pub fn parse(raw: &str) -> Option<ApiVersion> {
        KNOWN
            .iter()
            .find(|v| **v == raw.trim())
            .map(|v| ApiVersion(v))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Up to 2025-09-03 responses carry `archived` next to `in_trash`; 2026-03-11 dropped it.
    pub fn has_archived_key(self) -> bool {
        self.0 < "2026-03-11"
    }

    /// 2025-09-03 split databases into containers and data sources. Before it: databases carry
    /// `properties`, rows have a `database_id` parent, `POST /v1/databases/{id}/query` is the
    /// row query, search filters on `database`, and `/v1/data_sources` does not exist.
    pub fn has_data_sources(self) -> bool {
        self.0 >= "2025-09-03"
    }

    /// 2026-03-11 replaced the flat `after` of append-children with `position`.
    pub fn uses_append_position(self) -> bool {
        self.0 >= "2026-03-11"
    }

    /// The block type Notion renamed in 2026-03-11 (`transcription` → `meeting_notes`).
    pub fn meeting_notes_type(self) -> &'static str {
        if self.0 >= "2026-03-11" {
            "meeting_notes"
        } else {
            "transcription"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(ApiVersion::parse("2025-09-03").unwrap().has_archived_key());
        assert!(!ApiVersion::parse("2026-03-11").unwrap().has_archived_key());
        assert_eq!(ApiVersion::parse("2099-01-01"), None);
        let legacy = ApiVersion::parse("2022-06-28").unwrap();
        assert!(!legacy.has_data_sources() && !legacy.uses_append_position());
        assert!(ApiVersion::parse("2025-09-03").unwrap().has_data_sources());
        assert!(ApiVersion::CURRENT.uses_append_position());
        assert_eq!(legacy.meeting_notes_type(), "transcription");
    }
}
