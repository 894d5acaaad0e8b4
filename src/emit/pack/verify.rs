//! `ctrlmap pack verify`: recompute the hash of every file of a pack and compare it with
//! `SHA256SUMS`, reporting each file changed, added or removed, and any disagreement
//! between `SHA256SUMS` and the file list of `manifest.json`.
//!
//! The checksums prove the pack is what `SHA256SUMS` says; they cannot prove that
//! `SHA256SUMS` itself is the one that was handed over. For that, record the pack digest
//! (the SHA-256 of `SHA256SUMS`, printed by `pack` and `pack verify`) when receiving it.

use super::{MANIFEST, SUMS};
use crate::load::input::{MAX_INPUT_BYTES, Refusal, Root, display_path, kind_of};
use crate::model::digest::sha256_hex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub dir: PathBuf,
    /// Files whose hash matched.
    pub verified: usize,
    /// Listed in SHA256SUMS, present, different content.
    pub changed: Vec<String>,
    /// Present in the folder, not listed (SHA256SUMS itself excepted).
    pub added: Vec<String>,
    /// Listed, not present.
    pub removed: Vec<String>,
    /// Problems with the pack's own lists: unreadable SHA256SUMS, malformed lines, a
    /// manifest that disagrees with SHA256SUMS, symbolic links.
    pub problems: Vec<String>,
    /// SHA-256 of SHA256SUMS, when it could be read.
    pub digest: Option<String>,
    /// Set when the path is not a pack at all (no SHA256SUMS and no ctrlmap manifest, not a
    /// folder or a zip): a usage error, not tampering.
    pub not_a_pack: Option<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.not_a_pack.is_none()
            && self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.not_a_pack {
            return write!(f, "{why}");
        }
        for p in &self.problems {
            writeln!(f, "problem: {p}")?;
        }
        for p in &self.changed {
            writeln!(f, "changed: {p}")?;
        }
        for p in &self.added {
            writeln!(f, "added:   {p}")?;
        }
        for p in &self.removed {
            writeln!(f, "removed: {p}")?;
        }
        let digest = self
            .digest
            .as_deref()
            .map(|d| format!("\npack digest (SHA-256 of {SUMS}): {d}"))
            .unwrap_or_default();
        if self.ok() {
            write!(
                f,
                "{}: OK — {} {SUMS}{digest}",
                self.dir.display(),
                crate::emit::counted(self.verified, "file matches", "files match")
            )
        } else {
            let n = self.changed.len() + self.added.len() + self.removed.len() + self.problems.len();
            write!(
                f,
                "{}: FAILED — {}; {}{digest}",
                self.dir.display(),
                crate::emit::count(n, "problem"),
                crate::emit::counted(self.verified, "file matches", "files match")
            )
        }
    }
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
    let is_zip = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    let mut report = if is_zip { verify_zip(path) } else { verify(path) };
    if let Some(expected) = expect
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

/// Verify the zip of a pack in place: every entry under the pack's top folder is hashed as a
/// stream; an entry outside it, a link, or a name that climbs out is a problem.
pub fn verify_zip(path: &Path) -> VerifyReport {
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
    let mut top: Option<String> = None;
    let mut present: BTreeMap<String, Result<String, String>> = BTreeMap::new();
    let (mut sums, mut manifest) = (None, None);
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                report.problems.push(format!("zip entry {i}: {e}"));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                report.problems.push(format!("zip entry {i}: {e}"));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let parts: Vec<&str> = name.split('/').collect();
        let safe = parts.len() >= 2 && parts.iter().all(|p| !p.is_empty() && *p != "." && *p != "..");
        if !safe || name.contains('\\') {
            report
                .problems
                .push(format!("`{name}`: not a path inside the pack's folder"));
            continue;
        }
        let head = top.get_or_insert_with(|| parts[0].to_string());
        if parts[0] != head.as_str() {
            report
                .problems
                .push(format!("`{name}`: outside the pack's folder `{head}/`"));
            continue;
        }
        if entry.is_symlink() {
            report.problems.push(format!(
                "{}: a symbolic link; a pack holds only plain files",
                parts[1..].join("/")
            ));
            continue;
        }
        let rel = parts[1..].join("/");
        if rel == SUMS || rel == MANIFEST {
            let mut bytes = Vec::new();
            let read =
                std::io::Read::read_to_end(&mut std::io::Read::take(&mut entry, MAX_INPUT_BYTES + 1), &mut bytes);
            match read {
                Ok(_) if bytes.len() as u64 <= MAX_INPUT_BYTES => {
                    if rel == SUMS {
                        sums = Some(bytes);
                        continue;
                    }
                    present.insert(rel, Ok(sha256_hex(&bytes)));
                    manifest = Some(bytes);
                }
                Ok(_) => report.problems.push(format!("{rel}: larger than any pack list")),
                Err(e) => report.problems.push(format!("{rel}: {e}")),
            }
            continue;
        }
        let sha = crate::model::digest::sha256_reader(&mut entry).map_err(|e| e.to_string());
        present.insert(rel, sha);
    }
    if sums.is_none() && !has_manifest(manifest.as_deref()) && report.problems.is_empty() {
        return not_a_pack(format!("holds no {SUMS} and no {MANIFEST} written by ctrlmap"));
    }
    compare(&mut report, sums.as_deref(), present, manifest.as_deref());
    report
}

