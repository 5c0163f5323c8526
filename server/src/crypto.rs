//! Secrets derived from SECRET_KEY: sealing Notion tokens at rest (AEAD) and signing what the
//! relay hands out (session tokens, OAuth state).
//!
//! Each use gets its own key from HKDF with a distinct label, so a value signed for one purpose
//! can never be replayed as another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Secrets {
    seal_key: [u8; 32],
    session_key: [u8; 32],
    state_key: [u8; 32],
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("sealed value cannot be opened (wrong SECRET_KEY or corrupted data)")]
pub struct OpenError;

impl Secrets {
    pub fn from_secret_key(secret: &str) -> Secrets {
        let hk = Hkdf::<Sha256>::new(Some(b"notion-sync-relay"), secret.as_bytes());
        let derive = |label: &[u8]| {
            let mut k = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expand cannot fail.
            hk.expand(label, &mut k).expect("32-byte HKDF output");
            k
        };
        Secrets {
            seal_key: derive(b"seal notion tokens v1"),
            session_key: derive(b"sign sessions v1"),
            state_key: derive(b"sign oauth state v1"),
        }
    }

    /// Encrypts a secret for storage: base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, plaintext: &str) -> String {
        let cipher = XChaCha20Poly1305::new((&self.seal_key).into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce cannot fail for in-memory buffers.
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("seal");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, OpenError> {
        let raw = B64.decode(sealed).map_err(|_| OpenError)?;
        if raw.len() < 24 {
            return Err(OpenError);
        }
        let (nonce, ct) = raw.split_at(24);
        let cipher = XChaCha20Poly1305::new((&self.seal_key).into());
        let pt = cipher
            .decrypt(XNonce::from_slice(nonce), ct)
            .map_err(|_| OpenError)?;
        String::from_utf8(pt).map_err(|_| OpenError)
    }

    pub fn sign_session(&self, payload: &[u8]) -> String {
        mac(&self.session_key, payload)
    }

    pub fn verify_session(&self, payload: &[u8], signature: &str) -> bool {
        verify(&self.session_key, payload, signature)
    }

    pub fn sign_state(&self, payload: &[u8]) -> String {
        mac(&self.state_key, payload)
    }

    pub fn verify_state(&self, payload: &[u8], signature: &str) -> bool {
        verify(&self.state_key, payload, signature)
    }
}

fn mac(key: &[u8; 32], payload: &[u8]) -> String {
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(payload);
    B64.encode(m.finalize().into_bytes())
}

fn verify(key: &[u8; 32], payload: &[u8], signature: &str) -> bool {
    let Ok(sig) = B64.decode(signature) else {
        return false;
    };
    let mut m = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(payload);
    m.verify_slice(&sig).is_ok()
}

/// 32 random bytes, URL-safe: tickets, OAuth state nonces, ids that must not be guessed.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    B64.encode(b)
}

/// What the database stores instead of a single-use secret.
pub fn fingerprint(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_tokens_open_only_with_the_same_key() {
        let a = Secrets::from_secret_key("a-very-long-secret-key-for-tests-0001");
        let b = Secrets::from_secret_key("a-very-long-secret-key-for-tests-0002");
        let sealed = a.seal("ntn_token");
        assert!(!sealed.contains("ntn_token"));
        assert_eq!(a.open(&sealed).unwrap(), "ntn_token");
        assert!(b.open(&sealed).is_err());
        assert!(a.open("garbage").is_err());
        assert_ne!(a.seal("x"), a.seal("x"), "nonces are random");
    }

    #[test]
    fn signatures_are_bound_to_their_purpose() {
        let s = Secrets::from_secret_key("a-very-long-secret-key-for-tests-0001");
        let sig = s.sign_session(b"payload");
        assert!(s.verify_session(b"payload", &sig));
        assert!(!s.verify_session(b"payload2", &sig));
        assert!(!s.verify_state(b"payload", &sig));
        assert!(!s.verify_session(b"payload", "not base64!"));
    }
}
