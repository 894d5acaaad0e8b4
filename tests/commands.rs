//! The everyday commands, run as a new user would: frameworks, explain, init, validate, help.

mod support;
use support::*;

#[test]
fn frameworks_lists_the_four_catalogs_with_versions_and_counts() {
    let run = ctrlmap(["frameworks"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Each catalog's full version, as its file states it (never cut short).
    for id in ["csf-2.0", "hipaa", "glba-safeguards", "nydfs-500"] {
        let text = std::fs::read_to_string(repo().join(format!("frameworks/{id}.yaml"))).expect("catalog");
        let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("yaml");
        let version = doc["version"].as_str().expect("version");
        let block: Vec<&str> = run
            .stdout
            .lines()
            .skip_while(|l| !l.starts_with(&format!("{id} — ")))
            .take(4)
            .collect();
        assert!(!block.is_empty(), "{id} missing:\n{}", run.stdout);
        assert_eq!(block[2], format!("  version:  {version}"), "{id}");
    }
    assert!(
        run.stdout
            .contains("  controls: 6 function, 22 category, 106 subcategory"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("hipaa-to-csf-2.0"));
}

#[test]
fn frameworks_show_prints_a_control_with_text_flag_and_crosswalk() {
    let run = ctrlmap(["frameworks", "show", "hipaa:164.312(a)(2)(iv)"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("hipaa:164.312(a)(2)(iv) — Encryption and decryption"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("flag:      addressable (45 CFR 164.306(d))"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Implement a mechanism to encrypt and decrypt electronic protected health information."),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("crosswalk:"), "{}", run.stdout);
}

#[test]
fn frameworks_show_suggests_close_ids_for_a_typo() {
    let run = ctrlmap(["frameworks", "show", "csf-2.0:PR.AA-3"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`csf-2.0:PR.AA-03`"), "{}", run.stderr);
}

#[test]
fn explain_names_the_file_and_line_that_decided_the_row() {
    let scope = fixture("findings/scopes/full-link.yaml");
    let run = ctrlmap(["explain".as_ref(), scope.as_os_str(), "mini:S.4".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("owner:        MSP (full coverage)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("crosswalk: S.4 subset-of csf-2.0:PR.AA-03"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("at tests/fixtures/findings/frameworks/crosswalks/mini-to-csf-2.0.yaml:8"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("services/identity.yaml:7"),
        "the CSF row's own source is named: {}",
        run.stdout
    );
}

#[test]
fn explain_shows_both_sides_of_a_conflict() {
    let scope = fixture("findings/scopes/cm002-fires.yaml");
    let run = ctrlmap(["explain".as_ref(), scope.as_os_str(), "mini:S.1".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("conflict — these sources disagree:"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("services/msp-access.yaml:7"), "{}", run.stdout);
    assert!(run.stdout.contains("services/client-access.yaml:7"), "{}", run.stdout);
    assert!(run.stdout.contains("CM002"), "{}", run.stdout);
}

#[test]
fn explain_rejects_an_unknown_control_with_suggestions() {
    let scope = fixture("findings/scopes/cm001-quiet.yaml");
    let run = ctrlmap(["explain".as_ref(), scope.as_os_str(), "mini:S.9".as_ref()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
}

#[test]
fn explain_of_a_control_nothing_resembles_points_at_the_catalog_listing() {
    let scope = fixture("findings/scopes/cm001-quiet.yaml");
    let run = ctrlmap(["explain".as_ref(), scope.as_os_str(), "mini:zzzzzzzzzzzz".as_ref()]);
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains("did you mean ?"), "{}", run.stderr);
    assert!(run.stderr.contains("`ctrlmap frameworks show mini`"), "{}", run.stderr);
}

#[test]
fn init_scaffolds_a_workspace_that_passes_check_straight_away() {
    let scratch = Scratch::new("init");
    let dir = scratch.join("dir");
    let run = ctrlmap(["init".as_ref(), dir.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let check = ctrlmap(["check".as_ref(), dir.as_os_str()]);
    assert_eq!(
        check.code, 0,
        "a fresh workspace passes:\n{}\n{}",
        check.stdout, check.stderr
    );
    assert!(check.stdout.contains("Example Client LLC"), "{}", check.stdout);
    let again = ctrlmap(["init".as_ref(), dir.as_os_str()]);
    assert_eq!(again.code, 2, "init refuses a non-empty folder");
}

#[test]
fn help_explains_every_command() {
    let run = ctrlmap(["--help"]);
    assert_eq!(run.code, 0);
    for cmd in ["check", "validate", "matrix", "explain", "frameworks", "init"] {
        assert!(run.stdout.contains(cmd), "{cmd} missing from --help");
    }
    assert!(run.stdout.contains("Exit codes"), "{}", run.stdout);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(ctrlmap(["check", "--fail-on", "severe"]).code, 2);
    assert_eq!(ctrlmap(["no-such-command"]).code, 2);
    let path = fixture("findings");
    assert_eq!(
        ctrlmap([
            "check".as_ref(),
            path.as_os_str(),
            "--as-of".as_ref(),
            "2026-13-01".as_ref()
        ])
        .code,
        2
    );
}

#[test]
fn built_in_catalogs_crosswalks_and_policies_validate_against_their_schemas() {
    let ws = ctrlmap::load::Loaded::builtin().expect("embedded schemas compile");
    assert_eq!(
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f)),
        "",
        "the built-in files have no problems"
    );
    let ids: Vec<&str> = ws.frameworks.keys().map(String::as_str).collect();
    assert_eq!(ids, ["csf-2.0", "glba-safeguards", "hipaa", "nydfs-500"]);
    let crosswalks: Vec<&str> = ws.crosswalks.iter().map(|c| c.id.as_str()).collect();
    for id in ["hipaa-to-csf-2.0", "glba-safeguards-to-csf-2.0", "nydfs-500-to-csf-2.0"] {
        assert!(crosswalks.contains(&id), "{id} missing from {crosswalks:?}");
    }
    let packs: Vec<&str> = ws.packs.keys().map(String::as_str).collect();
    assert_eq!(packs, ["csf-baseline", "glba-safeguards", "hipaa", "nydfs-500"]);
}

#[test]
fn a_bad_custom_rule_expression_is_reported_with_its_line() {
    let scratch = Scratch::new("policy");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(dir.join("policies")).expect("mkdir");
    std::fs::write(
        dir.join("policies/local.yaml"),
        "kind: policy\nid: local\ntitle: Local rules\nrules:\n  - code: X001\n    kind: custom\n    severity: low\n    when: \"row.summary == \"\n",
    )
    .expect("write");
    let run = ctrlmap(["validate".as_ref(), dir.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        headers(&run.stderr)
            .iter()
            .any(|h| h.ends_with("policies/local.yaml:8:11 error[E019]")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_custom_rule_fires_on_the_rows_its_expression_selects() {
    let scratch = Scratch::copy_of(&fixture("findings"), "custom");
    let dir = scratch.ws();
    std::fs::create_dir_all(dir.join("policies")).expect("mkdir");
    std::fs::write(
        dir.join("policies/local.yaml"),
        "kind: policy\nid: local\ntitle: Local rules\nrules:\n  - code: X001\n    kind: custom\n    severity: low\n    title: The MSP must not own addressable specifications alone\n    when: \"row.summary == 'msp' and row.requirement == 'addressable'\"\n    message: \"{{ row.control }} is owned by the MSP alone\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("scopes/custom.yaml"),
        "kind: scope\nid: custom\nclient: {name: C, profile: {}}\nprovider: {name: P}\nmodel: partial\nframeworks: [mini]\nassignments:\n  - {control: \"mini:S\", responsible: msp, msp: Everything.}\n",
    )
    .expect("write");
    let run = ctrlmap(["check".as_ref(), dir.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let hits: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "X001")
        .map(|f| f["control"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(hits, ["mini:S.3"], "only the addressable row owned by the MSP");
}

#[test]
fn a_baseline_written_today_makes_check_pass_and_a_new_gap_fails_it() {
    let scratch = Scratch::copy_of(&fixture("findings"), "baseline-cli");
    let dir = scratch.ws();
    let baseline = dir.join("baseline.json");
    let first = ctrlmap([
        "check".as_ref(),
        dir.as_os_str(),
        "--write-baseline".as_ref(),
        baseline.as_os_str(),
    ]);
    // The fixture has high findings; writing a baseline is not a gate.
    assert_eq!(first.code, 0, "{}", first.stdout);
    assert!(first.stdout.contains("high[CM001]"), "{}", first.stdout);
    let again = ctrlmap([
        "check".as_ref(),
        dir.as_os_str(),
        "--baseline".as_ref(),
        baseline.as_os_str(),
    ]);
    assert_eq!(again.code, 0, "everything is in the baseline: {}", again.stdout);
    // One new gap: cm001-quiet loses an assignment.
    let scope = dir.join("scopes/cm001-quiet.yaml");
    let text = std::fs::read_to_string(&scope).expect("scope");
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains("mini:S.1")).collect();
    std::fs::write(&scope, kept.join("\n") + "\n").expect("write");
    let json = ctrlmap([
        "check".as_ref(),
        dir.as_os_str(),
        "--baseline".as_ref(),
        baseline.as_os_str(),
        "--format".as_ref(),
        "sarif".as_ref(),
    ]);
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("SARIF is JSON");
    let new: Vec<String> = doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["baselineState"] == "new")
        .map(|r| r["ruleId"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(new, ["CM001"], "only the new gap is new");
    // The JSON, text and Markdown reports list only the new gap and count the others.
    let with_baseline = |format: &str| {
        ctrlmap([
            "check".as_ref(),
            dir.as_os_str(),
            "--baseline".as_ref(),
            baseline.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
        ])
    };
    let all = ctrlmap(["check".as_ref(), dir.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    let all: serde_json::Value = serde_json::from_str(&all.stdout).expect("JSON");
    let total = all["findings"].as_array().expect("findings").len();
    let json = with_baseline("json");
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let listed: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (f["scope"].as_str().unwrap_or(""), f["code"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(listed, [("cm001-quiet", "CM001")]);
    assert_eq!(doc["baselined"].as_u64(), Some(total as u64 - 1));
    let per_scope: u64 = doc["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .flat_map(|s| s["findings"].as_object().into_iter().flatten())
        .map(|(_, n)| n.as_u64().unwrap_or(0))
        .sum();
    assert_eq!(per_scope, 1, "per-scope counts follow the listed findings");
    let text = with_baseline("text");
    assert_eq!(text.code, 1);
    let cited: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| {
            l.contains(": high[") || l.contains(": medium[") || l.contains(": low[") || l.contains(": critical[")
        })
        .collect();
    assert_eq!(cited.len(), 1, "{}", text.stdout);
    assert!(
        cited[0].contains("[CM001]") && cited[0].contains("cm001-quiet.yaml"),
        "{}",
        cited[0]
    );
    assert!(
        text.stdout
            .contains(&format!("1 new finding ({} in the baseline, not listed)", total - 1)),
        "{}",
        text.stdout
    );
    let md = with_baseline("markdown");
    let rows: Vec<&str> = md
        .stdout
        .lines()
        .filter(|l| l.starts_with("| high ") || l.starts_with("| medium "))
        .collect();
    assert_eq!(rows.len(), 1, "{}", md.stdout);
    assert!(
        rows[0].contains("CM001") && rows[0].contains("cm001-quiet"),
        "{}",
        rows[0]
    );
}

#[test]
fn diff_through_the_binary_gates_on_a_removed_service_and_junit_counts_every_control() {
    let example = example();
    let scratch = Scratch::copy_of(&example, "diff-cli");
    let dir = scratch.ws();
    let same = ctrlmap([
        "diff".as_ref(),
        example.as_os_str(),
        dir.as_os_str(),
        "--fail-on-regression".as_ref(),
    ]);
    assert_eq!(same.code, 0, "identical workspaces: {}", same.stdout);
    // Managed Backup leaves the tax tier (its package) and Cedar's own options for it.
    let package = dir.join("packages/tax-practice-essentials.yaml");
    let text = std::fs::read_to_string(&package).expect("package");
    std::fs::write(&package, text.replace("  - ref: managed-backup\n", "")).expect("write");
    let scope = dir.join("scopes/cedar-tax-services.yaml");
    let text = std::fs::read_to_string(&scope).expect("scope");
    let start = text
        .find("  - ref: managed-backup\n")
        .expect("Cedar's note on Managed Backup");
    let end = start + text[start..].find("\n\n").expect("the end of the list");
    std::fs::write(&scope, format!("{}{}", &text[..start], &text[end + 1..])).expect("write");
    let changed = ctrlmap([
        "diff".as_ref(),
        example.as_os_str(),
        dir.as_os_str(),
        "--fail-on-regression".as_ref(),
    ]);
    assert_eq!(changed.code, 1, "{}", changed.stdout);
    assert!(changed.stdout.contains("cedar-tax-services"), "{}", changed.stdout);
    let junit = ctrlmap([
        "check".as_ref(),
        example.as_os_str(),
        "--format".as_ref(),
        "junit".as_ref(),
    ]);
    assert_eq!(junit.code, 0);
    let cases = junit.stdout.matches("<testcase ").count();
    let scope_files: Vec<std::path::PathBuf> = std::fs::read_dir(example.join("scopes"))
        .expect("scopes")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(scope_files.len(), 8);
    // A finding on a control that is no row of its own (e.g. evidence the pack asks for on a
    // rolled-up paragraph) gets a case of its own too.
    let check = ctrlmap([
        "check".as_ref(),
        example.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let findings: serde_json::Value = serde_json::from_str(&check.stdout).expect("JSON");
    let matrix_rows: usize = scope_files
        .iter()
        .map(|path| {
            let run = ctrlmap([
                "matrix".as_ref(),
                path.as_os_str(),
                "--format".as_ref(),
                "json".as_ref(),
            ]);
            let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
            let assignable: std::collections::BTreeSet<&str> = doc["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .filter(|r| r["assignable"] == true)
                .filter_map(|r| r["control"].as_str())
                .collect();
            let others: std::collections::BTreeSet<&str> = findings["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["scope"] == doc["scope"])
                .filter_map(|f| f["control"].as_str())
                .filter(|c| !assignable.contains(c))
                .collect();
            assignable.len() + others.len()
        })
        .sum();
    assert_eq!(
        cases, matrix_rows,
        "one test case per scope × assignable control, and per other control with a finding"
    );
}

#[test]
fn explain_shows_waived_findings_as_waived_as_of_the_date_given() {
    let scope = example().join("scopes/riverside-dental.yaml");
    let explain = |as_of: &str| {
        ctrlmap([
            "explain".as_ref(),
            scope.as_os_str(),
            "hipaa:164.308(a)(8)".as_ref(),
            "--as-of".as_ref(),
            as_of.as_ref(),
        ])
    };
    let before = explain("2026-12-01");
    assert_eq!(before.code, 0, "{}", before.stderr);
    assert!(
        before.stdout.contains("findings (as of 2026-12-01):"),
        "{}",
        before.stdout
    );
    assert!(
        before.stdout.contains("CM009 evidence-missing") && before.stdout.contains("[waived until 2027-02-28"),
        "{}",
        before.stdout
    );
    // The catalog text is cited as the regulation cites it.
    assert!(
        before.stdout.contains("text (45 CFR 164.308(a)(8)):"),
        "{}",
        before.stdout
    );
    // After the waiver's expiry it no longer covers the finding, and its expiry is a finding.
    let after = explain("2027-03-15");
    assert!(after.stdout.contains("CM013 waiver-expired"), "{}", after.stdout);
    assert!(!after.stdout.contains("[waived until"), "{}", after.stdout);
}

#[test]
fn explain_refuses_a_bad_source_date_epoch_instead_of_assessing_as_of_year_minus_9999() {
    let scope = example().join("scopes/riverside-dental.yaml");
    let out = invoke(
        &repo(),
        ["explain".as_ref(), scope.as_os_str(), "hipaa:164.410(b)".as_ref()],
        DEFAULT_DEADLINE_SECONDS,
    )
    .env("SOURCE_DATE_EPOCH", "abc")
    .go();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("SOURCE_DATE_EPOCH `abc`"));
    assert!(out.stdout.is_empty(), "nothing assessed");
}
