//! `ctrlmap pack verify`: check a pack (a folder, or the zip `pack --zip` wrote) against its own
//! lists, and, when it is signed, its signature.
//!
//! What each check covers:
//!
//! - every file `SHA256SUMS` lists is present with that SHA-256 (what `sha256sum -c` checks);
//! - no file is there that the pack does not list (`sha256sum -c` does not notice added files);
//!   a zip holds exactly one entry per listed file, no folder entries, links, duplicate names,
//!   names that are not UTF-8 or that hold control characters, and entries whose local headers
//!   agree with the central directory;
//! - `manifest.json` and `SHA256SUMS` agree on every file;
//! - each evidence copy still has the SHA-256 pinned in the copied scope;
//! - with `SHA256SUMS.sig`, the SSH signature holds for `SHA256SUMS`; with `--signers`, it was
//!   made by a key the allowed-signers file lists.
//!
//! Nothing is inflated or hashed past what the manifest declares: a zip entry that inflates
//! past its declared size stops the check there (a zip bomb costs what the honest pack would).
//! The work is linear in the pack's size.
//!
//! Without a signature the checks prove the pack agrees with itself, not that its lists are
//! the ones that were handed over: someone who edits a file can recompute `SHA256SUMS` and the
//! manifest. The signature, or the pack digest (the SHA-256 of `SHA256SUMS`) recorded at hand-over
//! and given to `--expect`, closes that.
//!
//! This file decides what a pack must hold; `verify_source.rs` reads its files (a folder or a
//! zip), `verify_report.rs` is what the check found and how it is printed.

use super::signature::{self, AllowedSigners, SignatureCheck};
use super::verify_report::VerifyReport;
use super::verify_source::{Folder, HashError, Source, Zip};
use super::{MANIFEST, SUMS};
use crate::fs::input::{MAX_INPUT_BYTES, Root, display_path, kind_of};
use crate::model::digest::sha256_hex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What `pack verify` is asked to check beyond the pack's own lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// The pack digest recorded at hand-over: any other digest fails.
    pub expect: Option<&'a str>,
    /// The keys allowed to sign: the pack must be signed by one of them.
    pub signers: Option<&'a AllowedSigners>,
    /// When the signers' `valid-after` / `valid-before` are judged, in Unix seconds.
    pub now: i64,
}

/// Parse `SHA256SUMS`: `<64 hex>  <path>` (or `<hex> *<path>`, binary mode).
fn parse_sums(text: &str, problems: &mut Vec<String>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = line.split_once(' ').and_then(|(hash, rest)| {
            let path = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
            (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && !path.is_empty())
                .then(|| (path.to_string(), hash.to_ascii_lowercase()))
        });
        match parsed {
            Some((path, hash)) => {
                if out.insert(path.clone(), hash).is_some() {
                    problems.push(format!("{SUMS} line {}: `{path}` is listed twice", n + 1));
                }
            }
            None => problems.push(format!("{SUMS} line {}: not `<sha256>  <path>`", n + 1)),
        }
    }
    out
}

/// Verify a pack: a folder, or the zip `ctrlmap pack --zip` wrote (read in place, never
/// unpacked). With `expect`, the pack digest must also be the one recorded at hand-over.
pub fn verify_path(path: &Path, expect: Option<&str>) -> VerifyReport {
    verify_with(
        path,
        &VerifyOptions {
            expect,
            ..VerifyOptions::default()
        },
    )
}

/// [`verify_path`] with every option. A path given on the command line is followed when it is
/// a symbolic link (links inside a pack still fail).
pub fn verify_with(path: &Path, options: &VerifyOptions) -> VerifyReport {
    let followed = std::fs::metadata(path);
    let mut report = match followed {
        Ok(m) if m.is_file() => verify_zip_with(path, options),
        _ => verify_dir(path, options),
    };
    if let Some(expected) = options.expect
        && report.not_a_pack.is_none()
    {
        match &report.digest {
            Some(d) if d.eq_ignore_ascii_case(expected) => {}
            Some(d) => report.problems.push(format!(
                "the pack digest is {d}, not the expected {}: this is not the pack that was recorded",
                expected.to_ascii_lowercase()
            )),
            None => report.problems.push(format!(
                "the pack digest cannot be computed, so it is not the expected {expected}"
            )),
        }
    }
    report
}

