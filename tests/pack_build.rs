//! The auditor's evidence pack: its layout, byte-for-byte reproducibility (folder and zip),
//! `sha256sum -c` compatibility, the manifest and evidence index, evidence copied only from
//! inside the workspace, and an all-or-nothing replacement of an earlier pack.

mod support;
use ctrlmap::load::Loaded;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

fn fixture() -> PathBuf {
    support::fixture("render/northwind")
}

fn load(root: &Path) -> Loaded {
    let ws = Loaded::load(root).expect("loads");
    assert!(
        ws.diagnostics.is_empty(),
        "{}",
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    ws
}

fn build(ws: &Loaded, scope: &str, dir: &Path, zip: bool) -> ctrlmap::emit::pack::PackOutcome {
    let s = ws.scopes.iter().find(|s| s.id == scope).expect("scope");
    ctrlmap::emit::pack::pack(
        ws,
        s,
        &ctrlmap::assess::assess_scope(ws, s, &ctrlmap::cli::overrides(ws), AS_OF),
        AS_OF,
        dir,
        zip,
    )
    .expect("pack builds")
}

/// Every file of a folder by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

#[test]
fn a_pack_built_twice_is_byte_identical_folder_and_zip() {
    let ws = load(&fixture());
    let root_scratch = support::Scratch::new("pack-twice");
    let root = root_scratch.path();
    let (a, b) = (root.join("a/riverside"), root.join("b/riverside"));
    build(&ws, "riverside-dental", &a, true);
    // A second apart, so any wall-clock time in the zip would show.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    build(&ws, "riverside-dental", &b, true);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(tb[path] == *bytes, "{path} differs between two builds");
    }
    let (za, zb) = (
        std::fs::read(root.join("a/riverside.zip")).expect("zip a"),
        std::fs::read(root.join("b/riverside.zip")).expect("zip b"),
    );
    assert!(za == zb, "the zips differ");
}

#[test]
fn the_pack_holds_what_an_auditor_needs() {
    let ws = load(&fixture());
    let root_scratch = support::Scratch::new("pack-layout");
    let root = root_scratch.path();
    let dir = root.join("pack");
    let outcome = build(&ws, "riverside-dental", &dir, false);
    let files = tree(&dir);
    for f in [
        "index.html",
        "evidence.html",
        "evidence.csv",
        "findings.csv",
        "findings.json",
        "catalogs.json",
        "manifest.json",
        "SHA256SUMS",
        "baa-appendix.html",
        "baa-appendix.md",
        "matrix/hipaa.html",
        "matrix/hipaa.csv",
        "matrix/hipaa.json",
        "matrix/csf-2.0.html",
        "files/scopes/riverside-dental.yaml",
        "files/services/managed-backup.yaml",
        "files/evidence/2026/q3-restore-test.txt",
        "builtin/policies/hipaa.yaml",
    ] {
        assert!(
            files.contains_key(f),
            "{f} in the pack; have {:?}",
            files.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        !files.contains_key("tpsp-summary.html"),
        "no TPSP summary for a HIPAA-only client"
    );
    assert_eq!(outcome.files, files.len());
    assert_eq!(outcome.digest, ctrlmap::model::digest::sha256_hex(&files["SHA256SUMS"]));
    // Copies are the inputs' bytes.
    assert_eq!(
        files["files/scopes/riverside-dental.yaml"],
        std::fs::read(fixture().join("scopes/riverside-dental.yaml")).expect("scope")
    );
    assert_eq!(
        files["files/evidence/2026/q3-restore-test.txt"],
        std::fs::read(fixture().join("evidence/2026/q3-restore-test.txt")).expect("evidence")
    );
    // Self-contained pages: no scripts, no external requests.
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        assert!(!html.contains("<script"), "{path}: script");
        for attr in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(http",
            "@import",
        ] {
            assert!(!html.contains(attr), "{path}: external reference {attr}");
        }
    }
    let index = String::from_utf8_lossy(&files["index.html"]);
    assert!(
        index.matches("<svg class=\"chart\"").count() >= 2,
        "per framework, per CSF function"
    );
    // Findings by severity: a compact table of the severities that have findings, not a chart
    // of mostly empty bars.
    assert!(index.contains("<table class=\"severity-counts\">") || index.contains("No findings as of"));
    assert!(index.contains("<g class=\"legend\">"), "charts carry legends");
    assert!(index.contains("@media print"), "print stylesheet");
}

