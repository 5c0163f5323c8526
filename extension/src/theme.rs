//! Follows the workspace theme: the panel's colours are CSS custom properties on `:root`, set
//! from Replit's theme tokens.
//!
//! The workspace's own CSS variables are not visible inside the extension iframe, so the panel
//! asks for the values (`getCurrentThemeValues`) and subscribes to changes
//! (`onThemeChangeValues`). Naming: plain kebab-case of the token key (`backgroundRoot` →
//! `--background-root`, `blueDefault` → `--blue-default`), as Replit's React helper does.
//! style.css holds Replit Dark defaults, so the panel looks right before (or without) a theme.

use crate::replit::{self, ThemeValues};
use wasm_bindgen::JsCast;

/// `backgroundRoot` → `--background-root`; `None` for keys that are not plain identifiers
/// (such as `__typename`), which are never turned into CSS.
pub fn css_var_name(key: &str) -> Option<String> {
    if key.is_empty() || key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut out = String::from("--");
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Only plain colour values reach the stylesheet (`#0E1525`, `rgb(…)`, `transparent`).
pub fn is_plain_colour(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " #(),.%-".contains(c))
}

/// Relative luminance of a `#RRGGBB` (or `#RRGGBBAA`) colour, 0.0–1.0.
pub fn luminance(hex: &str) -> Option<f32> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 && hex.len() != 8 {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(hex.get(i..i + 2)?, 16)
            .ok()
            .map(|v| v as f32 / 255.0)
    };
    let (r, g, b) = (channel(0)?, channel(2)?, channel(4)?);
    Some(0.2126 * r + 0.7152 * g + 0.0722 * b)
}

/// Sets the CSS custom properties (and `color-scheme`, from the background's lightness).
pub fn apply(values: &ThemeValues) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    for (key, value) in values.iter().take(256) {
        if let (Some(name), true) = (css_var_name(key), is_plain_colour(value)) {
            let _ = style.set_property(&name, value);
        }
        if key == "backgroundRoot" {
            let scheme = match luminance(value) {
                Some(l) if l > 0.5 => "light",
                _ => "dark",
            };
            let _ = root.set_attribute("data-theme", scheme);
            let _ = style.set_property("color-scheme", scheme);
        }
    }
}

/// Records a performance mark (e.g. the first render, measured by the end-to-end suite).
pub fn mark(name: &str) {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark(name);
    }
}

/// Applies the current theme and keeps following it. Errors are not fatal: the defaults stay.
pub async fn follow_workspace_theme() {
    if let Ok(values) = replit::current_theme_values().await {
        apply(&values);
    }
    let _ = replit::on_theme_change_values(|values| apply(&values)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_keys_become_kebab_case_variables() {
        assert_eq!(
            css_var_name("backgroundRoot").as_deref(),
            Some("--background-root")
        );
        assert_eq!(
            css_var_name("accentPrimaryDefault").as_deref(),
            Some("--accent-primary-default")
        );
        assert_eq!(css_var_name("black").as_deref(), Some("--black"));
        assert_eq!(css_var_name("__typename"), None);
        assert_eq!(css_var_name("a;b"), None);
    }

    #[test]
    fn only_plain_colours() {
        assert!(is_plain_colour("#0E1525"));
        assert!(is_plain_colour("#0e1525A0"));
        assert!(is_plain_colour("rgba(0, 0, 0, 0.5)"));
        assert!(!is_plain_colour("red; background: url(x)"));
        assert!(!is_plain_colour(""));
    }

    #[test]
    fn light_and_dark_backgrounds() {
        assert!(luminance("#0E1525").is_some_and(|l| l < 0.5));
        assert!(luminance("#FCFCFC").is_some_and(|l| l > 0.5));
        assert_eq!(luminance("red"), None);
    }
}
