//! `pack verify` against packs an attacker made, through the real binary: a forged entry with
//! the name of a genuine one, entries pack never writes, a zip bomb, a pack whose evidence was
//! edited and whose lists were recomputed, names a pack cannot hold, and links.

mod support;
use std::path::{Path, PathBuf};
use support::hostile_zip::{Entry, entries_of, zip, zip_sharing};
use support::{Scratch, ctrlmap, example};

const AS_OF: &str = "2026-11-30";

/// A scratch folder holding a fresh pack of the dental scope (`pack/` and `pack.zip`).
fn fresh_pack(name: &str) -> Scratch {
    let scratch = Scratch::new(&format!("hostile-{name}"));
    let run = ctrlmap([
        "pack".as_ref(),
        example().join("scopes/riverside-dental.yaml").as_os_str(),
        "-o".as_ref(),
        scratch.path().join("pack").as_os_str(),
        "--zip".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    scratch
}

fn verify(path: &Path) -> support::Run {
    ctrlmap(["pack".as_ref(), "verify".as_ref(), path.as_os_str()])
}

/// The genuine pack's entries as hand-made entries (stored, same names), in order.
fn genuine(zip_path: &Path) -> Vec<Entry> {
    entries_of(zip_path)
        .into_iter()
        .map(|(name, bytes)| Entry::file(name, bytes))
        .collect()
}

/// The hand-made zips carry the standard CRC-32: its check value for `123456789` is CBF43926.
#[test]
fn the_hand_made_zips_crc_is_the_standard_crc_32() {
    assert_eq!(support::hostile_zip::crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn the_genuine_zip_rewritten_by_hand_still_verifies() {
    // The hand-made zips below differ from the genuine one only where they say so.
    let s = fresh_pack("rewritten");
    let path = s.path().join("rewritten.zip");
    std::fs::write(&path, zip(&genuine(&s.join("pack.zip")))).expect("write");
    let run = verify(&path);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_forged_entry_with_a_genuine_name_fails_before_or_after_it() {
    let s = fresh_pack("duplicate");
    let entries = genuine(&s.join("pack.zip"));
    let index = entries
        .iter()
        .position(|e| e.name == b"pack/index.html")
        .expect("index.html");
    for (label, at) in [("before", index), ("after", index + 1)] {
        let mut forged = genuine(&s.join("pack.zip"));
        forged.insert(
            at,
            Entry::file("pack/index.html", "<p>No findings. All evidence matches its pin.</p>"),
        );
        let path = s.path().join(format!("forged-{label}.zip"));
        std::fs::write(&path, zip(&forged)).expect("write");
        let run = verify(&path);
        assert_eq!(
            run.code, 1,
            "forgery {label} the genuine entry: {}{}",
            run.stdout, run.stderr
        );
        assert!(run.stdout.contains("same name"), "{}", run.stdout);
        assert!(run.stdout.contains("FAILED"), "{}", run.stdout);
    }
}

#[test]
fn entries_pack_never_writes_fail() {
    let s = fresh_pack("unexpected");
    let cases: [(&str, Entry); 5] = [
        (
            "an extra file",
            Entry::file("pack/files/evidence/backdated.pdf", "slipped in"),
        ),
        (
            "a folder entry",
            Entry {
                mode: 0o040755,
                ..Entry::file("pack/files/", "")
            },
        ),
        (
            "a link",
            Entry {
                mode: 0o120777,
                ..Entry::file("pack/files/evidence/link.md", "/etc/passwd")
            },
        ),
        (
            "a name that is not UTF-8",
            Entry::file(b"pack/files/\xff\xfe.md".to_vec(), "x"),
        ),
        ("a name with a newline", Entry::file("pack/files/a\nSHA256SUMS", "x")),
    ];
    for (label, extra) in cases {
        let mut entries = genuine(&s.join("pack.zip"));
        entries.push(extra);
        let path = s.path().join("extra.zip");
        std::fs::write(&path, zip(&entries)).expect("write");
        let run = verify(&path);
        assert_eq!(run.code, 1, "{label}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("FAILED"), "{label}: {}", run.stdout);
    }
}

#[test]
fn a_zip_bomb_of_ten_thousand_entries_fails_without_being_inflated() {
    // 10,000 entries sharing one deflated body of 400 MiB (a 3 MB zip): inflated, 4 TB.
    let s = fresh_pack("bomb");
    let body = Entry::zeros("pack/files/evidence/big.pdf", 400 << 20);
    let mut names: Vec<Vec<u8>> = entries_of(&s.join("pack.zip"))
        .into_iter()
        .map(|(n, _)| n.into_bytes())
        .collect();
    names.extend((0..10_000 - names.len()).map(|i| format!("pack/files/evidence/copy-{i}.pdf").into_bytes()));
    let path = s.path().join("bomb.zip");
    std::fs::write(&path, zip_sharing(&body, &names)).expect("write");
    let run = verify(&path);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("FAILED"), "{}", run.stdout);
    assert!(
        run.stdout.contains("stopped"),
        "nothing after the structure is read: {}",
        run.stdout
    );
}

#[test]
fn an_entry_that_inflates_past_its_declared_size_stops_the_check() {
    // The genuine pack with evidence replaced by 400 MiB of zeros whose headers still declare
    // the genuine size: verify reads no more than the manifest declares.
    let s = fresh_pack("overrun");
    let mut entries = genuine(&s.join("pack.zip"));
    let at = entries
        .iter()
        .position(|e| e.name == b"pack/files/evidence/riverside-2026-q3-restore-test.md")
        .expect("evidence entry");
    let size = match &entries[at].body {
        support::hostile_zip::Body::Bytes(b) => b.len() as u64,
        support::hostile_zip::Body::Zeros(n) => *n,
    };
    entries[at] = Entry {
        declared: Some(size),
        ..Entry::zeros("pack/files/evidence/riverside-2026-q3-restore-test.md", 400 << 20)
    };
    let path = s.path().join("overrun.zip");
    std::fs::write(&path, zip(&entries)).expect("write");
    let run = verify(&path);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("files/evidence/riverside-2026-q3-restore-test.md holds more than")
            || run
                .stdout
                .contains("files/evidence/riverside-2026-q3-restore-test.md cannot be inflated"),
        "the entry is named: {}",
        run.stdout
    );
    assert!(run.stdout.contains("stopped"), "{}", run.stdout);
}

/// Recompute SHA256SUMS and manifest.json after editing files of a pack folder, as a forger
/// who knows the format would.
fn rehash(dir: &Path) {
    let manifest_path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("manifest")).expect("json");
    for f in manifest["files"].as_array_mut().expect("files") {
        let bytes = std::fs::read(dir.join(f["path"].as_str().expect("path"))).expect("file");
        f["sha256"] = ctrlmap::model::digest::sha256_hex(&bytes).into();
        f["bytes"] = (bytes.len() as u64).into();
    }
    std::fs::write(
        &manifest_path,
        serde_json::to_string_pretty(&manifest).expect("json") + "\n",
    )
    .expect("write");
    let mut sums = String::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        if rel == "SHA256SUMS" || rel == "SHA256SUMS.sig" {
            continue;
        }
        let bytes = std::fs::read(entry.path()).expect("read");
        sums.push_str(&format!("{}  {rel}\n", ctrlmap::model::digest::sha256_hex(&bytes)));
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).expect("write");
}

#[test]
fn edited_evidence_with_recomputed_lists_fails_on_its_pin() {
    let s = fresh_pack("rehash");
    let dir = s.path().join("pack");
    let evidence = dir.join("files/evidence/riverside-2026-risk-analysis-summary.md");
    let mut text = std::fs::read_to_string(&evidence).expect("evidence");
    text.push_str("\nAll risks accepted by the Security Official.\n");
    std::fs::write(&evidence, text).expect("write");
    rehash(&dir);
    let run = verify(&dir);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("files/evidence/riverside-2026-risk-analysis-summary.md: SHA-256")
            && run.stdout.contains("pins"),
        "{}",
        run.stdout
    );
    // The same forgery with the scope's pin rewritten too passes every check the pack can do on
    // itself: only a signature or the recorded digest catches it.
    let scope = dir.join("files/scopes/riverside-dental.yaml");
    let pinned = "3c25dfc385c1de4e6dec186716b82f019f038a90fd6071581e91d50255f66147";
    let forged = ctrlmap::model::digest::sha256_hex(&std::fs::read(&evidence).expect("evidence"));
    let text = std::fs::read_to_string(&scope).expect("scope").replace(pinned, &forged);
    std::fs::write(&scope, text).expect("write");
    rehash(&dir);
    let fresh = fresh_pack("rehash-digest");
    let digest = std::fs::read(fresh.path().join("pack/SHA256SUMS")).expect("sums");
    let digest = ctrlmap::model::digest::sha256_hex(&digest);
    let run = ctrlmap([
        "pack".as_ref(),
        "verify".as_ref(),
        dir.as_os_str(),
        "--expect".as_ref(),
        digest.as_ref(),
    ]);
    assert_eq!(run.code, 1, "--expect catches it: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not the expected"), "{}", run.stdout);
}

