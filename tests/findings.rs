//! Every finding code has a fixture scope that triggers it and one that does not, checked
//! through the binary's JSON output.

mod common;
use common::*;
use serde_json::Value;

fn check_json() -> Value {
    // Run in the workspace: reported paths are relative to the folder ctrlmap runs in.
    let run = ctrlmap_in(
        &fixture("findings"),
        ["check", ".", "--format", "json", "--as-of", "2026-11-30"],
    );
    assert!(
        run.code == 0 || run.code == 1,
        "check ran (exit {}):\n{}",
        run.code,
        run.stderr
    );
    serde_json::from_str(&run.stdout).expect("check --format json prints JSON")
}

fn codes_for(doc: &Value, scope: &str) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter(|f| f["scope"] == scope)
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["control"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn assert_fires(code: &str, control: &str) {
    let doc = check_json();
    let scope = format!("{}-fires", code.to_lowercase());
    let found = codes_for(&doc, &scope);
    assert!(
        found.contains(&(code.to_string(), control.to_string())),
        "{scope}: expected {code} on {control}, got {found:?}"
    );
    let quiet = format!("{}-quiet", code.to_lowercase());
    let found = codes_for(&doc, &quiet);
    assert!(
        !found.iter().any(|(c, _)| c == code),
        "{quiet}: expected no {code}, got {found:?}"
    );
}

#[test]
fn cm001_unassigned_applicable_control_is_a_finding() {
    assert_fires("CM001", "mini:S.2");
}

#[test]
fn cm002_services_that_disagree_about_the_owner_are_a_conflict() {
    assert_fires("CM002", "mini:S.1");
}

#[test]
fn cm003_shared_control_without_the_client_duty_is_a_finding() {
    assert_fires("CM003", "mini:S.1");
}

#[test]
fn cm004_not_applicable_without_a_reason_is_a_finding() {
    assert_fires("CM004", "mini:S.4");
}

#[test]
fn cm005_addressable_spec_neither_implemented_nor_documented_is_a_finding() {
    assert_fires("CM005", "mini:S.3");
}

#[test]
fn cm006_coverage_only_through_an_intersecting_crosswalk_is_partial() {
    assert_fires("CM006", "mini:S.2");
}

#[test]
fn quiet_fixtures_have_no_findings_at_all() {
    let doc = check_json();
    for code in ["cm001", "cm002", "cm003", "cm004", "cm005", "cm006"] {
        let scope = format!("{code}-quiet");
        assert_eq!(codes_for(&doc, &scope), vec![], "{scope} should be clean");
    }
}

#[test]
fn findings_carry_code_severity_scope_control_message_file_line_and_a_stable_fingerprint() {
    let a = check_json();
    let b = check_json();
    let findings = a["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    for f in findings {
        for key in [
            "code",
            "severity",
            "scope",
            "control",
            "message",
            "file",
            "line",
            "fingerprint",
        ] {
            assert!(!f[key].is_null(), "finding lacks {key}: {f}");
        }
        assert!(f["line"].as_u64().unwrap_or(0) >= 1);
    }
    assert_eq!(a, b, "two runs give the same findings and fingerprints");
    let fps: std::collections::BTreeSet<&str> = findings.iter().filter_map(|f| f["fingerprint"].as_str()).collect();
    assert_eq!(fps.len(), findings.len(), "fingerprints are unique");
}

#[test]
fn conflict_finding_points_at_the_second_service_claim() {
    let doc = check_json();
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["scope"] == "cm002-fires" && f["code"] == "CM002")
        .expect("a CM002 finding");
    assert_eq!(f["file"], "services/client-access.yaml");
    assert_eq!(f["line"], 7);
}

#[test]
fn gate_exit_codes_follow_fail_on() {
    let path = fixture("findings");
    let high = ctrlmap([
        "check".as_ref(),
        path.as_os_str(),
        "--fail-on".as_ref(),
        "high".as_ref(),
    ]);
    assert_eq!(high.code, 1, "CM001/CM002/CM005 are high: {}", high.stdout);
    let none = ctrlmap([
        "check".as_ref(),
        path.as_os_str(),
        "--fail-on".as_ref(),
        "none".as_ref(),
    ]);
    assert_eq!(none.code, 0);
    let critical = ctrlmap([
        "check".as_ref(),
        path.as_os_str(),
        "--fail-on".as_ref(),
        "critical".as_ref(),
    ]);
    assert_eq!(critical.code, 0, "no finding is critical");
}
