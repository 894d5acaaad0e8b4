//! The BAA appendix as a document a lawyer can sign (issue 15), through the real binary:
//! only parties the business associate engages to handle ePHI are its subcontractors; the copy
//! for the other party carries no finding codes, workspace paths or remediation advice; the
//! security-incident terms are the scope's, with 164.304's definition quoted, and no number the
//! scope did not write.

mod support;
use std::path::{Path, PathBuf};
use support::{Scratch, ctrlmap, example};

const AS_OF: &str = "2026-11-30";

fn fixture_scope() -> PathBuf {
    support::fixture("render/northwind/scopes/riverside-dental.yaml")
}

fn example_scope() -> PathBuf {
    example().join("scopes/riverside-dental.yaml")
}

fn baa(scope: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "render".to_string(),
        "baa-appendix".into(),
        scope.display().to_string(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = ctrlmap(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

/// The text between two markers (the first after `from`).
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(from).unwrap_or_else(|| panic!("`{from}` in the document"));
    let rest = &text[start..];
    let end = rest[from.len()..].find(to).map_or(rest.len(), |i| i + from.len());
    &rest[..end]
}

/// The Markdown row of section 1 whose first cell starts with `label`.
fn parties_row<'a>(md: &'a str, label: &str) -> Option<&'a str> {
    between(md, "\n## 1.", "\n## 2.")
        .lines()
        .find(|l| l.starts_with(&format!("| {label}")))
}

#[test]
fn only_parties_the_msp_engages_for_ephi_are_its_subcontractors_in_markdown() {
    // The fixture declares ShredCo `engaged_by: msp`, Microsoft 365 `engaged_by: client`, and
    // says nothing of DentSoft's engagement.
    let md = baa(&fixture_scope(), &[]);
    let subs = parties_row(&md, "Subcontractors of the business associate").expect("subcontractor row");
    assert!(subs.contains("ShredCo Media Destruction"), "{subs}");
    assert!(!subs.contains("Microsoft 365") && !subs.contains("DentSoft"), "{subs}");
    let own = parties_row(&md, "The covered entity's own vendors").expect("client vendors row");
    assert!(own.contains("Microsoft 365") && !own.contains("ShredCo"), "{own}");
    let undeclared = parties_row(&md, "Third parties, engagement not declared").expect("undeclared row");
    assert!(undeclared.contains("DentSoft"), "{undeclared}");

    let section6 = between(&md, "\n## 6.", "\n## 7.");
    // Subcontractor is defined by delegation (45 CFR 160.103), quoted, not by who engages whom.
    assert!(section6.contains(
        "“Subcontractor means a person to whom a business associate delegates a function, activity, or service"
    ));
    let sub_table = between(section6, "Subcontractors of the business associate\n", "\n### ");
    assert!(
        sub_table.contains("| **ShredCo Media Destruction** | Subcontractor |"),
        "{sub_table}"
    );
    assert!(
        sub_table.contains("| Business associate agreement in place |"),
        "{sub_table}"
    );
    assert!(!sub_table.contains("Microsoft 365") && !sub_table.contains("DentSoft"));
    let own_table = between(section6, "The covered entity's own vendors\n", "\n### ");
    assert!(
        own_table.contains("| **Microsoft 365** | Cloud provider |"),
        "{own_table}"
    );
    assert!(own_table.contains("is the covered entity's"));
    let undeclared_table = between(section6, "Third parties whose engagement is not declared", "\n## 7.");
    assert!(undeclared_table.contains("It is not declared which party engaged these"));
    assert!(undeclared_table.contains("| **DentSoft practice management** | Software vendor |"));
    assert!(undeclared_table.contains("| No business associate agreement on record |"));
}

