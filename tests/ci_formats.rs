//! The CI formats: SARIF 2.1.0 (validated against the official OASIS schema), JUnit XML
//! (parsed back, and checked for well-formedness by hand) and GitHub workflow annotations
//! (escaping). Run through the library on `tests/fixtures/ci` and the example workspace.

mod support;

use ctrlmap::assess::baseline;
use ctrlmap::assess::{self, Finding, Severity, WaiverNote};
use ctrlmap::emit::{github, junit, sarif};
use ctrlmap::load::Loaded;
use serde_json::Value;
use std::path::Path;
use support::*;

fn as_of() -> time::Date {
    time::macros::date!(2026 - 11 - 30)
}

fn load(path: &Path) -> Loaded {
    let ws = Loaded::load(path).expect("workspace loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}: input problems:\n{}",
        path.display(),
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

/// Every scope's JUnit suite and every finding, as `check` computes them.
fn assess_all(ws: &Loaded) -> (Vec<junit::Suite>, Vec<Finding>) {
    let overrides = ctrlmap::cli::overrides(ws);
    let mut suites = Vec::new();
    let mut findings = Vec::new();
    for scope in &ws.scopes {
        let matrix = ctrlmap::resolve::resolve(ws, scope);
        findings.extend(assess::assess_on(ws, scope, &matrix, &overrides, as_of()));
        suites.push(junit::Suite::from_matrix(&matrix));
    }
    (suites, findings)
}

fn ci() -> (Loaded, Vec<junit::Suite>, Vec<Finding>) {
    let ws = load(&fixture("ci"));
    let (suites, findings) = assess_all(&ws);
    (ws, suites, findings)
}

fn example_assessed() -> (Loaded, Vec<junit::Suite>, Vec<Finding>) {
    let ws = load(&example());
    let (suites, findings) = assess_all(&ws);
    (ws, suites, findings)
}

fn finding(code: &str, severity: Severity, file: &str, message: &str) -> Finding {
    Finding {
        scope: "s1".into(),
        control: "mini:S.1".into(),
        code: code.into(),
        rule: "unassigned-control".into(),
        severity,
        message: message.into(),
        file: file.into(),
        line: 3,
        column: 7,
        fingerprint: format!("fp-{code}-{}", message.len()),
        waived: None,
    }
}

fn waiver(justification: &str) -> WaiverNote {
    WaiverNote {
        justification: justification.into(),
        compensating: "Locked room.".into(),
        approver: "A. Owner".into(),
        ticket: "T-1".into(),
        expires: "2099-12-31".into(),
        file: "scopes/alpha.yaml".into(),
        line: 21,
        column: 5,
    }
}

// ---------------------------------------------------------------------------------------
// SARIF
// ---------------------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(fixture("reference/sarif/sarif-schema-2.1.0.json")).expect("SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official SARIF schema compiles without network access")
}

/// Validate against the official schema; on failure, list every error with its path.
fn assert_valid_sarif(text: &str, what: &str) -> Value {
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: SARIF is not JSON: {e}"));
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: {} schema error(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
    doc
}

#[test]
fn sarif_validates_against_the_official_sarif_2_1_0_schema() {
    let (_, _, ci_findings) = ci();
    let rules = sarif::effective_rules(&Default::default());
    assert_valid_sarif(&sarif::sarif(&ci_findings, &rules, None, ""), "ci fixture");
    // With a baseline holding some of the findings: baselineState on every result.
    let half = baseline::parse(&baseline::write(&ci_findings[..1]), "b.json").expect("baseline");
    assert_valid_sarif(
        &sarif::sarif(&ci_findings, &rules, Some(&half), "sub dir/"),
        "ci fixture, baseline",
    );
    let (_, _, ex_findings) = example_assessed();
    assert!(!ex_findings.is_empty());
    assert_valid_sarif(
        &sarif::sarif(&ex_findings, &rules, None, "examples/northwind-msp/"),
        "example workspace",
    );
    // Edge cases: a built-in file, odd characters in paths, a custom rule code, a waiver,
    // line 0, a very long message.
    let mut odd = vec![
        finding(
            "CM002",
            Severity::Critical,
            "<builtin>/frameworks/crosswalks/x.yaml",
            "conflict",
        ),
        finding("X001", Severity::Low, "scopes/a b#?%é.yaml", "custom rule"),
        finding("CM001", Severity::Info, "scopes/z.yaml", &"long ".repeat(400)),
    ];
    odd[1].waived = Some(Box::new(waiver("Accepted: until the kiosks are replaced.")));
    odd[2].line = 0;
    odd[2].column = 0;
    assert_valid_sarif(&sarif::sarif(&odd, &rules, Some(&half), ""), "edge cases");
}

#[test]
fn sarif_has_one_run_with_every_rule_and_anchored_fingerprinted_results() {
    let (_, _, findings) = ci();
    let rules = sarif::effective_rules(&Default::default());
    let doc = assert_valid_sarif(&sarif::sarif(&findings, &rules, None, ""), "ci fixture");
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "ctrlmap");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let descriptors = driver["rules"].as_array().expect("rules");
    assert_eq!(descriptors.len(), assess::rules().count());
    for (d, r) in descriptors.iter().zip(assess::rules()) {
        assert_eq!(d["id"], r.code.as_str());
        assert_eq!(d["name"], r.name);
        assert_eq!(d["shortDescription"]["text"], r.description);
        let level = match r.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "note",
        };
        assert_eq!(d["defaultConfiguration"]["level"], level, "{}", r.code);
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), findings.len());
    for f in &findings {
        let r = results
            .iter()
            .find(|r| r["partialFingerprints"]["ctrlmap/v1"] == f.fingerprint.as_str())
            .unwrap_or_else(|| panic!("no result for {f:?}"));
        assert_eq!(r["ruleId"], &*f.code);
        assert_eq!(descriptors[r["ruleIndex"].as_u64().unwrap() as usize]["id"], &*f.code);
        assert_eq!(r["message"]["text"], &*f.message);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], &*f.file);
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], f.line as u64);
        assert_eq!(loc["region"]["startColumn"], f.column as u64);
        assert_eq!(r["properties"]["scope"], &*f.scope);
        assert_eq!(r["properties"]["control"], &*f.control);
        assert_eq!(r["properties"]["severity"], f.severity.as_str());
        assert!(r.get("baselineState").is_none(), "no baseline, no baselineState");
        match &f.waived {
            Some(w) => {
                let s = &r["suppressions"][0];
                assert_eq!(s["kind"], "external");
                assert_eq!(s["status"], "accepted");
                assert_eq!(s["justification"], w.justification.as_str());
                assert_eq!(s["properties"]["approver"], w.approver.as_str());
                assert_eq!(s["properties"]["expires"], w.expires.as_str());
            }
            None => assert!(r.get("suppressions").is_none()),
        }
    }
    // The fixture has exactly one waived finding (CM001 on mini:S.6 in alpha).
    let waived: Vec<&Value> = results.iter().filter(|r| r.get("suppressions").is_some()).collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["ruleId"], "CM001");
    assert_eq!(waived[0]["properties"]["control"], "mini:S.6");
}

