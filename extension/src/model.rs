//! What the panel shows about mappings, in words: labels of the relay's enums, the card's status
//! badge (with the client-side "Overdue"), auto-sync intervals, mapping kinds, and how an error
//! or an item message translates into what the user can do. Pure, so it is unit-tested natively.

use protocol::api::{ConflictStrategy, Direction, Mapping, MappingKind, MappingStatus};
use protocol::session::{ItemAction, ItemOutcome, SyncSummary};

/// The status a card shows: the relay's, plus `Overdue` (auto-sync on, last sync older than the
/// interval), which only the panel can tell because it depends on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStatus {
    NeverSynced,
    RecentlySynced,
    Failed,
    Overdue,
    Conflicts,
}

impl CardStatus {
    pub fn of(m: &Mapping, now_secs: i64) -> CardStatus {
        match m.status {
            MappingStatus::Conflicts => CardStatus::Conflicts,
            MappingStatus::Failed => CardStatus::Failed,
            MappingStatus::NeverSynced => CardStatus::NeverSynced,
            MappingStatus::Synced if is_overdue(m, now_secs) => CardStatus::Overdue,
            MappingStatus::Synced => CardStatus::RecentlySynced,
        }
    }

    /// Badge text, CSS class, and the machine value (`data-status`).
    pub fn badge(self) -> (&'static str, &'static str, &'static str) {
        match self {
            CardStatus::NeverSynced => ("Never Synced", "badge-neutral", "never_synced"),
            CardStatus::RecentlySynced => ("Recently Synced", "badge-positive", "synced"),
            CardStatus::Failed => ("Sync Failed", "badge-negative", "failed"),
            CardStatus::Overdue => ("Overdue", "badge-warning", "overdue"),
            CardStatus::Conflicts => ("Conflicts", "badge-warning", "conflicts"),
        }
    }
}

/// Auto-sync is on and the last sync is older than the interval.
pub fn is_overdue(m: &Mapping, now_secs: i64) -> bool {
    m.auto_sync
        && m.last_synced_at
            .is_some_and(|t| now_secs - t > i64::from(m.sync_interval_secs))
}

/// Whether an auto-sync mapping is due for its interval sync.
pub fn is_due(m: &Mapping, now_secs: i64) -> bool {
    m.auto_sync
        && match m.last_synced_at {
            Some(t) => now_secs - t >= i64::from(m.sync_interval_secs),
            None => true,
        }
}

pub const DIRECTIONS: [Direction; 3] = [
    Direction::Bidirectional,
    Direction::ReplitToNotion,
    Direction::NotionToReplit,
];

/// Label and form value.
pub fn direction_label(d: Direction) -> (&'static str, &'static str) {
    match d {
        Direction::Bidirectional => ("Both ways", "bidirectional"),
        Direction::ReplitToNotion => ("Repl → Notion only", "replit_to_notion"),
        Direction::NotionToReplit => ("Notion → Repl only", "notion_to_replit"),
    }
}

pub fn direction_from(value: &str) -> Option<Direction> {
    DIRECTIONS
        .into_iter()
        .find(|d| direction_label(*d).1 == value)
}

pub const STRATEGIES: [ConflictStrategy; 5] = [
    ConflictStrategy::Merge,
    ConflictStrategy::LatestWins,
    ConflictStrategy::ReplitPriority,
    ConflictStrategy::NotionPriority,
    ConflictStrategy::ManualResolution,
];

/// Label and form value.
pub fn strategy_label(s: ConflictStrategy) -> (&'static str, &'static str) {
    match s {
        ConflictStrategy::Merge => ("Merge, ask on overlap", "merge"),
        ConflictStrategy::LatestWins => ("Latest edit wins", "latest_wins"),
        ConflictStrategy::ReplitPriority => ("Repl wins", "replit_priority"),
        ConflictStrategy::NotionPriority => ("Notion wins", "notion_priority"),
        ConflictStrategy::ManualResolution => ("Always ask me", "manual_resolution"),
    }
}

pub fn strategy_from(value: &str) -> Option<ConflictStrategy> {
    STRATEGIES
        .into_iter()
        .find(|s| strategy_label(*s).1 == value)
}

