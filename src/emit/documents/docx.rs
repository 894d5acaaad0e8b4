//! A contract document as a Word document (`.docx`, Office Open XML WordprocessingML), written
//! from the same [`Document`] as the Markdown and the HTML, so the three say the same things.
//! What counsel expects of an exhibit: US Letter by default (A4 on request), a header with what
//! the document belongs to (and the draft mark) and a footer with "Page X of Y" on every page,
//! headings numbered by Word's own list numbering (they renumber when the exhibit is pasted
//! into an agreement), tables whose header row repeats on each page, body text at 11 pt and
//! tables at 10.5 pt, citation columns wide enough to keep a citation on one line, and the
//! document properties (title, author: the provider, date: the as-of date). Every string is
//! XML-escaped and characters XML 1.0 cannot carry are dropped. The package is a zip written
//! like the evidence pack's: entries in a fixed order, each with the as-of date at midnight as
//! its time, so the same inputs give the same bytes.

use super::RenderError;
use super::model::{Block, Cell, Document, Mark, Paragraph, RowKind, Section, Table};
use std::io::Write as _;

/// Paper size of the Word document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    /// US Letter, 8.5 × 11 in (the default).
    #[default]
    Letter,
    /// ISO A4, 210 × 297 mm.
    A4,
}

impl Paper {
    /// Width and height in twentieths of a point, portrait.
    fn size(self) -> (u32, u32) {
        match self {
            Paper::Letter => (12240, 15840),
            Paper::A4 => (11906, 16838),
        }
    }
}

/// Left and right margins: 0.7 in.
const MARGIN: u32 = 1008;
/// Top and bottom margins: 0.9 in, room for the two-line header and the footer.
const MARGIN_Y: u32 = 1296;
/// Twentieths of a point a character of a citation takes, on average, at 10.5 pt (Calibri's
/// digits and letters are about half an em wide; parentheses less).
const CHAR_WIDTH: u32 = 96;
/// A cell's left and right padding together (the table style's 108 each).
const CELL_PADDING: u32 = 216;

/// Write the Word document.
pub fn write(doc: &Document, paper: Paper, as_of: time::Date) -> Result<Vec<u8>, RenderError> {
    let (w, h) = paper.size();
    let (page_w, page_h) = if doc.landscape { (h, w) } else { (w, h) };
    let text_width = page_w - 2 * MARGIN;
    let mut body = Body {
        xml: String::new(),
        text_width,
    };
    body.document(doc);
    let orient = if doc.landscape { r#" w:orient="landscape""# } else { "" };
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{}<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="{page_w}" w:h="{page_h}"{orient}/><w:pgMar w:top="{MARGIN_Y}" w:right="{MARGIN}" w:bottom="{MARGIN_Y}" w:left="{MARGIN}" w:header="504" w:footer="504" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        body.xml
    );
    let header = header_xml(doc);
    let footer = footer_xml(doc, text_width);
    let core = core_xml(doc);
    package(
        &[
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("docProps/core.xml", &core),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS),
            ("word/styles.xml", STYLES),
            ("word/numbering.xml", NUMBERING),
            ("word/header1.xml", &header),
            ("word/footer1.xml", &footer),
            ("word/document.xml", &document),
        ],
        as_of,
    )
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Text as XML character data: escaped, without the characters XML 1.0 forbids.
fn xml(s: &str) -> String {
    let allowed: String = s
        .chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect();
    crate::emit::escape::html(&allowed)
}

/// Run properties of a span.
fn run_props(strong: bool, mark: Option<Mark>) -> String {
    let colour = match mark {
        Some(Mark::Good) => Some("1E6A43"),
        Some(Mark::Warn) => Some("7D5608"),
        Some(Mark::Bad) => Some("9B2117"),
        Some(Mark::Neutral) => Some("5B6675"),
        None => None,
    };
    let bold = strong || matches!(mark, Some(Mark::Good | Mark::Bad | Mark::Warn));
    let mut p = String::new();
    if bold {
        p.push_str("<w:b/>");
    }
    if let Some(c) = colour {
        p.push_str(&format!(r#"<w:color w:val="{c}"/>"#));
    }
    if p.is_empty() { p } else { format!("<w:rPr>{p}</w:rPr>") }
}

/// A run of text; a newline in the text becomes a line break.
fn run(text: &str, strong: bool, mark: Option<Mark>) -> String {
    let props = run_props(strong, mark);
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:r><w:br/></w:r>");
        }
        out.push_str(&format!(
            r#"<w:r>{props}<w:t xml:space="preserve">{}</w:t></w:r>"#,
            xml(line)
        ));
    }
    out
}

