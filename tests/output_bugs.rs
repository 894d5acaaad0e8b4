//! Output bugs that were fixed once and must stay fixed (issue 12, acceptance 3), through the
//! real binary. The ones pinned elsewhere are named in each test's comment.

mod support;
use serde_json::Value;
use support::*;

const AS_OF: &str = "2026-11-30";
const DENTAL: &str = "ws/scopes/riverside-dental.yaml";

/// A bad `SOURCE_DATE_EPOCH` is an error (exit 2), never "today" or year -9999, in every
/// command that judges a date; nothing is written. (`explain` is also pinned in
/// tests/commands.rs.) The variable is set on the spawned binary only.
#[test]
fn a_bad_source_date_epoch_is_exit_2_in_every_command_that_judges_a_date() {
    let s = Scratch::example("bad-epoch");
    let commands: [&[&str]; 7] = [
        &["check", "ws"],
        &["check", "ws", "--format", "json"],
        &["explain", DENTAL, "hipaa:164.308(a)(8)"],
        &["render", "baa-appendix", DENTAL],
        &["diff", "ws", "ws"],
        &["pack", DENTAL, "-o", "pack"],
        &["export", "oscal", "ws", "-o", "oscal"],
    ];
    for args in commands {
        let run = invoke(s.path(), args, 60).env("SOURCE_DATE_EPOCH", "abc").go();
        run.assert_code(2);
        assert!(
            run.stderr
                .contains("SOURCE_DATE_EPOCH `abc` is not a number of seconds"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert!(!s.path().join("pack").exists(), "no pack written");
    assert!(!s.path().join("oscal").exists(), "no OSCAL written");
    // `--as-of` wins over the environment: the same commands run.
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60)
        .env("SOURCE_DATE_EPOCH", "abc")
        .go();
    run.assert_code(0);
}

/// The reason a catalog control does not apply comes from the catalog's `applies_note`, else
/// a plain sentence: never from searching the serialized condition for `class_a` (a flag
/// whose name contains it once made a control "a Class A duty").
#[test]
fn the_reason_a_control_does_not_apply_comes_from_the_catalog_not_a_search_for_class_a() {
    let s = Scratch::new("class-a");
    s.write(
        "ws/frameworks/mini.yaml",
        r#"kind: catalog
id: mini
title: Mini
citation: Test 1
authority: ctrlmap tests
version: "1"
effective: [{date: 2026-01-01, what: Test}]
source_url: https://example.org/mini
controls:
  - id: S
    title: Section
    level: section
    role: heading
    text_note: Heading only.
  - id: S.1
    title: Flagged duty
    level: paragraph
    parent: S
    text: Do it.
    applies_when: {fact: flags, contains: class_a_affiliate}
  - id: S.2
    title: Class A duty
    level: paragraph
    parent: S
    text: Audit it.
    applies_when: {fact: class_a, eq: true}
    applies_note: binds Class A companies only.
  - id: S.3
    title: Everyone
    level: paragraph
    parent: S
    text: Always.
"#,
    );
    s.write(
        "ws/scopes/client.yaml",
        r#"kind: scope
id: client
client:
  name: Client
  profile: {class_a: false}
provider: {name: MSP}
model: co-managed
frameworks: [mini]
client_owned:
  - control: "mini:S.3"
    duty: Does it.
"#,
    );
    let run = invoke(s.path(), ["matrix", "ws/scopes/client.yaml", "--format", "json"], 60).go();
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let reason = |c: &str| {
        doc["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["control"] == c)
            .and_then(|r| r["reason"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let flagged = reason("mini:S.1");
    assert!(
        flagged.contains("applies only under a condition the client profile does not meet"),
        "{flagged}"
    );
    assert!(!flagged.to_lowercase().contains("class a"), "{flagged}");
    assert!(
        reason("mini:S.2").contains("binds Class A companies only."),
        "{}",
        reason("mini:S.2")
    );
}

/// A colon inside an evidence file name is part of the name (`scan 10:30.txt`), not a drive
/// or a URL: loaded, hashed, judged and copied into the pack. (The drive and URL cases are
/// unit tests in src/load.)
#[test]
fn an_evidence_file_name_with_a_colon_is_not_refused_as_absolute() {
    let s = Scratch::example("colon-evidence");
    s.write("ws/evidence/scan 10:30.txt", "scan output\n");
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replace(
            "evidence:\n",
            "evidence:\n  - file: \"evidence/scan 10:30.txt\"\n    controls: [\"hipaa:164.308(a)(1)(ii)(A)\"]\n    owner: msp\n    effective: 2026-10-30\n",
        )
    });
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 60).go();
    run.assert_code(0);
    assert!(!run.stderr.contains("E012"), "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(
        !doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "CM010"),
        "the file is found: {}",
        run.stdout
    );
    let pack = invoke(s.path(), ["pack", DENTAL, "-o", "pack", "--as-of", AS_OF], 60).go();
    pack.assert_code(0);
    assert_eq!(
        std::fs::read_to_string(s.path().join("pack/files/evidence/scan 10:30.txt")).expect("copied"),
        "scan output\n"
    );
    let csv = std::fs::read_to_string(s.path().join("pack/evidence.csv")).expect("evidence.csv");
    // 2026-10-30 to the as-of date.
    let age = (time::macros::date!(2026 - 11 - 30) - time::macros::date!(2026 - 10 - 30)).whole_days();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("evidence/scan 10:30.txt,") && l.contains(&format!(",2026-10-30,{age},fresh,"))),
        "{csv}"
    );
}