/// The auto-sync intervals offered (the relay accepts 60 s to 7 days).
pub const INTERVALS: [u32; 6] = [60, 300, 900, 3600, 21_600, 86_400];

pub fn interval_label(secs: u32) -> String {
    match secs {
        s if s % 86_400 == 0 => plural(s / 86_400, "day"),
        s if s % 3600 == 0 => plural(s / 3600, "hour"),
        s if s % 60 == 0 => plural(s / 60, "min"),
        s => format!("{s} s"),
    }
}

fn plural(n: u32, unit: &str) -> String {
    match (n, unit) {
        (1, _) => format!("1 {unit}"),
        (_, "min") => format!("{n} min"),
        _ => format!("{n} {unit}s"),
    }
}

/// "Every 5 min" or "Manual".
pub fn frequency_label(m: &Mapping) -> String {
    if m.auto_sync {
        format!("Every {}", interval_label(m.sync_interval_secs))
    } else {
        "Manual".to_string()
    }
}

/// What each kind of mapping binds, for the form and the cards; the form picks its pickers
/// from this. Every kind of the protocol is listed: a relay that does not sync one yet refuses
/// to create it (`kind_not_supported`), and the form shows that answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    pub kind: MappingKind,
    pub label: &'static str,
    pub value: &'static str,
    /// A short name for the card (`data-kind` carries `value`).
    pub short: &'static str,
    /// A glyph for the card (decorative: the short name says it in words).
    pub icon: &'static str,
    pub repl_side: ReplSide,
    pub notion_side: NotionSide,
    /// The only direction the kind syncs in, when it has one.
    pub fixed_direction: Option<Direction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplSide {
    /// One Markdown file.
    MarkdownFile,
    /// One UTF-8 text file of any kind.
    TextFile,
    /// A folder of Markdown files (recursive optional).
    Folder,
    /// The Repl itself: nothing to pick.
    Repl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotionSide {
    /// One page: a new one (optionally under a parent page) or an existing one.
    Page,
    /// A database: a new one (optionally under a parent page) or an existing one.
    Database,
}

pub const KINDS: &[KindSpec] = &[
    KindSpec {
        kind: MappingKind::FilePage,
        label: "Markdown file ↔ Notion page",
        value: "file_page",
        short: "Page",
        icon: "M↓",
        repl_side: ReplSide::MarkdownFile,
        notion_side: NotionSide::Page,
        fixed_direction: None,
    },
    KindSpec {
        kind: MappingKind::FolderDatabase,
        label: "Folder of Markdown files ↔ Notion database",
        value: "folder_database",
        short: "Database",
        icon: "▦",
        repl_side: ReplSide::Folder,
        notion_side: NotionSide::Database,
        fixed_direction: None,
    },
    KindSpec {
        kind: MappingKind::FileCodePage,
        label: "Any text file ↔ Notion page of code",
        value: "file_code_page",
        short: "Code page",
        icon: "</>",
        repl_side: ReplSide::TextFile,
        notion_side: NotionSide::Page,
        fixed_direction: None,
    },
    KindSpec {
        kind: MappingKind::ReplProjectRow,
        label: "This Repl → a row in a Projects database",
        value: "repl_project_row",
        short: "Project row",
        icon: "◫",
        repl_side: ReplSide::Repl,
        notion_side: NotionSide::Database,
        fixed_direction: Some(Direction::ReplitToNotion),
    },
];

pub fn kind_spec(kind: MappingKind) -> &'static KindSpec {
    KINDS.iter().find(|k| k.kind == kind).unwrap_or(&KINDS[0])
}

pub fn kind_from(value: &str) -> Option<MappingKind> {
    KINDS.iter().find(|k| k.value == value).map(|k| k.kind)
}

/// What a card shows on the Repl side of a mapping.
pub fn repl_side_label(m: &Mapping) -> String {
    match m.kind {
        MappingKind::FolderDatabase => {
            let folder = if m.path.is_empty() {
                "/ (Repl root)".to_string()
            } else {
                format!("{}/", m.path.trim_end_matches('/'))
            };
            if m.recursive {
                format!("{folder} (with subfolders)")
            } else {
                folder
            }
        }
        MappingKind::ReplProjectRow => "This Repl".to_string(),
        MappingKind::FilePage | MappingKind::FileCodePage => m.path.clone(),
    }
}

