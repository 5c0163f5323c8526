//! Content hashes: SHA-256 of the exact bytes, lower-case hex.
//!
//! Exact bytes, not a normalized form: the hash answers "is this the file I last saw?", which must
//! notice a CRLF or BOM change too. Comparing meaning (after Notion's rewriting) is the engine's job.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// SHA-256 of a file's bytes, as 64 lower-case hex digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes `bytes`.
    pub fn of(bytes: impl AsRef<[u8]>) -> ContentHash {
        ContentHash(hex::encode(Sha256::digest(bytes.as_ref())))
    }

    /// Accepts exactly 64 lower-case hex digits.
    pub fn parse(s: &str) -> Result<ContentHash, InvalidHash> {
        let ok = s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(ContentHash(s.to_string()))
        } else {
            Err(InvalidHash)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The first 12 digits identify a version in logs without flooding them.
        write!(f, "ContentHash({})", &self.0[..12])
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ContentHash {
    type Error = InvalidHash;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        ContentHash::parse(&s)
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidHash;

impl fmt::Display for InvalidHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a content hash is 64 lower-case hex digits")
    }
}

impl std::error::Error for InvalidHash {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_exact_bytes() {
        assert_eq!(
            ContentHash::of("").as_str(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(ContentHash::of("a\n"), ContentHash::of("a\r\n"));
    }

    #[test]
    fn parse_rejects_what_is_not_a_hash() {
        assert!(ContentHash::parse(ContentHash::of("x").as_str()).is_ok());
        assert!(ContentHash::parse("ABC").is_err());
        assert!(ContentHash::parse(&"A".repeat(64)).is_err());
        assert!(serde_json::from_str::<ContentHash>("\"../../etc/passwd\"").is_err());
    }
}
