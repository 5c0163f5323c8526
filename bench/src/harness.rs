//! What every scenario runs on: the Notion emulator (in-process, over real HTTP, rate limit on),
//! the real `relay` binary in its own process (so its RSS is its own), Replit tokens signed with
//! a key of the bench's own, and a fake Repl that runs sessions exactly as the panel does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use protocol::client::RelayClient;
use protocol::session::{
    Ack, FileContent, FileWriteOp, Manifest, ManifestEntry, SessionPlan, SessionResult,
    SkippedWrite, UploadContents, WrittenFile,
};
use protocol::ContentHash;
use tokio::io::AsyncBufReadExt;

use crate::BenchError;

pub const EXTENSION_ID: &str = "notion-sync-bench";
const CLIENT_ID: &str = "bench-relay";
const CLIENT_SECRET: &str = "bench-relay-secret";
/// Only ever protects the bench's own throw-away database.
const SECRET_KEY: &str = "bench-secret-key-0123456789abcdef0123";

/// The emulator at Notion's pace divided by `time_scale` (its windows, refill and
/// `Retry-After` are compressed by the same factor the relay's pacing is sped up by). The demo
/// workspace gives the naive tools a page to create theirs under.
pub async fn emulator(time_scale: f64) -> Result<notion_emulator::RunningEmulator, BenchError> {
    notion_emulator::spawn(notion_emulator::EmulatorConfig {
        time_scale,
        seed: notion_emulator::Seed::Demo,
        rate_limit: notion_emulator::RateLimit::NOTION,
        oauth_clients: vec![notion_emulator::OAuthClient::any_loopback(
            CLIENT_ID,
            CLIENT_SECRET,
        )],
        ..Default::default()
    })
    .await
    .map_err(|e| BenchError::Setup(format!("starting the emulator: {e:#}")))
}

/// The real relay binary, on a fresh SQLite database, talking to the emulator.
pub struct Relay {
    child: tokio::process::Child,
    pub url: url::Url,
    key: SigningKey,
    _dir: tempfile::TempDir,
}

impl Relay {
    pub async fn start(
        bin: &Path,
        notion_api: &url::Url,
        time_scale: f64,
    ) -> Result<Relay, BenchError> {
        let dir = tempfile::tempdir()?;
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| BenchError::Setup(format!("encoding the Replit key: {e}")))?;
        let key_file = dir.path().join("replit-key.pem");
        std::fs::write(&key_file, pem)?;
        let database_url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("relay.db").display()
        );
        // Notion's 3 requests/s, sped up as much as the emulator's clock is.
        let rate = format!("{}", 3.0 * time_scale);
        let mut child = tokio::process::Command::new(bin)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(["--port", "0", "--secret-key", SECRET_KEY])
            .args(["--replit-extension-id", EXTENSION_ID])
            .arg("--replit-key-source")
            .arg(&key_file)
            .args(["--database-url", &database_url])
            .args(["--notion-api-base", notion_api.as_str()])
            .args(["--notion-client-id", CLIENT_ID])
            .args(["--notion-client-secret", CLIENT_SECRET])
            .args(["--notion-requests-per-second", &rate])
            // Every user runs a few sessions in a row; the per-user guard is not what is measured.
            .args(["--max-sync-operations-per-minute", "100000"])
            .args(["--scheduler-interval-secs", "0", "--log-level", "warn"])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| BenchError::Setup(format!("starting {}: {e}", bin.display())))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Setup("the relay's stdout is not piped".into()))?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .map_err(|_| BenchError::Setup("the relay did not start within 30 s".into()))??
            .unwrap_or_default();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .and_then(|u| url::Url::parse(u).ok())
            .ok_or_else(|| BenchError::Setup(format!("the relay did not start: {first:?}")))?;
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Relay {
            child,
            url,
            key,
            _dir: dir,
        })
    }

    /// Resident set size of the relay process, from /proc/<pid>/status (Linux).
    pub fn rss_bytes(&self) -> Result<u64, BenchError> {
        let pid = self
            .child
            .id()
            .ok_or_else(|| BenchError::Setup("the relay has exited".into()))?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
            .ok_or_else(|| BenchError::Setup("no VmRSS in /proc/<pid>/status".into()))
    }

    /// A Replit extension token for `user_id`, as Replit would sign it.
    pub fn replit_token(&self, user_id: i64) -> Result<String, BenchError> {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Claims {
            user_id: i64,
            installation_id: String,
            extension_id: String,
            iat: i64,
            exp: i64,
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let der = self
            .key
            .to_pkcs8_der()
            .map_err(|e| BenchError::Setup(format!("encoding the Replit key: {e}")))?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("bench".into());
        header.typ = Some("JWT".into());
        let claims = Claims {
            user_id,
            installation_id: format!("inst-{user_id}"),
            extension_id: EXTENSION_ID.into(),
            iat: now - 5,
            exp: now + 3600,
        };
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes()))
            .map_err(|e| BenchError::Setup(format!("signing a Replit token: {e}")))
    }

    /// A user signed in to the relay and connected to Notion through the OAuth popup flow
    /// (ticket → start → the emulator's consent page → callback), as the panel does it.
    pub async fn user(&self, user_id: i64) -> Result<RelayClient, BenchError> {
        let mut client = RelayClient::new(self.url.clone());
        client.open_session(&self.replit_token(user_id)?).await?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let ticket = client.ticket().await?.ticket;
        let start = self
            .url
            .join(&format!("oauth/notion/start?ticket={ticket}"))?;
        let authorize = location(&http.get(start).send().await?)?;
        let page = http.get(authorize.clone()).send().await?.text().await?;
        let form = notion_emulator::testing::consent_form(&page, true)
            .ok_or_else(|| BenchError::Setup("the emulator served no consent form".into()))?;
        let resp = http
            .post(authorize.join(&form.action)?)
            .form(&form.fields)
            .send()
            .await?;
        let callback = location(&resp)?;
        let done = http.get(callback).send().await?;
        if !done.status().is_success() {
            return Err(BenchError::Setup(format!(
                "the OAuth callback answered {}",
                done.status()
            )));
        }
        Ok(client)
    }
}