#[test]
fn sarif_marks_baselined_results_unchanged_and_the_rest_new() {
    let (_, _, findings) = ci();
    let rules = sarif::effective_rules(&Default::default());
    let known = &findings[..2];
    let b = baseline::parse(&baseline::write(known), "b.json").expect("baseline");
    let doc = assert_valid_sarif(&sarif::sarif(&findings, &rules, Some(&b), ""), "baseline");
    for r in doc["runs"][0]["results"].as_array().expect("results") {
        let fp = r["partialFingerprints"]["ctrlmap/v1"].as_str().expect("fingerprint");
        let expected = if known.iter().any(|f| f.fingerprint == fp) {
            "unchanged"
        } else {
            "new"
        };
        assert_eq!(r["baselineState"], expected, "{fp}");
    }
}

#[test]
fn sarif_output_is_byte_for_byte_deterministic() {
    let (_, _, mut findings) = example_assessed();
    let rules = sarif::effective_rules(&Default::default());
    let first = sarif::sarif(&findings, &rules, None, "");
    findings.reverse();
    assert_eq!(first, sarif::sarif(&findings, &rules, None, ""));
}

#[test]
fn sarif_keeps_the_25000_most_severe_results_and_says_how_many_were_left_out() {
    let mut many: Vec<Finding> = (0..sarif::MAX_RESULTS + 7)
        .map(|i| {
            let mut f = finding("CM003", Severity::Medium, "scopes/a.yaml", "m");
            f.fingerprint = format!("{i:08}");
            f
        })
        .collect();
    many[sarif::MAX_RESULTS + 3].severity = Severity::Critical;
    let rules = sarif::effective_rules(&Default::default());
    let doc: Value = serde_json::from_str(&sarif::sarif(&many, &rules, None, "")).expect("JSON");
    let run = &doc["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), sarif::MAX_RESULTS);
    assert_eq!(results[0]["level"], "error", "the critical one is kept, first");
    assert_eq!(run["properties"]["omittedResults"], 7);
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .expect("notification");
    assert!(note.starts_with("7 findings were left out"), "{note}");
    let long = finding("CM001", Severity::High, "scopes/a.yaml", &"x".repeat(5000));
    let doc: Value = serde_json::from_str(&sarif::sarif(&[long], &rules, None, "")).expect("JSON");
    let text = doc["runs"][0]["results"][0]["message"]["text"].as_str().expect("text");
    assert_eq!(text.chars().count(), sarif::MAX_MESSAGE_CHARS);
    assert_eq!(doc["runs"][0]["results"][0]["properties"]["messageTruncated"], true);
}

#[test]
fn sarif_uris_are_relative_to_the_folder_ctrlmap_runs_in() {
    let prefix = sarif::srcroot_prefix(&example(), &repo());
    assert_eq!(prefix, "examples/northwind-msp/");
    assert_eq!(sarif::srcroot_prefix(&repo(), &repo()), "");
    // Outside the run folder: workspace-relative paths.
    assert_eq!(sarif::srcroot_prefix(&repo(), &repo().join("src")), "");
    let (_, _, findings) = example_assessed();
    let rules = sarif::effective_rules(&Default::default());
    let doc: Value = serde_json::from_str(&sarif::sarif(&findings, &rules, None, &prefix)).expect("JSON");
    for r in doc["runs"][0]["results"].as_array().expect("results") {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri.starts_with("examples/northwind-msp/"), "{uri}");
        assert!(repo().join(uri).is_file(), "{uri} names a file of the repository");
    }
}