#[test]
fn sha256sum_checks_the_pack() {
    let ws = load(&fixture());
    let root_scratch = support::Scratch::new("pack-sha256sum");
    let root = root_scratch.path();
    let dir = root.join("pack");
    build(&ws, "hudson-lending", &dir, false);
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    let paths: Vec<&str> = sums
        .lines()
        .map(|l| l.split_once("  ").expect("two spaces").1)
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "sorted by path");
    assert_eq!(
        paths.len() + 1,
        tree(&dir).len(),
        "every file but SHA256SUMS itself is listed"
    );
    let out = std::process::Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(&dir)
        .output()
        .expect("run sha256sum");
    assert!(
        out.status.success(),
        "sha256sum -c failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).matches(": OK").count(),
        paths.len()
    );
}

#[test]
fn manifest_names_the_generator_inputs_and_every_file() {
    let ws = load(&fixture());
    let root_scratch = support::Scratch::new("pack-manifest");
    let root = root_scratch.path();
    let dir = root.join("pack");
    build(&ws, "riverside-dental", &dir, false);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest")).expect("json");
    assert_eq!(m["generator"]["name"], "ctrlmap");
    assert_eq!(m["generator"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["as_of"], "2026-11-30");
    let scope_sha = ctrlmap::model::digest::sha256_hex(
        &std::fs::read(fixture().join("scopes/riverside-dental.yaml")).expect("scope"),
    );
    let inputs = m["inputs"].as_array().expect("inputs");
    assert!(inputs.iter().any(|i| i["path"] == "scopes/riverside-dental.yaml"
        && i["sha256"] == scope_sha.as_str()
        && i["role"] == "scope"));
    assert!(
        inputs
            .iter()
            .any(|i| i["role"] == "evidence" && i["path"] == "evidence/2026/q3-restore-test.txt")
    );
    assert!(
        inputs
            .iter()
            .any(|i| i["role"] == "catalog" && i["path"] == "<builtin>/frameworks/hipaa.yaml")
    );
    let listed: Vec<&str> = m["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    let all = tree(&dir);
    let expected: Vec<&str> = all
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "manifest.json" && *p != "SHA256SUMS")
        .collect();
    assert_eq!(listed, expected);
    let catalogs: serde_json::Value = serde_json::from_slice(&all["catalogs.json"]).expect("catalogs.json");
    let ids: Vec<&str> = catalogs
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["csf-2.0", "hipaa"]);
    assert!(
        catalogs
            .as_array()
            .expect("list")
            .iter()
            .all(|c| c["version"].is_string() && c["sha256"].as_str().is_some_and(|s| s.len() == 64))
    );
}

#[test]
fn evidence_index_gives_age_freshness_and_hash_as_of_the_date() {
    let ws = load(&fixture());
    let root_scratch = support::Scratch::new("pack-evidence");
    let root = root_scratch.path();
    let dir = root.join("pack");
    build(&ws, "riverside-dental", &dir, false);
    let mut reader = csv::Reader::from_path(dir.join("evidence.csv")).expect("csv");
    let rows: Vec<csv::StringRecord> = reader.records().flatten().collect();
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    assert_eq!(
        rows.len(),
        s.evidence.iter().flatten().count(),
        "every evidence entry is indexed"
    );
    let row = |file: &str| {
        rows.iter()
            .find(|r| &r[0] == file)
            .unwrap_or_else(|| panic!("{file}"))
            .clone()
    };
    let q3 = row("evidence/2026/q3-restore-test.txt");
    assert_eq!((&q3[4], &q3[5], &q3[6]), ("2026-09-30", "61", "fresh"));
    assert_eq!(
        &q3[7],
        "df6556c1df803c99ff3a439b0a7dca0882c71c14f37f93144a5133a7e5c73712"
    );
    assert_eq!(
        (&q3[9], &q3[10]),
        ("matches-pin", "files/evidence/2026/q3-restore-test.txt")
    );
    let eval = row("evidence/2025-security-evaluation.txt");
    assert_eq!((&eval[5], &eval[6], &eval[9]), ("518", "stale", "unpinned"));
    let html = std::fs::read_to_string(dir.join("evidence.html")).expect("evidence.html");
    assert!(
        html.contains("href=\"files/evidence/2026/q3-restore-test.txt\""),
        "links to the copy"
    );
}

