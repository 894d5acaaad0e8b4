//! Snapshots of every output (issue 12): each command, format and document on the example
//! workspace, and the full rendered diagnostic of every input code (E001–E022), run through
//! the real binary. A snapshot is the transcript of one run: the command, the exit code,
//! standard output and standard error. A human reviews every change (`cargo insta review`,
//! or `INSTA_UPDATE=always` and `git diff tests/snapshots/`).
//!
//! Determinism: every run is assessed `--as-of 2026-11-30` (the date of the other CLI tests),
//! with `NO_COLOR=1` and no `SOURCE_DATE_EPOCH`, and in the folder it names (the example
//! workspace, a fixture or a scratch folder), so every path in the output is relative and the
//! same on every machine. Nothing is filtered out of the snapshots.

mod common;
use common::*;
use std::path::{Path, PathBuf};

const AS_OF: &str = "2026-11-30";

fn example() -> PathBuf {
    root().join("examples/northwind-msp")
}

/// The transcript of one run: what was run, its exit code, stdout and stderr.
fn transcript(args: &[&str], run: &Run) -> String {
    format!(
        "$ ctrlmap {}\nexit: {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        run.code,
        run.stdout,
        run.stderr
    )
}

/// Snapshots live in tests/snapshots/ named after the test, without a module prefix.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_snapshot_path(root().join("tests/snapshots"));
    s
}

/// Run `ctrlmap ARGS` in `dir`, check the exit code, and snapshot the transcript as `name`.
fn snap(name: &str, dir: &Path, args: &[&str], code: i32) {
    let run = ctrlmap_in(dir, args);
    assert_eq!(
        run.code, code,
        "{name}: exit code\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    settings().bind(|| insta::assert_snapshot!(name, transcript(args, &run)));
}

/// Snapshot a file an earlier run wrote (a pack page, an OSCAL document).
fn snap_file(name: &str, file: &Path) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
    settings().bind(|| insta::assert_snapshot!(name, text));
}

// --- check: every --format -------------------------------------------------------------

#[test]
fn check_text() {
    snap("check_text", &example(), &["check", ".", "--as-of", AS_OF], 0);
}

#[test]
fn check_json() {
    snap(
        "check_json",
        &example(),
        &["check", ".", "--as-of", AS_OF, "--format", "json"],
        0,
    );
}

#[test]
fn check_markdown() {
    snap(
        "check_markdown",
        &example(),
        &["check", ".", "--as-of", AS_OF, "--format", "markdown"],
        0,
    );
}

#[test]
fn check_sarif() {
    snap(
        "check_sarif",
        &example(),
        &["check", ".", "--as-of", AS_OF, "--format", "sarif"],
        0,
    );
}

#[test]
fn check_gitlab() {
    // The example has only a waived finding (not an open issue): the findings fixture has many.
    snap(
        "check_gitlab",
        &fixture("findings"),
        &["check", ".", "--as-of", AS_OF, "--format", "gitlab"],
        1,
    );
}

#[test]
fn check_quiet() {
    snap(
        "check_quiet",
        &example(),
        &["check", ".", "--as-of", AS_OF, "--quiet"],
        0,
    );
}

#[test]
fn validate_json() {
    snap("validate_json", &example(), &["validate", ".", "--format", "json"], 0);
}

