//! The Replit token verifier never panics and never accepts a token it was not given a valid
//! signature for. Inputs are used both as raw token text and as the parts of a JWT (header and
//! claims JSON base64url-encoded, then a signature), so the fuzzer reaches past the header
//! checks. The verifier trusts one Ed25519 key, read from a file; no token here is signed by it.

#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use server::auth::replit::ReplitVerifier;
use server::config::KeySource;
use std::sync::OnceLock;

struct Fixture {
    rt: tokio::runtime::Runtime,
    verifier: ReplitVerifier,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
        let dir = tempfile::tempdir().expect("temp dir");
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        let path = dir.path().join("replit.pem");
        std::fs::write(&path, pem).expect("key file");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Fixture {
            rt,
            verifier: ReplitVerifier::new(KeySource::File(path), "fuzz-extension".into()),
            _dir: dir,
        }
    })
}

fn verify(token: &str) {
    let f = fixture();
    let result = f.rt.block_on(f.verifier.verify(token, 1_750_000_000));
    assert!(result.is_err(), "accepted an unsigned token: {token:?}");
}

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = std::str::from_utf8(data) {
        verify(raw);
    }
    // As JWT parts: header ␀ claims ␀ signature.
    let mut parts = data.splitn(3, |b| *b == 0);
    let header = parts.next().unwrap_or_default();
    let claims = parts.next().unwrap_or_default();
    let signature = parts.next().unwrap_or_default();
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims),
        URL_SAFE_NO_PAD.encode(signature)
    );
    verify(&token);
});