#[test]
fn sarif_rule_levels_follow_severity_overrides() {
    let mut overrides = assess::Overrides::new();
    overrides.insert("CM006".into(), Some(Severity::Critical));
    overrides.insert("CM004".into(), None);
    let rules = sarif::effective_rules(&overrides);
    assert!(
        rules.iter().all(|r| r.code != assess::RuleCode::CM004),
        "a rule turned off has no descriptor"
    );
    let doc: Value = serde_json::from_str(&sarif::sarif(&[], &rules, None, "")).expect("JSON");
    let cm006 = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|d| d["id"] == "CM006")
        .cloned()
        .expect("CM006");
    assert_eq!(cm006["defaultConfiguration"]["level"], "error");
    assert_eq!(cm006["properties"]["security-severity"], "9.5");
}

// ---------------------------------------------------------------------------------------
// JUnit
// ---------------------------------------------------------------------------------------

/// A strict well-formedness check by hand: one root element, every start tag closed in
/// order, attribute values quoted with no raw `<` or `&` outside an entity, text with no raw
/// `<` or stray `&`. Returns the number of elements of each name.
fn well_formed(xml: &str) -> std::collections::BTreeMap<String, usize> {
    fn entity_ok(rest: &str) -> bool {
        let Some(end) = rest.find(';') else { return false };
        let name = &rest[1..end];
        matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || (name.starts_with("#x") && name.len() > 2 && name[2..].chars().all(|c| c.is_ascii_hexdigit()))
            || (name.starts_with('#') && name.len() > 1 && name[1..].chars().all(|c| c.is_ascii_digit()))
    }
    fn check_text(text: &str, at: usize) {
        for (i, c) in text.char_indices() {
            assert!(c != '<', "raw `<` at byte {}", at + i);
            if c == '&' {
                assert!(
                    entity_ok(&text[i..]),
                    "bad entity at byte {}: {:?}",
                    at + i,
                    &text[i..(i + 12).min(text.len())]
                );
            }
            assert!(
                !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}'),
                "control character U+{:04X} at byte {}",
                c as u32,
                at + i
            );
        }
    }
    let mut counts = std::collections::BTreeMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut pos = 0;
    let body = xml.trim_end();
    if body.starts_with("<?xml") {
        pos = body.find("?>").expect("XML declaration closes") + 2;
    }
    while pos < body.len() {
        let rest = &body[pos..];
        let Some(lt) = rest.find('<') else {
            assert!(stack.is_empty() || rest.trim().is_empty(), "text after the root");
            check_text(rest, pos);
            break;
        };
        let text = &rest[..lt];
        if stack.is_empty() {
            assert!(text.trim().is_empty(), "text outside the root element: {text:?}");
        }
        check_text(text, pos);
        let tag_start = pos + lt;
        let tag_rest = &body[tag_start..];
        if tag_rest.starts_with("<!--") {
            pos = tag_start + tag_rest.find("-->").expect("comment closes") + 3;
            continue;
        }
        if tag_rest.starts_with("<![CDATA[") {
            pos = tag_start + tag_rest.find("]]>").expect("CDATA closes") + 3;
            continue;
        }
        // Find the tag's end, skipping quoted attribute values.
        let mut quote: Option<char> = None;
        let mut end = None;
        for (i, c) in tag_rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (Some(_), '<') => panic!("raw `<` in an attribute value at byte {}", tag_start + i),
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.expect("tag closes");
        let inner = &tag_rest[1..end];
        pos = tag_start + end + 1;
        if let Some(name) = inner.strip_prefix('/') {
            let open = stack.pop().expect("end tag without a start tag");
            assert_eq!(open, name.trim(), "end tag </{}> closes <{open}>", name.trim());
            continue;
        }
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/');
        let name: String = inner.chars().take_while(|c| !c.is_whitespace()).collect();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')),
            "bad element name {name:?}"
        );
        // Attributes: name="value" pairs, values with valid entities only.
        let mut attrs = inner[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs.find('=').expect("attribute has a value");
            let q = attrs[eq + 1..].chars().next().expect("quoted value");
            assert!(q == '"' || q == '\'', "attribute value is quoted");
            let close = attrs[eq + 2..].find(q).expect("attribute value closes") + eq + 2;
            check_text(&attrs[eq + 2..close], tag_start);
            attrs = attrs[close + 1..].trim_start();
        }
        *counts.entry(name.clone()).or_insert(0) += 1;
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "exactly one root element");
    counts
}

