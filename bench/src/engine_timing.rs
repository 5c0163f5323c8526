//! Engine budgets (SPEC §10): plan a 1,000-file manifest in under 20 ms; translate 1 MB of
//! Markdown in under 50 ms (native). The inputs are the ones `cargo bench -p engine` uses
//! (engine/benches/engine.rs), so the two measure the same thing; here each figure is the
//! median of a fixed number of runs, timed with the monotonic clock.

use std::hint::black_box;
use std::time::Instant;

use engine::file_page::PageBase;
use engine::frontmatter::Properties;
use engine::planner::{
    self, FolderMapping, LocalState, PageBody, RemoteRow, RemoteState, TrackedItem,
};
use engine::translate::{self, Options};
use protocol::session::ManifestEntry;
use protocol::ContentHash;

/// Median wall time of `runs` calls of `f`, in ms (after one warm-up call).
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut samples: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Planning a 1,000-file folder sync (needs, then the plan), in ms.
pub fn plan_1000_files_ms(runs: usize) -> f64 {
    let (mapping, tracked, local, remote) = folder(1000);
    median_ms(runs, || {
        let needs = planner::needs(&mapping, &tracked, &local, &remote);
        let plan = planner::plan_folder(&mapping, &tracked, &local, &remote);
        black_box((needs, plan));
    })
}

/// Translating 1 MB of real-world GFM to Notion-flavored Markdown, in ms.
pub fn translate_1mb_ms(runs: usize) -> f64 {
    let md = corpus(1 << 20);
    median_ms(runs, || {
        black_box(translate::to_notion(black_box(&md)));
    })
}

/// The real-world-style documents of the round-trip corpus, repeated to about `bytes`.
fn corpus(bytes: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../engine/tests/corpus/docs");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    let all: String = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| engine::document::FileParts::split(&t).body.to_string() + "\n")
        .collect();
    all.repeat(bytes / all.len().max(1) + 1)
}

/// 1,000 synced files; 10 changed locally, 10 edited in Notion, 5 new files, 5 new rows.
fn folder(n: usize) -> (FolderMapping, Vec<TrackedItem>, LocalState, RemoteState) {
    let opts = Options::default();
    let mut tracked = Vec::with_capacity(n);
    let mut local = LocalState {
        complete: true,
        ..LocalState::default()
    };
    let mut remote = RemoteState {
        complete: true,
        ..RemoteState::default()
    };
    for i in 0..n {
        let path = format!("notes/Note {i}.md");
        let text =
            format!("# Note {i}\n\nFirst paragraph of note {i}.\n\n- a\n- b\n\nLast paragraph.\n");
        let md = engine::file_page::page_body(&text, &opts);
        let id = format!("{i:032x}");
        tracked.push(TrackedItem {
            page_id: id.clone(),
            path: path.clone(),
            base: PageBase {
                file_text: text.clone(),
                remote_markdown: md.clone(),
                title: format!("Note {i}"),
                properties: Properties::new(),
            },
            local_hash: ContentHash::of(&text),
            remote_edited_at: Some(60_000),
            synced_at: Some(180_000),
        });
        let local_text = if i % 100 == 1 {
            text.replace("Last paragraph.", "Last paragraph, edited.")
        } else {
            text.clone()
        };
        if local_text != text {
            local.contents.insert(path.clone(), local_text.clone());
        }
        local.files.push(ManifestEntry {
            path,
            size: local_text.len() as u64,
            hash: ContentHash::of(&local_text),
        });
        let edited = i % 100 == 2;
        remote.rows.push(RemoteRow {
            page_id: id.clone(),
            title: format!("Note {i}"),
            properties: Properties::new(),
            last_edited_at: Some(if edited { 600_000 } else { 60_000 }),
            in_trash: false,
        });
        if edited {
            remote.bodies.insert(
                id,
                PageBody {
                    markdown: md.replace("First paragraph", "First paragraph (Notion)"),
                    truncated: false,
                },
            );
        }
    }
    for k in 0..5 {
        let path = format!("notes/New {k}.md");
        let text = format!("New file {k}.\n");
        local.contents.insert(path.clone(), text.clone());
        local.files.push(ManifestEntry {
            path,
            size: text.len() as u64,
            hash: ContentHash::of(&text),
        });
        let id = format!("{:032x}", 100_000 + k);
        remote.rows.push(RemoteRow {
            page_id: id.clone(),
            title: format!("Row {k}"),
            properties: Properties::new(),
            last_edited_at: Some(600_000),
            in_trash: false,
        });
        remote.bodies.insert(
            id,
            PageBody {
                markdown: "Hello from Notion.".into(),
                truncated: false,
            },
        );
    }
    let mapping = FolderMapping {
        folder: "notes".into(),
        ..FolderMapping::default()
    };
    (mapping, tracked, local, remote)
}
