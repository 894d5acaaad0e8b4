//! The conventions CI users expect of the command line: several reports from one run
//! (`-o FORMAT=FILE`), display filters that never change the gate, GitLab Code Quality,
//! colour (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`), shell completions and the man page,
//! JSON from `explain`, `frameworks` and `validate`, `-` for standard input, and findings on
//! unowned controls placed where the owner is written.

mod support;

use serde_json::Value;
use support::*;

const AS_OF: &str = "2026-11-30";

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(fixture("reference/sarif/sarif-schema-2.1.0.json")).expect("SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the official SARIF schema compiles without network access")
}

/// A copy of the example where one control is left without an owner: the dental package's
/// assignment of 164.308(a)(8) (Evaluation) removed, so the finding is CM001 (high) for each of
/// its three practices.
fn gap_workspace(name: &str) -> Scratch {
    let s = Scratch::example(name);
    s.edit("ws/packages/dental-complete.yaml", |text| {
        let start = text
            .find("  - control: hipaa:164.308(a)(8)\n")
            .expect("the example assigns 164.308(a)(8)");
        let end = start + text[start + 3..].find("  - control:").expect("a next assignment") + 3;
        format!("{}{}", &text[..start], &text[end..])
    });
    s
}

#[test]
fn one_run_writes_sarif_and_junit_files_and_prints_the_text_report() {
    let s = Scratch::example("outputs");
    let run = invoke(
        s.path(),
        [
            "check",
            "ws",
            "--as-of",
            AS_OF,
            "--output",
            "sarif=a.sarif",
            "--output",
            "junit=b.xml",
        ],
        60,
    )
    .go();
    run.assert_code(0);
    assert!(
        run.stdout.contains("passed: 8 scopes"),
        "the text report is on stdout:\n{}",
        run.stdout
    );
    let sarif: Value = serde_json::from_str(&s.read("a.sarif")).expect("SARIF is JSON");
    let errors: Vec<String> = sarif_validator().iter_errors(&sarif).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "ctrlmap");
    let xml = s.read("b.xml");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit is well-formed XML");
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 8, "one suite per scope");
    let cases = doc.descendants().filter(|n| n.has_tag_name("testcase")).count();
    assert!(cases > 100, "one case per scope and control: {cases}");
    // The same reports as the single-format runs, byte for byte.
    let alone = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "sarif"], 60).go();
    assert_eq!(alone.stdout, s.read("a.sarif"));
}

#[test]
fn output_without_a_format_replaces_standard_output() {
    let s = Scratch::example("output-main");
    let run = invoke(
        s.path(),
        ["check", "ws", "--as-of", AS_OF, "--format", "json", "-o", "r.json"],
        60,
    )
    .go();
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    let doc: Value = serde_json::from_str(&s.read("r.json")).expect("JSON");
    assert_eq!(doc["passed"], true);
    let twice = invoke(s.path(), ["check", "ws", "-o", "a.txt", "-o", "b.txt"], 60).go();
    twice.assert_code(2);
    assert!(
        twice.stderr.contains("a second file for the --format report"),
        "{}",
        twice.stderr
    );
}

#[test]
fn input_errors_reach_every_requested_report() {
    let s = Scratch::example("output-errors");
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replacen("package:", "modle: co-managed\npackage:", 1)
    });
    let run = invoke(
        s.path(),
        ["check", "ws", "--output", "sarif=a.sarif", "--output", "gitlab=g.json"],
        60,
    )
    .go();
    run.assert_code(2);
    let sarif: Value = serde_json::from_str(&s.read("a.sarif")).expect("SARIF");
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(notes.as_array().is_some_and(|n| !n.is_empty()), "{sarif}");
    // The broken file's problem is a blocker; the other scopes are assessed and reported with it.
    let gitlab: Value = serde_json::from_str(&s.read("g.json")).expect("GitLab JSON");
    let blockers: Vec<&Value> = gitlab
        .as_array()
        .expect("an array")
        .iter()
        .filter(|i| i["severity"] == "blocker")
        .collect();
    assert_eq!(blockers.len(), 1, "{gitlab}");
    assert_eq!(blockers[0]["location"]["path"], "ws/scopes/riverside-dental.yaml");
}

