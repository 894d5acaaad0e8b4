//! `pack verify`: passes on a fresh pack, and fails naming the file when one byte of any file
//! changes, when a file is added and when one is removed.

mod support;
use ctrlmap::emit::pack::verify;
use ctrlmap::load::Loaded;
use std::path::{Path, PathBuf};
use support::{Scratch, fixture};

const AS_OF: time::Date = time::macros::date!(2026 - 11 - 30);

/// A fresh pack of the dental scope in its own scratch folder, removed when dropped.
struct Pack(Scratch);

impl Pack {
    fn new(name: &str) -> Pack {
        let scratch = Scratch::new(&format!("verify-{name}"));
        let ws = Loaded::load(&fixture("render/northwind")).expect("loads");
        let s = ws.scopes.iter().find(|s| s.id == "riverside-dental").expect("scope");
        ctrlmap::emit::pack::pack(
            &ws,
            s,
            &ctrlmap::assess::assess_scope(&ws, s, &ctrlmap::cli::overrides(&ws), AS_OF),
            AS_OF,
            &scratch.join("pack"),
            false,
        )
        .expect("pack");
        Pack(scratch)
    }

    fn dir(&self) -> PathBuf {
        self.0.join("pack")
    }
}

fn files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn a_fresh_pack_verifies() {
    let pack = Pack::new("fresh");
    let report = verify(&pack.dir());
    assert!(report.ok(), "{report}");
    assert_eq!(
        report.verified + 1,
        files(&pack.dir()).len(),
        "every file but SHA256SUMS checked"
    );
    assert!(report.to_string().contains(": OK — "), "{report}");
    assert_eq!(report.digest.as_deref().map(str::len), Some(64));
}

#[test]
fn one_changed_byte_in_any_file_fails_and_names_it() {
    let pack = Pack::new("byte");
    let dir = pack.dir();
    for rel in files(&dir).into_iter().filter(|f| f != "SHA256SUMS") {
        let path = dir.join(&rel);
        let original = std::fs::read(&path).expect("read");
        let mut changed = original.clone();
        let at = changed.len() / 2;
        changed[at] ^= 0x01;
        std::fs::write(&path, &changed).expect("write");
        let report = verify(&dir);
        assert!(!report.ok(), "{rel}: a changed byte must fail");
        assert!(report.changed.contains(&rel), "{rel}: named as changed: {report}");
        assert!(report.to_string().contains(&format!("changed: {rel}")), "{report}");
        std::fs::write(&path, &original).expect("restore");
    }
    assert!(verify(&dir).ok(), "restored pack verifies again");
}

#[test]
fn a_changed_sums_file_is_caught_by_the_manifest() {
    let pack = Pack::new("sums");
    let dir = pack.dir();
    // Someone edits index.html and updates SHA256SUMS to match, but not the manifest.
    std::fs::write(dir.join("index.html"), "<p>all clear</p>").expect("write");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("sums");
    let new_hash = ctrlmap::model::digest::sha256_hex(b"<p>all clear</p>");
    let forged: String = sums
        .lines()
        .map(|l| {
            if l.ends_with("  index.html") {
                format!("{new_hash}  index.html\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), forged).expect("write");
    let report = verify(&dir);
    assert!(!report.ok(), "{report}");
    assert!(report.problems.iter().any(|p| p.contains("index.html")), "{report}");
}

#[test]
fn an_added_file_fails_and_is_named() {
    let pack = Pack::new("added");
    let dir = pack.dir();
    std::fs::write(dir.join("files/evidence/extra.pdf"), "slipped in later").expect("write");
    let report = verify(&dir);
    assert!(!report.ok());
    assert_eq!(report.added, ["files/evidence/extra.pdf"]);
    assert!(
        report.to_string().contains("added:   files/evidence/extra.pdf"),
        "{report}"
    );
}

#[test]
fn a_removed_file_fails_and_is_named() {
    let pack = Pack::new("removed");
    let dir = pack.dir();
    std::fs::remove_file(dir.join("matrix/hipaa.csv")).expect("rm");
    let report = verify(&dir);
    assert!(!report.ok());
    assert_eq!(report.removed, ["matrix/hipaa.csv"]);
    assert!(report.to_string().contains("removed: matrix/hipaa.csv"), "{report}");
}

#[test]
fn a_folder_without_sums_is_not_a_pack() {
    let scratch = Scratch::new("verify-empty");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let report = verify(&dir);
    assert!(!report.ok());
    assert!(report.to_string().contains("SHA256SUMS"), "{report}");
}
