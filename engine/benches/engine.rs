//! Engine budgets (SPEC §10): plan a 1,000-file manifest in under 20 ms; translate 1 MB of
//! Markdown in under 50 ms (native, release). `cargo bench -p engine`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use engine::file_page::PageBase;
use engine::frontmatter::Properties;
use engine::planner::{
    self, FolderMapping, LocalState, PageBody, RemoteRow, RemoteState, TrackedItem,
};
use engine::translate::{self, Options};
use protocol::session::ManifestEntry;
use protocol::ContentHash;

/// The real-world-style documents of the round-trip corpus, repeated to about `bytes`.
fn corpus(bytes: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/docs");
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

/// A dense synthetic document (a block every ~25 bytes), repeated to about `bytes`.
fn markdown(bytes: usize) -> String {
    let unit = "## Section\n\nSome *emphasis*, **strong** text, `code` and a [link](https://example.com/a).\nA second line that is soft wrapped into the same paragraph.\n\n- item one\n- item two\n  - nested item\n- [ ] a task\n\n1. first\n2. second\n\n> A quote with **bold**.\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![img](https://example.com/i.png)\n\n---\n\n";
    unit.repeat(bytes / unit.len() + 1)
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

fn benches(c: &mut Criterion) {
    let (mapping, tracked, local, remote) = folder(1000);
    c.bench_function("plan 1,000-file manifest", |b| {
        b.iter(|| {
            let needs = planner::needs(&mapping, &tracked, &local, &remote);
            let plan = planner::plan_folder(&mapping, &tracked, &local, &remote);
            black_box((needs, plan))
        })
    });

    let md = corpus(1 << 20);
    let dense = markdown(1 << 20);
    let mut g = c.benchmark_group("translate");
    g.throughput(Throughput::Bytes(md.len() as u64));
    g.sample_size(20);
    g.bench_function("1 MB GFM to Notion", |b| {
        b.iter(|| black_box(translate::to_notion(black_box(&md))))
    });
    g.bench_function("1 MB GFM to Notion blocks", |b| {
        b.iter(|| black_box(translate::to_blocks(black_box(&md), &Options::default())))
    });
    g.bench_function("1 MB dense GFM to Notion", |b| {
        b.iter(|| black_box(translate::to_notion(black_box(&dense))))
    });
    let nfm = translate::to_notion(&md);
    g.bench_function("1 MB Notion to GFM (whole page)", |b| {
        b.iter_batched(
            || nfm.clone(),
            |n| black_box(translate::from_notion(&n)),
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
