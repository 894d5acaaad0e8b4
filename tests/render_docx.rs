//! `render baa-appendix --format docx`: a Word document with real headings and tables, read
//! back from the parts of the package: the parties, every standard and implementation
//! specification of 164.308–164.316 with Required/Addressable as the catalog says, the
//! signature block; US Letter unless `--paper a4`, a header with the exhibit caption and a
//! footer with "Page X of Y" on every page, headings numbered by Word's own numbering, the
//! document properties, body text of at least 10.5 pt; the same bytes on every run.

mod support;
use std::io::Read;
use std::path::Path;
use support::{ctrlmap, example};

const AS_OF: &str = "2026-11-30";
const SECTIONS: [&str; 5] = ["164.308", "164.310", "164.312", "164.314", "164.316"];

fn render(out: &Path, extra: &[&str]) {
    let scope = example().join("scopes/riverside-dental.yaml");
    let mut args = vec![
        "render".to_string(),
        "baa-appendix".into(),
        scope.display().to_string(),
        "--format".into(),
        "docx".into(),
        "-o".into(),
        out.display().to_string(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = ctrlmap(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn entry(docx: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(docx).expect("docx")).expect("a zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut text)
        .expect("utf-8");
    text
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text of every `<w:t>` in a piece of WordprocessingML.
fn text_of(xml: &str) -> String {
    let mut out = String::new();
    for piece in xml.split("<w:t").skip(1) {
        let Some(start) = piece.find('>') else { continue };
        let body = &piece[start + 1..];
        if let Some(end) = body.find("</w:t>") {
            out.push_str(&unescape(&body[..end]));
        }
    }
    out
}

/// Rows of every table, each a list of cell texts (a cell's paragraphs joined by a newline).
fn table_rows(xml: &str) -> Vec<Vec<String>> {
    xml.split("<w:tr>")
        .skip(1)
        .map(|row| {
            let row = row.split("</w:tr>").next().unwrap_or_default();
            row.split("<w:tc>")
                .skip(1)
                .map(|cell| cell.split("<w:p>").skip(1).map(text_of).collect::<Vec<_>>().join("\n"))
                .collect()
        })
        .collect()
}

/// Paragraphs of a style, as text.
fn styled(xml: &str, style: &str) -> Vec<String> {
    xml.split("<w:p>")
        .filter(|p| p.contains(&format!(r#"<w:pStyle w:val="{style}"/>"#)))
        .map(|p| text_of(p.split("</w:p>").next().unwrap_or_default()))
        .collect()
}

#[test]
fn the_docx_has_headings_parties_every_safeguard_and_the_signature_block() {
    let scratch = support::Scratch::new("docx");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = dir.join("baa.docx");
    render(&out, &[]);
    assert!(entry(&out, "[Content_Types].xml").contains("wordprocessingml.document.main+xml"));
    let xml = entry(&out, "word/document.xml");
    assert!(
        xml.contains("<w:tbl>") && xml.contains("<w:tblHeader/>"),
        "real tables with header rows"
    );

    // Headings carry no number of their own: Word numbers them (1., 2., …; 5.1, …) through the
    // list the heading styles are linked to, so they renumber inside an agreement.
    let headings = styled(&xml, "Heading1");
    assert_eq!(
        headings,
        [
            "Parties and agreement",
            "The business associate's own compliance",
            "Systems and services in scope",
            "Responsibility for the Security Rule safeguards",
            "Reporting of breaches and security incidents",
            "Subcontractors",
            "Term, termination and return or destruction",
            "Points to be agreed",
            "Open gaps",
            "Acknowledgement",
        ]
    );
    assert!(styled(&xml, "Heading2").contains(&"Content of the notice".to_string()));
    let styles = entry(&out, "word/styles.xml");
    let numbering = entry(&out, "word/numbering.xml");
    let heading1 = styles
        .split(r#"w:styleId="Heading1""#)
        .nth(1)
        .and_then(|s| s.split("</w:style>").next())
        .expect("Heading1");
    let heading2 = styles
        .split(r#"w:styleId="Heading2""#)
        .nth(1)
        .and_then(|s| s.split("</w:style>").next())
        .expect("Heading2");
    assert!(
        heading1.contains(r#"<w:numPr><w:numId w:val="1"/></w:numPr>"#),
        "{heading1}"
    );
    assert!(
        heading2.contains(r#"<w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr>"#),
        "{heading2}"
    );
    assert!(numbering.contains(r#"<w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/>"#));
    assert!(numbering.contains(r#"<w:pStyle w:val="Heading2"/><w:lvlText w:val="%1.%2"/>"#));

    let rows = table_rows(&xml);
    let cell = |label: &str| -> Option<String> {
        rows.iter()
            .find(|r| r.first().is_some_and(|c| c == label))
            .and_then(|r| r.get(1).cloned())
    };
    let scope = std::fs::read_to_string(example().join("scopes/riverside-dental.yaml")).expect("scope");
    assert!(cell("Covered entity").is_some_and(|c| c.starts_with("Riverside Dental Group, PLLC")));
    assert!(cell("Business associate").is_some_and(|c| c.starts_with("Northwind Managed IT")));
    assert!(scope.contains("baa_signed: 2026-01-15"));
    assert_eq!(
        cell("Business associate agreement signed").as_deref(),
        Some("2026-01-15")
    );
    assert!(
        cell("Subcontractors of the business associate").is_some_and(|c| c.contains("Offsite backup storage")
            && c.contains("Managed SOC and SIEM platform provider")
            && !c.contains("Microsoft")
            && !c.contains("practice-management")),
        "only the MSP's own ePHI vendors (declared in parties/) are subcontractors: {:?}",
        cell("Subcontractors of the business associate")
    );

    // Every standard and implementation specification of the catalog, in order, with its
    // Required/Addressable flag read from the catalog (a standard with specifications carries none;
    // the rest of 164.314 and 164.316 are required).
    let ws = ctrlmap::load::Loaded::load(&example()).expect("loads");
    let hipaa = ws.framework("hipaa").expect("hipaa");
    let in_rule = |id: &str| {
        SECTIONS
            .iter()
            .any(|s| id.strip_prefix(s).is_some_and(|r| r.starts_with('(')))
    };
    let expected: Vec<(String, String)> = hipaa
        .controls
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.level.as_str(), "standard" | "implementation-specification") && in_rule(&c.id))
        .map(|(i, c)| {
            let has_specs = hipaa
                .children(i)
                .iter()
                .any(|&k| hipaa.controls[k].level == "implementation-specification");
            let flag = match c.requirement {
                Some(ctrlmap::model::Requirement::Required) => "Required",
                Some(ctrlmap::model::Requirement::Addressable) => "Addressable",
                None if c.level == "standard" && has_specs => "",
                None => "Required",
            };
            (c.id.clone(), flag.to_string())
        })
        .collect();
    // The safeguard cell: the title, then the requirement (an addressable one with its decision).
    let listed: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r.len() >= 5 && in_rule(&r[0]))
        .map(|r| {
            let flag = r[1]
                .lines()
                .find_map(|l| ["Required", "Addressable"].into_iter().find(|f| l.starts_with(f)))
                .unwrap_or_default();
            (r[0].clone(), flag.to_string())
        })
        .collect();
    assert_eq!(listed, expected);
    assert!(expected.len() > 50, "the whole Security Rule: {}", expected.len());

    // The signature block: both parties, signature, name and title, date.
    let header = rows
        .iter()
        .find(|r| r.iter().any(|c| c.starts_with("Covered entity: Riverside")))
        .expect("signature table");
    assert!(header.iter().any(|c| c == "Business associate: Northwind Managed IT"));
    for label in ["Signature", "Name and title", "Date"] {
        assert!(rows.iter().any(|r| r.len() == 3 && r[0] == label), "{label}");
    }
}

#[test]
fn the_docx_is_the_same_bytes_every_run_with_the_as_of_date_as_entry_time() {
    let scratch = support::Scratch::new("docx-twice");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let (a, b) = (dir.join("a.docx"), dir.join("b.docx"));
    render(&a, &[]);
    render(&b, &[]);
    assert_eq!(std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&a).expect("docx")).expect("zip");
    for i in 0..archive.len() {
        let e = archive.by_index(i).expect("entry");
        let t = e.last_modified().expect("time");
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (2026, 11, 30, 0));
    }
}

#[test]
fn the_counterparty_docx_has_no_codes_or_paths() {
    let scratch = support::Scratch::new("docx-cp");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = dir.join("cp.docx");
    render(&out, &["--audience", "counterparty"]);
    let text = text_of(&entry(&out, "word/document.xml"));
    assert!(!text.contains("CM0") && !text.contains("<builtin>") && !text.contains("Open gap"));
    assert!(styled(&entry(&out, "word/document.xml"), "Heading1").contains(&"Points to be agreed".to_string()));
    let run = ctrlmap([
        "render",
        "baa-appendix",
        &example().join("scopes/riverside-dental.yaml").display().to_string(),
        "--format",
        "docx",
    ]);
    assert_eq!(run.code, 2, "a binary document needs -o FILE");
}

#[test]
fn user_text_in_the_docx_is_text_not_markup() {
    // The hostile fixture's names and duties carry markup, quotes and control characters.
    let scratch = support::Scratch::new("docx-hostile");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = dir.join("hostile.docx");
    let scope = support::fixture("render/northwind/scopes/hostile.yaml");
    let run = ctrlmap([
        "render",
        "baa-appendix",
        &scope.display().to_string(),
        "--format",
        "docx",
        "-o",
        &out.display().to_string(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let xml = entry(&out, "word/document.xml");
    for raw in ["<script", "<iframe", "<img", "<b>", "<marquee"] {
        assert!(!xml.contains(raw), "`{raw}` reached the document XML as markup");
    }
    let text = text_of(&xml);
    assert!(
        text.contains("<script>alert('client')</script> Dental | Lending"),
        "shown as text"
    );
    assert!(text.contains("Evil & Co <b>IT</b>"));
    // Every element the XML opens is one of WordprocessingML's (`w:`), and it is closed.
    let opened = xml.matches("<w:tc>").count();
    assert_eq!(opened, xml.matches("</w:tc>").count());
    assert!(
        xml.split('<')
            .skip(2)
            .all(|t| t.starts_with("w:") || t.starts_with("/w:"))
    );
}

/// The page: US Letter unless `--paper a4`, a header with the exhibit caption, a footer with
/// "Page X of Y", the document properties, and no text under 10.5 pt.
#[test]
fn the_docx_is_us_letter_with_a_caption_header_page_x_of_y_properties_and_readable_text() {
    let scratch = support::Scratch::new("docx-page");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let letter = dir.join("letter.docx");
    render(&letter, &["--audience", "counterparty"]);
    let xml = entry(&letter, "word/document.xml");
    // US Letter is 8.5 × 11 in: 12240 × 15840 twentieths of a point (landscape: swapped).
    assert!(
        xml.contains(r#"<w:pgSz w:w="15840" w:h="12240" w:orient="landscape"/>"#),
        "Letter, landscape for the safeguards table"
    );
    let a4 = dir.join("a4.docx");
    render(&a4, &["--audience", "counterparty", "--paper", "a4"]);
    assert!(entry(&a4, "word/document.xml").contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#));

    assert!(xml.contains(r#"<w:headerReference w:type="default" r:id="rIdHeader"/>"#));
    assert!(xml.contains(r#"<w:footerReference w:type="default" r:id="rIdFooter"/>"#));
    let header = text_of(&entry(&letter, "word/header1.xml"));
    assert_eq!(
        header,
        "Exhibit to the Business Associate Agreement dated 2026-01-15 between Riverside Dental Group, PLLC and Northwind Managed IT (MSA-2026-003 with Business Associate Agreement)"
    );
    let footer = entry(&letter, "word/footer1.xml");
    assert!(text_of(&footer).contains("Page 1 of 1"), "{footer}");
    assert!(footer.contains("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"));
    assert!(footer.contains("<w:instrText xml:space=\"preserve\"> NUMPAGES </w:instrText>"));

    let core = entry(&letter, "docProps/core.xml");
    assert!(core.contains("<dc:title>HIPAA Security Rule responsibility appendix — Riverside Dental Group, PLLC and Northwind Managed IT</dc:title>"));
    assert!(core.contains("<dc:creator>Northwind Managed IT</dc:creator>"));
    assert!(core.contains(r#"<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-30T00:00:00Z</dcterms:created>"#));
    assert!(entry(&letter, "_rels/.rels").contains("docProps/core.xml"));

    // Every font size in the styles and the document: at least 10.5 pt (21 half-points).
    let styles = entry(&letter, "word/styles.xml");
    for part in [&styles, &xml] {
        for size in part.split("<w:sz w:val=\"").skip(1) {
            let half_points: u32 = size.split('"').next().and_then(|n| n.parse().ok()).expect("a size");
            assert!(half_points >= 21, "a {} pt font", f64::from(half_points) / 2.0);
        }
    }
    let normal = styles.split("<w:rPrDefault>").nth(1).expect("defaults");
    assert!(normal.contains(r#"<w:sz w:val="22"/>"#), "body text at 11 pt");

    // The citation column keeps a citation on one line: it is wider than the longest citation
    // at 10.5 pt (about 0.5 em, 105 twentieths of a point, a character), and never wraps.
    let grid = xml
        .split("<w:tblGrid>")
        .find(|t| t.contains("164.308(a)(1)(ii)(A)"))
        .expect("the safeguards table");
    let first: u32 = grid
        .split(r#"<w:gridCol w:w=""#)
        .nth(1)
        .and_then(|w| w.split('"').next())
        .and_then(|w| w.parse().ok())
        .expect("a first column width");
    assert!(first >= 20 * 95 + 216, "citation column {first}");
    assert!(xml.contains("<w:noWrap/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr><w:r><w:t xml:space=\"preserve\">164.308(a)(1)(ii)(A)</w:t>"));
}

/// A draft carries its mark in the page header, so every page shows it.
#[test]
fn a_draft_docx_is_marked_on_every_page() {
    let scratch = support::Scratch::new("docx-draft");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = dir.join("draft.docx");
    render(&out, &["--audience", "counterparty", "--draft"]);
    assert!(text_of(&entry(&out, "word/header1.xml")).starts_with("DRAFT — terms to be agreed"));
    assert!(text_of(&entry(&out, "word/document.xml")).starts_with("DRAFT — terms to be agreed"));
}
