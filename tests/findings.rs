//! Every finding code has a fixture scope that triggers it and one that does not, checked
//! through the binary's JSON output.

mod support;
use serde_json::Value;
use support::*;

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

fn matrix_json(scope: &str) -> Value {
    let run = ctrlmap([
        "matrix".as_ref(),
        fixture(&format!("findings/scopes/{scope}.yaml")).as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("matrix --format json prints JSON")
}

fn row<'a>(doc: &'a Value, control: &str) -> &'a Value {
    doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["control"] == control)
        .unwrap_or_else(|| panic!("no row {control}"))
}

#[test]
fn an_intersecting_crosswalk_link_never_makes_an_owner_and_names_a_candidate() {
    // weak-link: the MSP's backup service owns CSF PR.DS-11, which only intersects mini:S.2.
    let doc = matrix_json("weak-link");
    let s2 = row(&doc, "mini:S.2");
    assert_eq!(s2["summary"], "unassigned");
    assert_eq!(s2["coverage"], "none");
    assert_eq!(s2["responsible"], serde_json::json!([]));
    assert_eq!(s2["duties"], serde_json::json!({}), "no duty borrowed from the outcome");
    let candidates = s2["candidates"].as_array().expect("candidates");
    assert_eq!(candidates.len(), 1);
    assert_eq!(candidates[0]["control"], "csf-2.0:PR.DS-11");
    assert_eq!(candidates[0]["relationship"], "intersects-with");
    assert_eq!(candidates[0]["summary"], "msp");
    assert!(
        candidates[0]["via"]
            .as_str()
            .unwrap_or_default()
            .contains("service `backup`"),
        "{}",
        candidates[0]
    );
    // The gate: CM001 (high), naming the candidate; no CM006.
    let checked = check_json();
    let f = checked["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["scope"] == "weak-link" && f["control"] == "mini:S.2")
        .expect("a finding on mini:S.2");
    assert_eq!(f["code"], "CM001");
    assert_eq!(f["severity"], "high");
    let message = f["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("CSF 2.0 PR.DS-11 (intersects-with), owned by the MSP through service `backup`"),
        "{message}"
    );
    assert!(message.contains("assign it explicitly"), "{message}");
    assert!(!checked.to_string().contains("CM006"), "CM006 is retired");
    // explain names the candidate and shows no duty for the control.
    let run = ctrlmap([
        "explain".as_ref(),
        fixture("findings/scopes/weak-link.yaml").as_os_str(),
        "mini:S.2".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("candidate"), "{}", run.stdout);
    assert!(run.stdout.contains("PR.DS-11"), "{}", run.stdout);
    assert!(!run.stdout.contains("Run and test nightly backups."), "{}", run.stdout);
}

#[test]
fn a_subset_of_crosswalk_link_gives_the_outcome_owner_and_full_coverage() {
    let doc = matrix_json("full-link");
    let s4 = row(&doc, "mini:S.4");
    assert_eq!(s4["summary"], "msp");
    assert_eq!(s4["coverage"], "full");
    assert_eq!(s4["candidates"], serde_json::json!([]));
    assert_eq!(codes_for(&check_json(), "full-link"), vec![]);
}

#[test]
fn quiet_fixtures_have_no_findings_at_all() {
    let doc = check_json();
    for code in ["cm001", "cm002", "cm003", "cm004", "cm005"] {
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
