//! Loading for a command about one scope (`matrix`, `explain`, `render`, `pack`, `scaffold`):
//! everything but the scopes, then that one scope file. The other scope files are never
//! opened, and not even listed when the file is named where it sits under `scopes/`, so the
//! cost does not grow with the portfolio: their problems, and an id they share with this
//! scope (E011), are `check`'s to report, as the gate over the whole portfolio.

use super::walk::workspace_files;
use super::{Kind, LoadOptions, Loaded, ScopeFile, place_of};
use crate::fs::input::display_path;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

impl Loaded {
    /// Load the workspace at `root` for a command about the scope file `scope_file`: the
    /// configuration, catalogs, services, packages, parties and policy packs as
    /// [`Loaded::load_streaming_with`] does, then that scope alone (read, parsed, validated,
    /// typed and checked like any scope). The other scope files are not read: `ws.scopes`
    /// holds the one scope (empty when it has problems). When the file is a regular file
    /// under the workspace's own `scopes/` folder (no link on the way), the other scope
    /// files are not listed either ([`Loaded::scopes_unlisted`]); otherwise they are listed
    /// to find the file among them, and kept in [`Loaded::unread_scopes`]. The second value
    /// is false when `scope_file` is not a scope file of the workspace.
    pub fn load_one_scope(root: &Path, scope_file: &Path, options: LoadOptions) -> Result<(Loaded, bool), String> {
        let (mut ws, file) = match under_scopes(root, scope_file) {
            Some(file) => {
                let (mut ws, _) = Loaded::load_all_but_scopes(root, options, false)?;
                ws.files.insert(file.0.clone(), file.1.clone());
                ws.scopes_unlisted = true;
                (ws, file)
            }
            None => {
                let (mut ws, mut scope_files) = Loaded::load_streaming_with(root, options)?;
                let Some(target) = target_of(&scope_files, scope_file) else {
                    ws.unread_scopes = scope_files;
                    return Ok((ws, false));
                };
                let file = scope_files.remove(target);
                ws.unread_scopes = scope_files;
                (ws, file)
            }
        };
        let scopes = ws.load_scopes(std::slice::from_ref(&file));
        ws.scopes.extend(scopes);
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        Ok((ws, true))
    }

    /// The scope files of the workspace other than those loaded, for a command that needs
    /// them after a one-scope load (e.g. to refuse an output over another client's file):
    /// `unread_scopes`, or the folder listed now when the load did not list it.
    pub fn other_scope_files(&self) -> Vec<ScopeFile> {
        if !self.scopes_unlisted {
            return self.unread_scopes.clone();
        }
        let (found, _) = workspace_files(&self.root, &self.reader, true);
        found
            .into_iter()
            .filter(|(rel, _, kind)| *kind == Some(Kind::Scope) && !self.files.contains_key(rel))
            .collect()
    }
}

/// The scope file as the folder walk would list it, found without listing: when `scope_file`
/// is a regular file named `*.yaml`/`*.yml` whose folder is the workspace's `scopes/` folder
/// or one below it, with no link anywhere from the workspace down to it (the walk would
/// reach it by the same names). `None` when any of that does not hold: the caller lists.
fn under_scopes(root: &Path, scope_file: &Path) -> Option<ScopeFile> {
    let name = scope_file.file_name()?;
    if !matches!(
        Path::new(name).extension().map(|e| e.as_encoded_bytes()),
        Some(b"yaml" | b"yml")
    ) {
        return None;
    }
    if !std::fs::symlink_metadata(scope_file).ok()?.file_type().is_file() {
        return None;
    }
    let given_root = root;
    let root = root.canonicalize().ok()?;
    let parent = match scope_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = parent.canonicalize().ok()?;
    let below = folder.strip_prefix(root.join("scopes")).ok()?;
    // Each folder from `scopes/` down is itself, not a link to it.
    let mut at = root.join("scopes");
    let mut rel = PathBuf::from("scopes");
    std::iter::once(None)
        .chain(below.components().map(Some))
        .try_for_each(|part| {
            if let Some(part) = part {
                let Component::Normal(part) = part else { return None };
                at.push(part);
                rel.push(part);
            }
            std::fs::symlink_metadata(&at).ok()?.file_type().is_dir().then_some(())
        })?;
    rel.push(name);
    Some((display_path(&rel), given_root.join(&rel), Some(Kind::Scope)))
}

/// The index of the scope file a command names among the workspace's scope files: the same
/// place (its folder resolved, its name kept), else the same file after resolving links.
/// Each folder is resolved once, however many scope files it holds.
fn target_of(scope_files: &[ScopeFile], scope_file: &Path) -> Option<usize> {
    let wanted_place = place_of(scope_file, &mut HashMap::new())?;
    let wanted_name = scope_file.file_name()?;
    let mut folders = HashMap::new();
    if let Some(i) = scope_files.iter().position(|(_, path, _)| {
        path.file_name() == Some(wanted_name) && place_of(path, &mut folders).as_ref() == Some(&wanted_place)
    }) {
        return Some(i);
    }
    let wanted_target = scope_file.canonicalize().ok()?;
    scope_files
        .iter()
        .position(|(_, path, _)| path.canonicalize().ok().as_ref() == Some(&wanted_target))
}
