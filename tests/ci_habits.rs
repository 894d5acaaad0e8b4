//! `check` behaves as users of trivy, checkov, cargo-deny and conftest expect, through the
//! real binary: a typo in `-o FORMAT=` is a usage error, outputs never overwrite each other
//! or an input, display flags shape standard output only, writing a baseline is not a gate,
//! lookups say what was meant, JUnit skips what does not apply, the GitHub job summary gets
//! the report, and a waiver's finding code is checked like `--deny`'s.

mod support;

use serde_json::Value;
use support::*;

const AS_OF: &str = "2026-11-30";

/// A copy of the example where one control is left without an owner (the dental package's
/// assignment of 164.308(a)(8) removed, so each of its three practices has it unassigned): a
/// high CM001 that fails the gate, next to the example's medium findings (one of them waived).
fn gap_workspace(name: &str) -> Scratch {
    let s = Scratch::example(name);
    s.edit("ws/packages/dental-complete.yaml", |text| {
        let start = text
            .find("  - control: hipaa:164.308(a)(8)\n")
            .expect("the dental package assigns 164.308(a)(8)");
        let end = start + text[start + 3..].find("  - control:").expect("a next assignment") + 3;
        format!("{}{}", &text[..start], &text[end..])
    });
    s
}

fn check<'a>(s: &Scratch, args: impl IntoIterator<Item = &'a str>) -> Run {
    let mut all = vec!["check", "ws", "--as-of", AS_OF];
    all.extend(args);
    invoke(s.path(), all, 60).go()
}

fn sarif_results(text: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(text).expect("SARIF is JSON");
    doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| format!("{} {}", r["ruleId"].as_str().unwrap_or_default(), r["message"]["text"]))
        .collect()
}

