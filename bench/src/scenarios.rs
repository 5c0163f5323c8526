//! The SPEC §10 scenarios. Each runs one executor ([`Who`]) and returns what the emulator's
//! ledger and the clock saw; `lib.rs` turns them into figures.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::harness::Calls;
use crate::sides::{Env, FolderSide, PageSide, Who, FOLDER};
use crate::BenchError;

/// What a measured step cost.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Step {
    pub calls: Calls,
    pub wall: Duration,
}

/// Runs `f` between a cleared ledger and a read of it.
async fn measured<T, F>(env: &Env<'_>, f: F) -> Result<(T, Step), BenchError>
where
    F: std::future::Future<Output = Result<T, BenchError>>,
{
    env.emulator.clear_ledger().await;
    let t = Instant::now();
    let out = f.await?;
    let wall = t.elapsed();
    let calls = Calls::of(&env.emulator.ledger().await);
    Ok((out, Step { calls, wall }))
}

/// A page of `sections` × (a heading and 9 paragraphs): 300 blocks for 30 sections. The
/// headings are level 2, so none of them is taken for the page title.
pub fn long_page(sections: usize) -> String {
    let mut md = String::new();
    for s in 0..sections {
        md.push_str(&format!("## Section {s}\n\n"));
        for p in 0..9 {
            md.push_str(&format!(
                "Paragraph {s}.{p} of the bench page, with a few words so it reads like prose.\n\n"
            ));
        }
    }
    md
}

fn edit_paragraph(md: &str, section: usize, para: usize, marker: &str) -> String {
    md.replace(
        &format!("Paragraph {section}.{para} of"),
        &format!("Paragraph {section}.{para} ({marker}) of"),
    )
}

/// Paragraph edit in a 300-block page.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct ParagraphEdit {
    pub step: Step,
    pub blocks: usize,
    /// Blocks of the page before the edit whose id is still there after it.
    pub ids_kept: usize,
}

pub async fn paragraph_edit(env: &Env<'_>, who: Who) -> Result<ParagraphEdit, BenchError> {
    let md = long_page(30);
    let mut side = PageSide::new(env, who, &md).await?;
    let (notion, token) = env.notion();
    let before = notion
        .list_all_block_children(&token, side.page_id())
        .await?;
    let edited = edit_paragraph(&md, 15, 4, "edited in the Repl");
    let ((), step) = measured(env, side.push(&edited)).await?;
    let after = notion
        .list_all_block_children(&token, side.page_id())
        .await?;
    let after_ids: std::collections::HashSet<&str> = after.iter().map(|b| b.id.as_str()).collect();
    let text: String = after
        .iter()
        .filter_map(|b| b.content.rich_text().map(notion::plain_text))
        .collect::<Vec<_>>()
        .join("\n");
    if !text.contains("Paragraph 15.4 (edited in the Repl) of") {
        return Err(BenchError::Invariant(format!(
            "{}: the edit did not reach Notion",
            who.label()
        )));
    }
    Ok(ParagraphEdit {
        step,
        blocks: before.len(),
        ids_kept: before
            .iter()
            .filter(|b| after_ids.contains(b.id.as_str()))
            .count(),
    })
}

/// A paragraph edited in Notion (through the blocks API, as the editor does), then synced.
pub async fn remote_pull(env: &Env<'_>, who: Who) -> Result<Step, BenchError> {
    let md = long_page(30);
    let mut side = PageSide::new(env, who, &md).await?;
    let (notion, token) = env.notion();
    let blocks = notion
        .list_all_block_children(&token, side.page_id())
        .await?;
    let target = blocks
        .iter()
        .find(|b| {
            b.content
                .rich_text()
                .is_some_and(|t| notion::plain_text(t).starts_with("Paragraph 20.3 of"))
        })
        .ok_or_else(|| BenchError::Invariant("paragraph 20.3 is not on the page".into()))?;
    let new_text = "Paragraph 20.3 (edited in Notion) of the bench page, with a few words so it reads like prose.";
    notion
        .update_block(
            &token,
            &target.id,
            &notion::UpdateBlock::content(notion::BlockContent::paragraph(new_text)),
        )
        .await?;
    let (file, step) = measured(env, side.pull()).await?;
    if !file.contains(new_text) {
        return Err(BenchError::Invariant(format!(
            "{}: the Notion edit did not reach the file",
            who.label()
        )));
    }
    Ok(step)
}

