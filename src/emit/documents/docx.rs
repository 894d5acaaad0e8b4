//! The BAA appendix as a Word document (`.docx`, Office Open XML WordprocessingML): the same
//! data as the Markdown and HTML appendix ([`Baa`] in the template context), written as real
//! headings, tables with a repeated header row, quotes and a signature block, so a lawyer can
//! edit and sign it. Every user-written string is XML-escaped, and characters XML 1.0 cannot
//! carry (control characters) are dropped. The package is a zip written like the evidence
//! pack's: entries in a fixed order, each with the as-of date at midnight as its time, so the
//! same inputs give the same bytes.

use super::RenderError;
use super::baa::Baa;
use super::context::Context;
use std::io::Write as _;

/// Page width inside the margins, in twentieths of a point (A4 landscape, 12.7 mm margins).
const TEXT_WIDTH: u32 = 16838 - 2 * 720;

/// Write the docx package of a BAA appendix context (`ctx.baa` set).
pub fn baa_docx(ctx: &Context, as_of: time::Date) -> Result<Vec<u8>, RenderError> {
    let baa = ctx
        .baa
        .as_ref()
        .ok_or_else(|| RenderError::MissingCatalog("hipaa".into()))?;
    let document = document_xml(ctx, baa);
    package(&document, as_of)
}

/// Text as XML character data: escaped, without the characters XML 1.0 forbids.
fn xml(s: &str) -> String {
    let allowed: String = s
        .chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect();
    crate::emit::escape::html(&allowed)
}

