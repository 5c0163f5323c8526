//! Extension auth tokens, as Replit mints them (reference §5.1): compact JWTs signed with
//! Ed25519, header `{"typ":"JWT","alg":"EdDSA","kid":…}`, claims `userId`, `installationId`,
//! `extensionId`, `iat`, `exp`.
//!
//! The public key is served in the shape of Replit's key endpoint (`{ok, value: PEM}`), so the
//! relay verifies simulator tokens with exactly the code that verifies Replit's — it trusts this
//! key only because REPLIT_KEY_SOURCE names the simulator. The relay's own tests use
//! [`TokenSigner`] directly (no server) to mint good and forged tokens.

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Lifetime of a minted token, in seconds.
pub const TOKEN_TTL_SECS: i64 = 300;

/// The claims of an extension auth token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenClaims {
    pub user_id: i64,
    pub installation_id: String,
    pub extension_id: String,
    pub iat: i64,
    pub exp: i64,
}

impl TokenClaims {
    /// Claims issued now, valid for [`TOKEN_TTL_SECS`].
    pub fn new(user_id: i64, installation_id: &str, extension_id: &str) -> TokenClaims {
        let iat = now_unix();
        TokenClaims {
            user_id,
            installation_id: installation_id.to_string(),
            extension_id: extension_id.to_string(),
            iat,
            exp: iat + TOKEN_TTL_SECS,
        }
    }
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A stable, UUID-shaped installation id for a user of an extension (Replit's are UUIDs), so the
/// same simulated user keeps the same installation across restarts.
pub fn installation_id_for(extension_id: &str, user_id: i64) -> String {
    let digest = Sha256::digest(format!("workspace-sim/{extension_id}/{user_id}").as_bytes());
    let h = hex_lower(&digest[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An Ed25519 key that mints extension auth tokens.
pub struct TokenSigner {
    key: SigningKey,
    kid: String,
    public_key_pem: String,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// A fresh random key.
    pub fn generate() -> TokenSigner {
        TokenSigner::from_key(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    fn from_key(key: SigningKey) -> TokenSigner {
        let public = key.verifying_key();
        // kid: URL-safe base64 of the first 16 bytes of SHA-256(public key) — [A-Za-z0-9_-].
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(public.as_bytes())[..16]);
        let public_key_pem = public
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap_or_default();
        TokenSigner {
            key,
            kid,
            public_key_pem,
        }
    }

    /// A key from a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> anyhow::Result<TokenSigner> {
        let key = SigningKey::from_pkcs8_pem(pem).context("not an Ed25519 PKCS#8 PEM key")?;
        Ok(TokenSigner::from_key(key))
    }

    /// The private key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> anyhow::Result<String> {
        let pem = self
            .key
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .context("encoding the key")?;
        Ok(pem.to_string())
    }

    /// Loads the key from `path`, or creates one there (readable by the owner only).
    pub fn load_or_create(path: &Path) -> anyhow::Result<TokenSigner> {
        if path.exists() {
            let pem = std::fs::read_to_string(path)
                .with_context(|| format!("reading key file {}", path.display()))?;
            return TokenSigner::from_pkcs8_pem(&pem)
                .with_context(|| format!("key file {}", path.display()));
        }
        let signer = TokenSigner::generate();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        write_private(path, &signer.to_pkcs8_pem()?)
            .with_context(|| format!("writing key file {}", path.display()))?;
        Ok(signer)
    }

    /// The key id put in every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as PEM SPKI (`-----BEGIN PUBLIC KEY-----`), what the key endpoint serves.
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// A token with Replit's header and these claims.
    pub fn mint(&self, claims: &TokenClaims) -> String {
        let header = serde_json::json!({"typ": "JWT", "alg": "EdDSA", "kid": self.kid});
        let claims = serde_json::to_value(claims).unwrap_or_default();
        self.sign_raw(&header, &claims)
    }

    /// Signs any header and claims with this key — for tests that need forged or odd tokens
    /// (wrong `alg`, missing claims, foreign `kid`).
    pub fn sign_raw(&self, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};

    fn verify(signer_pem: &str, token: &str) -> jsonwebtoken::errors::Result<TokenClaims> {
        let key = DecodingKey::from_ed_pem(signer_pem.as_bytes())?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp"]);
        Ok(decode::<TokenClaims>(token, &key, &validation)?.claims)
    }

    #[test]
    fn minted_tokens_verify_with_the_served_key() {
        let signer = TokenSigner::generate();
        let claims = TokenClaims::new(42, &installation_id_for("ext", 42), "ext");
        let token = signer.mint(&claims);

        let header = decode_header(&token).expect("header");
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), Some(signer.kid()));
        assert!(signer
            .kid()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert!(signer
            .public_key_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----"));

        let verified = verify(signer.public_key_pem(), &token).expect("verifies");
        assert_eq!(verified, claims);
        assert_eq!(verified.exp - verified.iat, TOKEN_TTL_SECS);
    }

    #[test]
    fn another_key_does_not_verify() {
        let signer = TokenSigner::generate();
        let other = TokenSigner::generate();
        let token = signer.mint(&TokenClaims::new(1, "i", "ext"));
        assert_ne!(signer.kid(), other.kid());
        assert!(verify(other.public_key_pem(), &token).is_err());
    }

    #[test]
    fn keys_round_trip_through_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keys/sim.pem");
        let first = TokenSigner::load_or_create(&path).expect("create");
        let again = TokenSigner::load_or_create(&path).expect("load");
        assert_eq!(first.kid(), again.kid());
        assert_eq!(first.public_key_pem(), again.public_key_pem());
        std::fs::write(&path, "garbage").expect("write");
        assert!(TokenSigner::load_or_create(&path).is_err());
    }

    #[test]
    fn installation_ids_are_stable_and_uuid_shaped() {
        let a = installation_id_for("ext", 1);
        assert_eq!(a, installation_id_for("ext", 1));
        assert_ne!(a, installation_id_for("ext", 2));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }
}