/// `n` small notes (three paragraphs each).
pub fn notes(n: usize) -> BTreeMap<String, String> {
    (0..n)
        .map(|i| {
            (
                format!("{FOLDER}/Note {i:03}.md"),
                format!(
                    "First paragraph of note {i}.\n\nSecond paragraph of note {i}.\n\nThird paragraph.\n"
                ),
            )
        })
        .collect()
}

/// A folder pushed to a new database, then synced again with nothing changed.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Folder {
    pub files: usize,
    pub push: Step,
    pub no_op: Option<Step>,
    /// Request bodies the panel sent in the no-op session, per file (ours only): the
    /// manifest, and everything after it.
    pub no_op_bytes_per_file: Option<(f64, f64)>,
}

pub async fn folder(env: &Env<'_>, who: Who, n: usize, no_op: bool) -> Result<Folder, BenchError> {
    let files = notes(n);
    let mut side = FolderSide::new(env, who).await?;
    let ((), push) = measured(env, side.sync(&files)).await?;
    let mut out = Folder {
        files: n,
        push,
        no_op: None,
        no_op_bytes_per_file: None,
    };
    if no_op {
        let ((), step) = measured(env, side.sync(&files)).await?;
        out.no_op = Some(step);
        out.no_op_bytes_per_file = side.last_session().map(|s| {
            (
                s.manifest_bytes as f64 / n as f64,
                s.bytes_after_manifest as f64 / n as f64,
            )
        });
    }
    Ok(out)
}

/// Concurrent no-op sessions against the relay, one user (and Notion connection) each.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Concurrent {
    pub sessions: usize,
    /// Session latency (manifest → upload → ack) minus the Notion calls the emulator served
    /// for that session's connection, in ms, sorted.
    pub relay_ms: Vec<f64>,
    pub wall_ms: Vec<f64>,
}

impl Concurrent {
    pub fn percentile(sorted: &[f64], p: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}

pub async fn concurrent_sessions(env: &Env<'_>, n: usize) -> Result<Concurrent, BenchError> {
    env.relay()?;
    // Set up: n users, each with a synced file ↔ page mapping (not measured).
    let ids: Vec<i64> = (0..n).map(|_| env.user_id()).collect();
    let mut sides = futures::stream::iter(ids)
        .map(|_| PageSide::new(env, Who::Ours, "A short note.\n\nWith two paragraphs.\n"))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    env.emulator.clear_ledger().await;
    let timings = futures::future::join_all(sides.iter_mut().map(|side| async move {
        let t = Instant::now();
        side.pull().await?;
        Ok::<_, BenchError>((side.page_id().replace('-', ""), t.elapsed()))
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    // The emulator's own time per page, for the connection that read it.
    let ledger = env.emulator.ledger().await;
    let mut by_token: BTreeMap<String, (f64, Option<String>)> = BTreeMap::new();
    for e in &ledger {
        let entry = by_token
            .entry(e.token_hint.clone().unwrap_or_default())
            .or_default();
        entry.0 += e.duration_ms;
        if entry.1.is_none() {
            entry.1 = timings
                .iter()
                .find(|(page, _)| e.path.replace('-', "").contains(page.as_str()))
                .map(|(page, _)| page.clone());
        }
    }
    let notion_ms: BTreeMap<String, f64> = by_token
        .into_values()
        .filter_map(|(ms, page)| page.map(|p| (p, ms)))
        .collect();
    let mut relay_ms: Vec<f64> = timings
        .iter()
        .map(|(page, wall)| {
            (wall.as_secs_f64() * 1000.0 - notion_ms.get(page).copied().unwrap_or(0.0)).max(0.0)
        })
        .collect();
    let mut wall_ms: Vec<f64> = timings
        .iter()
        .map(|(_, w)| w.as_secs_f64() * 1000.0)
        .collect();
    relay_ms.sort_by(f64::total_cmp);
    wall_ms.sort_by(f64::total_cmp);
    Ok(Concurrent {
        sessions: n,
        relay_ms,
        wall_ms,
    })
}
