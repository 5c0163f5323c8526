//! Test support: the emulator run in-process, a tiny "relay + panel" that executes the engine's
//! plans against it, and generators of random documents and edits.
#![allow(dead_code)]

use engine::edits::RemoteEdit;
use engine::file_page::{
    self, Conflict, FileOp, HistoryEntry, LocalSide, PageBase, Plan, RemoteOp, RemotePage,
    RemoteSide, Settings,
};
use engine::frontmatter::Properties;
use engine::strategy::Clocks;
use notion::{
    AccessToken, ClientConfig, ContentUpdate, CreatePageRequest, NotionClient, UpdatePageMarkdown,
};
use notion_emulator::{EmulatorConfig, RateLimit, RunningEmulator, Seed};
use proptest::prelude::*;
use protocol::ContentHash;

/// Cases per property: 1,000 in CI (`CI=true`), `PROPTEST_CASES` if set, else `local`.
pub fn cases(local: u32) -> u32 {
    if let Some(n) = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        1000
    } else {
        local
    }
}

pub fn config(local: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(local),
        // Shrinking re-runs the emulator round trips; keep it bounded.
        max_shrink_iters: 200,
        failure_persistence: None,
        rng_seed: seed(),
        ..ProptestConfig::default()
    }
}

/// A fixed seed unless `PROPTEST_RNG_SEED` names one: CI must not fail on a case no one can
/// replay. Exploring new cases is a matter of setting the variable (the failure prints the
/// minimal input; add it to `tests/regressions.rs`).
fn seed() -> proptest::test_runner::RngSeed {
    match std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => proptest::test_runner::RngSeed::Fixed(n),
        None => proptest::test_runner::RngSeed::Fixed(0x5EED_0017),
    }
}

/// The emulator, a client and a token.
pub struct World {
    pub rt: tokio::runtime::Runtime,
    pub emu: RunningEmulator,
    pub client: NotionClient,
    token: std::cell::RefCell<AccessToken>,
}

impl World {
    pub fn new() -> World {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let emu = rt
            .block_on(notion_emulator::spawn(EmulatorConfig {
                seed: Seed::Empty,
                rate_limit: RateLimit::Off,
                ..EmulatorConfig::default()
            }))
            .expect("the emulator starts");
        let client =
            NotionClient::new(ClientConfig::with_base_url(emu.base_url())).without_pacing();
        let token = AccessToken::new(emu.handle().mint_token("engine tests").token);
        World {
            rt,
            emu,
            client,
            token: std::cell::RefCell::new(token),
        }
    }

    /// Empties the workspace (each case starts from nothing, so cases stay independent and the
    /// emulator's state does not grow over a thousand cases).
    pub fn reset(&self) {
        self.emu.handle().reset();
        *self.token.borrow_mut() =
            AccessToken::new(self.emu.handle().mint_token("engine tests").token);
    }

    fn token(&self) -> AccessToken {
        self.token.borrow().clone()
    }

    pub fn create(&self, title: &str, markdown: &str) -> String {
        let req = CreatePageRequest::markdown(None, title, markdown);
        self.rt
            .block_on(self.client.create_page(&self.token(), &req))
            .expect("create page")
            .id
    }

    pub fn read(&self, id: &str) -> String {
        self.rt
            .block_on(self.client.get_page_markdown(&self.token(), id))
            .expect("read page")
            .markdown
    }

    pub fn patch(&self, id: &str, req: &UpdatePageMarkdown) -> String {
        self.rt
            .block_on(self.client.update_page_markdown(&self.token(), id, req))
            .expect("patch page")
            .markdown
    }

    /// A Notion user's edit: the page becomes `desired` (sent as small edits, as the UI would
    /// change only what the user touched).
    pub fn user_edit(&self, id: &str, desired: &str) {
        let current = self.read(id);
        match engine::edits::minimal_edits(&current, desired, &Default::default()) {
            None => {}
            Some(RemoteEdit::Update { edits }) => {
                let ups = edits
                    .iter()
                    .map(|e| ContentUpdate::new(&e.old_str, &e.new_str))
                    .collect();
                self.patch(id, &UpdatePageMarkdown::update_content(ups));
            }
            Some(RemoteEdit::Replace { markdown }) => {
                self.patch(id, &UpdatePageMarkdown::replace_content(&markdown));
            }
        }
    }

    /// Write calls (anything but GET) since the ledger was last cleared.
    pub fn writes(&self) -> usize {
        self.emu
            .handle()
            .ledger()
            .iter()
            .filter(|e| e.method != "GET" && e.path.starts_with("/v1/"))
            .count()
    }

    pub fn clear_ledger(&self) {
        self.emu.handle().clear_ledger();
    }
}

/// One `file_page` mapping: the Repl's file, the relay's base, and the history it recorded.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub path: String,
    pub file: Option<String>,
    pub page_id: Option<String>,
    pub base: Option<PageBase>,
    pub history: Vec<HistoryEntry>,
    pub conflicts: Vec<Conflict>,
    pub file_writes: usize,
}

