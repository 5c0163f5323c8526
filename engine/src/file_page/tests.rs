use super::*;

fn settings() -> Settings {
    Settings::default()
}

fn page<'a>(md: &'a str, title: &'a str, props: &'a Properties) -> RemoteSide<'a> {
    RemoteSide::Present(RemotePage {
        markdown: md,
        truncated: false,
        title,
        properties: props,
    })
}

fn synced(text: &str) -> PageBase {
    let md = page_body(text, &Options::default());
    PageBase {
        file_text: text.to_string(),
        remote_markdown: md,
        title: "Plan".into(),
        properties: Properties::new(),
    }
}

const FILE: &str =
    "\u{feff}# Plan\r\n\r\nFirst  para\r\nwrapped.\r\n\r\n* a\r\n* b\r\n\r\nLast para.\r\n";

#[test]
fn create_sends_body_without_title_or_front_matter() {
    let text = "---\ntags: [x]\n---\n# Plan\n\nBody.\n";
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: None,
            local: LocalSide::Present(text),
            remote: RemoteSide::NotCreated,
            clocks: Clocks::default(),
        },
        &settings(),
    );
    assert_eq!(p.action, Action::Create);
    let Some(RemoteOp::Create {
        title, markdown, ..
    }) = p.remote
    else {
        panic!("create expected")
    };
    assert_eq!(title, "Plan");
    assert_eq!(markdown, "Body.");
}

#[test]
fn pull_keeps_bytes_crlf_and_bom() {
    let base = synced(FILE);
    let remote = base
        .remote_markdown
        .replace("Last para.", "Last para, edited in Notion.");
    let props = Properties::new();
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: Some(&base),
            local: LocalSide::Present(FILE),
            remote: page(&remote, "Plan", &props),
            clocks: Clocks::default(),
        },
        &settings(),
    );
    assert_eq!(p.action, Action::Pull, "{p:?}");
    let Some(FileOp::Write {
        content,
        expected_hash,
        ..
    }) = &p.file
    else {
        panic!("write expected")
    };
    assert_eq!(
        content,
        &FILE.replace("Last para.", "Last para, edited in Notion.")
    );
    assert_eq!(expected_hash.as_ref(), Some(&ContentHash::of(FILE)));
    assert_eq!(p.history.len(), 1);
    assert!(p.remote.is_none());
}

#[test]
fn push_is_one_small_edit() {
    let base = synced(FILE);
    let local = FILE.replace("Last para.", "Last para, edited.");
    let props = Properties::new();
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: Some(&base),
            local: LocalSide::Present(&local),
            remote: page(&base.remote_markdown, "Plan", &props),
            clocks: Clocks::default(),
        },
        &settings(),
    );
    assert_eq!(p.action, Action::Push);
    let Some(RemoteOp::Update {
        edit: Some(RemoteEdit::Update { edits }),
        title: None,
        ..
    }) = &p.remote
    else {
        panic!("update expected: {p:?}")
    };
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].old_str, "Last para.");
}

#[test]
fn unknown_sides_are_never_deletions() {
    let base = synced(FILE);
    for (local, remote) in [
        (LocalSide::Unknown, RemoteSide::Trashed),
        (LocalSide::Deleted, RemoteSide::Unknown),
        (LocalSide::Present(FILE), RemoteSide::Unknown),
    ] {
        let p = plan(
            &Input {
                path: "docs/plan.md",
                base: Some(&base),
                local,
                remote,
                clocks: Clocks::default(),
            },
            &settings(),
        );
        assert_eq!(p.action, Action::Skip);
        assert!(p.is_noop());
    }
}

#[test]
fn edit_beats_delete() {
    let base = synced(FILE);
    let props = Properties::new();
    let edited = base.remote_markdown.replace("Last para.", "Edited.");
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: Some(&base),
            local: LocalSide::Deleted,
            remote: page(&edited, "Plan", &props),
            clocks: Clocks::default(),
        },
        &settings(),
    );
    assert_eq!(p.action, Action::Restore);
    assert!(matches!(
        p.file,
        Some(FileOp::Write {
            expected_hash: None,
            ..
        })
    ));
    assert_eq!(p.history[0].reason, HistoryReason::DeletionOverridden);
    let local = FILE.replace("Last para.", "Edited.");
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: Some(&base),
            local: LocalSide::Present(&local),
            remote: RemoteSide::Trashed,
            clocks: Clocks::default(),
        },
        &settings(),
    );
    assert_eq!(p.action, Action::Restore);
    assert!(matches!(p.remote, Some(RemoteOp::Create { .. })));
}

#[test]
fn deleting_a_child_page_locally_is_a_conflict() {
    let text = "Intro.\n\n<page url=\"https://www.notion.so/0123456789abcdef0123456789abcdef\">Child</page>\n\nEnd.\n";
    let base = synced(text);
    let local = "Intro.\n\nEnd.\n";
    let props = Properties::new();
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: Some(&base),
            local: LocalSide::Present(local),
            remote: page(&base.remote_markdown, "Plan", &props),
            clocks: Clocks::default(),
        },
        &settings(),
    );
    assert_eq!(p.action, Action::Conflict);
    assert!(p.is_noop());
}

#[test]
fn one_paragraph_in_300_blocks_is_one_update_content_edit() {
    let text: String = (0..300)
        .map(|i| format!("Paragraph {i} of a long page, with *some* styling."))
        .collect::<Vec<_>>()
        .join("\n\n")
        + "\n";
    let base = synced(&text);
    let local = text.replace("Paragraph 150 of", "Paragraph 150, edited, of");
    let props = Properties::new();
    let p = plan(
        &Input {
            path: "docs/plan.md",
            base: Some(&base),
            local: LocalSide::Present(&local),
            remote: page(&base.remote_markdown, "Plan", &props),
            clocks: Clocks::default(),
        },
        &settings(),
    );
    let Some(RemoteOp::Update {
        edit: Some(RemoteEdit::Update { edits }),
        ..
    }) = &p.remote
    else {
        panic!("update expected: {:?}", p.action)
    };
    assert_eq!(edits.len(), 1);
    let after = crate::edits::apply(&base.remote_markdown, edits).unwrap_or_default();
    assert_eq!(Some(after), p.expected_markdown);
}
