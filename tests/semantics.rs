//! Ownership semantics (issue 9), through the binary, on `tests/fixtures/semantics/`: each
//! case has a scope where the finding fires and one where it stays quiet, and the matrix,
//! `explain` and the gate give the regulation's answer. Expectations come from the
//! regulation's text (quoted in the catalogs), not from ctrlmap's earlier output.

mod support;
use serde_json::Value;
use std::sync::OnceLock;
use support::*;

fn checked() -> &'static (i32, Value) {
    static DOC: OnceLock<(i32, Value)> = OnceLock::new();
    DOC.get_or_init(|| {
        let run = ctrlmap([
            "check".as_ref(),
            fixture("semantics").as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
            "--as-of".as_ref(),
            "2026-11-30".as_ref(),
        ]);
        assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
        (run.code, serde_json::from_str(&run.stdout).expect("JSON"))
    })
}

fn findings(scope: &str, code: &str) -> Vec<Value> {
    checked().1["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["scope"] == scope && f["code"] == code)
        .cloned()
        .collect()
}

fn controls_with(scope: &str, code: &str) -> Vec<String> {
    let mut v: Vec<String> = findings(scope, code)
        .iter()
        .map(|f| f["control"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

fn finding_on(scope: &str, control: &str) -> Option<Value> {
    checked().1["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["scope"] == scope && f["control"] == control)
        .cloned()
}

fn scope_path(scope: &str) -> std::path::PathBuf {
    fixture(&format!("semantics/scopes/{scope}.yaml"))
}

fn matrix(scope: &str) -> Value {
    let run = ctrlmap([
        "matrix".as_ref(),
        scope_path(scope).as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

fn row(doc: &Value, control: &str) -> Value {
    doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["control"] == control)
        .cloned()
        .unwrap_or_else(|| panic!("no row {control}"))
}

fn explain(scope: &str, control: &str) -> String {
    let run = ctrlmap(["explain".as_ref(), scope_path(scope).as_os_str(), control.as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn mfa_reached_only_through_a_change_management_outcome_is_unassigned_with_a_candidate() {
    // 16 CFR 314.4(c)(5): "Implement multi-factor authentication for any individual accessing any
    // information system". The help desk's change tickets (CSF ID.RA-07) do not do that.
    let m = matrix("weak-link-fires");
    let mfa = row(&m, "glba-safeguards:314.4(c)(5)");
    assert_eq!(mfa["summary"], "unassigned");
    assert_eq!(mfa["coverage"], "none");
    assert_eq!(mfa["duties"], serde_json::json!({}));
    let candidates = mfa["candidates"].as_array().expect("candidates");
    assert!(
        candidates.iter().any(|c| c["control"] == "csf-2.0:ID.RA-07"
            && c["relationship"] == "intersects-with"
            && c["summary"] == "shared"),
        "{candidates:?}"
    );
    let f = finding_on("weak-link-fires", "glba-safeguards:314.4(c)(5)").expect("a finding");
    assert_eq!(
        (f["code"].as_str(), f["severity"].as_str()),
        (Some("CM001"), Some("high"))
    );
    assert!(f["message"].as_str().unwrap_or_default().contains("ID.RA-07"), "{f}");
    let text = explain("weak-link-fires", "glba-safeguards:314.4(c)(5)");
    assert!(text.contains("owner:        Unassigned"), "{text}");
    assert!(text.contains("candidates"), "{text}");
    assert!(
        !text.contains("Record every change and exception"),
        "the help desk's duty is not the MFA duty: {text}"
    );
    // The gate fails on it.
    assert_eq!(checked().0, 1);
    // Quiet: the same client with MFA assigned explicitly.
    assert!(!controls_with("weak-link-quiet", "CM001").contains(&"glba-safeguards:314.4(c)(5)".to_string()));
    assert_eq!(
        row(&matrix("weak-link-quiet"), "glba-safeguards:314.4(c)(5)")["summary"],
        "msp"
    );
}

#[test]
fn class_a_password_blocking_reached_only_through_an_intersecting_outcome_is_unassigned() {
    // 23 NYCRR 500.7(c)(2): an automated method of blocking commonly used passwords.
    let r = row(&matrix("class-a-weak-link"), "nydfs-500:500.7(c)(2)");
    assert_eq!(r["summary"], "unassigned");
    assert!(!r["candidates"].as_array().expect("candidates").is_empty());
    assert_eq!(
        finding_on("class-a-weak-link", "nydfs-500:500.7(c)(2)").expect("finding")["code"],
        "CM001"
    );
}

#[test]
fn duties_only_the_regulated_entity_can_perform_cannot_be_inherited_by_the_msp() {
    // 500.4(a)(1)-(3), 314.4(a)(1)-(3): a vCISO / Qualified Individual from the MSP is allowed,
    // but the covered entity must retain responsibility, designate its own senior overseer and
    // impose the program requirement on the provider. 500.11(a): the client's own TPSP policy
    // ("Each covered entity shall implement written policies and procedures"); the tasks it
    // addresses, (a)(1)-(4), may be performed by others (issue 19), so the service's claim on
    // 500.11(a) reaching them is no finding there.
    assert_eq!(
        controls_with("retained-fires", "CM015"),
        [
            "glba-safeguards:314.4(a)(1)",
            "glba-safeguards:314.4(a)(2)",
            "glba-safeguards:314.4(a)(3)",
            "nydfs-500:500.11(a)",
            "nydfs-500:500.4(a)(1)",
            "nydfs-500:500.4(a)(2)",
            "nydfs-500:500.4(a)(3)",
        ]
    );
    let f = finding_on("retained-fires", "nydfs-500:500.4(a)(2)").expect("finding");
    assert_eq!(f["severity"], "high");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("23 NYCRR 500.4(a)(2)"), "{msg}");
    assert!(msg.contains("set on 500.4(a)"), "names the inherited assignment: {msg}");
    assert!(
        f["line"].as_u64().unwrap_or(0) > 1,
        "anchored at the assignment that made the MSP responsible: {f}"
    );
    let tpsp = finding_on("retained-fires", "nydfs-500:500.11(a)").expect("finding");
    assert!(
        tpsp["message"]
            .as_str()
            .unwrap_or_default()
            .contains("service `tpsp-program`"),
        "{tpsp}"
    );
    assert!(
        tpsp["file"]
            .as_str()
            .unwrap_or_default()
            .contains("services/tpsp-program.yaml")
    );
    assert!(controls_with("retained-quiet", "CM015").is_empty());
    let text = explain("retained-fires", "nydfs-500:500.4(a)(2)");
    assert!(
        text.contains("retained:     only the client itself can perform it"),
        "{text}"
    );
}

#[test]
fn a_paragraph_with_its_own_duty_is_not_covered_by_its_narrower_parts() {
    // 500.12(a): MFA "for any individual accessing any information systems", unless the limited
    // exemption of 500.19(a) applies, "in which case" only for (1)-(3).
    let full = matrix("own-duty-fires");
    let mfa = row(&full, "nydfs-500:500.12(a)");
    assert_eq!(mfa["assignable"], true);
    assert_eq!(mfa["summary"], "unassigned");
    for part in ["(1)", "(2)", "(3)"] {
        assert_eq!(row(&full, &format!("nydfs-500:500.12(a){part}"))["summary"], "msp");
    }
    assert_eq!(
        finding_on("own-duty-fires", "nydfs-500:500.12(a)").expect("finding")["code"],
        "CM001"
    );
    // An entity with the limited exemption: the parts are the whole duty.
    let small = matrix("own-duty-quiet");
    let mfa = row(&small, "nydfs-500:500.12(a)");
    assert_eq!(mfa["assignable"], false);
    assert_eq!(mfa["summary"], "msp");
    assert_eq!(mfa["coverage"], "full");
    assert!(!controls_with("own-duty-quiet", "CM001").contains(&"nydfs-500:500.12(a)".to_string()));
}

#[test]
fn the_notice_of_exemption_binds_only_an_entity_that_is_exempt() {
    // 500.19(f): "A covered entity that qualifies for any of the above exemptions ... shall file".
    let full = matrix("own-duty-fires");
    for id in ["nydfs-500:500.19(f)", "nydfs-500:500.19(h)"] {
        let r = row(&full, id);
        assert_eq!(r["summary"], "not-applicable", "{id}");
        assert!(
            r["reason"]
                .as_str()
                .unwrap_or_default()
                .contains("no exemption that holds"),
            "{r}"
        );
        assert!(finding_on("own-duty-fires", id).is_none(), "{id}");
    }
    let small = matrix("own-duty-quiet");
    assert_ne!(row(&small, "nydfs-500:500.19(f)")["summary"], "not-applicable");
    assert_eq!(
        finding_on("own-duty-quiet", "nydfs-500:500.19(f)").expect("the exempt entity must file")["code"],
        "CM001"
    );
    let text = explain("own-duty-fires", "nydfs-500:500.19(f)");
    assert!(text.contains("reason:"), "{text}");
}

#[test]
fn the_extortion_payment_notice_runs_from_the_clients_own_payment() {
    // 500.17(c)(1): "within 24 hours of the extortion payment" - the client's act, not the
    // MSP's notice. 500.17(a)(1): 72 hours "after determining" an incident occurred.
    assert_eq!(controls_with("clock-fires", "CM008"), ["nydfs-500:500.17(a)(1)"]);
    let f = finding_on("clock-fires", "nydfs-500:500.17(a)(1)").expect("finding");
    assert_eq!(f["severity"], "critical");
    assert!(
        controls_with("clock-quiet", "CM008").is_empty(),
        "24h + 12h fits in 72h"
    );
}

#[test]
fn a_notice_threshold_the_client_cannot_reach_removes_the_notice() {
    // 314.4(j)(1): "if the notification event involves the information of at least 500 consumers".
    let small = matrix("threshold-quiet");
    let notice = row(&small, "glba-safeguards:314.4(j)(1)");
    assert_eq!(notice["summary"], "not-applicable");
    let reason = notice["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("at least 500 consumers") && reason.contains("at most 300"),
        "{reason}"
    );
    for part in ["(i)", "(vi)"] {
        assert_eq!(
            row(&small, &format!("glba-safeguards:314.4(j)(1){part}"))["summary"],
            "not-applicable"
        );
    }
    assert!(controls_with("threshold-quiet", "CM008").is_empty());
    // 800 consumers: the notice applies, and without an agreed window it is a finding.
    assert_ne!(
        row(&matrix("threshold-fires"), "glba-safeguards:314.4(j)(1)")["summary"],
        "not-applicable"
    );
    assert_eq!(
        controls_with("threshold-fires", "CM008"),
        ["glba-safeguards:314.4(j)(1)"]
    );
}

#[test]
fn ephi_without_a_business_associate_agreement_is_a_finding() {
    // 164.308(b)(1), 164.502(e): a business associate may handle ePHI only under a BAA.
    assert_eq!(
        controls_with("baa-fires", "CM016"),
        ["hipaa:164.308(b)(1)", "hipaa:164.312(a)(2)(iv)"]
    );
    // (164.308(b)(1) is also a duty of its own for a covered entity, so it may carry other
    // findings: take the CM016 one.)
    let provider = findings("baa-fires", "CM016")
        .into_iter()
        .find(|f| f["control"] == "hipaa:164.308(b)(1)")
        .expect("finding");
    let msg = provider["message"].as_str().unwrap_or_default();
    assert!(msg.contains("`backup`") && msg.contains("provider.baa_signed"), "{msg}");
    let vendor = findings("baa-fires", "CM016")
        .into_iter()
        .find(|f| f["control"] == "hipaa:164.312(a)(2)(iv)")
        .expect("vendor finding");
    assert!(vendor["message"].as_str().unwrap_or_default().contains("`ehr-vendor`"));
    assert!(controls_with("baa-quiet", "CM016").is_empty());
    // Whose agreement it is follows whose vendor the party is (45 CFR 164.308(b)(1), (b)(2)).
    assert!(
        vendor["message"]
            .as_str()
            .unwrap_or_default()
            .contains("engaged_by: msp"),
        "an undeclared engagement is named as such"
    );
    let message = |scope: &str| -> String {
        let f = findings(scope, "CM016");
        assert_eq!(f.len(), 1, "{scope}: {f:?}");
        f[0]["message"].as_str().unwrap_or_default().to_string()
    };
    let msp = message("baa-msp-vendor");
    assert!(
        msp.contains("the MSP's subcontractor") && msp.contains("164.308(b)(2)") && msp.contains("Test MSP's to hold"),
        "{msp}"
    );
    let client = message("baa-client-vendor");
    assert!(
        client.contains("own vendor")
            && client.contains("164.308(b)(1)")
            && client.contains("Clinic with a client vendor's to hold, not Test MSP's"),
        "{client}"
    );
    assert!(
        controls_with("baa-party-no-ephi", "CM016").is_empty(),
        "a vendor that never handles ePHI needs no BAA"
    );
    assert!(
        controls_with("baa-no-ephi", "CM016").is_empty(),
        "a service that never touches ePHI needs no BAA"
    );
}

#[test]
fn the_institution_type_decides_whether_the_ftc_rule_applies() {
    let frameworks = |scope: &str| -> Vec<String> {
        matrix(scope)["frameworks"]
            .as_array()
            .expect("frameworks")
            .iter()
            .map(|f| f["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(
        frameworks("regulator-quiet"),
        ["csf-2.0"],
        "a national bank: not 16 CFR 314"
    );
    assert_eq!(frameworks("regulator-derived"), ["csf-2.0", "glba-safeguards"]);
    let why = matrix("regulator-derived")["frameworks"][1]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        why.contains("mortgage-broker") && why.contains("16 CFR 314.1(b)"),
        "{why}"
    );
    assert_eq!(controls_with("regulator-fires", "CM017"), ["glba-safeguards:314.1(b)"]);
    let msg = findings("regulator-fires", "CM017")[0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.contains("15 U.S.C. 6805(a)(1)(A)"), "{msg}");
    assert!(controls_with("regulator-quiet", "CM017").is_empty());
    assert!(controls_with("regulator-derived", "CM017").is_empty());
}

#[test]
fn an_undeclared_class_a_determination_keeps_the_class_a_duties() {
    let m = matrix("undeclared-class-a");
    let r = row(&m, "nydfs-500:500.7(c)");
    assert_ne!(r["summary"], "not-applicable");
    let why = r["applicability"].as_str().unwrap_or_default();
    assert!(why.contains("client.profile.class_a"), "{why}");
    let text = explain("undeclared-class-a", "nydfs-500:500.7(c)");
    assert!(text.contains("applies:"), "{text}");
}

#[test]
fn a_business_associate_owes_none_of_the_covered_entitys_own_notices() {
    // 164.404(a)(1), 164.406(a), 164.408(a): "A covered entity shall ..."; a business associate's
    // duty is 164.410.
    let m = matrix("hipaa-business-associate");
    for id in [
        "hipaa:164.404(b)",
        "hipaa:164.406(b)",
        "hipaa:164.408(b)",
        "hipaa:164.408(c)",
    ] {
        let r = row(&m, id);
        assert_eq!(r["summary"], "not-applicable", "{id}");
        assert!(
            r["reason"].as_str().unwrap_or_default().contains("covered entity"),
            "{r}"
        );
    }
    assert_ne!(row(&m, "hipaa:164.410(b)")["summary"], "not-applicable");
    for id in ["hipaa:164.404(b)", "hipaa:164.406(b)", "hipaa:164.408(b)"] {
        assert!(finding_on("hipaa-business-associate", id).is_none(), "{id}");
    }
}

#[test]
fn breach_notice_thresholds_are_measured_against_the_individuals_a_breach_could_involve() {
    // 164.406: "more than 500 residents of a State or jurisdiction"; 164.408(b): "500 or more
    // individuals"; 164.408(c): "less than 500 individuals", within 60 days after year end.
    let m = matrix("hipaa-small-practice");
    assert_eq!(row(&m, "hipaa:164.406(b)")["summary"], "not-applicable");
    let secretary = row(&m, "hipaa:164.408(b)");
    assert_eq!(secretary["summary"], "not-applicable");
    assert!(
        secretary["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("at most 300 individuals"),
        "{secretary}"
    );
    assert_ne!(row(&m, "hipaa:164.408(c)")["summary"], "not-applicable");
    assert_ne!(row(&m, "hipaa:164.404(b)")["summary"], "not-applicable");
}

#[test]
fn an_msp_that_is_the_covered_entitys_agent_starts_the_clients_60_days() {
    // 164.404(a)(2): a breach is treated as discovered by the covered entity when known to any
    // agent of it; 164.404(b): no later than 60 calendar days after discovery.
    let controls = controls_with("hipaa-agent-fires", "CM008");
    assert!(controls.contains(&"hipaa:164.404(b)".to_string()), "{controls:?}");
    let f = findings("hipaa-agent-fires", "CM008")
        .into_iter()
        .find(|f| f["control"] == "hipaa:164.404(b)")
        .expect("finding");
    let msg = f["message"].as_str().unwrap_or_default();
    assert!(msg.contains("164.404(a)(2)") && msg.contains("164.404(b)"), "{msg}");
    assert!(msg.contains("`sla.client_margin`"), "{msg}");
    // Not an agent: the client's clock starts at the MSP's notice; only the MSP's own 60 days
    // of 164.410(b) are measured, and 50 days fit.
    assert!(controls_with("hipaa-agent-quiet", "CM008").is_empty());
}

#[test]
fn a_parent_with_its_own_duty_is_assigned_for_that_duty_and_does_not_override_its_parts_sources() {
    let m = matrix("hipaa-own-row-parent");
    assert_eq!(row(&m, "hipaa:164.308(a)(1)")["summary"], "client");
    // The service's claim on the risk analysis stands.
    let analysis = row(&m, "hipaa:164.308(a)(1)(ii)(A)");
    assert_eq!(analysis["summary"], "shared");
    assert_eq!(analysis["provenance"][0]["kind"], "service");
    // A part nothing else covers inherits the standard's owner.
    let sanctions = row(&m, "hipaa:164.308(a)(1)(ii)(C)");
    assert_eq!(sanctions["summary"], "client");
    assert!(
        sanctions["provenance"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("set on 164.308(a)(1)"),
        "{sanctions}"
    );
}