#[test]
fn a_link_to_a_pack_on_the_command_line_is_followed_and_links_inside_fail() {
    let s = fresh_pack("link");
    std::os::unix::fs::symlink(s.path().join("pack"), s.path().join("link")).expect("link");
    std::os::unix::fs::symlink(s.path().join("pack.zip"), s.path().join("link.zip")).expect("link");
    for link in ["link", "link.zip"] {
        let run = verify(&s.join(link));
        assert_eq!(run.code, 0, "{link}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("OK"), "{}", run.stdout);
    }
    let evidence = s.path().join("pack/files/evidence/riverside-2026-q3-restore-test.md");
    std::fs::rename(&evidence, s.path().join("elsewhere.md")).expect("move");
    std::os::unix::fs::symlink(s.path().join("elsewhere.md"), &evidence).expect("link");
    let run = verify(&s.join("link"));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("a symbolic link"), "{}", run.stdout);
}

/// The example workspace copied, with a second copy of the dental scope under `name`.
fn workspace_with_scope_named(name: &std::ffi::OsStr, label: &str) -> (Scratch, PathBuf) {
    let ws = Scratch::copy_of(&example(), &format!("names-{label}"));
    let text = std::fs::read_to_string(ws.ws().join("scopes/riverside-dental.yaml"))
        .expect("scope")
        .replace("id: riverside-dental", "id: riverside-odd-name");
    let path = ws.ws().join("scopes").join(name);
    std::fs::write(&path, text).expect("write");
    (ws, path)
}

#[test]
fn a_scope_whose_name_cannot_be_stored_is_an_error_at_pack_time() {
    use std::os::unix::ffi::OsStrExt;
    for (label, name) in [
        ("newline", std::ffi::OsStr::new("odd\nname.yaml")),
        ("not-utf8", std::ffi::OsStr::from_bytes(b"odd-\xff.yaml")),
    ] {
        let (ws, scope) = workspace_with_scope_named(name, label);
        let out = ws.ws().join("out");
        let run = ctrlmap([
            "pack".as_ref(),
            scope.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
        ]);
        assert_eq!(run.code, 2, "{label}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("cannot be stored"), "{label}: {}", run.stderr);
        assert!(!out.exists(), "{label}: no pack written");
    }
}
