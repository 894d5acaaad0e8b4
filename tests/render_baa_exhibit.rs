//! Issue 20: a BAA appendix and a provider summary counsel can sign as they are, through the
//! real binary. One document model rendered three ways (the text of the Markdown, the HTML and
//! the Word document is the same); one term per event; the duties of standards kept; a third
//! party's duty never in a signatory's column; nothing said that no field declares; deadlines
//! quoted whole; a counterparty copy of terms the gate rejects refused unless it is a draft;
//! what an exhibit has (Subpart C compliance, termination and return of PHI, notice and
//! discovery, the agreement it belongs to, the content of the notice); field values in words;
//! no tool text in the counterparty's copy; user text neutralised on standard output; and the
//! provider summary for its audience, in Word too, with the gate and the document agreeing.

mod support;
use std::path::{Path, PathBuf};
use support::document_text::{docx_parts, docx_words, first_difference, html_words, md_words};
use support::{Run, Scratch, ctrlmap, ctrlmap_in, example};

const AS_OF: &str = "2026-11-30";

fn dental() -> PathBuf {
    example().join("scopes/riverside-dental.yaml")
}

fn render(document: &str, scope: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "render".to_string(),
        document.into(),
        scope.display().to_string(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    ctrlmap(&args)
}

fn ok(run: Run) -> String {
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn docx(document: &str, scope: &Path, extra: &[&str], dir: &Path) -> Vec<(String, String)> {
    let out = dir.join(format!("{document}-{}.docx", extra.join("").replace('-', "")));
    let mut args = vec!["--format", "docx", "-o"];
    let out_s = out.display().to_string();
    args.push(&out_s);
    args.extend_from_slice(extra);
    ok(render(document, scope, &args));
    docx_parts(&out)
}

fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
    parts
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("{name} in the package"))
}

fn same_text(document: &str, scope: &Path, extra: &[&str], dir: &Path) {
    let mut md_args = extra.to_vec();
    md_args.extend(["--format", "markdown"]);
    let md = md_words(&ok(render(document, scope, &md_args)));
    let mut html_args = extra.to_vec();
    html_args.extend(["--format", "html"]);
    let html = html_words(&ok(render(document, scope, &html_args)));
    let parts = docx(document, scope, extra, dir);
    let word = docx_words(part(&parts, "word/document.xml"));
    assert!(md.len() > 500, "{document}: a whole document ({} words)", md.len());
    assert!(
        md == html,
        "{document} {extra:?}: Markdown and HTML differ {}",
        first_difference(&md, &html)
    );
    assert!(
        md == word,
        "{document} {extra:?}: Markdown and Word differ {}",
        first_difference(&md, &word)
    );
}

/// Point 5: one document model, three renderings with the same text, for both documents and
/// both audiences (the counterparty's draft of a scope that fails the gate too).
#[test]
fn markdown_html_and_word_say_the_same_words() {
    let scratch = Scratch::copy_of(&example(), "exhibit-same-text");
    let dir = &scratch.ws();
    same_text("baa-appendix", &dental(), &[], dir);
    same_text("baa-appendix", &dental(), &["--audience", "counterparty"], dir);
    same_text(
        "baa-appendix",
        &support::fixture("render/northwind/scopes/riverside-dental.yaml"),
        &["--audience", "counterparty", "--draft"],
        dir,
    );
    same_text(
        "tpsp-summary",
        &example().join("scopes/hudson-valley-insurance.yaml"),
        &[],
        dir,
    );
    same_text(
        "tpsp-summary",
        &example().join("scopes/cedar-tax-services.yaml"),
        &["--audience", "counterparty"],
        dir,
    );
}

// --- the BAA appendix ------------------------------------------------------------------------

/// The cells of the Markdown safeguard row of `id`.
fn safeguard_row(md: &str, id: &str) -> Vec<String> {
    let line = md
        .lines()
        .find(|l| l.starts_with(&format!("| {id} |")) || l.starts_with(&format!("| **{id}** |")))
        .unwrap_or_else(|| panic!("row {id}"));
    line.trim_matches('|')
        .split(" | ")
        .map(|c| c.trim().to_string())
        .collect()
}