/// Is the folder a ctrlmap pack at all: does it hold a manifest.json that ctrlmap wrote?
fn has_manifest(bytes: Option<&[u8]>) -> bool {
    bytes
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .is_some_and(|m| m["format"] == super::FORMAT)
}

/// Verify the zip of a pack in place (see [`verify_with`]).
pub fn verify_zip(path: &Path) -> VerifyReport {
    verify_zip_with(path, &VerifyOptions::default())
}

/// Is a zip entry's name one `pack` could have written: UTF-8, no control character, no
/// backslash, no empty, `.` or `..` part, under one top folder? The path inside it, or why not.
fn entry_path(raw: &[u8]) -> Result<(String, String), String> {
    let Ok(name) = std::str::from_utf8(raw) else {
        return Err(format!(
            "`{}`: a name that is not UTF-8; pack writes none",
            display_path(Path::new(&String::from_utf8_lossy(raw).into_owned()))
        ));
    };
    if name.chars().any(|c| c.is_control()) {
        return Err(format!(
            "`{}`: a name with a control character (a newline, a tab); pack writes none",
            name.escape_debug()
        ));
    }
    let parts: Vec<&str> = name.split('/').collect();
    let safe = parts.len() >= 2 && parts.iter().all(|p| !p.is_empty() && *p != "." && *p != "..");
    if !safe || name.contains('\\') {
        return Err(format!("`{name}`: not a path inside the pack's folder"));
    }
    Ok((parts[0].to_string(), parts[1..].join("/")))
}

fn verify_zip_with(path: &Path, options: &VerifyOptions) -> VerifyReport {
    let mut report = VerifyReport {
        dir: path.to_path_buf(),
        ..VerifyReport::default()
    };
    let not_a_pack = |why: String| VerifyReport {
        dir: path.to_path_buf(),
        not_a_pack: Some(format!(
            "{}: {why}; give a pack folder or the zip `ctrlmap pack --zip` wrote",
            display_path(path)
        )),
        ..VerifyReport::default()
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return not_a_pack(format!("cannot be read ({e})")),
    };
    let mut archive = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(a) => a,
        Err(e) => return not_a_pack(format!("not a folder and not a zip ({e})")),
    };
    // The structure first, from the central directory alone: nothing is inflated until the
    // zip holds exactly the kind of entries pack writes.
    if archive.has_duplicate_names() {
        report.problems.push(
            "two entries of the zip have the same name: one of them is not the pack's (unzip would extract either)"
                .into(),
        );
    }
    let mut top: Option<String> = None;
    let mut entries: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for i in 0..archive.len() {
        let entry = match archive.by_index_data(i) {
            Ok(e) => e,
            Err(e) => {
                report.problems.push(format!("zip entry {i}: {e}"));
                continue;
            }
        };
        let (head, rel) = match entry_path(entry.name_raw()) {
            Ok(p) => p,
            Err(why) => {
                report.problems.push(why);
                continue;
            }
        };
        let head_seen = top.get_or_insert_with(|| head.clone());
        if head != *head_seen {
            report
                .problems
                .push(format!("`{head}/{rel}`: outside the pack's folder `{head_seen}/`"));
            continue;
        }
        if entry.is_dir() {
            report
                .problems
                .push(format!("{rel}: a folder entry; pack writes only files"));
            continue;
        }
        if entry.is_symlink() {
            report
                .problems
                .push(format!("{rel}: a symbolic link; a pack holds only plain files"));
            continue;
        }
        entries.insert(rel, (i, entry.size()));
    }
    if report.problems.is_empty()
        && let Err(e) = archive.validate_header_consistency()
    {
        report.problems.push(format!(
            "the zip's entries disagree with its central directory ({e}): it was not written by ctrlmap"
        ));
    }
    if !report.problems.is_empty() {
        report.stopped = true;
        return report;
    }
    if !entries.contains_key(SUMS) && !entries.contains_key(MANIFEST) {
        return not_a_pack(format!("holds no {SUMS} and no {MANIFEST}"));
    }
    let mut source = Zip { archive, entries };
    check(&mut report, &mut source, options);
    report
}