/// Test cases, failures and skips counted from the parsed cases themselves, checked against
/// the totals the report's root and suites declare.
fn counted(report: &quick_junit::Report) -> (usize, usize, usize) {
    use quick_junit::{NonSuccessKind, TestCaseStatus};
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for ts in &report.test_suites {
        let (mut t, mut f, mut s) = (0, 0, 0);
        for case in &ts.test_cases {
            t += 1;
            match &case.status {
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    ..
                } => f += 1,
                TestCaseStatus::Skipped { .. } => s += 1,
                TestCaseStatus::Success { .. } => {}
                other => panic!("unexpected status {other:?}"),
            }
        }
        assert_eq!(
            (ts.tests, ts.failures, ts.skipped),
            (t, f, s),
            "suite {}",
            ts.name.as_str()
        );
        tests += t;
        failures += f;
        skipped += s;
    }
    assert_eq!(
        (report.tests, report.failures, report.skipped),
        (tests, failures, skipped)
    );
    (tests, failures, skipped)
}

fn expected_cases(suites: &[junit::Suite], findings: &[Finding]) -> usize {
    let mut cases = std::collections::BTreeSet::new();
    for s in suites {
        for c in s.controls.iter() {
            cases.insert((s.scope.clone(), c.clone()));
        }
    }
    for f in findings {
        cases.insert((f.scope.to_string(), f.control.to_string()));
    }
    cases.len()
}