/// The mapping a file belongs to: its own (file kinds), else the folder mapping whose folder
/// holds it (directly, or at any depth when recursive). A file in a mapped folder is synced
/// with its folder, never mapped a second time on its own.
pub fn mapping_covering<'a>(mappings: &'a [Mapping], path: &str) -> Option<&'a Mapping> {
    let own = mappings.iter().find(|m| {
        matches!(m.kind, MappingKind::FilePage | MappingKind::FileCodePage) && m.path == path
    });
    own.or_else(|| {
        mappings.iter().find(|m| {
            if m.kind != MappingKind::FolderDatabase {
                return false;
            }
            let folder = m.path.trim_matches('/');
            let rest = if folder.is_empty() {
                Some(path)
            } else {
                path.strip_prefix(folder).and_then(|r| r.strip_prefix('/'))
            };
            rest.is_some_and(|r| !r.is_empty() && (m.recursive || !r.contains('/')))
        })
    })
}

/// What a card shows on the Notion side before the relay knows the target's title.
pub fn notion_side_label(m: &Mapping) -> String {
    if let Some(title) = m.title.clone().filter(|t| !t.is_empty()) {
        return title;
    }
    let linked = m.notion_page_id.is_some();
    match (kind_spec(m.kind).notion_side, linked) {
        (NotionSide::Page, true) => "Linked Notion page".into(),
        (NotionSide::Page, false) => "New page (created on first sync)".into(),
        (NotionSide::Database, true) => "Linked Notion database".into(),
        (NotionSide::Database, false) => "New database (created on first sync)".into(),
    }
}

/// A Notion database id from what a user pastes: a bare id (32 hex digits, dashes optional) or
/// a Notion link (`https://www.notion.so/ws/Name-<id>?v=…`). Normalized to the dashed form.
pub fn notion_id_from(input: &str) -> Option<String> {
    let input = input.trim();
    // In a link the id is the last 32 hex digits of the path (before `?` and `#`).
    let path = input.split(['?', '#']).next().unwrap_or(input);
    let hex: String = path.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let candidate = if path.contains('/') || path.contains("notion") {
        let tail = path.rsplit('/').next().unwrap_or(path);
        let tail_hex: String = tail.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        tail_hex
            .get(tail_hex.len().saturating_sub(32)..)?
            .to_string()
    } else {
        let plain = path.replace('-', "");
        if plain.len() != 32 || plain.len() != hex.len() {
            return None;
        }
        hex
    };
    if candidate.len() != 32 {
        return None;
    }
    let c = candidate.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &c[..8],
        &c[8..12],
        &c[12..16],
        &c[16..20],
        &c[20..]
    ))
}

/// Whether an item's message says the page cannot be reached any more (deleted, or no longer
/// shared with the integration: Notion answers 404 for both).
pub fn is_permission_lost(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("no longer shared") || m.contains("notion_not_found")
}

/// Whether a message says Notion refused the connection's token.
pub fn is_token_refused(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("reconnect notion") || m.contains("notion_unauthorized")
}

/// What went wrong with Notion in a sync's items, if anything needs the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemTrouble {
    PermissionLost,
    TokenRefused,
}

pub fn item_trouble(items: &[ItemOutcome]) -> Option<ItemTrouble> {
    let messages = items
        .iter()
        .filter(|i| matches!(i.action, ItemAction::Failed | ItemAction::Conflict))
        .filter_map(|i| i.message.as_deref());
    let mut found = None;
    for m in messages {
        if is_token_refused(m) {
            return Some(ItemTrouble::TokenRefused);
        }
        if is_permission_lost(m) {
            found = Some(ItemTrouble::PermissionLost);
        }
    }
    found
}

/// "3 min ago"-style age of a Unix time.
pub fn ago(now_secs: i64, then_secs: i64) -> String {
    let d = (now_secs - then_secs).max(0);
    match d {
        0..=44 => "just now".to_string(),
        45..=89 => "1 min ago".to_string(),
        90..=3599 => format!("{} min ago", (d + 30) / 60),
        3600..=86_399 => format!("{} h ago", d / 3600),
        _ => format!("{} d ago", d / 86_400),
    }
}