fn runs(p: &Paragraph) -> String {
    p.iter().map(|s| run(&s.text, s.strong, s.mark)).collect()
}

fn paragraph(props: &str, runs: &str) -> String {
    if props.is_empty() {
        format!("<w:p>{runs}</w:p>")
    } else {
        format!("<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>")
    }
}

fn style(id: &str) -> String {
    format!(r#"<w:pStyle w:val="{id}"/>"#)
}

struct Body {
    xml: String,
    text_width: u32,
}

impl Body {
    fn push(&mut self, s: &str) {
        self.xml.push_str(s);
    }

    fn document(&mut self, doc: &Document) {
        if let Some(d) = &doc.draft {
            self.push(&paragraph(&style("DraftMark"), &run(d, true, Some(Mark::Bad))));
        }
        self.push(&paragraph(&style("Kicker"), &run(&doc.kicker, false, None)));
        self.push(&paragraph(&style("Title"), &run(&doc.title, false, None)));
        if let Some(s) = &doc.subtitle {
            self.push(&paragraph(&style("Subtitle"), &run(s, true, None)));
        }
        if let Some(c) = &doc.caption {
            self.push(&paragraph(&style("Caption"), &run(c, false, None)));
        }
        self.push(&paragraph(&style("Caption"), &run(&doc.version, false, None)));
        for s in &doc.sections {
            self.section(s, 1);
            for sub in &s.subsections {
                self.section(sub, 2);
            }
        }
        if !doc.colophon.is_empty() {
            for p in &doc.colophon {
                self.push(&paragraph(&style("Colophon"), &runs(p)));
            }
        }
    }

    fn section(&mut self, s: &Section, level: u8) {
        // Word numbers the heading (styles Heading1 and Heading2 carry the list numbering).
        let id = if level == 1 { "Heading1" } else { "Heading2" };
        self.push(&paragraph(&style(id), &run(&s.title, false, None)));
        for b in &s.blocks {
            self.block(b);
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Paragraph { spans } => self.push(&paragraph("", &runs(spans))),
            Block::Callout { mark, spans } => {
                let p: Paragraph = spans
                    .iter()
                    .map(|s| super::model::Span {
                        mark: s.mark.or(Some(*mark)),
                        ..s.clone()
                    })
                    .collect();
                self.push(&paragraph(&style("Callout"), &runs(&p)));
            }
            Block::Quote(q) => {
                let mut r = run(&format!("“{}”", q.text), false, None);
                r.push_str(&run(&format!(" — {}", q.cite), true, None));
                if let Some(src) = &q.source {
                    r.push_str(&run(&format!(" ({src})"), false, None));
                }
                self.push(&paragraph(&style("Quote"), &r));
            }
            Block::List { items } => {
                for i in items {
                    self.push(&paragraph(
                        &format!(
                            r#"{}<w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr>"#,
                            style("ListBullet")
                        ),
                        &runs(i),
                    ));
                }
            }
            Block::Table(t) => self.table(t),
            Block::Signatures { parties, lines } => self.signatures(parties, lines),
        }
    }

    /// Column widths: shares of the text width, a citation column (nowrap) at least as wide as
    /// its longest one-line text.
    fn widths(&self, t: &Table) -> Vec<u32> {
        let total: u32 = t.columns.iter().map(|c| c.width).sum::<u32>().max(1);
        let mut widths: Vec<u32> = t.columns.iter().map(|c| self.text_width * c.width / total).collect();
        for (i, c) in t.columns.iter().enumerate().filter(|(_, c)| c.nowrap) {
            let longest = t
                .rows
                .iter()
                .filter_map(|r| cell_at(r.cells.as_slice(), i))
                .filter(|c| c.span == 1)
                .flat_map(|c| c.paragraphs.iter())
                .map(|p| p.iter().map(|s| s.text.chars().count()).sum::<usize>())
                .max()
                .unwrap_or(0);
            let needed = u32::try_from(longest)
                .unwrap_or(u32::MAX / 2)
                .saturating_mul(CHAR_WIDTH)
                + CELL_PADDING;
            let header = u32::try_from(c.header.chars().count()).unwrap_or(0) * CHAR_WIDTH + CELL_PADDING;
            let needed = needed.max(header).min(self.text_width / 3);
            if needed > widths[i] {
                // Take the difference from the other columns, in proportion to their widths.
                let extra = needed - widths[i];
                let others: u32 = widths
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, w)| *w)
                    .sum();
                for (k, w) in widths.iter_mut().enumerate() {
                    if k != i && others > 0 {
                        *w -= extra * *w / others;
                    }
                }
                widths[i] = needed;
            }
        }
        widths
    }

    fn table(&mut self, t: &Table) {
        let widths = self.widths(t);
        let mut x = String::from(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
        );
        for w in &widths {
            x.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
        }
        x.push_str("</w:tblGrid>");
        if t.header {
            x.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
            for (c, w) in t.columns.iter().zip(&widths) {
                x.push_str(&format!(
                    r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="1F3A5F"/></w:tcPr>{}</w:tc>"#,
                    paragraph(&style("TableHeader"), &run(&c.header, true, None))
                ));
            }
            x.push_str("</w:tr>");
        }
        for row in &t.rows {
            x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            let mut col = 0;
            for cell in &row.cells {
                let span = cell.span.max(1);
                let w: u32 = widths.iter().skip(col).take(span).sum();
                col += span;
                x.push_str(&self.cell(cell, w, row.kind));
            }
            x.push_str("</w:tr>");
        }
        x.push_str("</w:tbl>");
        self.push(&x);
        // Word needs a paragraph between two tables, and after the last one.
        self.push(&paragraph(&style("AfterTable"), ""));
    }

    fn cell(&self, cell: &Cell, width: u32, kind: RowKind) -> String {
        let mut props = format!(r#"<w:tcW w:w="{width}" w:type="dxa"/>"#);
        if cell.span > 1 {
            props.push_str(&format!(r#"<w:gridSpan w:val="{}"/>"#, cell.span));
        }
        match kind {
            RowKind::Group => props.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="E7ECF3"/>"#),
            RowKind::Emphasis => props.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="F3F6FA"/>"#),
            RowKind::Normal => {}
        }
        if cell.nowrap {
            props.push_str("<w:noWrap/>");
        }
        let paragraphs: String = cell
            .paragraphs
            .iter()
            .map(|p| paragraph(&style("TableText"), &runs(p)))
            .collect();
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}</w:tc>")
    }

    fn signatures(&mut self, parties: &[String], lines: &[String]) {
        let n = u32::try_from(parties.len()).unwrap_or(1).max(1);
        let first = self.text_width / 5;
        let rest = (self.text_width - first) / n;
        let mut x = String::from(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
        );
        x.push_str(&format!(r#"<w:gridCol w:w="{first}"/>"#));
        for _ in parties {
            x.push_str(&format!(r#"<w:gridCol w:w="{rest}"/>"#));
        }
        x.push_str("</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>");
        x.push_str(&format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="{first}" w:type="dxa"/></w:tcPr>{}</w:tc>"#,
            paragraph(&style("TableText"), "")
        ));
        for p in parties {
            x.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{rest}" w:type="dxa"/></w:tcPr>{}</w:tc>"#,
                paragraph(&style("TableText"), &run(p, true, None))
            ));
        }
        x.push_str("</w:tr>");
        for l in lines {
            x.push_str(r#"<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="720" w:hRule="atLeast"/></w:trPr>"#);
            x.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{first}" w:type="dxa"/><w:vAlign w:val="bottom"/></w:tcPr>{}</w:tc>"#,
                paragraph(&style("TableText"), &run(l, false, None))
            ));
            for _ in parties {
                x.push_str(&format!(
                    r#"<w:tc><w:tcPr><w:tcW w:w="{rest}" w:type="dxa"/></w:tcPr>{}</w:tc>"#,
                    paragraph(&style("TableText"), "")
                ));
            }
            x.push_str("</w:tr>");
        }
        x.push_str("</w:tbl>");
        self.push(&x);
        self.push(&paragraph(&style("AfterTable"), ""));
    }
}

/// The cell of a row that starts at column `i`, if one does.
fn cell_at(cells: &[Cell], i: usize) -> Option<&Cell> {
    let mut col = 0;
    for c in cells {
        if col == i {
            return Some(c);
        }
        col += c.span.max(1);
        if col > i {
            return None;
        }
    }
    None
}

/// The page header: the draft mark, and what the document belongs to.
fn header_xml(doc: &Document) -> String {
    let mut p = String::new();
    if let Some(d) = &doc.draft {
        p.push_str(&paragraph(&style("Header"), &run(d, true, Some(Mark::Bad))));
    }
    let caption = doc.caption.clone().unwrap_or_else(|| doc.properties.title.clone());
    p.push_str(&paragraph(&style("Header"), &run(&caption, false, None)));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr xmlns:w="{W}">{p}</w:hdr>"#
    )
}