/// A scope in a nested folder (`scopes/ny/…`) is the same scope to every command, as to
/// `check` (the other commands' exit codes are pinned in tests/input_policy.rs; here, what
/// they print is that scope's).
#[test]
fn a_nested_scope_file_is_read_by_matrix_explain_render_and_pack() {
    let s = Scratch::example("nested-scope");
    std::fs::create_dir_all(s.ws().join("scopes/ny")).expect("mkdir");
    std::fs::rename(
        s.ws().join("scopes/hudson-valley-insurance.yaml"),
        s.ws().join("scopes/ny/hudson-valley-insurance.yaml"),
    )
    .expect("move");
    let file = "ws/scopes/ny/hudson-valley-insurance.yaml";
    let check = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
    check.assert_code(0);
    assert!(
        check.stdout.contains(&format!("hudson-valley-insurance ({file})")),
        "{}",
        check.stdout
    );
    let matrix = invoke(s.path(), ["matrix", file, "--framework", "nydfs-500"], 60).go();
    matrix.assert_code(0);
    assert!(
        matrix
            .stdout
            .starts_with("Responsibility matrix — Hudson Valley Insurance Agency, Inc. (hudson-valley-insurance)"),
        "{}",
        matrix.stdout
    );
    let explain = invoke(s.path(), ["explain", file, "nydfs-500:500.4(a)", "--as-of", AS_OF], 60).go();
    explain.assert_code(0);
    assert!(
        explain
            .stdout
            .contains("scope:        hudson-valley-insurance (Hudson Valley Insurance Agency, Inc.), ws/scopes/ny/hudson-valley-insurance.yaml"),
        "{}",
        explain.stdout
    );
    let render = invoke(s.path(), ["render", "tpsp-summary", file, "--as-of", AS_OF], 60).go();
    render.assert_code(0);
    assert!(
        render.stdout.contains("Hudson Valley Insurance Agency, Inc."),
        "{}",
        render.stdout
    );
    let pack = invoke(s.path(), ["pack", file, "-o", "pack", "--as-of", AS_OF], 60).go();
    pack.assert_code(0);
    assert!(
        s.path()
            .join("pack/files/scopes/ny/hudson-valley-insurance.yaml")
            .is_file(),
        "the pack keeps the scope at its workspace path"
    );
}