fn location(resp: &reqwest::Response) -> Result<url::Url, BenchError> {
    let loc = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| BenchError::Setup(format!("expected a redirect, got {}", resp.status())))?;
    Ok(url::Url::parse(loc).or_else(|_| resp.url().join(loc))?)
}

/// Where `cargo build` put the relay binary next to this one (same profile).
pub fn sibling_relay() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    // Tests run from target/<profile>/deps; binaries live one level up.
    [dir.join("relay"), dir.parent()?.join("relay")]
        .into_iter()
        .find(|p| p.is_file())
}

/// A Repl's files, synced the way the panel does it.
#[derive(Debug, Clone, Default)]
pub struct Repl {
    pub files: BTreeMap<String, String>,
}

/// What one session cost on the panel's side.
#[derive(Debug)]
pub struct Session {
    pub plan: SessionPlan,
    pub result: SessionResult,
    /// Bytes of the manifest's request body.
    pub manifest_bytes: usize,
    /// Bytes of the request bodies after the manifest (uploads, acknowledgement).
    pub bytes_after_manifest: usize,
}

impl Session {
    /// The session, if every item synced (a failed, skipped or conflicting item would make the
    /// scenario's figures meaningless).
    pub fn checked(self) -> Result<Session, BenchError> {
        use protocol::session::ItemAction;
        let bad: Vec<String> = self
            .result
            .items
            .iter()
            .filter(|i| {
                matches!(
                    i.action,
                    ItemAction::Failed | ItemAction::Skipped | ItemAction::Conflict
                )
            })
            .map(|i| {
                format!(
                    "{}: {:?} {}",
                    i.path,
                    i.action,
                    i.message.as_deref().unwrap_or("")
                )
            })
            .collect();
        if bad.is_empty() {
            Ok(self)
        } else {
            Err(BenchError::Invariant(format!(
                "{} items did not sync: {}",
                bad.len(),
                bad.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            )))
        }
    }
}

impl Repl {
    /// Sync Now: manifest → uploads → apply the writes whose expected hash still matches →
    /// acknowledge.
    pub async fn sync(
        &mut self,
        client: &RelayClient,
        mapping: &str,
    ) -> Result<Session, BenchError> {
        let manifest = Manifest {
            mapping_id: mapping.into(),
            files: self
                .files
                .iter()
                .map(|(p, c)| ManifestEntry {
                    path: p.clone(),
                    size: c.len() as u64,
                    hash: ContentHash::of(c),
                })
                .collect(),
            dry_run: false,
            complete: true,
            confirm_deletions: false,
            accepts_file_ops: true,
            project: None,
        };
        let manifest_bytes = serde_json::to_vec(&manifest)?.len();
        let started = client.start_session(&manifest).await?;
        let upload = UploadContents {
            files: started
                .needed
                .iter()
                .filter_map(|p| {
                    self.files.get(p).map(|c| FileContent {
                        path: p.clone(),
                        content: c.clone(),
                    })
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec(&upload)?.len();
        let plan = client.upload(&started.session_id, &upload).await?;
        let mut ack = Ack::default();
        for w in &plan.file_writes {
            let current = self.files.get(&w.path).map(ContentHash::of);
            let ok = match &w.op {
                FileWriteOp::Write => current == w.expected_hash,
                FileWriteOp::Delete | FileWriteOp::Move { .. } => {
                    current.is_some() && current == w.expected_hash
                }
            };
            if !ok {
                ack.skipped.push(SkippedWrite {
                    path: w.path.clone(),
                    reason: "changed meanwhile".into(),
                });
                continue;
            }
            match &w.op {
                FileWriteOp::Write => {
                    self.files.insert(w.path.clone(), w.content.clone());
                }
                FileWriteOp::Delete => {
                    self.files.remove(&w.path);
                }
                FileWriteOp::Move { to } => {
                    self.files.remove(&w.path);
                    self.files.insert(to.clone(), w.content.clone());
                }
            }
            ack.written.push(WrittenFile {
                path: w.path.clone(),
                hash: w.new_hash.clone(),
            });
        }
        bytes += serde_json::to_vec(&ack)?.len();
        let result = client.ack(&plan.session_id, &ack).await?;
        Ok(Session {
            plan,
            result,
            manifest_bytes,
            bytes_after_manifest: bytes,
        })
    }
}

/// Notion calls as the emulator's ledger recorded them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Calls {
    pub total: usize,
    /// Calls that change something (queries and search only read, though they are POSTs).
    pub writes: usize,
    /// Answers `429 rate_limited`.
    pub rate_limited: usize,
}

impl Calls {
    pub fn of(ledger: &[notion_emulator::LedgerEntry]) -> Calls {
        Calls {
            total: ledger.len(),
            writes: ledger
                .iter()
                .filter(|e| {
                    e.method != "GET" && !e.path.ends_with("/query") && e.path != "/v1/search"
                })
                .count(),
            rate_limited: ledger.iter().filter(|e| e.status == 429).count(),
        }
    }
}
