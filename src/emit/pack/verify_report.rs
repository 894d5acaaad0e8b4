//! What `ctrlmap pack verify` found, and how it is printed: the files that match, changed,
//! were added or removed, the problems with the pack's lists and structure, the signature's
//! verdict and the pack digest. `verify.rs` fills it.

use super::SUMS;
use super::signature::SignatureCheck;
use crate::fs::input::display_path;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// How many lines of one kind (changed, added, …) a report prints before it counts the rest.
const SHOWN: usize = 50;

#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub dir: PathBuf,
    /// Files whose hash matched.
    pub verified: usize,
    /// Listed in SHA256SUMS, present, different content.
    pub changed: Vec<String>,
    /// Present in the pack, not listed (SHA256SUMS and its signature excepted).
    pub added: Vec<String>,
    /// Listed, not present.
    pub removed: Vec<String>,
    /// Problems with the pack's own lists, its structure or its evidence: unreadable
    /// SHA256SUMS, malformed lines, a manifest that disagrees with SHA256SUMS, links, duplicate
    /// or unsafe zip entries, an entry larger than declared, evidence that no longer matches its pin.
    pub problems: Vec<String>,
    /// SHA-256 of SHA256SUMS, when it could be read.
    pub digest: Option<String>,
    /// Set when the path is not a pack at all (no SHA256SUMS and no ctrlmap manifest, not a
    /// folder or a zip): a usage error, not tampering.
    pub not_a_pack: Option<String>,
    /// The signature: none, good (and by whom), or bad.
    #[serde(skip)]
    pub signature: SignatureCheck,
    /// Evidence copies that still have the SHA-256 the copied scope pins.
    pub pins_matched: usize,
    /// Things worth knowing that are not failures (pinned evidence that was missing when the
    /// pack was built, so the pack has no copy of it).
    pub notes: Vec<String>,
    /// The check stopped early at a hostile entry (a zip bomb, a broken zip): what came after
    /// it was not read.
    pub stopped: bool,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.not_a_pack.is_none()
            && self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.problems.is_empty()
            && !matches!(self.signature, SignatureCheck::Bad(_))
    }
}

/// Print at most [`SHOWN`] lines of one kind, then how many more there are.
fn lines(f: &mut fmt::Formatter<'_>, label: &str, items: &[String]) -> fmt::Result {
    for p in items.iter().take(SHOWN) {
        writeln!(f, "{label}{p}")?;
    }
    if items.len() > SHOWN {
        writeln!(f, "{label}… and {} more", items.len() - SHOWN)?;
    }
    Ok(())
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.not_a_pack {
            return write!(f, "{why}");
        }
        lines(f, "problem: ", &self.problems)?;
        if let SignatureCheck::Bad(why) = &self.signature {
            writeln!(f, "problem: {why}")?;
        }
        lines(f, "changed: ", &self.changed)?;
        lines(f, "added:   ", &self.added)?;
        lines(f, "removed: ", &self.removed)?;
        lines(f, "note:    ", &self.notes)?;
        if self.stopped {
            writeln!(f, "stopped: the rest of the pack was not read")?;
        }
        if !matches!(self.signature, SignatureCheck::Bad(_)) {
            writeln!(f, "signature: {}", self.signature)?;
        }
        if self.pins_matched > 0 {
            writeln!(
                f,
                "evidence: {} the SHA-256 pinned in the copied scope",
                crate::emit::counted(self.pins_matched, "copy matches", "copies match")
            )?;
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
                display_path(&self.dir),
                crate::emit::counted(self.verified, "file matches", "files match")
            )
        } else {
            let n = self.changed.len()
                + self.added.len()
                + self.removed.len()
                + self.problems.len()
                + usize::from(matches!(self.signature, SignatureCheck::Bad(_)));
            write!(
                f,
                "{}: FAILED — {}; {}{digest}",
                display_path(&self.dir),
                crate::emit::count(n, "problem"),
                crate::emit::counted(self.verified, "file matches", "files match")
            )
        }
    }
}
