//! The folder walk: which files of a workspace are read, in a stable order, with links
//! followed only while they stay inside the workspace and folders nested at most
//! [`MAX_FOLDER_DEPTH`] deep.
//!
//! May use: `model`, `fs`.

use super::*;

/// A file of the workspace: (display path, full path, expected kind).
pub type ScopeFile = (String, PathBuf, Option<Kind>);

/// Workspace files in a stable order: (display path, full path, expected kind), and the
/// problems met on the way. Every folder is walked the same way for every command: folders
/// and files are sorted by name; symbolic links are followed when they stay inside the
/// workspace (a link that leaves it is reported, never followed); a FIFO, device or socket
/// named `*.yaml` is listed, so the read policy reports it instead of skipping it silently.
pub(super) fn workspace_files(root: &Path, reader: &Root, with_scopes: bool) -> (Vec<ScopeFile>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for name in ["ctrlmap.yaml", "ctrlmap.yml"] {
        let p = root.join(name);
        if std::fs::symlink_metadata(&p).is_ok() {
            out.push((name.to_string(), p, Some(Kind::Config)));
        }
    }
    let mut seen = BTreeSet::new();
    for (dir, kind) in [
        ("frameworks", Kind::Catalog),
        ("services", Kind::Service),
        ("packages", Kind::Package),
        ("parties", Kind::Party),
        ("scopes", Kind::Scope),
        ("policies", Kind::Policy),
    ] {
        if kind == Kind::Scope && !with_scopes {
            continue;
        }
        let base = root.join(dir);
        if std::fs::symlink_metadata(&base).is_err() {
            continue;
        }
        let mut walk = Walk {
            reader,
            kind,
            seen: &mut seen,
            out: &mut out,
            problems: &mut problems,
        };
        walk.folder(&base, Path::new(dir), 0);
    }
    // Two names that print the same (a byte that is not UTF-8 against its `\xNN` spelling)
    // would be one file to the report: refuse the second.
    let mut names = rustc_hash::FxHashSet::default();
    let first: Vec<bool> = out.iter().map(|(rel, _, _)| names.insert(rel.as_str())).collect();
    drop(names);
    let mut keep = first.into_iter();
    out.retain(|(rel, _, _)| {
        if keep.next().unwrap_or(true) {
            return true;
        }
        problems.push(Diagnostic::about_file(
            rel,
            Code::E016,
            "two files of the workspace have names that print the same; only the first is read",
            "rename one of them",
        ));
        false
    });
    (out, problems)
}

/// Folders deeper than this under `scopes/` (or another folder) are not walked.
const MAX_FOLDER_DEPTH: usize = 32;

struct Walk<'a> {
    reader: &'a Root,
    kind: Kind,
    /// Folders already walked (resolved), so a link loop or a second link is walked once.
    seen: &'a mut BTreeSet<PathBuf>,
    out: &'a mut Vec<ScopeFile>,
    problems: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    fn folder(&mut self, dir: &Path, rel: &Path, depth: usize) {
        let shown = display_path(rel) + "/";
        let canon = match self.reader.resolve(dir) {
            Ok(c) => c,
            Err(why) => {
                self.problems.push(Diagnostic::about_file(
                    &shown,
                    Code::E016,
                    format!("the folder {why}"),
                    why.help(),
                ));
                return;
            }
        };
        if !self.seen.insert(canon) {
            return;
        }
        if depth > MAX_FOLDER_DEPTH {
            self.problems.push(Diagnostic::about_file(
                &shown,
                Code::E016,
                format!("folders nest deeper than {MAX_FOLDER_DEPTH} levels here; the rest was not read"),
                "keep the folder structure shallow",
            ));
            return;
        }
        // Each entry with its name, taken once: sorting by `DirEntry::file_name` made a new
        // copy of both names at every comparison (most of the walk's time at 10,000 files).
        let mut entries: Vec<(std::ffi::OsString, std::fs::DirEntry)> = match std::fs::read_dir(dir) {
            Ok(list) => list.flatten().map(|e| (e.file_name(), e)).collect(),
            Err(e) => {
                self.problems.push(Diagnostic::about_file(
                    &shown,
                    Code::E016,
                    format!("the folder cannot be read: {e}"),
                    "check the folder's permissions",
                ));
                return;
            }
        };
        entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        for (name, entry) in entries {
            let path = entry.path();
            let child = rel.join(&name);
            let Ok(file_type) = entry.file_type() else { continue };
            let is_dir = if file_type.is_symlink() {
                std::fs::metadata(&path).is_ok_and(|m| m.is_dir())
            } else {
                file_type.is_dir()
            };
            if is_dir {
                self.folder(&path, &child, depth + 1);
            } else if matches!(path.extension().map(|e| e.as_encoded_bytes()), Some(b"yaml" | b"yml")) {
                self.out.push((display_path(&child), path, Some(self.kind)));
            }
        }
    }
}