/// Verify a pack folder. Every file is read under the read policy, confined to the pack:
/// a FIFO or a device is reported, never read; a link inside is reported, never followed;
/// files are hashed as streams.
pub fn verify(dir: &Path) -> VerifyReport {
    verify_dir(dir, &VerifyOptions::default())
}

fn verify_dir(given: &Path, options: &VerifyOptions) -> VerifyReport {
    let mut report = VerifyReport {
        dir: given.to_path_buf(),
        ..VerifyReport::default()
    };
    // The folder named on the command line is followed if it is a link.
    let dir = match given.canonicalize() {
        Ok(d) if d.is_dir() => d,
        _ => {
            report.not_a_pack = Some(format!(
                "{}: no such folder or zip; give a pack folder or the zip `ctrlmap pack --zip` wrote",
                display_path(given)
            ));
            return report;
        }
    };
    let reader = Root::new(&dir);
    let mut files: BTreeMap<String, (PathBuf, u64)> = BTreeMap::new();
    let mut sums_kind = None;
    for entry in walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
    {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                report.problems.push(format!("cannot read the folder: {e}"));
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let rel = display_path(rel);
        let file_type = entry.file_type();
        if rel.is_empty() {
            continue;
        }
        if file_type.is_symlink() {
            report
                .problems
                .push(format!("{rel}: a symbolic link; a pack holds only plain files"));
            continue;
        }
        if file_type.is_dir() {
            continue;
        }
        if !file_type.is_file() {
            if rel == SUMS {
                sums_kind = Some(kind_of(file_type));
                continue;
            }
            report.problems.push(format!(
                "{rel}: {}, not a plain file; a pack holds only plain files",
                kind_of(file_type)
            ));
            continue;
        }
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        files.insert(rel, (entry.path().to_path_buf(), len));
    }
    if !files.contains_key(SUMS) {
        let mut source = Folder { reader, files };
        let manifest = source.read_small(MANIFEST, MAX_INPUT_BYTES).ok();
        if !has_manifest(manifest.as_deref()) {
            report.problems.clear();
            report.not_a_pack = Some(format!(
                "{} is not a ctrlmap evidence pack: it holds no {SUMS} and no {MANIFEST} written by ctrlmap",
                display_path(given)
            ));
            return report;
        }
        report.problems.push(match sums_kind {
            Some(kind) => format!("{SUMS} is {kind}, not a plain file: the pack's checksum list cannot be read"),
            None => format!("{SUMS} is missing: the pack's checksum list is gone"),
        });
        return report;
    }
    let mut source = Folder { reader, files };
    check(&mut report, &mut source, options);
    report
}

/// What manifest.json declares about one file.
struct Declared {
    sha256: String,
    bytes: u64,
}