/// Verify a pack folder. Every file is read under the read policy, confined to the pack:
/// a FIFO or a device is reported, never read; a link is reported, never followed; files
/// are hashed as streams.
pub fn verify(dir: &Path) -> VerifyReport {
    let mut report = VerifyReport {
        dir: dir.to_path_buf(),
        ..VerifyReport::default()
    };
    if !dir.is_dir() {
        report.not_a_pack = Some(format!(
            "{}: no such folder or zip; give a pack folder or the zip `ctrlmap pack --zip` wrote",
            display_path(dir)
        ));
        return report;
    }
    let reader = Root::new(dir);
    let sums_path = dir.join(SUMS);
    let sums_bytes = match std::fs::symlink_metadata(&sums_path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Refusal::NotRegular("a symbolic link")),
        _ => reader.read(&sums_path, MAX_INPUT_BYTES),
    };
    let sums_bytes = match sums_bytes {
        Ok(b) => Some(b),
        Err(why) => {
            let manifest = reader.read(&dir.join(MANIFEST), MAX_INPUT_BYTES).ok();
            if !has_manifest(manifest.as_deref()) {
                report.not_a_pack = Some(format!(
                    "{} is not a ctrlmap evidence pack: {} {why}, and it holds no {MANIFEST} written by ctrlmap",
                    display_path(dir),
                    SUMS
                ));
                return report;
            }
            report.problems.push(format!(
                "{} {why}: the pack's checksum list is gone",
                display_path(&sums_path)
            ));
            return report;
        }
    };

    let mut present: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir)
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
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let rel = display_path(rel);
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            report
                .problems
                .push(format!("{rel}: a symbolic link; a pack holds only plain files"));
            continue;
        }
        if file_type.is_dir() || rel.is_empty() {
            continue;
        }
        if !file_type.is_file() {
            report.problems.push(format!(
                "{rel}: {}, not a plain file; a pack holds only plain files",
                kind_of(file_type)
            ));
            continue;
        }
        if rel != SUMS {
            present.insert(rel, entry.path().to_path_buf());
        }
    }
    let manifest = present.get(MANIFEST).and_then(|p| reader.read(p, MAX_INPUT_BYTES).ok());
    let hashed = present
        .iter()
        .map(|(rel, path)| (rel.clone(), reader.sha256(path).map_err(|why| why.to_string())))
        .collect();
    compare(&mut report, sums_bytes.as_deref(), hashed, manifest.as_deref());
    report
}

/// Compare the files present (with their hashes, or why they could not be read) with
/// SHA256SUMS and the manifest.
fn compare(
    report: &mut VerifyReport,
    sums_bytes: Option<&[u8]>,
    present: BTreeMap<String, Result<String, String>>,
    manifest: Option<&[u8]>,
) {
    let Some(sums_bytes) = sums_bytes else {
        report
            .problems
            .push(format!("{SUMS} is missing: the pack's checksum list is gone"));
        return;
    };
    report.digest = Some(sha256_hex(sums_bytes));
    let listed = parse_sums(&String::from_utf8_lossy(sums_bytes), &mut report.problems);
    for (rel, expected) in &listed {
        match present.get(rel) {
            None => report.removed.push(rel.clone()),
            Some(Ok(sha)) if sha == expected => report.verified += 1,
            Some(Ok(_)) => report.changed.push(rel.clone()),
            Some(Err(why)) => report.problems.push(format!("{rel} {why}")),
        }
    }
    report.added = present.keys().filter(|p| !listed.contains_key(*p)).cloned().collect();

    // The manifest lists every file but itself and SHA256SUMS; it must agree.
    if let Some(bytes) = manifest {
        match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(m) => {
                let files = m["files"].as_array().cloned().unwrap_or_default();
                let in_manifest: BTreeMap<String, String> = files
                    .iter()
                    .filter_map(|f| Some((f["path"].as_str()?.to_string(), f["sha256"].as_str()?.to_string())))
                    .collect();
                for (path, sha) in &in_manifest {
                    if listed.get(path).is_some_and(|s| s != sha) {
                        report
                            .problems
                            .push(format!("{MANIFEST} and {SUMS} disagree about `{path}`"));
                    } else if !listed.contains_key(path) {
                        report
                            .problems
                            .push(format!("`{path}` is in {MANIFEST} but not in {SUMS}"));
                    }
                }
                for path in listed
                    .keys()
                    .filter(|p| p.as_str() != MANIFEST && !in_manifest.contains_key(*p))
                {
                    report
                        .problems
                        .push(format!("`{path}` is in {SUMS} but not in {MANIFEST}"));
                }
            }
            Err(e) => report.problems.push(format!("{MANIFEST} is not valid JSON: {e}")),
        }
    }
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
}