/// Point 3: the imaging vendor's duty on 164.312(c)(2) is in its own column, by name; the
/// business associate's column holds the business associate's duty only; the covered entity's
/// part is its own agreement with the vendor. In all three formats.
#[test]
fn a_third_partys_duty_is_never_in_the_business_associates_column() {
    let vendor = "Cloud dental practice-management and imaging vendor";
    let vendor_duty = "The practice-management vendor uses database integrity checks";
    for extra in [&[][..], &["--audience", "counterparty"][..]] {
        let md = ok(render("baa-appendix", &dental(), extra));
        let header = md.lines().find(|l| l.starts_with("| Citation |")).expect("header");
        assert!(header.contains("| Other parties (not signatories) |"), "{header}");
        let row = safeguard_row(&md, "164.312(c)(2)");
        let (ba, ce, others) = (&row[3], &row[4], &row[5]);
        assert!(ba.starts_with("Detect unauthorized alteration"), "{ba}");
        assert!(
            !ba.contains(vendor) && !ba.contains(vendor_duty),
            "business associate cell: {ba}"
        );
        assert!(
            ce.contains(&format!("Secures the part of {vendor} through the covered entity's own agreement with it (business associate agreement in place).")),
            "{ce}"
        );
        assert!(others.contains(&format!("**{vendor}:** {vendor_duty}")), "{others}");
    }
    // HTML and Word: the same cells.
    let html = ok(render("baa-appendix", &dental(), &["--format", "html"]));
    let row = html
        .split("<tr")
        .find(|r| r.contains(">164.312(c)(2)</td>"))
        .expect("HTML row");
    let ba = row
        .split(r#"data-label="Business associate duties">"#)
        .nth(1)
        .and_then(|c| c.split("</td>").next())
        .expect("BA cell");
    assert!(!ba.contains(vendor) && !ba.contains(vendor_duty), "{ba}");
    let scratch = Scratch::copy_of(&example(), "exhibit-third-party");
    let parts = docx("baa-appendix", &dental(), &[], &scratch.ws());
    let xml = part(&parts, "word/document.xml");
    let row = xml
        .split("<w:tr>")
        .find(|r| r.contains(">164.312(c)(2)<"))
        .expect("Word row");
    let cells: Vec<String> = row.split("<w:tc>").skip(1).map(|c| docx_words(c).join(" ")).collect();
    assert!(!cells[3].contains(vendor) && cells[5].contains(vendor), "{cells:?}");
}

/// Point 2: a standard whose own text is a duty shows the duties the matrix holds for it; "See
/// the implementation specifications below." only where the standard has none of its own.
#[test]
fn the_agreed_duties_of_standards_are_shown() {
    let md = ok(render("baa-appendix", &dental(), &[]));
    let matrix: serde_json::Value = serde_json::from_str(&ok(ctrlmap([
        "matrix",
        &dental().display().to_string(),
        "--format",
        "json",
    ])))
    .expect("json");
    let see = "See the implementation specifications below.";
    let mut with_duties = 0;
    for row in matrix["rows"].as_array().expect("rows") {
        let id = row["id"].as_str().unwrap_or_default();
        if row["framework"] != "hipaa" || row["level"] != "standard" || !id.starts_with("164.3") {
            continue;
        }
        let duties: Vec<&str> = row["duties"]
            .as_object()
            .map(|m| {
                m.values()
                    .flat_map(|v| v.as_array().into_iter().flatten())
                    .filter_map(|d| d.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let cells = safeguard_row(&md, id);
        if row["summary"] == "not-applicable" {
            continue;
        }
        if duties.is_empty() {
            assert!(cells.iter().any(|c| c == see), "{id} has no duty of its own: {cells:?}");
        } else {
            with_duties += 1;
            assert!(!cells.iter().any(|c| c == see), "{id} has duties: {cells:?}");
            for d in duties {
                let d = ctrlmap::emit::escape::md_cell(d);
                assert!(cells.iter().any(|c| c.contains(&d)), "{id}: `{d}` shown in {cells:?}");
            }
        }
    }
    assert!(
        with_duties >= 10,
        "the example's standards with agreed duties: {with_duties}"
    );
    let row = safeguard_row(&md, "164.308(a)(5)");
    assert!(
        row[3].contains("Run the security awareness and training program for every workforce member"),
        "{row:?}"
    );
}

/// Point 1: each event has exactly one term, from one scope field; the breach window is never
/// widened to other security incidents.
#[test]
fn each_event_has_one_term_from_one_field() {
    let md = ok(render("baa-appendix", &dental(), &[]));
    let table: Vec<&str> = md
        .split("| Event | Term | From the scope |")
        .nth(1)
        .expect("terms table")
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(
        table,
        [
            "| Breach of unsecured protected health information | **No later than 24 hours after discovery.**<br>Within the outer limit of 60 calendar days set by 45 CFR 164.410(b). | sla.incident\\_notification |",
            "| Security incident that is not a breach | **No later than 5 calendar days after the business associate becomes aware of it.** | sla.security\\_incident\\_report |",
            "| Attempted security incident that does not succeed | **Not reported one by one: this appendix is the business associate's notice of them.** | sla.unsuccessful\\_attempts |",
        ]
    );
    assert!(!md.contains("of any security incident of which it becomes aware, without unreasonable delay"));
    assert!(
        !md.contains("is reported as above"),
        "an attempt that succeeds is under a named row"
    );
}

/// Point 4: the scope's service notes appear; no sentence the scope never agreed.
#[test]
fn the_service_notes_appear_and_nothing_unagreed_is_said() {
    let scope = std::fs::read_to_string(dental()).expect("scope");
    for format in ["markdown", "html"] {
        let doc = ok(render(
            "baa-appendix",
            &dental(),
            &["--format", format, "--audience", "counterparty"],
        ));
        for note in scope
            .lines()
            .filter_map(|l| l.trim().strip_prefix("note: "))
            .filter(|n| !n.starts_with('>'))
        {
            if scope.contains(&format!("    note: {note}")) && scope.contains("  - ref:") {
                let shown = if format == "html" {
                    ctrlmap::emit::escape::html(note)
                } else {
                    ctrlmap::emit::escape::md_cell(note)
                };
                assert!(doc.contains(&shown), "{format}: note `{note}`");
            }
        }
        for unagreed in [
            "only in performing these services",
            "at least annually and whenever the services change",
        ] {
            assert!(!doc.contains(unagreed), "{format}: `{unagreed}`");
        }
        assert!(doc.contains("imaging sensor drivers with the vendor; Northwind packages everything else"));
    }
}

/// Point 5: the Subpart D deadlines are the regulation's whole words, "without unreasonable
/// delay" included, in Markdown, HTML and Word alike.
#[test]
fn subpart_d_deadlines_are_quoted_whole_in_every_format() {
    let ws = ctrlmap::load::Loaded::load(&example()).expect("loads");
    let hipaa = ws.framework("hipaa").expect("hipaa");
    let md = ok(render("baa-appendix", &dental(), &["--audience", "counterparty"]));
    let html = ok(render(
        "baa-appendix",
        &dental(),
        &["--audience", "counterparty", "--format", "html"],
    ));
    let scratch = Scratch::copy_of(&example(), "exhibit-deadlines");
    let parts = docx(
        "baa-appendix",
        &dental(),
        &["--audience", "counterparty"],
        &scratch.ws(),
    );
    let word = docx_words(part(&parts, "word/document.xml")).join(" ");
    for id in ["164.404(b)", "164.406(b)", "164.408(b)", "164.408(c)", "164.410(b)"] {
        let d = hipaa.get(id).and_then(|c| c.deadlines.first()).expect("deadline");
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| **45 CFR {id}**")))
            .expect("row");
        assert!(
            row.contains(&format!("“{}”", ctrlmap::emit::escape::md_cell(&d.text))),
            "{row}"
        );
        assert!(
            html.contains(&format!("“{}”", ctrlmap::emit::escape::html(&d.text))),
            "{id} in HTML"
        );
        assert!(word.contains(&format!("“{}”", d.text)), "{id} in Word");
    }
    for id in ["164.410(c)(1)", "164.410(c)(2)"] {
        let text = hipaa.get(id).and_then(|c| c.text.clone()).expect("text");
        assert!(word.contains(&format!("“{text}”")), "{id} quoted in Word");
    }
    assert!(word.contains("or promptly thereafter as information becomes available"));
}

/// Point 6: with a 70-day window the counterparty copy is refused (exit 1, the findings
/// listed, nothing written); with --draft every page is marked, the term is a proposal, and the
/// open points are listed.
#[test]
fn a_term_the_gate_rejects_is_refused_to_the_counterparty_unless_drafted() {
    let scratch = Scratch::copy_of(&example(), "exhibit-70d");
    let file = scratch.ws().join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&file)
        .expect("read")
        // The 24 hours come from the package; the scope's own window replaces them.
        .replace("sla:\n  notice:", "sla:\n  incident_notification: 70d\n  notice:");
    assert!(
        text.contains("incident_notification: 70d"),
        "the example's scope has an `sla:` block"
    );
    std::fs::write(&file, text).expect("write");
    let out = scratch.ws().join("cp.md");
    let run = ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "baa-appendix",
            "scopes/riverside-dental.yaml",
            "--as-of",
            AS_OF,
            "--audience",
            "counterparty",
            "-o",
            "cp.md",
        ],
    );
    assert_eq!(run.code, 1, "refused: {}", run.stderr);
    assert!(
        run.stderr.contains("is refused") && run.stderr.contains("fails the gate"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[CM008]") && run.stderr.contains("scopes/riverside-dental.yaml:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--draft"), "says how to get a draft");
    assert!(!out.exists(), "nothing written");
    for format in ["docx", "html"] {
        let run = ctrlmap_in(
            &scratch.ws(),
            [
                "render",
                "baa-appendix",
                "scopes/riverside-dental.yaml",
                "--as-of",
                AS_OF,
                "--audience",
                "counterparty",
                "--format",
                format,
                "-o",
                "cp.out",
            ],
        );
        assert_eq!(run.code, 1, "{format} refused too");
    }
    // The provider's own copy is not refused: it shows the gap.
    let internal = ok(ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "baa-appendix",
            "scopes/riverside-dental.yaml",
            "--as-of",
            AS_OF,
        ],
    ));
    assert!(internal.contains("CM008"));

    let draft = ok(ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "baa-appendix",
            "scopes/riverside-dental.yaml",
            "--as-of",
            AS_OF,
            "--audience",
            "counterparty",
            "--draft",
        ],
    ));
    assert!(draft.starts_with("**DRAFT — terms to be agreed**"), "{}", &draft[..200]);
    assert!(draft.contains("**Proposed: no later than 70 calendar days after discovery.**<br>Not agreed: it exceeds the outer limit of 60 calendar days set by 45 CFR 164.410(b)."));
    assert!(!draft.contains("**No later than 70"), "never stated as agreed");
    assert!(!draft.contains("A responsible party is agreed for every safeguard"));
    let points = draft.split("Points to be agreed").nth(1).expect("points");
    assert!(
        points.contains("- **45 CFR 164.410(b) (Implementation specifications: Timeliness of notification):** the proposed notice term of 70 calendar days does not meet the 60 calendar days of 45 CFR 164.410(b)."),
        "{points}"
    );
    assert!(!draft.contains("CM0"), "no code in the counterparty's draft");
    let html = ok(ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "baa-appendix",
            "scopes/riverside-dental.yaml",
            "--as-of",
            AS_OF,
            "--audience",
            "counterparty",
            "--draft",
            "--format",
            "html",
        ],
    ));
    assert!(html.contains(r#"<p class="draft-mark">DRAFT — terms to be agreed</p>"#));
    // Printed, the mark is in the top margin of every page.
    assert!(
        html.contains(r#"@page { @top-center { content: "DRAFT — terms to be agreed";"#),
        "print: the mark on every page"
    );
    // The scope can say it is a draft itself.
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace("  agent: false\n", "  agent: false\n  draft: true\n");
    std::fs::write(&file, text).expect("write");
    let draft = ok(ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "baa-appendix",
            "scopes/riverside-dental.yaml",
            "--as-of",
            AS_OF,
            "--audience",
            "counterparty",
        ],
    ));
    assert!(draft.starts_with("**DRAFT — terms to be agreed**"));
}

