//! The regulation-aware rules of the policy packs: each has a fixture scope that fires it and
//! one that does not, through the binary, with `--as-of` pinning staleness and expiry.

mod support;
use serde_json::Value;
use support::*;

fn check(args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json", "--as-of", "2026-11-30"];
    all.extend_from_slice(args);
    let path = fixture("rules");
    let mut argv: Vec<std::ffi::OsString> = all.iter().map(|a| a.into()).collect();
    argv.insert(1, path.into_os_string());
    let run = ctrlmap(argv);
    assert!(run.code == 0 || run.code == 1, "exit {}:\n{}", run.code, run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

fn has(doc: &Value, scope: &str, code: &str, control: &str) -> bool {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["scope"] == scope && f["code"] == code && f["control"] == control)
}

fn count(doc: &Value, scope: &str, code: &str) -> usize {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["scope"] == scope && f["code"] == code)
        .count()
}

fn fires_and_quiet(code: &str, control: &str) {
    let doc = check(&[]);
    let low = code.to_lowercase();
    assert!(
        has(&doc, &format!("{low}-fires"), code, control),
        "{low}-fires should report {code} on {control}"
    );
    assert_eq!(
        count(&doc, &format!("{low}-quiet"), code),
        0,
        "{low}-quiet should not report {code}"
    );
}

#[test]
fn cm007_making_the_msp_accountable_for_the_ciso_is_a_finding() {
    fires_and_quiet("CM007", "nydfs-500:500.4(a)");
    let doc = check(&[]);
    assert_eq!(
        count(&doc, "cm007-fires", "CM007"),
        1,
        "one finding per assignment, not one per part of 500.4(a)"
    );
}

#[test]
fn cm008_a_72_hour_msp_window_cannot_meet_the_72_hour_dfs_deadline_with_a_margin() {
    fires_and_quiet("CM008", "nydfs-500:500.17(a)(1)");
    let doc = check(&[]);
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["scope"] == "cm008-fires" && f["control"] == "nydfs-500:500.17(a)(1)")
        .expect("finding");
    assert_eq!(f["line"], 9, "anchored at sla.incident_notification");
    assert!(
        f["message"].as_str().unwrap_or_default().contains("at most 60 hours"),
        "{f}"
    );
}

#[test]
fn cm009_required_evidence_missing_is_a_finding() {
    fires_and_quiet("CM009", "nydfs-500:500.12(a)");
}

#[test]
fn cm010_evidence_file_missing_is_a_finding() {
    fires_and_quiet("CM010", "nydfs-500:500.12(a)");
}

#[test]
fn cm011_evidence_whose_hash_changed_is_tampered() {
    fires_and_quiet("CM011", "nydfs-500:500.12(a)");
}

#[test]
fn cm020_evidence_on_file_without_a_pinned_hash_is_reported_as_info() {
    fires_and_quiet("CM020", "nydfs-500:500.12(a)");
    let doc = check(&[]);
    let finding = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["scope"] == "cm020-fires" && f["code"] == "CM020")
        .expect("CM020");
    assert_eq!(finding["severity"], "info");
    assert_eq!(finding["rule"], "evidence-unpinned");
    assert_eq!(finding["line"], 11, "at the entry's `file:`");
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("ctrlmap evidence pin scopes/cm020-fires.yaml")
            && message.contains("9ae3b2cfa396550490dfdef603233b9c7dcdbeaae01743b76f2da6c026117d66"),
        "the message says how to pin it: {message}"
    );
}

#[test]
fn cm012_evidence_older_than_a_year_as_of_the_date_is_stale() {
    fires_and_quiet("CM012", "nydfs-500:500.5(a)");
    let later = {
        let path = fixture("rules");
        let run = ctrlmap([
            "check".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
            "--as-of".as_ref(),
            "2027-08-01".as_ref(),
        ]);
        serde_json::from_str::<Value>(&run.stdout).expect("JSON")
    };
    assert!(
        has(&later, "cm012-quiet", "CM012", "nydfs-500:500.5(a)"),
        "a year later the fresh evidence is stale too"
    );
}

#[test]
fn cm013_expired_waiver_is_a_finding_and_the_waived_finding_counts_again() {
    fires_and_quiet("CM013", "nydfs-500:500.17(a)(1)");
    let doc = check(&[]);
    let findings = doc["findings"].as_array().expect("findings");
    let waived = findings
        .iter()
        .find(|f| f["scope"] == "cm013-quiet" && f["code"] == "CM008" && f["control"] == "nydfs-500:500.17(a)(1)")
        .expect("finding");
    assert_eq!(
        waived["waived"]["ticket"], "SEC-101",
        "a valid waiver is reported, not hidden"
    );
    let expired = findings
        .iter()
        .find(|f| f["scope"] == "cm013-fires" && f["code"] == "CM008" && f["control"] == "nydfs-500:500.17(a)(1)")
        .expect("finding");
    assert!(expired["waived"].is_null());
    let cm013 = findings
        .iter()
        .find(|f| f["scope"] == "cm013-fires" && f["code"] == "CM013")
        .expect("CM013");
    assert_eq!(
        cm013["severity"], expired["severity"],
        "at the waived finding's severity"
    );
}