/// "850 ms" / "1.2 s".
pub fn duration_label(ms: i64) -> String {
    if ms < 1000 {
        format!("{} ms", ms.max(0))
    } else {
        format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
    }
}

/// A link is only made of an http(s) URL (the relay relays what Notion says).
pub fn safe_url(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_string)
}

/// "1 pushed, 1 unchanged": the non-zero counts, or a plain sentence when there are none.
pub fn summary_text(s: &SyncSummary) -> String {
    let parts: Vec<String> = [
        (s.created, "created"),
        (s.pushed, "pushed"),
        (s.pulled, "pulled"),
        (s.unchanged, "unchanged"),
        (
            s.conflicts,
            if s.conflicts == 1 {
                "conflict"
            } else {
                "conflicts"
            },
        ),
        (s.skipped, "skipped"),
        (s.failed, "failed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "Nothing to sync.".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping(status: MappingStatus, last: Option<i64>, auto: bool) -> Mapping {
        Mapping {
            id: "m".into(),
            kind: MappingKind::FilePage,
            path: "a.md".into(),
            direction: Direction::Bidirectional,
            strategy: ConflictStrategy::Merge,
            notion_page_id: None,
            notion_url: None,
            title: None,
            last_synced_at: last,
            status,
            auto_sync: auto,
            sync_interval_secs: 300,
            recursive: false,
        }
    }

    #[test]
    fn statuses() {
        let now = 10_000;
        let s = |m: &Mapping| CardStatus::of(m, now).badge().2;
        assert_eq!(
            s(&mapping(MappingStatus::NeverSynced, None, true)),
            "never_synced"
        );
        assert_eq!(
            s(&mapping(MappingStatus::Synced, Some(now - 10), true)),
            "synced"
        );
        assert_eq!(
            s(&mapping(MappingStatus::Synced, Some(now - 400), true)),
            "overdue"
        );
        assert_eq!(
            s(&mapping(MappingStatus::Synced, Some(now - 400), false)),
            "synced"
        );
        assert_eq!(
            s(&mapping(MappingStatus::Failed, Some(now - 400), true)),
            "failed"
        );
        assert_eq!(
            s(&mapping(MappingStatus::Conflicts, Some(now), true)),
            "conflicts"
        );
        assert_eq!(CardStatus::RecentlySynced.badge().0, "Recently Synced");
        assert!(is_due(
            &mapping(MappingStatus::NeverSynced, None, true),
            now
        ));
        assert!(!is_due(
            &mapping(MappingStatus::Synced, Some(now - 10), true),
            now
        ));
        assert!(!is_due(
            &mapping(MappingStatus::Synced, Some(0), false),
            now
        ));
    }

    #[test]
    fn labels_round_trip() {
        for d in DIRECTIONS {
            assert_eq!(direction_from(direction_label(d).1), Some(d));
        }
        for s in STRATEGIES {
            assert_eq!(strategy_from(strategy_label(s).1), Some(s));
        }
        assert_eq!(direction_from("sideways"), None);
        assert_eq!(interval_label(60), "1 min");
        assert_eq!(interval_label(300), "5 min");
        assert_eq!(interval_label(3600), "1 hour");
        assert_eq!(interval_label(21_600), "6 hours");
        assert_eq!(interval_label(86_400), "1 day");
        assert_eq!(interval_label(90), "90 s");
        assert_eq!(kind_spec(MappingKind::FilePage).value, "file_page");
        for k in KINDS {
            assert_eq!(kind_from(k.value), Some(k.kind));
            assert_eq!(kind_spec(k.kind), k);
        }
        assert_eq!(kind_from("file"), None);
        assert_eq!(
            kind_spec(MappingKind::ReplProjectRow).fixed_direction,
            Some(Direction::ReplitToNotion)
        );
    }

    #[test]
    fn card_sides_per_kind() {
        let mut m = mapping(MappingStatus::NeverSynced, None, false);
        assert_eq!(repl_side_label(&m), "a.md");
        assert_eq!(notion_side_label(&m), "New page (created on first sync)");
        m.kind = MappingKind::FolderDatabase;
        m.path = "docs".into();
        m.recursive = true;
        assert_eq!(repl_side_label(&m), "docs/ (with subfolders)");
        assert_eq!(
            notion_side_label(&m),
            "New database (created on first sync)"
        );
        m.path = String::new();
        m.recursive = false;
        assert_eq!(repl_side_label(&m), "/ (Repl root)");
        m.notion_page_id = Some("db".into());
        assert_eq!(notion_side_label(&m), "Linked Notion database");
        m.title = Some("Notes".into());
        assert_eq!(notion_side_label(&m), "Notes");
        m.kind = MappingKind::ReplProjectRow;
        assert_eq!(repl_side_label(&m), "This Repl");
    }

    #[test]
    fn the_mapping_a_file_belongs_to() {
        let mut page = mapping(MappingStatus::Synced, None, false);
        page.id = "page".into();
        page.path = "docs/a.md".into();
        let mut folder = mapping(MappingStatus::Synced, None, false);
        folder.id = "folder".into();
        folder.kind = MappingKind::FolderDatabase;
        folder.path = "docs".into();
        let list = vec![folder.clone(), page];
        let id = |p: &str| mapping_covering(&list, p).map(|m| m.id.clone());
        assert_eq!(
            id("docs/a.md").as_deref(),
            Some("page"),
            "its own mapping first"
        );
        assert_eq!(id("docs/b.md").as_deref(), Some("folder"));
        assert_eq!(id("docs/sub/c.md"), None, "not recursive");
        assert_eq!(id("docs2/b.md"), None);
        assert_eq!(id("docs"), None);
        folder.recursive = true;
        folder.path = String::new();
        let list = vec![folder];
        assert_eq!(
            mapping_covering(&list, "x/y/z.md").map(|m| m.id.as_str()),
            Some("folder")
        );
    }

    #[test]
    fn database_ids_from_links() {
        let dashed = "1c2d3e4f-0000-4000-8000-0123456789ab";
        assert_eq!(notion_id_from(dashed).as_deref(), Some(dashed));
        assert_eq!(
            notion_id_from("1C2D3E4F0000400080000123456789AB").as_deref(),
            Some(dashed)
        );
        assert_eq!(
            notion_id_from("https://www.notion.so/acme/Projects-1c2d3e4f0000400080000123456789ab?v=deadbeefdeadbeefdeadbeefdeadbeef")
                .as_deref(),
            Some(dashed)
        );
        assert_eq!(notion_id_from("Projects"), None);
        assert_eq!(notion_id_from("1234"), None);
        assert_eq!(notion_id_from(""), None);
    }

    #[test]
    fn troubles() {
        let item = |action, m: &str| ItemOutcome {
            path: "a.md".into(),
            action,
            message: Some(m.into()),
        };
        assert_eq!(
            item_trouble(&[item(
                ItemAction::Failed,
                "the Notion page was not found or is no longer shared with the integration"
            )]),
            Some(ItemTrouble::PermissionLost)
        );
        assert_eq!(
            item_trouble(&[item(
                ItemAction::Failed,
                "Notion refused the connection's token: reconnect Notion"
            )]),
            Some(ItemTrouble::TokenRefused)
        );
        assert_eq!(
            item_trouble(&[item(ItemAction::Pushed, "no longer shared")]),
            None
        );
    }

    #[test]
    fn ages_and_durations() {
        assert_eq!(ago(100, 100), "just now");
        assert_eq!(ago(1000, 940), "1 min ago");
        assert_eq!(ago(1000, 700), "5 min ago");
        assert_eq!(ago(10_000, 2_000), "2 h ago");
        assert_eq!(ago(1_000_000, 0), "11 d ago");
        assert_eq!(duration_label(850), "850 ms");
        assert_eq!(duration_label(1250), "1.2 s");
        assert_eq!(safe_url(Some("javascript:alert(1)")), None);
    }

    #[test]
    fn summaries() {
        assert_eq!(summary_text(&SyncSummary::default()), "Nothing to sync.");
        let s = SyncSummary {
            pushed: 1,
            conflicts: 2,
            ..Default::default()
        };
        assert_eq!(summary_text(&s), "1 pushed, 2 conflicts");
    }
}