/// Point 7: what a BAA exhibit has, each from a declared field or the regulation quoted.
#[test]
fn the_exhibit_has_compliance_termination_notice_discovery_and_its_agreement() {
    let md = ok(render("baa-appendix", &dental(), &["--audience", "counterparty"]));
    // Which document the appendix belongs to, and its version date under the title.
    assert!(md.contains("\n\nExhibit to the Business Associate Agreement dated 2026-01-15 between Riverside Dental Group, PLLC and Northwind Managed IT (MSA-2026-003 with Business Associate Agreement)\n\nVersion of 2026-11-30\n"));
    // Subpart C applies to the business associate directly; no row is relief from it.
    assert!(md.contains("> “A covered entity or business associate must comply with the applicable standards, implementation specifications, and requirements of this subpart with respect to electronic protected health information of a covered entity.” — 45 CFR 164.302"));
    assert!(md.contains("does not relieve the business associate of these requirements for its own systems"));
    assert!(md.contains("(45 CFR 164.302; 164.314(a)(2)(i)(A); 164.502(e))"));
    // Termination: 164.504(e)(2)(ii)(J) quoted, each service's retention as declared.
    let termination = md
        .split("\n## 7.")
        .nth(1)
        .and_then(|s| s.split("\n## 8.").next())
        .expect("section 7");
    assert!(termination.contains(
        "> “At termination of the contract, if feasible, return or destroy all protected health information"
    ));
    assert!(termination.contains("— 45 CFR 164.504(e)(2)(ii)(J)"));
    assert!(termination.contains("| **Managed Backup and Disaster Recovery** | The immutable offsite copy of the same backups | 12 months | Object storage in a second region<br>Held by Offsite backup storage provider (immutable object storage, second region), subcontractor of the business associate. | Return or destruction is not feasible"));
    assert!(termination.contains("| **Helpdesk and End-User Support** | Support tickets, which can name patients when staff describe a problem | For the term of the agreement | Northwind's ticketing system<br>Held by the business associate. | Returned to the covered entity, then destroyed; no copy kept. Within 60 calendar days of termination. |"));
    assert!(
        termination.contains("| **Managed Firewall and Secure Network** | Keeps no protected health information. |")
    );
    // Notice: to whom and how, what counts as discovery (quoted), whether the MSP is the agent.
    assert!(md.contains("| Notices to the covered entity | Dr. Ana Rivera, Practice Owner and HIPAA Security Official, by telephone to her mobile number on file"));
    assert!(md.contains("> “For purposes of paragraph (a)(1) of this section, a breach shall be treated as discovered by a business associate as of the first day"));
    assert!(md.contains("| The business associate acts as the covered entity's agent (45 CFR 164.404(a)(2)) | No |"));
    assert!(md.contains("The business associate does not act as the covered entity's agent (45 CFR 164.404(a)(2))."));
    // The content of the notice, with (c)(2)'s "promptly thereafter".
    assert!(md.contains("or promptly thereafter as information becomes available.” — 45 CFR 164.410(c)(2)"));
    assert!(
        md.contains("## 8. Points to be agreed\n\nNone: every term of this appendix is agreed."),
        "the example declares every fact"
    );

    // Undeclared facts are points to be agreed, never supplied.
    let fixture = ok(render(
        "baa-appendix",
        &support::fixture("render/northwind/scopes/riverside-dental.yaml"),
        &[],
    ));
    let points = fixture.split("Points to be agreed").nth(1).expect("points");
    for point in [
        "To whom at the covered entity and by what channel notices are given.",
        "Whether the business associate acts as the covered entity's agent (45 CFR 164.404(a)(2)).",
        "Managed Backup and Disaster Recovery: what it keeps of the covered entity's protected health information, for how long and where, and what happens to it at termination (45 CFR 164.504(e)(2)(ii)(J)).",
    ] {
        assert!(points.contains(point), "{point}\n{points}");
    }
    assert!(fixture.contains("| **Managed Backup and Disaster Recovery** | **Not declared: to be agreed.** |"));
}

