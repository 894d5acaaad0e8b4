//! The BAA responsibility appendix: every HIPAA Security Rule standard and implementation
//! specification, in catalog order, with the party the matrix says; notification terms that
//! match the scope and the 164.410 limit; a clear refusal for scopes HIPAA does not reach.

mod support;
use ctrlmap::emit::documents::{Format, RenderError, baa_appendix};
use ctrlmap::emit::escape::md_cell;
use ctrlmap::load::Loaded;
use ctrlmap::model::Scope;
use ctrlmap::resolve::Summary;
use std::path::{Path, PathBuf};
use support::example;

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);
const SECTIONS: [&str; 5] = ["164.308", "164.310", "164.312", "164.314", "164.316"];

fn fixture() -> PathBuf {
    support::fixture("render/northwind")
}

fn load(root: &Path) -> Loaded {
    let ws = Loaded::load(root).expect("workspace loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}",
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

fn scope<'a>(ws: &'a Loaded, id: &str) -> &'a Scope {
    ws.scopes.iter().find(|s| s.id == id).expect("scope exists")
}

fn render(ws: &Loaded, id: &str, format: Format) -> Result<String, RenderError> {
    let s = scope(ws, id);
    baa_appendix(
        ws,
        s,
        &ctrlmap::assess::assess_scope(ws, s, &ctrlmap::cli::overrides(ws), AS_OF),
        format,
    )
}