#[test]
fn gitlab_code_quality_has_the_documented_fields() {
    let s = gap_workspace("gitlab");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "gitlab"], 60).go();
    run.assert_code(1);
    let issues: Value = serde_json::from_str(&run.stdout).expect("a JSON array");
    let issues = issues.as_array().expect("array");
    assert!(!issues.is_empty());
    let allowed = ["info", "minor", "major", "critical", "blocker"];
    let mut fingerprints = std::collections::BTreeSet::new();
    for i in issues {
        assert!(i["description"].is_string(), "{i}");
        assert!(i["check_name"].is_string(), "{i}");
        assert!(allowed.contains(&i["severity"].as_str().unwrap_or("")), "{i}");
        assert!(i["location"]["path"].is_string(), "{i}");
        assert!(i["location"]["lines"]["begin"].as_u64().is_some_and(|l| l >= 1), "{i}");
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().expect("fingerprint").to_string()),
            "unique: {i}"
        );
    }
    let unowned = issues
        .iter()
        .find(|i| {
            i["check_name"].as_str().is_some_and(|c| c.starts_with("CM001"))
                && i["location"]["path"] == "ws/scopes/riverside-dental.yaml"
        })
        .expect("the unowned control is reported");
    assert_eq!(unowned["severity"], "critical", "ctrlmap high is GitLab critical");
    assert_eq!(unowned["location"]["path"], "ws/scopes/riverside-dental.yaml");
    // The waived finding of the example (Riverside's CM009) is not an open issue.
    assert!(issues.iter().all(|i| {
        !(i["check_name"].as_str().unwrap_or("").starts_with("CM009")
            && i["location"]["path"] == "ws/scopes/riverside-dental.yaml")
    }));
}

#[test]
fn an_unowned_control_is_reported_where_owners_are_written() {
    let s = gap_workspace("anchor");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 60).go();
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let f = doc["findings"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|f| f["code"] == "CM001" && f["scope"] == "riverside-dental")
        })
        .expect("CM001")
        .clone();
    let text = s.read("ws/scopes/riverside-dental.yaml");
    let line = text
        .lines()
        .position(|l| l.starts_with("assignments:"))
        .expect("the scope has assignments")
        + 1;
    assert_eq!(f["line"], line, "{f}");
    assert_eq!(f["column"], 1, "{f}");
}

