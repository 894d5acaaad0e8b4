//! Where a declared evidence file may be: a relative path inside the workspace, never a URL,
//! an absolute path, a `..` or a link that leads out of it.
//!
//! May use: nothing else of ctrlmap.

use std::path::{Component, Path, PathBuf};

/// Resolve an evidence path; refuse anything that leaves the workspace.
pub fn evidence_path(root: &Path, file: &str) -> Result<PathBuf, &'static str> {
    evidence_path_in(root, root.canonicalize().ok().as_deref(), file)
}

/// [`evidence_path`] with the root's resolved path given (`None`: do not resolve links here;
/// the caller reads the path through a [`crate::fs::input::Root`], which refuses one that
/// leaves the workspace).
pub fn evidence_path_in(root: &Path, root_canon: Option<&Path>, file: &str) -> Result<PathBuf, &'static str> {
    let path = Path::new(file);
    if file.contains("://") {
        return Err("is a URL, not a file; evidence must be a file inside the workspace");
    }
    // `C:\...` or `C:/...` (a Windows drive) is absolute; a colon elsewhere is part of a name.
    let drive = file.len() >= 3
        && file.as_bytes()[0].is_ascii_alphabetic()
        && file.as_bytes()[1] == b':'
        && matches!(file.as_bytes()[2], b'/' | b'\\');
    if path.is_absolute() || file.starts_with('/') || file.starts_with('\\') || drive {
        return Err("is absolute; evidence must be a path inside the workspace");
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err("uses `..` and could leave the workspace");
    }
    let full = root.join(path);
    let Some(root_canon) = root_canon else {
        return Ok(full);
    };
    if let Ok(canon) = full.canonicalize()
        && !canon.starts_with(root_canon)
    {
        return Err("resolves (through a symbolic link) to a file outside the workspace");
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evidence_name_with_a_colon_is_a_file_name_but_drives_and_urls_are_refused() {
        let root = Path::new("/nonexistent-workspace");
        assert!(evidence_path_in(root, None, "evidence/2026-10-31T12:00 scan.pdf").is_ok());
        assert_eq!(
            evidence_path_in(root, None, "C:\\evidence\\scan.pdf"),
            Err("is absolute; evidence must be a path inside the workspace")
        );
        assert_eq!(
            evidence_path_in(root, None, "c:/evidence/scan.pdf"),
            Err("is absolute; evidence must be a path inside the workspace")
        );
        assert_eq!(
            evidence_path_in(root, None, "https://example.com/scan.pdf"),
            Err("is a URL, not a file; evidence must be a file inside the workspace")
        );
        assert!(evidence_path_in(root, None, "/etc/passwd").is_err());
        assert!(evidence_path_in(root, None, "evidence/../../etc/passwd").is_err());
    }
}