#[test]
fn junit_parses_as_xml_with_one_case_per_scope_and_assignable_control() {
    for (what, (_, suites, findings)) in [("ci fixture", ci()), ("example workspace", example_assessed())] {
        let xml = junit::junit(&suites, &findings, Some(Severity::High), None);
        let counts = well_formed(&xml);
        let report = quick_junit::Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{what}: {e}\n{xml}"));
        counted(&report);
        let assignable: usize = suites.iter().map(|s| s.controls.len()).sum();
        assert!(assignable > 0);
        let expected = expected_cases(&suites, &findings);
        assert_eq!(report.tests, expected, "{what}");
        assert_eq!(counts.get("testcase").copied().unwrap_or_default(), expected, "{what}");
        assert_eq!(report.test_suites.len(), suites.len(), "{what}: one suite per scope");
        for (ts, s) in report.test_suites.iter().zip(&suites) {
            assert_eq!(ts.name.as_str(), s.scope);
            for (case, control) in ts.test_cases.iter().zip(s.controls.iter()) {
                assert_eq!(case.name.as_str(), control);
                assert_eq!(case.classname.as_ref().map(|c| c.as_str()), Some(&*s.scope));
            }
        }
        let failing: std::collections::BTreeSet<(&str, &str)> = findings
            .iter()
            .filter(|f| f.fails_gate(Some(Severity::High), None))
            .map(|f| (&*f.scope, &*f.control))
            .collect();
        assert_eq!(report.failures, failing.len(), "{what}");
    }
}

#[test]
fn junit_suites_from_summaries_match_the_suites_from_matrices() {
    // `check` drops matrices early and builds suites from each scope's frameworks.
    for (ws, suites, _) in [ci(), example_assessed()] {
        for (scope, from_matrix) in ws.scopes.iter().zip(&suites) {
            let matrix = ctrlmap::resolve::resolve(&ws, scope);
            let summary = ctrlmap::assess::portfolio::scope_summary(&matrix, &scope.origin.file, &[]);
            let suite = junit::Suite::from_summary(&summary);
            assert_eq!(&suite, from_matrix, "{}", scope.id);
        }
    }
}

