//! Commands about one scope read that scope, not the portfolio (issue 22, point 7): another
//! scope file's problems do not stop them, nor does another file with the same id (that is
//! the gate's to report, E011), and an output that would replace another client's evidence
//! is still refused. Through the real binary, on copies of the example workspace.

mod support;

use support::{Scratch, invoke};

const SCOPE: &str = "ws/scopes/riverside-dental.yaml";

/// A copy of the example with one other scope file broken beyond parsing.
fn with_broken_neighbour(name: &str) -> Scratch {
    let s = Scratch::example(name);
    s.write(
        "ws/scopes/zz-broken.yaml",
        "kind: scope\nid: zz-broken\nclient: [unclosed\n",
    );
    s
}

#[test]
fn a_broken_neighbour_does_not_stop_commands_about_one_scope() {
    let s = with_broken_neighbour("one-scope-neighbour");
    // The whole portfolio is broken for `check`: the neighbour is read and reported.
    let check = invoke(s.path(), ["check", "ws", "--as-of", "2026-11-30"], 120).go();
    check.assert_code(2);
    assert!(check.stderr.contains("zz-broken.yaml"), "{}", check.stderr);
    // Every command about riverside-dental reads riverside-dental alone.
    let out = s.path().join("out");
    for args in [
        vec!["matrix", SCOPE, "--format", "json"],
        vec!["explain", SCOPE, "hipaa:164.308(a)(1)(ii)(A)", "--as-of", "2026-11-30"],
        vec!["render", "baa-appendix", SCOPE, "--as-of", "2026-11-30"],
        vec!["scaffold", SCOPE],
        vec!["pack", SCOPE, "-o", out.to_str().unwrap(), "--as-of", "2026-11-30"],
    ] {
        let run = invoke(s.path(), &args, 120).go();
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("zz-broken"), "{args:?}: {}", run.stderr);
    }
    // The matrix is the one of the whole example (riverside-dental's rows, unchanged).
    let alone = invoke(s.path(), ["matrix", SCOPE, "--format", "json"], 120).go();
    assert_eq!(alone.stdout, example_matrix());
}

#[test]
fn a_duplicate_id_in_another_scope_file_is_the_gates_to_report() {
    // Another file with riverside-dental's id, sorted before it: a command about
    // riverside-dental does not open it (its cost must not grow with the portfolio), and
    // answers as it does without it; `check`, the gate over the whole portfolio, reports it.
    let s = Scratch::example("one-scope-duplicate");
    s.write("ws/scopes/aa-copy.yaml", &s.read(SCOPE));
    let run = invoke(s.path(), ["matrix", SCOPE, "--format", "json"], 120).go();
    run.assert_code(0);
    assert!(!run.stderr.contains("aa-copy"), "{}", run.stderr);
    assert_eq!(run.stdout, example_matrix());
    let check = invoke(s.path(), ["check", "ws", "--as-of", "2026-11-30"], 120).go();
    check.assert_code(2);
    assert!(
        check
            .stderr
            .contains("error[E011]: scope `riverside-dental` is also defined in scopes/aa-copy.yaml:3:5"),
        "{}",
        check.stderr
    );
}

#[test]
fn an_output_over_another_clients_evidence_is_refused() {
    let s = Scratch::example("one-scope-evidence");
    let evidence = "ws/evidence/hvia-2026-risk-assessment-summary.md";
    let before = s.read(evidence);
    let run = invoke(s.path(), ["matrix", SCOPE, "-o", evidence], 120).go();
    run.assert_code(2);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(run.stderr.contains("hudson-valley-insurance"), "{}", run.stderr);
    assert_eq!(s.read(evidence), before);
    // Nor over another client's scope file, which this command never listed nor read.
    let other = "ws/scopes/cedar-tax-services.yaml";
    let before = s.read(other);
    let run = invoke(s.path(), ["matrix", SCOPE, "-o", other], 120).go();
    run.assert_code(2);
    assert!(run.stderr.contains("(a scope file)"), "{}", run.stderr);
    assert_eq!(s.read(other), before);
}

/// riverside-dental's matrix (JSON) in the example workspace itself.
fn example_matrix() -> String {
    invoke(
        &support::repo(),
        [
            "matrix",
            "examples/northwind-msp/scopes/riverside-dental.yaml",
            "--format",
            "json",
        ],
        120,
    )
    .go()
    .stdout
}
