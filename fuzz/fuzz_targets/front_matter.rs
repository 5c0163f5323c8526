//! Front matter: parsing never fails or panics, renders back byte for byte, and setting one
//! key changes that key only (every other entry keeps its value, the text before and after the
//! front matter is untouched). Typed conversion to properties never panics.

#![no_main]

use engine::document::FileParts;
use engine::frontmatter::{self, FrontMatter, PropertyType, Schema, Value};
use libfuzzer_sys::fuzz_target;

fn schema() -> Schema {
    [
        ("title", PropertyType::Title),
        ("tags", PropertyType::MultiSelect),
        ("status", PropertyType::Status),
        ("done", PropertyType::Checkbox),
        ("points", PropertyType::Number),
        ("due", PropertyType::Date),
        ("link", PropertyType::Url),
        ("owner", PropertyType::People),
        ("kind", PropertyType::Select),
        ("notes", PropertyType::RichText),
    ]
    .into_iter()
    .map(|(k, t)| (k.to_string(), t))
    .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = frontmatter::validate(text);
    let parts = FileParts::split(text);
    let Some(raw) = parts.front_matter else {
        return;
    };
    let _ = frontmatter::validate(raw);
    let fm = FrontMatter::parse(raw);
    assert_eq!(
        fm.render(),
        raw,
        "front matter must render back byte for byte"
    );
    let _ = frontmatter::properties(&fm, &schema());

    let mut edited = fm.clone();
    let value = Value::String("fuzzed value".to_string());
    edited.set("status", &value);
    let reparsed = FrontMatter::parse(&edited.render());
    assert_eq!(
        reparsed.get("status"),
        Some(&value),
        "the key set must read back"
    );
    for e in &fm.entries {
        if e.key == "status" || fm.entries.iter().filter(|o| o.key == e.key).count() > 1 {
            continue;
        }
        assert_eq!(
            reparsed.get(&e.key),
            e.value.as_ref(),
            "setting `status` changed `{}`\nbefore: {raw:?}\nafter: {:?}",
            e.key,
            edited.render()
        );
    }
});