/// `explain` cites the control as the regulation does (`45 CFR 164.308(a)(8)`), never the
/// catalog's citation glued to the id (`45 CFR Part 164, Subparts C and D 164.308(a)(8)`).
#[test]
fn explain_cites_the_section_not_the_catalog_citation_glued_to_an_id() {
    let s = Scratch::example("explain-cite");
    for control in [
        "hipaa:164.308(a)(8)",
        "hipaa:164.312(a)(2)(iv)",
        "hipaa:164.410(b)",
        "hipaa:164.404(b)",
    ] {
        let run = invoke(s.path(), ["explain", DENTAL, control, "--as-of", AS_OF], 60).go();
        run.assert_code(0);
        let id = control.trim_start_matches("hipaa:");
        assert!(run.stdout.contains(&format!("text (45 CFR {id}):")), "{}", run.stdout);
        assert!(!run.stdout.contains("Subparts C and D 164."), "{}", run.stdout);
    }
    let nydfs = invoke(
        s.path(),
        [
            "explain",
            "ws/scopes/hudson-valley-insurance.yaml",
            "nydfs-500:500.4(a)",
            "--as-of",
            AS_OF,
        ],
        60,
    )
    .go();
    nydfs.assert_code(0);
    assert!(nydfs.stdout.contains("text (23 NYCRR 500.4(a)):"), "{}", nydfs.stdout);
    assert!(!nydfs.stdout.contains("Part 500 500."), "{}", nydfs.stdout);
}

/// Words that only `{:?}` of an enum (or a lowercased one) would print.
const DEBUG_WORDS: [&str; 10] = [
    "clientowned",
    "ClientOwned",
    "accountabilitynondelegable",
    "AccountabilityNonDelegable",
    "notapplicable",
    "NotApplicable",
    "thirdparty",
    "ThirdParty",
    "Some(",
    "implementationspecification",
];

/// No Debug formatting reaches users: the provenance kinds of `explain`
/// (`[client-owned]`), the rule names of SARIF and JSON, the CSV columns `requirement`,
/// `coverage`, `summary` and `level` hold the documented words.
#[test]
fn no_debug_formatting_reaches_users() {
    let s = Scratch::example("debug-words");
    let mut outputs = Vec::new();
    for format in ["text", "json", "markdown", "sarif", "github", "junit"] {
        let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", format], 60).go();
        run.assert_code(0);
        outputs.push((format!("check --format {format}"), run.stdout));
    }
    let scopes = [
        "ws/scopes/riverside-dental.yaml",
        "ws/scopes/hudson-valley-insurance.yaml",
        "ws/scopes/cedar-tax-services.yaml",
    ];
    for scope in scopes {
        for format in ["text", "markdown", "csv", "json"] {
            let run = invoke(s.path(), ["matrix", scope, "--format", format], 60).go();
            run.assert_code(0);
            outputs.push((format!("matrix {scope} --format {format}"), run.stdout));
        }
    }
    // A client-owned control: its provenance kind is the YAML key's word.
    let explain = invoke(
        s.path(),
        ["explain", DENTAL, "hipaa:164.308(a)(1)", "--as-of", AS_OF],
        60,
    )
    .go();
    explain.assert_code(0);
    assert!(
        explain
            .stdout
            .contains("1. [client-owned] package `dental-complete` lists it as client-owned"),
        "{}",
        explain.stdout
    );
    outputs.push(("explain".into(), explain.stdout));
    let sarif: Value = serde_json::from_str(&outputs[3].1).expect("SARIF");
    let names: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&"accountability-delegated"), "{names:?}");
    for (what, text) in &outputs {
        for word in DEBUG_WORDS {
            assert!(!text.contains(word), "{what} prints `{word}`");
        }
    }
    // The CSV columns hold the documented vocabularies.
    for scope in scopes {
        let run = invoke(s.path(), ["matrix", scope, "--format", "csv"], 60).go();
        let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
        let headers = reader.headers().expect("headers").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
        let (requirement, coverage, summary) = (col("requirement"), col("coverage"), col("summary"));
        for record in reader.records() {
            let record = record.expect("record");
            assert!(
                ["", "required", "addressable"].contains(&&record[requirement]),
                "requirement `{}`",
                &record[requirement]
            );
            assert!(
                ["full", "partial", "none"].contains(&&record[coverage]),
                "coverage `{}`",
                &record[coverage]
            );
            assert!(
                ["msp", "client", "shared", "third-party", "unassigned", "not-applicable"].contains(&&record[summary]),
                "summary `{}`",
                &record[summary]
            );
        }
    }
}