/// Cells of a Markdown table row, split on unescaped pipes.
fn cells(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for ch in line.trim().trim_start_matches('|').chars() {
        if ch == '|' && !escaped {
            out.push(String::new());
        } else if let Some(cell) = out.last_mut() {
            cell.push(ch);
        }
        escaped = ch == '\\' && !escaped;
    }
    if out.last().is_some_and(|c| c.trim().is_empty()) {
        out.pop();
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The safeguard rows of section 4: (id, the requirement line of the safeguard cell,
/// responsible).
fn safeguard_rows(md: &str) -> Vec<(String, String, String)> {
    let section = md
        .split("\n## 4.")
        .nth(1)
        .and_then(|s| s.split("\n## 5.").next())
        .expect("section 4");
    section
        .lines()
        .filter(|l| l.starts_with("| "))
        .map(cells)
        .filter(|c| c.len() >= 6 && c[0].trim_matches('*').starts_with("164.3"))
        .map(|c| {
            let requirement = c[1]
                .split("<br>")
                .find(|l| l.starts_with("Required") || l.starts_with("Addressable"))
                .unwrap_or_default()
                .to_string();
            (c[0].trim_matches('*').to_string(), requirement, c[2].clone())
        })
        .collect()
}

fn in_security_rule(id: &str) -> bool {
    SECTIONS
        .iter()
        .any(|s| id.strip_prefix(s).is_some_and(|rest| rest.starts_with('(')))
}

/// Section 3 lists every standard and specification of the catalog, in its order.
fn lists_every_safeguard(ws: &Loaded, id: &str) {
    let md = render(ws, id, Format::Markdown).expect("renders");
    let hipaa = ws.framework("hipaa").expect("hipaa catalog");
    let expected: Vec<&str> = hipaa
        .controls
        .iter()
        .filter(|c| matches!(c.level.as_str(), "standard" | "implementation-specification") && in_security_rule(&c.id))
        .map(|c| c.id.as_str())
        .collect();
    let listed: Vec<String> = safeguard_rows(&md).into_iter().map(|r| r.0).collect();
    assert_eq!(
        listed, expected,
        "the appendix lists the catalog's standards and specifications, in order"
    );
    let standards = hipaa
        .controls
        .iter()
        .filter(|c| c.level == "standard" && in_security_rule(&c.id))
        .count();
    assert!(md.contains(&format!(
        "in the regulation's order: {standards} standards and {} implementation specifications",
        expected.len() - standards
    )));
}

/// Each safeguard names the party the matrix decided, in the agreement's words.
fn names_the_matrix_party(ws: &Loaded, id: &str) -> Vec<(String, String, String)> {
    let s = scope(ws, id);
    let matrix = ctrlmap::resolve::resolve(ws, s);
    let md = render(ws, id, Format::Markdown).expect("renders");
    for (id, _, responsible) in safeguard_rows(&md) {
        let row = matrix.row(&format!("hipaa:{id}")).expect("matrix row");
        let expected: String = match row.summary {
            Summary::Msp => "Business associate".into(),
            Summary::Client => "Covered entity".into(),
            Summary::Shared => {
                for party in &row.responsible {
                    let name = match party.as_str() {
                        "msp" => "business associate".to_string(),
                        "client" => "covered entity".to_string(),
                        other => s
                            .parties()
                            .find(|p| p.id == other)
                            .map(|p| md_cell(&p.name).to_lowercase())
                            .expect("party"),
                    };
                    assert!(
                        responsible.to_lowercase().contains(&name),
                        "{id}: {responsible} names {name}"
                    );
                }
                continue;
            }
            Summary::ThirdParty => s
                .parties()
                .find(|p| row.responsible.iter().any(|r| *r == *p.id))
                .map(|p| md_cell(&p.name))
                .expect("party"),
            Summary::NotApplicable => "Not applicable".into(),
            Summary::Unassigned => "Unassigned (open gap)".into(),
        };
        assert_eq!(responsible, expected, "{id}");
    }
    safeguard_rows(&md)
}

#[test]
fn every_security_rule_standard_and_specification_is_listed_in_catalog_order() {
    lists_every_safeguard(&load(&fixture()), "riverside-dental");
}

#[test]
fn the_example_dental_appendix_lists_every_safeguard_with_its_party_and_terms() {
    let ws = load(&example());
    lists_every_safeguard(&ws, "riverside-dental");
    names_the_matrix_party(&ws, "riverside-dental");
    states_the_notification_terms(&ws, "riverside-dental");
}

#[test]
fn each_safeguard_names_the_party_the_matrix_decided() {
    let rows = names_the_matrix_party(&load(&fixture()), "riverside-dental");
    let party = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.2.clone()).unwrap_or_default();
    assert_eq!(party("164.308(a)(1)(ii)(D)"), "Business associate");
    assert_eq!(party("164.308(a)(2)"), "Covered entity");
    assert_eq!(party("164.310(d)(2)(i)"), "ShredCo Media Destruction");
    assert_eq!(party("164.308(a)(4)(ii)(A)"), "Not applicable");
    assert_eq!(party("164.310(a)(2)(iv)"), "Unassigned (open gap)");
}

#[test]
fn required_and_addressable_follow_the_catalog() {
    let ws = load(&fixture());
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    let rows = safeguard_rows(&md);
    let ra = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_default();
    assert_eq!(ra("164.308(a)(1)(ii)(A)"), "Required");
    assert!(
        ra("164.312(a)(2)(iv)").starts_with("Addressable — "),
        "an addressable specification reads as its decision: {}",
        ra("164.312(a)(2)(iv)")
    );
    assert_eq!(
        ra("164.308(a)(2)"),
        "Required",
        "a standard without specifications is itself required"
    );
    assert_eq!(
        ra("164.308(a)(1)"),
        "",
        "a standard with specifications is met through them"
    );
}

/// `24h` → `24 hours`, as the scope's window reads in the appendix.
fn words(window: &str) -> String {
    match window.strip_suffix('h') {
        Some(n) => format!("{n} hours"),
        None => format!("{} calendar days", window.trim_end_matches('d')),
    }
}

/// The notification terms state the scope's window against the 164.410 limit, quote the
/// deadline, the content of the notice and the flow-down from the catalog.
fn states_the_notification_terms(ws: &Loaded, id: &str) {
    let md = render(ws, id, Format::Markdown).expect("renders");
    let window = words(
        scope(ws, id)
            .sla
            .incident_notification
            .as_deref()
            .expect("the scope agrees a window"),
    );
    assert!(
        md.contains(&format!("| Breach of unsecured protected health information | **No later than {window} after discovery.**<br>Within the outer limit of 60 calendar days set by 45 CFR 164.410(b). |")),
        "the scope's window, one term for a breach, within the rule's limit"
    );
    let hipaa = ws.framework("hipaa").expect("hipaa");
    let deadline = hipaa
        .get("164.410(b)")
        .and_then(|c| c.deadlines.first())
        .expect("164.410(b) deadline in the catalog");
    assert!(
        md.contains(&md_cell(&deadline.text)),
        "the deadline is quoted from the catalog"
    );
    let i = hipaa.index("164.410(c)").expect("164.410(c)");
    for c in hipaa
        .controls
        .iter()
        .enumerate()
        .filter(|(k, _)| hipaa.is_within(*k, i))
        .filter_map(|(_, c)| c.text.as_ref())
    {
        assert!(md.contains(&md_cell(c)), "164.410(c) content quoted: {c}");
    }
    for id in ["164.308(b)(2)", "164.314(a)(2)(iii)"] {
        let text = hipaa.get(id).and_then(|c| c.text.as_ref()).expect("flow-down text");
        assert!(md.contains(&md_cell(text)), "flow-down {id} quoted");
    }
}

#[test]
fn notification_terms_match_the_scope_and_the_164_410_limit() {
    states_the_notification_terms(&load(&fixture()), "riverside-dental");
}

#[test]
fn a_window_longer_than_the_rule_allows_is_called_out() {
    let scratch = support::Scratch::copy_of(&fixture(), "baa-window");
    let dir = &scratch.ws();
    let file = dir.join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace("incident_notification: 24h", "incident_notification: 90d");
    std::fs::write(&file, text).expect("write");
    let ws = load(dir);
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    assert!(
        md.contains("**Proposed: no later than 90 calendar days after discovery.**<br>Not agreed: it exceeds the outer limit of 60 calendar days set by 45 CFR 164.410(b)."),
        "a term the rule does not allow is never stated as agreed:\n{}",
        &md[md.find("## 5.").unwrap_or(0)..]
    );
    assert!(!md.contains("**No later than 90 calendar days"), "never agreed");
}

#[test]
fn parties_effective_date_services_gaps_and_signatures_are_stated() {
    let ws = load(&fixture());
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    assert!(md.contains("| Covered entity | Riverside Dental Group"));
    assert!(md.contains("| Business associate | Northwind Managed IT"));
    assert!(md.contains("| Business associate agreement signed | 2026-01-15 |"));
    assert!(md.contains("| Services start | 2026-02-01 |"));
    assert!(
        md.contains("| Subcontractors of the business associate | ShredCo Media Destruction |"),
        "only parties the business associate engages are its subcontractors, not every party with a BAA"
    );
    assert!(md.contains("| The covered entity's own vendors (not subcontractors) | Microsoft 365 |"));
    assert!(md.contains("| **DentSoft practice management** | Software vendor |"));
    assert!(md.contains("| No business associate agreement on record |"));
    assert!(md.contains("**Managed Backup and Disaster Recovery**") && md.contains("**Option: Warm standby site**"));
    let gaps = md.split("## 9. Open gaps").nth(1).expect("gaps section");
    assert!(
        gaps.contains("CM012") && gaps.contains("45 CFR 164.308(a)(8)"),
        "the stale evaluation is an open gap"
    );
    assert!(
        gaps.contains("Waived until 2027-03-31 by") && gaps.contains("(NW-4821)"),
        "waived gaps are listed, marked waived"
    );
    assert!(md.contains("| Signature | | |"));
    let ws_inputs = ctrlmap::emit::documents::Context::new(
        &ws,
        scope(&ws, "riverside-dental"),
        &ctrlmap::assess::assess_scope(
            &ws,
            scope(&ws, "riverside-dental"),
            &ctrlmap::cli::overrides(&ws),
            AS_OF,
        ),
    );
    assert!(
        md.contains(&format!("Inputs SHA-256 {}", ws_inputs.inputs_sha256)),
        "version line names the inputs' hash"
    );
    assert!(
        ws_inputs
            .inputs
            .iter()
            .any(|i| i.path == "scopes/riverside-dental.yaml" && i.role == "scope")
    );
    assert!(
        ws_inputs
            .inputs
            .iter()
            .any(|i| i.path == "services/managed-backup.yaml" && i.role == "service")
    );
    assert!(
        ws_inputs
            .inputs
            .iter()
            .any(|i| i.role == "catalog" && i.path.ends_with("hipaa.yaml"))
    );
}

#[test]
fn html_appendix_is_self_contained_and_complete() {
    let ws = load(&fixture());
    let html = render(&ws, "riverside-dental", Format::Html).expect("renders");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"),
        "no scripts, no external requests"
    );
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    for (id, _, _) in safeguard_rows(&md) {
        assert!(
            html.contains(&format!("<td data-label=\"Citation\" class=\"nowrap\">{id}</td>"))
                || html.contains(&format!(
                    "<td data-label=\"Citation\" class=\"nowrap\"><strong>{id}</strong></td>"
                )),
            "{id} in the HTML appendix"
        );
    }
    assert!(html.contains("@media print"), "print stylesheet");
}

#[test]
fn scopes_without_hipaa_are_refused_with_the_reason() {
    let ws = load(&fixture());
    for id in ["corner-bakery", "hudson-lending"] {
        let err = render(&ws, id, Format::Markdown).expect_err("refused");
        assert!(matches!(err, RenderError::NotApplicable { .. }), "{err:?}");
        let msg = err.to_string();
        // Neither profile writes `hipaa:`: the refusal says so, and never quotes a value the scope
        // did not write (issue 19); it cites whom the rule binds (45 CFR 164.302).
        assert!(
            msg.contains("BAA appendix")
                && msg.contains("does not declare `hipaa`")
                && msg.contains("164.302")
                && msg.contains("covered-entity"),
            "{msg}"
        );
        assert!(!msg.contains("hipaa: none"), "{msg}");
    }
}

/// The breach section quotes the covered entity's deadline (164.404(b)) and the business
/// associate's (164.410(b)) from the catalog: the templates carry neither the words nor the
/// number of days, and a workspace catalog with other words changes the appendix.
#[test]
fn the_breach_section_quotes_164_404_b_and_164_410_b_from_the_catalog_with_their_source() {
    let ws = load(&fixture());
    let hipaa = ws.framework("hipaa").expect("hipaa");
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    let html = render(&ws, "riverside-dental", Format::Html).expect("renders");
    let section = md
        .split("\n## 5.")
        .nth(1)
        .and_then(|s| s.split("\n## 6.").next())
        .expect("section 5");
    for id in ["164.404(b)", "164.410(b)"] {
        let d = hipaa
            .get(id)
            .and_then(|c| c.deadlines.first())
            .expect("deadline in the catalog");
        // The whole deadline, "without unreasonable delay" included, in the Deadline cell of its
        // row, in all three formats.
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| **45 CFR {id}**")))
            .unwrap_or_else(|| panic!("a notice row for {id}"));
        assert!(
            row.contains(&format!("“{}”", md_cell(&d.text))),
            "{id} quoted in its row: {row}"
        );
        assert!(d.text.contains("without unreasonable delay") && row.contains("without unreasonable delay"));
        assert!(
            html.contains(&format!("“{}”", ctrlmap::emit::escape::html(&d.text))),
            "{id} quoted in HTML"
        );
    }
    assert!(
        md.contains("— 45 CFR 164.410(b)"),
        "the business associate's limit quoted and cited"
    );
    for cite in [
        "45 CFR 164.404(b)",
        "45 CFR 164.406(b)",
        "45 CFR 164.408(b)",
        "45 CFR 164.408(c)",
        "45 CFR 164.410(b)",
    ] {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| **{cite}**")))
            .unwrap_or_else(|| panic!("a notice row for {cite}"));
        let cell = cells(row).last().cloned().unwrap_or_default();
        assert!(cell == "Yes" || cell.starts_with("Yes<br>"), "{row}");
    }
    // Where the quoted text comes from: the catalog's source for it, with its retrieval date.
    let source = hipaa
        .get("164.404(b)")
        .and_then(|c| c.text_source.as_deref())
        .and_then(|id| hipaa.catalog.sources.iter().find(|s| s.id == id))
        .expect("164.404(b) names its source");
    let retrieved = source.retrieved.as_deref().expect("retrieval date");
    let footer = md.split("Quoted regulation text:").nth(1).expect("the sources line");
    assert!(footer.contains(retrieved), "retrieval date printed");
    assert!(footer.contains("secondary copy, not the official publication"));
    assert!(html.contains("Quoted regulation text:") && html.contains(retrieved));
    for template in ["templates/baa-appendix.md.j2", "templates/baa-appendix.html.j2"] {
        let text = std::fs::read_to_string(support::repo().join(template)).expect("template");
        assert!(
            !text.contains("60 calendar days") && !text.contains("164.404(b)"),
            "{template} quotes nothing itself"
        );
    }

    // A workspace catalog with other words: the appendix follows it.
    let scratch = support::Scratch::copy_of(&fixture(), "baa-quotes");
    let dir = &scratch.ws();
    let builtin = std::fs::read_to_string(support::repo().join("frameworks/hipaa.yaml")).expect("catalog");
    let changed = builtin.replace(
        "in no case later than 60 calendar days after discovery of a breach.",
        "in no case later than 45 calendar days after discovery of a breach.",
    );
    assert_ne!(changed, builtin);
    std::fs::create_dir_all(dir.join("frameworks")).expect("frameworks dir");
    std::fs::write(dir.join("frameworks/hipaa.yaml"), changed).expect("write catalog");
    let ws = load(dir);
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    let row = md
        .lines()
        .find(|l| l.starts_with("| **45 CFR 164.404(b)**"))
        .expect("164.404(b) row");
    assert!(
        row.contains("no case later than 45 calendar days after discovery of a breach.”"),
        "{row}"
    );
}

#[test]
fn the_notices_table_says_the_covered_entity_notices_do_not_apply_to_a_business_associate_client() {
    let scratch = support::Scratch::copy_of(&fixture(), "baa-ba-client");
    let dir = &scratch.ws();
    let file = dir.join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace("hipaa: covered-entity", "hipaa: business-associate");
    std::fs::write(&file, text).expect("write");
    let ws = load(dir);
    let md = render(&ws, "riverside-dental", Format::Markdown).expect("renders");
    let section = md
        .split("\n## 5.")
        .nth(1)
        .and_then(|s| s.split("\n## 6.").next())
        .expect("section 5");
    let row = |cite: &str| {
        let line = section
            .lines()
            .find(|l| l.starts_with(&format!("| **{cite}**")))
            .unwrap_or_else(|| panic!("a notice row for {cite}"));
        cells(line).last().cloned().unwrap_or_default()
    };
    for cite in [
        "45 CFR 164.404(b)",
        "45 CFR 164.406(b)",
        "45 CFR 164.408(b)",
        "45 CFR 164.408(c)",
    ] {
        assert!(
            row(cite).starts_with("No<br>"),
            "{cite} does not apply to a business associate: {}",
            row(cite)
        );
    }
    assert!(
        row("45 CFR 164.410(b)").starts_with("Yes"),
        "{}",
        row("45 CFR 164.410(b)")
    );
}
