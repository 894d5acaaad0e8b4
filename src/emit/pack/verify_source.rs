//! A pack's files as `pack verify` reads them: a folder under the read policy (confined to
//! the pack, links never followed) or a zip's entries read in place, each hashed as a stream
//! and never past the size the manifest declares. `verify.rs` decides what the files must be.

use crate::fs::input::Root;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;

/// Why a file could not be hashed.
pub(super) enum HashError {
    /// It holds more than the manifest declares: a zip bomb, or a grown file. Stop.
    Overrun(u64),
    /// A zip entry that cannot be inflated (a broken or hostile stream, more than its header
    /// declares). Stop.
    Broken(String),
    Other(String),
}

/// A pack being read: a folder or a zip.
pub(super) trait Source {
    /// The whole content of a small file (at most `limit` bytes), or why not.
    fn read_small(&mut self, rel: &str, limit: u64) -> Result<Vec<u8>, String>;
    /// The SHA-256 of a file, reading no more than `limit` bytes when one is given.
    fn hash(&mut self, rel: &str, limit: Option<u64>) -> Result<String, HashError>;
    /// The size the container itself records for a file (a zip entry's header; a file's length).
    fn recorded_size(&self, rel: &str) -> Option<u64>;
    /// Zips only: a file the manifest gives no size for is not inflated at all.
    fn needs_declared_size(&self) -> bool;
    /// Every file's path inside the pack, sorted.
    fn names(&self) -> Vec<String>;
}

/// Hash what `reader` yields, at most `limit` bytes (an overrun when it yields more).
pub(super) fn hash_bounded(reader: impl Read, limit: Option<u64>) -> Result<String, HashError> {
    match limit {
        None => crate::model::digest::sha256_reader(reader).map_err(|e| HashError::Other(e.to_string())),
        Some(limit) => {
            let mut counted = CountingReader { inner: reader, n: 0 };
            let sha = crate::model::digest::sha256_reader((&mut counted).take(limit.saturating_add(1)))
                .map_err(|e| HashError::Other(e.to_string()))?;
            if counted.n > limit {
                Err(HashError::Overrun(limit))
            } else {
                Ok(sha)
            }
        }
    }
}

struct CountingReader<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// A pack folder: files by path inside it.
pub(super) struct Folder {
    pub(super) reader: Root,
    pub(super) files: BTreeMap<String, (PathBuf, u64)>,
}

impl Source for Folder {
    fn read_small(&mut self, rel: &str, limit: u64) -> Result<Vec<u8>, String> {
        let (path, _) = self.files.get(rel).ok_or_else(|| format!("{rel} is missing"))?;
        self.reader.read(path, limit).map_err(|why| format!("{rel} {why}"))
    }

    fn hash(&mut self, rel: &str, limit: Option<u64>) -> Result<String, HashError> {
        let (path, _) = self
            .files
            .get(rel)
            .ok_or_else(|| HashError::Other(format!("{rel} is missing")))?;
        let (file, _) = self
            .reader
            .open(path)
            .map_err(|why| HashError::Other(why.to_string()))?;
        hash_bounded(std::io::BufReader::new(file), limit)
    }

    fn recorded_size(&self, rel: &str) -> Option<u64> {
        self.files.get(rel).map(|(_, len)| *len)
    }

    fn needs_declared_size(&self) -> bool {
        false
    }

    fn names(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }
}

/// A pack zip: entries by path under its top folder.
pub(super) struct Zip {
    pub(super) archive: zip::ZipArchive<std::io::BufReader<std::fs::File>>,
    pub(super) entries: BTreeMap<String, (usize, u64)>,
}

impl Source for Zip {
    fn read_small(&mut self, rel: &str, limit: u64) -> Result<Vec<u8>, String> {
        let (index, _) = *self.entries.get(rel).ok_or_else(|| format!("{rel} is missing"))?;
        let entry = self.archive.by_index(index).map_err(|e| format!("{rel}: {e}"))?;
        let mut bytes = Vec::new();
        entry
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{rel}: {e}"))?;
        if bytes.len() as u64 > limit {
            return Err(format!("{rel} holds more than the {limit} bytes a pack list may have"));
        }
        Ok(bytes)
    }

    fn hash(&mut self, rel: &str, limit: Option<u64>) -> Result<String, HashError> {
        let (index, _) = *self
            .entries
            .get(rel)
            .ok_or_else(|| HashError::Other(format!("{rel} is missing")))?;
        let entry = self
            .archive
            .by_index(index)
            .map_err(|e| HashError::Broken(e.to_string()))?;
        hash_bounded(entry, limit).map_err(|e| match e {
            HashError::Other(why) => HashError::Broken(why),
            other => other,
        })
    }

    fn recorded_size(&self, rel: &str) -> Option<u64> {
        self.entries.get(rel).map(|(_, size)| *size)
    }

    fn needs_declared_size(&self) -> bool {
        true
    }

    fn names(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_past_the_declared_size_is_an_overrun() {
        let body = vec![0u8; 1000];
        assert!(matches!(
            hash_bounded(&body[..], Some(999)),
            Err(HashError::Overrun(999))
        ));
        assert!(hash_bounded(&body[..], Some(1000)).is_ok());
    }
}
