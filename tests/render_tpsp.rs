//! The third-party service provider summary: the MSP's services and controls, 23 NYCRR
//! 500.11(b) and 16 CFR 314.4(f) point by point (from the catalogs), and the gaps; refused
//! for clients under neither regulation.

use ctrlmap::emit::documents::{Format, RenderError, tpsp_summary};
use ctrlmap::load::Loaded;
use std::path::PathBuf;

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

fn load() -> Loaded {
    let ws = Loaded::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render/northwind"))
        .expect("loads");
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

#[test]
fn every_500_11_b_and_314_4_f_point_of_the_catalogs_is_answered() {
    let ws = load();
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    for (fw, parent) in [("nydfs-500", "500.11(b)"), ("glba-safeguards", "314.4(f)")] {
        let f = ws.framework(fw).expect("catalog");
        let i = f.index(parent).expect("parent");
        assert!(!f.children(i).is_empty());
        for &k in f.children(i) {
            let c = &f.controls[k];
            let row = md
                .lines()
                .find(|l| l.starts_with(&format!("| {}: ", f.cite(&c.id))))
                .unwrap_or_else(|| panic!("{} answered", c.id));
            assert!(row.contains(&ctrlmap::emit::escape::md_cell(&c.title)), "{row}");
            assert!(
                ["| addressed (", "| review (", "| gap ("]
                    .iter()
                    .any(|s| row.contains(s)),
                "{row}"
            );
        }
    }
}

#[test]
fn notice_point_states_the_window_against_the_72_hour_deadline() {
    let ws = load();
    let md = render(&ws, "hudson-lending", Format::Markdown).expect("renders");
    let row = md
        .lines()
        .find(|l| l.starts_with("| 23 NYCRR 500.11(b)(3): "))
        .expect("notice point");
    assert!(row.contains("within 24 hours"), "{row}");
    assert!(row.contains("72 hours"), "{row}");
    let warranties = md
        .lines()
        .find(|l| l.starts_with("| 23 NYCRR 500.11(b)(4): "))
        .expect("warranties point");
    assert!(
        warranties.contains("review") && warranties.contains("MSA-2025-031"),
        "{warranties}"
    );
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
        md.contains("| 23 NYCRR 500.12(a)(1) ") && md.contains("Enforce multi-factor authentication"),
        "MFA is the provider's"
    );
    assert!(
        md.contains("### FTC Safeguards Rule: ") || md.contains("### Standards for Safeguarding"),
        "GLBA responsibilities"
    );
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
