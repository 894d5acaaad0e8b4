//! Sixty clients, not three (issue 22): engagement packages and parties declared once, decided
//! once for many clients, through the real binary. Each test builds its workspace with `ctrlmap
//! init --package` (a starter package and scopes that name it) and edits it as a user would.

mod support;
use std::path::{Path, PathBuf};
use support::*;

/// `ctrlmap ARGS` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Run {
    let run = ctrlmap_in(dir, args);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

/// A workspace `ws` in `dir` made by `init --package` for `clients` (profiles).
fn workspace(dir: &Path, clients: &[&str]) -> PathBuf {
    let mut args = vec!["init", "ws"];
    for c in clients {
        args.extend(["--client", c]);
    }
    args.push("--package");
    let init = run(dir, &args);
    assert_eq!(init.code, 0, "{}", init.stderr);
    dir.join("ws")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(path, text).expect("write");
}

fn append(path: &Path, text: &str) {
    let mut all = read(path);
    all.push_str(text);
    write(path, &all);
}

/// The 1-based line of the first line of `text` that is `line` (trimmed).
fn line_of(text: &str, line: &str) -> usize {
    text.lines()
        .position(|l| l.trim() == line)
        .unwrap_or_else(|| panic!("no line `{line}` in:\n{text}"))
        + 1
}