#[test]
fn display_filters_narrow_what_is_shown_never_the_gate() {
    let s = gap_workspace("filters");
    let all = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    all.assert_code(1);
    let quiet = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--quiet"], 60).go();
    quiet.assert_code(1);
    assert!(
        !quiet.stdout.contains("frameworks:"),
        "no scope blocks:\n{}",
        quiet.stdout
    );
    assert!(
        quiet
            .stdout
            .contains("riverside-dental: ws/scopes/riverside-dental.yaml:"),
        "{}",
        quiet.stdout
    );
    assert!(
        !quiet.stdout.contains("CM009"),
        "the waived finding does not fail the gate:\n{}",
        quiet.stdout
    );
    assert!(quiet.stdout.contains("more not shown"), "{}", quiet.stdout);
    let critical = invoke(
        s.path(),
        ["check", "ws", "--as-of", AS_OF, "--severity", "critical"],
        60,
    )
    .go();
    critical.assert_code(1);
    assert!(!critical.stdout.contains("[CM001]"), "{}", critical.stdout);
    assert!(critical.stdout.contains("failed:"), "{}", critical.stdout);
    // --scope selects what is assessed, and so what gates.
    let other = invoke(
        s.path(),
        ["check", "ws", "--as-of", AS_OF, "--scope", "cedar-tax-services"],
        60,
    )
    .go();
    other.assert_code(0);
    assert!(other.stdout.contains("passed: 1 scope,"), "{}", other.stdout);
    let unknown = invoke(s.path(), ["check", "ws", "--scope", "nobody"], 60).go();
    unknown.assert_code(2);
    assert!(unknown.stderr.contains("--scope `nobody`"), "{}", unknown.stderr);
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let ex = example();
    let args = ["check", ex.to_str().expect("utf-8"), "--as-of", AS_OF];
    let esc = |s: &str| s.contains('\u{1b}');
    let always = invoke(&repo(), args.iter().copied().chain(["--color", "always"]), 60).go();
    assert!(esc(&always.stdout), "--color always colours a pipe");
    let never = invoke(&repo(), args.iter().copied().chain(["--color", "never"]), 60)
        .env_removed("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .go();
    assert!(!esc(&never.stdout), "--color never wins over CLICOLOR_FORCE");
    let no_color = invoke(&repo(), args, 60)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .go();
    assert!(!esc(&no_color.stdout), "NO_COLOR turns colour off");
    let forced = invoke(&repo(), args, 60)
        .env_removed("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .go();
    assert!(esc(&forced.stdout), "CLICOLOR_FORCE colours a pipe");
    let piped = invoke(&repo(), args, 60).env_removed("NO_COLOR").go();
    assert!(!esc(&piped.stdout), "a pipe is not coloured by default");
    // Diagnostics too.
    let s = Scratch::example("colour-diag");
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replacen("package:", "modle: co-managed\npackage:", 1)
    });
    let diag = invoke(s.path(), ["check", "ws", "--color", "always"], 60).go();
    diag.assert_code(2);
    assert!(esc(&diag.stderr), "{}", diag.stderr);
    let plain = invoke(s.path(), ["check", "ws"], 60).go();
    assert!(
        !esc(&plain.stderr) && plain.stderr.contains("error[E"),
        "{}",
        plain.stderr
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    let bash = invoke(&repo(), ["completions", "bash"], 30).go();
    bash.assert_code(0);
    assert!(bash.stdout.contains("complete -F _ctrlmap"), "{}", bash.stdout);
    for word in ["check", "matrix", "explain", "--fail-on", "--output"] {
        assert!(bash.stdout.contains(word), "{word} in the bash completions");
    }
    let zsh = invoke(&repo(), ["completions", "zsh"], 30).go();
    assert!(zsh.stdout.starts_with("#compdef ctrlmap"), "{}", zsh.stdout);
    let man = invoke(&repo(), ["man"], 30).go();
    man.assert_code(0);
    assert!(man.stdout.contains(".TH ctrlmap 1"), "{}", man.stdout);
    assert!(man.stdout.contains("completions"), "the man page lists the commands");
}

#[test]
fn explain_frameworks_and_validate_speak_json() {
    let scope = example().join("scopes/riverside-dental.yaml");
    let scope = scope.to_str().expect("utf-8");
    let run = invoke(
        &repo(),
        [
            "explain",
            scope,
            "hipaa:164.308(a)(8)",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        60,
    )
    .go();
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["control"], "hipaa:164.308(a)(8)");
    assert_eq!(doc["row"]["control"], "hipaa:164.308(a)(8)");
    let waived = doc["findings"].as_array().expect("findings");
    assert!(
        waived.iter().any(|f| f["code"] == "CM009" && f["waived"].is_object()),
        "{doc}"
    );

    let list = invoke(&repo(), ["frameworks", "--format", "json"], 30).go();
    let doc: Value = serde_json::from_str(&list.stdout).expect("JSON");
    let ids: Vec<&str> = doc["catalogs"]
        .as_array()
        .expect("catalogs")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["csf-2.0", "glba-safeguards", "hipaa", "nydfs-500"]);
    let show = invoke(
        &repo(),
        ["frameworks", "show", "hipaa:164.410(b)", "--format", "json"],
        30,
    )
    .go();
    let doc: Value = serde_json::from_str(&show.stdout).expect("JSON");
    assert_eq!(doc["control"]["id"], "164.410(b)");
    // The regulation's words, as 45 CFR 164.410(b) has them.
    let text = doc["control"]["text"].as_str().expect("text");
    assert!(
        text.contains("in no case later than 60 calendar days after discovery of a breach"),
        "{text}"
    );

    let valid = invoke(
        &repo(),
        ["validate", example().to_str().expect("utf-8"), "--format", "json"],
        60,
    )
    .go();
    valid.assert_code(0);
    let doc: Value = serde_json::from_str(&valid.stdout).expect("JSON");
    assert_eq!((doc["valid"].as_bool(), doc["scopes"].as_u64()), (Some(true), Some(8)));
    assert_eq!((doc["packages"].as_u64(), doc["parties"].as_u64()), (Some(4), Some(3)));
    let s = Scratch::example("validate-json");
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replacen("package:", "modle: co-managed\npackage:", 1)
    });
    let bad = invoke(s.path(), ["validate", "ws", "--format", "json"], 60).go();
    bad.assert_code(2);
    let doc: Value = serde_json::from_str(&bad.stdout).expect("JSON");
    assert_eq!(doc["valid"], false);
    let errors = doc["errors"].as_array().expect("errors");
    assert!(
        errors.iter().all(|e| e["file"] == "ws/scopes/riverside-dental.yaml"),
        "{doc}"
    );
}