/// A field (`PAGE`, `NUMPAGES`) Word and LibreOffice compute when they lay out the pages.
fn field(instruction: &str) -> String {
    format!(
        r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#
    )
}

/// The page footer: the version, and "Page X of Y" at the right margin.
fn footer_xml(doc: &Document, text_width: u32) -> String {
    let runs = format!(
        "{}{}{}{}{}",
        run(&format!("{}\t", doc.version), false, None),
        run("Page ", false, None),
        field("PAGE"),
        run(" of ", false, None),
        field("NUMPAGES")
    );
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:ftr xmlns:w="{W}">{}</w:ftr>"#,
        paragraph(
            &format!(
                r#"{}<w:tabs><w:tab w:val="right" w:pos="{text_width}"/></w:tabs>"#,
                style("Footer")
            ),
            &runs
        )
    )
}

/// The document properties: title, author (the provider), created and modified (the as-of date).
fn core_xml(doc: &Document) -> String {
    let p = &doc.properties;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><cp:lastModifiedBy>{}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{}T00:00:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{}T00:00:00Z</dcterms:modified></cp:coreProperties>"#,
        xml(&p.title),
        xml(&p.author),
        xml(&p.author),
        xml(&p.date),
        xml(&p.date)
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdNumbering" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/><Relationship Id="rIdHeader" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>"#;

/// Headings numbered 1., 2., … and 1.1, 1.2, … (list 1, linked to the heading styles); bullets
/// (list 2).
const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="432" w:hanging="432"/></w:pPr></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading2"/><w:lvlText w:val="%1.%2"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="576" w:hanging="576"/></w:pPr></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#;

/// Body 11 pt, tables 10.5 pt (sizes in half-points).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri" w:eastAsia="Calibri"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="120"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3A5F"/><w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:qFormat/><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Kicker"><w:name w:val="Kicker"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:caps/><w:color w:val="5B6675"/><w:spacing w:val="20"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/></w:pPr><w:rPr><w:color w:val="404040"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="DraftMark"><w:name w:val="Draft Mark"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:top w:val="single" w:sz="8" w:space="2" w:color="9B2117"/><w:bottom w:val="single" w:sz="8" w:space="2" w:color="9B2117"/></w:pBdr></w:pPr><w:rPr><w:b/><w:color w:val="9B2117"/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:numPr><w:numId w:val="1"/></w:numPr><w:spacing w:before="320" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3A5F"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr><w:spacing w:before="240" w:after="100"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:left="567" w:right="567"/></w:pPr><w:rPr><w:i/><w:color w:val="404040"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Callout"><w:name w:val="Callout"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:left w:val="single" w:sz="18" w:space="6" w:color="1F5F9E"/></w:pBdr><w:ind w:left="227"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="60"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Colophon"><w:name w:val="Colophon"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="5B6675"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="AfterTable"><w:name w:val="After Table"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="120" w:lineRule="exact"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="40" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableHeader"><w:name w:val="Table Header"/><w:basedOn w:val="TableText"/><w:pPr><w:keepNext/></w:pPr><w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="5B6675"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="5B6675"/><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:left w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:right w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/></w:tblBorders></w:tblPr></w:style></w:styles>"#;

/// The zip package: fixed entry order, the as-of date as every entry's time, mode 0644.
fn package(parts: &[(&str, &str)], as_of: time::Date) -> Result<Vec<u8>, RenderError> {
    let options = crate::emit::archive::zip_entry_options(as_of);
    let fail = |e: zip::result::ZipError| RenderError::Pack(format!("writing the docx: {e}"));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        writer.start_file(*name, options).map_err(fail)?;
        writer
            .write_all(text.as_bytes())
            .map_err(|e| RenderError::Pack(format!("writing the docx: {e}")))?;
    }
    Ok(writer.finish().map_err(fail)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml("a<b>&\"c\u{1}\u{7}"), "a&lt;b&gt;&amp;&quot;c");
        assert!(run("one\ntwo", false, None).contains("<w:br/>"));
    }

    #[test]
    fn a_cell_is_found_by_the_column_it_starts_in() {
        let cell = |span| Cell {
            paragraphs: Vec::new(),
            span,
            label: String::new(),
            nowrap: false,
        };
        let cells = [cell(1), cell(2), cell(1)];
        assert!(cell_at(&cells, 0).is_some());
        assert!(cell_at(&cells, 1).is_some());
        assert!(cell_at(&cells, 2).is_none(), "column 2 is inside the spanning cell");
        assert_eq!(cell_at(&cells, 3).map(|c| c.span), Some(1));
    }
}
