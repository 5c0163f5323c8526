use super::*;
use crate::edits::RemoteEdit;
use crate::file_page::{Input, LocalSide, RemotePage, RemoteSide, Settings};
use crate::strategy::{Clocks, Strategy};

const PATH: &str = "src/main.rs";
const FILE: &str = "\u{feff}fn main() {\r\n    one();\r\n    two();\r\n    three();\r\n}\r\n";

fn md(code: &str) -> String {
    to_markdown(PATH, code, Dialect::V1)
}

fn synced(text: &str) -> PageBase {
    PageBase {
        file_text: text.to_string(),
        remote_markdown: md(&code_of(text)),
        title: "main.rs".into(),
        properties: Properties::new(),
    }
}

fn run(base: Option<&PageBase>, text: &str, page_md: &str, settings: &Settings) -> Plan {
    let props = Properties::new();
    plan(
        &Input {
            path: PATH,
            base,
            local: LocalSide::Present(text),
            remote: RemoteSide::Present(RemotePage {
                markdown: page_md,
                truncated: false,
                title: "main.rs",
                properties: &props,
            }),
            clocks: Clocks::default(),
        },
        settings,
    )
}

fn written(p: &Plan) -> &str {
    match &p.file {
        Some(FileOp::Write { content, .. }) => content,
        other => panic!("no file write: {other:?}"),
    }
}

#[test]
fn code_is_the_file_without_its_form() {
    assert_eq!(
        code_of(FILE),
        "fn main() {\n    one();\n    two();\n    three();\n}"
    );
    assert_eq!(file_text(&code_of(FILE), TextForm::detect(FILE)), FILE);
    assert_eq!(
        file_text(&code_of("a\n\n"), TextForm::detect("a\n\n")),
        "a\n\n"
    );
    assert_eq!(file_text(&code_of(""), TextForm::detect("")), "");
}