/// `check` and `diff` read `fail_on` of ctrlmap.yaml the same way (Gate::of_run): a new
/// medium finding fails both at `fail_on: medium`, neither at `fail_on: high`, and a gate
/// the config schema does not know is an input error (exit 2) in both.
#[test]
fn check_and_diff_read_fail_on_the_same_way() {
    let s = Scratch::example("fail-on");
    copy_dir(&s.ws(), &s.path().join("old"));
    // A new medium finding: stale evidence (CM012) on a new entry.
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replace(
            "evidence:\n",
            "evidence:\n  - file: evidence/riverside-2026-q3-restore-test.md\n    controls: [\"hipaa:164.308(a)(7)(ii)(B)\"]\n    owner: msp\n    effective: 2024-01-31\n",
        )
    });
    let gate = |fail_on: &str| {
        s.write(
            "ws/ctrlmap.yaml",
            &format!("kind: config\nprovider: Northwind Managed IT\nfail_on: {fail_on}\n"),
        );
        let check = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60).go();
        let diff = invoke(
            s.path(),
            ["diff", "old", "ws", "--as-of", AS_OF, "--fail-on-regression"],
            60,
        )
        .go();
        (check, diff)
    };
    let (check, diff) = gate("medium");
    check.assert_code(1);
    assert!(check.stdout.contains("medium[CM012]"), "{}", check.stdout);
    diff.assert_code(1);
    assert!(diff.stdout.contains("CM012"), "{}", diff.stdout);
    let (check, diff) = gate("high");
    check.assert_code(0);
    diff.assert_code(0);
    let (check, diff) = gate("Medium");
    check.assert_code(2);
    diff.assert_code(2);
    assert!(check.stderr.contains("fail_on"), "{}", check.stderr);
    assert!(diff.stderr.contains("fail_on"), "{}", diff.stderr);
}

/// Waiver debt says since when a waiver stands only from its `granted` date: a waiver
/// without one is counted as undated, and its expiry date is never shown as "since", in every
/// format of `check`. (The JSON summary is also pinned by tests/rules.rs.)
#[test]
fn waiver_debt_never_shows_the_expiry_as_the_grant_date() {
    let s = Scratch::example("waiver-since");
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replace("    granted: 2026-02-01\n", "")
    });
    let expires = "2027-02-28";
    assert!(
        s.read("ws/scopes/riverside-dental.yaml")
            .contains(&format!("expires: {expires}"))
    );
    for format in ["text", "markdown", "json"] {
        let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", format], 60).go();
        run.assert_code(0);
        assert!(
            !run.stdout.contains(&format!("since {expires}")),
            "{format}: {}",
            run.stdout
        );
        assert!(!run.stdout.contains("since 2026-02-01"), "{format}: {}", run.stdout);
        if format == "json" {
            let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
            assert_eq!(doc["waivers"]["undated"], 1);
            assert!(doc["waivers"]["oldest"].is_null(), "{}", doc["waivers"]);
        } else {
            assert!(
                run.stdout.contains("1 without a grant date"),
                "{format}: {}",
                run.stdout
            );
        }
    }
}