/// The checks common to a folder and a zip, once their structure is known.
fn check(report: &mut VerifyReport, source: &mut dyn Source, options: &VerifyOptions) {
    let sums = match source.read_small(SUMS, MAX_INPUT_BYTES) {
        Ok(b) => b,
        Err(why) => {
            report
                .problems
                .push(format!("{why}: the pack's checksum list cannot be read"));
            return;
        }
    };
    report.digest = Some(sha256_hex(&sums));
    let sig = match source.recorded_size(signature::SIG) {
        None => None,
        Some(_) => match source.read_small(signature::SIG, signature::MAX_SIG_BYTES) {
            Ok(b) => Some(b),
            Err(why) => {
                report.signature = SignatureCheck::Bad(why);
                None
            }
        },
    };
    if !matches!(report.signature, SignatureCheck::Bad(_)) {
        report.signature = signature::check(&sums, sig.as_deref(), options.signers, options.now);
    }
    // Asked for a signer and the signature does not hold: nothing in the pack can be trusted,
    // its declared sizes included, so nothing more is read.
    if options.signers.is_some() && matches!(report.signature, SignatureCheck::Bad(_)) {
        report.stopped = true;
        return;
    }
    let listed = parse_sums(&String::from_utf8_lossy(&sums), &mut report.problems);

    // The manifest, checked against SHA256SUMS before its sizes bound anything.
    let mut declared: BTreeMap<String, Declared> = BTreeMap::new();
    let mut scope_file: Option<String> = None;
    match source.read_small(MANIFEST, MAX_INPUT_BYTES) {
        Err(why) => report
            .problems
            .push(format!("{why}: the pack's manifest cannot be read")),
        Ok(bytes) => {
            match listed.get(MANIFEST) {
                Some(sha) if *sha == sha256_hex(&bytes) => {}
                Some(_) => report.changed.push(MANIFEST.to_string()),
                None => report.problems.push(format!("{MANIFEST} is not listed in {SUMS}")),
            }
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(m) => {
                    scope_file = m["scope"]["file"].as_str().map(str::to_string);
                    for f in m["files"].as_array().map(Vec::as_slice).unwrap_or_default() {
                        if let (Some(path), Some(sha256), Some(bytes)) =
                            (f["path"].as_str(), f["sha256"].as_str(), f["bytes"].as_u64())
                        {
                            declared.insert(
                                path.to_string(),
                                Declared {
                                    sha256: sha256.to_ascii_lowercase(),
                                    bytes,
                                },
                            );
                        }
                    }
                }
                Err(e) => report.problems.push(format!("{MANIFEST} is not valid JSON: {e}")),
            }
        }
    }
    for (path, d) in &declared {
        match listed.get(path) {
            Some(sha) if *sha != d.sha256 => report
                .problems
                .push(format!("{MANIFEST} and {SUMS} disagree about `{path}`")),
            Some(_) => {}
            None => report
                .problems
                .push(format!("`{path}` is in {MANIFEST} but not in {SUMS}")),
        }
    }
    for path in listed
        .keys()
        .filter(|p| p.as_str() != MANIFEST && !declared.contains_key(*p))
    {
        report
            .problems
            .push(format!("`{path}` is in {SUMS} but not in {MANIFEST}"));
    }

    // Present against listed: nothing extra, nothing missing.
    let present: BTreeSet<String> = listed
        .keys()
        .chain(std::iter::once(&MANIFEST.to_string()))
        .filter(|p| source.recorded_size(p).is_some())
        .cloned()
        .collect();
    report.added = source
        .names()
        .into_iter()
        .filter(|rel| rel != SUMS && rel != signature::SIG && !listed.contains_key(rel))
        .collect();
    report.removed = listed
        .keys()
        .filter(|p| source.recorded_size(p).is_none())
        .cloned()
        .collect();

    // Hash every listed file, each bounded by its declared size.
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    for (rel, expected) in &listed {
        if !present.contains(rel) {
            continue;
        }
        if rel == MANIFEST {
            if !report.changed.iter().any(|c| c == MANIFEST) {
                report.verified += 1;
                hashes.insert(rel.clone(), expected.clone());
            }
            continue;
        }
        let limit = declared.get(rel).map(|d| d.bytes);
        if limit.is_none() && source.needs_declared_size() {
            // Already a problem (listed but not in the manifest); an entry of unknown size is
            // not inflated.
            continue;
        }
        if let (Some(limit), Some(recorded)) = (limit, source.recorded_size(rel))
            && recorded != limit
        {
            report.changed.push(rel.clone());
            continue;
        }
        match source.hash(rel, limit) {
            Ok(sha) if sha == *expected => {
                report.verified += 1;
                hashes.insert(rel.clone(), sha);
            }
            Ok(_) => report.changed.push(rel.clone()),
            Err(HashError::Overrun(limit)) => {
                report.problems.push(format!(
                    "{rel} holds more than the {limit} bytes {MANIFEST} declares (a zip bomb, or a file that grew): stopped there"
                ));
                report.stopped = true;
                return;
            }
            Err(HashError::Broken(why)) => {
                report.problems.push(format!(
                    "{rel} cannot be inflated as its headers declare ({why}): stopped there"
                ));
                report.stopped = true;
                return;
            }
            Err(HashError::Other(why)) => report.problems.push(format!("{rel} {why}")),
        }
    }
    if let Some(scope) = scope_file {
        check_pins(report, source, &scope, &hashes);
    }
}

