//! Bindings to the official Replit Extensions client (`@replit/extensions`, the `replit` global
//! defined by `replit-extensions.js`, loaded with a classic script before the wasm).
//!
//! Every call of the Replit API goes through this module, so a change on Replit's side is a
//! one-module fix (reference §8.12). The rules the bindings follow (reference §6.4):
//! - every extern is `async` + `catch`: without `catch` a rejected promise would abort the whole
//!   panel (`panic = "abort"`);
//! - results are decoded with serde-wasm-bindgen into Rust types; the `{error: "..."}` objects most
//!   fs calls resolve with are turned into [`ReplitError::Host`] (an `Ok` from JS is not success);
//! - `undefined` means nobody answered: outside an iframe the client "talks to itself" and every
//!   call resolves `undefined` (reference §3.3), so it is [`ReplitError::NotConnected`].

use serde::de::DeserializeOwned;
use serde::Deserialize;
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

    #[wasm_bindgen(js_namespace = ["replit", "fs"], js_name = readDir, catch)]
    async fn js_read_dir(path: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "data"], js_name = currentUser, catch)]
    async fn js_current_user() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "data"], js_name = currentRepl, catch)]
    async fn js_current_repl() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "experimental", "auth"], js_name = getAuthToken, catch)]
    async fn js_get_auth_token() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "themes"], js_name = getCurrentThemeValues, catch)]
    async fn js_get_current_theme_values() -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = ["replit", "themes"], js_name = onThemeChangeValues, catch)]
    async fn js_on_theme_change_values(callback: &js_sys::Function) -> Result<JsValue, JsValue>;
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

fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, ReplitError> {
    if value.is_undefined() || value.is_null() {
        return Err(ReplitError::NotConnected);
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| ReplitError::Decode(e.to_string()))
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
            let status: InitResult = decode(value)?;
            if status.status == "ready" {
                Ok(())
            } else {
                Err(ReplitError::Host(format!(
                    "handshake status {}",
                    status.status
                )))
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

#[derive(Deserialize)]
struct InitResult {
    #[serde(default)]
    status: String,
}

/// `{content} | {error}` of `fs.readFile`.
#[derive(Deserialize)]
struct ReadFileResult {
    content: Option<String>,
    error: Option<String>,
}

/// Reads a UTF-8 text file (path relative to the Repl root).
pub async fn read_file(path: &str) -> Result<String, ReplitError> {
    let value = js_read_file(path, "utf8").await.map_err(rejected)?;
    let r: ReadFileResult = decode(value)?;
    match (r.content, r.error) {
        (_, Some(e)) if !e.is_empty() => Err(ReplitError::Host(e)),
        (Some(content), _) => Ok(content),
        (None, _) => Err(ReplitError::Decode("readFile returned no content".into())),
    }
}

#[derive(Deserialize)]
struct WriteFileResult {
    success: Option<bool>,
    error: Option<String>,
}

/// Writes a text file (creating or replacing it).
pub async fn write_file(path: &str, content: &str) -> Result<(), ReplitError> {
    let value = js_write_file(path, content).await.map_err(rejected)?;
    let r: WriteFileResult = decode(value)?;
    match (r.success, r.error) {
        (_, Some(e)) if !e.is_empty() => Err(ReplitError::Host(e)),
        (Some(true), _) => Ok(()),
        _ => Err(ReplitError::Host(format!("could not write {path}"))),
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

#[derive(Deserialize)]
struct ReadDirResult {
    #[serde(default)]
    children: Option<Vec<RawChild>>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct RawChild {
    filename: String,
    #[serde(rename = "type", default)]
    kind: String,
}

/// Lists a directory (path relative to the Repl root; `.` is the root).
pub async fn read_dir(path: &str) -> Result<Vec<DirEntry>, ReplitError> {
    let value = js_read_dir(path).await.map_err(rejected)?;
    let r: ReadDirResult = decode(value)?;
    if let Some(e) = r.error.filter(|e| !e.is_empty()) {
        return Err(ReplitError::Host(e));
    }
    let children = r
        .children
        .ok_or_else(|| ReplitError::Decode("readDir returned no children".into()))?;
    Ok(children
        .into_iter()
        .map(|c| DirEntry {
            kind: match c.kind.as_str() {
                "FILE" => NodeKind::File,
                "DIRECTORY" => NodeKind::Directory,
                _ => NodeKind::Other,
            },
            name: c.filename,
        })
        .collect())
}

/// The signed-in Replit user, as the workspace reports it (a label: the relay trusts only the
/// signed auth token).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default, rename = "displayName")]
    pub display_name: Option<String>,
}

#[derive(Deserialize)]
struct CurrentUser {
    user: User,
}

pub async fn current_user() -> Result<User, ReplitError> {
    let value = js_current_user().await.map_err(rejected)?;
    Ok(decode::<CurrentUser>(value)?.user)
}

/// The Repl the panel is open in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Repl {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Deserialize)]
struct CurrentRepl {
    repl: Repl,
}

pub async fn current_repl() -> Result<Repl, ReplitError> {
    let value = js_current_repl().await.map_err(rejected)?;
    Ok(decode::<CurrentRepl>(value)?.repl)
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
