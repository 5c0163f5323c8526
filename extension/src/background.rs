//! The background page (`background.html`, declared in extension.json): an invisible iframe the
//! workspace loads when the Repl opens. It registers the workspace commands, so they work
//! without the panel open:
//!
//! - "Sync with Notion" (command bar): syncs every mapping;
//! - "Sync this file to Notion" (file-tree menu, Markdown files): syncs the file's mapping, or
//!   maps it to a new Notion page first;
//! - "Open in Notion" (file-tree menu, mapped files): opens the page.
//!
//! Same wasm as the panel (the page sets `data-mode="background"`), without Dioxus: the sync
//! session, the relay client and the Replit bindings are shared. Results are workspace toasts.

use crate::model;
use crate::relay::{relay_base_url, Relay, RelayError};
use crate::replit::{self, Surface, Toast};
use crate::sync;
use protocol::api::{CreateMapping, Mapping, MappingKind, NotionTarget};
use protocol::session::{ItemAction, SyncSummary};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

pub const SYNC_ALL: &str = "notion-sync.sync-all";
pub const SYNC_FILE: &str = "notion-sync.sync-file";
pub const OPEN_IN_NOTION: &str = "notion-sync.open-in-notion";

struct Background {
    relay: Relay,
    busy: Cell<bool>,
}

/// Whether this page is the background page.
pub fn is_background_page() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-mode"))
        .is_some_and(|m| m == "background")
}

pub fn start() {
    wasm_bindgen_futures::spawn_local(run());
}

async fn run() {
    if !replit::in_iframe()
        || replit::init(crate::state::HANDSHAKE_TIMEOUT_MS)
            .await
            .is_err()
    {
        return;
    }
    let bg = Rc::new(Background {
        relay: Relay::new(relay_base_url()),
        busy: Cell::new(false),
    });
    register(&bg);
    // Warm the relay session so the first command is quick; a failure is reported when used.
    let _ = bg.relay.open_session().await;
}

/// `{label, description, icon, run}`: what `commands.add`'s create function returns.
fn command(label: &str, description: &str, run: &JsValue) -> JsValue {
    let obj = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), v);
    };
    set("label", &JsValue::from_str(label));
    set("description", &JsValue::from_str(description));
    set("icon", &JsValue::from_str("/icon.svg"));
    set("run", run);
    obj.into()
}

/// A function for `run` that lives as long as the page; `act` gets the argument bound to it.
fn runner<F, Fut>(bg: &Rc<Background>, act: F) -> js_sys::Function
where
    F: Fn(Rc<Background>, JsValue) -> Fut + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let bg = bg.clone();
    let closure = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |arg: JsValue| {
        let fut = act(bg.clone(), arg);
        future_to_promise(async move {
            fut.await;
            Ok(JsValue::UNDEFINED)
        })
    });
    let f: js_sys::Function = closure.as_ref().clone().into();
    closure.forget();
    f
}

