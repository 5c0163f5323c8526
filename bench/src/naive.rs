//! The two naive baselines SPEC §10 compares us with, written the way existing tools sync a
//! Markdown file to Notion through the blocks API:
//!
//! - **delete-all-and-recreate**: list the page's blocks, delete every one, append the whole
//!   document anew;
//! - **block-by-block diff**: list the page's blocks, compare them position by position with
//!   the document, update the blocks that differ, append what is missing, delete what is left.
//!
//! Both use the same `notion` client and the same pacing as the relay, so a difference in time
//! is a difference in calls. The Markdown they handle is the bench's own documents: one heading
//! or paragraph per non-blank line.

use notion::{
    AccessToken, AppendBlockChildren, Block, BlockContent, NewBlock, NotionClient, UpdateBlock,
};

use crate::BenchError;

/// Notion takes at most 100 blocks per append or create.
const MAX_BLOCKS_PER_REQUEST: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Strategy {
    DeleteRecreate,
    BlockDiff,
}

/// One block of a bench document: its type and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub heading: u8,
    pub text: String,
}

impl Line {
    pub fn new_block(&self) -> NewBlock {
        if self.heading == 0 {
            NewBlock::paragraph(&self.text)
        } else {
            NewBlock::new(BlockContent::heading(self.heading, &self.text))
        }
    }

    fn of_block(block: &Block) -> Line {
        let heading = match &block.content {
            BlockContent::Heading1(_) => 1,
            BlockContent::Heading2(_) => 2,
            BlockContent::Heading3(_) => 3,
            _ => 0,
        };
        let text = block
            .content
            .rich_text()
            .map(notion::plain_text)
            .unwrap_or_default();
        Line { heading, text }
    }
}

/// The blocks a bench document becomes: one per non-blank line.
pub fn lines(markdown: &str) -> Vec<Line> {
    markdown
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let hashes = l.bytes().take_while(|b| *b == b'#').count();
            match l.get(hashes..).and_then(|r| r.strip_prefix(' ')) {
                Some(text) if (1..=3).contains(&hashes) => Line {
                    heading: hashes as u8,
                    text: text.to_string(),
                },
                _ => Line {
                    heading: 0,
                    text: l.to_string(),
                },
            }
        })
        .collect()
}

/// Renders blocks back to a bench document (what a naive pull writes to the file).
pub fn markdown(lines: &[Line]) -> String {
    let mut out = String::new();
    for l in lines {
        if l.heading > 0 {
            out.push_str(&"#".repeat(usize::from(l.heading)));
            out.push(' ');
        }
        out.push_str(&l.text);
        out.push_str("\n\n");
    }
    out
}

/// A naive tool with its own Notion connection.
#[derive(Clone)]
pub struct Naive {
    pub strategy: Strategy,
    pub notion: NotionClient,
    pub token: AccessToken,
}

impl Naive {
    /// Makes `page_id`'s content `markdown`.
    pub async fn push(&self, page_id: &str, markdown: &str) -> Result<(), BenchError> {
        let want = lines(markdown);
        let have = self
            .notion
            .list_all_block_children(&self.token, page_id)
            .await?;
        match self.strategy {
            Strategy::DeleteRecreate => {
                for b in &have {
                    self.notion.delete_block(&self.token, &b.id).await?;
                }
                self.append(page_id, &want, None).await?;
                Ok(())
            }
            Strategy::BlockDiff => {
                let mut last: Option<String> = None;
                for (i, w) in want.iter().enumerate() {
                    let Some(b) = have.get(i) else {
                        self.append(page_id, &want[i..], last.as_deref()).await?;
                        return Ok(());
                    };
                    let old = Line::of_block(b);
                    if old == *w {
                        last = Some(b.id.clone());
                    } else if old.heading == w.heading {
                        let req = UpdateBlock::content(w.new_block().content);
                        self.notion.update_block(&self.token, &b.id, &req).await?;
                        last = Some(b.id.clone());
                    } else {
                        // Notion cannot change a block's type: replace it.
                        self.notion.delete_block(&self.token, &b.id).await?;
                        last = self
                            .append(page_id, std::slice::from_ref(w), last.as_deref())
                            .await?;
                    }
                }
                for b in have.iter().skip(want.len()) {
                    self.notion.delete_block(&self.token, &b.id).await?;
                }
                Ok(())
            }
        }
    }

    /// The page's content as the file should hold it: both baselines read every block.
    pub async fn pull(&self, page_id: &str) -> Result<String, BenchError> {
        let have = self
            .notion
            .list_all_block_children(&self.token, page_id)
            .await?;
        Ok(markdown(
            &have.iter().map(Line::of_block).collect::<Vec<_>>(),
        ))
    }

    /// Appends `lines` (after `after`, or at the end), 100 blocks per request; returns the id
    /// of the last block appended.
    pub async fn append(
        &self,
        page_id: &str,
        lines: &[Line],
        after: Option<&str>,
    ) -> Result<Option<String>, BenchError> {
        let mut after = after.map(str::to_string);
        for chunk in lines.chunks(MAX_BLOCKS_PER_REQUEST) {
            let mut req = AppendBlockChildren::new(chunk.iter().map(Line::new_block).collect());
            if let Some(a) = &after {
                req = req.after(a);
            }
            let added = self
                .notion
                .append_block_children(&self.token, page_id, &req)
                .await?;
            after = added.results.last().map(|b| b.id.clone());
        }
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_through_lines() {
        let doc = "# Title\n\nFirst paragraph.\n\n## Sub\n\nSecond.\n\n";
        let l = lines(doc);
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].heading, 1);
        assert_eq!(l[2].heading, 2);
        assert_eq!(markdown(&l), doc);
        assert_eq!(lines("#hashtag")[0].heading, 0);
    }
}
