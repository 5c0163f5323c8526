//! Bindings to the official Replit Extensions client (`@replit/extensions`, the `replit` global
//! defined by `replit-extensions.js`, loaded with a classic script before the wasm).
//!
//! Every call of the Replit API goes through this module, so a change on Replit's side is a
//! one-module fix (reference §8.12). The rules the bindings follow (reference §6.4):
//! - every extern is `async` + `catch`: without `catch` a rejected promise would abort the whole
//!   panel (`panic = "abort"`);
//! - results are read field by field (`Reflect`) into Rust types — smaller than a serde
//!   deserializer per type; the `{error: "..."}` objects most fs calls resolve with are turned
//!   into [`ReplitError::Host`] (an `Ok` from JS is not success);
//! - `undefined` means nobody answered: outside an iframe the client "talks to itself" and every
//!   call resolves `undefined` (reference §3.3), so it is [`ReplitError::NotConnected`].

use std::fmt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = replit, js_name = init, catch)]
    async fn js_init(args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = readFile, catch)]
    async fn js_read_file(path: &str, encoding: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = writeFile, catch)]
    async fn js_write_file(path: &str, content: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = deleteFile, catch)]
    async fn js_delete_file(path: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "replDb"], js_name = get, catch)]
    async fn js_repl_db_get(args: &js_sys::Object) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "replDb"], js_name = set, catch)]
    async fn js_repl_db_set(args: &js_sys::Object) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = readDir, catch)]
    async fn js_read_dir(path: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "data"], js_name = currentUser, catch)]
    async fn js_current_user() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "data"], js_name = currentRepl, catch)]
    async fn js_current_repl(args: &js_sys::Object) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "experimental", "auth"], js_name = getAuthToken, catch)]
    async fn js_get_auth_token() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "themes"], js_name = getCurrentThemeValues, catch)]
    async fn js_get_current_theme_values() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "themes"], js_name = onThemeChangeValues, catch)]
    async fn js_on_theme_change_values(callback: &js_sys::Function) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = watchFile, catch)]
    async fn js_watch_file(
        path: &str,
        listeners: &js_sys::Object,
        encoding: &str,
    ) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = watchDir, catch)]
    async fn js_watch_dir(path: &str, listeners: &js_sys::Object) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "messages"], js_name = showConfirm, catch)]
    async fn js_show_confirm(text: &str, length: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "messages"], js_name = showError, catch)]
    async fn js_show_error(text: &str, length: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "messages"], js_name = showNotice, catch)]
    async fn js_show_notice(text: &str, length: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "session"], js_name = getActiveFile, catch)]
    async fn js_get_active_file() -> Result<JsValue, JsValue>;

    /// `commands.add` is synchronous on the client side (the registration is sent, not awaited).
    #[wasm_bindgen(js_namespace = ["replit", "commands"], js_name = add, catch)]
    fn js_commands_add(args: &js_sys::Object) -> Result<(), JsValue>;
}

/// What can go wrong talking to the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplitError {
    /// The page that loaded the panel has no `replit` global: `replit-extensions.js` is missing.
    ClientMissing,
    /// Nobody answered (the call resolved `undefined`): not running inside a Replit workspace.
    NotConnected,
    /// The handshake got no answer in time.
    Timeout,
    /// The workspace answered with an error (an `{error}` object or a rejected call).
    Host(String),
    /// The workspace answered something this panel does not understand.
    Decode(String),
}

impl fmt::Display for ReplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplitError::ClientMissing => {
                f.write_str("the Replit extensions client (replit-extensions.js) did not load")
            }
            ReplitError::NotConnected => f.write_str("not connected to a Replit workspace"),
            ReplitError::Timeout => f.write_str("the Replit workspace did not answer in time"),
            ReplitError::Host(m) => write!(f, "Replit: {m}"),
            ReplitError::Decode(m) => write!(f, "unexpected answer from Replit: {m}"),
        }
    }
}

/// `true` when the panel runs inside a frame. Checked before `init`: at top level the client
/// posts to itself and falsely reports "ready" (reference §3.3).
pub fn in_iframe() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.parent() {
        Ok(Some(parent)) => JsValue::from(parent) != JsValue::from(window),
        _ => false,
    }
}

fn client_loaded() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("replit")).unwrap_or(false)
}

/// Text of a JS exception, whatever was thrown.
pub fn js_error_text(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    err.as_string()
        .unwrap_or_else(|| "unknown error".to_string())
}

fn rejected(err: JsValue) -> ReplitError {
    ReplitError::Host(js_error_text(&err))
}

/// The object the workspace answered, or why there is none.
fn object(value: JsValue) -> Result<JsValue, ReplitError> {
    if value.is_undefined() || value.is_null() {
        return Err(ReplitError::NotConnected);
    }
    if !value.is_object() {
        return Err(ReplitError::Decode("expected an object".into()));
    }
    Ok(value)
}

