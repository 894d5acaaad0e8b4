//! The rules on the smallest workspaces that show each one firing and staying quiet. Catalogs,
//! packs and scopes are built here; every expected value is read from the regulation's text
//! (quoted beside each test, from tests/fixtures/reference/) or from the rule's entry in
//! docs/findings.md, never from running the rule.
use super::catalog_findings;
use super::evidence_status::{evidence_files, evidence_stale, evidence_statuses};
use super::notice::{NoticeVerdict, notification_statuses};
use super::pack_findings;
use crate::assess::evidence::{Freshness, Integrity};
use crate::assess::{Finding, Overrides};
use crate::model::catalog::Framework;
use crate::model::policy::{Pack, PolicyRule};
use crate::model::{Catalog, Scope, Service, Workspace};
use crate::resolve::resolve;
use serde_json::{Value, json};
use std::sync::Arc;

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

fn catalog(id: &str, citation: &str, controls: Value) -> Arc<Framework> {
    let catalog: Catalog = serde_json::from_value(json!({
        "id": id, "title": id, "citation": citation, "authority": "Test", "version": "1",
        "source_url": "https://example.invalid", "controls": controls
    }))
    .expect("catalog");
    Arc::new(Framework::new(catalog))
}

fn workspace(frameworks: &[Arc<Framework>]) -> Workspace {
    let mut ws = Workspace::default();
    for fw in frameworks {
        ws.frameworks.insert(fw.id().to_string(), Arc::clone(fw));
    }
    ws
}

fn scope(json: Value) -> Scope {
    serde_json::from_value(json).expect("scope")
}

/// `CODE framework:control` of every finding the catalogs' own data calls for.
fn catalog_codes(ws: &Workspace, scope: &Scope, code: &str) -> Vec<String> {
    let matrix = resolve(ws, scope);
    catalog_findings(ws, scope, &matrix, &Overrides::new())
        .into_iter()
        .filter(|f| *f.code == *code)
        .map(|f| format!("{} {}", f.code, f.control))
        .collect()
}

// --- CM015: a duty only the regulated entity can perform ----------------------------------

/// Two duties of 23 NYCRR 500 the catalog keeps with the covered entity (`retained.responsible`).
fn nydfs() -> Workspace {
    workspace(&[catalog(
        "nydfs-500",
        "23 NYCRR Part 500",
        json!([
            // 500.4(a)(2): the covered entity shall "designate a senior member of the covered
            // entity's personnel responsible for direction and oversight of the third-party
            // service provider": only the covered entity can.
            {"id": "500.4(a)(2)", "title": "Designate a senior member to oversee the provider",
             "level": "paragraph",
             "retained": {"responsible": true, "citation": "23 NYCRR 500.4(a)(2)",
                          "note": "Only the covered entity can designate its own personnel."}},
            // 500.17(b)(2): the certification or acknowledgment "shall be signed by the covered
            // entity's highest-ranking executive and its CISO": the entity must take part; the
            // CISO who co-signs may be a provider's employee (500.4(a)), so others may join it.
            {"id": "500.17(b)(2)", "title": "Signatures of the annual filing", "level": "paragraph",
             "retained": {"responsible": true, "joint": true, "citation": "23 NYCRR 500.17(b)(2)",
                          "note": "The highest-ranking executive's signature only the entity can give."}}
        ]),
    )])
}

fn nydfs_scope(control: &str, responsible: Value) -> Scope {
    scope(json!({
        "id": "s", "client": {"name": "Client"}, "provider": {"name": "Test MSP"},
        "frameworks": ["nydfs-500"],
        "assignments": [{"control": control, "responsible": responsible}]
    }))
}

#[test]
fn cm015_fires_when_the_msp_alone_signs_the_500_17_b_2_filing() {
    let s = nydfs_scope("nydfs-500:500.17(b)(2)", json!("msp"));
    assert_eq!(catalog_codes(&nydfs(), &s, "CM015"), ["CM015 nydfs-500:500.17(b)(2)"]);
}

#[test]
fn cm015_is_quiet_when_the_client_signs_500_17_b_2_with_the_msps_ciso() {
    let with_msp = nydfs_scope("nydfs-500:500.17(b)(2)", json!(["client", "msp"]));
    assert!(catalog_codes(&nydfs(), &with_msp, "CM015").is_empty());
    let alone = nydfs_scope("nydfs-500:500.17(b)(2)", json!("client"));
    assert!(catalog_codes(&nydfs(), &alone, "CM015").is_empty());
}

