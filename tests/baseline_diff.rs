//! Baselines (`--baseline`, `--write-baseline`) and `ctrlmap diff`, through the library, on
//! `tests/fixtures/ci` and the example workspace.

mod support;

use ctrlmap::assess::baseline;
use ctrlmap::assess::diff::{self, ChangeKind};
use ctrlmap::assess::{self, Finding, Severity};
use ctrlmap::load::Loaded;
use ctrlmap::resolve::{self, Matrix};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::*;

/// Findings not in the baseline (new) and in it (baselined), in order: what `check` reports.
struct Split {
    new: Vec<ctrlmap::assess::Finding>,
    baselined: Vec<ctrlmap::assess::Finding>,
}

fn split(b: &baseline::Baseline, findings: Vec<ctrlmap::assess::Finding>) -> Split {
    let (baselined, new) = findings.into_iter().partition(|f| b.contains(f));
    Split { new, baselined }
}

fn as_of() -> time::Date {
    time::macros::date!(2026 - 11 - 30)
}

fn load(path: &Path) -> Loaded {
    let ws = Loaded::load(path).expect("workspace loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}: input problems:\n{}",
        path.display(),
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

fn findings(ws: &Loaded) -> Vec<Finding> {
    let overrides = ctrlmap::cli::overrides(ws);
    ws.scopes
        .iter()
        .flat_map(|scope| {
            let matrix = resolve::resolve(ws, scope);
            assess::assess_on(ws, scope, &matrix, &overrides, as_of())
        })
        .collect()
}

/// Rewrite one file of a scratch workspace.
fn edit(dir: &Path, rel: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).expect("read");
    let changed = f(text.clone());
    assert_ne!(text, changed, "{rel}: the edit changed nothing");
    std::fs::write(&path, changed).expect("write");
}

/// Drop a `- ref: SERVICE` entry (and its more-indented lines) from a scope's `services:`.
fn remove_service(text: String, service: &str) -> String {
    let mut out = Vec::new();
    let mut skipping: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(at) = skipping {
            // Everything indented under the service's item (its options, notes, nested lists)
            // goes with it; the next item of the list does not.
            if indent > at {
                continue;
            }
            skipping = None;
        }
        if line.trim() == format!("- ref: {service}") {
            skipping = Some(indent);
            continue;
        }
        out.push(line);
    }
    out.join("\n") + "\n"
}

fn gate_failures<'a>(found: &'a [Finding], b: Option<&baseline::Baseline>) -> Vec<&'a Finding> {
    found.iter().filter(|f| f.fails_gate(Some(Severity::High), b)).collect()
}

// ---------------------------------------------------------------------------------------
// Baselines
// ---------------------------------------------------------------------------------------

#[test]
fn a_baseline_written_and_read_back_absorbs_every_finding() {
    for dir in [fixture("ci"), example()] {
        let ws = load(&dir);
        let found = findings(&ws);
        assert!(!found.is_empty(), "{}: the test needs findings", dir.display());
        let scratch = Scratch::copy_of(&fixture("ci/services"), "baseline-file");
        let file = scratch.ws().join("baseline.json");
        std::fs::write(&file, baseline::write(&found)).expect("write baseline");
        let b = ctrlmap::cli::common::read_baseline(&file).expect("read baseline");
        assert_eq!(
            b.len(),
            found.iter().map(|f| &f.fingerprint).collect::<BTreeSet<_>>().len()
        );
        let split = split(&b, found.clone());
        assert!(split.new.is_empty(), "{}: new: {:?}", dir.display(), split.new);
        assert_eq!(split.baselined.len(), found.len());
        assert!(gate_failures(&found, Some(&b)).is_empty());
        assert!(b.fixed(&found).is_empty());
        // The same findings write the same bytes.
        assert_eq!(baseline::write(&found), std::fs::read_to_string(&file).expect("read"));
    }
    // The CI fixture fails the gate without its baseline.
    assert!(!gate_failures(&findings(&load(&fixture("ci"))), None).is_empty());
}