/// A property of an object (`undefined` when missing).
fn field(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn string_field(obj: &JsValue, key: &str) -> Option<String> {
    field(obj, key).as_string()
}

/// The `error` of an `{error: "..."}` answer, when it has a non-empty one.
fn error_field(obj: &JsValue) -> Option<String> {
    string_field(obj, "error").filter(|e| !e.is_empty())
}

/// Runs the handshake with the workspace (`replit.init({timeout})`).
pub async fn init(timeout_ms: u32) -> Result<(), ReplitError> {
    if !client_loaded() {
        return Err(ReplitError::ClientMissing);
    }
    let args = js_sys::Object::new();
    js_sys::Reflect::set(&args, &"timeout".into(), &JsValue::from(timeout_ms)).map_err(rejected)?;
    match js_init(args.into()).await {
        Ok(value) => {
            let status = string_field(&object(value)?, "status").unwrap_or_default();
            if status == "ready" {
                Ok(())
            } else {
                Err(ReplitError::Host(format!("handshake status {status}")))
            }
        }
        Err(err) => {
            let text = js_error_text(&err);
            if text == "timeout" {
                Err(ReplitError::Timeout)
            } else {
                Err(ReplitError::Host(text))
            }
        }
    }
}

/// Reads a UTF-8 text file (path relative to the Repl root): `{content} | {error}`.
pub async fn read_file(path: &str) -> Result<String, ReplitError> {
    let r = object(js_read_file(path, "utf8").await.map_err(rejected)?)?;
    if let Some(e) = error_field(&r) {
        return Err(ReplitError::Host(e));
    }
    string_field(&r, "content")
        .ok_or_else(|| ReplitError::Decode("readFile returned no content".into()))
}

/// Writes a text file (creating or replacing it): `{success} | {error}`.
pub async fn write_file(path: &str, content: &str) -> Result<(), ReplitError> {
    let r = object(js_write_file(path, content).await.map_err(rejected)?)?;
    if let Some(e) = error_field(&r) {
        return Err(ReplitError::Host(e));
    }
    match field(&r, "success").as_bool() {
        Some(true) => Ok(()),
        _ => Err(ReplitError::Host(format!("could not write {path}"))),
    }
}

/// Deletes a file: `{} | {error}`.
pub async fn delete_file(path: &str) -> Result<(), ReplitError> {
    let r = object(js_delete_file(path).await.map_err(rejected)?)?;
    match error_field(&r) {
        Some(e) => Err(ReplitError::Host(e)),
        None => Ok(()),
    }
}

fn key_args(key: &str) -> js_sys::Object {
    let args = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&args, &"key".into(), &JsValue::from_str(key));
    args
}

/// A ReplDB value: `string | {error: string | null}` (`{error: null}`: no such key).
pub async fn repl_db_get(key: &str) -> Result<Option<String>, ReplitError> {
    let value = js_repl_db_get(&key_args(key)).await.map_err(rejected)?;
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    let r = object(value)?;
    match error_field(&r) {
        Some(e) => Err(ReplitError::Host(e)),
        None => Ok(None),
    }
}

/// Sets a ReplDB value (resolves to nothing, or to an `{error}`).
pub async fn repl_db_set(key: &str, value: &str) -> Result<(), ReplitError> {
    let args = key_args(key);
    let _ = js_sys::Reflect::set(&args, &"value".into(), &JsValue::from_str(value));
    let r = js_repl_db_set(&args).await.map_err(rejected)?;
    match error_field(&r) {
        Some(e) => Err(ReplitError::Host(e)),
        None => Ok(()),
    }
}

/// Kind of a directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    File,
    Directory,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub kind: NodeKind,
}

/// Lists a directory (path relative to the Repl root; `.` is the root):
/// `{children: [{filename, type}], error}`.
pub async fn read_dir(path: &str) -> Result<Vec<DirEntry>, ReplitError> {
    let r = object(js_read_dir(path).await.map_err(rejected)?)?;
    if let Some(e) = error_field(&r) {
        return Err(ReplitError::Host(e));
    }
    let children = field(&r, "children");
    let children = children
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| ReplitError::Decode("readDir returned no children".into()))?;
    Ok(children
        .iter()
        .filter_map(|c| {
            let name = string_field(&c, "filename")?;
            let kind = match string_field(&c, "type").as_deref() {
                Some("FILE") => NodeKind::File,
                Some("DIRECTORY") => NodeKind::Directory,
                _ => NodeKind::Other,
            };
            Some(DirEntry { name, kind })
        })
        .collect())
}

/// The signed-in Replit user, as the workspace reports it (a label: the relay trusts only the
/// signed auth token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub username: String,
}

