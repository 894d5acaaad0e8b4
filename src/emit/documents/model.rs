//! The one model of a contract document — the BAA appendix, the provider summary — from which
//! the Markdown, the HTML and the Word document are rendered, so the three cannot say
//! different things. A document is sections of blocks: paragraphs of text spans, quotes of the
//! regulation with their citation, tables, lists, callouts and a signature block. It holds
//! words only: every verdict in it was decided by the engine, every sentence comes from a
//! declared field or is the regulation's text, quoted. The built-in `baa-appendix.*.j2` and
//! `tpsp-summary.*.j2` templates render it (as `document` in the template context, through
//! the macros of `_document.md.j2` and `_document.html.j2`); `docx.rs` writes it as
//! WordprocessingML.

use serde::Serialize;

/// A whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// `baa-appendix` or `tpsp-summary`: the HTML body's class.
    pub kind: &'static str,
    /// The copy for the other party: no tool text (codes, paths, hashes, generator).
    pub counterparty: bool,
    /// The line above the title, e.g. `Business Associate Agreement · Exhibit`.
    pub kicker: String,
    pub title: String,
    /// The parties, under the title.
    pub subtitle: Option<String>,
    /// What the document belongs to, e.g. `Exhibit to the Business Associate Agreement dated
    /// 2026-01-15 …`: under the title, and the header of every Word page.
    pub caption: Option<String>,
    /// `Version of 2026-11-30`.
    pub version: String,
    /// `DRAFT — terms to be agreed` on every page when the terms are still open.
    pub draft: Option<String>,
    /// Title, author and date of the Word document's properties.
    pub properties: Properties,
    /// Printed across (landscape) rather than down the page.
    pub landscape: bool,
    pub sections: Vec<Section>,
    /// After the last section: where the quoted texts come from and what the document was
    /// computed from (the provider's own copy only; empty in the counterparty's).
    pub colophon: Vec<Paragraph>,
}

/// Document properties (the Word document's core properties).
#[derive(Debug, Clone, Serialize)]
pub struct Properties {
    pub title: String,
    /// The provider, who issues the document.
    pub author: String,
    /// The as-of date, `YYYY-MM-DD`.
    pub date: String,
}

/// A numbered section (level 1) or subsection (level 2).
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Anchor, e.g. `safeguards`.
    pub id: String,
    /// `3`, or `5.2` for a subsection (Word numbers its headings itself).
    pub number: String,
    pub title: String,
    pub blocks: Vec<Block>,
    pub subsections: Vec<Section>,
}

/// A run of text; `strong` for emphasis; `mark` for a verdict badge in HTML (`good`, `warn`,
/// `bad`, `neutral`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Span {
    pub text: String,
    pub strong: bool,
    pub mark: Option<Mark>,
}

/// The tone of a verdict shown as a badge.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    Good,
    Warn,
    Bad,
    Neutral,
}

/// A paragraph: spans in order.
pub type Paragraph = Vec<Span>;

/// One block of a section.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Block {
    Paragraph {
        spans: Paragraph,
    },
    /// The regulation's (or the contract's) words, with where they come from.
    Quote(Quote),
    Table(Table),
    List {
        items: Vec<Paragraph>,
    },
    /// A paragraph set apart, with its tone.
    Callout {
        mark: Mark,
        spans: Paragraph,
    },
    /// Signature lines for each party.
    Signatures {
        parties: Vec<String>,
        lines: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub text: String,
    /// `45 CFR 164.410(b)`, with the title when useful.
    pub cite: String,
    /// The copy of the regulation it was taken from (the provider's own copy only).
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// CSS class of the table (`safeguards`, `notices`, `facts`, …).
    pub class: &'static str,
    /// Whether the first row is a header (a facts table has none).
    pub header: bool,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub header: String,
    /// Share of the table's width (Word's column widths).
    pub width: u32,
    /// The same share in percent of the table's width (HTML's `col` widths).
    pub percent: u32,
    /// Keep the cell's text on one line (citations).
    pub nowrap: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `group` (a heading row spanning the table), `emphasis` (a standard) or `normal`.
    pub kind: RowKind,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RowKind {
    Normal,
    Emphasis,
    Group,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub paragraphs: Vec<Paragraph>,
    /// Columns the cell spans (1 for most).
    pub span: usize,
    /// The header of the column the cell starts in: the label of a stacked cell on a narrow
    /// screen (empty for a cell that spans the whole row).
    pub label: String,
    /// The cell's column keeps its text on one line.
    pub nowrap: bool,
}

// --- building -------------------------------------------------------------------------------

/// Plain text.
pub fn text(s: impl Into<String>) -> Span {
    Span {
        text: s.into(),
        strong: false,
        mark: None,
    }
}

/// Emphasised text.
pub fn strong(s: impl Into<String>) -> Span {
    Span {
        text: s.into(),
        strong: true,
        mark: None,
    }
}

/// A verdict badge.
pub fn badge(s: impl Into<String>, mark: Mark) -> Span {
    Span {
        text: s.into(),
        strong: false,
        mark: Some(mark),
    }
}

/// A paragraph of one plain span.
pub fn para(s: impl Into<String>) -> Paragraph {
    vec![text(s)]
}

impl Block {
    pub fn para(s: impl Into<String>) -> Block {
        Block::Paragraph { spans: para(s) }
    }

    pub fn spans(spans: Paragraph) -> Block {
        Block::Paragraph { spans }
    }

    pub fn quote(text: impl Into<String>, cite: impl Into<String>, source: Option<String>) -> Block {
        Block::Quote(Quote {
            text: text.into(),
            cite: cite.into(),
            source,
        })
    }
}

impl Section {
    pub fn new(id: &str, title: impl Into<String>) -> Section {
        Section {
            id: id.to_string(),
            number: String::new(),
            title: title.into(),
            blocks: Vec::new(),
            subsections: Vec::new(),
        }
    }

    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }
}