fn register(bg: &Rc<Background>) {
    let sync_all = runner(bg, |bg, _| sync_all(bg));
    let create_all = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_| {
        let cmd = command(
            "Sync with Notion",
            "Sync every mapped file of this Repl with Notion",
            sync_all.as_ref(),
        );
        js_sys::Promise::resolve(&cmd)
    });
    let _ = replit::add_command(SYNC_ALL, &[Surface::CommandBar], create_all);

    let sync_file = runner(bg, |bg, arg| async move {
        if let Some(path) = arg.as_string() {
            sync_file(bg, path).await;
        }
    });
    let bg_file = bg.clone();
    let create_file =
        Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |args: JsValue| {
            let bg = bg_file.clone();
            let run = sync_file.clone();
            future_to_promise(async move {
                let Some(path) = target_file(&args).await else {
                    return Ok(JsValue::NULL);
                };
                let description = match mapping_for(&bg.relay, &path).await {
                    Some(m) => format!("Synced with “{}”", page_title(&m)),
                    None => "Creates a Notion page for it and syncs it".to_string(),
                };
                let bound = run.bind1(&JsValue::NULL, &JsValue::from_str(&path));
                Ok(command(
                    "Sync this file to Notion",
                    &description,
                    bound.as_ref(),
                ))
            })
        });
    let _ = replit::add_command(SYNC_FILE, &[Surface::FileTree], create_file);

    let open = runner(bg, |_, arg| async move {
        if let Some(url) = arg.as_string() {
            open_in_notion(&url).await;
        }
    });
    let bg_open = bg.clone();
    let create_open =
        Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |args: JsValue| {
            let bg = bg_open.clone();
            let run = open.clone();
            future_to_promise(async move {
                let Some(path) = target_file(&args).await else {
                    return Ok(JsValue::NULL);
                };
                let Some(m) = mapping_for(&bg.relay, &path).await else {
                    return Ok(JsValue::NULL);
                };
                let Some(url) = model::safe_url(m.notion_url.as_deref()) else {
                    return Ok(JsValue::NULL);
                };
                let bound = run.bind1(&JsValue::NULL, &JsValue::from_str(&url));
                Ok(command("Open in Notion", &page_title(&m), bound.as_ref()))
            })
        });
    let _ = replit::add_command(OPEN_IN_NOTION, &[Surface::FileTree], create_open);
}

/// The Markdown file a file-tree command is about (its context, else the active file).
async fn target_file(args: &JsValue) -> Option<String> {
    let path = match replit::command_file(args) {
        Some(p) => Some(p),
        None => replit::active_file().await,
    }?;
    let path = path.trim_start_matches("./").to_string();
    (crate::files::is_safe_relative_path(&path) && crate::files::is_markdown(&path)).then_some(path)
}

async fn mapping_for(relay: &Relay, path: &str) -> Option<Mapping> {
    let config = relay.configurations().await.ok()?;
    crate::model::mapping_covering(&config.mappings, path).cloned()
}

fn page_title(m: &Mapping) -> String {
    m.title.clone().unwrap_or_else(|| m.path.clone())
}

fn relay_problem(e: &RelayError, relay: &Relay) -> String {
    if e.is_unreachable() {
        format!(
            "Notion Sync can't reach its sync server at {}. Check that it is running.",
            relay.base()
        )
    } else if e.is_notion_unauthorized() {
        "Notion refused the connection. Open the Notion Sync panel and reconnect Notion.".into()
    } else {
        format!("Notion Sync: {e}")
    }
}

/// Runs `work` unless a command is already running.
async fn exclusive(bg: &Background, work: impl std::future::Future<Output = ()>) {
    if bg.busy.replace(true) {
        replit::toast(
            Toast::Notice,
            "Notion Sync is already syncing; try again in a moment.",
        )
        .await;
        return;
    }
    work.await;
    bg.busy.set(false);
}

/// Whether the user has Notion connected; says what to do when not.
async fn connected_mappings(bg: &Background) -> Option<(Vec<Mapping>, Option<String>)> {
    match bg.relay.configurations().await {
        Ok(c) if c.connection.connected => {
            let repl_id = replit::current_repl().await.ok().map(|r| r.id);
            Some((c.mappings, repl_id))
        }
        Ok(_) => {
            replit::toast(
                Toast::Error,
                "Notion is not connected. Open the Notion Sync panel and click “Connect Notion”.",
            )
            .await;
            None
        }
        Err(e) => {
            replit::toast(Toast::Error, &relay_problem(&e, &bg.relay)).await;
            None
        }
    }
}

fn add(total: &mut SyncSummary, s: &SyncSummary) {
    total.created += s.created;
    total.pushed += s.pushed;
    total.pulled += s.pulled;
    total.unchanged += s.unchanged;
    total.conflicts += s.conflicts;
    total.skipped += s.skipped;
    total.failed += s.failed;
}

