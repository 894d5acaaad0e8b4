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
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty() && self.problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
                "{}: OK — {} file(s) match {SUMS}{digest}",
                self.dir.display(),
                self.verified
            )
        } else {
            let n = self.changed.len() + self.added.len() + self.removed.len() + self.problems.len();
            write!(
                f,
                "{}: FAILED — {n} problem(s); {} file(s) match{digest}",
                self.dir.display(),
                self.verified
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

/// Verify a pack folder. Every file is read under the read policy, confined to the pack:
/// a FIFO or a device is reported, never read; a link is reported, never followed; files
/// are hashed as streams.
pub fn verify(dir: &Path) -> VerifyReport {
    let mut report = VerifyReport {
        dir: dir.to_path_buf(),
        ..VerifyReport::default()
    };
    let reader = Root::new(dir);
    let sums_path = dir.join(SUMS);
    let sums_bytes = match std::fs::symlink_metadata(&sums_path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Refusal::NotRegular("a symbolic link")),
        _ => reader.read(&sums_path, MAX_INPUT_BYTES),
    };
    let sums_bytes = match sums_bytes {
        Ok(b) => b,
        Err(why) => {
            report.problems.push(format!(
                "{} {why} (is this a ctrlmap evidence pack?)",
                display_path(&sums_path)
            ));
            return report;
        }
    };
    report.digest = Some(sha256_hex(&sums_bytes));
    let listed = parse_sums(&String::from_utf8_lossy(&sums_bytes), &mut report.problems);

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
    for (rel, expected) in &listed {
        match present.get(rel) {
            None => report.removed.push(rel.clone()),
            Some(path) => match reader.sha256(path) {
                Ok(sha) if sha == *expected => report.verified += 1,
                Ok(_) => report.changed.push(rel.clone()),
                Err(why) => report.problems.push(format!("{rel} {why}")),
            },
        }
    }
    report.added = present.keys().filter(|p| !listed.contains_key(*p)).cloned().collect();

    // The manifest lists every file but itself and SHA256SUMS; it must agree.
    if let Some(bytes) = present.get(MANIFEST).and_then(|p| reader.read(p, MAX_INPUT_BYTES).ok()) {
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
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
    report
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