/// Point 8: subcontractor by delegation (quoted); no path, file name, code, hash or generator
/// in the counterparty's copy, evidence by title and date; quotes cited, their copy only in
/// the provider's own; field values as words, addressable decisions as decisions.
#[test]
fn the_counterparty_copy_speaks_in_words_without_tool_text() {
    let scratch = Scratch::copy_of(&example(), "exhibit-words");
    let mut copies = vec![
        (
            "markdown".to_string(),
            ok(render("baa-appendix", &dental(), &["--audience", "counterparty"])),
        ),
        (
            "html".to_string(),
            ok(render(
                "baa-appendix",
                &dental(),
                &["--audience", "counterparty", "--format", "html"],
            )),
        ),
        (
            "tpsp".to_string(),
            ok(render(
                "tpsp-summary",
                &example().join("scopes/hudson-valley-insurance.yaml"),
                &["--audience", "counterparty"],
            )),
        ),
    ];
    for (document, scope) in [
        ("baa-appendix", dental()),
        ("tpsp-summary", example().join("scopes/cedar-tax-services.yaml")),
    ] {
        for (name, text) in docx(document, &scope, &["--audience", "counterparty"], &scratch.ws()) {
            copies.push((format!("{document} docx {name}"), text));
        }
    }
    for (what, text) in &copies {
        for tool in [
            "evidence/",
            "scopes/",
            "CM0",
            "sha256",
            "SHA-256",
            "ctrlmap",
            "<builtin>",
            "&lt;builtin&gt;",
            ".yaml",
            "Aptible",
            "sla.",
            "Generated by",
        ] {
            assert!(!text.contains(tool), "{what}: `{tool}` in the counterparty copy");
        }
    }
    let md = &copies[0].1;
    assert!(md.contains("| Engagement model | Co-managed |"));
    assert!(!md.contains("(24h)") && !md.contains("co-managed"));
    assert!(
        md.contains("Phishing simulation and training report, 2026 Q3 (2026-09-18)"),
        "evidence by title and date"
    );
    assert!(md.contains("Addressable — implemented as specified"));
    assert!(md.contains("Addressable — alternative: Access is granted only by role"));
    assert!(md.contains("“Subcontractor means a person to whom a business associate delegates a function, activity, or service, other than in the capacity of a member of the workforce of such business associate.” — 45 CFR 160.103"));
    assert!(!md.contains("A subcontractor is a party the business associate itself engages"));
    // The provider's own copy says where each quote comes from, and what the document was
    // computed from.
    let internal = ok(render("baa-appendix", &dental(), &[]));
    assert!(
        internal.contains("Quoted regulation text:")
            && internal.contains("secondary copy, not the official publication")
    );
    assert!(internal.contains("45 CFR 160.103: Bricker Graydon LLP"));
    assert!(internal.contains("Inputs SHA-256") && internal.contains("| sla.incident\\_notification |"));
}