#[test]
fn junit_failures_carry_the_finding_and_waived_controls_are_skipped() {
    let (_, suites, findings) = ci();
    // The CI fixture: 3 scopes × 6 assignable controls.
    assert_eq!(suites.iter().map(|s| s.controls.len()).sum::<usize>(), 18);
    let xml = junit::junit(&suites, &findings, Some(Severity::High), None);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("parses");
    // Skipped: alpha's waived mini:S.6 and charlie's not-applicable mini:S.4.
    assert_eq!(counted(&report), (18, 1, 2));
    let alpha = &report.test_suites[0];
    assert_eq!(alpha.name.as_str(), "alpha");
    let case = |name: &str| {
        alpha
            .test_cases
            .iter()
            .find(|c| c.name.as_str() == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    };
    let cm005 = findings.iter().find(|f| &*f.code == "CM005").expect("CM005 in alpha");
    match &case("mini:S.3").status {
        quick_junit::TestCaseStatus::NonSuccess {
            message, description, ..
        } => {
            assert_eq!(
                message.as_ref().map(|m| m.as_str().to_string()),
                Some(format!("CM005: {}", cm005.message))
            );
            let text = description.as_ref().map(|d| d.as_str()).unwrap_or_default();
            assert!(
                text.starts_with(&format!("{}:{}:{}: high[CM005]", cm005.file, cm005.line, cm005.column)),
                "{text}"
            );
        }
        other => panic!("mini:S.3 should fail: {other:?}"),
    }
    match &case("mini:S.6").status {
        quick_junit::TestCaseStatus::Skipped { message, .. } => {
            let m = message.as_ref().map(|m| m.as_str()).unwrap_or_default();
            assert!(m.contains("The IR retainer is signed in Q1"), "{m}");
        }
        other => panic!("mini:S.6 is waived, so skipped: {other:?}"),
    }
    // The client name's `&`, `<`, `"` survive the round trip.
    let props: Vec<String> = alpha.properties.iter().map(|p| p.value.as_str().to_string()).collect();
    assert!(
        props.contains(&"Alpha, Beta & Gamma: 100% \"Dental\" <Group>".to_string()),
        "{props:?}"
    );
    // Medium findings stay below the `high` gate; `--fail-on medium` fails them.
    let xml = junit::junit(&suites, &findings, Some(Severity::Medium), None);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("parses");
    assert_eq!(report.failures, 3);
    // A baseline holding every finding: nothing fails.
    let b = baseline::parse(&baseline::write(&findings), "b.json").expect("baseline");
    let xml = junit::junit(&suites, &findings, Some(Severity::Low), Some(&b));
    assert_eq!(
        quick_junit::Report::deserialize_from_str(&xml)
            .expect("parses")
            .failures,
        0
    );
    // Deterministic.
    assert_eq!(xml, junit::junit(&suites, &findings, Some(Severity::Low), Some(&b)));
    // Markup, quotes, newlines and control characters in any text survive as text.
    let mut odd = finding(
        "CM001",
        Severity::High,
        "scopes/<a>&.yaml",
        "]]> <x a=\"1\">&amp;\nline\u{7}",
    );
    odd.scope = "s<1>".into();
    odd.control = "x:\"1\"".into();
    let xml = junit::junit(&[], std::slice::from_ref(&odd), Some(Severity::High), None);
    well_formed(&xml);
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("parses");
    assert_eq!(counted(&report), (1, 1, 0));
    let case = &report.test_suites[0].test_cases[0];
    assert_eq!(case.name.as_str(), "x:\"1\"");
    assert_eq!(case.classname.as_ref().map(|c| c.as_str()), Some("s<1>"));
    match &case.status {
        quick_junit::TestCaseStatus::NonSuccess { message, .. } => assert_eq!(
            message.as_ref().map(|m| m.as_str()),
            Some("CM001: ]]> <x a=\"1\">&amp;\nline")
        ),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// GitHub annotations
// ---------------------------------------------------------------------------------------

#[test]
fn github_annotations_escape_workflow_command_metacharacters() {
    let mut f = finding(
        "CM001",
        Severity::High,
        "scopes/a,b:c%d.yaml",
        "100% wrong\r\nnext line ::error::forged, a: b",
    );
    f.scope = "s,1:x".into();
    assert_eq!(
        github::annotation(&f, ""),
        "::error file=scopes/a%2Cb%3Ac%25d.yaml,line=3,col=7,title=CM001 s%2C1%3Ax::mini:S.1: 100%25 wrong%0D%0Anext line ::error::forged, a: b\n"
    );
    assert_eq!(github::escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    assert_eq!(github::escape_data("a:b,c%\r"), "a:b,c%25%0D");
    // Whatever the text, one finding is one line starting with `::`.
    let out = github::github(std::slice::from_ref(&f), None, "");
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn github_annotation_levels_follow_severity_and_waivers() {
    let mk = |sev| finding("CM001", sev, "scopes/a.yaml", "m");
    let cmd = |f: &Finding| github::command(f);
    assert_eq!(cmd(&mk(Severity::Critical)), "error");
    assert_eq!(cmd(&mk(Severity::High)), "error");
    assert_eq!(cmd(&mk(Severity::Medium)), "warning");
    assert_eq!(cmd(&mk(Severity::Low)), "notice");
    assert_eq!(cmd(&mk(Severity::Info)), "notice");
    let mut w = mk(Severity::Critical);
    w.waived = Some(Box::new(waiver("ok")));
    assert_eq!(cmd(&w), "notice");
    // A built-in file has no repository path: no file property.
    let b = finding("CM002", Severity::High, "<builtin>/frameworks/x.yaml", "m");
    assert!(github::annotation(&b, "ws/").starts_with("::error title=CM002 s1::"));
}

#[test]
fn github_annotations_for_the_ci_fixture() {
    let (_, _, findings) = ci();
    let out = github::github(&findings, None, "tests/fixtures/ci/");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings.len(), "{out}");
    // Most severe first; the waived one last, as a notice with the client name escaped in
    // the message only as data (its `,` and `:` are fine there).
    assert!(lines[0].starts_with("::error file=tests/fixtures/ci/scopes/alpha.yaml,line=1,col=1,title=CM005 alpha::"));
    assert!(lines[1].starts_with("::warning "), "{}", lines[1]);
    assert!(lines[2].starts_with("::warning "), "{}", lines[2]);
    let waived = lines[3];
    assert!(
        waived.starts_with("::notice file=tests/fixtures/ci/scopes/alpha.yaml,"),
        "{waived}"
    );
    assert!(
        waived.contains("Alpha, Beta & Gamma: 100%25 \"Dental\" <Group>"),
        "{waived}"
    );
    assert!(
        waived.contains("waived until 2099-12-31 by A. Owner, Practice Owner, CI-1"),
        "{waived}"
    );
    // With a baseline of everything, nothing is annotated but a notice that says so.
    let b = baseline::parse(&baseline::write(&findings), "b.json").expect("baseline");
    let out = github::github(&findings, Some(&b), "");
    assert_eq!(out.lines().count(), 1);
    assert!(
        out.starts_with("::notice title=ctrlmap::0 findings annotated; 4 in the baseline"),
        "{out}"
    );
}

#[test]
fn github_says_when_annotations_exceed_what_a_step_shows() {
    let many: Vec<Finding> = (0..12)
        .map(|i| {
            let mut f = finding("CM001", Severity::High, "scopes/a.yaml", "m");
            f.fingerprint = format!("{i}");
            f
        })
        .collect();
    let out = github::github(&many, None, "");
    assert_eq!(out.lines().count(), 13);
    assert!(
        out.starts_with("::notice title=ctrlmap::12 findings annotated: 12 errors"),
        "{out}"
    );
}

#[test]
fn the_schema_check_and_the_xml_check_reject_broken_output() {
    // The SARIF validator is not vacuous: a wrong level, a missing message and a `$schema`
    // that is not a URI (formats are checked) are each reported.
    let (_, _, findings) = ci();
    let rules = sarif::effective_rules(&Default::default());
    let mut doc: Value = serde_json::from_str(&sarif::sarif(&findings, &rules, None, "")).expect("JSON");
    let result = &mut doc["runs"][0]["results"][0];
    result["level"] = "fatal".into();
    result.as_object_mut().expect("object").remove("message");
    doc["$schema"] = "not a URI".into();
    let validator = sarif_validator();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.len() >= 3, "{errors:?}");
    // The hand-rolled XML check catches crossed tags, raw `<` and `&`, and a second root.
    for bad in [
        "<a><b></a></b>",
        "<a>1 < 2</a>",
        "<a x=\"&\"/>",
        "<a>AT&T</a>",
        "<a/><b/>",
        "<a>",
    ] {
        assert!(
            std::panic::catch_unwind(|| well_formed(bad)).is_err(),
            "accepted broken XML: {bad}"
        );
    }
    assert_eq!(
        well_formed("<?xml version=\"1.0\"?>\n<a x='1'><b/>&amp;&#38;</a>\n")["b"],
        1
    );
}
