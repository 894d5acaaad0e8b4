//! How a pack reaches the disk: its files held in memory by path (`Blob`, evidence copied only
//! when written), the target folder checked (never replacing a folder that is not a pack), the
//! tree written to a temporary sibling and swapped into place, and the deterministic zip.

use super::{FORMAT, MANIFEST};
use crate::emit::archive::zip_entry_options;
use crate::emit::documents::RenderError;
use crate::fs::input::Root;
use crate::model::digest::sha256_hex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A file of the pack: bytes made here, or an evidence file of the workspace, copied when
/// the pack is written (a large evidence file is never held in memory).
pub(super) enum Blob {
    Data(Vec<u8>),
    Copy { from: PathBuf, sha256: String, len: u64 },
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Blob {
        Blob::Data(bytes)
    }
}

impl Blob {
    pub(super) fn sha256(&self) -> String {
        match self {
            Blob::Data(bytes) => sha256_hex(bytes),
            Blob::Copy { sha256, .. } => sha256.clone(),
        }
    }

    pub(super) fn len(&self) -> u64 {
        match self {
            Blob::Data(bytes) => bytes.len() as u64,
            Blob::Copy { len, .. } => *len,
        }
    }

    /// Write the content to `out`. A copy is streamed through the read policy and hashed on
    /// the way: a file that changed since it was hashed fails the pack.
    fn write_to(&self, reader: &Root, rel: &str, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        match self {
            Blob::Data(bytes) => out
                .write_all(bytes)
                .map_err(|e| RenderError::Pack(format!("writing {rel}: {e}"))),
            Blob::Copy { from, sha256, .. } => {
                let (file, _) = reader
                    .open(from)
                    .map_err(|why| RenderError::Pack(format!("{rel}: the evidence file {why}")))?;
                let mut tee = HashingWriter {
                    out,
                    hasher: <sha2::Sha256 as sha2::Digest>::new(),
                };
                std::io::copy(&mut std::io::BufReader::new(file), &mut tee)
                    .map_err(|e| RenderError::Pack(format!("copying {rel}: {e}")))?;
                if hex::encode(sha2::Digest::finalize(tee.hasher)) != *sha256 {
                    return Err(RenderError::Pack(format!(
                        "{rel} changed while the pack was being built; run `ctrlmap pack` again"
                    )));
                }
                Ok(())
            }
        }
    }
}

/// A writer that hashes what passes through it.
pub(super) struct HashingWriter<'a> {
    out: &'a mut dyn std::io::Write,
    hasher: sha2::Sha256,
}

impl std::io::Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Every file of a pack by its path inside the pack.
pub(super) type Files = BTreeMap<String, Blob>;

pub(super) fn json<T: Serialize>(value: &T) -> Vec<u8> {
    (serde_json::to_string_pretty(value).unwrap_or_default() + "\n").into_bytes()
}

pub(super) fn split_target(out_dir: &Path) -> Result<(PathBuf, String), RenderError> {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .ok_or_else(|| {
            RenderError::Pack(format!(
                "{}: give the pack a folder name, e.g. `-o packs/riverside-2026-11`",
                out_dir.display()
            ))
        })?;
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// Refuse to replace a folder that is not an earlier pack: `-o ~/Documents` must never
/// delete anyone's documents.
pub(super) fn check_target(out_dir: &Path) -> Result<(), RenderError> {
    let Ok(meta) = std::fs::symlink_metadata(out_dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(RenderError::Pack(format!(
            "{} exists and is not a folder; choose another output folder",
            out_dir.display()
        )));
    }
    let empty = std::fs::read_dir(out_dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if empty {
        return Ok(());
    }
    let is_pack = Root::new(out_dir)
        .read(&out_dir.join(MANIFEST), crate::fs::input::MAX_INPUT_BYTES)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m["format"] == FORMAT);
    if is_pack {
        Ok(())
    } else {
        Err(RenderError::Pack(format!(
            "{} exists and is not a ctrlmap evidence pack (no {MANIFEST} written by ctrlmap); choose a new folder or remove it first",
            out_dir.display()
        )))
    }
}

/// Write the files into a temporary sibling folder, then swap it into place.
pub(super) fn write_tree(reader: &Root, parent: &Path, name: &str, files: &Files) -> Result<(), RenderError> {
    std::fs::create_dir_all(parent).map_err(|e| RenderError::io(parent, e))?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.ctrlmap-tmp-{pid}"));
    let target = parent.join(name);
    let _ = std::fs::remove_dir_all(&tmp);
    let written = (|| -> Result<(), RenderError> {
        for (rel, blob) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| RenderError::io(dir, e))?;
            }
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| RenderError::io(&path, e))?;
            blob.write_to(reader, rel, &mut f)?;
            f.sync_all().map_err(|e| RenderError::io(&path, e))?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if target.exists() {
        let old = parent.join(format!(".{name}.ctrlmap-old-{pid}"));
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(&target, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            RenderError::io(&target, e)
        })?;
        if let Err(e) = std::fs::rename(&tmp, &target) {
            let _ = std::fs::rename(&old, &target);
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(RenderError::io(&target, e));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&tmp, &target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            RenderError::io(&target, e)
        })?;
    }
    Ok(())
}

/// Write `path` (the pack's zip) atomically, streamed into a temporary file.
pub(super) fn write_zip(
    reader: &Root,
    path: &Path,
    top: &str,
    files: &Files,
    as_of: time::Date,
) -> Result<(), RenderError> {
    crate::emit::output::write_atomic_with(path, |file| {
        zip_into(reader, file, top, files, as_of).map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|e| RenderError::io(path, e))
}

/// One deterministic zip: entries in sorted order under the pack's folder name, each with the
/// as-of date at midnight as its time and mode 0644.
pub(super) fn zip_into(
    reader: &Root,
    out: &mut std::fs::File,
    top: &str,
    files: &Files,
    as_of: time::Date,
) -> Result<(), RenderError> {
    let options = zip_entry_options(as_of);
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let fail = |e: zip::result::ZipError| RenderError::Pack(format!("writing the zip: {e}"));
    for (rel, blob) in files {
        writer.start_file(format!("{top}/{rel}"), options).map_err(fail)?;
        blob.write_to(reader, rel, &mut writer)?;
    }
    let mut out = writer.finish().map_err(fail)?;
    out.flush()
        .map_err(|e| RenderError::Pack(format!("writing the zip: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_is_not_a_pack_is_never_replaced() {
        let dir = std::env::temp_dir().join(format!("ctrlmap-pack-target-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        assert!(check_target(&dir).is_ok(), "an empty folder is fine");
        std::fs::write(dir.join("thesis.docx"), b"years of work").expect("write");
        assert!(check_target(&dir).is_err(), "a folder with someone's files is refused");
        std::fs::write(dir.join(MANIFEST), br#"{"format": "ctrlmap-evidence-pack"}"#).expect("write");
        assert!(check_target(&dir).is_ok(), "an earlier pack may be replaced");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
