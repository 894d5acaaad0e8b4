//! The CI gate fails safe (issue 11): nothing to check is an error, a typo in a code is an
//! error, every problem of a file is reported at once, the machine formats carry the input
//! errors, paths have one base, and a user's number cannot wrap around. Every case runs the
//! real binary under a deadline.

mod support;
use serde_json::Value;
use support::*;

const AS_OF: &str = "2026-11-30";

#[test]
fn a_workspace_without_scopes_fails_the_gate_unless_allow_empty() {
    let s = Scratch::new("no-scopes");
    s.write("ws/scopes/README.md", "client engagements go here\n");
    s.write("ws/services/.keep", "");
    let run = invoke(s.path(), ["check", "ws"], 30).go();
    run.assert_code(2);
    assert_eq!(errors(&run.stderr), ["ws/scopes/ E020"], "{}", run.stderr);
    assert!(run.stderr.contains("--allow-empty"), "{}", run.stderr);
    // The machine formats say so too.
    let json = invoke(s.path(), ["check", "ws", "--format", "json"], 30).go();
    json.assert_code(2);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["errors"][0]["code"], "E020");
    // Allowed explicitly: passes, and says there was nothing.
    let allowed = invoke(s.path(), ["check", "ws", "--allow-empty"], 30).go();
    allowed.assert_code(0);
    assert!(allowed.stdout.contains("no scopes"), "{}", allowed.stdout);
}

#[test]
fn an_empty_or_comment_only_scope_file_fails_the_gate_unless_allow_empty() {
    let s = Scratch::example("empty-scope");
    s.write("ws/scopes/emptied.yaml", "");
    s.write("ws/scopes/commented.yaml", "# kind: scope\n# id: gone\n");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        ["ws/scopes/commented.yaml:1:1 E020", "ws/scopes/emptied.yaml:1:1 E020"],
        "{}",
        run.stderr
    );
    let allowed = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--allow-empty"], 60).go();
    allowed.assert_code(0);
    assert!(allowed.stdout.contains("8 scopes"), "{}", allowed.stdout);
}