#[test]
fn cm015_fires_when_anyone_but_the_client_designates_the_500_4_a_2_overseer() {
    // Not a joint duty: the MSP taking part at all is the finding.
    for responsible in [json!("msp"), json!(["client", "msp"])] {
        let s = nydfs_scope("nydfs-500:500.4(a)(2)", responsible.clone());
        assert_eq!(
            catalog_codes(&nydfs(), &s, "CM015"),
            ["CM015 nydfs-500:500.4(a)(2)"],
            "{responsible}"
        );
    }
    let client = nydfs_scope("nydfs-500:500.4(a)(2)", json!("client"));
    assert!(catalog_codes(&nydfs(), &client, "CM015").is_empty());
}

// --- CM016: ePHI without a business associate agreement -----------------------------------

fn hipaa_controls() -> Value {
    json!([
        // 164.308(b)(1): "A covered entity may permit a business associate to create, receive,
        // maintain, or transmit electronic protected health information on the covered
        // entity's behalf only if the covered entity obtains satisfactory assurances".
        {"id": "164.308(b)(1)", "title": "Business associate contracts", "level": "paragraph"},
        // 164.308(b)(2): "A business associate may permit a business associate that is a
        // subcontractor to create, receive, maintain, or transmit electronic protected health
        // information on its behalf only if the business associate obtains satisfactory
        // assurances, in accordance with § 164.314(a), that the subcontractor will
        // appropriately safeguard the information."
        {"id": "164.308(b)(2)", "title": "Subcontractors", "level": "paragraph"},
        {"id": "164.308(a)(7)", "title": "Contingency plan", "level": "paragraph"},
        // 164.410(b): "a business associate shall provide the notification required by
        // paragraph (a) of this section without unreasonable delay and in no case later than
        // 60 calendar days after discovery of a breach."
        {"id": "164.410(b)", "title": "Timeliness of notification", "level": "paragraph",
         "deadlines": [{"id": "ba-breach-notice", "event": "breach-discovery", "within": "60d",
                        "clock": "msp-discovery", "notify": "covered entity",
                        "text": "in no case later than 60 calendar days after discovery of a breach"}]}
    ])
}

fn hipaa() -> Workspace {
    let mut ws = workspace(&[catalog("hipaa", "45 CFR Part 164", hipaa_controls())]);
    let backup: Service = serde_json::from_value(json!({
        "id": "backup", "name": "Backup", "tower": "continuity", "description": "Offsite copies",
        "ephi": true, "controls": [{"control": "hipaa:164.308(a)(7)", "split": "msp"}]
    }))
    .expect("service");
    ws.services.insert("backup".into(), backup);
    ws
}

/// A covered entity's scope on HIPAA, with `extra` fields merged in.
fn hipaa_scope(extra: Value) -> Scope {
    let mut json = json!({
        "id": "s",
        "client": {"name": "Clinic", "profile": {"hipaa": "covered-entity"}},
        "provider": {"name": "Test MSP", "baa_signed": "2026-01-15"},
        "frameworks": ["hipaa"]
    });
    for (k, v) in extra.as_object().expect("fields") {
        json[k] = v.clone();
    }
    scope(json)
}

/// The MSP's subcontractor that keeps the offsite copy and is assigned no HIPAA duty.
fn vault(baa: Option<bool>, ephi: Option<bool>, engaged_by: &str) -> Value {
    let mut party = json!({"id": "vault", "name": "Vault storage", "kind": "subcontractor",
                           "engaged_by": engaged_by});
    if let Some(b) = baa {
        party["baa"] = json!(b);
    }
    if let Some(e) = ephi {
        party["ephi"] = json!(e);
    }
    json!([party])
}

#[test]
fn cm016_fires_for_the_msps_subcontractor_holding_ephi_without_an_agreement() {
    // 164.308(b)(2) turns on the subcontractor creating, receiving, maintaining or transmitting
    // ePHI, not on the duties it is assigned: `vault` has none and still needs the agreement.
    for (baa, ephi) in [(None, Some(true)), (Some(false), Some(true)), (None, None)] {
        let s = hipaa_scope(json!({"parties": vault(baa, ephi, "msp")}));
        assert_eq!(
            catalog_codes(&hipaa(), &s, "CM016"),
            ["CM016 hipaa:164.308(b)(2)"],
            "baa {baa:?}, ephi {ephi:?}"
        );
    }
}

#[test]
fn cm016_is_quiet_for_a_subcontractor_with_an_agreement_or_without_ephi() {
    for (baa, ephi) in [(Some(true), Some(true)), (None, Some(false))] {
        let s = hipaa_scope(json!({"parties": vault(baa, ephi, "msp")}));
        assert!(
            catalog_codes(&hipaa(), &s, "CM016").is_empty(),
            "baa {baa:?}, ephi {ephi:?}"
        );
    }
}

