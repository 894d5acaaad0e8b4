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

mod support;
use std::path::Path;
use support::*;

const AS_OF: &str = "2026-11-30";

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
    s.set_snapshot_path(repo().join("tests/snapshots"));
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
    let s = Scratch::new(name);
    let new = s.join("new");
    copy_dir(&example(), &s.join("old"));
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
    snap("diff_text", s.path(), &["diff", "old", "new", "--as-of", AS_OF], 0);
}

#[test]
fn diff_json() {
    let s = diff_workspaces("snap-diff-json");
    snap(
        "diff_json",
        s.path(),
        &["diff", "old", "new", "--as-of", AS_OF, "--format", "json"],
        0,
    );
}

#[test]
fn diff_markdown() {
    let s = diff_workspaces("snap-diff-md");
    snap(
        "diff_markdown",
        s.path(),
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
    std::fs::create_dir_all(s.ws().join("templates")).expect("mkdir");
    std::fs::write(
        s.ws().join("templates/client-letter.md.j2"),
        "# {{ scope.client.name }}: who does what, as of {{ as_of }}\n\n\
| Framework | Controls | MSP | Shared | Client | Unassigned |\n|---|---:|---:|---:|---:|---:|\n\
{% for f in frameworks %}{% set c = counts[f.id] %}| {{ f.short_title }} | {{ c.total }} | {{ c.msp }} | {{ c.shared }} | {{ c.client }} | {{ c.unassigned }} |\n{% endfor %}\n\
Evidence:\n{% for e in evidence %}- {{ e.file }}: {{ e.freshness }}, {{ e.age_days }} days old (at most {{ e.max_age_days }})\n{% endfor %}\n\
Notices:\n{% for n in notifications %}- {{ n.citation }} ({{ n.deadline }}): {{ n.verdict }}\n{% endfor %}",
    )
    .expect("write template");
    snap(
        "render_workspace_template_client_letter",
        &s.ws(),
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
        &s.ws(),
        &["pack", DENTAL, "-o", "pack", "--as-of", AS_OF],
        0,
    );
    let pack = s.ws().join("pack");
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
        &s.ws(),
        &["export", "oscal", ".", "-o", "oscal", "--as-of", AS_OF],
        0,
    );
    let dir = s.ws().join("oscal/scopes/riverside-dental");
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
/// One test per input code (a failure in one does not hide the others): the fixture folder
/// under tests/fixtures/load that reports it. The test below checks that every code of
/// `Code` has a case here.
macro_rules! input_code_cases {
    ($($test:ident: $code:ident in $folder:literal;)*) => {
        $(
            #[test]
            fn $test() {
                input_code_case(ctrlmap::model::diagnostic::Code::$code, $folder);
            }
        )*
        const INPUT_CODES_WITH_A_CASE: &[ctrlmap::model::diagnostic::Code] =
            &[$(ctrlmap::model::diagnostic::Code::$code),*];
    };
}

input_code_cases! {
    diag_e001_yaml_syntax: E001 in "syntax";
    diag_e002_duplicate_key: E002 in "five-problems";
    diag_e003_unknown_key: E003 in "five-problems";
    diag_e004_wrong_type: E004 in "five-problems";
    diag_e005_missing_field: E005 in "five-problems";
    diag_e006_bad_date: E006 in "five-problems";
    diag_e007_invalid_value: E007 in "invalid-value";
    diag_e008_unknown_framework: E008 in "references";
    diag_e009_unknown_control: E009 in "references";
    diag_e010_unknown_service: E010 in "references";
    diag_e011_duplicate_id: E011 in "references";
    diag_e012_evidence_outside_workspace: E012 in "references";
    diag_e013_yaml_too_complex: E013 in "alias-bomb";
    diag_e014_unknown_kind: E014 in "kind";
    diag_e015_dangling_parent: E015 in "catalog";
    diag_e016_unreadable_file: E016 in "unreadable";
    diag_e017_unknown_party: E017 in "references";
    diag_e018_unknown_option: E018 in "references";
    diag_e019_invalid_expression: E019 in "expression";
    diag_e020_empty_input: E020 in "empty";
    diag_e021_rule_failed: E021 in "rule-failed";
    diag_e022_bad_usage: E022 in "usage";
    diag_e023_unknown_package: E023 in "packages";
    diag_e024_package_cycle: E024 in "packages";
}

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
fn every_input_code_is_unique_documented_and_has_a_case() {
    use ctrlmap::model::diagnostic::Code;
    let codes: Vec<Code> = Code::all().collect();
    assert_eq!(
        INPUT_CODES_WITH_A_CASE,
        codes.as_slice(),
        "every input code needs a case above"
    );
    let mut names = std::collections::BTreeSet::new();
    for code in codes {
        assert!(names.insert(code.name()), "{}: name used twice", code.as_str());
        assert!(!code.name().is_empty(), "{}: no name", code.as_str());
        assert!(code.description().ends_with('.'), "{}: no description", code.as_str());
    }
}

/// The diagnostics of one code, from the fixture that reports it: rustc-shaped, and pinned.
fn input_code_case(code: ctrlmap::model::diagnostic::Code, folder: &str) {
    let (code, name) = (code.as_str(), code.name().replace('-', "_"));
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

/// One test per finding rule (a failure in one does not hide the others): the fixture
/// workspace and the scope that triggers it (each fixture folder's README says what it
/// proves). CM006 is retired and never fires. The test below checks that every other code of
/// `RuleCode` has a case here.
macro_rules! rule_cases {
    ($($test:ident: $code:ident in $workspace:literal, $scope:literal;)*) => {
        $(
            #[test]
            fn $test() {
                rule_case(ctrlmap::assess::RuleCode::$code, $workspace, $scope);
            }
        )*
        const RULES_WITH_A_CASE: &[ctrlmap::assess::RuleCode] = &[$(ctrlmap::assess::RuleCode::$code),*];
    };
}

rule_cases! {
    rule_cm001: CM001 in "findings", "cm001-fires";
    rule_cm002: CM002 in "findings", "cm002-fires";
    rule_cm003: CM003 in "findings", "cm003-fires";
    rule_cm004: CM004 in "findings", "cm004-fires";
    rule_cm005: CM005 in "findings", "cm005-fires";
    rule_cm007: CM007 in "rules", "cm007-fires";
    rule_cm008: CM008 in "rules", "cm008-fires";
    rule_cm009: CM009 in "rules", "cm009-fires";
    rule_cm010: CM010 in "rules", "cm010-fires";
    rule_cm011: CM011 in "rules", "cm011-fires";
    rule_cm012: CM012 in "rules", "cm012-fires";
    rule_cm013: CM013 in "rules", "cm013-fires";
    rule_cm014: CM014 in "rules", "cm014-fires";
    rule_cm015: CM015 in "semantics", "retained-fires";
    rule_cm016: CM016 in "semantics", "baa-fires";
    rule_cm017: CM017 in "semantics", "regulator-fires";
    rule_cm018: CM018 in "rules", "cm018-fires";
    rule_cm019: CM019 in "findings", "cm019-fires";
    rule_cm020: CM020 in "rules", "cm020-fires";
}

#[test]
fn every_finding_rule_but_the_retired_has_a_case() {
    use ctrlmap::assess::RuleCode;
    let retired = [RuleCode::CM006];
    let codes: Vec<RuleCode> = ctrlmap::assess::rules()
        .map(|r| r.code)
        .filter(|c| !retired.contains(c))
        .collect();
    assert_eq!(
        RULES_WITH_A_CASE,
        codes.as_slice(),
        "every finding rule needs a case above"
    );
}

/// The findings of one rule in one scope, as `check` prints them: the scope's block of the
/// text report, only the lines of that code.
fn rule_case(code: ctrlmap::assess::RuleCode, workspace: &str, scope: &str) {
    let rule = code.rule();
    let code = code.as_str();
    let args = ["check", ".", "--as-of", AS_OF];
    let run = ctrlmap_in(&fixture(workspace), args);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let block = run
        .stdout
        .split("\n\n")
        .find(|b| b.lines().next().is_some_and(|h| h.contains(&format!("— {scope} ("))))
        .unwrap_or_else(|| panic!("no scope {scope} in {workspace}:\n{}", run.stdout));
    let header = block.lines().next().unwrap_or_default();
    let lines: Vec<&str> = block.lines().filter(|l| l.contains(&format!("[{code}]"))).collect();
    assert!(!lines.is_empty(), "{scope} does not fire {code}:\n{block}");
    let text = format!(
        "$ ctrlmap check . --as-of {AS_OF}    # in tests/fixtures/{workspace}\nexit: {}\n--- the {code} lines of scope {scope}\n{header}\n{}\n",
        run.code,
        lines.join("\n")
    );
    settings().bind(|| insta::assert_snapshot!(format!("rule_{code}_{}", rule.name.replace('-', "_")), text));
}