#[test]
fn explain_json_waived_evaluation() {
    snap(
        "explain_json_waived_evaluation",
        &example(),
        &[
            "explain",
            DENTAL,
            "hipaa:164.308(a)(8)",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        0,
    );
}

#[test]
fn render_baa_appendix_counterparty() {
    snap(
        "render_baa_appendix_counterparty",
        &example(),
        &[
            "render",
            "baa-appendix",
            DENTAL,
            "--as-of",
            AS_OF,
            "--audience",
            "counterparty",
        ],
        0,
    );
}

#[test]
fn check_github() {
    snap(
        "check_github",
        &example(),
        &["check", ".", "--as-of", AS_OF, "--format", "github"],
        0,
    );
}

#[test]
fn check_junit() {
    snap(
        "check_junit",
        &example(),
        &["check", ".", "--as-of", AS_OF, "--format", "junit"],
        0,
    );
}

// --- matrix: every --format (the HIPAA rows of the dental practice) ------------------------

const DENTAL: &str = "scopes/riverside-dental.yaml";

#[test]
fn matrix_text() {
    snap(
        "matrix_text",
        &example(),
        &["matrix", DENTAL, "--framework", "hipaa"],
        0,
    );
}

#[test]
fn matrix_markdown() {
    snap(
        "matrix_markdown",
        &example(),
        &["matrix", DENTAL, "--framework", "hipaa", "--format", "markdown"],
        0,
    );
}

#[test]
fn matrix_csv() {
    snap(
        "matrix_csv",
        &example(),
        &["matrix", DENTAL, "--framework", "hipaa", "--format", "csv"],
        0,
    );
}

#[test]
fn matrix_json() {
    snap(
        "matrix_json",
        &example(),
        &["matrix", DENTAL, "--framework", "hipaa", "--format", "json"],
        0,
    );
}

// --- explain ------------------------------------------------------------------------------

/// A HIPAA addressable specification with its documented decision.
#[test]
fn explain_hipaa_addressable_encryption() {
    snap(
        "explain_hipaa_addressable_encryption",
        &example(),
        &["explain", DENTAL, "hipaa:164.312(a)(2)(iv)", "--as-of", AS_OF],
        0,
    );
}

/// A NY DFS duty the covered entity keeps (the CISO, 500.4(a)): the MSP supplies, the client
/// stays accountable.
#[test]
fn explain_nydfs_ciso_accountability_retained() {
    snap(
        "explain_nydfs_ciso_accountability_retained",
        &example(),
        &[
            "explain",
            "scopes/hudson-valley-insurance.yaml",
            "nydfs-500:500.4(a)",
            "--as-of",
            AS_OF,
        ],
        0,
    );
}

/// A control with a waived finding (CM009 on the evaluation, waived until 2027-02-28).
#[test]
fn explain_hipaa_waived_evaluation() {
    snap(
        "explain_hipaa_waived_evaluation",
        &example(),
        &["explain", DENTAL, "hipaa:164.308(a)(8)", "--as-of", AS_OF],
        0,
    );
}

// --- frameworks ---------------------------------------------------------------------------

#[test]
fn frameworks_list() {
    snap("frameworks_list", &example(), &["frameworks"], 0);
}

#[test]
fn frameworks_show_catalog_glba() {
    snap(
        "frameworks_show_catalog_glba",
        &example(),
        &["frameworks", "show", "glba-safeguards"],
        0,
    );
}

#[test]
fn frameworks_show_control_hipaa_encryption() {
    snap(
        "frameworks_show_control_hipaa_encryption",
        &example(),
        &["frameworks", "show", "hipaa:164.312(a)(2)(iv)"],
        0,
    );
}

#[test]
fn frameworks_show_control_nydfs_notice() {
    snap(
        "frameworks_show_control_nydfs_notice",
        &example(),
        &["frameworks", "show", "nydfs-500:500.17(a)"],
        0,
    );
}

// --- diff ---------------------------------------------------------------------------------

/// `old/` is the example; in `new/` the dental package no longer shares the annual evaluation
/// (164.308(a)(8)): each of its practices does it alone (a package change, reaching three clients).
fn diff_workspaces(name: &str) -> Scratch {
    let s = Scratch(std::env::temp_dir().join(format!("ctrlmap-test-{name}-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&s.0);
    let new = s.0.join("new");
    copy_dir(&example(), &s.0.join("old"));
    copy_dir(&example(), &new);
    let scope = new.join("packages/dental-complete.yaml");
    let text = std::fs::read_to_string(&scope).expect("read scope");
    let before = "  - control: hipaa:164.308(a)(8)\n    responsible: [msp, client]\n    msp: Perform the annual technical and nontechnical evaluation against the Security Rule and write the report.\n";
    assert!(text.contains(before), "the example changed: update this test's edit");
    let after = "  - control: hipaa:164.308(a)(8)\n    responsible: client\n";
    std::fs::write(&scope, text.replace(before, after)).expect("write scope");
    s
}

#[test]
fn diff_text() {
    let s = diff_workspaces("snap-diff-text");
    snap("diff_text", &s.0, &["diff", "old", "new", "--as-of", AS_OF], 0);
}

#[test]
fn diff_json() {
    let s = diff_workspaces("snap-diff-json");
    snap(
        "diff_json",
        &s.0,
        &["diff", "old", "new", "--as-of", AS_OF, "--format", "json"],
        0,
    );
}

#[test]
fn diff_markdown() {
    let s = diff_workspaces("snap-diff-md");
    snap(
        "diff_markdown",
        &s.0,
        &["diff", "old", "new", "--as-of", AS_OF, "--format", "markdown"],
        0,
    );
}

// --- render -------------------------------------------------------------------------------

#[test]
fn render_baa_appendix_markdown() {
    snap(
        "render_baa_appendix_markdown",
        &example(),
        &["render", "baa-appendix", DENTAL, "--as-of", AS_OF],
        0,
    );
}

#[test]
fn render_baa_appendix_html() {
    snap(
        "render_baa_appendix_html",
        &example(),
        &["render", "baa-appendix", DENTAL, "--format", "html", "--as-of", AS_OF],
        0,
    );
}

#[test]
fn render_tpsp_summary_markdown_nydfs() {
    snap(
        "render_tpsp_summary_markdown_nydfs",
        &example(),
        &[
            "render",
            "tpsp-summary",
            "scopes/hudson-valley-insurance.yaml",
            "--as-of",
            AS_OF,
        ],
        0,
    );
}

#[test]
fn render_tpsp_summary_html_glba() {
    snap(
        "render_tpsp_summary_html_glba",
        &example(),
        &[
            "render",
            "tpsp-summary",
            "scopes/cedar-tax-services.yaml",
            "--format",
            "html",
            "--as-of",
            AS_OF,
        ],
        0,
    );
}

/// A workspace template (the README's `client-letter` example, plus the evidence and notice
/// verdicts a template can show).
#[test]
fn render_workspace_template_client_letter() {
    let s = Scratch::copy_of(&example(), "snap-template");
    std::fs::create_dir_all(s.0.join("templates")).expect("mkdir");
    std::fs::write(
        s.0.join("templates/client-letter.md.j2"),
        "# {{ scope.client.name }}: who does what, as of {{ as_of }}\n\n\
| Framework | Controls | MSP | Shared | Client | Unassigned |\n|---|---:|---:|---:|---:|---:|\n\
{% for f in frameworks %}{% set c = counts[f.id] %}| {{ f.short_title }} | {{ c.total }} | {{ c.msp }} | {{ c.shared }} | {{ c.client }} | {{ c.unassigned }} |\n{% endfor %}\n\
Evidence:\n{% for e in evidence %}- {{ e.file }}: {{ e.freshness }}, {{ e.age_days }} days old (at most {{ e.max_age_days }})\n{% endfor %}\n\
Notices:\n{% for n in notifications %}- {{ n.citation }} ({{ n.deadline }}): {{ n.verdict }}\n{% endfor %}",
    )
    .expect("write template");
    snap(
        "render_workspace_template_client_letter",
        &s.0,
        &["render", "client-letter", DENTAL, "--as-of", AS_OF],
        0,
    );
}

// --- pack ---------------------------------------------------------------------------------

/// The pack's own pages (index, evidence, findings) and manifest; the matrix pages and the
/// OSCAL files in it are the same functions as `matrix` and `export oscal`, and the copies of
/// the inputs are the inputs.
#[test]
fn pack_riverside_dental() {
    let s = Scratch::copy_of(&example(), "snap-pack");
    snap(
        "pack_stdout",
        &s.0,
        &["pack", DENTAL, "-o", "pack", "--as-of", AS_OF],
        0,
    );
    let pack = s.0.join("pack");
    snap_file("pack_index_html", &pack.join("index.html"));
    snap_file("pack_evidence_html", &pack.join("evidence.html"));
    snap_file("pack_manifest_json", &pack.join("manifest.json"));
    snap_file("pack_findings_json", &pack.join("findings.json"));
    snap_file("pack_evidence_csv", &pack.join("evidence.csv"));
    snap_file("pack_sha256sums", &pack.join("SHA256SUMS"));
}

// --- export oscal -------------------------------------------------------------------------

/// The per-scope OSCAL documents of the dental practice that stay small enough to review:
/// profile, assessment results and POA&M. The system security plan, the catalogs, the
/// component definition and the mapping collections (hundreds of kB each) are pinned by
/// tests/oscal_export.rs, not snapshotted.
#[test]
fn export_oscal() {
    let s = Scratch::copy_of(&example(), "snap-oscal");
    snap(
        "export_oscal_stdout",
        &s.0,
        &["export", "oscal", ".", "-o", "oscal", "--as-of", AS_OF],
        0,
    );
    let dir = s.0.join("oscal/scopes/riverside-dental");
    snap_file("export_oscal_profile_json", &dir.join("profile.json"));
    snap_file(
        "export_oscal_assessment_results_json",
        &dir.join("assessment-results.json"),
    );
    snap_file("export_oscal_poam_json", &dir.join("poam.json"));
}

// --- input diagnostics: one snapshot per code ----------------------------------------------

/// Each input code and the fixture folder that triggers it (tests/fixtures/load/*, each with
/// a README line), with the command that reports it.
const DIAGNOSTICS: [(&str, &str, &str); 24] = [
    ("E001", "yaml_syntax", "syntax"),
    ("E002", "duplicate_key", "five-problems"),
    ("E003", "unknown_key", "five-problems"),
    ("E004", "wrong_type", "five-problems"),
    ("E005", "missing_field", "five-problems"),
    ("E006", "bad_date", "five-problems"),
    ("E007", "invalid_value", "invalid-value"),
    ("E008", "unknown_framework", "references"),
    ("E009", "unknown_control", "references"),
    ("E010", "unknown_service", "references"),
    ("E011", "duplicate_id", "references"),
    ("E012", "evidence_outside_workspace", "references"),
    ("E013", "yaml_too_complex", "alias-bomb"),
    ("E014", "unknown_kind", "kind"),
    ("E015", "dangling_parent", "catalog"),
    ("E016", "unreadable_file", "unreadable"),
    ("E017", "unknown_party", "references"),
    ("E018", "unknown_option", "references"),
    ("E019", "invalid_expression", "expression"),
    ("E020", "empty_input", "empty"),
    ("E021", "rule_failed", "rule-failed"),
    ("E022", "bad_usage", "usage"),
    ("E023", "unknown_package", "packages"),
    ("E024", "package_cycle", "packages"),
];

/// The command that reports a fixture's problems: `validate`, except for a custom rule that
/// fails while the scope is assessed (`check`) and an output onto an input (`check -o`).
fn diagnostic_args(folder: &str) -> Vec<&'static str> {
    match folder {
        "rule-failed" => vec!["check", ".", "--as-of", AS_OF],
        "usage" => vec!["check", ".", "--as-of", AS_OF, "-o", "sarif=scopes/client.yaml"],
        _ => vec!["validate", "."],
    }
}

/// The rendered diagnostics of one code in a run's stderr (each one a block ending at a
/// blank line), plus the run's summary line.
fn blocks_of(stderr: &str, code: &str) -> String {
    let header = format!("error[{code}]");
    let blocks: Vec<&str> = stderr.split("\n\n").filter(|b| b.starts_with(&header)).collect();
    blocks.join("\n\n")
}

#[test]
fn every_input_code_has_a_fixture_and_a_snapshot() {
    let codes: Vec<&str> = ctrlmap::model::diagnostic::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    let listed: Vec<&str> = DIAGNOSTICS.iter().map(|(c, _, _)| *c).collect();
    assert_eq!(listed, codes, "every input code needs a fixture here");
    for (code, name, folder) in DIAGNOSTICS {
        let dir = fixture(&format!("load/{folder}"));
        assert!(
            dir.join("README.md").exists(),
            "{folder}: a fixture says what it proves"
        );
        let args = diagnostic_args(folder);
        let run = ctrlmap_in(&dir, &args);
        assert_eq!(run.code, 2, "{folder}: bad input exits 2\n{}", run.stderr);
        let blocks = blocks_of(&run.stderr, code);
        assert!(!blocks.is_empty(), "{folder} does not report {code}:\n{}", run.stderr);
        // Shaped like rustc's: `error[CODE]: message`, ` --> file:line:col`, `= help:`.
        let mut lines = blocks.lines();
        let first = lines.next().unwrap_or_default();
        assert!(first.starts_with(&format!("error[{code}]: ")), "{first}");
        let place = lines.next().unwrap_or_default();
        assert!(place.trim_start().starts_with("--> "), "{blocks}");
        assert!(blocks.contains("= help: "), "{blocks}");
        let text = format!(
            "$ ctrlmap {}    # in tests/fixtures/load/{folder}\nexit: {}\n--- the {code} diagnostics of stderr\n{blocks}\n",
            args.join(" "),
            run.code
        );
        settings().bind(|| insta::assert_snapshot!(format!("diag_{code}_{name}"), text));
    }
}

/// The whole of each fixture's run: every problem in one run, and the closing summary.
#[test]
fn every_load_fixture_reports_all_its_problems() {
    let mut folders: Vec<String> = std::fs::read_dir(fixture("load"))
        .expect("fixtures")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    for folder in folders {
        let args = diagnostic_args(&folder);
        let run = ctrlmap_in(&fixture(&format!("load/{folder}")), &args);
        assert_eq!(run.code, 2, "{folder}: bad input exits 2\n{}", run.stderr);
        let name = format!("diag_fixture_{}", folder.replace('-', "_"));
        settings().bind(|| insta::assert_snapshot!(name, transcript(&args, &run)));
    }
}

// --- finding rules: one snapshot per rule ----------------------------------------------------

/// Each finding rule, the fixture workspace and the scope that triggers it (each fixture
/// folder's README says what it proves). CM006 is retired and never fires.
const RULES: [(&str, &str, &str); 19] = [
    ("CM001", "findings", "cm001-fires"),
    ("CM002", "findings", "cm002-fires"),
    ("CM003", "findings", "cm003-fires"),
    ("CM004", "findings", "cm004-fires"),
    ("CM005", "findings", "cm005-fires"),
    ("CM007", "rules", "cm007-fires"),
    ("CM008", "rules", "cm008-fires"),
    ("CM009", "rules", "cm009-fires"),
    ("CM010", "rules", "cm010-fires"),
    ("CM011", "rules", "cm011-fires"),
    ("CM012", "rules", "cm012-fires"),
    ("CM013", "rules", "cm013-fires"),
    ("CM014", "rules", "cm014-fires"),
    ("CM015", "semantics", "retained-fires"),
    ("CM016", "semantics", "baa-fires"),
    ("CM017", "semantics", "regulator-fires"),
    ("CM018", "rules", "cm018-fires"),
    ("CM019", "findings", "cm019-fires"),
    ("CM020", "rules", "cm020-fires"),
];

/// The findings of one rule in one scope, as `check` prints them: the scope's block of the
/// text report, only the lines of that code.
#[test]
fn every_finding_rule_has_a_fixture_and_a_snapshot() {
    let retired = ["CM006"];
    let listed: Vec<&str> = RULES.iter().map(|(c, _, _)| *c).collect();
    let registry: Vec<&str> = ctrlmap::assess::RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| !retired.contains(c))
        .collect();
    assert_eq!(listed, registry, "every finding rule needs a fixture here");
    let mut runs = std::collections::BTreeMap::new();
    for (code, workspace, scope) in RULES {
        let args = ["check", ".", "--as-of", AS_OF];
        let run = runs
            .entry(workspace)
            .or_insert_with(|| ctrlmap_in(&fixture(workspace), args));
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        let block = run
            .stdout
            .split("\n\n")
            .find(|b| b.lines().next().is_some_and(|h| h.contains(&format!("— {scope} ("))))
            .unwrap_or_else(|| panic!("no scope {scope} in {workspace}:\n{}", run.stdout));
        let header = block.lines().next().unwrap_or_default();
        let lines: Vec<&str> = block.lines().filter(|l| l.contains(&format!("[{code}]"))).collect();
        assert!(!lines.is_empty(), "{scope} does not fire {code}:\n{block}");
        let rule = ctrlmap::assess::rule(code).expect("a registered rule");
        let text = format!(
            "$ ctrlmap check . --as-of {AS_OF}    # in tests/fixtures/{workspace}\nexit: {}\n--- the {code} lines of scope {scope}\n{header}\n{}\n",
            run.code,
            lines.join("\n")
        );
        settings().bind(|| insta::assert_snapshot!(format!("rule_{code}_{}", rule.name.replace('-', "_")), text));
    }
}
