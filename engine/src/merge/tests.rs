use super::*;
use crate::translate::Options;

struct Docs {
    base_file: FileDoc,
    local: FileDoc,
    base_remote: RemoteDoc,
    remote: RemoteDoc,
}

fn docs(base: &str, local: &str, remote_md: Option<&str>) -> Docs {
    let opts = Options::default();
    let base_file = FileDoc::parse(base, &opts);
    let base_remote = RemoteDoc::from_blocks(base_file.blocks(), &opts);
    let remote = match remote_md {
        Some(md) => RemoteDoc::parse(md, &opts),
        None => base_remote.clone(),
    };
    Docs {
        local: FileDoc::parse(local, &opts),
        base_file,
        base_remote,
        remote,
    }
}

fn run(d: &Docs, policy: Policy) -> Merged {
    let opts = Options::default();
    merge(
        &MergeInput {
            base_file: &d.base_file,
            local: &d.local,
            base_remote: &d.base_remote,
            remote: &d.remote,
            opts: &opts,
            nl: "\n",
        },
        policy,
    )
}

const BASE: &str =
    "Intro that is\nwrapped by hand.\n\n* one\n* two\n\nMiddle _para_.\n\nLast para.\n";

#[test]
fn pull_patches_only_changed_blocks() {
    let remote =
        "Intro that is wrapped by hand.\n- one\n- two\n- three\nMiddle *para* changed.\nLast para.";
    let d = docs(BASE, BASE, Some(remote));
    let m = run(&d, Policy::Unresolved);
    assert!(!m.unresolved && !m.remote_changed);
    assert_eq!(
        m.body,
        "Intro that is\nwrapped by hand.\n\n* one\n* two\n* three\n\nMiddle *para* changed.\n\nLast para.\n"
    );
}

#[test]
fn push_replaces_only_changed_blocks() {
    let local = BASE.replace("Last para.", "Last para, edited.");
    let d = docs(BASE, &local, None);
    let m = run(&d, Policy::Unresolved);
    assert!(!m.file_changed && m.remote_changed);
    let md = notion_markdown::render(&m.blocks, notion_markdown::Dialect::V1);
    assert_eq!(
        md,
        "Intro that is wrapped by hand.\n- one\n- two\nMiddle *para*.\nLast para, edited."
    );
}

#[test]
fn both_sides_merge_when_apart() {
    let local = BASE.replace("Intro that is", "Intro, edited, that is");
    let remote =
        "Intro that is wrapped by hand.\n- one\n- two\nMiddle *para*.\nLast para from Notion.";
    let d = docs(BASE, &local, Some(remote));
    let m = run(&d, Policy::Unresolved);
    assert!(!m.unresolved, "{:?}", m.conflicts);
    assert_eq!(
        m.body,
        "Intro, edited, that is\nwrapped by hand.\n\n* one\n* two\n\nMiddle _para_.\n\nLast para from Notion.\n"
    );
    let md = notion_markdown::render(&m.blocks, notion_markdown::Dialect::V1);
    assert_eq!(
        md,
        "Intro, edited, that is wrapped by hand.\n- one\n- two\nMiddle *para*.\nLast para from Notion."
    );
}

#[test]
fn overlapping_edits_follow_the_policy() {
    let local = BASE.replace("Last para.", "Last para (Repl).");
    let remote =
        "Intro that is wrapped by hand.\n- one\n- two\nMiddle *para*.\nLast para (Notion).";
    let d = docs(BASE, &local, Some(remote));
    let open = run(&d, Policy::Unresolved);
    assert!(open.unresolved);
    assert_eq!(open.conflicts.len(), 1);
    assert_eq!(open.conflicts[0].local, "Last para (Repl).");
    assert_eq!(open.conflicts[0].remote, "Last para (Notion).");
    let l = run(&d, Policy::Local);
    assert!(!l.file_changed && l.remote_changed);
    let r = run(&d, Policy::Remote);
    assert!(r.file_changed && !r.remote_changed);
    assert!(r.body.ends_with("Last para (Notion).\n"));
}

#[test]
fn notion_noise_is_not_an_edit() {
    // Notion added an empty block and the base remote has it: nothing changed anywhere.
    let opts = Options::default();
    let base_file = FileDoc::parse(BASE, &opts);
    let mut blocks = base_file.blocks();
    blocks.insert(1, notion_markdown::Block::paragraph(""));
    let base_remote = RemoteDoc::from_blocks(blocks, &opts);
    let local = BASE.replace("Last para.", "Last para!");
    let d = Docs {
        local: FileDoc::parse(&local, &opts),
        base_file,
        remote: base_remote.clone(),
        base_remote,
    };
    let m = run(&d, Policy::Unresolved);
    assert!(!m.file_changed);
    let md = notion_markdown::render(&m.blocks, notion_markdown::Dialect::V1);
    assert_eq!(
        md,
        "Intro that is wrapped by hand.\n<empty-block/>\n- one\n- two\nMiddle *para*.\nLast para!"
    );
}

#[test]
fn lines_merge() {
    assert_eq!(
        merge_lines("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n").as_deref(),
        Some("A\nb\nC\n")
    );
    assert_eq!(merge_lines("a\nb\n", "x\nb\n", "y\nb\n"), None);
}

#[test]
fn lines_merge_with_a_policy_decides_only_the_overlap() {
    let base = "a\nb\nc\nx\nd\n";
    let ours = "A\nb\nc\nx\nD1\n";
    let theirs = "a\nb\nC\nx\nD2\n";
    // `A` (ours only) and `C` (theirs only) merge whatever the policy; `d` is the overlap.
    let open = merge_lines_with(base, ours, theirs, Policy::Unresolved);
    assert_eq!(open.text, None);
    assert_eq!(
        open.conflicts,
        vec![ConflictHunk {
            base: "d\n".into(),
            local: "D1\n".into(),
            remote: "D2\n".into()
        }]
    );
    assert_eq!(
        merge_lines_with(base, ours, theirs, Policy::Local)
            .text
            .as_deref(),
        Some("A\nb\nC\nx\nD1\n")
    );
    assert_eq!(
        merge_lines_with(base, ours, theirs, Policy::Remote)
            .text
            .as_deref(),
        Some("A\nb\nC\nx\nD2\n")
    );
    // The same change on both sides is not a conflict.
    let same = merge_lines_with(base, "a\nX\nc\nd\n", "a\nX\nc\nd\ne\n", Policy::Unresolved);
    assert_eq!(same.text.as_deref(), Some("a\nX\nc\nd\ne\n"));
    assert!(same.conflicts.is_empty());
    // Agrees with `merge_lines` where that one merges.
    assert_eq!(
        merge_lines_with("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n", Policy::Unresolved).text,
        merge_lines("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n")
    );
}

#[test]
fn a_hunk_inside_a_wider_group_keeps_the_unchanged_blocks() {
    let base = "A a.\n\nA a.\n";
    let local = "| t | u |\n|---|---|\n| 1 | 2 |\n\n1. item\n";
    let d = docs(base, local, Some("A *b*.\nA a."));
    let m = run(&d, Policy::Remote);
    assert_eq!(m.body, "A *b*.\n\nA a.\n");
    let l = run(&d, Policy::Local);
    assert_eq!(
        notion_markdown::render(&l.blocks, notion_markdown::Dialect::V1),
        notion_markdown::render(&d.local.blocks(), notion_markdown::Dialect::V1)
    );
}
