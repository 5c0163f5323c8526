//! Cases property tests once found, replayed exactly.

mod support;

use engine::file_page::Settings;
use engine::strategy::{Clocks, Strategy};
use support::*;

enum Op {
    Local(Edit),
    Remote(Edit),
    Sync,
}

fn replay(doc: &str, ops: Vec<Op>, strategy: Strategy) {
    let w = World::new();
    let s = Settings {
        strategy,
        ..Settings::default()
    };
    let clocks = Clocks {
        local_changed_at: Some(10 * 60_000),
        remote_edited_at: Some(60_000),
    };
    let mut item = Item::new("docs/Doc.md", doc);
    item.sync(&w, &s, clocks);
    item.sync(&w, &s, clocks);
    let id = item.page_id.clone().unwrap();
    for op in ops {
        match op {
            Op::Local(e) => item.file = Some(edit_file(item.file.as_deref().unwrap(), &e)),
            Op::Remote(e) => w.user_edit(&id, &edit_page(&w.read(&id), &e)),
            Op::Sync => {
                item.sync(&w, &s, clocks);
            }
        }
    }
    let r = item.sync(&w, &s, clocks);
    let file = item.file.clone().unwrap();
    let page = w.read(&id);
    assert!(
        r.plan.action == engine::file_page::Action::Conflict || agree(&file, &page),
        "{:?}\n{file}\n---\n{page}",
        r.plan
    );
    let again = item.sync(&w, &s, clocks);
    assert_eq!(again.remote_writes, 0);
    assert!(!again.file_written);
}

#[test]
fn duplicate_dividers_align() {
    replay(
        "*alpha* *alpha*.\n\n*alpha* *alpha*.\n\n- [ ] *alpha*\n\n*alpha* *alpha*.\n\n1. *alpha*\n\n- merge **wasm** `notion` delta repl\n- *table* [edit](https://example.com/edit) alpha repl wasm ~~merge~~ **list**\n- sync table *gamma* repl plan merge plan\n  - ~~block~~ gamma [sync](https://example.com/sync)\n\n---\n\n> *edit* block list `beta`\n",
        vec![
            Op::Remote(Edit::Replace(14772051928770566364, "![beta](https://example.com/beta.png)".into())),
            Op::Local(Edit::Insert(17209991772978811280, "File notion code delta *list* ~~sync~~\nblock plan sync *rust* page **rust**.".into())),
            Op::Remote(Edit::Replace(10921920667001233777, "---".into())),
            Op::Sync,
            Op::Local(Edit::Replace(9088975627756472272, "Delta page alpha note **block** table [rust](https://example.com/rust) [notion](https://example.com/notion).".into())),
        ],
        Strategy::Merge,
    );
}

#[test]
fn a_pulled_leading_heading_is_not_taken_for_the_title() {
    replay(
        "> *alpha*\n",
        vec![Op::Remote(Edit::Replace(0, "# *alpha*".into()))],
        Strategy::Merge,
    );
}

#[test]
fn a_leading_divider_is_not_front_matter() {
    replay(
        "---\n\n*alpha* *alpha*.\n",
        vec![Op::Remote(Edit::Replace(1, "---".into()))],
        Strategy::LatestWins,
    );
    replay(
        "*alpha* *alpha*.\n\n1. *alpha*\n\n- [ ] *alpha*\n- [ ] *alpha*\n- [ ] *alpha*\n\n> delta\n\n---\n\n## repl note code [note](https://example.com/note) notion list\n",
        vec![
            Op::Local(Edit::Delete(10014589768021041716)),
            Op::Remote(Edit::Replace(17179437748881957652, "---".into())),
            Op::Remote(Edit::Replace(6459778226994345192, "---".into())),
            Op::Sync,
        ],
        Strategy::LatestWins,
    );
}

#[test]
fn a_repeated_divider_is_edited_where_the_diff_meant() {
    // Three dividers, the third replaced: `---\n---\n` looked unique to a count that skips
    // overlaps, and Notion rewrote the first pair instead.
    replay(
        "*alpha* *alpha*.\n\n---\n\n---\n\n---\n\n> *alpha*\n\n- *alpha*\n- *alpha*\n\n- [ ] *alpha*\n- [ ] *alpha*\n\n> *alpha*\n\n| alpha | delta |\n|---|---|\n| edit | table |\n",
        vec![
            Op::Sync,
            Op::Local(Edit::Replace(16360253840031801351, "[list](https://example.com/list) plan *plan* `delta` list **beta** [code](https://example.com/code) merge note [rust](https://example.com/rust) alpha block list.".into())),
            Op::Local(Edit::Replace(8145281054101234137, "> `page` [code](https://example.com/code) delta".into())),
            Op::Local(Edit::Replace(461538662133588641, "3. beta [merge](https://example.com/merge) **wasm**".into())),
        ],
        Strategy::ManualResolution,
    );
}