#[test]
fn one_new_gap_in_any_scope_is_the_only_finding_reported_as_new() {
    let before = findings(&load(&fixture("ci")));
    let b = baseline::parse(&baseline::write(&before), "baseline.json").expect("baseline");
    for scope in ["alpha", "bravo", "charlie"] {
        let scratch = Scratch::copy_of(&fixture("ci"), &format!("new-gap-{scope}"));
        edit(&scratch.ws(), &format!("scopes/{scope}.yaml"), |t| {
            remove_service(t, "backup")
        });
        let after = findings(&load(&scratch.ws()));
        let split = split(&b, after.clone());
        let new: Vec<(&str, &str, &str)> = split.new.iter().map(|f| (&*f.scope, &*f.code, &*f.control)).collect();
        assert_eq!(new, vec![(scope, "CM001", "mini:S.2")], "{scope}");
        // The gate fails on exactly that gap.
        let failing = gate_failures(&after, Some(&b));
        assert_eq!(failing.len(), 1, "{scope}: {failing:?}");
        assert_eq!(failing[0].fingerprint, split.new[0].fingerprint);
    }
}

#[test]
fn a_new_gap_in_the_example_workspace_is_the_only_new_finding() {
    let before = findings(&load(&example()));
    let b = baseline::parse(&baseline::write(&before), "baseline.json").expect("baseline");
    let scratch = Scratch::copy_of(&example(), "new-gap-example");
    // Evidence naming a file that does not exist: CM010, high.
    edit(&scratch.ws(), "scopes/riverside-dental.yaml", |t| {
        t.replacen(
            "\nevidence:\n",
            "\nevidence:\n  - file: evidence/not-there.pdf\n    controls: [csf-2.0:GV.OC-01]\n    owner: msp\n    effective: 2026-11-01\n",
            1,
        )
    });
    let after = findings(&load(&scratch.ws()));
    let split = split(&b, after.clone());
    let new: Vec<(&str, &str)> = split.new.iter().map(|f| (&*f.scope, &*f.code)).collect();
    assert_eq!(new, vec![("riverside-dental", "CM010")]);
    assert_eq!(gate_failures(&after, Some(&b)).len(), 1);
}

#[test]
fn a_baseline_never_absorbs_the_same_gap_in_another_scope() {
    // alpha's CM001 on mini:S.6 is baselined; the same code on the same control in bravo is new.
    let before = findings(&load(&fixture("ci")));
    let b = baseline::parse(&baseline::write(&before), "baseline.json").expect("baseline");
    let scratch = Scratch::copy_of(&fixture("ci"), "other-scope");
    edit(&scratch.ws(), "scopes/bravo.yaml", |t| {
        t.replace(
            "  - {control: \"mini:S.6\", responsible: client, client: Owner runs the incident plan.}\n",
            "",
        )
    });
    let split = split(&b, findings(&load(&scratch.ws())));
    let new: Vec<(&str, &str, &str)> = split.new.iter().map(|f| (&*f.scope, &*f.code, &*f.control)).collect();
    assert_eq!(new, vec![("bravo", "CM001", "mini:S.6")]);
}