/// A run of text, bold or not; a newline in the text becomes a line break.
fn run(text: &str, bold: bool) -> String {
    let props = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
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

fn paragraph(style: Option<&str>, runs: &str) -> String {
    let props = style
        .map(|s| format!(r#"<w:pPr><w:pStyle w:val="{s}"/></w:pPr>"#))
        .unwrap_or_default();
    format!("<w:p>{props}{runs}</w:p>")
}

/// One table cell: its paragraphs (each a list of `(text, bold)` runs).
struct Cell {
    paragraphs: Vec<Vec<(String, bool)>>,
    span: usize,
    shade: bool,
}

impl Cell {
    fn text(s: &str) -> Cell {
        Cell::lines(std::slice::from_ref(&s.to_string()))
    }

    fn bold(s: &str) -> Cell {
        Cell {
            paragraphs: vec![vec![(s.to_string(), true)]],
            span: 1,
            shade: false,
        }
    }

    /// One paragraph per item; `—` when there is none.
    fn lines(items: &[String]) -> Cell {
        let paragraphs = if items.is_empty() {
            vec![vec![("—".to_string(), false)]]
        } else {
            items.iter().map(|x| vec![(x.clone(), false)]).collect()
        };
        Cell {
            paragraphs,
            span: 1,
            shade: false,
        }
    }

    fn with(mut self, text: &str, bold: bool) -> Cell {
        self.paragraphs.push(vec![(text.to_string(), bold)]);
        self
    }

    fn spanning(mut self, span: usize) -> Cell {
        self.span = span;
        self.shade = true;
        self
    }
}

struct Doc {
    body: String,
}

impl Doc {
    fn heading(&mut self, level: u8, text: &str) {
        let style = match level {
            0 => "Title",
            1 => "Heading1",
            _ => "Heading2",
        };
        self.body.push_str(&paragraph(Some(style), &run(text, false)));
    }

    fn para(&mut self, text: &str) {
        self.body.push_str(&paragraph(None, &run(text, false)));
    }

    fn runs(&mut self, runs: &[(&str, bool)]) {
        let joined: String = runs.iter().map(|(t, b)| run(t, *b)).collect();
        self.body.push_str(&paragraph(None, &joined));
    }

    fn quote(&mut self, text: &str, cite: &str) {
        let runs = format!(
            "{}{}",
            run(&format!("“{text}”"), false),
            run(&format!(" — {cite}"), true)
        );
        self.body.push_str(&paragraph(Some("Quote"), &runs));
    }

    /// A table: column widths as shares of the page, a header row repeated on every page.
    fn table(&mut self, shares: &[u32], header: &[&str], rows: Vec<Vec<Cell>>) {
        let total: u32 = shares.iter().sum::<u32>().max(1);
        let widths: Vec<u32> = shares.iter().map(|s| TEXT_WIDTH * s / total).collect();
        let mut t = String::from(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
        );
        for w in &widths {
            t.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
        }
        t.push_str("</w:tblGrid>");
        t.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
        for (h, w) in header.iter().zip(&widths) {
            t.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="1F3A5F"/></w:tcPr>{}</w:tc>"#,
                paragraph(Some("TableHeader"), &run(h, true))
            ));
        }
        t.push_str("</w:tr>");
        for row in rows {
            t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            let mut col = 0;
            for cell in row {
                let span = cell.span.max(1);
                let w: u32 = widths.iter().skip(col).take(span).sum();
                col += span;
                let mut props = format!(r#"<w:tcW w:w="{w}" w:type="dxa"/>"#);
                if span > 1 {
                    props.push_str(&format!(r#"<w:gridSpan w:val="{span}"/>"#));
                }
                if cell.shade {
                    props.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="E7ECF3"/>"#);
                }
                let paragraphs: String = cell
                    .paragraphs
                    .iter()
                    .map(|runs| {
                        let joined: String = runs.iter().map(|(t, b)| run(t, *b)).collect();
                        paragraph(Some("TableText"), &joined)
                    })
                    .collect();
                t.push_str(&format!("<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}</w:tc>"));
            }
            t.push_str("</w:tr>");
        }
        t.push_str("</w:tbl>");
        self.body.push_str(&t);
        // Word needs a paragraph between two tables, and after the last one.
        self.body.push_str(&paragraph(None, ""));
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn document_xml(ctx: &Context, baa: &Baa) -> String {
    let (ce, ba) = (baa.client_role, baa.provider_role);
    let scope = &ctx.scope;
    let mut d = Doc { body: String::new() };
    d.heading(
        0,
        "Business Associate Agreement — HIPAA Security Rule responsibility appendix",
    );
    d.runs(&[
        (&scope.client.name, true),
        (&format!(" ({}) and ", lower(ce)), false),
        (&scope.provider.name, true),
        (&format!(" ({})", lower(ba)), false),
    ]);
    d.para(&format!(
        "This appendix forms part of the Business Associate Agreement between the parties below. It states, for every standard and implementation specification of the HIPAA Security Rule (45 CFR 164.308, 164.310, 164.312, 164.314 and 164.316), which party is responsible, what each party does, and the evidence the {} provides. It lists all {} standards and {} implementation specifications of those sections, as quoted from the catalog {} ({}). The {} remains accountable for its compliance with the Security Rule; the allocation below does not transfer that accountability.",
        lower(ba),
        baa.standards,
        baa.specifications,
        baa.catalog.title,
        baa.catalog.version,
        lower(ce)
    ));

    // 1. Parties.
    d.heading(1, "1. Parties and term");
    let names = |list: &[super::baa::BaaParty]| -> String {
        if list.is_empty() {
            "none".into()
        } else {
            list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
        }
    };
    let with = |name: &str, extra: &Option<String>| match extra {
        Some(x) => format!("{name} ({x})"),
        None => name.to_string(),
    };
    let not_recorded = "not recorded".to_string();
    let mut rows = vec![
        vec![
            Cell::bold(ce),
            Cell::text(&with(&scope.client.name, &scope.client.contact)),
        ],
        vec![
            Cell::bold(ba),
            Cell::text(&with(&scope.provider.name, &scope.provider.contract)),
        ],
        vec![
            Cell::bold("BAA signed"),
            Cell::text(scope.provider.baa_signed.as_ref().unwrap_or(&not_recorded)),
        ],
        vec![
            Cell::bold("Effective"),
            Cell::text(
                scope
                    .provider
                    .effective
                    .as_ref()
                    .or(scope.provider.baa_signed.as_ref())
                    .unwrap_or(&not_recorded),
            ),
        ],
        vec![Cell::bold("Engagement model"), Cell::text(&scope.model)],
        vec![
            Cell::bold(&format!("Subcontractors of the {}", lower(ba))),
            Cell::text(&names(&baa.subcontractors)),
        ],
    ];
    if !baa.client_vendors.is_empty() {
        rows.push(vec![
            Cell::bold(&format!("The {}'s own vendors (not subcontractors)", lower(ce))),
            Cell::text(&names(&baa.client_vendors)),
        ]);
    }
    if !baa.provider_vendors.is_empty() {
        rows.push(vec![
            Cell::bold(&format!(
                "Vendors of the {} without access to ePHI (not subcontractors)",
                lower(ba)
            )),
            Cell::text(&names(&baa.provider_vendors)),
        ]);
    }
    if !baa.undeclared_parties.is_empty() {
        rows.push(vec![
            Cell::bold("Third parties, engagement not declared"),
            Cell::text(&names(&baa.undeclared_parties)),
        ]);
    }
    d.table(&[1, 3], &["Party", "Details"], rows);

    // 2. Services.
    d.heading(1, "2. Systems and services in scope");
    d.para(&format!(
        "The {} creates, receives, maintains or transmits electronic protected health information only in performing these services.",
        lower(ba)
    ));
    let rows = ctx
        .services
        .iter()
        .map(|s| {
            let mut description = Cell::text(&s.description);
            for o in &s.options {
                let text = match &o.description {
                    Some(x) => format!("Including: {} — {}", o.name, x),
                    None => format!("Including: {}", o.name),
                };
                description = description.with(&text, false);
            }
            vec![Cell::bold(&s.name), description]
        })
        .collect();
    d.table(&[1, 3], &["Service", "Description"], rows);

    // 3. Safeguards.
    d.heading(1, "3. Responsibility for the Security Rule safeguards");
    d.para("In regulation order. “Required” and “Addressable” as in 45 CFR 164.306(d). A standard with implementation specifications is met through them: its duties are those of the specifications listed under it.");
    let mut rows = Vec::new();
    for sec in &baa.sections {
        rows.push(vec![
            Cell::bold(&format!("{} — {}", sec.citation, sec.title)).spanning(7),
        ]);
        for r in &sec.rows {
            let mut title = if r.is_standard {
                Cell::bold(&r.title)
            } else {
                Cell::text(&r.title)
            };
            if let Some(reason) = &r.reason {
                title = title.with(&format!("Not applicable: {reason}"), false);
            }
            if let Some(a) = &r.addressable {
                title = title.with(a, false);
            }
            if !r.gaps.is_empty() {
                title = title.with(&format!("Open gap: {}", r.gaps.join(", ")), true);
            }
            let id = if r.is_standard {
                Cell::bold(&r.id)
            } else {
                Cell::text(&r.id)
            };
            let (ba_cell, ce_cell) = if r.is_standard && r.has_specifications {
                (
                    Cell::text("See the specifications below"),
                    Cell::text("See the specifications below"),
                )
            } else {
                let mut duties = r.ba_duties.clone();
                duties.extend(r.other_duties.iter().cloned());
                (Cell::lines(&duties), Cell::lines(&r.ce_duties))
            };
            rows.push(vec![
                id,
                title,
                Cell::text(r.requirement.unwrap_or("")),
                Cell::text(&r.responsible),
                ba_cell,
                ce_cell,
                Cell::lines(&r.evidence),
            ]);
        }
    }
    let ba_duties = format!("{ba} duties");
    let ce_duties = format!("{ce} duties");
    let evidence = format!("Evidence the {} provides", lower(ba));
    d.table(
        &[9, 17, 10, 11, 20, 18, 15],
        &[
            "Citation",
            "Safeguard",
            "R/A",
            "Responsible",
            &ba_duties,
            &ce_duties,
            &evidence,
        ],
        rows,
    );

    // 4. Reporting.
    let n = &baa.notification;
    d.heading(1, "4. Breach and security incident reporting");
    match (&n.window_text, baa.counterparty) {
        (Some(w), _) => d.para(&format!(
            "The {} notifies the {} of a breach of unsecured protected health information, and of any security incident of which it becomes aware, without unreasonable delay and in no case later than {w} after discovery.",
            lower(ba),
            lower(ce)
        )),
        (None, true) => d.para("No notification window is agreed."),
        (None, false) => d.para("Open gap: no notification window is agreed in the scope (sla.incident_notification)."),
    }
    if let (Some(limit), Some(cite)) = (&n.limit_text, &n.limit_citation) {
        let window = n.window_text.clone().unwrap_or_default();
        d.para(&match n.status {
            "within" => {
                format!("The agreed {window} is within the outer limit of {limit} after discovery set by {cite}.")
            }
            "exceeds" if baa.counterparty => {
                format!("The agreed {window} exceeds the outer limit of {limit} after discovery set by {cite}.")
            }
            "exceeds" => format!(
                "The agreed {window} exceeds the outer limit of {limit} after discovery set by {cite}: shorten it."
            ),
            _ => format!("{cite} sets an outer limit of {limit} after discovery."),
        });
        if let Some(q) = &n.limit_quote {
            d.quote(q, cite);
        }
    }
    if let Some(who) = &n.incident_response {
        d.para(&format!(
            "Security incident response and reporting (45 CFR 164.308(a)(6)(ii)): {who}."
        ));
    }
    d.heading(2, "Security incidents");
    let si = &n.security_incidents;
    if let Some(q) = &si.definition {
        d.quote(&q.text, &format!("{}, {}", q.citation, q.title));
    }
    if let Some(q) = &n.incident_clause {
        d.quote(&q.text, &format!("{}, {}", q.citation, q.title));
    }
    match (&si.window_text, &n.window_text) {
        (Some(w), _) => d.para(&format!(
            "The {} reports to the {} each security incident of which it becomes aware that is not a breach within {w} of becoming aware of it; a security incident that is also a breach of unsecured protected health information is notified under the breach terms above.",
            lower(ba),
            lower(ce)
        )),
        (None, Some(w)) => d.para(&format!(
            "45 CFR 164.314(a)(2)(i)(C) requires the {} to report to the {} any security incident of which it becomes aware, and sets no time limit of its own. No separate period was agreed for security incidents that are not breaches: the notification window of {w} above is the only one agreed.",
            lower(ba),
            lower(ce)
        )),
        (None, None) => d.para(&format!(
            "45 CFR 164.314(a)(2)(i)(C) requires the {} to report to the {} any security incident of which it becomes aware, and sets no time limit of its own. No reporting period was agreed.",
            lower(ba),
            lower(ce)
        )),
    }
    d.para(&match si.unsuccessful_attempts.as_deref() {
        Some("standing-notice") => format!(
            "Unsuccessful attempts: this appendix is the {}'s notice, given now and without further report, of attempted security incidents that do not succeed, such as pings and other broadcast attacks on a firewall, port scans, unsuccessful log-on attempts and denials of service, as long as none results in unauthorized access, use, disclosure, modification or destruction of electronic protected health information or interference with system operations in an information system. Any such attempt that does succeed is reported as above.",
            lower(ba)
        ),
        Some("report") => "Unsuccessful attempts: an attempted security incident that does not succeed (a ping, a port scan, a failed log-on) is reported like any other security incident.".into(),
        _ => format!(
            "Unsuccessful attempts: no term was agreed. Under the definition above an attempted, unsuccessful intrusion is a security incident, which 45 CFR 164.314(a)(2)(i)(C) requires the {} to report.",
            lower(ba)
        ),
    });
    d.heading(2, "Content of the notice");
    for q in &n.content {
        d.quote(&q.text, &format!("{}, {}", q.citation, q.title));
    }
    d.heading(2, "Notices under 45 CFR Part 164, Subpart D");
    let rows = n
        .notices
        .iter()
        .map(|t| {
            let mut deadline = t.limit.clone();
            if let Some(x) = &t.threshold {
                deadline.push_str(&format!("; only for a breach involving {x}"));
            }
            if let Some(x) = &t.delayed_by {
                deadline.push_str(&format!("; may be delayed under {x}"));
            }
            let applies = if t.applies {
                "yes".to_string()
            } else {
                format!("no: {}", t.reason.clone().unwrap_or_default())
            };
            let mut notice = Cell::bold(&t.citation).with(&t.title, false);
            if let Some(who) = &t.notify {
                notice = notice.with(&format!("Notify {who}"), false);
            }
            vec![
                notice,
                Cell::text(&t.responsible),
                Cell::text(&deadline),
                Cell::text(&applies),
            ]
        })
        .collect();
    d.table(&[3, 2, 4, 3], &["Notice", "Given by", "Deadline", "Applies"], rows);

    // 5. Subcontractors.
    d.heading(1, "5. Subcontractors and flow-down");
    for q in &baa.flow_down {
        d.quote(&q.text, &format!("{}, {}", q.citation, q.title));
    }
    d.para(&format!(
        "The {ba_l} ensures that each subcontractor that creates, receives, maintains or transmits electronic protected health information on its behalf agrees, in writing, to the same restrictions and conditions. A subcontractor is a party the {ba_l} itself engages (45 CFR 160.103); the {ce_l}'s own vendors are not.",
        ba_l = lower(ba),
        ce_l = lower(ce)
    ));
    let party_rows = |list: &[super::baa::BaaParty]| -> Vec<Vec<Cell>> {
        list.iter()
            .map(|p| {
                let mut name = Cell::bold(&p.name);
                if let Some(note) = &p.note {
                    name = name.with(note, false);
                }
                vec![
                    name,
                    Cell::text(&p.kind),
                    Cell::text(p.agreement),
                    Cell::text(&if p.controls.is_empty() {
                        "—".to_string()
                    } else {
                        p.controls.join(", ")
                    }),
                ]
            })
            .collect()
    };
    let header = ["Party", "Kind", "Agreement", "Responsible for"];
    d.heading(2, &format!("Subcontractors of the {}", lower(ba)));
    if baa.subcontractors.is_empty() {
        d.para(&format!("The {} declares no subcontractor.", lower(ba)));
    } else {
        d.table(&[4, 2, 2, 4], &header, party_rows(&baa.subcontractors));
    }
    if !baa.client_vendors.is_empty() {
        d.heading(2, &format!("The {}'s own vendors", lower(ce)));
        d.para(&format!(
            "Engaged by the {ce_l}: not subcontractors of the {}. Any business associate agreement with them is the {ce_l}'s to hold (45 CFR 164.502(e)(1), 164.308(b)).",
            lower(ba),
            ce_l = lower(ce)
        ));
        d.table(&[4, 2, 2, 4], &header, party_rows(&baa.client_vendors));
    }
    if !baa.provider_vendors.is_empty() {
        d.heading(2, &format!("Vendors of the {} without access to ePHI", lower(ba)));
        d.table(&[4, 2, 2, 4], &header, party_rows(&baa.provider_vendors));
    }
    if !baa.undeclared_parties.is_empty() {
        d.heading(2, "Third parties whose engagement is not declared");
        d.para("Engagement not declared: it is not recorded which party engaged these, so this appendix does not call them subcontractors.");
        d.table(&[4, 2, 2, 4], &header, party_rows(&baa.undeclared_parties));
    }

    // 6. Gaps, or the points still to agree.
    if baa.counterparty {
        d.heading(1, "6. Points to be agreed");
        let open: Vec<Vec<Cell>> = baa
            .sections
            .iter()
            .flat_map(|s| &s.rows)
            .filter(|r| r.summary == "unassigned")
            .map(|r| vec![Cell::text(&r.citation), Cell::text(&r.title)])
            .collect();
        if open.is_empty() {
            d.para("A responsible party is agreed for every safeguard.");
        } else {
            d.para("No responsible party is agreed yet for these safeguards; the parties agree one before signing.");
            d.table(&[1, 3], &["Safeguard", "Title"], open);
        }
    } else {
        d.heading(1, "6. Open gaps");
        if baa.gaps.is_empty() {
            d.para(&format!("No open gaps on HIPAA safeguards as of {}.", ctx.as_of));
        } else {
            d.para(&format!(
                "{} on HIPAA safeguards as of {}.",
                crate::emit::count(baa.open_gaps, "open finding"),
                ctx.as_of
            ));
            let rows = baa
                .gaps
                .iter()
                .map(|f| {
                    let severity = match &f.waived {
                        Some(w) => format!("{} (waived until {}, {})", f.severity, w.expires, w.ticket),
                        None => f.severity.to_string(),
                    };
                    vec![
                        Cell::text(&severity),
                        Cell::text(&f.code),
                        Cell::text(&f.citation),
                        Cell::text(&f.message),
                        Cell::text(&format!("{}:{}", f.file, f.line)),
                    ]
                })
                .collect();
            d.table(
                &[2, 1, 2, 6, 3],
                &["Severity", "Code", "Safeguard", "Gap", "Location"],
                rows,
            );
        }
    }

    // 7. Signatures.
    d.heading(1, "7. Acknowledgement");
    d.para("The parties acknowledge the allocation of responsibilities in this appendix and agree to review it at least annually and whenever the services change.");
    let ce_head = format!("{ce}: {}", scope.client.name);
    let ba_head = format!("{ba}: {}", scope.provider.name);
    let blank = || Cell::text("\n\n");
    d.table(
        &[1, 2, 2],
        &["", &ce_head, &ba_head],
        vec![
            vec![Cell::bold("Signature"), blank(), blank()],
            vec![Cell::bold("Name and title"), blank(), blank()],
            vec![Cell::bold("Date"), blank(), blank()],
        ],
    );
    let sources: Vec<String> = baa.text_sources.iter().map(|s| s.label.clone()).collect();
    d.para(&format!(
        "Quoted regulation text: {}. The official text: {}.",
        if sources.is_empty() {
            "none".into()
        } else {
            sources.join("; ")
        },
        baa.catalog.source_url
    ));
    d.para(&format!(
        "Generated by {} {}, as of {}. Inputs SHA-256 {} ({} files). Catalog: {}, {}, SHA-256 {}.",
        ctx.generator.name,
        ctx.generator.version,
        ctx.as_of,
        ctx.inputs_sha256,
        ctx.inputs.len(),
        baa.catalog.title,
        baa.catalog.version,
        baa.catalog.sha256
    ));

    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="720" w:right="720" w:bottom="720" w:left="720" w:header="360" w:footer="360" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        d.body
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/><w:sz w:val="19"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="100" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="160"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3A5F"/><w:sz w:val="34"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="280" w:after="100"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="1F3A5F"/><w:sz w:val="28"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="200" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="23"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:qFormat/><w:pPr><w:ind w:left="567" w:right="567"/></w:pPr><w:rPr><w:i/><w:color w:val="404040"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="40" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="17"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableHeader"><w:name w:val="Table Header"/><w:basedOn w:val="TableText"/><w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:left w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:right w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="A6B1C2"/></w:tblBorders></w:tblPr></w:style></w:styles>"#;

/// The zip package: fixed entry order, the as-of date as every entry's time, mode 0644.
fn package(document: &str, as_of: time::Date) -> Result<Vec<u8>, RenderError> {
    let options = crate::emit::pack::zip_entry_options(as_of);
    let fail = |e: zip::result::ZipError| RenderError::Pack(format!("writing the docx: {e}"));
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
        ("word/document.xml", document),
    ] {
        writer.start_file(name, options).map_err(fail)?;
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
        assert!(run("one\ntwo", false).contains("<w:br/>"));
    }
}
