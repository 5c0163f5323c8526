//! The block tree that Notion-flavored Markdown describes.
//!
//! It mirrors Notion's block model (one [`Block`] per Notion block, children nested) so that the
//! emulator can store it with ids and serve it through the blocks API, and the engine can reason
//! about it block by block. Rich text mirrors Notion's rich-text array.

use serde::{Deserialize, Serialize};

/// A Notion colour as written in Notion-flavored Markdown (`red`, `red_bg`, …).
///
/// The block API spells backgrounds `red_background`; [`Color::api_name`] and
/// [`Color::from_api_name`] convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Color {
    #[default]
    Default,
    Gray,
    Brown,
    Orange,
    Yellow,
    Green,
    Blue,
    Purple,
    Pink,
    Red,
    GrayBg,
    BrownBg,
    OrangeBg,
    YellowBg,
    GreenBg,
    BlueBg,
    PurpleBg,
    PinkBg,
    RedBg,
}

impl Color {
    const ALL: [(Color, &'static str); 19] = [
        (Color::Default, "default"),
        (Color::Gray, "gray"),
        (Color::Brown, "brown"),
        (Color::Orange, "orange"),
        (Color::Yellow, "yellow"),
        (Color::Green, "green"),
        (Color::Blue, "blue"),
        (Color::Purple, "purple"),
        (Color::Pink, "pink"),
        (Color::Red, "red"),
        (Color::GrayBg, "gray_bg"),
        (Color::BrownBg, "brown_bg"),
        (Color::OrangeBg, "orange_bg"),
        (Color::YellowBg, "yellow_bg"),
        (Color::GreenBg, "green_bg"),
        (Color::BlueBg, "blue_bg"),
        (Color::PurpleBg, "purple_bg"),
        (Color::PinkBg, "pink_bg"),
        (Color::RedBg, "red_bg"),
    ];

    /// The Markdown spelling (`red_bg`).
    pub fn markdown_name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, n)| *n)
            .unwrap_or("default")
    }

    /// Parses the Markdown spelling; `None` for anything else (e.g. `blue_background`, which
    /// Notion drops when it appears in Markdown).
    pub fn from_markdown_name(name: &str) -> Option<Color> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
    }

    /// The block API spelling (`red_background`).
    pub fn api_name(self) -> String {
        let md = self.markdown_name();
        match md.strip_suffix("_bg") {
            Some(base) => format!("{base}_background"),
            None => md.to_string(),
        }
    }

    /// Parses the block API spelling.
    pub fn from_api_name(name: &str) -> Option<Color> {
        match name.strip_suffix("_background") {
            Some(base) => Self::from_markdown_name(&format!("{base}_bg")),
            None => Self::from_markdown_name(name),
        }
    }

    pub fn is_default(self) -> bool {
        self == Color::Default
    }
}

/// Text styling of one rich-text segment (Notion's `annotations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Annotations {
    pub bold: bool,
    pub italic: bool,
    pub strikethrough: bool,
    pub underline: bool,
    pub code: bool,
    pub color: Color,
}

/// What a mention points at. Urls are kept exactly as written so they round-trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mention {
    User {
        url: String,
    },
    Page {
        url: String,
    },
    Database {
        url: String,
    },
    DataSource {
        url: String,
    },
    Agent {
        url: String,
    },
    Date {
        start: String,
        end: Option<String>,
        start_time: Option<String>,
        end_time: Option<String>,
        time_zone: Option<String>,
    },
}

/// One rich-text segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SpanKind {
    /// Plain text, possibly a link. `content` is unescaped text.
    Text {
        content: String,
        link: Option<String>,
    },
    /// Inline math (`$x$`).
    Equation { expression: String },
    /// A mention; `label` is the optional text between the tags.
    Mention {
        mention: Mention,
        label: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    #[serde(flatten)]
    pub kind: SpanKind,
    pub annotations: Annotations,
}

impl Span {
    /// An unstyled text segment.
    pub fn text(content: impl Into<String>) -> Span {
        Span {
            kind: SpanKind::Text {
                content: content.into(),
                link: None,
            },
            annotations: Annotations::default(),
        }
    }

    /// The text a reader sees (Notion's `plain_text`).
    pub fn plain_text(&self) -> String {
        match &self.kind {
            SpanKind::Text { content, .. } => content.clone(),
            SpanKind::Equation { expression } => expression.clone(),
            SpanKind::Mention { mention, label } => match (label, mention) {
                (Some(l), _) => l.clone(),
                (None, Mention::Date { start, .. }) => start.clone(),
                (None, _) => String::new(),
            },
        }
    }
}

/// A rich-text array (Notion's `rich_text`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RichText(pub Vec<Span>);

impl RichText {
    pub fn plain(text: impl Into<String>) -> RichText {
        let text = text.into();
        if text.is_empty() {
            RichText::default()
        } else {
            RichText(vec![Span::text(text)])
        }
    }

    pub fn plain_text(&self) -> String {
        self.0.iter().map(Span::plain_text).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|s| s.plain_text().is_empty())
    }

    /// The same text with empty text segments removed and neighbouring segments that differ in
    /// nothing but their content merged, so that equal-looking texts compare equal.
    pub fn normalized(&self) -> RichText {
        RichText(crate::inline::normalize::merge(self.0.clone()))
    }
}

/// The media blocks written with a tag in Markdown (`<video src="…">caption</video>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Audio,
    Video,
    File,
    Pdf,
}

impl MediaKind {
    pub fn tag(self) -> &'static str {
        match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::File => "file",
            MediaKind::Pdf => "pdf",
        }
    }
}

