//! Commands about one scope read that scope, not the portfolio (issue 22, point 7): another
//! scope file's problems do not stop them, a duplicate of an id is still reported (E011,
//! with both places), and an output that would replace another client's evidence is still
//! refused. Through the real binary, on copies of the example workspace.

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
    let example = invoke(
        &support::repo(),
        [
            "matrix",
            "examples/northwind-msp/scopes/riverside-dental.yaml",
            "--format",
            "json",
        ],
        120,
    )
    .go();
    assert_eq!(alone.stdout, example.stdout);
}

#[test]
fn a_duplicate_id_in_another_scope_file_is_still_reported() {
    let s = Scratch::example("one-scope-duplicate");
    // A later file with the same id: reported on it, pointing at the first definition.
    s.write(
        "ws/scopes/zz-copy.yaml",
        &s.read(SCOPE).replace("client:\n", "# a copy\nclient:\n"),
    );
    let run = invoke(s.path(), ["matrix", SCOPE], 120).go();
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error[E011]: scope `riverside-dental` is also defined in scopes/riverside-dental.yaml:3:5"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("ws/scopes/zz-copy.yaml:3:5"), "{}", run.stderr);
    // An earlier file with the same id: the named scope is the duplicate, as `check` says.
    let s = Scratch::example("one-scope-duplicate-first");
    s.write("ws/scopes/aa-copy.yaml", &s.read(SCOPE));
    let run = invoke(s.path(), ["matrix", SCOPE], 120).go();
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error[E011]: scope `riverside-dental` is also defined in scopes/aa-copy.yaml:3:5"),
        "{}",
        run.stderr
    );
    let check = invoke(s.path(), ["check", "ws", "--as-of", "2026-11-30"], 120).go();
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
}
