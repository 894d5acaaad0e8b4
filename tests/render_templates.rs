//! A workspace's own templates: rendered with the documented context, overriding built-in
//! templates of the same file name, and failing with file:line on an undefined variable.

mod support;
use ctrlmap::emit::documents::{RenderError, render_template};
use ctrlmap::load::Loaded;
use std::path::{Path, PathBuf};

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

fn fixture() -> PathBuf {
    support::fixture("render/northwind")
}

fn load(root: &Path) -> Loaded {
    let ws = Loaded::load(root).expect("loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}",
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

fn render(ws: &Loaded, scope: &str, name: &str) -> Result<String, RenderError> {
    let s = ws.scopes.iter().find(|s| s.id == scope).expect("scope");
    render_template(
        ws,
        s,
        &ctrlmap::assess::assess_scope(ws, s, &ctrlmap::cli::overrides(ws), AS_OF),
        name,
    )
}

#[test]
fn a_workspace_template_sees_the_documented_context() {
    let ws = load(&fixture());
    let out = render(&ws, "riverside-dental", "client-letter.md.j2").expect("renders");
    assert!(
        out.starts_with("# Riverside Dental Group: who does what, as of 2026-11-30\n"),
        "{out}"
    );
    assert!(out.contains("Dear Dr. A. Rivera, Practice Owner,"));
    assert!(out.contains("- **Managed Backup and Disaster Recovery**: "));
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    let hipaa = ctrlmap::resolve::resolve(&ws, s)
        .rows
        .iter()
        .filter(|r| &*r.framework == "hipaa" && r.assignable)
        .count();
    assert!(
        out.lines().any(|l| l.starts_with(&format!("| HIPAA | {hipaa} |"))),
        "{out}"
    );
    assert!(out.contains(
        "Your BAA appendix lists 22 standards and 43 implementation specifications; breach notice within 24 hours."
    ));
    let hash = out
        .lines()
        .find_map(|l| l.strip_prefix("Inputs SHA-256: "))
        .expect("hash line");
    assert_eq!(hash.len(), 64);
    // Without HIPAA, `baa` is none and the letter leaves the paragraph out.
    let lender = render(&ws, "hudson-lending", "client-letter.md.j2").expect("renders");
    assert!(!lender.contains("BAA appendix"));
}

#[test]
fn an_undefined_variable_is_an_error_with_file_and_line() {
    let ws = load(&fixture());
    let err = render(&ws, "riverside-dental", "broken.md.j2").expect_err("strict undefined");
    match &err {
        RenderError::Template { file, line, message } => {
            assert_eq!(file, "templates/broken.md.j2");
            assert_eq!(*line, 3);
            assert!(message.contains("undefined"), "{message}");
        }
        other => panic!("expected a template error, got {other:?}"),
    }
    assert!(err.to_string().starts_with("templates/broken.md.j2:3: "), "{err}");
}

#[test]
fn a_workspace_template_with_a_built_in_name_replaces_it() {
    let scratch = support::Scratch::copy_of(&fixture(), "render-override");
    let dir = &scratch.ws();
    std::fs::write(
        dir.join("templates/baa-appendix.md.j2"),
        "Our own appendix for {{ scope.client.name }}: {{ baa.standards }} standards.\n",
    )
    .expect("write");
    let ws = load(dir);
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    let out = ctrlmap::emit::documents::baa_appendix(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        ctrlmap::emit::documents::Format::Markdown,
    )
    .expect("renders");
    assert_eq!(out, "Our own appendix for Riverside Dental Group: 22 standards.\n");
}

#[test]
fn unknown_templates_list_what_exists() {
    let ws = load(&fixture());
    let names = ctrlmap::emit::documents::available_templates(&ws);
    assert!(
        names.contains(&"client-letter.md.j2".to_string()) && names.contains(&"baa-appendix.html.j2".to_string()),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with('_')),
        "partials are not offered: {names:?}"
    );
    let err = render(&ws, "riverside-dental", "nope.md.j2").expect_err("unknown");
    assert!(matches!(err, RenderError::UnknownTemplate { .. }), "{err:?}");
    let err = render(&ws, "riverside-dental", "../scopes/riverside-dental.yaml").expect_err("outside the folder");
    assert!(matches!(err, RenderError::UnknownTemplate { .. }), "{err:?}");
}

/// The top-level keys docs/documents.md's "Template context" table names (`scope.client` → `scope`).
fn documented_top_level_keys() -> Vec<String> {
    let page = std::fs::read_to_string(support::repo().join("docs/documents.md")).expect("docs/documents.md");
    let table = page
        .split("## Template context")
        .nth(1)
        .expect("a Template context section");
    let mut keys: Vec<String> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split(['`', '.', '[']).next())
        .map(str::to_string)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// docs/documents.md's "Template context" lists these keys; a change here needs a change there.
#[test]
fn the_template_context_has_the_documented_keys() {
    let ws = load(&fixture());
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    let ctx = serde_json::to_value(ctrlmap::emit::documents::Context::new(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
    ))
    .expect("json");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
    };
    let documented = |list: &str| -> Vec<String> {
        let mut v: Vec<String> = list.split_whitespace().map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(
        keys(&ctx),
        documented_top_level_keys(),
        "docs/documents.md names every top-level key"
    );
    assert_eq!(
        keys(&ctx),
        documented(
            "generator as_of scope services frameworks rows counts findings findings_by_severity findings_waived evidence notifications oversight inputs inputs_sha256 baa tpsp pack"
        )
    );
    assert_eq!(
        keys(&ctx["scope"]),
        documented("id file sha256 model notes client provider sla parties")
    );
    assert_eq!(keys(&ctx["scope"]["client"]), documented("name contact profile"));
    assert_eq!(
        keys(&ctx["scope"]["client"]["profile"]),
        documented("hipaa glba nydfs class_a employees states flags")
    );
    assert_eq!(
        keys(&ctx["scope"]["provider"]),
        documented("name contract baa_signed effective")
    );
    assert_eq!(
        keys(&ctx["scope"]["sla"]),
        documented(
            "p1_response p2_response p3_response incident_notification incident_notification_text security_incident_report security_incident_report_text unsuccessful_attempts"
        )
    );
    assert_eq!(
        keys(&ctx["scope"]["parties"][0]),
        documented("id name kind baa engaged_by ephi note")
    );
    assert_eq!(
        keys(&ctx["services"][0]),
        documented("id name tower description options note file sha256")
    );
    assert_eq!(
        keys(&ctx["frameworks"][0]),
        documented("id title short_title version citation authority source_url file sha256 text_sources")
    );
    assert_eq!(
        keys(&ctx["rows"][0]),
        documented(
            "control framework id citation title level depth assignable requirement summary owner coverage responsible accountable \
             consulted informed raci msp_duties client_duties third_party_duties evidence reason conflict addressable provenance findings on_file"
        )
    );
    assert_eq!(
        keys(&ctx["counts"]["hipaa"]),
        documented("msp client shared third_party unassigned not_applicable total")
    );
    assert_eq!(
        keys(&ctx["findings"][0]),
        documented("code rule severity control citation title message file line fingerprint waived")
    );
    assert_eq!(
        keys(&ctx["findings_by_severity"]),
        documented("critical high medium low info total")
    );
    assert_eq!(
        keys(&ctx["evidence"][0]),
        documented(
            "file title controls owner owner_name effective age_days max_age_days freshness sha256 pinned_sha256 integrity copy"
        )
    );
    assert_eq!(keys(&ctx["inputs"][0]), documented("path sha256 role"));
}