#[test]
fn a_typo_before_the_equals_sign_of_an_output_is_a_usage_error_not_a_file_name() {
    let s = Scratch::example("o-typo");
    let run = check(&s, ["-o", "sarf=x.sarif"]);
    run.assert_code(2);
    assert!(run.stderr.contains("error[E022]: -o `sarf=x.sarif`"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `-o sarif=x.sarif`?"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("`-o ./sarf=x.sarif`"), "{}", run.stderr);
    assert!(!s.path().join("sarf=x.sarif").exists(), "no file named after the typo");

    let run = check(&s, ["-o", "bogus=x.out"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("`bogus` is not a format of `check`"),
        "{}",
        run.stderr
    );
    assert!(!s.path().join("bogus=x.out").exists());

    // A file whose name holds `=` is written with its folder.
    let run = check(&s, ["-o", "./a=b"]);
    run.assert_code(0);
    assert!(
        s.read("a=b").contains("passed: 8 scopes"),
        "the text report is in ./a=b"
    );

    // The other commands' -o read the same way.
    let run = invoke(
        s.path(),
        [
            "matrix",
            "ws/scopes/riverside-dental.yaml",
            "--format",
            "csv",
            "-o",
            "csv=m.csv",
        ],
        60,
    )
    .go();
    run.assert_code(2);
    assert!(run.stderr.contains("error[E022]"), "{}", run.stderr);
    assert!(run.stderr.contains("`-o ./csv=m.csv`"), "{}", run.stderr);
    assert!(!s.path().join("csv=m.csv").exists());
}

#[test]
fn two_outputs_onto_one_file_or_an_output_onto_an_input_stop_before_anything_is_written() {
    let s = Scratch::example("o-clash");
    let run = check(&s, ["-o", "sarif=a.out", "-o", "junit=./a.out"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("`-o sarif=a.out` and `-o junit=./a.out` name the same file"),
        "{}",
        run.stderr
    );
    assert!(!s.path().join("a.out").exists(), "neither report was written");

    let run = check(&s, ["--write-baseline", "b.out", "-o", "sarif=b.out"]);
    run.assert_code(2);
    assert!(run.stderr.contains("error[E022]"), "{}", run.stderr);
    assert!(!s.path().join("b.out").exists());

    // An output onto a file the run reads: a scope, the configuration, evidence.
    let scope = "ws/scopes/riverside-dental.yaml";
    for target in [
        scope,
        "ws/ctrlmap.yaml",
        "ws/./services/../scopes/cedar-tax-services.yaml",
        "ws/evidence/riverside-2026-q3-restore-test.md",
    ] {
        let before = std::fs::read(s.path().join(target)).expect("the input exists");
        let flag = format!("sarif={target}");
        let run = check(&s, ["-o", flag.as_str()]);
        run.assert_code(2);
        assert!(
            run.stderr.contains("names a file this run reads"),
            "{target}: {}",
            run.stderr
        );
        assert_eq!(
            std::fs::read(s.path().join(target)).expect("still there"),
            before,
            "{target} is untouched"
        );
    }

    // `matrix S -o S` would replace the scope file with its own matrix.
    let before = s.read(scope);
    let run = invoke(s.path(), ["matrix", scope, "-o", scope], 60).go();
    run.assert_code(2);
    assert!(run.stderr.contains("error[E022]"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--> ws/scopes/riverside-dental.yaml"),
        "{}",
        run.stderr
    );
    assert_eq!(s.read(scope), before);

    // The baseline read is an input too.
    let run = check(&s, ["--write-baseline", "base.json"]);
    run.assert_code(0);
    let before = s.read("base.json");
    let run = check(&s, ["--baseline", "base.json", "-o", "json=./base.json"]);
    run.assert_code(2);
    assert_eq!(s.read("base.json"), before);
}

#[test]
fn quiet_and_severity_shape_standard_output_and_every_file_holds_every_finding() {
    let s = gap_workspace("o-quiet");
    let full = check(
        &s,
        [
            "-o",
            "sarif=full.sarif",
            "-o",
            "json=full.json",
            "-o",
            "markdown=full.md",
        ],
    );
    full.assert_code(1);
    let all = sarif_results(&s.read("full.sarif"));
    assert!(all.len() >= 2, "the gap and the waived finding: {all:?}");
    assert!(all.iter().any(|r| r.starts_with("CM009")), "{all:?}");

    for flags in [
        &["--quiet"][..],
        &["--severity", "high"],
        &["--quiet", "--severity", "critical"],
    ] {
        let mut args = flags.to_vec();
        args.extend([
            "-o",
            "sarif=shown.sarif",
            "-o",
            "json=shown.json",
            "-o",
            "markdown=shown.md",
        ]);
        let run = check(&s, args);
        run.assert_code(1); // the gate is unchanged
        assert!(
            run.stdout.contains("high[CM001]") || flags.contains(&"critical"),
            "{flags:?}: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("medium[CM009]"),
            "{flags:?}: standard output leaves the medium finding out:\n{}",
            run.stdout
        );
        assert_eq!(
            s.read("shown.sarif"),
            s.read("full.sarif"),
            "{flags:?}: SARIF file complete"
        );
        assert_eq!(
            s.read("shown.json"),
            s.read("full.json"),
            "{flags:?}: JSON file complete"
        );
        assert_eq!(
            s.read("shown.md"),
            s.read("full.md"),
            "{flags:?}: Markdown file complete"
        );
    }
    // Standard output in a machine format is shaped too: that is what was asked for.
    let run = check(&s, ["--severity", "high", "--format", "sarif"]);
    let high = all.iter().filter(|r| r.starts_with("CM001")).count();
    assert!(high >= 1, "{all:?}");
    assert_eq!(sarif_results(&run.stdout).len(), high, "{}", run.stdout);

    let help = invoke(&repo(), ["check", "--help"], 30).go();
    help.assert_code(0);
    let text = help.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        text.matches("Files written with `-o` hold every finding").count(),
        2,
        "--quiet and --severity say so in --help:\n{}",
        help.stdout
    );
}

#[test]
fn writing_a_baseline_is_not_a_gate_unless_fail_on_is_given() {
    let s = gap_workspace("o-baseline");
    check(&s, []).assert_code(1);
    let run = check(&s, ["--write-baseline", "b.json"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("writing a baseline is not a gate"),
        "{}",
        run.stderr
    );
    let baseline: Value = serde_json::from_str(&s.read("b.json")).expect("JSON");
    assert!(baseline.to_string().contains("CM001"), "{baseline}");
    // With a documented gate flag, the same run gates.
    let run = check(&s, ["--write-baseline", "c.json", "--fail-on", "high"]);
    run.assert_code(1);
    assert_eq!(s.read("c.json"), s.read("b.json"));
    // And the baseline then does its job.
    check(&s, ["--baseline", "b.json"]).assert_code(0);
}

#[test]
fn lookups_suggest_what_was_meant() {
    let s = Scratch::example("o-lookup");
    let run = check(&s, ["--scope", "riverside-dentl"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error[E022]: --scope `riverside-dentl`: no scope of the workspace has this id"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `riverside-dental`?"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("E016"), "not an unreadable file: {}", run.stderr);

    // A workspace path that is not a folder is a usage mistake too (E022), not E016.
    let run = invoke(s.path(), ["check", "ws/nope", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    assert!(
        run.stderr.contains("error[E022]: ws/nope: not a folder"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("E016"), "not an unreadable file: {}", run.stderr);

    // The workspace folder where a scope file is wanted: its scopes are listed.
    let run = invoke(s.path(), ["explain", "ws", "hipaa:164.308(a)(1)"], 60).go();
    run.assert_code(2);
    assert!(run.stderr.contains("`ws` is a folder"), "{}", run.stderr);
    for scope in ["cedar-tax-services", "hudson-valley-insurance", "riverside-dental"] {
        assert!(
            run.stderr.contains(&format!("`ws/scopes/{scope}.yaml`")),
            "{scope}: {}",
            run.stderr
        );
    }
    let run = invoke(s.path(), ["matrix", "ws/scopes/riverside.yaml"], 60).go();
    run.assert_code(2);
    assert!(
        run.stderr.contains("did you mean `ws/scopes/riverside-dental.yaml`?"),
        "{}",
        run.stderr
    );

    // A control without its framework is looked up in the scope's catalogs and printed in
    // full; 45 CFR 164.308(a)(1) is the Security management process standard.
    let run = invoke(
        s.path(),
        [
            "explain",
            "ws/scopes/riverside-dental.yaml",
            "164.308(a)(1)",
            "--as-of",
            AS_OF,
        ],
        60,
    )
    .go();
    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("hipaa:164.308(a)(1) — Security management process\n"),
        "{}",
        run.stdout
    );

    // Common short names, printed in full: 16 CFR 314.4(a) is the Qualified Individual.
    let run = invoke(
        s.path(),
        [
            "explain",
            "ws/scopes/cedar-tax-services.yaml",
            "glba:314.4(a)",
            "--as-of",
            AS_OF,
        ],
        60,
    )
    .go();
    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("glba-safeguards:314.4(a) — Qualified Individual\n"),
        "{}",
        run.stdout
    );
    for (scope, alias, id) in [
        ("cedar-tax-services", "glba", "glba-safeguards"),
        ("hudson-valley-insurance", "nydfs", "nydfs-500"),
        ("riverside-dental", "csf", "csf-2.0"),
    ] {
        let file = format!("ws/scopes/{scope}.yaml");
        let run = invoke(
            s.path(),
            ["matrix", file.as_str(), "--framework", alias, "--format", "json"],
            60,
        )
        .go();
        run.assert_code(0);
        let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
        let ids: Vec<&str> = doc["frameworks"]
            .as_array()
            .expect("frameworks")
            .iter()
            .filter_map(|f| f["id"].as_str())
            .collect();
        assert_eq!(ids, [id], "{alias} stands for {id}");
    }
    let run = invoke(s.path(), ["frameworks", "show", "csf:PR.AA-03"], 30).go();
    run.assert_code(0);
    assert!(run.stdout.starts_with("csf-2.0:PR.AA-03 — "), "{}", run.stdout);
    // A CSF 1.1 id is no CSF 2.0 control: the closest 2.0 ids are offered.
    let run = invoke(s.path(), ["frameworks", "show", "csf-2.0:PR.AC-01"], 30).go();
    run.assert_code(2);
    assert!(run.stderr.contains("error[E022]"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `csf-2.0:PR.AA-01`"), "{}", run.stderr);
}

#[test]
fn junit_reports_a_control_that_does_not_apply_as_skipped_with_its_reason() {
    let s = Scratch::example("o-junit");
    check(&s, ["-o", "junit=j.xml"]).assert_code(0);
    let xml = s.read("j.xml");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let case = |scope: &str, control: &str| {
        doc.descendants()
            .find(|n| {
                n.has_tag_name("testcase")
                    && n.attribute("classname") == Some(scope)
                    && n.attribute("name") == Some(control)
            })
            .unwrap_or_else(|| panic!("no test case {scope} {control}"))
    };
    // The example's scope declares it not applicable with this reason.
    let na = case("riverside-dental", "hipaa:164.308(a)(4)(ii)(A)");
    let skipped = na
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("a control that does not apply is skipped, not passed");
    assert_eq!(skipped.attribute("type"), Some("not-applicable"));
    assert_eq!(
        skipped.attribute("message"),
        Some(
            "not applicable: The practice is not a health care clearinghouse and is not part of a larger organization that has one."
        )
    );
    // An applicable control without findings still passes.
    let passed = case("riverside-dental", "hipaa:164.308(a)(1)(ii)(A)");
    assert_eq!(passed.children().filter(|n| n.is_element()).count(), 0);
    // The totals count them: quick-junit, an independent parser, agrees.
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("parses");
    let na_cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped") && n.attribute("type") == Some("not-applicable"))
        .count();
    // The example's summaries (`check` text, "N/A"): three dental practices with 3 each, two
    // insurance agencies with 7, two exempt tax firms with 17, Summit with 3; one waived finding.
    assert_eq!(na_cases, 3 * 3 + 2 * 7 + 2 * 17 + 3);
    assert_eq!(report.skipped, na_cases + 1);
}

#[test]
fn on_github_actions_the_markdown_report_is_appended_to_the_job_summary() {
    let s = gap_workspace("o-summary");
    let summary = s.write("summary.md", "## an earlier step\n");
    let run = invoke(
        s.path(),
        ["check", "ws", "--as-of", AS_OF, "--format", "github", "--quiet"],
        60,
    )
    .env("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path"))
    .go();
    run.assert_code(1);
    assert!(
        run.stdout.starts_with("::error "),
        "annotations on standard output: {}",
        run.stdout
    );
    let text = s.read("summary.md");
    assert!(
        text.starts_with("## an earlier step\n## ctrlmap check: ❌ failed"),
        "{text}"
    );
    // Complete, whatever --quiet did to standard output.
    assert!(text.contains("| high | CM001 | riverside-dental |"), "{text}");
    assert!(text.contains("| medium (waived) | CM009 |"), "{text}");
    // A second step appends again.
    invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60)
        .env("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8 path"))
        .go()
        .assert_code(1);
    assert_eq!(s.read("summary.md").matches("## ctrlmap check:").count(), 2);
    // Not on GitHub: nothing is written anywhere.
    let run = check(&s, []);
    run.assert_code(1);
}

#[test]
fn a_waiver_for_an_unknown_finding_code_is_an_error_like_deny() {
    let s = Scratch::example("o-waiver");
    s.edit("ws/scopes/riverside-dental.yaml", |text| {
        text.replacen("  - finding: CM009\n", "  - finding: CM998\n", 1)
    });
    let line = s
        .read("ws/scopes/riverside-dental.yaml")
        .lines()
        .position(|l| l == "  - finding: CM998")
        .expect("the edited waiver")
        + 1;
    let column = "  - finding: CM998".find("CM998").expect("the code") + 1;
    let run = invoke(s.path(), ["validate", "ws"], 60).go();
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        [format!("ws/scopes/riverside-dental.yaml:{line}:{column} E007")],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("the waiver names `CM998`"), "{}", run.stderr);
    // The same check, and the same help, as --deny.
    // The help of the first error (a copy of the example also has warnings: its `$schema`
    // lines point at the repository's schemas).
    let help = |stderr: &str| {
        stderr
            .lines()
            .skip_while(|l| !l.starts_with("error["))
            .find_map(|l| l.trim_start().strip_prefix("= help: "))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let deny = invoke(&repo(), ["check", "examples/northwind-msp", "--deny", "CM998"], 60).go();
    deny.assert_code(2);
    assert!(help(&deny.stderr).starts_with("did you mean `CM"), "{}", deny.stderr);
    assert_eq!(help(&run.stderr), help(&deny.stderr));
    // A built-in rule's name stands for its code, as on the command line.
    s.edit("ws/scopes/riverside-dental.yaml", |text| {
        text.replacen("  - finding: CM998\n", "  - finding: evidence-missing\n", 1)
    });
    let run = check(&s, []);
    run.assert_code(0);
    assert!(
        run.stdout.contains("(waived)"),
        "the waiver still applies: {}",
        run.stdout
    );
}
