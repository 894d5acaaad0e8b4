//! The copies a pack carries: each input and evidence file under its workspace path
//! (`files/…`, `builtin/…`), refusing a path that climbs out of the workspace or that
//! `sha256sum` would have to escape.

use super::write::{Blob, Files};
use crate::assess::evidence::Integrity;
use crate::emit::documents::RenderError;
use crate::emit::documents::views::{EvidenceView, Input};
use crate::fs::evidence::evidence_path;
use crate::fs::input::{Refusal, Root};
use crate::model::Workspace;
use crate::model::digest::sha256_hex;
use std::path::{Component, Path};

/// The path of a copy inside the pack, or none when it cannot have one: a name that climbs
/// out of the workspace, or one that `sha256sum` would have to escape (a backslash, which also
/// stands for a byte that is not UTF-8 in a shown path; a newline or another control character).
pub(crate) fn pack_path(file: &str) -> Option<String> {
    let parts: Vec<String> = Path::new(file)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let joined = parts.join("/");
    (!joined.is_empty() && !joined.contains('\\') && !joined.chars().any(char::is_control))
        .then(|| format!("files/{joined}"))
}

/// Why a file's name cannot be stored in a pack.
pub(super) fn unstorable(file: &str) -> RenderError {
    RenderError::Pack(format!(
        "{file}: this name cannot be stored in the pack (it is not UTF-8, or it holds a newline, a backslash or another character SHA256SUMS cannot list); rename the file"
    ))
}

/// Plan the copy of an evidence file: hashed now as a stream, copied (and hashed again)
/// when the pack is written, never held in memory whole. `Err` when the pack cannot be
/// built; `Ok(Some(why))` when this file is left out (it is missing).
pub(super) fn copy_evidence(
    ws: &Workspace,
    reader: &Root,
    e: &mut EvidenceView,
    files: &mut Files,
) -> Result<Option<String>, RenderError> {
    let path = match evidence_path(&ws.root, &e.file) {
        Ok(p) => p,
        Err(why) => return Ok(Some(format!("{} {why}", e.file))),
    };
    // The read policy resolves links, keeps the file inside the workspace and refuses
    // anything that is not a plain file (a folder, a FIFO, a device, a file that vanished).
    // A file that is there but whose name a pack cannot hold stops the pack.
    let planned = reader.open(&path).map(|(file, len)| (pack_path(&e.file), len, file));
    let hashed = match planned {
        Ok((None, _, _)) => return Err(unstorable(&e.file)),
        Ok((Some(target), len, file)) => crate::model::digest::sha256_reader(file)
            .map(|sha| (target, len, sha))
            .map_err(Refusal::Unreadable),
        Err(why) => Err(why),
    };
    let (target, len, sha) = match hashed {
        Ok(x) => x,
        Err(why) => {
            e.sha256 = None;
            e.integrity = Integrity::Missing.as_str();
            return Ok(Some(format!("{} {why}", e.file)));
        }
    };
    e.integrity = Integrity::of(Some(&sha), e.pinned_sha256.as_deref()).as_str();
    e.sha256 = Some(sha.clone());
    e.copy = Some(target.clone());
    files.insert(
        target,
        Blob::Copy {
            from: path,
            sha256: sha,
            len,
        },
    );
    Ok(None)
}

/// Where a copy of an input goes, and its bytes: workspace files under `files/` (read again
/// and checked against the hash taken when the workspace was loaded), built-in catalogs,
/// crosswalks and policy packs under `builtin/`, written out as the files the binary embeds, so
/// an auditor holds every text a finding or a matrix row cites.
pub(super) fn input_copy(
    ws: &Workspace,
    reader: &Root,
    input: &Input,
) -> Result<Option<(String, Vec<u8>)>, RenderError> {
    if let Some(p) = input.path.strip_prefix("<builtin>/") {
        return Ok(crate::fs::embedded::get(p).map(|text| (format!("builtin/{p}"), text.as_bytes().to_vec())));
    }
    let target = pack_path(&input.path).ok_or_else(|| unstorable(&input.path))?;
    let path = ws
        .files
        .get(&input.path)
        .cloned()
        .unwrap_or_else(|| ws.root.join(&input.path));
    let bytes = reader
        .read(&path, crate::fs::input::MAX_INPUT_BYTES)
        .map_err(|why| RenderError::Pack(format!("{} {why}", input.path)))?;
    if sha256_hex(&bytes) != input.sha256 {
        return Err(RenderError::Pack(format!(
            "{} changed while the pack was being built; run `ctrlmap pack` again",
            input.path
        )));
    }
    Ok(Some((target, bytes)))
}

/// The path of an input's copy in the pack: `builtin/…` for a built-in file, `files/…` else.
pub(super) fn copy_path(display: &str) -> Option<String> {
    match display.strip_prefix("<builtin>/") {
        Some(p) => Some(format!("builtin/{p}")),
        None => pack_path(display),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_copies_keep_their_workspace_path() {
        assert_eq!(
            pack_path("evidence/2026/q3.pdf").as_deref(),
            Some("files/evidence/2026/q3.pdf")
        );
        assert_eq!(pack_path("./evidence/a.pdf").as_deref(), Some("files/evidence/a.pdf"));
        assert_eq!(pack_path("../outside.pdf"), None);
        assert_eq!(pack_path("/etc/passwd"), None);
        assert_eq!(pack_path("evidence/odd\nname.pdf"), None);
    }
}
