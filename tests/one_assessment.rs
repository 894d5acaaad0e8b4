//! One assessment, one answer (issue 12, acceptance 2): the gate, `explain`, the evidence
//! pack and the BAA appendix are all functions of one `Assessment`, so they must agree.
//!
//! The fixture (tests/fixtures/one_assessment, copied to a scratch folder) is a HIPAA covered
//! entity whose risk analysis is 400 days old under packs that allow 500 days, and whose MSP,
//! declared its agent (164.404(a)(2)), notifies within 50 days while the client needs 15 more:
//! inside the 60 days of 164.404(b) and 164.410(b), outside 164.404(b) once the margin is
//! added. Every expected value below is computed from the fixture's own files and the
//! regulation, never taken from the tool.

mod support;
use serde_json::Value;
use std::path::Path;
use support::*;

const AS_OF: &str = "2026-11-30";
const SCOPE: &str = "scopes/lakeside-clinic.yaml";
const RISK_ANALYSIS: &str = "hipaa:164.308(a)(1)(ii)(A)";
/// 45 CFR 164.404(b) and 164.410(b): "in no case later than 60 calendar days after discovery".
const REGULATORY_LIMIT_DAYS: i64 = 60;

/// The value of `key: VALUE` on the first line of `text` that has it.
fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.split_once(&format!("{key}: ")).map(|(_, v)| v))
        .unwrap_or_else(|| panic!("no `{key}:` in the fixture"))
        .trim()
}

fn date(s: &str) -> time::Date {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).expect("a date")
}

/// `50d` → 50.
fn days(s: &str) -> i64 {
    s.trim_end_matches(['}', ' '])
        .strip_suffix('d')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("`{s}` is not a number of days"))
}

/// What the fixture says, read from its files.
struct Inputs {
    effective: String,
    age_days: i64,
    max_age_days: i64,
    window_days: i64,
    margin_days: i64,
}

fn inputs(ws: &Path) -> Inputs {
    let scope = std::fs::read_to_string(ws.join(SCOPE)).expect("scope");
    let effective = field(&scope, "effective").to_string();
    let age_days = (date(AS_OF) - date(&effective)).whole_days();
    // Both packs that judge the evidence's age allow the same maximum.
    let hipaa = std::fs::read_to_string(ws.join("policies/hipaa.yaml")).expect("pack");
    let baseline = std::fs::read_to_string(ws.join("policies/csf-baseline.yaml")).expect("pack");
    let max_age_days: i64 = field(&hipaa, "max_age_days").parse().expect("number");
    assert_eq!(field(&baseline, "max_age_days"), max_age_days.to_string());
    let sla = field(&scope, "sla");
    let window_days = days(field(sla, "incident_notification").split(',').next().expect("window"));
    let margin_days = days(field(sla, "client_margin"));
    Inputs {
        effective,
        age_days,
        max_age_days,
        window_days,
        margin_days,
    }
}

fn workspace(name: &str) -> Scratch {
    Scratch::copy_of(&fixture("one_assessment"), name)
}

#[test]
fn the_fixture_is_the_case_the_issue_describes() {
    let s = workspace("one-inputs");
    let i = inputs(&s.ws());
    // Old (over a year) but within the pack's maximum.
    assert_eq!(i.age_days, 400);
    assert!(i.age_days > 365 && i.age_days <= i.max_age_days);
    // The window is inside the regulatory limit, but not with the client's margin.
    assert!(i.window_days <= REGULATORY_LIMIT_DAYS);
    assert!(i.window_days + i.margin_days > REGULATORY_LIMIT_DAYS);
}

