use super::*;
use crate::file_page::{PageBase, RemoteOp};
use crate::translate::Options;

fn item(i: usize) -> (TrackedItem, ManifestEntry, RemoteRow) {
    let path = format!("notes/Note {i}.md");
    let text = format!("Body of note {i}.\n");
    let md = crate::file_page::page_body(&text, &Options::default());
    let id = format!("{i:032x}");
    let t = TrackedItem {
        page_id: id.clone(),
        path: path.clone(),
        base: PageBase {
            file_text: text.clone(),
            remote_markdown: md,
            title: format!("Note {i}"),
            properties: Properties::new(),
        },
        local_hash: ContentHash::of(&text),
        remote_edited_at: Some(1_000 * 60_000),
        synced_at: Some(1_002 * 60_000),
    };
    let m = ManifestEntry {
        path,
        size: text.len() as u64,
        hash: ContentHash::of(&text),
    };
    let r = RemoteRow {
        page_id: id,
        title: format!("Note {i}"),
        properties: Properties::new(),
        last_edited_at: Some(1_000 * 60_000),
        in_trash: false,
    };
    (t, m, r)
}

fn mapping() -> FolderMapping {
    FolderMapping {
        folder: "notes".into(),
        ..FolderMapping::default()
    }
}

fn setup(n: usize) -> (Vec<TrackedItem>, LocalState, RemoteState) {
    let mut tracked = Vec::new();
    let mut local = LocalState {
        complete: true,
        ..LocalState::default()
    };
    let mut remote = RemoteState {
        complete: true,
        ..RemoteState::default()
    };
    for i in 0..n {
        let (t, m, r) = item(i);
        tracked.push(t);
        local.files.push(m);
        remote.rows.push(r);
    }
    (tracked, local, remote)
}

#[test]
fn no_op_needs_nothing_and_writes_nothing() {
    let (tracked, local, remote) = setup(100);
    let needs = needs(&mapping(), &tracked, &local, &remote);
    assert!(needs.contents.is_empty() && needs.pages.is_empty());
    let plan = plan_folder(&mapping(), &tracked, &local, &remote);
    assert_eq!(plan.writes().count(), 0);
    assert!(plan.guard.is_none());
}

#[test]
fn mass_deletion_is_held() {
    let (tracked, mut local, remote) = setup(50);
    local.files.truncate(10);
    let plan = plan_folder(&mapping(), &tracked, &local, &remote);
    let guard = plan.guard.clone().expect("guard");
    assert_eq!(guard.would_delete, 40);
    assert!(guard.message.starts_with("halted: 40/50 would be deleted"));
    assert_eq!(plan.writes().count(), 0);
    let confirmed = FolderMapping {
        confirm_deletions: true,
        ..mapping()
    };
    let plan = plan_folder(&confirmed, &tracked, &local, &remote);
    let trashed = plan
        .items
        .iter()
        .filter(|i| matches!(i.plan.remote, Some(RemoteOp::Trash)))
        .count();
    assert_eq!(trashed, 40);
    assert!(plan
        .items
        .iter()
        .all(|i| i.plan.remote.is_none() || !i.plan.history.is_empty()));
}

#[test]
fn incomplete_scans_delete_nothing() {
    let (tracked, mut local, mut remote) = setup(10);
    local.files.truncate(2);
    local.complete = false;
    remote.rows.truncate(3);
    let plan = plan_folder(&mapping(), &tracked, &local, &remote);
    assert_eq!(plan.writes().count(), 0);
}

#[test]
fn new_rows_get_safe_unique_names_and_renames_follow() {
    let (tracked, local, mut remote) = setup(2);
    for (i, title) in ["../../etc/passwd", "Note 0", "Note 0"].iter().enumerate() {
        let id = format!("{:032x}", 100 + i);
        remote.rows.push(RemoteRow {
            page_id: id.clone(),
            title: title.to_string(),
            properties: Properties::new(),
            last_edited_at: Some(2_000 * 60_000),
            in_trash: false,
        });
        remote.bodies.insert(
            id,
            PageBody {
                markdown: "Hello.".into(),
                truncated: false,
            },
        );
    }
    remote.rows[1].title = "Renamed".into();
    remote.rows[1].last_edited_at = Some(2_000 * 60_000);
    remote.bodies.insert(
        remote.rows[1].page_id.clone(),
        PageBody {
            markdown: tracked[1].base.remote_markdown.clone(),
            truncated: false,
        },
    );
    let plan = plan_folder(&mapping(), &tracked, &local, &remote);
    let paths: Vec<&str> = plan.items.iter().map(|i| i.path.as_str()).collect();
    assert!(paths.contains(&"notes/etc-passwd.md"), "{paths:?}");
    assert!(paths.contains(&"notes/Note 0 (2).md"), "{paths:?}");
    assert!(paths.contains(&"notes/Note 0 (3).md"), "{paths:?}");
    let renamed = plan
        .items
        .iter()
        .find(|i| i.rename.is_some())
        .expect("rename");
    assert_eq!(renamed.path, "notes/Renamed.md");
    assert!(plan
        .items
        .iter()
        .all(|i| crate::names::is_inside("notes", &i.path)));
}
