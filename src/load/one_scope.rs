//! Loading for a command about one scope (`matrix`, `explain`, `render`, `pack`, `scaffold`):
//! everything but the scopes, then that one scope file. The other scope files are listed,
//! never opened, so the cost does not grow with the portfolio: their problems, and an id
//! they share with this scope (E011), are `check`'s to report, as the gate over the whole
//! portfolio.

use super::{LoadOptions, Loaded, ScopeFile, place_of};
use std::collections::HashMap;
use std::path::Path;

impl Loaded {
    /// Load the workspace at `root` for a command about the scope file `scope_file`: the
    /// configuration, catalogs, services, packages, parties and policy packs as
    /// [`Loaded::load_streaming_with`] does, then that scope alone (read, parsed, validated,
    /// typed and checked like any scope). The other scope files are not read: `ws.scopes`
    /// holds the one scope (empty when it has problems), and the files not read are kept in
    /// [`Loaded::unread_scopes`]. The second value is false when `scope_file` is not a scope
    /// file of the workspace.
    pub fn load_one_scope(root: &Path, scope_file: &Path, options: LoadOptions) -> Result<(Loaded, bool), String> {
        let (mut ws, mut scope_files) = Loaded::load_streaming_with(root, options)?;
        let Some(target) = target_of(&scope_files, scope_file) else {
            ws.unread_scopes = scope_files;
            return Ok((ws, false));
        };
        let file = scope_files.remove(target);
        let scopes = ws.load_scopes(std::slice::from_ref(&file));
        ws.scopes.extend(scopes);
        ws.unread_scopes = scope_files;
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        Ok((ws, true))
    }
}

/// The index of the scope file a command names among the workspace's scope files: the same
/// place (its folder resolved, its name kept), else the same file after resolving links.
/// Each folder is resolved once, however many scope files it holds.
fn target_of(scope_files: &[ScopeFile], scope_file: &Path) -> Option<usize> {
    let wanted_place = place_of(scope_file, &mut HashMap::new())?;
    let mut folders = HashMap::new();
    if let Some(i) = scope_files
        .iter()
        .position(|(_, path, _)| place_of(path, &mut folders).as_ref() == Some(&wanted_place))
    {
        return Some(i);
    }
    let wanted_target = scope_file.canonicalize().ok()?;
    scope_files
        .iter()
        .position(|(_, path, _)| path.canonicalize().ok().as_ref() == Some(&wanted_target))
}
