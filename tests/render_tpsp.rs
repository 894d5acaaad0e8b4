//! The third-party service provider summary: the MSP's services and controls, 23 NYCRR
//! 500.11(a) and (b) and 16 CFR 314.4(f) point by point (from the catalogs) with the engine's
//! verdict on each, addressed only by declared facts; the notice of an event apart from the
//! notice of an incident; refused for clients under neither regulation.

mod support;
use ctrlmap::emit::documents::{Format, RenderError, tpsp_summary};
use ctrlmap::load::Loaded;
use std::path::PathBuf;
use support::Scratch;

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

fn fixture() -> PathBuf {
    support::fixture("render/northwind")
}

fn load() -> Loaded {
    let ws = Loaded::load(&fixture()).expect("loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}",
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

fn render(ws: &Loaded, id: &str, format: Format) -> Result<String, RenderError> {
    let s = ws.scopes.iter().find(|s| s.id == id).expect("scope");
    tpsp_summary(
        ws,
        s,
        &ctrlmap::assess::assess_scope(ws, s, &ctrlmap::cli::overrides(ws), AS_OF),
        format,
    )
}

/// The row of a point: `(status, what answers it)`.
fn point<'a>(md: &'a str, cite: &str) -> (&'a str, &'a str) {
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| **{cite}**<br>")))
        .unwrap_or_else(|| panic!("{cite} answered"));
    let cells: Vec<&str> = row.split(" | ").collect();
    (cells[1], cells[2].trim_end_matches(" |"))
}

#[test]
fn every_500_11_and_314_4_f_point_of_the_catalogs_is_answered_with_the_engines_verdict() {
    let ws = load();
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    for (fw, parent) in [
        ("nydfs-500", "500.11(a)"),
        ("nydfs-500", "500.11(b)"),
        ("glba-safeguards", "314.4(f)"),
    ] {
        let f = ws.framework(fw).expect("catalog");
        let i = f.index(parent).expect("parent");
        assert!(!f.children(i).is_empty());
        for &k in f.children(i) {
            let c = &f.controls[k];
            let row = md
                .lines()
                .find(|l| l.starts_with(&format!("| **{}**<br>", f.cite(&c.id))))
                .unwrap_or_else(|| panic!("{} answered", c.id));
            assert!(row.contains(&ctrlmap::emit::escape::md_cell(&c.title)), "{row}");
            let text = c.text.as_deref().expect("the point's text");
            assert!(
                row.contains(&format!("“{}”", ctrlmap::emit::escape::md_cell(text))),
                "quoted: {row}"
            );
            let (status, _) = point(&md, &f.cite(&c.id));
            assert!(["Addressed", "To review", "Gap"].contains(&status), "{row}");
        }
    }
}

/// "Addressed" only on a declared fact that answers the point: the MSP running the client's
/// MFA (500.12) does not answer 500.11(b)(1), which asks about the provider's own access
/// controls; a contract named without a clause does not answer 314.4(f)(2).
#[test]
fn a_point_is_addressed_only_by_a_declared_fact_that_answers_it() {
    let ws = load();
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    assert!(
        md.contains("| **23 NYCRR 500.12(a)(1)**<br>") && md.contains("| MSP | Enforce multi-factor authentication"),
        "the MSP runs the client's MFA"
    );
    let (status, what) = point(&md, "23 NYCRR 500.11(b)(1)");
    assert_eq!(status, "To review");
    assert!(what.contains("No clause of the contract or attestation"), "{what}");
    let (status, what) = point(&md, "16 CFR 314.4(f)(2)");
    assert_eq!(status, "To review", "{what}");
    assert!(
        what.contains("No clause of the contract is declared that covers its safeguards"),
        "{what}"
    );

    // Declared facts: a clause and an attestation answer them, and the summary quotes them.
    let scratch = Scratch::copy_of(&fixture(), "tpsp-facts");
    let file = scratch.ws().join("scopes/hudson-lending.yaml");
    let text = std::fs::read_to_string(&file).expect("read").replace(
        "  effective: 2025-07-01\n",
        "  effective: 2025-07-01\n  clauses:\n    - { ref: 'MSA-2025-031, schedule C, section 2', covers: [safeguards, access-controls], text: Northwind maintains the safeguards of schedule C. }\n  attestations:\n    - { title: SOC 2 Type II report, date: 2026-06-30, covers: [mfa, encryption] }\n  assessments:\n    - { kind: periodic, date: 2026-03-01, by: The CFO }\n",
    );
    std::fs::write(&file, text).expect("write");
    let ws = Loaded::load(&scratch.ws()).expect("loads");
    assert!(ws.diagnostics.is_empty(), "{:?}", ws.diagnostics);
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    let (status, what) = point(&md, "23 NYCRR 500.11(b)(1)");
    assert_eq!(status, "Addressed", "{what}");
    assert!(
        what.contains(
            "Contract, MSA-2025-031, schedule C, section 2: “Northwind maintains the safeguards of schedule C.”"
        ),
        "{what}"
    );
    assert!(what.contains("SOC 2 Type II report, dated 2026-06-30"), "{what}");
    assert_eq!(point(&md, "16 CFR 314.4(f)(2)").0, "Addressed");
    assert_eq!(point(&md, "16 CFR 314.4(f)(3)").0, "Addressed");
    assert_eq!(point(&md, "23 NYCRR 500.11(a)(4)").0, "Addressed");
}

/// The provider's notice of a cybersecurity event (500.11(b)(3)) and the 72-hour notice of a
/// cybersecurity incident (500.17(a)(1)) are different things and are never merged.
#[test]
fn the_notice_of_an_event_and_the_notice_of_an_incident_are_kept_apart() {
    let ws = load();
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    let (status, what) = point(&md, "23 NYCRR 500.11(b)(3)");
    assert_eq!(status, "To review");
    assert!(what.contains("notice to the client of a cybersecurity event"), "{what}");
    assert!(!what.contains("72 hours") && !what.contains("24 hours"), "{what}");
    let incident = md
        .split("Notice of a cybersecurity incident")
        .nth(1)
        .expect("incident notice");
    assert!(incident.contains("“Cybersecurity event means"), "500.1(f) quoted");
    assert!(incident.contains("“Cybersecurity incident means"), "500.1(g) quoted");
    assert!(incident.contains("The provider notifies the client within 24 hours; 23 NYCRR 500.17(a)(1) gives the client 72 hours to notify the superintendent: the provider's notice fits."));
}

#[test]
fn services_and_the_providers_controls_are_listed() {
    let ws = load();
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    for name in [
        "Identity and Access Security",
        "Managed Detection and Response",
        "Managed Backup and Disaster Recovery",
        "Virtual CISO",
    ] {
        assert!(md.contains(&format!("| **{name}** |")), "{name}");
    }
    assert!(
        md.contains("| **23 NYCRR 500.12(a)(1)**<br>") && md.contains("Enforce multi-factor authentication"),
        "MFA is the provider's"
    );
    assert!(md.contains("**FTC Safeguards Rule: "), "GLBA responsibilities");
    assert!(md.contains("| The client's other declared providers | **Microsoft 365** (cloud provider) |"));
    let html = render(&ws, "hudson-lending", Format::Html).expect("renders");
    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script"));
}

#[test]
fn clients_under_neither_regulation_are_refused() {
    let ws = load();
    for id in ["riverside-dental", "corner-bakery"] {
        let err = render(&ws, id, Format::Markdown).expect_err("refused");
        assert!(matches!(err, RenderError::NotApplicable { .. }), "{err:?}");
        let msg = err.to_string();
        // Neither profile writes `nydfs`, `glba` or `institution_type`: the refusal quotes what the
        // scope says, never a value it did not write (issue 19), with whom each rule binds.
        assert!(
            msg.contains("23 NYCRR Part 500 does not apply: the profile does not declare `nydfs`")
                && msg.contains(
                    "16 CFR Part 314 does not apply: the profile declares neither `glba` nor `institution_type`"
                )
                && msg.contains("16 CFR 314.1(b)")
                && msg.contains("23 NYCRR 500.1(e)"),
            "{msg}"
        );
        assert!(!msg.contains("nydfs: none") && !msg.contains("glba: false"), "{msg}");
    }
}
