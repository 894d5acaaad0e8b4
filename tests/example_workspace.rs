//! The example workspace, run as a new user would from the README: `check` passes the default
//! gate with a readable per-client summary, `matrix` covers exactly the applicable controls in
//! every format, `explain` names the deciding file and line, and everything is deterministic.

mod support;
use serde_json::Value;
use std::collections::BTreeSet;
use support::*;

const SCOPES: [&str; 3] = ["riverside-dental", "hudson-valley-insurance", "cedar-tax-services"];

fn scope_file(id: &str) -> std::path::PathBuf {
    example().join(format!("scopes/{id}.yaml"))
}

#[test]
fn check_on_the_example_passes_the_default_gate_with_a_summary_per_client() {
    let run = ctrlmap(["check".as_ref(), example().as_os_str()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    for client in [
        "Riverside Dental Group, PLLC",
        "Lakeside Family Dental, PC",
        "Maple Grove Pediatric Dentistry, PLLC",
        "Hudson Valley Insurance Agency, Inc.",
        "Catskill Insurance Brokers, Inc.",
        "Cedar Tax Services LLC",
        "Brookside Tax & Bookkeeping LLC",
        "Summit Tax Advisors, Inc.",
    ] {
        assert!(run.stdout.contains(client), "{client} missing:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("controls:   "), "{}", run.stdout);
    assert!(run.stdout.contains("passed: 8 scopes"), "{}", run.stdout);
    // Grouped by package, every client on one.
    for header in [
        "package `dental-complete`: 3 clients",
        "package `insurance-security`: 2 clients",
        "package `tax-practice-essentials`: 3 clients",
    ] {
        assert!(run.stdout.contains(header), "{header} missing:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("no package:"), "{}", run.stdout);
}

/// The controls a scope's matrix must carry, read straight from the catalog files: every
/// non-reference control of each applicable framework.
fn expected_controls(frameworks: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for fw in frameworks {
        let text = std::fs::read_to_string(repo().join(format!("frameworks/{fw}.yaml"))).expect("catalog file");
        let doc: Value = serde_saphyr::from_str(&text).expect("catalog YAML");
        for c in doc["controls"].as_array().expect("controls") {
            if c["role"] != "reference" {
                out.insert(format!("{fw}:{}", c["id"].as_str().expect("id")));
            }
        }
    }
    out
}

fn frameworks_of(id: &str) -> Vec<&'static str> {
    match id {
        "riverside-dental" => vec!["csf-2.0", "hipaa"],
        "hudson-valley-insurance" => vec!["csf-2.0", "nydfs-500"],
        _ => vec!["csf-2.0", "glba-safeguards"],
    }
}

#[test]
fn matrix_in_every_format_covers_every_applicable_control_and_invents_none() {
    for id in SCOPES {
        let expected = expected_controls(&frameworks_of(id));
        let path = scope_file(id);
        let json = ctrlmap([
            "matrix".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(json.code, 0, "{}", json.stderr);
        let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
        let got: BTreeSet<String> = doc["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["control"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(got, expected, "{id}: JSON rows");
        assert_eq!(
            doc["rows"].as_array().map(Vec::len),
            Some(expected.len()),
            "{id}: no duplicate rows"
        );

        let csv = ctrlmap(["matrix".as_ref(), path.as_os_str(), "--format".as_ref(), "csv".as_ref()]);
        let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
        let col = reader
            .headers()
            .expect("header")
            .iter()
            .position(|h| h == "control")
            .expect("control column");
        let got: BTreeSet<String> = reader.records().map(|r| r.expect("record")[col].to_string()).collect();
        assert_eq!(got, expected, "{id}: CSV rows");

        let md = ctrlmap([
            "matrix".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "markdown".as_ref(),
        ]);
        let text = ctrlmap([
            "matrix".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "text".as_ref(),
        ]);
        let md_rows = md.stdout.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(md_rows, expected.len(), "{id}: one Markdown row per control");
        for control in &expected {
            let bare = control.split_once(':').map(|(_, c)| c).unwrap_or_default();
            assert!(
                md.stdout.contains(&format!("| `{bare}` |")),
                "{id}: {control} missing from Markdown"
            );
            assert!(
                text.stdout.contains(&format!(" {bare}")),
                "{id}: {control} missing from text"
            );
        }
    }
}

#[test]
fn framework_filter_keeps_one_framework() {
    let path = scope_file("riverside-dental");
    let run = ctrlmap([
        "matrix".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--framework".as_ref(),
        "hipaa".as_ref(),
    ]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let got: BTreeSet<String> = doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["control"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(got, expected_controls(&["hipaa"]));
    let bad = ctrlmap([
        "matrix".as_ref(),
        path.as_os_str(),
        "--framework".as_ref(),
        "nydfs-500".as_ref(),
    ]);
    assert_eq!(bad.code, 2, "a framework that does not apply is a usage error");
}

/// 1-based line of the first line in `file` containing `needle`.
fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(example().join(file)).expect("file");
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
}

#[test]
fn explain_names_the_service_claim_that_decided_the_row() {
    let path = scope_file("riverside-dental");
    let run = ctrlmap([
        "explain".as_ref(),
        path.as_os_str(),
        "hipaa:164.308(a)(7)(ii)(A)".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = line_of("services/managed-backup.yaml", "control: hipaa:164.308(a)(7)(ii)(A)");
    assert!(
        run.stdout.contains(&format!(
            "at examples/northwind-msp/services/managed-backup.yaml:{line}"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("owner:        MSP"), "{}", run.stdout);
}

#[test]
fn explain_names_the_scope_assignment_that_decided_the_row() {
    let path = scope_file("riverside-dental");
    let run = ctrlmap(["explain".as_ref(), path.as_os_str(), "hipaa:164.308(a)(2)".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = line_of("scopes/riverside-dental.yaml", "control: hipaa:164.308(a)(2)");
    assert!(
        run.stdout.contains(&format!(
            "at examples/northwind-msp/scopes/riverside-dental.yaml:{line}"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("accountable:  Client"), "{}", run.stdout);
}

#[test]
fn every_command_on_the_example_is_byte_identical_twice() {
    let ex = example();
    let dental = scope_file("riverside-dental");
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec!["check".into(), ex.clone().into(), "--as-of".into(), "2026-11-30".into()],
        vec![
            "check".into(),
            ex.clone().into(),
            "--format".into(),
            "json".into(),
            "--as-of".into(),
            "2026-11-30".into(),
        ],
        vec![
            "check".into(),
            ex.clone().into(),
            "--format".into(),
            "markdown".into(),
            "--as-of".into(),
            "2026-11-30".into(),
        ],
        vec!["matrix".into(), dental.clone().into(), "--format".into(), "csv".into()],
        vec![
            "matrix".into(),
            dental.clone().into(),
            "--format".into(),
            "markdown".into(),
        ],
        vec!["explain".into(), dental.clone().into(), "hipaa:164.410".into()],
        vec!["frameworks".into()],
        vec!["frameworks".into(), "show".into(), "nydfs-500".into()],
    ];
    for args in runs {
        let a = ctrlmap(args.clone());
        let b = ctrlmap(args.clone());
        assert_eq!(a.stdout, b.stdout, "{args:?}");
        assert!(!a.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn pinned_evidence_hashes_match_the_files() {
    for id in SCOPES {
        let text = std::fs::read_to_string(scope_file(id)).expect("scope");
        let doc: Value = serde_saphyr::from_str(&text).expect("YAML");
        for e in doc["evidence"].as_array().into_iter().flatten() {
            let bytes = std::fs::read(example().join(e["file"].as_str().expect("file"))).expect("evidence file exists");
            let sha = ctrlmap::model::digest::sha256_hex(&bytes);
            assert_eq!(e["sha256"].as_str(), Some(sha.as_str()), "{id}: {}", e["file"]);
        }
    }
}