/// A table being built: columns first, then rows of cells.
pub struct TableBuilder {
    table: Table,
}

impl TableBuilder {
    pub fn new(class: &'static str, columns: &[(&str, u32)]) -> TableBuilder {
        TableBuilder {
            table: Table {
                class,
                header: true,
                columns: columns
                    .iter()
                    .map(|(h, w)| Column {
                        header: (*h).to_string(),
                        width: *w,
                        percent: 0,
                        nowrap: false,
                    })
                    .collect(),
                rows: Vec::new(),
            },
        }
    }

    /// A table of label and value, without a header row.
    pub fn facts(class: &'static str) -> TableBuilder {
        let mut t = TableBuilder::new(class, &[("", 1), ("", 3)]);
        t.table.header = false;
        t
    }

    /// Keep column `i` on one line.
    pub fn nowrap(mut self, i: usize) -> TableBuilder {
        if let Some(c) = self.table.columns.get_mut(i) {
            c.nowrap = true;
        }
        self
    }

    /// A row of cells, each a list of paragraphs (an empty one shows `—`).
    pub fn row(&mut self, kind: RowKind, cells: Vec<Vec<Paragraph>>) {
        self.spanning_row(kind, cells.into_iter().map(|c| (c, 1)).collect());
    }

    /// A row whose cells may span columns: `(paragraphs, span)`.
    pub fn spanning_row(&mut self, kind: RowKind, cells: Vec<(Vec<Paragraph>, usize)>) {
        let mut col = 0;
        let mut out = Vec::new();
        let n = self.table.columns.len();
        for (paragraphs, span) in cells {
            let span = span.max(1);
            let column = self.table.columns.get(col);
            out.push(Cell {
                paragraphs: if paragraphs.is_empty() {
                    vec![para("—")]
                } else {
                    paragraphs
                },
                span,
                label: if span >= n {
                    String::new()
                } else {
                    column.map(|c| c.header.clone()).unwrap_or_default()
                },
                nowrap: span == 1 && column.is_some_and(|c| c.nowrap),
            });
            col += span;
        }
        self.table.rows.push(Row { kind, cells: out });
    }

    /// A heading row spanning every column.
    pub fn group(&mut self, spans: Paragraph) {
        let n = self.table.columns.len();
        self.spanning_row(RowKind::Group, vec![(vec![spans], n)]);
    }

    pub fn is_empty(&self) -> bool {
        self.table.rows.is_empty()
    }

    pub fn build(mut self) -> Block {
        let total: u32 = self.table.columns.iter().map(|c| c.width).sum::<u32>().max(1);
        for c in &mut self.table.columns {
            c.percent = (100 * c.width + total / 2) / total;
        }
        Block::Table(self.table)
    }
}

/// Give sections and subsections their numbers, in order.
pub fn number(sections: &mut [Section]) {
    for (i, s) in sections.iter_mut().enumerate() {
        s.number = (i + 1).to_string();
        for (k, sub) in s.subsections.iter_mut().enumerate() {
            sub.number = format!("{}.{}", i + 1, k + 1);
        }
    }
}

/// The text of a document, block by block, without markup: what the Markdown, the HTML and
/// the Word document must all say (the tests compare each with it).
pub fn plain_text(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let line = |p: &Paragraph| p.iter().map(|s| s.text.as_str()).collect::<String>();
    out.push(doc.title.clone());
    out.extend(doc.subtitle.clone());
    out.extend(doc.caption.clone());
    out.push(doc.version.clone());
    out.extend(doc.draft.clone());
    let section = |s: &Section, out: &mut Vec<String>| {
        out.push(s.title.clone());
        for b in &s.blocks {
            match b {
                Block::Paragraph { spans } | Block::Callout { spans, .. } => out.push(line(spans)),
                Block::Quote(q) => {
                    out.push(q.text.clone());
                    out.push(q.cite.clone());
                    out.extend(q.source.clone());
                }
                Block::List { items } => out.extend(items.iter().map(line)),
                Block::Table(t) => {
                    if t.header {
                        out.extend(t.columns.iter().map(|c| c.header.clone()));
                    }
                    for r in &t.rows {
                        for c in &r.cells {
                            out.extend(c.paragraphs.iter().map(line));
                        }
                    }
                }
                Block::Signatures { parties, lines } => {
                    out.extend(parties.iter().cloned());
                    out.extend(lines.iter().cloned());
                }
            }
        }
    };
    for s in &doc.sections {
        section(s, &mut out);
        for sub in &s.subsections {
            section(sub, &mut out);
        }
    }
    out.extend(doc.colophon.iter().map(line));
    out
}