async fn report(what: &str, total: &SyncSummary, errors: &[String]) {
    let summary = model::summary_text(total);
    if !errors.is_empty() {
        let text = format!("{what}: {summary}. {}", errors.join(" "));
        replit::toast(Toast::Error, &text).await;
    } else if total.conflicts > 0 {
        let text = format!(
            "{what}: {summary}. Open the Notion Sync panel to choose which version to keep."
        );
        replit::toast(Toast::Notice, &text).await;
    } else {
        replit::toast(Toast::Confirm, &format!("{what}: {summary}.")).await;
    }
}

async fn sync_mappings(bg: &Background, mappings: &[Mapping]) -> (SyncSummary, Vec<String>) {
    let mut total = SyncSummary::default();
    let mut errors = Vec::new();
    for m in mappings {
        match sync::run(&bg.relay, m, false, |_| {}).await {
            Ok(done) => {
                add(&mut total, &done.result.summary);
                if let Some(held) = &done.held {
                    errors.push(format!(
                        "{}: {} files would be deleted; nothing was deleted. Open the Notion Sync panel to confirm or keep them.",
                        m.path, held.would_delete
                    ));
                }
                errors.extend(
                    done.result
                        .items
                        .iter()
                        .filter(|i| i.action == ItemAction::Failed)
                        .map(|i| {
                            format!("{}: {}.", i.path, i.message.as_deref().unwrap_or("failed"))
                        }),
                );
            }
            Err(sync::SyncError::Relay(e)) => errors.push(relay_problem(&e, &bg.relay)),
            Err(e) => errors.push(format!("{}: {e}", m.path)),
        }
    }
    (total, errors)
}

async fn sync_all(bg: Rc<Background>) {
    exclusive(&bg, async {
        let Some((mappings, _)) = connected_mappings(&bg).await else {
            return;
        };
        if mappings.is_empty() {
            replit::toast(
                Toast::Notice,
                "No file is mapped to Notion yet. Use “Sync this file to Notion” on a Markdown file, or the Notion Sync panel.",
            )
            .await;
            return;
        }
        let (total, errors) = sync_mappings(&bg, &mappings).await;
        let what = match mappings.len() {
            1 => "Synced 1 file with Notion".to_string(),
            n => format!("Synced {n} files with Notion"),
        };
        report(&what, &total, &errors).await;
    })
    .await;
}

async fn sync_file(bg: Rc<Background>, path: String) {
    exclusive(&bg, async {
        let Some((mappings, repl_id)) = connected_mappings(&bg).await else {
            return;
        };
        let mapping = match crate::model::mapping_covering(&mappings, &path).cloned() {
            Some(m) => m,
            None => {
                let body = CreateMapping {
                    kind: MappingKind::FilePage,
                    path: path.clone(),
                    target: NotionTarget::NewPage {
                        parent_page_id: None,
                    },
                    direction: Default::default(),
                    strategy: Default::default(),
                    repl_id,
                    recursive: false,
                };
                match bg.relay.create_mapping(&body).await {
                    Ok(m) => m,
                    Err(e) => {
                        replit::toast(Toast::Error, &relay_problem(&e, &bg.relay)).await;
                        return;
                    }
                }
            }
        };
        let (total, errors) = sync_mappings(&bg, std::slice::from_ref(&mapping)).await;
        report(&format!("Synced {path} with Notion"), &total, &errors).await;
    })
    .await;
}

async fn open_in_notion(url: &str) {
    let opened = web_sys::window()
        .and_then(|w| w.open_with_url_and_target(url, "_blank").ok().flatten())
        .is_some();
    if opened {
        replit::toast(Toast::Confirm, "Opened the page in Notion.").await;
    } else {
        // A popup blocker said no: give the address instead.
        replit::toast(Toast::Notice, &format!("Open the page in Notion: {url}")).await;
    }
}