#[test]
fn a_new_file_becomes_a_code_page() {
    let p = plan(
        &Input {
            path: PATH,
            base: None,
            local: LocalSide::Present(FILE),
            remote: RemoteSide::NotCreated,
            clocks: Clocks::default(),
        },
        &Settings::default(),
    );
    assert_eq!(p.action, Action::Create);
    match &p.remote {
        Some(RemoteOp::Create {
            title, markdown, ..
        }) => {
            assert_eq!(title, "main.rs");
            assert_eq!(from_markdown(markdown, Dialect::V1), Some(code_of(FILE)));
            assert!(markdown.starts_with("```rust"), "{markdown}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_notion_edit_is_pulled_in_the_file_form() {
    let base = synced(FILE);
    let remote = md("fn main() {\n    one();\n    two, from Notion();\n    three();\n}");
    let p = run(Some(&base), FILE, &remote, &Settings::default());
    assert_eq!(p.action, Action::Pull);
    assert_eq!(
        written(&p),
        "\u{feff}fn main() {\r\n    one();\r\n    two, from Notion();\r\n    three();\r\n}\r\n"
    );
    assert_eq!(
        p.history[0].content, FILE,
        "the replaced file goes to history"
    );
    // Nothing changed on either side: nothing to do.
    assert_eq!(
        run(
            Some(&base),
            FILE,
            &base.remote_markdown,
            &Settings::default()
        )
        .action,
        Action::Unchanged
    );
}

#[test]
fn a_local_edit_is_one_small_update() {
    let base = synced(FILE);
    let text = FILE.replace("two();", "two(2);");
    let p = run(
        Some(&base),
        &text,
        &base.remote_markdown,
        &Settings::default(),
    );
    assert_eq!(p.action, Action::Push);
    match &p.remote {
        Some(RemoteOp::Update {
            edit: Some(RemoteEdit::Update { edits }),
            ..
        }) => {
            assert_eq!(edits.len(), 1);
            assert!(!edits[0].old_str.contains("three"), "{edits:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.history[0].side, SideName::Remote);
}

#[test]
fn edits_on_both_sides_merge_by_line_and_overlaps_follow_the_strategy() {
    let base = synced(FILE);
    let text = FILE.replace("one();", "one(1);");
    let remote = md("fn main() {\n    one();\n    two();\n    three(3);\n}");
    let p = run(Some(&base), &text, &remote, &Settings::default());
    assert_eq!(p.action, Action::Merge);
    assert_eq!(
        written(&p),
        FILE.replace("one();", "one(1);")
            .replace("three();", "three(3);")
    );

    let remote = md("fn main() {\n    one(from Notion);\n    two();\n    three();\n}");
    let p = run(Some(&base), &text, &remote, &Settings::default());
    assert_eq!(p.action, Action::Conflict);
    assert!(p.is_noop());
    let c = p.conflict.expect("conflict");
    assert_eq!(c.hunks.len(), 1);
    assert_eq!(c.local, text);

    let manual = Settings {
        strategy: Strategy::ManualResolution,
        ..Settings::default()
    };
    assert_eq!(
        run(Some(&base), &text, &remote, &manual).action,
        Action::Conflict
    );
    let notion = Settings {
        strategy: Strategy::NotionPriority,
        ..Settings::default()
    };
    let p = run(Some(&base), &text, &remote, &notion);
    assert_eq!(written(&p), FILE.replace("one();", "one(from Notion);"));
    assert_eq!(p.history[0].reason, HistoryReason::ConflictLoser);
    let repl = Settings {
        strategy: Strategy::ReplitPriority,
        ..Settings::default()
    };
    let p = run(Some(&base), &text, &remote, &repl);
    assert_eq!(p.action, Action::Push);
    assert_eq!(
        p.base_after
            .map(|b| from_markdown(&b.remote_markdown, Dialect::V1)),
        Some(Some(code_of(&text)))
    );
}

#[test]
fn directions_hold() {
    let base = synced(FILE);
    let text = FILE.replace("one();", "one(1);");
    let remote = md("fn main() {\n    one();\n    two();\n    three(3);\n}");
    let to_notion = Settings {
        direction: Direction::ReplitToNotion,
        ..Settings::default()
    };
    let p = run(Some(&base), &text, &remote, &to_notion);
    assert_eq!(p.action, Action::Push, "the file is never written");
    assert!(p.file.is_none());
    let to_repl = Settings {
        direction: Direction::NotionToReplit,
        ..Settings::default()
    };
    let p = run(Some(&base), &text, &remote, &to_repl);
    assert_eq!(p.action, Action::Pull, "the page is never written");
    assert!(p.remote.is_none());
    assert_eq!(
        run(Some(&base), &text, &base.remote_markdown, &to_repl).action,
        Action::Skip
    );
}

#[test]
fn a_page_that_is_not_code_is_reported_not_guessed() {
    let base = synced(FILE);
    let remote = format!("{}\nA paragraph typed in Notion.", base.remote_markdown);
    for text in [FILE.to_string(), FILE.replace("one();", "one(1);")] {
        for strategy in [
            Strategy::Merge,
            Strategy::ReplitPriority,
            Strategy::NotionPriority,
        ] {
            let s = Settings {
                strategy,
                ..Settings::default()
            };
            let p = run(Some(&base), &text, &remote, &s);
            assert_eq!(p.action, Action::Conflict, "{strategy:?}");
            assert!(p.is_noop());
            assert!(p
                .message
                .as_deref()
                .unwrap_or_default()
                .contains("only code blocks"));
        }
    }
    assert_eq!(
        run(None, FILE, &remote, &Settings::default()).action,
        Action::Conflict
    );
    // Keeping the Repl's version: planned against a base that is that page, the file replaces it.
    let kept = PageBase {
        remote_markdown: remote.clone(),
        ..base.clone()
    };
    let p = run(Some(&kept), FILE, &remote, &Settings::default());
    assert_eq!(p.action, Action::Push);
    assert_eq!(
        p.base_after
            .map(|b| from_markdown(&b.remote_markdown, Dialect::V1)),
        Some(Some(code_of(FILE)))
    );
}

#[test]
fn first_link_agrees_or_asks() {
    let same = run(None, FILE, &md(&code_of(FILE)), &Settings::default());
    assert_eq!(same.action, Action::Unchanged);
    assert!(same.base_after.is_some());
    assert_eq!(
        run(None, FILE, &md("other"), &Settings::default()).action,
        Action::Conflict
    );
    let p = run(None, "", &md("from Notion"), &Settings::default());
    assert_eq!(written(&p), "from Notion\n");
}

#[test]
fn large_files_split_and_join() {
    let text: String = (0..30_000)
        .map(|i| format!("let line_{i} = {i};"))
        .collect::<Vec<_>>()
        .join("\n");
    let md = to_markdown("src/big.rs", &text, Dialect::V1);
    let blocks = notion_markdown::parse(&md, Dialect::V1);
    assert!(blocks.len() > 2);
    assert!(blocks.iter().all(|b| matches!(&b.kind,
        BlockKind::Code { text, language } if text.chars().count() <= MAX_CODE_BLOCK_CHARS && language == "rust")));
    assert_eq!(
        from_markdown(&md, Dialect::V1).as_deref(),
        Some(text.as_str())
    );
    assert_eq!(split("a\n\nb", 2), vec!["a\n", "b"]);
    assert_eq!(split("a\n\nb", 2).join("\n"), "a\n\nb");
}