/// What one sync did.
#[derive(Debug, Clone)]
pub struct Report {
    pub plan: Plan,
    pub remote_writes: usize,
    pub file_written: bool,
}

impl Item {
    pub fn new(path: &str, text: &str) -> Item {
        Item {
            path: path.into(),
            file: Some(text.into()),
            ..Item::default()
        }
    }

    pub fn title(&self) -> String {
        self.base
            .as_ref()
            .map(|b| b.title.clone())
            .unwrap_or_default()
    }

    /// One sync, executed the way the relay does.
    pub fn sync(&mut self, w: &World, settings: &Settings, clocks: Clocks) -> Report {
        w.clear_ledger();
        let remote_md = self.page_id.as_ref().map(|id| w.read(id));
        let props = Properties::new();
        let title = self.title();
        let remote = match &remote_md {
            None => RemoteSide::NotCreated,
            Some(md) => RemoteSide::Present(RemotePage {
                markdown: md,
                truncated: false,
                title: &title,
                properties: &props,
            }),
        };
        let local = match &self.file {
            Some(t) => LocalSide::Present(t),
            None => LocalSide::Deleted,
        };
        let plan = file_page::plan(
            &file_page::Input {
                path: &self.path,
                base: self.base.as_ref(),
                local,
                remote,
                clocks,
            },
            settings,
        );
        self.history.extend(plan.history.iter().cloned());
        if let Some(c) = &plan.conflict {
            self.conflicts.push(c.clone());
        }
        let mut remote_after: Option<String> = None;
        match &plan.remote {
            Some(RemoteOp::Create {
                title, markdown, ..
            }) => {
                let id = w.create(title, markdown);
                remote_after = Some(w.read(&id));
                self.page_id = Some(id);
            }
            Some(RemoteOp::Update {
                edit: Some(edit), ..
            }) => {
                let id = self.page_id.clone().expect("a page to update");
                let req = match edit {
                    RemoteEdit::Update { edits } => UpdatePageMarkdown::update_content(
                        edits
                            .iter()
                            .map(|e| ContentUpdate::new(&e.old_str, &e.new_str))
                            .collect(),
                    ),
                    RemoteEdit::Replace { markdown } => {
                        UpdatePageMarkdown::replace_content(markdown)
                    }
                };
                remote_after = Some(w.patch(&id, &req));
            }
            _ => {}
        }
        let mut file_written = false;
        match &plan.file {
            Some(FileOp::Write {
                content,
                expected_hash,
                ..
            }) => {
                let current = self.file.as_ref().map(ContentHash::of);
                if current == *expected_hash {
                    self.file = Some(content.clone());
                    file_written = true;
                    self.file_writes += 1;
                }
            }
            Some(FileOp::Delete { expected_hash })
                if self.file.as_ref().map(ContentHash::of).as_ref() == Some(expected_hash) =>
            {
                self.file = None;
                file_written = true;
            }
            Some(FileOp::Delete { .. }) => {}
            None => {}
        }
        if let Some(mut b) = plan.base_after.clone() {
            if let Some(md) = remote_after {
                b.remote_markdown = md;
            }
            self.base = Some(b);
        }
        Report {
            remote_writes: w.writes(),
            plan,
            file_written,
        }
    }
}

/// Content equality "up to the translator's canonical form" (G17): the file's blocks and the
/// page's blocks, empty paragraphs aside.
pub fn agree(file: &str, page_md: &str) -> bool {
    let opts = engine::translate::Options::default();
    let body = engine::document::FileParts::split(file).body.to_string();
    let ours: Vec<String> = engine::translate::to_blocks(&body, &opts)
        .iter()
        .map(|b| engine::normalize::block_key(b, opts.dialect))
        .filter(|k| k != "<empty-block/>")
        .collect();
    let theirs: Vec<String> = notion_markdown::parse(page_md, opts.dialect)
        .iter()
        .map(|b| engine::normalize::block_key(b, opts.dialect))
        .filter(|k| k != "<empty-block/>")
        .collect();
    ours == theirs
}

// ---------------------------------------------------------------------------------------------
// Generators

const WORDS: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "sync", "notion", "repl", "file", "page", "block", "merge",
    "plan", "edit", "note", "list", "table", "code", "rust", "wasm", "draft",
];

pub fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(String::from)
}

/// Inline GFM: words with occasional styling, code and links.
pub fn inline() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (word(), 0u8..12).prop_map(|(w, k)| match k {
            0 => format!("*{w}*"),
            1 => format!("**{w}**"),
            2 => format!("`{w}`"),
            3 => format!("[{w}](https://example.com/{w})"),
            4 => format!("~~{w}~~"),
            _ => w,
        }),
        1..8,
    )
    .prop_map(|ws| ws.join(" "))
}

