//! The evidence pack as a record an auditor can rely on (issue 15), through the real binary:
//! the catalog and crosswalk files behind the findings are inside the pack (built-in ones too),
//! each with the sources it quotes and when they were retrieved; the assessment period and who
//! prepared and reviewed it; `pack verify` on the zip itself, against a recorded digest, and a
//! clear usage error (exit 2) for something that is not a pack.

mod support;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use support::{Scratch, ctrlmap, example};

const AS_OF: &str = "2026-11-30";

fn example_scope() -> PathBuf {
    example().join("scopes/riverside-dental.yaml")
}

/// `ctrlmap pack` of the example into `dir/pack` (and its zip); returns the printed digest.
fn pack(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "pack".to_string(),
        example_scope().display().to_string(),
        "-o".into(),
        dir.join("pack").display().to_string(),
        "--zip".into(),
        "--as-of".into(),
        AS_OF.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let run = ctrlmap(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix("pack digest (SHA-256 of SHA256SUMS): "))
        .expect("digest printed")
        .to_string()
}

fn sha256(bytes: &[u8]) -> String {
    ctrlmap::model::digest::sha256_hex(bytes)
}

#[test]
fn built_in_catalogs_and_crosswalks_are_in_the_pack_with_their_sources() {
    let t = Scratch::new("record-catalogs");
    pack(t.path(), &[]);
    let dir = t.join("pack");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest")).expect("json");
    let hashed: BTreeMap<String, String> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().into(),
                f["sha256"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    // The files the binary embeds are the repository's; the pack holds them byte for byte.
    for (copy, original) in [
        ("builtin/frameworks/hipaa.yaml", "frameworks/hipaa.yaml"),
        ("builtin/frameworks/csf-2.0.yaml", "frameworks/csf-2.0.yaml"),
        (
            "builtin/frameworks/crosswalks/hipaa-to-csf-2.0.yaml",
            "frameworks/crosswalks/hipaa-to-csf-2.0.yaml",
        ),
    ] {
        let bytes = std::fs::read(dir.join(copy)).unwrap_or_else(|e| panic!("{copy}: {e}"));
        assert_eq!(
            bytes,
            std::fs::read(support::repo().join(original)).expect("original"),
            "{copy}"
        );
        assert_eq!(hashed.get(copy), Some(&sha256(&bytes)), "{copy} hashed in the manifest");
    }
    // Every finding's file is in the pack: a workspace file under files/, a built-in one under builtin/.
    let findings: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("findings.json")).expect("findings")).expect("json");
    for f in findings["findings"].as_array().expect("findings") {
        let file = f["file"].as_str().unwrap_or_default();
        let copy = match file.strip_prefix("<builtin>/") {
            Some(p) => format!("builtin/{p}"),
            None => format!("files/{file}"),
        };
        assert!(
            hashed.contains_key(&copy),
            "{file} cited by a finding is in the pack as {copy}"
        );
    }
    // catalogs.json: each catalog's sources with their retrieval dates, as the catalog file says.
    let catalogs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("catalogs.json")).expect("catalogs")).expect("json");
    let hipaa = catalogs
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["id"] == "hipaa")
        .expect("hipaa");
    assert_eq!(hipaa["copy"], "builtin/frameworks/hipaa.yaml");
    let text = std::fs::read_to_string(support::repo().join("frameworks/hipaa.yaml")).expect("catalog");
    let retrieved_lines = text
        .lines()
        .filter(|l| l.trim_start().starts_with("retrieved:"))
        .count();
    let sources = hipaa["sources"].as_array().expect("sources");
    assert_eq!(
        sources.len(),
        retrieved_lines,
        "every source of the catalog, each with its date"
    );
    for s in sources {
        let date = s["retrieved"].as_str().expect("retrieved");
        assert!(text.contains(&format!("retrieved: '{date}'")), "{date}");
    }
    assert_eq!(
        hipaa["crosswalks"][0]["copy"],
        "builtin/frameworks/crosswalks/hipaa-to-csf-2.0.yaml"
    );
    // The front page shows them, with the retrieval dates.
    let index = std::fs::read_to_string(dir.join("index.html")).expect("index");
    assert!(index.contains(r#"<a href="builtin/frameworks/hipaa.yaml">"#));
    assert!(index.contains(r#"<a href="builtin/frameworks/crosswalks/hipaa-to-csf-2.0.yaml">"#));
    assert!(index.contains("retrieved 2026-11-29"));
}

#[test]
fn the_assessment_period_and_who_prepared_and_reviewed_it_are_recorded() {
    // From the scope: the example states its period and who prepared and reviewed it.
    let t = Scratch::new("record-record-scope");
    pack(t.path(), &[]);
    let scope = std::fs::read_to_string(example_scope()).expect("scope");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.join("pack/manifest.json")).expect("manifest")).expect("json");
    let a = &manifest["assessment"];
    assert_eq!(a["as_of"], AS_OF);
    for value in [
        &a["period"]["from"],
        &a["period"]["to"],
        &a["prepared_by"]["name"],
        &a["reviewed_by"]["name"],
    ] {
        let v = value.as_str().expect("stated");
        assert!(scope.contains(v), "`{v}` comes from the scope");
    }
    // From the command line: the flags replace the scope's.
    let t = Scratch::new("record-record-flags");
    pack(
        t.path(),
        &[
            "--period-from",
            "2026-07-01",
            "--period-to",
            "2026-09-30",
            "--prepared-by",
            "Pat <Preparer>",
            "--prepared-by-role",
            "Compliance analyst",
            "--prepared-on",
            "2026-11-29",
            "--reviewed-by",
            "Robin Reviewer",
            "--reviewed-on",
            "2026-11-30",
        ],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.join("pack/manifest.json")).expect("manifest")).expect("json");
    let a = &manifest["assessment"];
    assert_eq!(a["period"]["from"], "2026-07-01");
    assert_eq!(a["period"]["to"], "2026-09-30");
    assert_eq!(a["prepared_by"]["name"], "Pat <Preparer>");
    assert_eq!(a["prepared_by"]["role"], "Compliance analyst");
    assert_eq!(a["prepared_by"]["date"], "2026-11-29");
    assert_eq!(a["reviewed_by"]["name"], "Robin Reviewer");
    let index = std::fs::read_to_string(t.join("pack/index.html")).expect("index");
    assert!(index.contains("<dt>Assessment period</dt><dd>2026-07-01 to 2026-09-30</dd>"));
    assert!(
        index.contains("<td>Pat &lt;Preparer&gt;</td><td>Compliance analyst</td>"),
        "escaped"
    );
    assert!(index.contains("<dt>As of</dt><dd>2026-11-30</dd>"));

    // A date that is not one is a usage error.
    let run = ctrlmap([
        "pack",
        &example_scope().display().to_string(),
        "-o",
        &t.join("other").display().to_string(),
        "--period-from",
        "2026-13-01",
        "--period-to",
        "2026-12-31",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--period-from `2026-13-01` is not a date"),
        "{}",
        run.stderr
    );
}

fn verify(args: &[&str]) -> support::Run {
    let mut all = vec!["pack", "verify"];
    all.extend_from_slice(args);
    ctrlmap(all)
}

#[test]
fn pack_verify_reads_the_zip_itself() {
    let t = Scratch::new("record-zip");
    let digest = pack(t.path(), &[]);
    let zip = t.join("pack.zip");
    let run = verify(&[&zip.display().to_string()]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&digest));

    // The same zip with one byte of the index changed, everything else as it was.
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("archive");
    let tampered = t.join("tampered.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&tampered).expect("create"));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().expect("name").into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        if name.ends_with("/index.html") {
            bytes[100] ^= 1;
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.finish().expect("finish");
    let run = verify(&[&tampered.display().to_string()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("changed: index.html"), "{}", run.stdout);
}

#[test]
fn pack_verify_checks_the_recorded_digest() {
    let t = Scratch::new("record-expect");
    let digest = pack(t.path(), &[]);
    let dir = t.join("pack").display().to_string();
    let zip = t.join("pack.zip").display().to_string();
    // The digest is the SHA-256 of SHA256SUMS, computed here independently.
    assert_eq!(digest, sha256(&std::fs::read(t.join("pack/SHA256SUMS")).expect("sums")));
    assert_eq!(verify(&[&dir, "--expect", &digest]).code, 0);
    assert_eq!(verify(&[&zip, "--expect", &digest.to_uppercase()]).code, 0);
    let other = sha256(b"another pack");
    let run = verify(&[&dir, "--expect", &other]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("not the expected {other}")),
        "{}",
        run.stdout
    );
    let run = verify(&[&dir, "--expect", "abc"]);
    assert_eq!(run.code, 2, "a malformed digest is a usage error: {}", run.stderr);
}

#[test]
fn a_folder_that_is_not_a_pack_is_a_usage_error_not_tampering() {
    let t = Scratch::new("record-not-a-pack");
    let plain = t.join("documents");
    std::fs::create_dir_all(&plain).expect("mkdir");
    std::fs::write(plain.join("letter.txt"), b"hello").expect("write");
    let run = verify(&[&plain.display().to_string()]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not a ctrlmap evidence pack"), "{}", run.stderr);
    let run = verify(&[&t.join("missing").display().to_string()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let junk = t.join("junk.zip");
    std::fs::write(&junk, b"not a zip").expect("write");
    assert_eq!(verify(&[&junk.display().to_string()]).code, 2);

    // A pack whose SHA256SUMS was deleted is a pack that was tampered with: exit 1.
    pack(t.path(), &[]);
    std::fs::remove_file(t.join("pack/SHA256SUMS")).expect("rm");
    let run = verify(&[&t.join("pack").display().to_string()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
}