/// `{user: {id, username, …}}`.
pub async fn current_user() -> Result<User, ReplitError> {
    let r = object(js_current_user().await.map_err(rejected)?)?;
    let user = object(field(&r, "user"))?;
    let username = string_field(&user, "username")
        .ok_or_else(|| ReplitError::Decode("the user has no username".into()))?;
    Ok(User { username })
}

/// The Repl the panel is open in (labels: shown, never trusted for access).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repl {
    pub id: String,
    pub title: String,
    pub description: String,
    /// As Replit gives it: a path (`/@user/slug`) or a full URL.
    pub url: String,
    pub is_private: bool,
    /// `timeCreated` (ISO 8601), when given.
    pub time_created: Option<String>,
    /// The owner's username (`includeOwner`), when given.
    pub owner: Option<String>,
}

/// `{repl: {id, title, description, url, isPrivate, timeCreated, owner?, …}}`.
pub async fn current_repl() -> Result<Repl, ReplitError> {
    let args = js_sys::Object::new();
    // The owner is only included when asked for (reference §3.6).
    let _ = js_sys::Reflect::set(&args, &"includeOwner".into(), &JsValue::TRUE);
    let r = object(js_current_repl(&args).await.map_err(rejected)?)?;
    let repl = object(field(&r, "repl"))?;
    let id = string_field(&repl, "id")
        .ok_or_else(|| ReplitError::Decode("the Repl has no id".into()))?;
    let owner = field(&repl, "owner");
    Ok(Repl {
        id,
        title: string_field(&repl, "title").unwrap_or_default(),
        description: string_field(&repl, "description").unwrap_or_default(),
        url: string_field(&repl, "url").unwrap_or_default(),
        is_private: field(&repl, "isPrivate").as_bool().unwrap_or(true),
        time_created: string_field(&repl, "timeCreated").filter(|t| !t.is_empty()),
        owner: if owner.is_object() {
            string_field(&owner, "username").filter(|u| !u.is_empty())
        } else {
            None
        },
    })
}

/// A fresh extension auth token (a JWT signed by Replit) that the relay exchanges for a session.
pub async fn auth_token() -> Result<String, ReplitError> {
    let value = js_get_auth_token().await.map_err(rejected)?;
    if value.is_undefined() || value.is_null() {
        return Err(ReplitError::NotConnected);
    }
    value
        .as_string()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ReplitError::Decode("the auth token is not a string".into()))
}

/// Theme tokens as (camelCase key, value) pairs; non-string values are dropped.
pub type ThemeValues = Vec<(String, String)>;

fn theme_values_of(value: &JsValue) -> Result<ThemeValues, ReplitError> {
    if value.is_undefined() || value.is_null() {
        return Err(ReplitError::NotConnected);
    }
    let obj = value
        .dyn_ref::<js_sys::Object>()
        .ok_or_else(|| ReplitError::Decode("theme values are not an object".into()))?;
    let mut out = Vec::new();
    for entry in js_sys::Object::entries(obj).iter() {
        let pair = js_sys::Array::from(&entry);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((k, v));
        }
    }
    Ok(out)
}

pub async fn current_theme_values() -> Result<ThemeValues, ReplitError> {
    let value = js_get_current_theme_values().await.map_err(rejected)?;
    theme_values_of(&value)
}

/// Calls `on_change` with the new theme values whenever the workspace theme changes.
///
/// The subscription lasts as long as the panel: the closure is leaked on purpose, because a
/// dropped closure would make the host's next callback fail silently (reference §6.4).
pub async fn on_theme_change_values(
    mut on_change: impl FnMut(ThemeValues) + 'static,
) -> Result<(), ReplitError> {
    let closure = Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
        if let Ok(values) = theme_values_of(&value) {
            on_change(values);
        }
    });
    let function: &js_sys::Function = closure.as_ref().unchecked_ref();
    let result = js_on_theme_change_values(function).await.map_err(rejected);
    // Keep the closure whatever happened: the host may still hold a reference to it.
    closure.forget();
    result.map(|_| ())
}

/// A live `watchFile`/`watchDir` subscription. The callbacks stay alive until [`Watch::dispose`]
/// has told the workspace to stop calling them (reference §6.4: a dropped closure makes the
/// host's next call fail silently).
pub struct Watch {
    disposer: JsValue,
    _callbacks: Vec<Closure<dyn FnMut(JsValue)>>,
}

impl Watch {
    /// Stops the subscription, then drops the callbacks.
    pub async fn dispose(self) {
        if let Some(f) = self.disposer.dyn_ref::<js_sys::Function>() {
            if let Ok(p) = js_sys::Reflect::apply(f, &JsValue::NULL, &js_sys::Array::new()) {
                if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                }
            }
        }
    }
}

type Listener = Closure<dyn FnMut(JsValue)>;