#[test]
fn a_dash_reads_the_baseline_from_standard_input() {
    let s = gap_workspace("stdin");
    invoke(
        s.path(),
        ["check", "ws", "--as-of", AS_OF, "--write-baseline", "b.json"],
        60,
    )
    .go()
    .assert_code(0); // writing a baseline is not a gate
    let baseline = s.read("b.json");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--baseline", "-"], 60)
        .stdin(baseline.as_bytes())
        .go();
    run.assert_code(0);
    assert!(run.stdout.contains("in the baseline, not listed"), "{}", run.stdout);
}

#[test]
fn every_file_a_help_example_names_exists() {
    let mut named = Vec::new();
    for cmd in [
        &["--help"][..],
        &["render", "--help"],
        &["pack", "--help"],
        &["diff", "--help"],
    ] {
        let help = invoke(&repo(), cmd.iter().copied(), 30).go();
        help.assert_code(0);
        for line in help.stdout.lines().filter(|l| l.trim_start().starts_with("ctrlmap ")) {
            for word in line.split_whitespace().map(|w| w.trim_matches('\'')) {
                if word.starts_with("examples/") {
                    named.push(word.to_string());
                }
            }
        }
    }
    assert!(named.len() >= 5, "the help shows examples: {named:?}");
    for file in named {
        assert!(
            repo().join(&file).exists(),
            "`{file}` in a --help example does not exist"
        );
    }
}

#[test]
fn the_example_template_renders() {
    let scope = example().join("scopes/riverside-dental.yaml");
    let run = invoke(
        &repo(),
        [
            "render",
            "client-letter",
            scope.to_str().expect("utf-8"),
            "--as-of",
            AS_OF,
        ],
        60,
    )
    .go();
    run.assert_code(0);
    assert!(
        run.stdout
            .starts_with("# Riverside Dental Group, PLLC: who does what, as of 2026-11-30"),
        "{}",
        run.stdout
    );
}

