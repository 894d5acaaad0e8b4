//! Writing output files: atomically, and never over anything that is not a regular file.

use std::path::{Path, PathBuf};

/// Write an output file (`-o FILE`, `--write-baseline FILE`, a pack's zip) without ever
/// destroying something that is not a regular file:
///
/// - a new path or a regular file: written atomically (a temporary file in the same folder,
///   created exclusively, then renamed over it, keeping the old file's permissions), so a
///   failed run never leaves a half-written file and never destroys the previous one;
/// - a symbolic link to a regular file: the file it points to is replaced, the link stays;
/// - ctrlmap's own standard output (`-o /dev/stdout`): written there;
/// - a character device (`/dev/null`, a terminal): written through, never replaced;
/// - anything else (a folder, a FIFO, a socket, a link to nothing): refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::{Error, ErrorKind, Write};
    let refuse = |what: &str| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("it is {what}; ctrlmap writes only regular files (and never replaces anything else)"),
        )
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(refuse("a symbolic link to nothing"));
            }
            replace_file(path, bytes, None)
        }
        Err(e) => Err(e),
        Ok(meta) => {
            if is_our_stdout(&meta) {
                return crate::emit::terminal::print_raw(bytes);
            }
            if meta.is_file() {
                let target = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
                    path.canonicalize()?
                } else {
                    path.to_path_buf()
                };
                return replace_file(&target, bytes, Some(meta.permissions()));
            }
            if is_char_device(&meta) {
                let mut device = std::fs::OpenOptions::new().write(true).open(path)?;
                device.write_all(bytes)?;
                return device.flush();
            }
            Err(refuse(crate::fs::input::kind_of(meta.file_type())))
        }
    }
}

#[cfg(unix)]
fn is_char_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: &std::fs::Metadata) -> bool {
    false
}

/// Is this the file our standard output goes to (`-o /dev/stdout`)?
#[cfg(unix)]
fn is_our_stdout(meta: &std::fs::Metadata) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|out| out.dev() == meta.dev() && out.ino() == meta.ino() && !meta.is_dir())
}

#[cfg(not(unix))]
fn is_our_stdout(_: &std::fs::Metadata) -> bool {
    false
}

/// Write a regular file atomically with `write` (a new path, or one holding a regular file
/// or a link to one; anything else is refused): for output that needs a seekable file.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let not_regular = |what: &str| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}; ctrlmap writes only regular files (and never replaces anything else)"),
        )
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(not_regular("a symbolic link to nothing"));
            }
            replace_file_with(path, None, write)
        }
        Err(e) => Err(e),
        Ok(meta) if meta.is_file() => {
            let target = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
                path.canonicalize()?
            } else {
                path.to_path_buf()
            };
            replace_file_with(&target, Some(meta.permissions()), write)
        }
        Ok(meta) => Err(not_regular(crate::fs::input::kind_of(meta.file_type()))),
    }
}

/// Write `bytes` to a fresh temporary file next to `path`, then rename it over `path`.
fn replace_file(path: &Path, bytes: &[u8], permissions: Option<std::fs::Permissions>) -> std::io::Result<()> {
    use std::io::Write;
    replace_file_with(path, permissions, |file| file.write_all(bytes))
}

/// Fill a fresh temporary file next to `path` with `write`, then rename it over `path`.
fn replace_file_with(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    // Created exclusively: a file (or link) already at the temporary name is never written.
    let (tmp, mut file) = {
        let mut attempt = 0u32;
        loop {
            let tmp = dir.join(format!(".{name}.ctrlmap-{}-{attempt}.tmp", std::process::id()));
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    };
    let result = (|| {
        write(&mut file)?;
        if let Some(p) = permissions {
            file.set_permissions(p)?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
