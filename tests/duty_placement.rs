//! Every duty where the regulation puts it (issue 19), through the binary, on
//! `tests/fixtures/duty_placement/` (one workspace per point; its README says what each scope
//! proves). Every expectation is written from the regulation's text, quoted at the test, not
//! from ctrlmap's earlier output.

mod support;
use serde_json::Value;
use std::path::PathBuf;
use support::*;

const AS_OF: &str = "2026-11-30";

fn workspace(point: &str) -> PathBuf {
    fixture(&format!("duty_placement/{point}"))
}

fn scope_file(point: &str, scope: &str) -> PathBuf {
    workspace(point).join(format!("scopes/{scope}.yaml"))
}

/// `check` of one workspace as JSON (exit 0 or 1, never 2).
fn checked(point: &str) -> Value {
    let ws = workspace(point);
    let run = ctrlmap([
        "check".as_ref(),
        ws.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

/// The gate's exit code for one scope of a workspace (`check --scope ID`).
fn gate(point: &str, scope_id: &str) -> i32 {
    let ws = workspace(point);
    let run = ctrlmap([
        "check".as_ref(),
        ws.as_os_str(),
        "--scope".as_ref(),
        scope_id.as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert!(run.code == 0 || run.code == 1, "exit {}: {}", run.code, run.stderr);
    run.code
}

fn findings(doc: &Value, scope_id: &str, code: &str) -> Vec<Value> {
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["scope"] == scope_id && f["code"] == code)
        .cloned()
        .collect()
}

fn controls(found: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = found
        .iter()
        .map(|f| f["control"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

fn message(f: &Value) -> &str {
    f["message"].as_str().unwrap_or_default()
}

fn matrix(point: &str, scope: &str) -> Value {
    let file = scope_file(point, scope);
    let run = ctrlmap([
        "matrix".as_ref(),
        file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

fn row<'a>(m: &'a Value, control: &str) -> Option<&'a Value> {
    m["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["control"] == control)
}

fn explain(file: &std::path::Path, control: &str) -> Run {
    ctrlmap(["explain".as_ref(), file.as_os_str(), control.as_ref()])
}

/// A built-in catalog file as JSON.
fn catalog(id: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(format!("frameworks/{id}.yaml"))).expect("catalog");
    serde_saphyr::from_str(&text).expect("catalog YAML")
}

// ------------------------------------------------------------------------------------------
// 1. A subcontractor that holds ePHI without an agreement
// ------------------------------------------------------------------------------------------

#[test]
fn a_subcontractor_holding_ephi_without_a_baa_is_cm016_whatever_it_is_assigned() {
    // 45 CFR 164.308(b)(2): "A business associate may permit a business associate that is a
    // subcontractor to create, receive, maintain, or transmit electronic protected health
    // information on its behalf only if the business associate obtains satisfactory assurances,
    // in accordance with § 164.314(a), that the subcontractor will appropriately safeguard the
    // information." Nothing in it turns on the duties the subcontractor is assigned: none of these
    // parties is responsible for any safeguard.
    let doc = checked("01-subcontractor-baa");
    for (scope, state) in [
        ("sub-no-baa", "`baa: false`"),
        ("sub-baa-unset", "`baa` is not set"),
        ("sub-ephi-unsaid", "`ephi` is not set, which counts as handling it"),
    ] {
        let found = findings(&doc, scope, "CM016");
        assert_eq!(controls(&found), ["hipaa:164.308(b)(2)"], "{scope}");
        let msg = message(&found[0]);
        for words in [
            "`offsite-backup`",
            "`engaged_by: msp`",
            state,
            "45 CFR 164.308(b)(2)",
            "164.502(e)(1)(ii)",
            "whatever duties the subcontractor is assigned",
            "Test MSP's to hold",
        ] {
            assert!(msg.contains(words), "{scope}: {words:?} in {msg}");
        }
        assert_eq!(found[0]["severity"], "high");
        assert_eq!(gate("01-subcontractor-baa", scope), 1, "{scope} fails the gate");
    }
    // At the party's `baa:` when it is written, else at the party.
    let at = &findings(&doc, "sub-no-baa", "CM016")[0];
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(15), Some(111)),
        "{at}"
    );
    let at = &findings(&doc, "sub-baa-unset", "CM016")[0];
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(15), Some(5)),
        "{at}"
    );
    // "A party with `ephi: false` needs none"; a signed agreement is what the rule asks for.
    for scope in ["sub-no-ephi", "sub-baa-signed"] {
        assert!(findings(&doc, scope, "CM016").is_empty(), "{scope}");
        assert_eq!(gate("01-subcontractor-baa", scope), 0, "{scope} passes the gate");
    }
}

#[test]
fn the_baa_appendix_never_lists_an_ephi_subcontractor_without_an_agreement_as_if_that_were_fine() {
    let render = |scope: &str| -> String {
        let file = scope_file("01-subcontractor-baa", scope);
        let run = ctrlmap([
            "render".as_ref(),
            "baa-appendix".as_ref(),
            file.as_os_str(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let subcontractor_row = |md: &str| -> String {
        md.lines()
            .find(|l| l.starts_with("| **Offsite backup storage** |") || l.starts_with("| Offsite backup storage |"))
            .unwrap_or_default()
            .to_string()
    };
    for scope in ["no-baa", "baa-unset"] {
        let line = subcontractor_row(&render(scope));
        assert!(line.contains("BAA required, none on record"), "{scope}: {line}");
    }
    assert!(subcontractor_row(&render("baa-signed")).contains("agreement in place"));
}

// ------------------------------------------------------------------------------------------
// 2. A business associate's agent
// ------------------------------------------------------------------------------------------

#[test]
fn a_business_associates_agent_starts_its_60_days_at_the_msps_discovery() {
    // 164.410(a)(2): "A business associate shall be deemed to have knowledge of a breach if the
    // breach is known ... to any person ... who is an employee, officer, or other agent of the
    // business associate (determined in accordance with the Federal common law of agency)."
    // 164.410(b): "in no case later than 60 calendar days after discovery of a breach".
    let doc = checked("02-business-associate-agent");
    let found = findings(&doc, "ba-agent-too-long", "CM008");
    assert_eq!(controls(&found), ["hipaa:164.410(b)"]);
    let msg = message(&found[0]);
    for words in [
        "50 days",
        "the 15 days the client needs to act (`sla.client_margin`)",
        "the 60 days that 45 CFR 164.410(b) allows",
        "45 CFR 164.410(a)(2)",
        "`provider.agent: true`",
        "the client's notice to its covered entities",
        "at most 45 days",
    ] {
        assert!(msg.contains(words), "{words:?} in {msg}");
    }
    // The MSP's notice goes to the client, never "to the covered entity".
    assert!(!msg.contains("notice to the covered entity"), "{msg}");
    assert_eq!(gate("02-business-associate-agent", "ba-agent-too-long"), 1);
    // 30 days plus 15 fit in 60.
    assert!(findings(&doc, "ba-agent-fits", "CM008").is_empty());
    assert_eq!(gate("02-business-associate-agent", "ba-agent-fits"), 0);
    // Not its agent: the client's 60 days start at its own discovery; the MSP's own 60 days as
    // the client's subcontractor (164.410(b)) hold its 50, with no margin.
    assert!(findings(&doc, "ba-not-agent", "CM008").is_empty());
    assert_eq!(gate("02-business-associate-agent", "ba-not-agent"), 0);
    let found = findings(&doc, "ba-not-agent-too-long", "CM008");
    assert_eq!(controls(&found), ["hipaa:164.410(b)"]);
    let msg = message(&found[0]);
    assert!(
        msg.contains("70 days") && msg.contains("the MSP's notice, as the client's subcontractor, to the client"),
        "{msg}"
    );
    assert!(
        !msg.contains("covered entity") && !msg.contains("164.410(a)(2)"),
        "{msg}"
    );
    // explain shows the verdict with the agency rule.
    let run = explain(
        &scope_file("02-business-associate-agent", "agent-too-long"),
        "hipaa:164.410(b)",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("exceeds")
            && run
                .stdout
                .contains("under 45 CFR 164.410(a)(2) its discovery is the client's"),
        "{}",
        run.stdout
    );
}

// ------------------------------------------------------------------------------------------
// 3. A threshold that cannot be reached lifts the whole paragraph
// ------------------------------------------------------------------------------------------

#[test]
fn a_notice_threshold_out_of_reach_lifts_the_whole_paragraph_and_discovery_is_no_duty() {
    // 16 CFR 314.4(j): "Notify the Federal Trade Commission about notification events in
    // accordance with paragraphs (j)(1) and (2)"; (j)(1): "if the notification event involves the
    // information of at least 500 consumers"; (j)(2): "A notification event shall be treated as
    // discovered as of the first day on which such event is known to you."
    let small = matrix("03-threshold-paragraph", "300-consumers");
    let j = row(&small, "glba-safeguards:314.4(j)").expect("314.4(j) is a row");
    assert_eq!(j["summary"], "not-applicable");
    let why = j["reason"].as_str().unwrap_or_default();
    assert!(
        why.contains("at least 500 consumers") && why.contains("at most 300 consumers"),
        "the parent carries its part's reason: {why}"
    );
    assert_eq!(
        row(&small, "glba-safeguards:314.4(j)(1)").expect("(j)(1)")["summary"],
        "not-applicable"
    );
    assert!(
        row(&small, "glba-safeguards:314.4(j)(2)").is_none(),
        "(j)(2) is reference text, like 45 CFR 164.404(a)(2): no row, no owner"
    );
    let doc = checked("03-threshold-paragraph");
    assert!(findings(&doc, "ftc-300-consumers", "CM001").is_empty());
    assert_eq!(gate("03-threshold-paragraph", "ftc-300-consumers"), 0);
    let run = explain(
        &scope_file("03-threshold-paragraph", "300-consumers"),
        "glba-safeguards:314.4(j)",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("owner:        N/A") && run.stdout.contains("at least 500 consumers"),
        "{}",
        run.stdout
    );
    // 800 consumers: the notice is due and nobody owns it; discovery is still nobody's duty.
    let unowned = controls(&findings(&doc, "ftc-800-consumers", "CM001"));
    assert!(
        unowned.contains(&"glba-safeguards:314.4(j)(1)".to_string()),
        "{unowned:?}"
    );
    assert!(
        !unowned.iter().any(|c| c == "glba-safeguards:314.4(j)(2)"),
        "{unowned:?}"
    );
    assert_eq!(gate("03-threshold-paragraph", "ftc-800-consumers"), 1);
    let large = matrix("03-threshold-paragraph", "800-consumers");
    assert_eq!(
        row(&large, "glba-safeguards:314.4(j)").expect("(j)")["summary"],
        "unassigned"
    );
    assert!(row(&large, "glba-safeguards:314.4(j)(2)").is_none());
}

// ------------------------------------------------------------------------------------------
// 4. Signatures only the entity can give
// ------------------------------------------------------------------------------------------

#[test]
fn the_annual_filing_needs_the_entitys_own_signature() {
    // 23 NYCRR 500.17(b)(2): the certification or acknowledgment "shall be signed by the covered
    // entity's highest-ranking executive and its CISO"; 500.4(a): "The CISO may be employed by the
    // covered entity, one of its affiliates or a third-party service provider."
    let doc = checked("04-signatures");
    let found = findings(&doc, "dfs-msp-signs", "CM015");
    assert_eq!(controls(&found), ["nydfs-500:500.17(b)(2)"]);
    let msg = message(&found[0]);
    assert!(
        msg.contains("highest-ranking executive")
            && msg.contains("23 NYCRR 500.17(b)(2)")
            && msg.contains("set on 500.17(b)"),
        "{msg}"
    );
    // Accountability stayed with the client: no CM007.
    assert!(findings(&doc, "dfs-msp-signs", "CM007").is_empty());
    assert_eq!(gate("04-signatures", "dfs-msp-signs"), 1);
    // The President signs, the MSP's vCISO co-signs as the agency's CISO: no finding.
    assert!(findings(&doc, "dfs-joint", "CM015").is_empty());
    assert_eq!(gate("04-signatures", "dfs-joint"), 0);
    let run = explain(&scope_file("04-signatures", "msp-signs"), "nydfs-500:500.17(b)(2)");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("CM015"), "{}", run.stdout);
}

// ------------------------------------------------------------------------------------------
// 5. Non-delegable marks: too strict ones relaxed, missing ones added
// ------------------------------------------------------------------------------------------

#[test]
fn an_independent_firm_may_assess_providers_but_the_policy_stays_the_entitys() {
    // 16 CFR 314.4(f)(3): "Periodically assessing your service providers"; 23 NYCRR 500.11(a):
    // "Each covered entity shall implement written policies and procedures ... (4) periodic
    // assessment of such third-party service providers". The rules keep accountability and the
    // policy itself with the entity; the assessments can be performed by others.
    let doc = checked("05-retained-marks");
    assert!(findings(&doc, "fin-vendor-risk-firm", "CM015").is_empty());
    assert!(findings(&doc, "fin-vendor-risk-firm", "CM007").is_empty());
    assert_eq!(gate("05-retained-marks", "fin-vendor-risk-firm"), 0);
    let m = matrix("05-retained-marks", "vendor-risk-firm");
    for id in ["glba-safeguards:314.4(f)(3)", "nydfs-500:500.11(a)(4)"] {
        let r = row(&m, id).expect("row");
        assert_eq!(
            (&r["summary"], &r["accountable"]),
            (&Value::from("third-party"), &Value::from("client")),
            "{id}"
        );
    }
    // The policy itself is the entity's: the MSP made responsible for 500.11(a) is CM015 there,
    // and only there (its parts inherit the MSP but are tasks others may perform).
    let found = findings(&doc, "fin-msp-owns-tpsp-policy", "CM015");
    assert_eq!(controls(&found), ["nydfs-500:500.11(a)"]);
    assert_eq!(gate("05-retained-marks", "fin-msp-owns-tpsp-policy"), 1);
}

#[test]
fn the_entitys_own_notices_to_its_regulator_stay_its_accountability() {
    // 16 CFR 314.4(j)(1): "you must notify the Federal Trade Commission"; 23 NYCRR 500.17(a)(1):
    // "Each covered entity shall notify the superintendent"; 500.17(c): "Each covered entity ...
    // shall provide the superintendent ..." - as 45 CFR 164.404-164.408 for a covered entity.
    let doc = checked("05-retained-marks");
    let found = findings(&doc, "fin-msp-accountable", "CM007");
    assert_eq!(
        controls(&found),
        [
            "glba-safeguards:314.4(j)(1)",
            "nydfs-500:500.17(a)(1)",
            "nydfs-500:500.17(c)(1)"
        ]
    );
    for (f, cite) in found
        .iter()
        .zip(["16 CFR 314.4(j)(1)", "23 NYCRR 500.17(a)", "23 NYCRR 500.17(c)"])
    {
        assert!(message(f).contains(cite), "{cite}: {f}");
    }
    assert_eq!(gate("05-retained-marks", "fin-msp-accountable"), 1);
    assert!(findings(&doc, "fin-client-accountable", "CM007").is_empty());
    assert_eq!(gate("05-retained-marks", "fin-client-accountable"), 0);
}

#[test]
fn every_mark_a_catalog_sets_on_a_parent_says_whether_its_parts_are_kept_too() {
    // "A retained mark on a parent must not make its children's performable tasks non-delegable
    // unless the text says so; state per control which it is" (issue 19, point 5).
    for id in ["hipaa", "glba-safeguards", "nydfs-500"] {
        let cat = catalog(id);
        let list = cat["controls"].as_array().expect("controls");
        for c in list {
            let has_parts = list.iter().any(|k| k["parent"] == c["id"]);
            let r = &c["retained"];
            if r["responsible"] == Value::Bool(true) && has_parts {
                assert!(
                    r["parts"] == "retained" || r["parts"] == "delegable",
                    "{id}:{} marks a duty only the entity can perform and has parts, but does not say whether they are kept",
                    c["id"]
                );
            }
        }
    }
}

/// docs/findings.md's finding table row of `code` (`| CM007 | …`).
fn readme_row(code: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("docs/findings.md")).expect("docs/findings.md");
    readme
        .lines()
        .find(|l| l.starts_with(&format!("| {code} |")))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_findings_page_names_every_duty_the_catalogs_keep_with_the_entity() {
    // The catalogs are the data; docs/findings.md's CM007 and CM015 rows must name every control they mark.
    let cm007 = readme_row("CM007");
    let cm015 = readme_row("CM015");
    for id in ["hipaa", "glba-safeguards", "nydfs-500"] {
        for c in catalog(id)["controls"].as_array().expect("controls") {
            let control = c["id"].as_str().unwrap_or_default();
            if c["retained"]["accountable"] == Value::Bool(true) {
                assert!(
                    cm007.contains(control),
                    "docs/findings.md's CM007 row names {id}:{control}: {cm007}"
                );
            }
            if c["retained"]["responsible"] == Value::Bool(true) {
                assert!(
                    cm015.contains(control),
                    "docs/findings.md's CM015 row names {id}:{control}: {cm015}"
                );
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// 6. Who answers to the FTC
// ------------------------------------------------------------------------------------------

#[test]
fn a_banks_subsidiary_answers_to_the_banking_agencies_and_career_counselors_to_the_ftc() {
    // 15 U.S.C. 6805(a)(1) puts banks and their subsidiaries, and bank holding companies and their
    // nonbank subsidiaries or affiliates, under the banking agencies; 16 CFR 314.1(b): the FTC's
    // institutions are those "not otherwise subject to the enforcement authority of another
    // regulator"; 314.2(h)(2)(iv): a career counselor of the kind described "is a financial
    // institution".
    let frameworks = |m: &Value| -> Vec<String> {
        m["frameworks"]
            .as_array()
            .expect("frameworks")
            .iter()
            .map(|f| f["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let sub = matrix("06-ftc-jurisdiction", "bank-subsidiary");
    assert_eq!(frameworks(&sub), ["csf-2.0"]);
    let x = sub["frameworks_not_applicable"]
        .as_array()
        .expect("frameworks_not_applicable")
        .iter()
        .find(|x| x["id"] == "glba-safeguards")
        .expect("says why 16 CFR 314 does not apply");
    let why = x["reason"].as_str().unwrap_or_default();
    assert!(
        why.contains("`client.profile.bank_affiliate: true`")
            && why.contains("15 U.S.C. 6805(a)(1)")
            && why.contains("16 CFR 314.1(b)"),
        "{why}"
    );
    assert_eq!(
        frameworks(&matrix("06-ftc-jurisdiction", "independent-lender")),
        ["csf-2.0", "glba-safeguards"]
    );
    let counselor = matrix("06-ftc-jurisdiction", "career-counselor");
    assert_eq!(frameworks(&counselor), ["csf-2.0", "glba-safeguards"]);
    let because = counselor["frameworks"][1]["reason"].as_str().unwrap_or_default();
    assert!(
        because.contains("career-counselor") && because.contains("16 CFR 314.2(h)(2)(iv)"),
        "{because}"
    );
    let doc = checked("06-ftc-jurisdiction");
    let found = findings(&doc, "ftc-bank-subsidiary-says-glba", "CM017");
    assert_eq!(controls(&found), ["glba-safeguards:314.1(b)"]);
    assert!(message(&found[0]).contains("6805(a)(1)"), "{}", found[0]);
    for scope in ["ftc-bank-subsidiary", "ftc-independent-lender", "ftc-career-counselor"] {
        assert!(findings(&doc, scope, "CM017").is_empty(), "{scope}");
        assert_eq!(gate("06-ftc-jurisdiction", scope), 0, "{scope}");
    }
}

// ------------------------------------------------------------------------------------------
// 7. Say why a framework does not apply
// ------------------------------------------------------------------------------------------

/// What the credit union's reason must say: what its profile declares, who regulates it, and the
/// provisions (16 CFR 314.1(b); 15 U.S.C. 6805(a)(2)).
fn says_ncua(text: &str) {
    for words in [
        "16 CFR Part 314",
        "`client.profile.institution_type: federally-insured-credit-union`",
        "National Credit Union Administration",
        "15 U.S.C. 6805(a)(2)",
        "16 CFR 314.1(b)",
    ] {
        assert!(text.contains(words), "{words:?} in {text}");
    }
}

#[test]
fn check_matrix_and_explain_say_why_each_catalog_does_not_apply() {
    let ws = workspace("07-why-not");
    let file = scope_file("07-why-not", "credit-union");
    // check, text: one line per catalog that does not apply.
    let run = ctrlmap(["check".as_ref(), ws.as_os_str(), "--as-of".as_ref(), AS_OF.as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("  not applicable: glba-safeguards"))
        .unwrap_or_default();
    says_ncua(line);
    assert!(
        run.stdout.contains(
            "  not applicable: hipaa (45 CFR Part 164, Subparts C and D): the profile does not declare `hipaa`"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "  not applicable: hipaa (45 CFR Part 164, Subparts C and D): the scope lists its frameworks without it (`frameworks: [csf-2.0]`)"
        ),
        "{}",
        run.stdout
    );
    // check, JSON.
    let doc = checked("07-why-not");
    let scope = doc["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .find(|s| s["scope"] == "credit-union")
        .expect("scope");
    let x = scope["frameworks_not_applicable"]
        .as_array()
        .expect("frameworks_not_applicable")
        .iter()
        .find(|x| x["id"] == "glba-safeguards")
        .expect("glba");
    assert_eq!(x["citation"], "16 CFR Part 314");
    says_ncua(&format!("16 CFR Part 314 {}", x["reason"].as_str().unwrap_or_default()));
    let ids: Vec<&str> = scope["frameworks_not_applicable"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert_eq!(ids, ["hipaa", "glba-safeguards", "nydfs-500"]);
    // matrix, JSON and text.
    let m = matrix("07-why-not", "credit-union");
    assert_eq!(m["frameworks_not_applicable"], scope["frameworks_not_applicable"]);
    let run = ctrlmap(["matrix".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says_ncua(
        run.stdout
            .lines()
            .find(|l| l.starts_with("not applicable: glba-safeguards"))
            .unwrap_or_default(),
    );
    // explain of a control of that catalog: exit 0, with the reason and the citation.
    let run = explain(&file, "glba-safeguards:314.4(c)(5)");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("owner:        N/A"), "{}", run.stdout);
    says_ncua(
        run.stdout
            .lines()
            .find(|l| l.starts_with("reason:"))
            .unwrap_or_default(),
    );
    let run = ctrlmap([
        "explain".as_ref(),
        file.as_os_str(),
        "glba-safeguards:314.4(c)(5)".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(j["row"], Value::Null);
    assert_eq!(j["framework_not_applicable"]["id"], "glba-safeguards");
    // `matrix --framework` refuses with the reason.
    let run = ctrlmap([
        "matrix".as_ref(),
        file.as_os_str(),
        "--framework".as_ref(),
        "glba-safeguards".as_ref(),
    ]);
    assert_eq!(run.code, 2);
    says_ncua(&run.stderr);
}

#[test]
fn a_refusal_quotes_what_the_scope_actually_says() {
    // The credit union writes `institution_type` and nothing about `glba` or `nydfs`: the refusal
    // must not claim it has `nydfs: none` or `glba: false`.
    let file = scope_file("07-why-not", "credit-union");
    let run = ctrlmap([
        "render".as_ref(),
        "tpsp-summary".as_ref(),
        file.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    says_ncua(&run.stderr);
    assert!(
        run.stderr.contains("the profile does not declare `nydfs`"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("nydfs: none") && !run.stderr.contains("glba: false"),
        "{}",
        run.stderr
    );
    let run = ctrlmap([
        "render".as_ref(),
        "baa-appendix".as_ref(),
        file.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("the profile does not declare `hipaa`") && !run.stderr.contains("hipaa: none"),
        "{}",
        run.stderr
    );
}

#[test]
fn explain_of_an_ftc_control_on_the_example_ny_dfs_scope_says_why_16_cfr_314_does_not_apply() {
    // Acceptance 2: the agency is an insurance producer; "any person engaged in providing
    // insurance" answers to the State insurance authority (15 U.S.C. 6805(a)(6)), not to the FTC
    // (16 CFR 314.1(b)).
    let file = example().join("scopes/hudson-valley-insurance.yaml");
    let run = explain(&file, "glba-safeguards:314.4(a)");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let reason = run
        .stdout
        .lines()
        .find(|l| l.starts_with("reason:"))
        .unwrap_or_default();
    for words in [
        "16 CFR Part 314 does not apply",
        "`client.profile.institution_type: insurance-producer`",
        "State insurance authority",
        "15 U.S.C. 6805(a)(6)",
        "16 CFR 314.1(b)",
    ] {
        assert!(reason.contains(words), "{words:?} in {}", run.stdout);
    }
    assert!(
        run.stdout.contains("Designate a qualified individual"),
        "{}",
        run.stdout
    );
}

// ------------------------------------------------------------------------------------------
// 8. Business days
// ------------------------------------------------------------------------------------------

#[test]
fn a_window_in_business_days_is_measured_by_its_longest_calendar_case() {
    // A notice due "one business day" after a Friday lands on Monday: 72 hours; "five business
    // days" after a Friday end the next Friday: 7 days. 23 NYCRR 500.17(a)(1): "in no event later
    // than 72 hours after determining"; 16 CFR 314.4(j)(1): "no later than 30 days after discovery".
    let doc = checked("08-business-days");
    let found = findings(&doc, "dfs-one-bd", "CM008");
    assert_eq!(controls(&found), ["nydfs-500:500.17(a)(1)"]);
    let msg = message(&found[0]);
    assert!(msg.contains("72 hours (1bd)") && msg.contains("12 hours"), "{msg}");
    assert_eq!(gate("08-business-days", "dfs-one-bd"), 1);
    assert!(
        findings(&doc, "dfs-one-bd-no-margin", "CM008").is_empty(),
        "72 hours fit in 72"
    );
    assert_eq!(gate("08-business-days", "dfs-one-bd-no-margin"), 0);
    let found = findings(&doc, "ftc-five-bd-too-long", "CM008");
    assert_eq!(controls(&found), ["glba-safeguards:314.4(j)(1)"]);
    assert!(message(&found[0]).contains("7 days (5bd)"), "{}", found[0]);
    assert_eq!(gate("08-business-days", "ftc-five-bd-too-long"), 1);
    assert!(
        findings(&doc, "ftc-five-bd-fits", "CM008").is_empty(),
        "7 + 23 days fit in 30"
    );
    assert_eq!(gate("08-business-days", "ftc-five-bd-fits"), 0);
    // The verdict as explain --format json gives it.
    let file = scope_file("08-business-days", "one-bd-no-margin");
    let run = ctrlmap([
        "explain".as_ref(),
        file.as_os_str(),
        "nydfs-500:500.17(a)(1)".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let j: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let n = &j["notifications"][0];
    assert_eq!(
        (n["window_hours"].as_u64(), n["verdict"].as_str()),
        (Some(72), Some("within")),
        "{n}"
    );
}

// ------------------------------------------------------------------------------------------
// 9. Crosswalk rows, re-judged
// ------------------------------------------------------------------------------------------

/// The crosswalk rows of a control, as `frameworks show --format json` lists them.
fn mappings(control: &str) -> Vec<Value> {
    let run = ctrlmap(["frameworks", "show", control, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    doc["mappings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn re_judged_crosswalk_rows_intersect_and_say_why() {
    // 314.4(b)(1): "The risk assessment shall be written" rides on (i); GV.RM-06 asks for a method
    // "established and communicated", not written criteria. 314.4(e)(3) adds "security updates";
    // 500.16(a)(1)(ix) is an area a written plan "shall address".
    for (from, to, words) in [
        ("glba-safeguards:314.4(b)(1)(i)", "csf-2.0:GV.RM-06", "shall be written"),
        ("glba-safeguards:314.4(e)(3)", "csf-2.0:PR.AT-02", "security updates"),
        ("nydfs-500:500.16(a)(1)(ix)", "csf-2.0:ID.IM-04", "shall address"),
    ] {
        let rows = mappings(from);
        let r = rows
            .iter()
            .find(|r| r["to"] == to)
            .unwrap_or_else(|| panic!("{from} → {to}"));
        assert_eq!(r["relationship"], "intersects-with", "{from} → {to}");
        let why = r["rationale"].as_str().unwrap_or_default();
        assert!(why.contains("Re-judged") && why.contains(words), "{from}: {why}");
    }
    // 314.4(j)(2) says when an event counts as discovered: no relationship to any outcome.
    assert!(mappings("glba-safeguards:314.4(j)(2)").is_empty());
    let doc = checked("09-crosswalk-rows");
    let found = findings(&doc, "xw-training-unowned", "CM001");
    assert_eq!(controls(&found), ["glba-safeguards:314.4(e)(3)"]);
    assert!(
        message(&found[0]).contains("PR.AT-02 (intersects-with)"),
        "{}",
        found[0]
    );
    assert_eq!(gate("09-crosswalk-rows", "xw-training-unowned"), 1);
    assert!(findings(&doc, "xw-training-assigned", "CM001").is_empty());
    assert_eq!(gate("09-crosswalk-rows", "xw-training-assigned"), 0);
}