#[test]
fn people_are_never_sent_to_a_file_they_cannot_open() {
    // A built-in catalog or crosswalk is not a file a user has: the text, Markdown and
    // explain outputs say which command shows it instead of `<builtin>/…:LINE`.
    let scope = example().join("scopes/riverside-dental.yaml");
    let scope = scope.to_str().expect("utf-8");
    for args in [
        vec!["matrix", scope],
        vec!["matrix", scope, "--format", "markdown"],
        vec!["explain", scope, "hipaa:164.410", "--as-of", AS_OF],
        vec!["explain", scope, "hipaa:164.312(e)(2)(ii)", "--as-of", AS_OF],
        vec!["check", "examples/northwind-msp", "--as-of", AS_OF],
    ] {
        let run = invoke(&repo(), &args, 60).go();
        run.assert_code(0);
        assert!(!run.stdout.contains("builtin>"), "{args:?}:\n{}", run.stdout);
    }
    let explain = invoke(&repo(), ["explain", scope, "hipaa:164.410", "--as-of", AS_OF], 60).go();
    assert!(
        explain
            .stdout
            .contains("the built-in catalog: `ctrlmap frameworks show hipaa:164.410`"),
        "{}",
        explain.stdout
    );
    // Machine formats keep the exact place.
    let csv = invoke(&repo(), ["matrix", scope, "--format", "csv"], 60).go();
    assert!(
        csv.stdout.contains("<builtin>/frameworks/hipaa.yaml:"),
        "{}",
        csv.stdout
    );
}

#[test]
fn explain_names_files_the_way_check_does() {
    // From the repository root, both say `examples/northwind-msp/scopes/…`: a path the
    // reader can open from where they ran the command.
    let scope = "examples/northwind-msp/scopes/riverside-dental.yaml";
    // 164.308(a)(2) is decided in the scope itself, 164.308(a)(8) by its package.
    let explain = invoke(&repo(), ["explain", scope, "hipaa:164.308(a)(2)", "--as-of", AS_OF], 60).go();
    explain.assert_code(0);
    assert!(explain.stdout.contains(&format!("at {scope}:")), "{}", explain.stdout);
    let explain = invoke(&repo(), ["explain", scope, "hipaa:164.308(a)(8)", "--as-of", AS_OF], 60).go();
    assert!(
        explain
            .stdout
            .contains("from package `dental-complete`, examples/northwind-msp/packages/dental-complete.yaml:"),
        "{}",
        explain.stdout
    );
    let check = invoke(&repo(), ["check", "examples/northwind-msp", "--as-of", AS_OF], 60).go();
    assert!(check.stdout.contains(&format!("{scope}:")), "{}", check.stdout);
}

#[test]
fn a_scope_summary_says_which_of_its_findings_are_waived() {
    // The example's one finding is waived: the summary must not read as an open medium gap
    // where the pack and the BAA appendix say "0 open, 1 waived".
    let run = invoke(&repo(), ["check", "examples/northwind-msp", "--as-of", AS_OF], 60).go();
    run.assert_code(0);
    assert!(run.stdout.contains("  findings:   1 medium (waived)"), "{}", run.stdout);
    let json = invoke(
        &repo(),
        ["check", "examples/northwind-msp", "--as-of", AS_OF, "--format", "json"],
        60,
    )
    .go();
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    let dental = doc["scopes"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["scope"] == "riverside-dental"))
        .expect("riverside-dental");
    assert_eq!(dental["waived"], 1);
}

#[test]
fn a_waivers_suppression_points_at_its_entry() {
    let run = invoke(
        &repo(),
        ["check", "examples/northwind-msp", "--as-of", AS_OF, "--format", "sarif"],
        60,
    )
    .go();
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("SARIF");
    let waived = doc["runs"][0]["results"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|r| r["suppressions"].as_array().is_some_and(|s| !s.is_empty()))
        })
        .expect("the waived result");
    let region = &waived["suppressions"][0]["location"]["physicalLocation"]["region"];
    let text = std::fs::read_to_string(example().join("scopes/riverside-dental.yaml")).expect("scope");
    let (n, line) = text
        .lines()
        .enumerate()
        .skip_while(|(_, l)| !l.starts_with("waivers:"))
        .find(|(_, l)| l.trim_start().starts_with("- finding:"))
        .expect("the example's waiver");
    assert_eq!(region["startLine"], n + 1, "{region}");
    assert_eq!(
        region["startColumn"],
        line.find("finding").expect("key") + 1,
        "{region}"
    );
}