/// The evidence entries of the copied scope that pin a SHA-256: each copy in the pack must
/// still have it.
fn check_pins(report: &mut VerifyReport, source: &mut dyn Source, scope_file: &str, hashes: &BTreeMap<String, String>) {
    let Some(copy) = super::pack_path(scope_file) else {
        return;
    };
    // Only a copy that matched SHA256SUMS is read (a changed one is reported already).
    if !hashes.contains_key(&copy) {
        return;
    }
    let Ok(bytes) = source.read_small(&copy, MAX_INPUT_BYTES) else {
        return;
    };
    for (file, pin) in pinned_evidence(&String::from_utf8_lossy(&bytes)) {
        let Some(target) = super::pack_path(&file) else {
            continue;
        };
        match hashes.get(&target) {
            Some(found) if found.eq_ignore_ascii_case(&pin) => report.pins_matched += 1,
            Some(found) => report.problems.push(format!(
                "{target}: SHA-256 {found}, but the copied scope ({copy}) pins {}: the evidence is not the file that was recorded",
                pin.to_ascii_lowercase()
            )),
            None if source.recorded_size(&target).is_some() => {}
            None => report.notes.push(format!(
                "{file} is pinned in the scope but has no copy in the pack (it was missing or did not match its pin when the pack was built; see evidence.html)"
            )),
        }
    }
}

/// `(file, sha256)` of every evidence entry of a scope's YAML that pins a hash.
fn pinned_evidence(text: &str) -> Vec<(String, String)> {
    use crate::format::yaml::{NodeValue, parse};
    let parsed = parse(text, crate::format::yaml::Limits::default());
    let Some(root) = parsed.root else {
        return Vec::new();
    };
    let field = |entries: &[crate::format::yaml::Entry], key: &str| {
        entries
            .iter()
            .find(|e| e.key == key)
            .and_then(|e| match &e.value.value {
                NodeValue::Str(s) => Some(s.clone()),
                _ => None,
            })
    };
    let NodeValue::Map(top) = &root.value else {
        return Vec::new();
    };
    let Some(NodeValue::Seq(items)) = top.iter().find(|e| e.key == "evidence").map(|e| &e.value.value) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match &item.value {
            NodeValue::Map(entries) => Some((field(entries, "file")?, field(entries, "sha256")?)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_lines_in_both_sha256sum_modes_parse() {
        let mut problems = Vec::new();
        let h = "a".repeat(64);
        let parsed = parse_sums(
            &format!("{h}  index.html\n{h} *files/x y.pdf\nnonsense\n"),
            &mut problems,
        );
        assert_eq!(parsed.len(), 2);
        assert!(parsed.contains_key("files/x y.pdf"));
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn zip_names_pack_never_writes_are_refused() {
        assert_eq!(
            entry_path(b"pack/files/a.pdf").expect("fine"),
            ("pack".to_string(), "files/a.pdf".to_string())
        );
        assert!(entry_path(b"pack/files/a\nb.pdf").is_err());
        assert!(entry_path(b"pack/files/\xff.pdf").is_err());
        assert!(entry_path(b"pack/../etc/passwd").is_err());
        assert!(entry_path(b"index.html").is_err());
        assert!(entry_path(b"pack\\index.html").is_err());
    }

    #[test]
    fn pinned_evidence_is_read_from_a_scope() {
        let pins = pinned_evidence(
            "kind: scope\nevidence:\n  - file: evidence/a.md\n    sha256: abc\n  - file: evidence/b.md\n",
        );
        assert_eq!(pins, [("evidence/a.md".to_string(), "abc".to_string())]);
    }
}
