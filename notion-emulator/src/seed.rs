//! Initial workspaces: `demo` (for the offline demo and realistic tests) and `empty`.

use notion_markdown::{BlockKind, Dialect};
use time::Duration;

use crate::config::Seed;
use crate::content::{Stamp, StoredBlock};
use crate::edit;
use crate::ids;
use crate::nfm;
use crate::state::{Access, BotRecord, PageParentRef, Store};
use crate::time::Clock;

const WORKSPACE: &str = "Acme Docs";

pub fn build(seed: Seed, clock: &Clock) -> Store {
    let mut store = Store::new(WORKSPACE, "Ada Lovelace", "ada@acme.example");
    if seed == Seed::Demo {
        demo(&mut store, clock);
    }
    store
}

const TEAM_HANDBOOK: &str = "\
Acme Docs is where the team keeps **how we work**. Start with the onboarding checklist below.
<callout icon=\"👋\" color=\"blue_bg\">
\tNew here? Say hi in *#general* and pick an onboarding buddy.
</callout>
## Values
- Ship small, ship often
- Write things down
\t- Decisions go in the [decision log](https://acme.example/decisions)
- Be kind, be direct
## Working hours
We are remote-first across three time zones. Core hours are 14:00–17:00 UTC.
> Default to async; meet when it saves time.
## Tools
<table header-row=\"true\">
<tr>
<td>Tool</td>
<td>What for</td>
</tr>
<tr>
<td>Replit</td>
<td>Code, docs and previews</td>
</tr>
<tr>
<td>Notion</td>
<td>Plans, notes and this handbook</td>
</tr>
</table>";

const ONBOARDING: &str = "\
Work through these in your first week.
- [x] Get a laptop and accounts
- [ ] Read the Team Handbook
- [ ] Ship a first small change
<details>
<summary>Who to ask</summary>
\tYour buddy first, then the #help channel.
</details>";

const ROADMAP: &str = "\
## Now
- [x] Notion sync: push a Markdown file to a page
- [ ] Notion sync: pull page edits back into the Repl
## Next
1. Folder ↔ database mappings
2. Conflict view with side-by-side diff
3. History and restore
## Later
Ideas we like but have not planned yet.
---
```rust
fn main() {
    println!(\"Ship it\");
}
```";

const MEETING_NOTES: &str = "\
### Weekly sync
Attendees: Ada, Grace, Linus
- Demo of the sync panel went well
- Rate limits: stay under 3 requests per second
\t- Pace per token, honour Retry-After
### Action items
- [ ] Grace: write the conflict-resolution spec
- [ ] Linus: benchmark a 300-block page
<empty-block/>";

fn demo(store: &mut Store, clock: &Clock) {
    let owner = store.workspace.owner;
    let now = clock.now();
    let seeder = BotRecord {
        id: owner,
        name: "seed".into(),
        client_id: None,
        owner: None,
        access: Access::All,
    };
    let pages = [
        ("Team Handbook", TEAM_HANDBOOK, 30),
        ("Roadmap", ROADMAP, 12),
        ("Meeting Notes", MEETING_NOTES, 3),
    ];
    for (title, body, days_ago) in pages {
        let stamp = Stamp {
            now: now - Duration::days(days_ago),
            actor: owner,
        };
        let id = ids::new_id();
        let seq = store.next_seq();
        store.pages.insert(
            id,
            edit::new_page_record(id, PageParentRef::Workspace, title, stamp, seq),
        );
        // Seeds are constants that parse; a failure here is a bug in the seed text.
        if let Err(err) = edit::write_body(
            store,
            id,
            &seeder,
            nfm::parse(body, Dialect::V1),
            false,
            stamp,
        ) {
            tracing::error!(%err, title, "demo seed page could not be written");
        }
        if title == "Roadmap" {
            add_bookmark(store, id, stamp);
        }
    }
    // The handbook's sub-page, created the way `POST /v1/pages` with a page parent does.
    let handbook = store
        .pages
        .values()
        .find(|p| p.title_text() == "Team Handbook")
        .map(|p| p.id);
    if let Some(parent) = handbook {
        let stamp = Stamp {
            now: now - Duration::days(29),
            actor: owner,
        };
        let id = ids::new_id();
        let seq = store.next_seq();
        let record = edit::new_page_record(
            id,
            PageParentRef::Page(parent),
            "Onboarding Checklist",
            stamp,
            seq,
        );
        store.pages.insert(id, record);
        let body = nfm::parse(ONBOARDING, Dialect::V1);
        if let Err(err) = edit::write_body(store, id, &seeder, body, false, stamp) {
            tracing::error!(%err, "demo seed sub-page could not be written");
        }
        edit::attach_child_page(store, parent, id, &edit::Position::End, stamp);
    }
}

/// A bookmark block: Markdown v1 cannot express it, so it renders as `<unknown …/>` and shows
/// up in `unknown_block_ids`, exercising the "preserve what you cannot read" path.
fn add_bookmark(store: &mut Store, page_id: uuid::Uuid, stamp: Stamp) {
    let Some(page) = store.pages.get_mut(&page_id) else {
        return;
    };
    let id = ids::new_id();
    page.blocks.push(StoredBlock {
        id,
        kind: BlockKind::Unknown {
            url: ids::markdown_block_url(page_id, id),
            alt: Some("bookmark".into()),
        },
        children: Vec::new(),
        created_time: stamp.now,
        last_edited_time: stamp.now,
        created_by: stamp.actor,
        last_edited_by: stamp.actor,
    });
    // What the blocks API shows for it.
    store.objects.block_extras.insert(
        id,
        crate::objects::BlockExtra {
            api: Some((
                "bookmark".into(),
                serde_json::json!({"caption": [], "url": "https://acme.example/roadmap"}),
            )),
            ..Default::default()
        },
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::content;

    fn kinds(blocks: &[notion_markdown::Block], out: &mut BTreeSet<String>) {
        for b in blocks {
            out.insert(b.api_type());
            kinds(&b.children, out);
        }
    }

    #[test]
    fn demo_pages_cover_many_block_types_and_render_to_a_fixpoint() {
        let store = build(Seed::Demo, &Clock::default());
        assert_eq!(store.pages.len(), 4);
        let mut seen = BTreeSet::new();
        for page in store.pages.values() {
            let visible = content::to_blocks(&content::visible_tree(&store, &page.blocks));
            kinds(&visible, &mut seen);
            // Re-reading what GET renders gives the same blocks: a write of unchanged
            // Markdown changes nothing (and keeps every id).
            let markdown = nfm::render(&visible, Dialect::V1);
            assert_eq!(
                nfm::parse(&markdown, Dialect::V1),
                visible,
                "{}",
                page.title_text()
            );
        }
        for expected in [
            "paragraph",
            "heading_2",
            "heading_3",
            "bulleted_list_item",
            "numbered_list_item",
            "to_do",
            "quote",
            "toggle",
            "callout",
            "code",
            "divider",
            "table",
            "child_page",
            "unsupported",
        ] {
            assert!(
                seen.contains(expected),
                "demo has a {expected} block: {seen:?}"
            );
        }
    }

    #[test]
    fn empty_seed_is_empty() {
        assert!(build(Seed::Empty, &Clock::default()).pages.is_empty());
    }
}