#[test]
fn cm016_fires_when_the_msps_ephi_service_runs_without_a_signed_agreement() {
    // The MSP is the covered entity's business associate (164.308(b)(1)): its `backup`
    // service holds ePHI, and the scope records no `provider.baa_signed`.
    let unsigned = hipaa_scope(json!({
        "provider": {"name": "Test MSP"},
        "services": [{"ref": "backup"}]
    }));
    assert_eq!(
        catalog_codes(&hipaa(), &unsigned, "CM016"),
        ["CM016 hipaa:164.308(b)(1)"]
    );
    let signed = hipaa_scope(json!({"services": [{"ref": "backup"}]}));
    assert!(catalog_codes(&hipaa(), &signed, "CM016").is_empty());
}

// --- CM008: the MSP's notice window against 164.410(b) ------------------------------------

fn hipaa_with_pack() -> Workspace {
    let mut ws = hipaa();
    let pack: Pack = serde_json::from_value(json!({
        "id": "hipaa", "title": "HIPAA", "framework": "hipaa",
        "rules": [{"code": "CM008", "kind": "notification-window", "severity": "high",
                   "params": {"margin": "15d"}}]
    }))
    .expect("pack");
    ws.packs.insert("hipaa".into(), pack);
    ws
}

/// The 164.410(b) verdict and the CM008 findings for a scope with this `sla`.
fn ba_notice(sla: Value) -> (NoticeVerdict, Vec<String>) {
    let ws = hipaa_with_pack();
    let s = hipaa_scope(json!({"sla": sla}));
    let matrix = resolve(&ws, &s);
    let statuses = notification_statuses(&ws, &s, &matrix);
    let verdict = statuses
        .iter()
        .find(|n| n.control == "hipaa:164.410(b)")
        .expect("164.410(b) status")
        .verdict;
    let (findings, failures) = pack_findings(&ws, &s, &matrix, &statuses, &Overrides::new(), AS_OF);
    assert!(failures.is_empty());
    (verdict, codes(&findings, "CM008"))
}

fn codes(findings: &[Finding], code: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| *f.code == *code)
        .map(|f| format!("{} {}", f.code, f.control))
        .collect()
}

#[test]
fn cm008_fires_when_the_msps_window_is_longer_than_the_60_days_of_164_410_b() {
    let (verdict, found) = ba_notice(json!({"incident_notification": "61d"}));
    assert_eq!(verdict, NoticeVerdict::Exceeds);
    assert_eq!(found, ["CM008 hipaa:164.410(b)"]);
}

#[test]
fn cm008_fires_when_no_window_is_agreed() {
    let (verdict, found) = ba_notice(json!({"p1_response": "1h"}));
    assert_eq!(verdict, NoticeVerdict::NoWindow);
    assert_eq!(found, ["CM008 hipaa:164.410(b)"]);
}

#[test]
fn cm008_is_quiet_for_a_window_within_60_days_with_no_margin_added() {
    // The 60 days run from the business associate's own discovery, and its notice goes to the
    // covered entity: the pack's 15-day client margin is not added (50 + 15 would exceed 60).
    for window in ["60d", "50d"] {
        let (verdict, found) = ba_notice(json!({"incident_notification": window}));
        assert_eq!(verdict, NoticeVerdict::Within, "{window}");
        assert!(found.is_empty(), "{window}: {found:?}");
    }
}

// --- Evidence: missing, changed, stale ----------------------------------------------------

fn rule(code: &str, kind: &str, params: Value) -> PolicyRule {
    serde_json::from_value(json!({"code": code, "kind": kind, "severity": "high", "params": params})).expect("rule")
}

/// `sha256sum` of the empty file, and of a file holding `x\n`.
const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const X_SHA: &str = "73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac";

/// One evidence entry per case: `effective` and `pinned` as the scope writes them, `found` as
/// load would have hashed the file (`None`: no such file).
fn evidence_scope(entries: &[(&str, &str, Option<&str>, Option<&str>)]) -> Scope {
    let list: Vec<Value> = entries
        .iter()
        .map(|(file, effective, pinned, _)| {
            let mut e = json!({"file": file, "controls": ["hipaa:164.308(a)(7)"], "owner": "msp",
                               "effective": effective});
            if let Some(p) = pinned {
                e["sha256"] = json!(p);
            }
            e
        })
        .collect();
    let mut s = hipaa_scope(json!({"evidence": list}));
    for (e, (_, _, _, found)) in s.evidence.iter_mut().zip(entries) {
        e.as_mut().expect("entry").found_sha256 = found.map(str::to_string);
    }
    s
}

fn files(findings: Vec<Finding>) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let file = f.message.split('`').nth(1).unwrap_or_default();
            format!("{} {file}", f.code)
        })
        .collect()
}

