//! Helpers for tests that drive the emulator's OAuth consent page the way a browser would.

/// The consent page's form, ready to submit (`POST` `action` with `fields` form-encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentForm {
    /// The form's `action` (a path; join it with the authorize URL).
    pub action: String,
    pub fields: Vec<(String, String)>,
}

/// Reads the consent page and returns the submission for "Allow access" (`allow = true`, every
/// listed page shared, as the page pre-selects) or "Cancel". `None` if `html` is not a consent
/// page.
pub fn consent_form(html: &str, allow: bool) -> Option<ConsentForm> {
    let form_start = html.find("<form")?;
    let form = &html[form_start..];
    let action = attr(form, "action")?;
    let mut fields = Vec::new();
    for input in form.split("<input").skip(1) {
        let tag = input.split('>').next().unwrap_or_default();
        let (Some(name), Some(value)) = (attr(tag, "name"), attr(tag, "value")) else {
            continue;
        };
        let is_checkbox = attr(tag, "type").as_deref() == Some("checkbox");
        if !is_checkbox || tag.contains(" checked") {
            fields.push((name, value));
        }
    }
    fields.push((
        "action".to_string(),
        if allow { "allow" } else { "cancel" }.to_string(),
    ));
    Some(ConsentForm { action, fields })
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_form() {
        let html = r#"<form method="post" action="/v1/oauth/authorize"><input type="hidden" name="consent" value="abc">
<input type="checkbox" name="page" value="p1" checked> One
<input type="checkbox" name="page" value="p2"> Two</form>"#;
        let form = consent_form(html, true).unwrap();
        assert_eq!(form.action, "/v1/oauth/authorize");
        assert_eq!(
            form.fields,
            vec![
                ("consent".to_string(), "abc".to_string()),
                ("page".to_string(), "p1".to_string()),
                ("action".to_string(), "allow".to_string())
            ]
        );
        assert!(consent_form("<p>nope</p>", true).is_none());
    }
}
