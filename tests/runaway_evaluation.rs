//! Templates and custom policy rules run with fuel, a recursion limit and strict fields
//! (issue 11): a runaway loop, a doubling string or endless recursion is a located error in
//! bounded time and memory, a rule that fails at run time fails the run (never a silent
//! `false`), and a `message` that does not compile is reported when the pack is loaded.

mod support;
use support::*;

const AS_OF: &str = "2026-11-30";
const SCOPE: &str = "ws/scopes/riverside-dental.yaml";

fn with_template(name: &str, file: &str, body: &str) -> Scratch {
    let s = Scratch::example(name);
    s.write(&format!("ws/templates/{file}"), body);
    s
}

fn render(s: &Scratch, template: &str) -> Run {
    invoke(s.path(), ["render", template, SCOPE, "--as-of", AS_OF], 60)
        .memory_limit(1024 * MB)
        .go()
}

#[test]
fn nested_loops_in_a_template_run_out_of_fuel() {
    let s = with_template(
        "tpl-loops",
        "loops.md.j2",
        "# {{ scope.client.name }}\n{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\n",
    );
    let run = render(&s, "loops");
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error: templates/loops.md.j2:2: engine ran out of fuel"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_doubling_string_in_a_template_runs_out_of_fuel_before_memory() {
    let s = with_template(
        "tpl-doubling",
        "double.md.j2",
        "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}\n{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}\n",
    );
    let run = render(&s, "double");
    run.assert_code(2);
    assert!(
        run.stderr.contains("templates/double.md.j2:2: engine ran out of fuel"),
        "{}",
        run.stderr
    );
}

#[test]
fn endless_macro_recursion_is_a_located_error() {
    let s = with_template(
        "tpl-recursion",
        "deep.md.j2",
        "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}\n{{ down(0) }}\n",
    );
    let run = render(&s, "deep");
    run.assert_code(2);
    assert!(run.stderr.contains("recursion limit exceeded"), "{}", run.stderr);
    assert!(run.stderr.contains("templates/deep.md.j2:"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_include_through_a_link_out_of_templates_is_refused_with_its_line() {
    let s = with_template(
        "tpl-include-link",
        "letter.md.j2",
        "Dear {{ scope.client.name }},\n{% include \"passwd.txt\" %}\n",
    );
    std::os::unix::fs::symlink("/etc/passwd", s.ws().join("templates/passwd.txt")).expect("link");
    let run = render(&s, "letter");
    run.assert_code(2);
    assert!(
        run.stderr.contains("error: templates/letter.md.j2:2:") && run.stderr.contains("outside"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("root:") && !run.stderr.contains("root:x:0"));
    // The linked file on its own is refused the same way.
    let run = render(&s, "passwd.txt");
    run.assert_code(2);
    assert!(!run.stdout.contains("root:"));
    // A name that climbs out of the folder: located at the include, not "no template".
    s.write(
        "ws/templates/climb.md.j2",
        "A\n{% include \"../scopes/riverside-dental.yaml\" %}\n",
    );
    let run = render(&s, "climb");
    run.assert_code(2);
    assert!(run.stderr.contains("error: templates/climb.md.j2:2:"), "{}", run.stderr);
    assert!(!run.stdout.contains("kind: scope"));
}

fn with_policy(name: &str, rules: &str) -> Scratch {
    let s = Scratch::example(name);
    s.write(
        "ws/policies/house.yaml",
        &format!("kind: policy\nid: house\ntitle: House rules\nrules:\n{rules}"),
    );
    s
}

fn check(s: &Scratch) -> Run {
    invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60)
        .memory_limit(1024 * MB)
        .go()
}

#[test]
fn a_custom_rule_with_a_misspelt_field_fails_the_run_with_its_location() {
    let s = with_policy(
        "rule-typo",
        "  - code: X001\n    kind: custom\n    severity: low\n    title: MSP alone\n    when: \"row.sumary == 'msp'\"\n",
    );
    let run = check(&s);
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        ["ws/policies/house.yaml:9:11 E021"],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`row.sumary` is undefined"), "{}", run.stderr);
    // The documented optional fields are there on every row (none when empty): a rule over
    // `requirement` runs on CSF rows too, and fires.
    s.write(
        "ws/policies/house.yaml",
        "kind: policy\nid: house\ntitle: House rules\nrules:\n  - code: X001\n    kind: custom\n    severity: low\n    title: MSP alone\n    when: \"row.summary == 'msp' and row.requirement == 'addressable' and row.reason is none\"\n    message: \"{{ row.control }} is owned by the MSP alone\"\n",
    );
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 60).go();
    run.assert_code(0);
    assert!(run.stdout.contains("is owned by the MSP alone"), "{}", run.stdout);
}

#[test]
fn a_runaway_message_runs_out_of_fuel_and_fails_the_run() {
    let s = with_policy(
        "rule-loop",
        "  - code: X002\n    kind: custom\n    severity: low\n    title: loop\n    when: \"row.summary == 'msp'\"\n    message: \"{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}\"\n",
    );
    let run = check(&s);
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        ["ws/policies/house.yaml:10:14 E021"],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("ran out of fuel"), "{}", run.stderr);
    // The documents that assess the scope stop too, before writing anything.
    let pack = invoke(s.path(), ["pack", SCOPE, "-o", "out", "--as-of", AS_OF], 60).go();
    pack.assert_code(2);
    assert!(!s.path().join("out").exists());
}

#[test]
fn a_message_that_does_not_compile_is_reported_when_the_pack_is_loaded() {
    let s = with_policy(
        "rule-message",
        "  - code: X003\n    kind: custom\n    severity: low\n    title: never fires\n    when: \"false\"\n    message: \"{{ row.control \"\n",
    );
    let run = check(&s);
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        ["ws/policies/house.yaml:10:14 E019"],
        "{}",
        run.stderr
    );
}