fn listeners(on_change: Listener, on_gone: Listener) -> (js_sys::Object, Vec<Listener>) {
    let obj = js_sys::Object::new();
    // Own enumerable properties: the client copies them into the proxy it sends (reference §6.4).
    let _ = js_sys::Reflect::set(&obj, &"onChange".into(), on_change.as_ref());
    let _ = js_sys::Reflect::set(&obj, &"onError".into(), on_gone.as_ref());
    let _ = js_sys::Reflect::set(&obj, &"onMoveOrDelete".into(), on_gone.as_ref());
    (obj, vec![on_change, on_gone])
}

/// Watches a text file: `on_change` gets its whole new content; `on_gone` is called when it is
/// moved, deleted or cannot be watched.
pub async fn watch_file(
    path: &str,
    mut on_change: impl FnMut(String) + 'static,
    mut on_gone: impl FnMut() + 'static,
) -> Result<Watch, ReplitError> {
    let change = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
        if let Some(text) = v.as_string() {
            on_change(text);
        }
    });
    let gone = Closure::<dyn FnMut(JsValue)>::new(move |_| on_gone());
    let (obj, callbacks) = listeners(change, gone);
    let disposer = js_watch_file(path, &obj, "utf8").await.map_err(rejected)?;
    Ok(Watch {
        disposer,
        _callbacks: callbacks,
    })
}

/// Watches a directory: `on_change` gets the paths of its children whenever they change.
pub async fn watch_dir(
    path: &str,
    mut on_change: impl FnMut(Vec<String>) + 'static,
    mut on_gone: impl FnMut() + 'static,
) -> Result<Watch, ReplitError> {
    let change = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
        let Some(nodes) = v.dyn_ref::<js_sys::Array>() else {
            return;
        };
        let paths = nodes
            .iter()
            .filter_map(|node| {
                js_sys::Reflect::get(&node, &"path".into())
                    .ok()
                    .and_then(|p| p.as_string())
            })
            .collect();
        on_change(paths);
    });
    let gone = Closure::<dyn FnMut(JsValue)>::new(move |_| on_gone());
    let (obj, callbacks) = listeners(change, gone);
    let disposer = js_watch_dir(path, &obj).await.map_err(rejected)?;
    Ok(Watch {
        disposer,
        _callbacks: callbacks,
    })
}

/// The kind of a workspace toast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toast {
    Confirm,
    Error,
    Notice,
}

/// Shows a toast in the workspace (best effort: a toast that cannot be shown is not an error).
pub async fn toast(kind: Toast, text: &str) {
    const SHOW_MS: u32 = 6000;
    let _ = match kind {
        Toast::Confirm => js_show_confirm(text, SHOW_MS).await,
        Toast::Error => js_show_error(text, SHOW_MS).await,
        Toast::Notice => js_show_notice(text, SHOW_MS).await,
    };
}

/// The file open in the editor, if any.
pub async fn active_file() -> Option<String> {
    js_get_active_file()
        .await
        .ok()
        .and_then(|v| v.as_string())
        .filter(|p| !p.is_empty())
}

/// Where a command appears in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    CommandBar,
    FileTree,
}

impl Surface {
    fn name(self) -> &'static str {
        match self {
            Surface::CommandBar => "commandbar",
            Surface::FileTree => "filetree-context-menu",
        }
    }
}

/// Registers a command with `commands.add`. `create` is called each time the workspace shows the
/// surface, with the surface's context (`path[0]`: the file for the file tree); it returns the
/// command (an object with `label`, `description` and `run`) or `null` to hide it. The closure
/// lives as long as the page.
pub fn add_command(
    id: &str,
    surfaces: &[Surface],
    create: Closure<dyn FnMut(JsValue) -> js_sys::Promise>,
) -> Result<(), ReplitError> {
    let contributions: js_sys::Array = surfaces
        .iter()
        .map(|s| JsValue::from_str(s.name()))
        .collect();
    let args = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&args, &"id".into(), &JsValue::from_str(id));
    let _ = js_sys::Reflect::set(&args, &"contributions".into(), &contributions);
    let _ = js_sys::Reflect::set(&args, &"command".into(), create.as_ref());
    let result = js_commands_add(&args).map_err(rejected);
    create.forget();
    result
}

/// The file a file-tree command was opened on: `path[0]` of its arguments, as a string or as an
/// object with a `path` (or `filePath`) field — the root context's shape is not documented.
pub fn command_file(args: &JsValue) -> Option<String> {
    if !args.is_object() {
        return None;
    }
    let path = js_sys::Reflect::get(args, &"path".into()).ok()?;
    let root = path.dyn_ref::<js_sys::Array>()?.get(0);
    if let Some(p) = root.as_string() {
        return Some(p);
    }
    if !root.is_object() {
        return None;
    }
    ["path", "filePath"].iter().find_map(|k| {
        js_sys::Reflect::get(&root, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    })
}
