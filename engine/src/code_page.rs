//! `file_code_page` mappings: any UTF-8 text file held in a page as code blocks.
//!
//! The language comes from the file's extension. A code block holds at most 100 rich-text
//! items of 2,000 characters, so a large file is split over several code blocks, at line
//! breaks (G14); reading the page joins them back. The file's BOM, line endings and final
//! newline are not code: they stay in the file ([`TextForm`]) and never reach the page.
//!
//! [`plan`] is this kind's counterpart of [`crate::file_page::plan`], with the same inputs and
//! the same [`Plan`], so the relay executes both alike. Lines are the only structure a code
//! file has, so the three-way merge is line by line ([`merge::merge_lines_with`]), and the
//! page is written with the fewest `update_content` edits on its Markdown. A page someone made
//! into something other than code blocks is never guessed at: it is a conflict that writes
//! nothing, until the user keeps one side.

use notion_markdown::{Block, BlockKind, Dialect};

use crate::edits::minimal_edits;
use crate::file_page::{
    file_write, replaced, Action, Conflict, Direction, FileOp, HistoryEntry, HistoryReason, Input,
    LocalSide, PageBase, Plan, RemoteOp, RemotePage, RemoteSide, Settings, SideName,
};
use crate::frontmatter::Properties;
use crate::merge::{self, Policy};
use crate::normalize::{self, TextForm};
use crate::strategy;
use crate::translate::languages;
use crate::translate::limits::{MAX_ITEMS, MAX_TEXT_CHARS};
use protocol::ContentHash;

/// Characters one code block can hold.
pub const MAX_CODE_BLOCK_CHARS: usize = MAX_ITEMS * MAX_TEXT_CHARS;

/// The code blocks for a file (`text` with LF line breaks, without its final newline).
pub fn blocks(path: &str, text: &str) -> Vec<Block> {
    let language = languages::for_path(path);
    split(text, MAX_CODE_BLOCK_CHARS)
        .into_iter()
        .map(|piece| {
            Block::new(BlockKind::Code {
                language: language.clone(),
                text: piece,
            })
        })
        .collect()
}

/// The page body for a file.
pub fn to_markdown(path: &str, text: &str, dialect: Dialect) -> String {
    notion_markdown::render(&blocks(path, text), dialect)
}

/// The file text held by a page: its code blocks joined. `None` when the page holds anything
/// else (someone added a paragraph in Notion): the caller reports it rather than guess.
pub fn from_markdown(markdown: &str, dialect: Dialect) -> Option<String> {
    let blocks = notion_markdown::parse(markdown, dialect);
    let mut parts = Vec::with_capacity(blocks.len());
    for b in &blocks {
        match &b.kind {
            BlockKind::Code { text, .. } if b.children.is_empty() => parts.push(text.as_str()),
            BlockKind::Paragraph { text, .. } if text.is_empty() && b.children.is_empty() => {}
            _ => return None,
        }
    }
    Some(parts.join("\n"))
}

/// `text` cut at line breaks into pieces of at most `max` characters. Joining the pieces with
/// `\n` gives `text` back. A single line longer than `max` stays whole in a piece of its own
/// (cutting it would change the text on the way back); the markdown endpoint still accepts it.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    if text.chars().count() <= max {
        return vec![text.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    let mut cur: Option<(String, usize)> = None;
    for line in text.split('\n') {
        let len = line.chars().count();
        cur = match cur.take() {
            Some((mut piece, n)) if n + 1 + len <= max => {
                piece.push('\n');
                piece.push_str(line);
                Some((piece, n + 1 + len))
            }
            Some((piece, _)) => {
                out.push(piece);
                Some((line.to_string(), len))
            }
            None => Some((line.to_string(), len)),
        };
    }
    if let Some((piece, _)) = cur {
        out.push(piece);
    }
    out
}

/// The code a file holds: without its BOM, with LF line breaks, without one final newline
/// (those are the file's form, restored by [`file_text`]).
pub fn code_of(text: &str) -> String {
    let lf = normalize::to_lf(normalize::strip_bom(text));
    match lf.strip_suffix('\n') {
        Some(code) => code.to_string(),
        None => lf,
    }
}