#[test]
fn unknown_codes_in_deny_warn_allow_are_errors_with_did_you_mean() {
    let s = Scratch::example("unknown-flags");
    let run = invoke(
        s.path(),
        [
            "check", "ws", "--as-of", AS_OF, "--deny", "CM999", "--allow", "cm003", "--warn", "CM001",
        ],
        60,
    )
    .go();
    run.assert_code(2);
    assert_eq!(errors(&run.stderr), ["E007", "E007"], "{}", run.stderr);
    assert!(run.stderr.contains("--deny `CM999`"), "{}", run.stderr);
    // A case-insensitive match is not accepted silently: it is suggested.
    assert!(
        run.stderr.contains("--allow `cm003`") && run.stderr.contains("did you mean `CM003`?"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing was assessed: {}", run.stdout);
}

#[test]
fn a_rule_name_is_accepted_for_its_code() {
    let fixture = fixture("findings");
    // CM003 (shared-duty-undefined) is medium by default.
    let plain = invoke(&fixture, ["check", ".", "--as-of", AS_OF, "--format", "json"], 60).go();
    plain.assert_clean();
    let doc: Value = serde_json::from_str(&plain.stdout).expect("JSON");
    let cm003 = |doc: &Value| {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["code"] == "CM003")
            .map(|f| f["severity"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert!(cm003(&doc).iter().all(|s| s == "medium") && !cm003(&doc).is_empty());
    let denied = invoke(
        &fixture,
        [
            "check",
            ".",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--deny",
            "shared-duty-undefined",
        ],
        60,
    )
    .go();
    denied.assert_code(1);
    let doc: Value = serde_json::from_str(&denied.stdout).expect("JSON");
    assert!(cm003(&doc).iter().all(|s| s == "critical"), "{:?}", cm003(&doc));
}

#[test]
fn an_unknown_code_in_the_config_severity_is_a_located_error() {
    let s = Scratch::example("unknown-config-code");
    // The added lines follow the example's own: `CM066` and `cm006` are its 2nd and 4th.
    let before = s.read("ws/ctrlmap.yaml").lines().count();
    s.edit("ws/ctrlmap.yaml", |t| {
        t + "severity:\n  CM066: low\n  waiver-expired: critical\n  cm006: info\n"
    });
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        [
            format!("ws/ctrlmap.yaml:{}:3 E007", before + 2),
            format!("ws/ctrlmap.yaml:{}:3 E007", before + 4)
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `CM006`?"), "{}", run.stderr);
}

/// A scope with a schema error (no `client`, a bad `model`) that also names an unknown
/// service, an unknown control and evidence outside the workspace.
const HALF_BROKEN_SCOPE: &str = "kind: scope
id: half-broken
provider: { name: Northwind Managed IT }
model: banana
services:
  - ref: helpdesks
assignments:
  - control: hipaa:164.308(a)(9)
    responsible: msp
evidence:
  - file: ../outside.pdf
    controls: [csf-2.0:GV.OC-01]
    owner: msp
    effective: 2026-01-01
";

#[test]
fn schema_errors_do_not_hide_the_reference_errors_of_the_same_file() {
    let s = Scratch::example("schema-and-refs");
    s.write("ws/scopes/half-broken.yaml", HALF_BROKEN_SCOPE);
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        [
            "ws/scopes/half-broken.yaml:1:1 E005",
            "ws/scopes/half-broken.yaml:4:8 E007",
            "ws/scopes/half-broken.yaml:6:10 E010",
            "ws/scopes/half-broken.yaml:8:14 E009",
            "ws/scopes/half-broken.yaml:11:11 E012",
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `helpdesk`?"), "{}", run.stderr);
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(fixture("reference/sarif/sarif-schema-2.1.0.json")).expect("SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the official SARIF schema compiles")
}

#[test]
fn a_broken_workspace_gives_a_valid_sarif_file_with_the_errors_and_their_locations() {
    let s = Scratch::example("sarif-errors");
    s.write("ws/scopes/half-broken.yaml", HALF_BROKEN_SCOPE);
    let run = invoke(s.path(), ["check", "ws", "--format", "sarif", "--deny", "CM999"], 60).go();
    run.assert_code(2);
    let doc: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let problems: Vec<String> = sarif_validator()
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(problems.is_empty(), "not valid SARIF 2.1.0:\n{}", problems.join("\n"));
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    let notes = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    let summary: Vec<String> = notes
        .iter()
        .map(|n| {
            let loc = &n["locations"][0]["physicalLocation"];
            format!(
                "{} {}:{}:{}",
                n["descriptor"]["id"].as_str().unwrap_or_default(),
                loc["artifactLocation"]["uri"].as_str().unwrap_or("-"),
                loc["region"]["startLine"],
                loc["region"]["startColumn"]
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "E007 -:null:null", // --deny CM999: the command line has no location
            "E005 ws/scopes/half-broken.yaml:1:1",
            "E007 ws/scopes/half-broken.yaml:4:8",
            "E010 ws/scopes/half-broken.yaml:6:10",
            "E009 ws/scopes/half-broken.yaml:8:14",
            "E012 ws/scopes/half-broken.yaml:11:11",
        ]
    );
    assert!(notes.iter().all(|n| n["level"] == "error"));
    assert_eq!(doc["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn json_github_junit_and_markdown_carry_the_input_errors() {
    let s = Scratch::example("formats-errors");
    s.write("ws/scopes/half-broken.yaml", HALF_BROKEN_SCOPE);
    let run = |format: &str| {
        let r = invoke(s.path(), ["check", "ws", "--format", format, "--as-of", AS_OF], 60).go();
        r.assert_code(2);
        r.stdout
    };
    let json: Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_eq!(json["passed"], false);
    let errs = json["errors"].as_array().expect("errors");
    assert_eq!(errs.len(), 5);
    assert_eq!(errs[2]["file"], "ws/scopes/half-broken.yaml");
    assert_eq!(errs[2]["line"], 6);
    assert_eq!(errs[2]["code"], "E010");

    // The problems come first, one `::error` each; the other scopes' findings follow.
    let github = run("github");
    let errors: Vec<&str> = github.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 5, "{github}");
    assert!(
        errors[2].starts_with("::error file=ws/scopes/half-broken.yaml,line=6,col=10,title=E010 unknown-service::"),
        "{github}"
    );
    assert!(github.lines().take(5).all(|l| l.starts_with("::error ")), "{github}");

    let junit = run("junit");
    let report = quick_junit::Report::deserialize_from_str(&junit).expect("JUnit XML");
    let input = report
        .test_suites
        .iter()
        .find(|t| t.name.as_str() == "ctrlmap input")
        .expect("the input suite");
    assert_eq!((input.tests, input.failures), (5, 5));
    assert!(junit.contains("ws/scopes/half-broken.yaml:6:10 E010"), "{junit}");

    let markdown = run("markdown");
    assert!(markdown.contains("input errors"), "{markdown}");
    assert!(
        markdown.contains("| E010 unknown-service | ws/scopes/half-broken.yaml:6:10 |"),
        "{markdown}"
    );
}

/// Issue 22, point 6: one invalid scope no longer hides the others. Every `check` format
/// carries the broken file's problems *and* the findings of every other scope, exactly the
/// findings the same workspace gives without the broken file; the exit code stays 2.
#[test]
fn one_broken_scope_leaves_the_others_assessed_in_every_format() {
    let clean = Scratch::example("broken-one-clean");
    let broken = Scratch::example("broken-one");
    broken.write("ws/scopes/half-broken.yaml", HALF_BROKEN_SCOPE);
    let check =
        |s: &Scratch, format: &str| invoke(s.path(), ["check", "ws", "--format", format, "--as-of", AS_OF], 60).go();
    let fingerprints = |doc: &Value| -> Vec<String> {
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let expected_json: Value = serde_json::from_str(&check(&clean, "json").assert_clean().stdout).expect("JSON");
    let expected = fingerprints(&expected_json);
    assert!(!expected.is_empty(), "the example has findings to carry");
    let problems = [
        "ws/scopes/half-broken.yaml:1:1 E005",
        "ws/scopes/half-broken.yaml:4:8 E007",
        "ws/scopes/half-broken.yaml:6:10 E010",
        "ws/scopes/half-broken.yaml:8:14 E009",
        "ws/scopes/half-broken.yaml:11:11 E012",
    ];

    // Text: the other scopes' report on standard output, the problems on standard error.
    let text = check(&broken, "text");
    text.assert_code(2);
    assert_eq!(errors(&text.stderr), problems, "{}", text.stderr);
    assert!(
        text.stderr.contains("the 8 other scopes were assessed"),
        "{}",
        text.stderr
    );
    assert!(
        text.stdout.contains("Riverside Dental Group, PLLC — riverside-dental"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("failed: 5 problems in the input (not assessed: ws/scopes/half-broken.yaml); 8 scopes,"),
        "{}",
        text.stdout
    );

    // JSON: `errors` and the findings, not passed.
    let json = check(&broken, "json");
    json.assert_code(2);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["passed"], false);
    let codes: Vec<String> = doc["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            format!(
                "{}:{}:{} {}",
                e["file"].as_str().unwrap_or_default(),
                e["line"],
                e["column"],
                e["code"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(codes, problems);
    assert_eq!(fingerprints(&doc), expected);
    assert_eq!(doc["scopes"].as_array().expect("scopes").len(), 8);

    // SARIF: valid, the findings as results, the problems as notifications of a failed run.
    let sarif = check(&broken, "sarif");
    sarif.assert_code(2);
    let log: Value = serde_json::from_str(&sarif.stdout).expect("SARIF");
    let invalid: Vec<String> = sarif_validator()
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(invalid.is_empty(), "not valid SARIF 2.1.0:\n{}", invalid.join("\n"));
    let run = &log["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(run["invocations"][0]["exitCode"], 2);
    let notes: Vec<String> = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| n["descriptor"]["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(notes, ["E005", "E007", "E010", "E009", "E012"]);
    let mut results: Vec<String> = run["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["partialFingerprints"]["ctrlmap/v1"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut want = expected.clone();
    results.sort();
    want.sort();
    assert_eq!(results, want);

    // Markdown, GitHub, GitLab and JUnit: both too.
    let markdown = check(&broken, "markdown");
    markdown.assert_code(2);
    assert!(
        markdown
            .stdout
            .contains("| E010 unknown-service | ws/scopes/half-broken.yaml:6:10 |"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains("### Findings"), "{}", markdown.stdout);
    let github = check(&broken, "github");
    github.assert_code(2);
    assert_eq!(
        github.stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        5,
        "{}",
        github.stdout
    );
    assert!(
        github.stdout.contains("scopes/riverside-dental.yaml"),
        "{}",
        github.stdout
    );
    let gitlab = check(&broken, "gitlab");
    gitlab.assert_code(2);
    let issues: Vec<Value> = serde_json::from_str(&gitlab.stdout).expect("GitLab JSON");
    assert_eq!(issues.iter().filter(|i| i["severity"] == "blocker").count(), 5);
    assert!(
        issues
            .iter()
            .any(|i| i["location"]["path"] == "ws/scopes/lakeside-family-dental.yaml"),
        "{}",
        gitlab.stdout
    );
    let junit = check(&broken, "junit");
    junit.assert_code(2);
    let report = quick_junit::Report::deserialize_from_str(&junit.stdout).expect("JUnit XML");
    assert!(
        report
            .test_suites
            .iter()
            .any(|t| t.name.as_str() == "ctrlmap input" && t.failures == 5)
    );
    assert!(
        report.test_suites.iter().any(|t| t.name.as_str() == "riverside-dental"),
        "{}",
        junit.stdout
    );

    // A baseline is every finding: it is not written while a scope could not be assessed.
    let baseline = invoke(
        broken.path(),
        ["check", "ws", "--as-of", AS_OF, "--write-baseline", "baseline.json"],
        60,
    )
    .go();
    baseline.assert_code(2);
    assert!(
        baseline.stderr.contains("the baseline was not written"),
        "{}",
        baseline.stderr
    );
    assert!(!broken.path().join("baseline.json").exists());
}

#[test]
fn paths_have_one_base_in_every_format_the_folder_ctrlmap_runs_in() {
    // Run from the repository root on a workspace two folders down: every format names
    // the same file the same way.
    let ws = "tests/fixtures/findings";
    let file = "tests/fixtures/findings/services/client-access.yaml";
    let run = |format: &str| {
        let r = invoke(&repo(), ["check", ws, "--as-of", AS_OF, "--format", format], 60).go();
        r.assert_clean();
        r.stdout
    };
    assert!(run("text").contains(&format!("{file}:7:")), "text");
    assert!(run("markdown").contains(&format!("{file}:7")), "markdown");
    let json: Value = serde_json::from_str(&run("json")).expect("JSON");
    assert!(
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["file"] == file)
    );
    assert!(
        json["scopes"].as_array().expect("scopes")[0]["file"]
            .as_str()
            .unwrap_or_default()
            .starts_with("tests/fixtures/findings/scopes/")
    );
    let sarif: Value = serde_json::from_str(&run("sarif")).expect("SARIF");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file)
    );
    assert!(run("github").contains(&format!("file={file},line=7")), "github");
    // And input errors too.
    let s = Scratch::example("one-base");
    s.write("ws/scopes/half-broken.yaml", HALF_BROKEN_SCOPE);
    let text = invoke(s.path(), ["check", "ws"], 60).go();
    assert!(text.stderr.contains("error[E010]") && text.stderr.contains("--> ws/scopes/half-broken.yaml:6:10"));
    let inside = invoke(&s.ws(), ["check", "."], 60).go();
    assert!(inside.stderr.contains("--> scopes/half-broken.yaml:6:10\n"));
}

#[test]
fn a_huge_notification_window_is_a_located_error_not_a_wrapped_number() {
    let s = Scratch::example("duration-overflow");
    // The agency's own window, replacing its package's 12 hours.
    s.edit("ws/scopes/hudson-valley-insurance.yaml", |t| {
        t.replacen(
            "package: insurance-security\n",
            "package: insurance-security\nsla:\n  incident_notification: 768614336404564651d\n",
            1,
        )
    });
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    let e = errors(&run.stderr);
    assert_eq!(e.len(), 1, "{}", run.stderr);
    assert!(e[0].starts_with("ws/scopes/hudson-valley-insurance.yaml:") && e[0].ends_with(" E007"));
    assert!(run.stderr.contains("at most 87840 hours"), "{}", run.stderr);
    // Within the bound, a long window is a finding (CM008), not an error.
    s.edit("ws/scopes/hudson-valley-insurance.yaml", |t| {
        t.replacen("768614336404564651d", "3650d", 1)
    });
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 60).go();
    run.assert_code(1);
    assert!(run.stdout.contains("\"CM008\""), "{}", run.stdout);
    // The margin the client needs after the MSP's notice, too.
    s.edit("ws/scopes/hudson-valley-insurance.yaml", |t| {
        t.replacen(
            "incident_notification: 3650d",
            "incident_notification: 12h\n  client_margin: 768614336404564651d",
            1,
        )
    });
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    assert!(
        run.stderr.contains("`sla.client_margin` is `768614336404564651d`"),
        "{}",
        run.stderr
    );
    s.edit("ws/scopes/hudson-valley-insurance.yaml", |t| {
        t.replacen("\n  client_margin: 768614336404564651d", "", 1)
    });
    // A pack's margin is bounded the same way.
    s.write(
        "ws/policies/margin.yaml",
        "kind: policy\nid: margins\ntitle: Margins\nframework: nydfs-500\nrules:\n  - code: X008\n    kind: notification-window\n    severity: high\n    params: { events: [cybersecurity-event], margin: 99999999999999999999h }\n",
    );
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    run.assert_code(2);
    assert!(
        errors(&run.stderr).contains(&"ws/policies/margin.yaml:9:54 E007".to_string()),
        "{}",
        run.stderr
    );
}
