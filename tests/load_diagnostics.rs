//! Every input diagnostic, exercised through the binary on a fixture: the right code, file,
//! line and column, all problems in one run, exit 2.

mod support;
use support::*;

/// `ctrlmap validate .` in the fixture folder: reported paths are relative to the folder
/// ctrlmap runs in, here the workspace itself (`scopes/broken.yaml`).
fn validate(fixture_dir: &str) -> Run {
    let run = ctrlmap_in(&fixture(fixture_dir), ["validate", "."]);
    assert_eq!(run.code, 2, "bad input exits 2\nstderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[test]
fn five_different_problems_in_one_file_give_five_diagnostics_in_one_run() {
    let run = validate("load/five-problems");
    assert_eq!(
        headers(&run.stderr),
        vec![
            "scopes/broken.yaml:1:1 error[E005]",
            "scopes/broken.yaml:4:3 error[E003]",
            "scopes/broken.yaml:7:16 error[E004]",
            "scopes/broken.yaml:10:15 error[E006]",
            "scopes/broken.yaml:13:1 error[E002]",
        ],
        "stderr:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("missing required field `model`"));
    assert!(run.stderr.contains("did you mean `name`?"));
    assert!(run.stderr.contains("must be an integer, found a string"));
    assert!(run.stderr.contains("is not a valid date: \"2026-02-30\""));
    assert!(
        run.stderr
            .contains("duplicate key `services` (first defined at line 11, column 1)")
    );
    assert!(run.stderr.contains("5 problems in the input"));
}

#[test]
fn diagnostics_show_the_source_line_with_a_caret_and_a_hint() {
    let run = validate("load/five-problems");
    assert!(
        run.stderr
            .contains("error[E003]: unknown key `nmae`\n --> scopes/broken.yaml:4:3\n  |\n4 |   nmae: Broken Client LLC\n  |   ^^^^\n  |\n  = help: did you mean `name`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn yaml_syntax_error_names_line_and_column() {
    let run = validate("load/syntax");
    assert_eq!(
        headers(&run.stderr),
        vec!["scopes/bad.yaml:3:7 error[E001]"],
        "{}",
        run.stderr
    );
}

#[test]
fn alias_bomb_is_refused() {
    let run = validate("load/alias-bomb");
    let h = headers(&run.stderr);
    assert_eq!(h.len(), 1, "{}", run.stderr);
    assert!(
        h[0].starts_with("scopes/bomb.yaml:") && h[0].ends_with("error[E013]"),
        "{h:?}"
    );
}

#[test]
fn deep_nesting_is_refused() {
    let run = validate("load/deep");
    let h = headers(&run.stderr);
    assert_eq!(h.len(), 1, "{}", run.stderr);
    assert!(
        h[0].starts_with("scopes/deep.yaml:3:") && h[0].ends_with("error[E013]"),
        "{h:?}"
    );
}

#[test]
fn file_without_kind_is_reported() {
    let run = validate("load/kind");
    assert_eq!(headers(&run.stderr), vec!["scopes/nokind.yaml:1:1 error[E014]"]);
}

#[test]
fn catalog_with_duplicate_id_dangling_parent_and_unknown_attribute_is_rejected() {
    let run = validate("load/catalog");
    assert_eq!(
        headers(&run.stderr),
        vec![
            "frameworks/mini.yaml:19:5 error[E011]",
            "frameworks/mini.yaml:24:5 error[E015]",
            "frameworks/mini.yaml:34:5 error[E003]",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn reference_problems_are_all_reported_with_suggestions() {
    let run = validate("load/references");
    let h = headers(&run.stderr);
    let expected = [
        "scopes/b-duplicate.yaml:2:5 error[E011]",
        "scopes/a-client.yaml:11:10 error[E010]",
        "scopes/a-client.yaml:13:14 error[E018]",
        "scopes/a-client.yaml:15:14 error[E009]",
        "scopes/a-client.yaml:18:18 error[E017]",
        "scopes/a-client.yaml:20:11 error[E012]",
        "scopes/a-client.yaml:24:11 error[E012]",
        "services/z-backup-copy.yaml:2:5 error[E011]",
        "services/backup.yaml:13:14 error[E009]",
        "services/backup.yaml:16:14 error[E008]",
    ];
    for e in expected {
        assert!(h.iter().any(|x| x == e), "missing {e} in {h:#?}\n{}", run.stderr);
    }
    assert_eq!(h.len(), expected.len(), "{h:#?}");
    assert!(run.stderr.contains("did you mean `managed-backup`?"), "{}", run.stderr);
    assert!(
        run.stderr.contains("`hipaa:164.308(a)(1)(ii)(A)`"),
        "closest HIPAA ids are suggested:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("unknown party `vendr`"));
    assert!(
        run.stderr
            .contains("did you mean `csf-2.0:PR.DS`, `csf-2.0:PR.DS-01`, `csf-2.0:PR.DS-02`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_that_does_not_exist_is_a_usage_error() {
    let run = ctrlmap(["check", "no/such/folder"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a folder"));
}