/// One row of a table: one rich text per cell.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableRow {
    pub cells: Vec<RichText>,
    pub color: Color,
    /// Per-cell colours (`<td color="…">`), parallel to `cells`; missing entries are `Default`.
    /// Empty for the common case so the block API mapping can ignore it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cell_colors: Vec<Color>,
}

impl TableRow {
    /// A row of uncoloured cells.
    pub fn new(cells: Vec<RichText>) -> TableRow {
        TableRow {
            cells,
            color: Color::Default,
            cell_colors: Vec::new(),
        }
    }

    /// The colour of cell `i` (`Default` when none was given).
    pub fn cell_color(&self, i: usize) -> Color {
        self.cell_colors.get(i).copied().unwrap_or_default()
    }
}

/// A block and what it holds. Children live in [`Block::children`], except table rows, which
/// are part of the table (Notion stores them as `table_row` children; the emulator maps them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockKind {
    /// A paragraph; an empty one is `<empty-block/>` in v1 and `<p />` in v2.
    Paragraph {
        text: RichText,
        color: Color,
    },
    /// `level` is 1..=4 (`#####` and deeper read as 4).
    Heading {
        level: u8,
        text: RichText,
        color: Color,
        toggleable: bool,
    },
    BulletedListItem {
        text: RichText,
        color: Color,
    },
    NumberedListItem {
        text: RichText,
        color: Color,
    },
    ToDo {
        text: RichText,
        checked: bool,
        color: Color,
    },
    Quote {
        text: RichText,
        color: Color,
    },
    Toggle {
        text: RichText,
        color: Color,
    },
    Callout {
        text: RichText,
        icon: Option<String>,
        color: Color,
    },
    /// `language` is Notion's language name (`plain text`, `rust`, `mermaid`, …).
    Code {
        language: String,
        text: String,
    },
    Equation {
        expression: String,
    },
    Divider,
    Table {
        has_column_header: bool,
        has_row_header: bool,
        fit_page_width: bool,
        /// `<col>` attributes as written (kept so widths and colours round-trip).
        columns: Vec<Vec<(String, String)>>,
        rows: Vec<TableRow>,
    },
    Image {
        url: String,
        caption: RichText,
        color: Color,
    },
    Media {
        kind: MediaKind,
        url: String,
        caption: RichText,
        color: Color,
    },
    ChildPage {
        url: String,
        title: String,
        color: Color,
    },
    /// Attributes other than `url` (`inline`, `icon`, `data-source-url`, …) kept in order.
    ChildDatabase {
        url: String,
        title: String,
        attrs: Vec<(String, String)>,
    },
    TableOfContents {
        color: Color,
    },
    ColumnList,
    Column {
        ratio: Option<String>,
    },
    SyncedBlock {
        url: Option<String>,
    },
    SyncedBlockReference {
        url: String,
    },
    /// Anything Notion cannot express in Markdown; written back unchanged it keeps the block.
    Unknown {
        url: String,
        alt: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    #[serde(flatten)]
    pub kind: BlockKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Block>,
}

impl Block {
    pub fn new(kind: BlockKind) -> Block {
        Block {
            kind,
            children: Vec::new(),
        }
    }

    pub fn with_children(kind: BlockKind, children: Vec<Block>) -> Block {
        Block { kind, children }
    }

    /// A plain paragraph.
    pub fn paragraph(text: impl Into<String>) -> Block {
        Block::new(BlockKind::Paragraph {
            text: RichText::plain(text),
            color: Color::Default,
        })
    }

    /// Whether Markdown can nest children under this block. Children of other blocks are
    /// written as following siblings (or, for child pages and databases, not at all) because
    /// Notion drops them.
    pub fn can_have_children(&self) -> bool {
        match &self.kind {
            BlockKind::Paragraph { .. }
            | BlockKind::BulletedListItem { .. }
            | BlockKind::NumberedListItem { .. }
            | BlockKind::ToDo { .. }
            | BlockKind::Quote { .. }
            | BlockKind::Toggle { .. }
            | BlockKind::Callout { .. }
            | BlockKind::ColumnList
            | BlockKind::Column { .. }
            | BlockKind::SyncedBlock { .. }
            | BlockKind::SyncedBlockReference { .. } => true,
            BlockKind::Heading { toggleable, .. } => *toggleable,
            _ => false,
        }
    }

    /// The Notion API type name of this block (`paragraph`, `heading_2`, `table`, …).
    pub fn api_type(&self) -> String {
        match &self.kind {
            BlockKind::Paragraph { .. } => "paragraph".into(),
            BlockKind::Heading { level, .. } => format!("heading_{level}"),
            BlockKind::BulletedListItem { .. } => "bulleted_list_item".into(),
            BlockKind::NumberedListItem { .. } => "numbered_list_item".into(),
            BlockKind::ToDo { .. } => "to_do".into(),
            BlockKind::Quote { .. } => "quote".into(),
            BlockKind::Toggle { .. } => "toggle".into(),
            BlockKind::Callout { .. } => "callout".into(),
            BlockKind::Code { .. } => "code".into(),
            BlockKind::Equation { .. } => "equation".into(),
            BlockKind::Divider => "divider".into(),
            BlockKind::Table { .. } => "table".into(),
            BlockKind::Image { .. } => "image".into(),
            BlockKind::Media { kind, .. } => kind.tag().into(),
            BlockKind::ChildPage { .. } => "child_page".into(),
            BlockKind::ChildDatabase { .. } => "child_database".into(),
            BlockKind::TableOfContents { .. } => "table_of_contents".into(),
            BlockKind::ColumnList => "column_list".into(),
            BlockKind::Column { .. } => "column".into(),
            BlockKind::SyncedBlock { .. } | BlockKind::SyncedBlockReference { .. } => {
                "synced_block".into()
            }
            BlockKind::Unknown { .. } => "unsupported".into(),
        }
    }
}