/// A paragraph, sometimes soft-wrapped over two lines.
pub fn paragraph() -> impl Strategy<Value = String> {
    (inline(), inline(), any::<bool>()).prop_map(|(a, b, wrap)| {
        let a = capitalize(&a);
        if wrap {
            format!("{a}\n{b}.")
        } else {
            format!("{a} {b}.")
        }
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_ascii_lowercase() => f.to_ascii_uppercase().to_string() + c.as_str(),
        _ => s.to_string(),
    }
}

/// One GFM block.
pub fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => paragraph(),
        1 => (1usize..4, inline()).prop_map(|(l, t)| format!("{} {t}", "#".repeat(l))),
        1 => (prop::sample::select(vec!['-', '*', '+']), prop::collection::vec((inline(), prop::option::of(inline())), 1..4))
            .prop_map(|(m, items)| items.into_iter().map(|(t, sub)| match sub {
                Some(s) => format!("{m} {t}\n  {m} {s}"),
                None => format!("{m} {t}"),
            }).collect::<Vec<_>>().join("\n")),
        1 => (1u32..5, prop::collection::vec(inline(), 1..4)).prop_map(|(start, items)| items
            .into_iter().enumerate().map(|(i, t)| format!("{}. {t}", start as usize + i)).collect::<Vec<_>>().join("\n")),
        1 => prop::collection::vec((any::<bool>(), inline()), 1..4).prop_map(|items| items
            .into_iter().map(|(c, t)| format!("- [{}] {t}", if c { "x" } else { " " })).collect::<Vec<_>>().join("\n")),
        1 => inline().prop_map(|t| format!("> {t}")),
        1 => (prop::sample::select(vec!["rust", "python", "", "sh"]), prop::collection::vec(word(), 1..6))
            .prop_map(|(l, ws)| format!("```{l}\n{}\n```", ws.join(" = "))),
        1 => (word(), word(), word(), word()).prop_map(|(a, b, c, d)| format!("| {a} | {b} |\n|---|---|\n| {c} | {d} |")),
        1 => Just("---".to_string()),
        1 => word().prop_map(|w| format!("![{w}](https://example.com/{w}.png)")),
    ]
}

/// A GFM document of a few blocks.
pub fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(block(), 1..10).prop_map(|bs| bs.join("\n\n") + "\n")
}

/// An edit to a sequence of blocks: which block, and what happens to it.
#[derive(Debug, Clone)]
pub enum Edit {
    Replace(usize, String),
    Insert(usize, String),
    Delete(usize),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), block()).prop_map(|(i, b)| Edit::Replace(i, b)),
        2 => (any::<usize>(), block()).prop_map(|(i, b)| Edit::Insert(i, b)),
        1 => any::<usize>().prop_map(Edit::Delete),
    ]
}

/// Applies an edit to a file's body, at chunk granularity (as a person editing a paragraph).
pub fn edit_file(text: &str, e: &Edit) -> String {
    let parts = engine::document::FileParts::split(text);
    let prefix = &text[..text.len() - parts.body.len()];
    let body = parts.body;
    let chunks = engine::translate::chunks(body, &Default::default());
    if chunks.is_empty() {
        return match e {
            Edit::Delete(_) => text.to_string(),
            Edit::Replace(_, b) | Edit::Insert(_, b) => format!("{prefix}{body}{b}\n"),
        };
    }
    let pick = |i: usize| i % chunks.len();
    let out = match e {
        Edit::Replace(i, b) => {
            let r = chunks[pick(*i)].range.clone();
            format!("{}{b}{}", &body[..r.start], &body[r.end..])
        }
        Edit::Insert(i, b) => {
            let r = chunks[pick(*i)].range.clone();
            format!("{}\n\n{b}{}", &body[..r.end], &body[r.end..])
        }
        Edit::Delete(i) => {
            let r = chunks[pick(*i)].range.clone();
            let end = body[r.end..]
                .find(|c: char| !c.is_whitespace())
                .map_or(body.len(), |k| r.end + k);
            if r.start == 0 && end == body.len() {
                return text.to_string();
            }
            if end == body.len() {
                format!("{}\n", body[..r.start].trim_end())
            } else {
                format!("{}{}", &body[..r.start], &body[end..])
            }
        }
    };
    format!("{prefix}{out}")
}

/// Applies an edit to a page's Markdown, at block granularity (as a Notion user would).
pub fn edit_page(md: &str, e: &Edit) -> String {
    let opts = engine::translate::Options::default();
    let mut blocks = notion_markdown::parse(md, opts.dialect);
    let new = |b: &str| engine::translate::to_blocks(b, &opts);
    if blocks.is_empty() {
        if let Edit::Replace(_, b) | Edit::Insert(_, b) = e {
            blocks = new(b);
        }
        return notion_markdown::render(&blocks, opts.dialect);
    }
    let n = blocks.len();
    match e {
        Edit::Replace(i, b) => {
            let k = i % n;
            blocks.splice(k..k + 1, new(b));
        }
        Edit::Insert(i, b) => {
            let k = i % n + 1;
            blocks.splice(k..k, new(b));
        }
        Edit::Delete(i) if n > 1 => {
            blocks.remove(i % n);
        }
        Edit::Delete(_) => {}
    }
    notion_markdown::render(&blocks, opts.dialect)
}