#[test]
fn only_parties_the_msp_engages_for_ephi_are_its_subcontractors_in_html() {
    let html = baa(&fixture_scope(), &["--format", "html"]);
    let parties = between(&html, r#"<section id="parties""#, "</section>");
    let subs = between(parties, ">Subcontractors of the business associate</td>", "</tr>");
    assert!(
        subs.contains("ShredCo Media Destruction") && !subs.contains("Microsoft 365"),
        "{subs}"
    );
    let own = between(parties, "own vendors (not subcontractors)</td>", "</tr>");
    assert!(own.contains("Microsoft 365"), "{own}");
    let section6 = between(&html, r#"<section id="subcontractors""#, "</section>");
    let sub_table = between(section6, "Subcontractors of the business associate</h3>", "<h3");
    assert!(sub_table.contains("ShredCo Media Destruction"));
    assert!(
        !sub_table.contains("Microsoft 365") && !sub_table.contains("DentSoft"),
        "{sub_table}"
    );
    assert!(section6.contains("It is not declared which party engaged these"));
}

#[test]
fn the_examples_own_vendors_are_not_called_subcontractors() {
    // The example's Microsoft 365 tenant and practice-management vendor are the practice's own
    // (`engaged_by: client`); the offsite backup storage is Northwind's (`engaged_by: msp`).
    for format in ["markdown", "html"] {
        let doc = baa(&example_scope(), &["--format", format]);
        let (from, to) = if format == "markdown" {
            ("| Subcontractors of the business associate |", "\n")
        } else {
            (">Subcontractors of the business associate</td>", "</tr>")
        };
        let subs = between(&doc, from, to);
        assert!(subs.contains("Offsite backup storage provider"), "{subs}");
        assert!(
            !subs.contains("Microsoft") && !subs.contains("practice-management"),
            "{format}: {subs}"
        );
    }
}

fn finding_messages(scope: &Path) -> Vec<String> {
    let workspace = scope.parent().and_then(Path::parent).expect("workspace of the scope");
    let run = ctrlmap([
        "check",
        &workspace.display().to_string(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("check json");
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["scope"] == "riverside-dental" && f["control"].as_str().is_some_and(|c| c.starts_with("hipaa:")))
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn finding_codes(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(4))
        .filter(|&i| &bytes[i..i + 2] == b"CM" && bytes[i + 2..i + 5].iter().all(u8::is_ascii_digit))
        .map(|i| text[i..i + 5].to_string())
        .collect()
}

#[test]
fn the_counterparty_copy_has_no_codes_paths_advice_or_gap_markers() {
    let scope = fixture_scope();
    let messages = finding_messages(&scope);
    assert!(!messages.is_empty(), "the fixture has open HIPAA findings");
    for format in ["markdown", "html"] {
        let internal = baa(&scope, &["--format", format]);
        assert!(
            !finding_codes(&internal).is_empty(),
            "{format}: the internal copy keeps the codes"
        );
        assert!(
            internal.contains("Open gap"),
            "{format}: the internal copy marks the gaps"
        );
        // The fixture fails the gate: the counterparty copy is a draft.
        let counterparty = baa(&scope, &["--format", format, "--audience", "counterparty", "--draft"]);
        assert_eq!(finding_codes(&counterparty), Vec::<String>::new(), "{format}");
        for marker in ["<builtin>", "&lt;builtin&gt;", "Open gap", "open gap", "shorten it"] {
            assert!(
                !counterparty.contains(marker),
                "{format}: `{marker}` in the counterparty copy"
            );
        }
        for m in &messages {
            // A finding's advice, in any escaping: compare its first words.
            let head: String = m.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
            assert!(
                !counterparty.contains(&head),
                "{format}: advice `{head}` in the counterparty copy"
            );
        }
        assert!(counterparty.contains("Points to be agreed"), "{format}");
        assert!(
            !counterparty.contains("scopes/riverside-dental.yaml"),
            "{format}: no workspace path"
        );
    }
    // The internal HTML names the built-in catalog's file, the counterparty's does not.
    assert!(baa(&scope, &["--format", "html"]).contains("&lt;builtin&gt;"));
}

#[test]
fn no_odd_fragments_in_the_safeguards_table_or_the_services() {
    for format in ["markdown", "html"] {
        let doc = baa(&example_scope(), &["--format", format]);
        assert!(
            !doc.contains("Met through its implementation specifications."),
            "{format}"
        );
        assert!(doc.contains("1-hour RTO.") && !doc.contains("RTO.."), "{format}");
    }
}

/// The 164.304 definition of "Security incident", verbatim from the copy of the regulation the
/// project keeps (tests/fixtures/reference/hipaa/secondary-45cfr164/, from
/// /work/shared/reference/hipaa/secondary-45cfr164/164-304-definitions.md).
fn security_incident_definition() -> String {
    let text = std::fs::read_to_string(support::fixture(
        "reference/hipaa/secondary-45cfr164/164-304-definitions.md",
    ))
    .expect("164.304");
    text.lines()
        .find(|l| l.starts_with("Security incident means"))
        .expect("the definition")
        .trim()
        .to_string()
}

/// The row of the reporting terms table whose event starts with `event`: its term cell.
fn term<'a>(md: &'a str, event: &str) -> &'a str {
    let section = between(md, "\n## 5.", "\n### 5.1");
    let row = section
        .lines()
        .find(|l| l.starts_with(&format!("| {event}")))
        .unwrap_or_else(|| panic!("a term for `{event}`:\n{section}"));
    row.split(" | ").nth(1).unwrap_or_default()
}

#[test]
fn security_incident_terms_quote_164_304_and_state_what_the_scope_agreed() {
    let definition = security_incident_definition();
    let md = baa(&example_scope(), &[]);
    let section = between(&md, "\n## 5.", "\n### 5.1");
    assert!(
        section.contains(&format!("> “{definition}” — 45 CFR 164.304")),
        "{section}"
    );
    // Each event has one term, from one scope field: 24 hours for a breach
    // (`sla.incident_notification`), 5 days for a security incident that is not a breach
    // (`sla.security_incident_report`), a standing notice for unsuccessful attempts.
    assert!(
        term(&md, "Breach of unsecured protected health information")
            .starts_with("**No later than 24 hours after discovery.**")
    );
    assert_eq!(
        term(&md, "Security incident that is not a breach"),
        "**No later than 5 calendar days after the business associate becomes aware of it.**"
    );
    assert!(
        term(&md, "Attempted security incident that does not succeed")
            .contains("this appendix is the business associate's notice of them")
    );
    assert!(section.contains("port scans"), "{section}");
    // The attempted incident of 164.304: which term covers it is said.
    assert!(section.contains("an attempt is a security incident whether or not it succeeds"));
    // Never one window widened to every security incident.
    assert!(!md.contains("and of any security incident of which it becomes aware"));
    let html = baa(&example_scope(), &["--format", "html"]);
    assert!(html.contains(&format!("“{definition}”")));
}

#[test]
fn undeclared_security_incident_terms_invent_no_number() {
    // The fixture agrees a 24-hour breach window and nothing on security incidents.
    let md = baa(&fixture_scope(), &[]);
    for event in [
        "Security incident that is not a breach",
        "Attempted security incident that does not succeed",
    ] {
        let cell = term(&md, event);
        assert_eq!(cell, "**To be agreed**", "{event}");
    }
    assert!(term(&md, "Breach of unsecured protected health information").starts_with("**No later than 24 hours"));
    let points = between(&md, "Points to be agreed", "\n## ");
    assert!(
        points.contains("The term for reporting a security incident that is not a breach"),
        "{points}"
    );
    assert!(
        points.contains("How attempted security incidents that do not succeed are reported"),
        "{points}"
    );

    // With no window at all: nothing is agreed, and nothing is supplied.
    let scratch = Scratch::copy_of(&support::fixture("render/northwind"), "baa-no-terms");
    let file = scratch.ws().join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&file)
        .expect("read")
        .replace(", incident_notification: 24h", "");
    std::fs::write(&file, text).expect("write");
    let md = baa(&file, &[]);
    assert_eq!(
        term(&md, "Breach of unsecured protected health information"),
        "**To be agreed**"
    );
    let points = between(&md, "Points to be agreed", "\n## ");
    assert!(
        points.contains("The term for notice of a breach of unsecured protected health information."),
        "{points}"
    );

    // Declared in the scope: rendered as declared.
    let text = std::fs::read_to_string(&file).expect("read").replace(
        "p3_response: next-business-day",
        "p3_response: next-business-day, security_incident_report: 3bd, unsuccessful_attempts: report",
    );
    std::fs::write(&file, text).expect("write");
    let md = baa(&file, &[]);
    assert_eq!(
        term(&md, "Security incident that is not a breach"),
        "**No later than 3 business days after the business associate becomes aware of it.**"
    );
    assert_eq!(
        term(&md, "Attempted security incident that does not succeed"),
        "**Reported as a security incident that is not a breach: no later than 3 business days after the business associate becomes aware of it.**"
    );
}