/// The texts quoted from outside the built-in catalog are word for word the copies kept in
/// tests/fixtures/reference/hipaa/related/.
#[test]
fn quotes_from_outside_the_catalog_match_their_copies() {
    let dir = support::fixture("reference/hipaa/related");
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    for (quote, file) in [
        (
            ctrlmap::emit::documents::related_text::SUBCONTRACTOR,
            "160.103-subcontractor.txt",
        ),
        (
            ctrlmap::emit::documents::related_text::SUBCONTRACTOR_ASSURANCES,
            "164.502-e.txt",
        ),
        (
            ctrlmap::emit::documents::related_text::RETURN_OR_DESTRUCTION,
            "164.504-e-2-ii-J.txt",
        ),
    ] {
        let copy = std::fs::read_to_string(dir.join(file)).expect("copy");
        let url = copy
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .expect("the copy's address");
        assert!(
            fold(&copy).contains(&fold(quote.text)),
            "{}: not word for word in {file}",
            quote.citation
        );
        assert!(quote.source.contains(url), "{}: its source names {url}", quote.citation);
    }
}

/// Point 10: on standard output (a terminal, a CI log) the HTML gets the same neutralising as
/// the text formats: no raw escape character, no line a CI log would run.
#[test]
fn html_on_standard_output_carries_no_escape_sequence_or_workflow_command() {
    let scratch = Scratch::copy_of(&example(), "exhibit-hostile");
    let file = scratch.ws().join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&file).expect("read").replace(
        "    note: Three offices (Poughkeepsie, Beacon, Newburgh) joined by site-to-site VPN.",
        "    note: \"Three offices\\u001b]0;owned\\u0007\\n::error::forged annotation\\n##[warning]legacy\"",
    );
    std::fs::write(&file, text).expect("write");
    for (document, scope) in [("baa-appendix", "scopes/riverside-dental.yaml")] {
        for format in ["html", "markdown"] {
            let run = ctrlmap_in(
                &scratch.ws(),
                ["render", document, scope, "--as-of", AS_OF, "--format", format],
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(
                !run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{7}'),
                "{format}: a raw control character"
            );
            assert!(run.stdout.contains("\\u{1b}"), "{format}: shown as text");
            for line in run.stdout.lines() {
                assert!(!line.trim_start().starts_with("::"), "{format}: `{line}`");
                assert!(!line.contains("##["), "{format}: `{line}`");
            }
        }
    }
}