#[test]
fn cm010_fires_for_an_evidence_file_that_does_not_exist_and_only_for_it() {
    let s = evidence_scope(&[
        ("evidence/gone.md", "2026-10-01", None, None),
        ("evidence/here.md", "2026-10-01", None, Some(EMPTY_SHA)),
    ]);
    let found = evidence_files(
        &s,
        &rule("CM010", "evidence-file-missing", json!({})),
        &Overrides::new(),
    );
    assert_eq!(files(found), ["CM010 evidence/gone.md"]);
}

#[test]
fn cm011_fires_when_the_file_differs_from_its_pin_and_not_when_it_matches_or_is_unpinned() {
    let s = evidence_scope(&[
        ("evidence/changed.md", "2026-10-01", Some(EMPTY_SHA), Some(X_SHA)),
        ("evidence/same.md", "2026-10-01", Some(EMPTY_SHA), Some(EMPTY_SHA)),
        ("evidence/unpinned.md", "2026-10-01", None, Some(EMPTY_SHA)),
        ("evidence/gone.md", "2026-10-01", Some(EMPTY_SHA), None),
    ]);
    let found = evidence_files(&s, &rule("CM011", "evidence-tampered", json!({})), &Overrides::new());
    assert_eq!(files(found), ["CM011 evidence/changed.md"]);
    let integrity: Vec<Integrity> = evidence_statuses(&hipaa(), &s, &[], AS_OF)
        .iter()
        .map(|e| e.integrity)
        .collect();
    assert_eq!(
        integrity,
        [
            Integrity::Changed,
            Integrity::MatchesPin,
            Integrity::Unpinned,
            Integrity::Missing
        ]
    );
}

#[test]
fn cm012_fires_for_evidence_older_than_the_maximum_age_and_not_at_it() {
    // "the evidence's `effective` date is older than the pack's maximum age (365 days by
    // default) on the `--as-of` date": 2025-11-30 is exactly 365 days before 2026-11-30.
    let s = evidence_scope(&[
        ("evidence/old.md", "2025-11-29", None, Some(EMPTY_SHA)),
        ("evidence/year.md", "2025-11-30", None, Some(EMPTY_SHA)),
        ("evidence/new.md", "2026-10-01", None, Some(EMPTY_SHA)),
    ]);
    let stale = rule("CM012", "evidence-stale", json!({}));
    let found = evidence_stale(&hipaa(), &s, &stale, Some("hipaa"), &Overrides::new(), AS_OF);
    assert_eq!(files(found), ["CM012 evidence/old.md"]);
    // A stricter maximum for the control judges the same entries by it.
    let strict = rule("CM012", "evidence-stale", json!({"max_age_days": 30}));
    let found = evidence_stale(&hipaa(), &s, &strict, Some("hipaa"), &Overrides::new(), AS_OF);
    assert_eq!(
        files(found),
        [
            "CM012 evidence/old.md",
            "CM012 evidence/year.md",
            "CM012 evidence/new.md"
        ]
    );
    // A rule of another framework does not judge evidence for HIPAA controls.
    let other = evidence_stale(&hipaa(), &s, &strict, Some("csf-2.0"), &Overrides::new(), AS_OF);
    assert!(other.is_empty());
}

#[test]
fn evidence_statuses_judge_freshness_by_the_enabled_stale_rule() {
    let mut ws = hipaa();
    let pack: Pack = serde_json::from_value(json!({
        "id": "hipaa", "title": "HIPAA", "framework": "hipaa",
        "rules": [{"code": "CM012", "kind": "evidence-stale", "severity": "medium"}]
    }))
    .expect("pack");
    ws.packs.insert("hipaa".into(), pack);
    let s = evidence_scope(&[
        ("evidence/old.md", "2025-11-29", None, Some(EMPTY_SHA)),
        ("evidence/year.md", "2025-11-30", None, Some(EMPTY_SHA)),
        ("evidence/later.md", "2026-12-01", None, Some(EMPTY_SHA)),
    ]);
    let judged = |frameworks: &[String]| -> Vec<(Freshness, Option<i64>)> {
        evidence_statuses(&ws, &s, frameworks, AS_OF)
            .iter()
            .map(|e| (e.freshness, e.age_days))
            .collect()
    };
    assert_eq!(
        judged(&["hipaa".to_string()]),
        [
            (Freshness::Stale, Some(366)),
            (Freshness::Fresh, Some(365)),
            (Freshness::Future, Some(-1))
        ]
    );
    // The pack is enabled only where HIPAA applies: elsewhere no rule judges the age.
    assert_eq!(
        judged(&[]),
        [
            (Freshness::NotAssessed, Some(366)),
            (Freshness::NotAssessed, Some(365)),
            (Freshness::Future, Some(-1))
        ]
    );
}
