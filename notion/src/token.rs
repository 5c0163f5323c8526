//! The access token type: a secret that cannot end up in logs by accident.

use std::fmt;

/// A Notion access token (OAuth or internal integration).
///
/// Opaque on purpose: no `Display`, no `Serialize`, and `Debug` prints `AccessToken(***)`, so a
/// token inside a struct that gets logged or traced stays hidden. Use [`AccessToken::expose`]
/// only where the raw value must go on the wire or into encrypted storage.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(token: String) -> Self {
        AccessToken(token)
    }

    /// The raw secret.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

impl From<String> for AccessToken {
    fn from(token: String) -> Self {
        AccessToken(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secret() {
        let t = AccessToken::new("ntn_secret".into());
        assert_eq!(format!("{t:?}"), "AccessToken(***)");
        assert_eq!(t.expose(), "ntn_secret");
    }
}
