//! The renderers' output buffer.
//!
//! Both dialects describe their output as lines joined by `\n` (no trailing newline), children
//! indented by TABs. Building that as a `Vec<String>` and joining it allocates once per line and
//! copies every byte twice; [`Lines`] instead appends each line straight into one `String`,
//! writing the separator and the indentation itself, so rendering a page costs a handful of
//! buffer growths however many lines it has.

use crate::model::Block;

/// A first guess at the output size of `blocks`, so that small renders (one block's key, as
/// the engine computes for every block it compares) allocate once, and large ones start near
/// their size instead of doubling up from nothing.
pub(crate) fn capacity_for(blocks: &[Block]) -> usize {
    blocks.len().saturating_mul(64).max(64)
}

/// Initial size of the renderers' scratch buffer for inline text (most texts fit).
pub(crate) const SCRATCH_CAPACITY: usize = 256;

/// Whether indentation is written on lines that turn out to be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlankLines {
    /// v1 indents every line, empty ones included (an empty code line inside a list item).
    Indented,
    /// v2 indents only lines with content, so blank separators stay truly empty.
    Bare,
}

/// Lines written into one buffer (see the module doc).
pub(crate) struct Lines {
    buf: String,
    /// TABs written at the start of each new line.
    pub(crate) indent: usize,
    blank: BlankLines,
    /// Whether a line has been started: every later one is preceded by `\n`.
    started: bool,
    /// Where the current line's indentation starts and where its content starts.
    line_start: usize,
    content_start: usize,
}

impl Lines {
    pub(crate) fn new(blank: BlankLines, capacity: usize) -> Lines {
        Lines {
            buf: String::with_capacity(capacity),
            indent: 0,
            blank,
            started: false,
            line_start: 0,
            content_start: 0,
        }
    }

    /// Starts a new line (separator and indentation written) and returns the buffer to write
    /// its content into. Whatever is appended until the next call belongs to this line.
    pub(crate) fn line(&mut self) -> &mut String {
        self.end_line();
        if self.started {
            self.buf.push('\n');
        }
        self.started = true;
        self.line_start = self.buf.len();
        for _ in 0..self.indent {
            self.buf.push('\t');
        }
        self.content_start = self.buf.len();
        &mut self.buf
    }

    /// Writes a whole line.
    pub(crate) fn push_line(&mut self, s: &str) {
        self.line().push_str(s);
    }

    /// Writes an empty line (a separator: never indented in v2).
    pub(crate) fn blank_line(&mut self) {
        self.line();
    }

    /// Drops the indentation of the current line when nothing followed it (v2).
    fn end_line(&mut self) {
        if self.blank == BlankLines::Bare && self.started && self.buf.len() == self.content_start {
            self.buf.truncate(self.line_start);
            self.content_start = self.line_start;
        }
    }

    pub(crate) fn finish(mut self) -> String {
        self.end_line();
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_indents() {
        let mut v1 = Lines::new(BlankLines::Indented, 0);
        v1.push_line("a");
        v1.indent = 1;
        v1.push_line("b");
        v1.blank_line();
        v1.indent = 0;
        v1.push_line("");
        assert_eq!(v1.finish(), "a\n\tb\n\t\n");

        let mut v2 = Lines::new(BlankLines::Bare, 0);
        v2.indent = 2;
        v2.push_line("a");
        v2.blank_line();
        v2.push_line("b");
        v2.blank_line();
        assert_eq!(v2.finish(), "\t\ta\n\n\t\tb\n");

        assert_eq!(Lines::new(BlankLines::Bare, 0).finish(), "");
    }
}