#[test]
fn the_gate_finds_the_notice_margin_and_no_stale_evidence() {
    let s = workspace("one-gate");
    let run = ctrlmap_in(&s.ws(), ["check", ".", "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(run.code, 1, "CM008 is high: the gate fails\n{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let findings = doc["findings"].as_array().expect("findings");
    let on = |code: &str, control: &str| findings.iter().any(|f| f["code"] == code && f["control"] == control);
    // Evidence 400 days old under a 500-day maximum is fresh: no CM012 at all.
    assert!(!findings.iter().any(|f| f["code"] == "CM012"), "{}", run.stdout);
    // The MSP's 50 days plus the client's 15 exceed the 60 of 164.404(b): CM008.
    assert!(on("CM008", "hipaa:164.404(b)"), "{}", run.stdout);
    // The MSP's own 60 days as business associate (164.410(b)) take no margin: within.
    assert!(!on("CM008", "hipaa:164.410(b)"), "{}", run.stdout);
    let i = inputs(&s.ws());
    let cm008 = findings
        .iter()
        .find(|f| f["code"] == "CM008" && f["control"] == "hipaa:164.404(b)")
        .expect("CM008");
    let message = cm008["message"].as_str().expect("message");
    assert!(
        message.contains(&format!("up to {} days", i.window_days))
            && message.contains(&format!("the {} days the client needs", i.margin_days))
            && message.contains(&format!(
                "the {REGULATORY_LIMIT_DAYS} days that 45 CFR 164.404(b) allows"
            )),
        "{message}"
    );
    // The fix it proposes is the regulatory limit less the margin.
    assert!(
        message.contains(&format!("at most {} days", REGULATORY_LIMIT_DAYS - i.margin_days)),
        "{message}"
    );
}

#[test]
fn explain_says_the_evidence_is_fresh_and_the_notice_exceeds_the_margin() {
    let s = workspace("one-explain");
    let i = inputs(&s.ws());
    let evidence = ctrlmap_in(&s.ws(), ["explain", SCOPE, RISK_ANALYSIS, "--as-of", AS_OF]);
    assert_eq!(evidence.code, 0, "{}", evidence.stderr);
    let line = format!(
        "evidence/risk-analysis.md (effective {}): fresh, {} days old, at most {} allowed",
        i.effective, i.age_days, i.max_age_days
    );
    assert!(evidence.stdout.contains(&line), "{line}\n{}", evidence.stdout);
    assert!(!evidence.stdout.contains("CM012"), "{}", evidence.stdout);

    let notice = ctrlmap_in(&s.ws(), ["explain", SCOPE, "hipaa:164.404(b)", "--as-of", AS_OF]);
    assert_eq!(notice.code, 0, "{}", notice.stderr);
    assert!(
        notice.stdout.contains("CM008 notification-window-too-long"),
        "{}",
        notice.stdout
    );
    assert!(
        notice.stdout.contains(&format!(
            "45 CFR 164.404(b) (individual-notice): exceeds — {} days ({}d), plus the {} days the client needs to act, exceeds the {REGULATORY_LIMIT_DAYS} days",
            i.window_days, i.window_days, i.margin_days
        )),
        "{}",
        notice.stdout
    );

    let ba = ctrlmap_in(&s.ws(), ["explain", SCOPE, "hipaa:164.410(b)", "--as-of", AS_OF]);
    assert_eq!(ba.code, 0, "{}", ba.stderr);
    assert!(!ba.stdout.contains("CM008"), "{}", ba.stdout);
    assert!(
        ba.stdout.contains("45 CFR 164.410(b) (ba-breach-notice): within"),
        "{}",
        ba.stdout
    );
}

#[test]
fn the_packs_evidence_page_says_fresh_with_the_packs_maximum() {
    let s = workspace("one-pack");
    let i = inputs(&s.ws());
    let run = ctrlmap_in(&s.ws(), ["pack", SCOPE, "-o", "pack", "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(s.ws().join("pack/evidence.html")).expect("evidence page");
    let row = html
        .split("<tr")
        .find(|r| r.contains("evidence/risk-analysis.md"))
        .expect("a row for the risk analysis");
    assert!(row.contains(&format!(">{}<", i.effective)), "{row}");
    assert!(row.contains(&format!("<td class=\"num\">{}</td>", i.age_days)), "{row}");
    assert!(
        row.contains(&format!(
            "<span class=\"badge fresh\">fresh</span><div class=\"small\">at most {} days</div>",
            i.max_age_days
        )),
        "{row}"
    );
    let csv = std::fs::read_to_string(s.ws().join("pack/evidence.csv")).expect("evidence.csv");
    let line = csv
        .lines()
        .find(|l| l.starts_with("evidence/risk-analysis.md,"))
        .expect("a CSV row");
    assert!(
        line.contains(&format!(",{},{},fresh,", i.effective, i.age_days)),
        "{line}"
    );
    // The gap report of the pack has the same findings as the gate.
    let findings: Value =
        serde_json::from_str(&std::fs::read_to_string(s.ws().join("pack/findings.json")).expect("findings"))
            .expect("JSON");
    let codes: Vec<(&str, &str)> = findings["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "CM008" || f["code"] == "CM012")
        .map(|f| (f["code"].as_str().unwrap_or(""), f["control"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(codes, [("CM008", "hipaa:164.404(b)"), ("CM008", "hipaa:164.406(b)")]);
}

#[test]
fn the_baa_appendix_says_the_notice_does_not_leave_the_margin() {
    let s = workspace("one-baa");
    let i = inputs(&s.ws());
    let run = ctrlmap_in(&s.ws(), ["render", "baa-appendix", SCOPE, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = &run.stdout;
    // The notice to individuals (164.404(b)): the window plus the margin exceeds the limit.
    let row = md
        .lines()
        .find(|l| l.starts_with("| **45 CFR 164.404(b)**<br>Notification to individuals"))
        .expect("the 164.404(b) notice row");
    let missed_404 = format!(
        "45 CFR 164.404(b) (notice to affected individuals): the proposed {} calendar days, plus the {} days the covered entity needs to act, exceed its {REGULATORY_LIMIT_DAYS} calendar days",
        i.window_days, i.margin_days
    );
    assert!(row.contains(&format!("It is not met: {missed_404}.")), "{row}");
    // The business associate's own notice (164.410(b)) takes no margin: within, as in explain.
    let ba = md
        .lines()
        .find(|l| l.starts_with("| **45 CFR 164.410(b)**<br>Notification by a business associate"))
        .expect("the 164.410(b) notice row");
    assert!(
        ba.contains(&format!(
            "The agreed {} calendar days is within its 60 calendar days.",
            i.window_days
        )),
        "{ba}"
    );
    // The breach term does not stop at "within 164.410(b)": it says which deadlines the window
    // does not meet, as the gate does.
    let term = md
        .lines()
        .find(|l| l.starts_with("| Breach of unsecured protected health information |"))
        .expect("the breach term");
    let missed: Vec<&str> = term.split("<br>").filter(|p| p.starts_with("Not met: ")).collect();
    assert_eq!(missed.len(), 2, "{term}");
    assert_eq!(missed[0], format!("Not met: {missed_404}."));
    assert!(missed[1].starts_with("Not met: 45 CFR 164.406(b)"), "{missed:?}");
    // The open gaps are the gate's CM008 findings.
    let gaps = md.split("## 9. Open gaps").nth(1).expect("gaps section");
    assert!(
        gaps.lines()
            .any(|l| l.starts_with("| high | CM008 | 45 CFR 164.404(b)")),
        "{gaps}"
    );
    assert!(!gaps.contains("CM012"), "{gaps}");
}

/// The FTC Safeguards Rule case of the fixture (issue 24, acceptance 3): the gate, `explain`,
/// the provider summary, the OSCAL assessment results of `export oscal` and those of the
/// evidence pack are all renderings of one assessment, so they say the same thing.
const GLBA_SCOPE: &str = "scopes/harbor-tax.yaml";
const GLBA_SCOPE_ID: &str = "harbor-tax";
const WRITTEN_RISK_ASSESSMENT: &str = "glba-safeguards:314.4(b)(1)";
/// 16 CFR 314.4(j)(1): "no later than 30 days after discovery of the event".
const FTC_NOTICE: &str = "glba-safeguards:314.4(j)(1)";
const FTC_LIMIT_DAYS: i64 = 30;
/// 16 CFR 314.4(f)(3): "Periodically assessing your service providers".
const PERIODIC_ASSESSMENT: &str = "glba-safeguards:314.4(f)(3)";
const CONTRACT_SAFEGUARDS: &str = "glba-safeguards:314.4(f)(2)";

/// The (code, control) of the findings about notice, evidence age and provider oversight.
type Decided = std::collections::BTreeSet<(String, String)>;

fn decided<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Decided {
    pairs
        .filter(|(code, _)| ["CM008", "CM012", "CM018"].contains(code))
        .map(|(c, k)| (c.to_string(), k.to_string()))
        .collect()
}

/// The findings of an OSCAL assessment results file: (code, control, state), sorted.
fn oscal_findings(path: &Path) -> Vec<(String, String, String)> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("assessment results")).expect("JSON");
    let mut out: Vec<(String, String, String)> = doc["assessment-results"]["results"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let code = f["props"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "code")
                .and_then(|p| p["value"].as_str())
                .unwrap_or_default()
                .to_string();
            (
                code,
                f["target"]["title"].as_str().unwrap_or_default().to_string(),
                f["target"]["status"]["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_provider_summary_and_the_oscal_results_agree_with_the_gate() {
    let s = workspace("one-glba");
    let scope = std::fs::read_to_string(s.ws().join(GLBA_SCOPE)).expect("scope");
    let sla = field(&scope, "sla");
    let window = days(field(sla, "incident_notification").split(',').next().expect("window"));
    let margin = days(field(sla, "client_margin"));
    let evidence_entry = scope.split("\nevidence:").nth(1).expect("evidence");
    let effective = field(evidence_entry, "effective").to_string();
    let assessed = field(&scope, "date").to_string();
    let evidence_age = (date(AS_OF) - date(&effective)).whole_days();
    let assessment_age = (date(AS_OF) - date(&assessed)).whole_days();
    // The case: fresh evidence, a notice window that does not leave the margin, an old
    // assessment of the provider.
    assert!(window + margin > FTC_LIMIT_DAYS && assessment_age > 365 && evidence_age <= 500);

    // The gate.
    let run = ctrlmap_in(&s.ws(), ["check", ".", "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let gate = decided(
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["scope"] == GLBA_SCOPE_ID)
            .map(|f| (f["code"].as_str().unwrap_or(""), f["control"].as_str().unwrap_or(""))),
    );
    let expected: Decided = [("CM008", FTC_NOTICE), ("CM018", PERIODIC_ASSESSMENT)]
        .into_iter()
        .map(|(c, k)| (c.to_string(), k.to_string()))
        .collect();
    assert_eq!(gate, expected, "{}", run.stdout);

    // `explain`: the evidence is fresh, the notice exceeds.
    let evidence = ctrlmap_in(
        &s.ws(),
        ["explain", GLBA_SCOPE, WRITTEN_RISK_ASSESSMENT, "--as-of", AS_OF],
    );
    assert_eq!(evidence.code, 0, "{}", evidence.stderr);
    assert!(
        evidence.stdout.contains(&format!(
            "evidence/risk-analysis.md (effective {effective}): fresh, {evidence_age} days old, at most 500 allowed"
        )),
        "{}",
        evidence.stdout
    );
    let notice = ctrlmap_in(&s.ws(), ["explain", GLBA_SCOPE, FTC_NOTICE, "--as-of", AS_OF]);
    assert!(
        notice.stdout.contains(&format!(
            "16 CFR 314.4(j)(1) (ftc-notification-event): exceeds — {window} days ({window}d), plus the {margin} days the client needs to act, exceeds the {FTC_LIMIT_DAYS} days"
        )),
        "{}",
        notice.stdout
    );

    // The provider summary: the same notice verdict, and its gaps are the gate's CM018.
    let summary = ctrlmap_in(&s.ws(), ["render", "tpsp-summary", GLBA_SCOPE, "--as-of", AS_OF]);
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    let md = &summary.stdout;
    assert!(
        md.contains(&format!(
            "The provider notifies the client within {window} calendar days; 16 CFR 314.4(j)(1) gives the client {FTC_LIMIT_DAYS} calendar days to notify the Federal Trade Commission: the provider's notice does not fit"
        )),
        "{md}"
    );
    let row = |cite: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| **{cite}**")))
            .unwrap_or_else(|| panic!("no row for {cite}\n{md}"))
            .to_string()
    };
    assert!(row("16 CFR 314.4(f)(3)").contains("| Gap |"), "{md}");
    assert!(row("16 CFR 314.4(f)(3)").contains("Reported by CM018."), "{md}");
    assert!(
        row("16 CFR 314.4(f)(3)").contains(&format!("(the latest is of {assessed})")),
        "{md}"
    );
    assert!(row("16 CFR 314.4(f)(2)").contains("| Addressed |"), "{md}");
    let summary_gaps: Vec<String> = md
        .lines()
        .filter(|l| l.starts_with("| **16 CFR 314.4(f)") && l.contains("| Gap |"))
        .map(|l| {
            l.split("**")
                .nth(1)
                .unwrap_or_default()
                .replace("16 CFR ", "glba-safeguards:")
        })
        .collect();
    let gate_cm018: Vec<String> = gate
        .iter()
        .filter(|(code, _)| code == "CM018")
        .map(|(_, control)| control.clone())
        .collect();
    assert_eq!(summary_gaps, gate_cm018);
    assert!(!gate.iter().any(|(_, c)| c == CONTRACT_SAFEGUARDS));

    // The OSCAL assessment results, from `export oscal` and from the evidence pack: the same
    // findings, the gate's not satisfied, the fresh evidence's control satisfied.
    let export = ctrlmap_in(&s.ws(), ["export", "oscal", ".", "-o", "oscal", "--as-of", AS_OF]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let pack = ctrlmap_in(&s.ws(), ["pack", GLBA_SCOPE, "-o", "pack", "--as-of", AS_OF]);
    assert_eq!(pack.code, 0, "{}", pack.stderr);
    let exported = oscal_findings(
        &s.ws()
            .join(format!("oscal/scopes/{GLBA_SCOPE_ID}/assessment-results.json")),
    );
    let packed = oscal_findings(&s.ws().join("pack/oscal/assessment-results.json"));
    assert_eq!(exported, packed);
    let not_satisfied = decided(
        exported
            .iter()
            .filter(|(_, _, state)| state == "not-satisfied")
            .map(|(code, control, _)| (code.as_str(), control.as_str())),
    );
    assert_eq!(not_satisfied, gate);
    let risk: Vec<&str> = exported
        .iter()
        .filter(|(_, control, _)| control == WRITTEN_RISK_ASSESSMENT)
        .map(|(_, _, state)| state.as_str())
        .collect();
    assert_eq!(risk, ["satisfied"]);
}