/// Each assignable row's control and owner summary, from `matrix --format json`.
fn owners(dir: &Path, scope: &str) -> Vec<(String, String)> {
    let m = run(dir, &["matrix", scope, "--format", "json"]);
    assert_eq!(m.code, 0, "{}", m.stderr);
    let doc: serde_json::Value = serde_json::from_str(&m.stdout).expect("json");
    doc["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["assignable"] == true)
        .map(|r| {
            (
                r["control"].as_str().unwrap_or_default().to_string(),
                r["summary"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_package_decides_rows_in_two_scopes_and_explain_names_it_with_its_line() {
    let tmp = Scratch::new("packages-two-scopes");
    let ws = workspace(tmp.path(), &["hipaa", "hipaa"]);
    // One profile given twice: two clients, one package.
    for id in ["hipaa-client", "hipaa-client-2"] {
        assert!(ws.join(format!("scopes/{id}.yaml")).exists(), "{id}");
    }
    let package = read(&ws.join("packages/hipaa-standard.yaml"));
    let line = line_of(&package, "- control: hipaa:164.308(a)(1)(ii)(A)");
    for id in ["hipaa-client", "hipaa-client-2"] {
        let scope = format!("ws/scopes/{id}.yaml");
        let explain = run(tmp.path(), &["explain", &scope, "hipaa:164.308(a)(1)(ii)(A)"]);
        assert_eq!(explain.code, 0, "{}", explain.stderr);
        assert!(
            explain.stdout.contains(&format!(
                "from package `hipaa-standard`, ws/packages/hipaa-standard.yaml:{line}"
            )),
            "{}",
            explain.stdout
        );
        assert!(
            explain
                .stdout
                .contains("package:      `hipaa-standard` (ws/packages/hipaa-standard.yaml)"),
            "{}",
            explain.stdout
        );
        assert!(explain.stdout.contains("owner:        Client"), "{}", explain.stdout);
        // The scope itself is short: the package holds the decisions.
        assert!(read(&ws.join(format!("scopes/{id}.yaml"))).lines().count() < 30);
    }
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("package `hipaa-standard`: 2 clients"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_scope_overrides_one_row_of_its_package_and_only_that_row() {
    let tmp = Scratch::new("packages-override");
    let ws = workspace(tmp.path(), &["hipaa", "hipaa"]);
    let scope = ws.join("scopes/hipaa-client-2.yaml");
    append(
        &scope,
        "assignments:\n  - control: hipaa:164.308(a)(5)(ii)(B)\n    responsible: [client, msp]\n    client: Report suspected malicious software to the MSP at once.\n    msp: Run anti-malware on every workstation and report detections each month.\n",
    );
    let at = line_of(&read(&scope), "- control: hipaa:164.308(a)(5)(ii)(B)");
    let explain = run(
        tmp.path(),
        &["explain", "ws/scopes/hipaa-client-2.yaml", "hipaa:164.308(a)(5)(ii)(B)"],
    );
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(explain.stdout.contains("owner:        Shared"), "{}", explain.stdout);
    assert!(
        explain
            .stdout
            .contains("[assignment] scope assignment: responsible client, msp"),
        "{}",
        explain.stdout
    );
    assert!(
        explain
            .stdout
            .contains(&format!("at ws/scopes/hipaa-client-2.yaml:{at}")),
        "{}",
        explain.stdout
    );
    // The other client keeps the package's answer, and every other row is the same in both.
    let one = owners(tmp.path(), "ws/scopes/hipaa-client.yaml");
    let two = owners(tmp.path(), "ws/scopes/hipaa-client-2.yaml");
    assert_eq!(one.len(), two.len());
    let differing: Vec<&str> = one
        .iter()
        .zip(&two)
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.0.as_str())
        .collect();
    assert_eq!(differing, ["hipaa:164.308(a)(5)(ii)(B)"]);
    assert!(one.contains(&("hipaa:164.308(a)(5)(ii)(B)".to_string(), "client".to_string())));
}

/// The starter package with a workspace party that performs a HIPAA safeguard.
fn with_vault(ws: &Path, baa: bool) {
    write(
        &ws.join("parties/vault.yaml"),
        &format!(
            "kind: party\nid: vault\nname: Vault Offsite Storage, Inc.\ncategory: subcontractor\nengaged_by: msp\nephi: true\nbaa: {baa}\nperforms: Keeps the offsite copy of every client's backups.\n"
        ),
    );
    let package = ws.join("packages/hipaa-standard.yaml");
    if read(&package).contains("parties: [vault]") {
        return;
    }
    let text = read(&package).replacen(
        "\nclient_owned:\n",
        "\nparties: [vault]\nassignments:\n  - control: hipaa:164.310(d)(2)(iv)\n    responsible: [client, vault]\n    client: Ask for a retrievable copy before equipment is moved.\n    third_party: Keep an exact, retrievable copy of the ePHI offsite.\nclient_owned:\n",
        1,
    );
    write(&package, &text);
}

#[test]
fn a_shared_party_without_a_baa_raises_cm016_in_every_hipaa_client_that_uses_it() {
    let tmp = Scratch::new("packages-shared-party");
    let ws = workspace(tmp.path(), &["hipaa", "hipaa", "glba"]);
    with_vault(&ws, false);
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 1, "{}\n{}", check.stdout, check.stderr);
    let baa_line = line_of(&read(&ws.join("parties/vault.yaml")), "baa: false");
    let cm016: Vec<&str> = check.stdout.lines().filter(|l| l.contains("[CM016]")).collect();
    assert_eq!(cm016.len(), 2, "{}", check.stdout);
    for l in &cm016 {
        assert!(
            l.trim_start()
                .starts_with(&format!("ws/parties/vault.yaml:{baa_line}:")),
            "{l}"
        );
        assert!(l.contains("third party `vault`"), "{l}");
    }
    let json = run(tmp.path(), &["check", "ws", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let mut scopes: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "CM016")
        .map(|f| f["scope"].as_str().unwrap_or_default())
        .collect();
    scopes.sort();
    assert_eq!(scopes, ["hipaa-client", "hipaa-client-2"]);
    // Changed once, for every client.
    with_vault(&ws, true);
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    assert!(!check.stdout.contains("[CM016]"), "{}", check.stdout);
}

#[test]
fn a_stale_client_owned_entry_is_decision_overridden_and_reconcile_removes_it() {
    let tmp = Scratch::new("packages-stale");
    let ws = workspace(tmp.path(), &["glba"]);
    let scope = ws.join("scopes/glba-client.yaml");
    // The package subscribes the helpdesk, which claims RS.MA-02: a client-owned entry for it is
    // stale from the start.
    append(
        &scope,
        "client_owned:\n  # csf-2.0:RS.MA-02 — Reported incidents are triaged and validated\n  - control: csf-2.0:RS.MA-02\n    duty: The owner triages incidents.\n",
    );
    let before = read(&scope);
    let at = line_of(&before, "- control: csf-2.0:RS.MA-02");
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 0, "low findings do not fail the gate\n{}", check.stdout);
    let finding = check
        .stdout
        .lines()
        .find(|l| l.contains("[CM019]"))
        .unwrap_or_else(|| panic!("no CM019:\n{}", check.stdout));
    assert!(
        finding
            .trim_start()
            .starts_with(&format!("ws/scopes/glba-client.yaml:{at}:5: low[CM019]")),
        "{finding}"
    );
    assert!(finding.contains("service `helpdesk`"), "{finding}");
    let listed = run(tmp.path(), &["scaffold", "ws/scopes/glba-client.yaml", "--reconcile"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(read(&scope), before, "without --write nothing changes");
    assert!(listed.stdout.contains("csf-2.0:RS.MA-02"), "{}", listed.stdout);
    let write = run(
        tmp.path(),
        &["scaffold", "ws/scopes/glba-client.yaml", "--reconcile", "--write"],
    );
    assert_eq!(write.code, 0, "{}", write.stderr);
    let after = read(&scope);
    // The entry and its catalog comment went; everything else is as it was.
    assert_eq!(
        after,
        before.replace(
            "client_owned:\n  # csf-2.0:RS.MA-02 — Reported incidents are triaged and validated\n  - control: csf-2.0:RS.MA-02\n    duty: The owner triages incidents.\n",
            "client_owned: []\n"
        )
    );
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(!check.stdout.contains("[CM019]"), "{}", check.stdout);
    let again = run(
        tmp.path(),
        &["scaffold", "ws/scopes/glba-client.yaml", "--reconcile", "--write"],
    );
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("nothing to reconcile"), "{}", again.stderr);
}

#[test]
fn an_undecided_stub_the_package_decides_is_decision_overridden_too() {
    let tmp = Scratch::new("packages-stub");
    let ws = workspace(tmp.path(), &["hipaa"]);
    let scope = ws.join("scopes/hipaa-client.yaml");
    append(
        &scope,
        "assignments:\n  - control: hipaa:164.308(a)(1)(ii)(A)\n    responsible: undecided\n",
    );
    let at = line_of(&read(&scope), "- control: hipaa:164.308(a)(1)(ii)(A)");
    let check = run(tmp.path(), &["check", "ws"]);
    let finding = check
        .stdout
        .lines()
        .find(|l| l.contains("[CM019]"))
        .unwrap_or_else(|| panic!("no CM019:\n{}", check.stdout));
    assert!(
        finding.contains(&format!("ws/scopes/hipaa-client.yaml:{at}:")),
        "{finding}"
    );
    assert!(finding.contains("package `hipaa-standard`"), "{finding}");
    let write = run(
        tmp.path(),
        &["scaffold", "ws/scopes/hipaa-client.yaml", "--reconcile", "--write"],
    );
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert!(read(&scope).ends_with("assignments: []\n"), "{}", read(&scope));
    assert_eq!(run(tmp.path(), &["validate", "ws"]).code, 0);
}

#[test]
fn add_client_writes_a_short_scope_that_validates_and_never_replaces_one() {
    let tmp = Scratch::new("packages-add-client");
    let ws = workspace(tmp.path(), &["hipaa"]);
    let add = run(
        tmp.path(),
        &[
            "add-client",
            "ws",
            "Lakeside Family Dental, PC",
            "--profile",
            "hipaa",
            "--package",
            "hipaa-standard",
        ],
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    let file = ws.join("scopes/lakeside-family-dental-pc.yaml");
    let text = read(&file);
    assert!(text.contains("name: Lakeside Family Dental, PC\n"), "{text}");
    assert!(text.contains("id: lakeside-family-dental-pc\n"), "{text}");
    assert!(text.contains("package: hipaa-standard\n"), "{text}");
    assert!(text.contains("hipaa: covered-entity\n"), "{text}");
    assert!(text.lines().count() < 30, "{text}");
    assert_eq!(run(tmp.path(), &["validate", "ws"]).code, 0);
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        check.stdout.contains(
            "Lakeside Family Dental, PC — lakeside-family-dental-pc (ws/scopes/lakeside-family-dental-pc.yaml)"
        ),
        "{}",
        check.stdout
    );
    // Given id; the same id again, an unknown package and a name that makes no id are refused,
    // and nothing is written.
    let given = run(
        tmp.path(),
        &[
            "add-client",
            "ws",
            "Second Site",
            "--profile",
            "glba",
            "--id",
            "second-site",
        ],
    );
    assert_eq!(given.code, 0, "{}", given.stderr);
    assert!(read(&ws.join("scopes/second-site.yaml")).contains("institution_type: tax-preparer"));
    let again = run(
        tmp.path(),
        &["add-client", "ws", "Other", "--profile", "hipaa", "--id", "second-site"],
    );
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("already has a scope `second-site`"),
        "{}",
        again.stderr
    );
    assert!(read(&ws.join("scopes/second-site.yaml")).contains("Second Site"));
    let unknown = run(
        tmp.path(),
        &[
            "add-client",
            "ws",
            "Third",
            "--profile",
            "hipaa",
            "--package",
            "hipaa-standrd",
        ],
    );
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no package `hipaa-standrd`"),
        "{}",
        unknown.stderr
    );
    assert!(!ws.join("scopes/third.yaml").exists());
    assert_eq!(
        run(tmp.path(), &["add-client", "ws", "!!!", "--profile", "csf"]).code,
        2
    );
    assert_eq!(run(tmp.path(), &["check", "ws"]).code, 0);
}

#[test]
fn diff_of_a_package_change_names_every_affected_client() {
    let tmp = Scratch::new("packages-diff");
    let old = workspace(tmp.path(), &["hipaa", "hipaa", "glba"]);
    let new = tmp.join("new");
    copy_dir(&old, &new);
    let package = new.join("packages/hipaa-standard.yaml");
    let text = read(&package).replacen(
        "\nclient_owned:\n",
        "\nassignments:\n  - control: hipaa:164.308(a)(5)(ii)(B)\n    responsible: msp\n    msp: Run anti-malware on every workstation.\nclient_owned:\n",
        1,
    );
    write(&package, &text);
    let diff = run(tmp.path(), &["diff", "ws", "new"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert!(
        diff.stdout.contains(
            "package `hipaa-standard` changed: 2 clients, 2 changed (hipaa-client, hipaa-client-2); 2 rows changed"
        ),
        "{}",
        diff.stdout
    );
    for header in [
        "Example Health Practice — hipaa-client (scopes/hipaa-client.yaml)",
        "Example Health Practice 2 — hipaa-client-2 (scopes/hipaa-client-2.yaml)",
    ] {
        assert!(diff.stdout.contains(header), "{header}\n{}", diff.stdout);
    }
    assert!(!diff.stdout.contains("glba-client"), "{}", diff.stdout);
    assert!(
        diff.stdout.contains("hipaa:164.308(a)(5)(ii)(B): Client → MSP (moved)"),
        "{}",
        diff.stdout
    );
    let json = run(tmp.path(), &["diff", "ws", "new", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(doc["packages"][0]["id"], "hipaa-standard");
    assert_eq!(doc["packages"][0]["clients"], 2);
    assert_eq!(doc["packages"][0]["rows_changed"], 2);
}

#[test]
fn scaffold_write_edits_the_list_not_a_string_that_reads_like_it() {
    let tmp = Scratch::new("packages-notes");
    let run_init = run(tmp.path(), &["init", "ws", "--client", "glba", "--start", "undecided"]);
    assert_eq!(run_init.code, 0, "{}", run_init.stderr);
    let scope = tmp.join("ws/scopes/glba-client.yaml");
    let text = read(&scope);
    // The case: a multi-line quoted `notes` with a line starting `assignments: []`, and
    // the stubs to write missing from the real list.
    let head = &text[..text.find("\nassignments:\n").expect("the stubs") + 1];
    let notes = "notes: \"Engagement notes, first line\nassignments: [] was how the old file began\n  last line\"\n";
    write(&scope, &format!("{head}{notes}assignments: []\n"));
    let scaffold = run(tmp.path(), &["scaffold", "ws/scopes/glba-client.yaml", "--write"]);
    assert_eq!(scaffold.code, 0, "{}", scaffold.stderr);
    let after = read(&scope);
    assert!(after.starts_with(&format!("{head}{notes}assignments:\n")), "{after}");
    assert_eq!(run(tmp.path(), &["validate", "ws"]).code, 0);
    let check = run(tmp.path(), &["check", "ws"]);
    // The stubs are in the list: each one unassigned at its line, and the notes intact.
    let stubs = after.matches("responsible: undecided").count();
    assert!(stubs > 100, "{stubs}");
    assert_eq!(
        check.stdout.matches("[CM001]").count() + check.stdout.matches("[CM005]").count(),
        stubs
    );
    let doc: serde_json::Value = serde_saphyr::from_str(&after).expect("yaml");
    assert_eq!(
        doc["notes"],
        "Engagement notes, first line assignments: [] was how the old file began last line"
    );
}

#[test]
fn init_with_a_profile_twice_makes_two_clients() {
    let tmp = Scratch::new("packages-twice");
    let init = run(tmp.path(), &["init", "ws", "--client", "hipaa", "--client", "hipaa"]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let one = read(&tmp.join("ws/scopes/hipaa-client.yaml"));
    let two = read(&tmp.join("ws/scopes/hipaa-client-2.yaml"));
    assert!(one.contains("id: hipaa-client\n") && one.contains("name: Example Health Practice\n"));
    assert!(two.contains("id: hipaa-client-2\n") && two.contains("name: Example Health Practice 2\n"));
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains("passed: 2 scopes"), "{}", check.stdout);
}

#[test]
fn the_pack_copies_the_package_and_party_files_it_used() {
    let tmp = Scratch::new("packages-pack");
    let ws = workspace(tmp.path(), &["hipaa"]);
    with_vault(&ws, true);
    let pack = run(
        tmp.path(),
        &[
            "pack",
            "ws/scopes/hipaa-client.yaml",
            "-o",
            "out",
            "--as-of",
            "2026-11-30",
        ],
    );
    assert_eq!(pack.code, 0, "{}", pack.stderr);
    for file in ["packages/hipaa-standard.yaml", "parties/vault.yaml"] {
        assert_eq!(
            std::fs::read(tmp.join("out/files").join(file)).expect("copied"),
            std::fs::read(ws.join(file)).expect("original"),
            "{file}"
        );
    }
    let manifest = read(&tmp.join("out/manifest.json"));
    assert!(manifest.contains("\"role\": \"package\""), "{manifest}");
    assert!(manifest.contains("\"role\": \"party\""), "{manifest}");
    assert_eq!(run(tmp.path(), &["pack", "verify", "out"]).code, 0);
}

#[test]
fn schema_prints_the_package_and_party_schemas() {
    for kind in ["package", "party"] {
        let out = ctrlmap(["schema", kind]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout, read(&repo().join(format!("schemas/{kind}.schema.json"))));
    }
}

/// The package schema says about a control decision exactly what the scope schema says.
#[test]
fn the_package_schema_shares_the_scope_schemas_entry_shapes() {
    let scope: serde_json::Value =
        serde_json::from_str(&read(&repo().join("schemas/scope.schema.json"))).expect("scope");
    let package: serde_json::Value =
        serde_json::from_str(&read(&repo().join("schemas/package.schema.json"))).expect("package");
    for key in [
        "assignments",
        "client_owned",
        "not_applicable",
        "addressable",
        "evidence",
    ] {
        assert_eq!(
            package["properties"][key]["items"], scope["properties"][key]["items"],
            "{key}"
        );
    }
    assert_eq!(
        package["properties"]["sla"]["properties"],
        scope["properties"]["sla"]["properties"]
    );
    assert_eq!(
        package["properties"]["services"]["items"],
        scope["properties"]["services"]["items"]
    );
}

#[test]
fn a_packages_undecided_stubs_are_decided_in_the_package_for_every_client() {
    let tmp = Scratch::new("packages-package-stubs");
    let init = run(
        tmp.path(),
        &["init", "ws", "--client", "glba", "--package", "--start", "undecided"],
    );
    assert_eq!(init.code, 0, "{}", init.stderr);
    let ws = tmp.join("ws");
    let add = run(
        tmp.path(),
        &[
            "add-client",
            "ws",
            "Second Firm",
            "--profile",
            "glba",
            "--package",
            "glba-standard",
        ],
    );
    assert_eq!(add.code, 0, "{}", add.stderr);
    // The new client lists none of the package's open controls: they are decided once, there.
    let text = read(&ws.join("scopes/second-firm.yaml"));
    assert!(!text.contains("client_owned"), "{text}");
    let package = read(&ws.join("packages/glba-standard.yaml"));
    let stub = line_of(&package, "- control: glba-safeguards:314.4(a)");
    let check = run(tmp.path(), &["check", "ws"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    for scope in ["glba-client", "second-firm"] {
        let line = format!("ws/packages/glba-standard.yaml:{stub}:1: high[CM001] glba-safeguards:314.4(a) ");
        let block = check
            .stdout
            .split("\n\n")
            .find(|b| b.contains(&format!("— {scope} (")))
            .unwrap_or_else(|| panic!("{scope}:\n{}", check.stdout));
        assert!(block.contains(&line), "{scope}: {line}\n{block}");
    }
}