// --- the provider summary ----------------------------------------------------------------------

/// `--audience counterparty` is honoured: no codes, paths or advice; the internal copy has them.
#[test]
fn the_provider_summary_honours_its_audience_and_comes_as_word_too() {
    let cedar = example().join("scopes/cedar-tax-services.yaml");
    let scratch = Scratch::copy_of(&example(), "tpsp-audience");
    let file = scratch.ws().join("scopes/cedar-tax-services.yaml");
    // Without the periodic assessment the firm's oversight has a gap (314.4(f)(3)).
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace("      date: 2026-01-20\n", "      date: 2025-01-20\n");
    std::fs::write(&file, text).expect("write");
    let internal = ok(ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "tpsp-summary",
            "scopes/cedar-tax-services.yaml",
            "--as-of",
            AS_OF,
        ],
    ));
    assert!(
        internal.contains("CM018") && internal.contains("scopes/cedar-tax-services.yaml:"),
        "the internal copy names codes and places"
    );
    let cp = ok(ctrlmap_in(
        &scratch.ws(),
        [
            "render",
            "tpsp-summary",
            "scopes/cedar-tax-services.yaml",
            "--as-of",
            AS_OF,
            "--audience",
            "counterparty",
        ],
    ));
    assert_ne!(internal, cp);
    for tool in [
        "CM0",
        "scopes/",
        "Record the contract",
        "provider.assessments",
        "Generated by",
    ] {
        assert!(!cp.contains(tool), "`{tool}` in the counterparty's summary");
    }
    assert!(
        cp.contains("| **16 CFR 314.4(f)(3)**<br>"),
        "the gap is shown, in words"
    );
    // Word, through the same document.
    let parts = docx("tpsp-summary", &cedar, &["--audience", "counterparty"], &scratch.ws());
    let xml = part(&parts, "word/document.xml");
    assert!(xml.contains(r#"<w:pgSz w:w="12240" w:h="15840"/>"#), "Letter, portrait");
    assert!(docx_words(xml).join(" ").contains("Cedar Tax Services LLC"));
    assert!(part(&parts, "docProps/core.xml").contains("<dc:creator>Northwind Managed IT</dc:creator>"));
}

/// The gate and the document agree: a gap in the summary is a finding of `check` (CM018), from
/// the one assessment; a point the summary calls addressed is no finding.
#[test]
fn a_gap_in_the_provider_summary_is_a_finding_of_check() {
    let scratch = Scratch::copy_of(&example(), "tpsp-gate");
    let file = scratch.ws().join("scopes/cedar-tax-services.yaml");
    let check = |dir: &Path| -> Vec<String> {
        let run = ctrlmap_in(dir, ["check", ".", "--as-of", AS_OF, "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["scope"] == "cedar-tax-services" && f["code"] == "CM018")
            .map(|f| f["control"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let gaps = |dir: &Path| -> Vec<String> {
        let md = ok(ctrlmap_in(
            dir,
            [
                "render",
                "tpsp-summary",
                "scopes/cedar-tax-services.yaml",
                "--as-of",
                AS_OF,
            ],
        ));
        md.lines()
            .filter(|l| l.contains(" | Gap | "))
            .filter_map(|l| l.strip_prefix("| **16 CFR ").and_then(|r| r.split("**").next()))
            .map(|id| format!("glba-safeguards:{id}"))
            .collect()
    };
    assert!(
        check(&scratch.ws()).is_empty() && gaps(&scratch.ws()).is_empty(),
        "the example: addressed, no gap"
    );
    let text = std::fs::read_to_string(&file).expect("read");
    // No contract and no clause; the last assessment more than a year old.
    let clauses = text.find("  clauses:\n").expect("the clauses");
    let end = clauses + text[clauses..].find("  assessments:\n").expect("the assessments");
    let text = format!("{}{}", &text[..clauses], &text[end..])
        .replace("      date: 2026-01-20\n", "      date: 2025-01-20\n")
        .replace("  contract: MSA-2024-031, Schedule A (Essentials)\n", "");
    std::fs::write(&file, text).expect("write");
    let found = check(&scratch.ws());
    assert_eq!(found, ["glba-safeguards:314.4(f)(2)", "glba-safeguards:314.4(f)(3)"]);
    assert_eq!(gaps(&scratch.ws()), found, "the same points, from the same assessment");
}
