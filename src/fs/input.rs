//! What ctrlmap reads, and how: one policy for every file it opens.
//!
//! Scopes, the config, services, policies, catalogs, templates, evidence, a baseline and the
//! files of an evidence pack are all opened here, so every command agrees on what a
//! workspace holds:
//!
//! - **regular files only**: a folder, FIFO, socket or device is refused, and it is never
//!   opened for a blocking read (its type is checked first, and the file is opened with
//!   `O_NONBLOCK` and checked again, so a file swapped for a FIFO in between cannot hang a run);
//! - **inside the root after resolving links**: a symbolic link is followed, and a file
//!   that ends up outside the workspace (or the templates folder, or the pack) is refused
//!   without reading a byte of it;
//! - **bounded**: YAML and templates are read whole up to [`MAX_INPUT_BYTES`]; evidence is
//!   never read whole, it is hashed as a stream ([`Root::sha256`]).

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest YAML file or template ctrlmap reads (catalogs are ~200 KB; scopes a few KB).
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum Refusal {
    /// Nothing there (or a symbolic link to nothing).
    Missing,
    /// The path resolves (through a symbolic link) to a file outside the root.
    Outside,
    /// Not a regular file: what it is instead ("a folder", "a FIFO", …).
    NotRegular(&'static str),
    /// Larger than the limit for this kind of file.
    TooLarge { bytes: u64, limit: u64 },
    /// The operating system refused (permissions, a loop of links, an I/O error).
    Unreadable(std::io::Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Missing => write!(f, "does not exist (or is a symbolic link to nothing)"),
            Refusal::Outside => write!(
                f,
                "is a symbolic link to a file outside the folder ctrlmap may read; it was not read"
            ),
            Refusal::NotRegular(what) => write!(f, "is {what}, not a regular file; it was not read"),
            Refusal::TooLarge { bytes, limit } => {
                write!(f, "is {bytes} bytes, more than the {limit} bytes ctrlmap reads")
            }
            Refusal::Unreadable(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl Refusal {
    /// What to do about it, for a diagnostic's help line.
    pub fn help(&self) -> &'static str {
        match self {
            Refusal::Missing => "restore the file, or fix the path or the link",
            Refusal::Outside => "copy the file into the folder instead of linking to it",
            Refusal::NotRegular(_) => "replace it with a regular file",
            Refusal::TooLarge { .. } => "split the file",
            Refusal::Unreadable(_) => "check the file's permissions",
        }
    }
}

/// What a file system entry is, in words, when it is not a regular file.
pub fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// A folder that reads must stay inside (after resolving links), or no folder at all for a
/// file the user names directly on the command line (a baseline).
#[derive(Debug, Clone, Default)]
pub struct Root {
    /// The folder with its links resolved; `None` when reads are not confined (or the
    /// folder does not exist, in which case nothing inside it can be read either).
    canon: Option<PathBuf>,
    confined: bool,
}

impl Root {
    /// Reads confined to `dir`.
    pub fn new(dir: &Path) -> Root {
        Root {
            canon: dir.canonicalize().ok(),
            confined: true,
        }
    }

    /// Reads anywhere (still regular files only, never blocking, bounded).
    pub fn anywhere() -> Root {
        Root {
            canon: None,
            confined: false,
        }
    }

    /// The folder with its links resolved, when confined to one that exists.
    pub fn canonical(&self) -> Option<&Path> {
        self.canon.as_deref()
    }

    /// Where `path` leads once links are resolved, if it stays inside the root.
    pub fn resolve(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let canon = path.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Refusal::Missing,
            _ => Refusal::Unreadable(e),
        })?;
        if self.confined {
            match &self.canon {
                Some(root) if canon.starts_with(root) => {}
                _ => return Err(Refusal::Outside),
            }
        }
        Ok(canon)
    }

    /// Open a regular file for reading under the policy; returns the file and its length.
    pub fn open(&self, path: &Path) -> Result<(File, u64), Refusal> {
        let canon = self.resolve(path)?;
        // Look before opening: a FIFO or a device is refused without being opened.
        let meta = std::fs::metadata(&canon).map_err(Refusal::Unreadable)?;
        if !meta.is_file() {
            return Err(Refusal::NotRegular(kind_of(meta.file_type())));
        }
        let file = open_nonblocking(&canon).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Refusal::Missing,
            _ => Refusal::Unreadable(e),
        })?;
        // Look again at what was opened: the path may have been replaced in between.
        let meta = file.metadata().map_err(Refusal::Unreadable)?;
        if !meta.is_file() {
            return Err(Refusal::NotRegular(kind_of(meta.file_type())));
        }
        Ok((file, meta.len()))
    }

    /// Read a whole file of at most `limit` bytes.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
        let (file, len) = self.open(path)?;
        if len > limit {
            return Err(Refusal::TooLarge { bytes: len, limit });
        }
        // A file that grows while it is read is still cut at the limit.
        read_at_most(file, limit, usize::try_from(len).unwrap_or(0))
    }

    /// The SHA-256 of a file of any size, read as a stream (memory stays flat).
    pub fn sha256(&self, path: &Path) -> Result<String, Refusal> {
        let (file, _) = self.open(path)?;
        crate::model::digest::sha256_reader(file).map_err(Refusal::Unreadable)
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// A path for people and reports: `/`-separated, with any byte that is not UTF-8 written
/// as `\xNN` (so two different names never print the same, and nothing is lost silently).
pub fn display_path(path: &Path) -> String {
    let mut out = String::new();
    for (i, part) in path.components().enumerate() {
        if i > 0 && !out.ends_with('/') {
            out.push('/');
        }
        let bytes = part.as_os_str().as_encoded_bytes();
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
    }
    out
}

/// A single file the user names on the command line, or standard input when the name is
/// `-`: at most `limit` bytes either way (more is refused, not cut).
pub fn read_named(path: &Path, limit: u64) -> Result<Vec<u8>, Refusal> {
    if path.as_os_str() != "-" {
        return Root::anywhere().read(path, limit);
    }
    read_at_most(std::io::stdin().lock(), limit, 0)
}

/// Everything `from` gives, refused (not cut) past `limit` bytes.
fn read_at_most(from: impl Read, limit: u64, capacity: usize) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::with_capacity(capacity);
    from.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Refusal::Unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(Refusal::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_escape_bytes_that_are_not_utf8() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let p = Path::new(std::ffi::OsStr::from_bytes(b"scopes/caf\xe9.yaml"));
            assert_eq!(display_path(p), "scopes/caf\\xE9.yaml");
        }
        assert_eq!(display_path(Path::new("scopes/ny/a.yaml")), "scopes/ny/a.yaml");
    }

    #[test]
    fn a_folder_is_not_read() {
        let root = Root::anywhere();
        let dir = std::env::temp_dir();
        assert!(matches!(root.open(&dir), Err(Refusal::NotRegular("a folder"))));
    }
}