#[test]
fn a_bad_baseline_file_is_an_error_naming_the_file() {
    let scratch = Scratch::copy_of(&fixture("ci/services"), "bad-baseline");
    let file = scratch.ws().join("baseline.json");
    std::fs::write(
        &file,
        "{\"version\": \"1\", \"tool\": \"ctrlmap\", \"findings\": [ {\"code\": 1} ]}",
    )
    .expect("write");
    let err = ctrlmap::cli::common::read_baseline(&file).expect_err("bad baseline");
    assert!(err.starts_with(&format!("{}:1:", file.display())), "{err}");
    let err = ctrlmap::cli::common::read_baseline(&scratch.ws().join("missing.json")).expect_err("missing");
    assert!(err.contains("missing.json"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Diff
// ---------------------------------------------------------------------------------------

fn matrix(ws: &Loaded, scope: &str) -> Matrix {
    let s = ws.scopes.iter().find(|s| s.id == scope).expect("scope");
    resolve::resolve(ws, s)
}

/// Controls whose owner (summary or responsible parties) differs between two matrices,
/// computed here from the rows, independently of `diff`.
fn owner_changes(old: &Matrix, new: &Matrix) -> BTreeSet<String> {
    let owner = |m: &Matrix| -> BTreeMap<String, (String, BTreeSet<String>)> {
        m.rows
            .iter()
            .filter(|r| r.assignable)
            .map(|r| {
                (
                    r.control.to_string(),
                    (
                        r.summary.as_str().to_string(),
                        r.responsible.iter().map(ToString::to_string).collect(),
                    ),
                )
            })
            .collect()
    };
    let (o, n) = (owner(old), owner(new));
    o.iter()
        .filter(|(c, v)| n.get(*c).is_some_and(|w| w != *v))
        .map(|(c, _)| c.clone())
        .collect()
}

#[test]
fn a_workspace_compared_with_itself_has_no_changes() {
    let ws = load(&example());
    let again = load(&example());
    let d = diff::diff(&ws, &again, as_of());
    assert!(d.scopes.is_empty(), "{}", ctrlmap::emit::diff::text(&d));
    assert_eq!(d.totals.scopes_unchanged, ws.scopes.len());
    assert!(!d.is_regression(Some(Severity::Info)));
}

#[test]
fn diff_lists_exactly_the_controls_that_changed_owner_for_the_client_that_lost_a_service() {
    let old = load(&example());
    let scratch = Scratch::copy_of(&example(), "diff-service");
    edit(&scratch.ws(), "scopes/riverside-dental.yaml", |t| {
        remove_service(t, "managed-backup")
    });
    let new = load(&scratch.ws());
    let expected = owner_changes(&matrix(&old, "riverside-dental"), &matrix(&new, "riverside-dental"));
    assert!(!expected.is_empty(), "removing managed-backup must move some controls");
    let d = diff::diff(&old, &new, as_of());
    // Only that client changed.
    let scopes: Vec<&str> = d.scopes.iter().map(|s| &*s.scope).collect();
    assert_eq!(scopes, vec!["riverside-dental"], "{}", ctrlmap::emit::diff::text(&d));
    let s = d.scope("riverside-dental").expect("riverside-dental");
    let listed: BTreeSet<String> = s
        .controls
        .iter()
        .filter(|c| c.owner_changed())
        .map(|c| c.control.clone())
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(d.totals.owner_changed, expected.len());
    // Each is in every rendering.
    let (text, md, json) = (
        ctrlmap::emit::diff::text(&d),
        ctrlmap::emit::diff::markdown(&d),
        ctrlmap::emit::diff::json(&d),
    );
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["version"], "1");
    let json_controls: BTreeSet<String> = doc["scopes"][0]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| {
            c["before"]["summary"] != c["after"]["summary"] || c["before"]["responsible"] != c["after"]["responsible"]
        })
        .filter_map(|c| c["control"].as_str().map(String::from))
        .collect();
    assert_eq!(json_controls, expected);
    for c in &expected {
        assert!(text.contains(&format!("  {c}: ")), "text lacks {c}");
        assert!(
            md.contains(&format!("| `{c}` |").replace('_', "\\_")),
            "markdown lacks {c}"
        );
    }
    // The same inputs give the same bytes.
    assert_eq!(json, ctrlmap::emit::diff::json(&diff::diff(&old, &new, as_of())));
}

#[test]
fn diff_reports_new_and_fixed_findings_and_a_control_that_became_unassigned() {
    let old = load(&fixture("ci"));
    let scratch = Scratch::copy_of(&fixture("ci"), "diff-findings");
    edit(&scratch.ws(), "scopes/bravo.yaml", |t| remove_service(t, "backup"));
    edit(&scratch.ws(), "scopes/charlie.yaml", |t| {
        t.replace(
            "  - control: \"mini:S.4\"\n",
            "  - control: \"mini:S.4\"\n    reason: No accounts to protect.\n",
        )
    });
    let new = load(&scratch.ws());
    let d = diff::diff(&old, &new, as_of());
    let bravo = d.scope("bravo").expect("bravo changed");
    let s2 = bravo
        .controls
        .iter()
        .find(|c| c.control == "mini:S.2")
        .expect("mini:S.2");
    assert_eq!(s2.kinds, vec![ChangeKind::BecameUnassigned]);
    assert_eq!(
        s2.duties_removed["msp"],
        vec!["Run and test nightly backups.".to_string()]
    );
    let new_codes: Vec<(&str, &str)> = bravo.new_findings.iter().map(|f| (&*f.code, &*f.control)).collect();
    assert_eq!(new_codes, vec![("CM001", "mini:S.2")]);
    let charlie = d.scope("charlie").expect("charlie changed");
    let fixed: Vec<&str> = charlie.fixed_findings.iter().map(|f| &*f.code).collect();
    assert_eq!(fixed, vec!["CM004"]);
    assert!(charlie.new_findings.is_empty());
    assert!(d.scope("alpha").is_none());
    assert!(d.is_regression(Some(Severity::High)));
    assert!(d.is_regression(None), "a control became unassigned");
    assert_eq!(
        (
            d.totals.new_findings,
            d.totals.fixed_findings,
            d.totals.became_unassigned
        ),
        (1, 1, 1)
    );
    let text = ctrlmap::emit::diff::text(&d);
    assert!(
        text.contains("mini:S.2: MSP → Unassigned (became unassigned)"),
        "{text}"
    );
    assert!(text.contains("      - msp: Run and test nightly backups."), "{text}");
}

#[test]
fn diff_says_when_a_shared_control_loses_a_duty() {
    let old = load(&fixture("ci"));
    let scratch = Scratch::copy_of(&fixture("ci"), "diff-duty");
    edit(&scratch.ws(), "services/logging.yaml", |t| {
        t.replace("    client: Review the monthly log report.\n", "")
    });
    let new = load(&scratch.ws());
    let d = diff::diff(&old, &new, as_of());
    for scope in ["alpha", "bravo", "charlie"] {
        let s = d.scope(scope).expect("changed");
        let c = s.controls.iter().find(|c| c.control == "mini:S.5").expect("mini:S.5");
        assert!(c.kinds.contains(&ChangeKind::DutyLost), "{scope}: {:?}", c.kinds);
        assert_eq!(
            c.duties_removed["client"],
            vec!["Review the monthly log report.".to_string()]
        );
        assert!(
            s.new_findings
                .iter()
                .any(|f| &*f.code == "CM003" && &*f.control == "mini:S.5")
        );
    }
    // Medium findings and no unassigned control: a regression only at a medium gate.
    assert!(!d.is_regression(Some(Severity::High)));
    assert!(d.is_regression(Some(Severity::Medium)));
}

#[test]
fn diff_reports_added_and_removed_scopes() {
    let old = load(&fixture("ci"));
    let scratch = Scratch::copy_of(&fixture("ci"), "diff-scopes");
    std::fs::remove_file(scratch.ws().join("scopes/charlie.yaml")).expect("remove");
    edit(&scratch.ws(), "scopes/bravo.yaml", |t| {
        t.replace("id: bravo", "id: delta")
    });
    let new = load(&scratch.ws());
    let d = diff::diff(&old, &new, as_of());
    let status: Vec<(&str, diff::ScopeStatus)> = d.scopes.iter().map(|s| (&*s.scope, s.status)).collect();
    assert_eq!(
        status,
        vec![
            ("bravo", diff::ScopeStatus::Removed),
            ("charlie", diff::ScopeStatus::Removed),
            ("delta", diff::ScopeStatus::Added),
        ]
    );
    assert_eq!(
        (
            d.totals.scopes_added,
            d.totals.scopes_removed,
            d.totals.scopes_unchanged
        ),
        (1, 2, 1)
    );
    let md = ctrlmap::emit::diff::markdown(&d);
    assert!(md.contains("### Bravo Clinic — `delta` (scope added)"), "{md}");
}

#[test]
fn diff_sees_a_changed_evidence_file_even_when_no_yaml_changed() {
    let old = load(&example());
    let scratch = Scratch::copy_of(&example(), "diff-evidence");
    let file = scratch.ws().join("evidence/riverside-2026-q3-restore-test.md");
    let mut text = std::fs::read_to_string(&file).expect("evidence");
    text.push_str("\nEdited after signing.\n");
    std::fs::write(&file, text).expect("write");
    let d = diff::diff(&old, &load(&scratch.ws()), as_of());
    let scopes: Vec<&str> = d.scopes.iter().map(|s| &*s.scope).collect();
    assert_eq!(scopes, vec!["riverside-dental"]);
    let new: Vec<&str> = d.scopes[0].new_findings.iter().map(|f| &*f.code).collect();
    assert_eq!(new, vec!["CM011"]);
    assert!(d.is_regression(Some(Severity::High)));
}

/// Add `n` clients to a scratch workspace, copies of the example's riverside-dental scope with
/// their own ids, so the command streams more than one batch of scopes.
fn add_clients(dir: &Path, n: usize) {
    let text = std::fs::read_to_string(example().join("scopes/riverside-dental.yaml")).expect("scope");
    for i in 0..n {
        let id = format!("client-{i:03}");
        let copy = text.replacen("id: riverside-dental", &format!("id: {id}"), 1);
        std::fs::write(dir.join(format!("scopes/{id}.yaml")), copy).expect("write");
    }
}

#[test]
fn the_command_streams_scopes_and_reports_what_the_library_compares_whole() {
    let old_dir = Scratch::copy_of(&example(), "diff-stream-old");
    add_clients(&old_dir.ws(), 90);
    let new_dir = Scratch::copy_of(&old_dir.ws(), "diff-stream-new");
    // One assignment changed, in a client of the second batch.
    edit(&new_dir.ws(), "scopes/client-070.yaml", |t| {
        t.replacen("responsible: client", "responsible: msp", 1)
    });
    // A file moved to a subfolder (same id), an id changed in place, a client gone, one new.
    std::fs::create_dir_all(new_dir.ws().join("scopes/ny")).expect("mkdir");
    std::fs::rename(
        new_dir.ws().join("scopes/riverside-dental.yaml"),
        new_dir.ws().join("scopes/ny/riverside.yaml"),
    )
    .expect("move");
    edit(&new_dir.ws(), "scopes/client-010.yaml", |t| {
        t.replace("id: client-010", "id: client-010b")
    });
    std::fs::remove_file(new_dir.ws().join("scopes/cedar-tax-services.yaml")).expect("remove");
    edit(&new_dir.ws(), "scopes/client-089.yaml", |t| {
        t.replace("id: client-089", "id: zz-new-client")
    });
    // Both sides, also swapped: added and removed change places.
    for (old, new) in [(&old_dir.ws(), &new_dir.ws()), (&new_dir.ws(), &old_dir.ws())] {
        let mut expected = diff::diff(&load(old), &load(new), as_of());
        let (old_arg, new_arg) = (old.display().to_string(), new.display().to_string());
        expected.old = old_arg.clone();
        expected.new = new_arg.clone();
        assert!(expected.totals.scopes_changed > 0 && expected.totals.scopes_added > 0);
        assert!(expected.totals.scopes_removed > 0 && expected.totals.scopes_unchanged > 64);
        for (format, render) in [
            ("json", ctrlmap::emit::diff::json as fn(&diff::Diff) -> String),
            ("text", ctrlmap::emit::diff::text),
            ("markdown", ctrlmap::emit::diff::markdown),
        ] {
            let run = ctrlmap(["diff", &old_arg, &new_arg, "--format", format, "--as-of", "2026-11-30"]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert_eq!(run.stdout, render(&expected), "{format}");
        }
    }
}

#[test]
fn the_command_reports_the_old_sides_input_problems_first_and_compares_nothing() {
    let old_dir = Scratch::copy_of(&example(), "diff-bad-old");
    let new_dir = Scratch::copy_of(&example(), "diff-bad-new");
    std::fs::write(
        old_dir.ws().join("scopes/broken.yaml"),
        "kind: scope\nid: broken\nclient: 3\n",
    )
    .expect("write");
    std::fs::write(
        new_dir.ws().join("scopes/again.yaml"),
        std::fs::read(example().join("scopes/riverside-dental.yaml")).expect("read"),
    )
    .expect("write");
    let (old_arg, new_arg) = (old_dir.ws().display().to_string(), new_dir.ws().display().to_string());
    let run = ctrlmap(["diff", &old_arg, &new_arg]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("scopes/broken.yaml:3:"), "{}", run.stderr);
    assert!(!run.stderr.contains("E011"), "{}", run.stderr);
    let run = ctrlmap(["diff", &new_arg, &new_arg]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("E011"), "{}", run.stderr);
}