#[test]
fn cm014_waiver_without_approver_or_compensating_control_is_not_honoured() {
    fires_and_quiet("CM014", "nydfs-500:500.17(a)(1)");
}

#[test]
fn cm018_no_assessment_of_the_provider_within_365_days_is_a_gap() {
    fires_and_quiet("CM018", "glba-safeguards:314.4(f)(3)");
    let doc = check(&[]);
    assert!(
        has(&doc, "cm018-fires", "CM018", "glba-safeguards:314.4(f)(2)"),
        "no contract recorded: nothing requires the provider's safeguards"
    );
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["scope"] == "cm018-fires" && f["code"] == "CM018" && f["control"] == "glba-safeguards:314.4(f)(3)")
        .expect("CM018");
    assert_eq!(f["severity"], "medium");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("(the latest is of 2025-06-01)")),
        "{f}"
    );
}

#[test]
fn waiver_debt_is_summarised() {
    let doc = check(&[]);
    assert_eq!(doc["waivers"]["count"], 2);
    assert_eq!(doc["waivers"]["expiring_within_30_days"], 2);
    assert!(
        doc["waivers"]["oldest"]
            .as_str()
            .unwrap_or_default()
            .contains("since 2026-09-01")
    );
    // cm013-quiet's waiver records no grant date: it is counted as undated, and its expiry
    // date is never shown as the date it was granted.
    assert_eq!(doc["waivers"]["undated"], 1);
    assert!(
        !doc["waivers"].to_string().contains("since 2026-12-15"),
        "{}",
        doc["waivers"]
    );
}

#[test]
fn limited_exemption_and_class_a_come_from_the_profile() {
    let small = fixture("rules/scopes/applicability-small.yaml");
    let run = ctrlmap([
        "matrix".as_ref(),
        small.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let row = |c: &str| {
        doc["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["control"] == c)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(row("nydfs-500:500.4(a)")["summary"], "not-applicable");
    assert!(
        row("nydfs-500:500.4(a)")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("23 NYCRR 500.19(a)")
    );
    assert_eq!(row("nydfs-500:500.2(c)")["summary"], "not-applicable");
    assert!(
        row("nydfs-500:500.2(c)")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("class A company")
    );
    assert_ne!(
        row("nydfs-500:500.12(a)")["summary"],
        "not-applicable",
        "500.19(a) no longer lifts 500.12"
    );
    let large = fixture("rules/scopes/applicability-large.yaml");
    let run = ctrlmap([
        "matrix".as_ref(),
        large.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    for c in [
        "nydfs-500:500.2(c)",
        "nydfs-500:500.7(c)",
        "nydfs-500:500.14(b)",
        "nydfs-500:500.4(a)",
    ] {
        let r = doc["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["control"] == c)
            .expect("row");
        assert_ne!(r["summary"], "not-applicable", "{c} applies to a Class A company");
    }
}

#[test]
fn deny_warn_and_allow_change_severities_from_the_command_line() {
    let doc = check(&["--allow", "CM009"]);
    assert_eq!(count(&doc, "cm009-fires", "CM009"), 0);
    let doc = check(&["--deny", "CM012"]);
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "CM012")
        .expect("CM012");
    assert_eq!(f["severity"], "critical");
    let doc = check(&["--warn", "CM011"]);
    let f = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "CM011")
        .expect("CM011");
    assert_eq!(f["severity"], "info");
}

#[test]
fn glba_institution_with_fewer_than_5000_consumers_is_exempt_from_the_four_elements_of_314_6() {
    let reason_of = |scope: &str, control: &str| -> Option<String> {
        let path = fixture(scope);
        let run = ctrlmap([
            "matrix".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
        let row = doc["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["control"] == control)
            .cloned()
            .expect("row");
        (row["summary"] == "not-applicable").then(|| row["reason"].as_str().unwrap_or_default().to_string())
    };
    for control in ["314.4(b)(1)", "314.4(d)(2)", "314.4(h)", "314.4(i)"] {
        let c = format!("glba-safeguards:{control}");
        let reason =
            reason_of("rules/scopes/applicability-small.yaml", &c).unwrap_or_else(|| panic!("{c} should be exempt"));
        assert!(reason.contains("16 CFR 314.6"), "{reason}");
        assert_eq!(
            reason_of("rules/scopes/applicability-large.yaml", &c),
            None,
            "{c} applies with 250,000 consumers"
        );
    }
    assert_eq!(
        reason_of("rules/scopes/applicability-small.yaml", "glba-safeguards:314.4(c)(5)"),
        None,
        "MFA is never exempt"
    );
}