#[test]
fn evidence_outside_the_workspace_is_never_copied() {
    let root_scratch = support::Scratch::copy_of(&fixture(), "pack-symlink");
    let root = root_scratch.path();
    let ws_dir = root_scratch.ws();
    let secret = root.join("secret.txt");
    std::fs::write(&secret, "outside the workspace").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, ws_dir.join("evidence/leak.txt")).expect("symlink");
    let scope = ws_dir.join("scopes/riverside-dental.yaml");
    let text = std::fs::read_to_string(&scope).expect("scope").replace(
        "waivers:",
        "  - { file: evidence/leak.txt, controls: [\"hipaa:164.308(a)(8)\"], owner: msp, effective: 2026-10-01 }\n  - { file: ../secret.txt, controls: [\"hipaa:164.308(a)(8)\"], owner: msp, effective: 2026-10-01 }\nwaivers:",
    );
    std::fs::write(&scope, text).expect("write");
    // The loader reports both (E012) and the command line stops there; the library call
    // still refuses to copy them.
    let ws = Loaded::load(&ws_dir).expect("loads");
    let outside: Vec<&ctrlmap::model::diagnostic::Diagnostic> = ws
        .diagnostics
        .iter()
        .filter(|d| d.code == ctrlmap::model::diagnostic::Code::E012)
        .collect();
    assert_eq!(
        outside.len(),
        2,
        "{}",
        ctrlmap::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f))
    );
    assert!(
        outside.iter().any(|d| d.message.contains("evidence/leak.txt")),
        "{outside:?}"
    );
    assert!(
        outside.iter().any(|d| d.message.contains("../secret.txt")),
        "{outside:?}"
    );
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    let outcome = ctrlmap::emit::pack::pack(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        AS_OF,
        &root.join("pack"),
        false,
    )
    .expect("pack");
    assert!(
        outcome.skipped.iter().any(|w| w.contains("leak.txt")),
        "{:?}",
        outcome.skipped
    );
    assert!(
        outcome.skipped.iter().any(|w| w.contains("../secret.txt")),
        "{:?}",
        outcome.skipped
    );
    for (path, bytes) in tree(&root.join("pack")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("outside the workspace"),
            "{path} holds the outside file"
        );
    }
}

#[test]
fn an_earlier_pack_is_replaced_whole_and_survives_a_failed_run() {
    let root_scratch = support::Scratch::copy_of(&fixture(), "pack-replace");
    let root = root_scratch.path();
    let ws_dir = root_scratch.ws();
    let dir = root.join("pack");
    let ws = load(&ws_dir);
    build(&ws, "riverside-dental", &dir, false);
    let before = tree(&dir);
    // A second run whose index template fails: the error is reported, the earlier pack stays.
    std::fs::write(ws_dir.join("templates/pack-index.html.j2"), "{{ no_such_variable }}").expect("write");
    let ws = load(&ws_dir);
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    let err = ctrlmap::emit::pack::pack(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        AS_OF,
        &dir,
        false,
    )
    .expect_err("the template fails");
    assert!(err.to_string().starts_with("templates/pack-index.html.j2:1: "), "{err}");
    assert!(tree(&dir) == before, "the earlier pack is intact");
    let leftovers: Vec<String> = std::fs::read_dir(root)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary folders left: {leftovers:?}");
    // A good run replaces it.
    std::fs::remove_file(ws_dir.join("templates/pack-index.html.j2")).expect("rm");
    let ws = load(&ws_dir);
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    ctrlmap::emit::pack::pack(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(
            &ws,
            s,
            &ctrlmap::cli::overrides(&ws),
            time::macros::date!(2026 - 12 - 31),
        ),
        time::macros::date!(2026 - 12 - 31),
        &dir,
        false,
    )
    .expect("pack");
    assert!(
        std::fs::read_to_string(dir.join("manifest.json"))
            .expect("manifest")
            .contains("\"as_of\": \"2026-12-31\"")
    );
}

#[test]
fn a_folder_that_is_not_a_pack_is_never_replaced() {
    let ws = load(&fixture());
    let root_scratch = support::Scratch::new("pack-not-a-pack");
    let root = root_scratch.path();
    let dir = root.join("documents");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("thesis.docx"), "years of work").expect("write");
    let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
    let err = ctrlmap::emit::pack::pack(
        &ws,
        s,
        &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
        AS_OF,
        &dir,
        false,
    )
    .expect_err("refused");
    assert!(err.to_string().contains("is not a ctrlmap evidence pack"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("thesis.docx")).expect("still there"),
        "years of work"
    );
}
