//! Persistence with sqlx: SQLite embedded by default, PostgreSQL for production (SPEC §6).
//!
//! One [`Store`] over `sqlx::Any` runs the same SQL on both databases; the schema lives in
//! `migrations/sqlite` and `migrations/postgres`. Every query that reads or changes a user's rows
//! takes the verified user id, so a user can only ever see their own rows.

mod auth;
mod conflicts;
mod connections;
mod folder;
mod history;
mod jobs;
mod mappings;
mod sync;

pub use conflicts::{ConflictRecord, StoredConflict};
pub use connections::{ConnectionRecord, NewConnection};
pub use folder::{FolderItem, FolderRow, FolderState, JournalEntry};
pub use history::{NewRevision, RevisionRecord};
pub use jobs::{JobOutcome, JobRecord};
pub use mappings::{MappingRecord, MappingUpdate, NewMapping};
pub use sync::{ItemBase, LogRecord, SessionRecord};

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Store {
    /// Connects (creating the SQLite file and its folder if needed) and applies migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            create_sqlite_dir(url)?;
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let max = match backend {
            // SQLite serializes writers anyway; WAL lets readers run beside the writer.
            Backend::Sqlite => 8,
            Backend::Postgres => 10,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        use sqlx::Executor;
                        // `synchronous = NORMAL` in WAL mode: a commit survives the relay being
                        // killed (what G5 is about); only a power cut can lose the last commits,
                        // never corrupt the file. It spares an fsync per commit, which is what
                        // bounds many concurrent sessions on one SQLite file.
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .with_context(|| format!("connecting to the database {}", crate::config::redact_url(url)))?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&pool)
            .await
            .context("applying database migrations")?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn create_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data folder {}", dir.display()))?;
        }
    }
    Ok(())
}

/// Reads a column, naming it in the error.
pub(crate) fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, sqlx::Error>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get(name)
}
