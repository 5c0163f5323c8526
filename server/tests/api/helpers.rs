//! `TestApp`: the real relay on a free loopback port, with a fresh database (SQLite file or a new
//! PostgreSQL database), the Notion emulator in-process over real HTTP, and a Replit signing key
//! of the test's own.

use clap::Parser;
use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use protocol::client::RelayClient;
use server::config::Config;
use server::startup::Application;

pub const EXTENSION_ID: &str = "ext-under-test";
pub const CLIENT_ID: &str = "relay-tests";
pub const CLIENT_SECRET: &str = "relay-tests-secret";
pub const SECRET_KEY: &str = "relay-test-secret-key-0123456789abcdef";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub url: url::Url,
    pub database_url: String,
    pub emulator: notion_emulator::RunningEmulator,
    pub key: SigningKey,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// None when PostgreSQL is asked for but not reachable outside CI.
    pub async fn spawn(db: Db) -> Option<TestApp> {
        TestApp::spawn_with(db, &[]).await
    }

    /// Like [`TestApp::spawn`], with extra relay flags (e.g. `--job-poll-interval-ms 20`).
    pub async fn spawn_with(db: Db, extra: &[&str]) -> Option<TestApp> {
        TestApp::spawn_inner(db, extra, false).await
    }

    /// A relay self-hosted with an internal integration token (`NOTION_TOKEN`) of its emulator.
    pub async fn spawn_internal(db: Db) -> Option<TestApp> {
        TestApp::spawn_inner(db, &[], true).await
    }

    /// Like [`TestApp::spawn_with`], with the emulator configured by the test (time scale,
    /// rate limit, faults).
    pub async fn spawn_with_emulator(
        db: Db,
        extra: &[&str],
        emulator: notion_emulator::EmulatorConfig,
    ) -> Option<TestApp> {
        TestApp::spawn_configured(db, extra, false, emulator).await
    }

    async fn spawn_inner(db: Db, extra: &[&str], internal_token: bool) -> Option<TestApp> {
        TestApp::spawn_configured(db, extra, internal_token, emulator_config()).await
    }

    async fn spawn_configured(
        db: Db,
        extra: &[&str],
        internal_token: bool,
        emulator: notion_emulator::EmulatorConfig,
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match db {
            Db::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("db/relay.db").display()
            ),
            Db::Postgres => fresh_postgres_url().await?,
        };
        let emulator = notion_emulator::spawn(emulator).await.expect("emulator");
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let pem_path = dir.path().join("replit-key.pem");
        let pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        std::fs::write(&pem_path, pem).expect("write pem");
        let notion_api = emulator.base_url().to_string();
        let mut args = vec![
            "relay",
            "--port",
            "0",
            "--secret-key",
            SECRET_KEY,
            "--replit-extension-id",
            EXTENSION_ID,
            "--replit-key-source",
            pem_path.to_str().expect("utf-8 path"),
            "--database-url",
            &database_url,
            "--notion-client-id",
            CLIENT_ID,
            "--notion-client-secret",
            CLIENT_SECRET,
            "--notion-api-base",
            notion_api.as_str(),
            "--log-level",
            "warn",
        ];
        args.extend_from_slice(extra);
        let token = if internal_token {
            Some(emulator.mint_integration_token().await)
        } else {
            None
        };
        if let Some(t) = &token {
            args.extend_from_slice(&["--notion-token", t]);
        }
        let config = Config::parse_from(args);
        let app = Application::build(config.validate().expect("valid config"))
            .await
            .expect("relay starts");
        let url = app.base_url().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        Some(TestApp {
            url,
            database_url: database_url.clone(),
            emulator,
            key,
            _dir: dir,
            shutdown: Some(tx),
        })
    }

    /// The folder holding the SQLite database (and nothing else).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("db")
    }

    pub fn client(&self) -> RelayClient {
        RelayClient::new(self.url.clone())
    }

    /// A Replit token for `user_id`, valid now, signed with the trusted key.
    pub fn replit_token(&self, user_id: i64) -> String {
        let now = server::now();
        mint(
            &self.key,
            "test-key",
            claims(user_id, EXTENSION_ID, now - 5, now + 300),
        )
    }

    /// A relay client with a session for `user_id`.
    pub async fn login(&self, user_id: i64) -> RelayClient {
        let mut client = self.client();
        client
            .open_session(&self.replit_token(user_id))
            .await
            .expect("session");
        client
    }

    /// Where the panel's popup goes: the relay's OAuth start, with a fresh single-use ticket.
    pub async fn oauth_start_url(&self, client: &RelayClient) -> url::Url {
        let ticket = client.ticket().await.expect("ticket").ticket;
        self.url
            .join(&format!("oauth/notion/start?ticket={ticket}"))
            .unwrap()
    }

    /// Runs the OAuth popup flow as a browser would: ticket → start → consent → callback.
    pub async fn connect_notion(&self, client: &RelayClient) {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let start = self.oauth_start_url(client).await;
        let resp = http.get(start).send().await.unwrap();
        assert!(
            resp.status().is_redirection(),
            "start redirects to Notion: {}",
            resp.status()
        );
        let authorize = location(&resp);
        let callback = crate::helpers::consent(&http, &authorize, true).await;
        assert!(
            callback.as_str().starts_with(self.url.as_str()),
            "Notion redirects back to the relay"
        );
        let resp = http.get(callback).send().await.unwrap();
        assert_eq!(
            resp.status(),
            200,
            "callback completes: {}",
            resp.text().await.unwrap_or_default()
        );
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn emulator_config() -> notion_emulator::EmulatorConfig {
    notion_emulator::EmulatorConfig {
        oauth_clients: vec![notion_emulator::OAuthClient::any_loopback(
            CLIENT_ID,
            CLIENT_SECRET,
        )],
        ..Default::default()
    }
}

pub fn location(resp: &reqwest::Response) -> url::Url {
    let loc = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("Location header")
        .to_str()
        .unwrap();
    url::Url::parse(loc).unwrap_or_else(|_| resp.url().join(loc).unwrap())
}

/// Answers the emulator's consent page (Allow or Cancel) and returns where Notion redirects.
pub async fn consent(http: &reqwest::Client, authorize: &url::Url, allow: bool) -> url::Url {
    let page = http.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the consent page is served");
    let html = page.text().await.unwrap();
    let form = notion_emulator::testing::consent_form(&html, allow).expect("consent form");
    let action = authorize.join(&form.action).unwrap();
    let resp = http.post(action).form(&form.fields).send().await.unwrap();
    assert!(
        resp.status().is_redirection(),
        "consent redirects: {}",
        resp.status()
    );
    location(&resp)
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    pub user_id: i64,
    pub installation_id: String,
    pub extension_id: String,
    pub iat: i64,
    pub exp: i64,
}

pub fn claims(user_id: i64, extension_id: &str, iat: i64, exp: i64) -> Claims {
    Claims {
        user_id,
        installation_id: format!("inst-{user_id}"),
        extension_id: extension_id.into(),
        iat,
        exp,
    }
}

pub fn mint(key: &SigningKey, kid: &str, claims: Claims) -> String {
    let der = key.to_pkcs8_der().expect("pkcs8");
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.into());
    header.typ = Some("JWT".into());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes())).expect("sign")
}

pub fn fresh_sqlite_url() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    (
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("store.db").display()
        ),
        dir,
    )
}

/// A new, empty PostgreSQL database on TEST_DATABASE_URL's server. Outside CI an unreachable
/// server skips the test (with a notice); under CI=true it fails it.
pub async fn fresh_postgres_url() -> Option<String> {
    use sqlx::Connection;
    let admin = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("PostgreSQL is required under CI (TEST_DATABASE_URL={admin}): {e}");
            }
            eprintln!("skipping a PostgreSQL test: {e}");
            return None;
        }
    };
    let name = format!("relay_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create database");
    let mut url = url::Url::parse(&admin).expect("TEST_DATABASE_URL");
    url.set_path(&name);
    Some(url.to_string())
}