/// The file holding `code`, in `form` (BOM, CRLF and final newline as the file had them).
pub fn file_text(code: &str, form: TextForm) -> String {
    let mut lf = code.to_string();
    if form.final_newline {
        lf.push('\n');
    }
    form.apply(&lf)
}

/// The page title for a code file: its file name (`main.rs`), as people look for it.
pub fn title_for(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

const NOT_CODE: &str = "the page no longer holds only code blocks (someone added other content in Notion); nothing was written — keep the Repl's version to replace the page (its content goes to history), or make the page a single code block again in Notion";

/// Plans one `file_code_page` item (see the module documentation).
pub fn plan(input: &Input<'_>, settings: &Settings) -> Plan {
    match (input.local, input.remote) {
        (LocalSide::Unknown, _) => {
            return Plan::skip("the file could not be read; nothing was changed (retried next sync)")
        }
        (_, RemoteSide::Unknown) => {
            return Plan::skip(
                "the page could not be read (missing, unshared or an error); nothing was changed (retried next sync)",
            )
        }
        (_, RemoteSide::Present(p)) if p.truncated => {
            return Plan::skip(
                "Notion returned only part of the page; it is not used as evidence of anything (retried next sync)",
            )
        }
        _ => {}
    }
    match (input.local, input.remote) {
        (LocalSide::Deleted, RemoteSide::Trashed | RemoteSide::NotCreated) => Plan {
            message: Some("both the file and the page are gone".into()),
            ..Plan::new(Action::Forget)
        },
        (LocalSide::Deleted, RemoteSide::Present(page)) => deleted_locally(input, &page, settings),
        (LocalSide::Present(text), RemoteSide::Trashed) => trashed_remotely(input, text, settings),
        (LocalSide::Present(text), RemoteSide::NotCreated) => {
            create(input.path, text, settings, None)
        }
        (LocalSide::Present(text), RemoteSide::Present(page)) => match input.base {
            None => first_link(input, text, &page, settings),
            Some(base) => both_present(input, base, text, &page, settings),
        },
        _ => Plan::skip("nothing to do"),
    }
}

fn create(path: &str, text: &str, settings: &Settings, history: Option<HistoryEntry>) -> Plan {
    if settings.direction == Direction::NotionToReplit {
        return Plan::skip("the file is new, but this mapping only syncs Notion → Repl");
    }
    let dialect = settings.opts.dialect;
    let markdown = to_markdown(path, &code_of(text), dialect);
    let title = title_for(path);
    let mut plan = Plan::new(if history.is_some() {
        Action::Restore
    } else {
        Action::Create
    });
    plan.history.extend(history);
    plan.expected_markdown = Some(normalize::canonical_markdown(&markdown, dialect));
    plan.base_after = Some(PageBase {
        file_text: text.to_string(),
        remote_markdown: markdown.clone(),
        title: title.clone(),
        properties: Properties::new(),
    });
    plan.remote = Some(RemoteOp::Create {
        title,
        markdown,
        properties: Properties::new(),
    });
    plan
}

/// The page's code, or a conflict plan when the page holds something else.
fn page_code(page: &RemotePage<'_>, settings: &Settings) -> Option<String> {
    from_markdown(page.markdown, settings.opts.dialect)
}

fn not_code(base: &str, text: &str, page: &RemotePage<'_>, settings: &Settings) -> Plan {
    let mut plan = Plan::new(Action::Conflict);
    plan.message = Some(NOT_CODE.into());
    plan.conflict = Some(Conflict {
        base: base.to_string(),
        local: text.to_string(),
        // What the page holds now, readable as Markdown.
        remote: crate::translate::from_notion_with(page.markdown, &settings.opts),
        hunks: Vec::new(),
        message: NOT_CODE.into(),
    });
    plan
}

fn deleted_locally(input: &Input<'_>, page: &RemotePage<'_>, settings: &Settings) -> Plan {
    let Some(base) = input.base else {
        return Plan::skip("the file is gone and was never synced; the page was left alone");
    };
    let dialect = settings.opts.dialect;
    let changed = normalize::canonical_markdown(page.markdown, dialect)
        != normalize::canonical_markdown(&base.remote_markdown, dialect);
    if changed || settings.direction == Direction::NotionToReplit {
        // Edit beats delete (G6): the page's version comes back as the file.
        let Some(code) = page_code(page, settings) else {
            return Plan::skip(
                "the file was deleted, and the page was edited in Notion into something other than code; nothing was changed — restore the file or make the page a code block again",
            );
        };
        let content = file_text(&code, TextForm::detect(&base.file_text));
        let mut plan = Plan::new(Action::Restore);
        plan.message = Some(
            "the file was deleted but the page was edited since; the file was restored".into(),
        );
        plan.history.push(HistoryEntry {
            side: SideName::Local,
            reason: HistoryReason::DeletionOverridden,
            content: base.file_text.clone(),
        });
        plan.base_after = Some(PageBase {
            file_text: content.clone(),
            remote_markdown: page.markdown.to_string(),
            title: base.title.clone(),
            properties: Properties::new(),
        });
        plan.file = Some(file_write(content, None));
        return plan;
    }
    let mut plan = Plan::new(Action::DeleteRemote);
    plan.history.push(HistoryEntry {
        side: SideName::Remote,
        reason: HistoryReason::Deleted,
        content: page.markdown.to_string(),
    });
    plan.remote = Some(RemoteOp::Trash);
    plan
}

fn trashed_remotely(input: &Input<'_>, text: &str, settings: &Settings) -> Plan {
    let Some(base) = input.base else {
        return create(input.path, text, settings, None);
    };
    if text != base.file_text || settings.direction == Direction::ReplitToNotion {
        // Edit beats delete (G6): the file's version comes back as a new page.
        let mut plan = create(
            input.path,
            text,
            settings,
            Some(HistoryEntry {
                side: SideName::Remote,
                reason: HistoryReason::DeletionOverridden,
                content: base.remote_markdown.clone(),
            }),
        );
        plan.message = Some(
            "the page was trashed but the file was edited since; the page was recreated".into(),
        );
        return plan;
    }
    let mut plan = Plan::new(Action::DeleteLocal);
    plan.history.push(HistoryEntry {
        side: SideName::Local,
        reason: HistoryReason::Deleted,
        content: text.to_string(),
    });
    plan.file = Some(FileOp::Delete {
        expected_hash: ContentHash::of(text),
    });
    plan
}

fn first_link(input: &Input<'_>, text: &str, page: &RemotePage<'_>, settings: &Settings) -> Plan {
    let Some(remote) = page_code(page, settings) else {
        return not_code("", text, page, settings);
    };
    let local = code_of(text);
    let agreed = |file_text: &str| PageBase {
        file_text: file_text.to_string(),
        remote_markdown: page.markdown.to_string(),
        title: page.title.to_string(),
        properties: Properties::new(),
    };
    if remote == local {
        let mut plan = Plan::new(Action::Unchanged);
        plan.message = Some("the file and the page already hold the same code".into());
        plan.base_after = Some(agreed(text));
        return plan;
    }
    if remote.is_empty() {
        // An empty code block is a target to fill: the file is the only change.
        let base = agreed("");
        return both_present(input, &base, text, page, settings);
    }
    if local.is_empty() {
        let mut form = TextForm::detect(text);
        // An empty file has no form yet: it gets the usual final line break.
        form.final_newline |= text.is_empty();
        let content = file_text(&remote, form);
        let mut plan = Plan::new(Action::Pull);
        plan.history.push(HistoryEntry {
            side: SideName::Local,
            reason: HistoryReason::Overwritten,
            content: text.to_string(),
        });
        plan.base_after = Some(agreed(&content));
        plan.file = Some(file_write(content, Some(text)));
        return plan;
    }
    let mut plan = Plan::new(Action::Conflict);
    plan.message = Some(
        "both the file and the page already have content; nothing was overwritten — choose which to keep".into(),
    );
    plan.conflict = Some(Conflict {
        base: String::new(),
        local: text.to_string(),
        remote: file_text(&remote, TextForm::detect(text)),
        hunks: Vec::new(),
        message: "first link".into(),
    });
    plan
}

fn both_present(
    input: &Input<'_>,
    base: &PageBase,
    text: &str,
    page: &RemotePage<'_>,
    settings: &Settings,
) -> Plan {
    let dialect = settings.opts.dialect;
    let dir = settings.direction;
    let remote_code = page_code(page, settings);
    let base_code = code_of(&base.file_text);
    // Only the code counts: a language Notion renamed or a block split it moved is no edit.
    let remote_changed = normalize::canonical_markdown(page.markdown, dialect)
        != normalize::canonical_markdown(&base.remote_markdown, dialect)
        && remote_code != from_markdown(&base.remote_markdown, dialect);
    let local_changed = text != base.file_text;
    if !local_changed && !remote_changed && remote_code.is_some() {
        return Plan::new(Action::Unchanged);
    }
    if dir == Direction::ReplitToNotion && !local_changed && remote_code.is_some() {
        return Plan::skip("the page changed in Notion, but this mapping only syncs Repl → Notion");
    }
    if dir == Direction::NotionToReplit && !remote_changed {
        return Plan::skip("the file changed, but this mapping only syncs Notion → Repl");
    }
    // A page that is not code is never merged into: only a base that already is that page (the
    // user chose to keep the Repl's version) lets the file replace it.
    let theirs = match (&remote_code, remote_changed) {
        (Some(code), true) => code.clone(),
        (_, false) => base_code.clone(),
        (None, true) => return not_code(&base.file_text, text, page, settings),
    };
    let policy = match dir {
        Direction::ReplitToNotion => Policy::Local,
        Direction::NotionToReplit => Policy::Remote,
        Direction::Bidirectional => strategy::policy(settings.strategy, input.clocks),
    };
    let ours = code_of(text);
    // Every text ends with a line break here, so a change to the last line and a line added
    // after it are different regions.
    let merged = merge::merge_lines_with(
        &format!("{base_code}\n"),
        &format!("{ours}\n"),
        &format!("{theirs}\n"),
        policy,
    );
    let form = TextForm::detect(text);
    let Some(merged_text) = merged.text else {
        let mut plan = Plan::new(Action::Conflict);
        let message = "changed in both the Repl and Notion at the same lines; nothing was written — choose which to keep";
        plan.message = Some(message.into());
        plan.conflict = Some(Conflict {
            base: base.file_text.clone(),
            local: text.to_string(),
            remote: file_text(&theirs, form),
            hunks: merged.conflicts,
            message: message.into(),
        });
        return plan;
    };
    let merged_code = merged_text
        .strip_suffix('\n')
        .unwrap_or(&merged_text)
        .to_string();

    // Untouched, the file keeps its exact bytes (mixed line endings included).
    let new_text = if dir != Direction::ReplitToNotion && merged_code != ours {
        file_text(&merged_code, form)
    } else {
        text.to_string()
    };
    let file_changes = new_text != text;

    let desired = to_markdown(input.path, &merged_code, dialect);
    let edit =
        if dir != Direction::NotionToReplit && (merged_code != theirs || remote_code.is_none()) {
            minimal_edits(page.markdown, &desired, &settings.limits)
        } else {
            None
        };
    let remote_writes = edit.is_some();

    let mut plan = Plan::new(match (file_changes, remote_writes) {
        (false, false) => Action::Unchanged,
        (true, false) => Action::Pull,
        (false, true) => Action::Push,
        (true, true) => Action::Merge,
    });
    let decided = !merged.conflicts.is_empty();
    plan.decided_conflicts = merged.conflicts;
    if file_changes {
        plan.history.push(replaced(
            SideName::Local,
            decided && policy == Policy::Remote,
            text,
        ));
        plan.file = Some(file_write(new_text.clone(), Some(text)));
    }
    if remote_writes {
        plan.history.push(replaced(
            SideName::Remote,
            decided && policy == Policy::Local,
            page.markdown,
        ));
        plan.remote = Some(RemoteOp::Update {
            edit,
            title: None,
            properties: Properties::new(),
        });
    }
    let remote_after = if remote_writes {
        desired
    } else {
        page.markdown.to_string()
    };
    plan.expected_markdown = Some(normalize::canonical_markdown(&remote_after, dialect));
    plan.base_after = Some(PageBase {
        file_text: new_text,
        remote_markdown: remote_after,
        title: base.title.clone(),
        properties: Properties::new(),
    });
    plan
}

#[cfg(test)]
mod tests;
