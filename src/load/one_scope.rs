//! Loading for a command about one scope (`matrix`, `explain`, `render`, `pack`, `scaffold`):
//! everything but the scopes, then that one scope file, and of every other scope file only
//! its `id:` line, so a duplicate id is reported as a whole load reports it while the cost
//! does not grow with the portfolio.

use super::{LoadOptions, Loaded, ScopeFile, place_of};
use crate::format::yaml::Pos;
use crate::model::Origin;
use crate::model::diagnostic::{Code, Diagnostic};
use std::io::Read;
use std::path::Path;

/// How much of another scope file is read to find its `id:` (it is near the top in every
/// scope `init`, `add-client` and `scaffold` write); the rest is read only when it is not
/// found there.
const ID_SCAN_BYTES: u64 = 4096;

impl Loaded {
    /// Load the workspace at `root` for a command about the scope file `scope_file`: the
    /// configuration, catalogs, services, packages, parties and policy packs as
    /// [`Loaded::load_streaming_with`] does, then that scope alone (read, parsed, validated,
    /// typed and checked like any scope). The other scope files are only scanned for their
    /// top-level `id:`, so a duplicate id is reported (E011) where a whole load reports it;
    /// their other problems are not this command's. `ws.scopes` holds the one scope (empty
    /// when it has problems); the second value is false when `scope_file` is not a scope
    /// file of the workspace. The files not loaded are kept in [`Loaded::unread_scopes`].
    pub fn load_one_scope(root: &Path, scope_file: &Path, options: LoadOptions) -> Result<(Loaded, bool), String> {
        let (mut ws, scope_files) = Loaded::load_streaming_with(root, options)?;
        let Some(target) = target_of(&scope_files, scope_file) else {
            ws.unread_scopes = scope_files;
            return Ok((ws, false));
        };
        use rayon::prelude::*;
        let ids: Vec<Option<(String, Pos)>> = scope_files
            .par_iter()
            .enumerate()
            .map(|(i, (_, path, _))| {
                if i == target {
                    None
                } else {
                    scanned_id(&ws.reader, path)
                }
            })
            .collect();
        for (i, (file, id)) in scope_files.iter().zip(ids).enumerate() {
            if i == target {
                let scopes = ws.load_scopes(std::slice::from_ref(file));
                ws.scopes.extend(scopes);
            } else if let Some((id, pos)) = id {
                ws.register_scanned_id(file, id, pos);
            }
        }
        ws.unread_scopes = scope_files
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| (i != target).then_some(f))
            .collect();
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        Ok((ws, true))
    }

    /// Record the id of a scope file that was only scanned: a duplicate of an id seen before
    /// is reported on it, as [`Loaded::register_scope`] reports one on a loaded scope.
    fn register_scanned_id(&mut self, (rel, path, _): &ScopeFile, id: String, pos: Pos) {
        if let Some(existing) = self.scope_ids.get(&id) {
            let diagnostic = Diagnostic::new(
                rel,
                pos,
                Code::E011,
                format!("scope `{id}` is also defined in {existing}"),
                "scope ids must be unique across `scopes/`; rename one",
            )
            .with_label(
                &existing.file,
                Pos {
                    line: existing.line,
                    column: existing.column,
                },
                "first defined here",
            );
            self.diagnostics.push(diagnostic);
            // To show the problem with its source line.
            if let Ok(bytes) = self.reader.read(path, super::MAX_INPUT_BYTES)
                && let Ok(text) = String::from_utf8(bytes)
            {
                self.sources.insert(rel.clone(), text);
            }
            return;
        }
        let at = Origin {
            pointer: "/id".into(),
            ..Origin::new(rel, pos)
        };
        self.scope_ids.insert(id, at);
    }
}

/// The index of the scope file a command names among the workspace's scope files: the same
/// place (its folder resolved, its name kept), else the same file after resolving links.
fn target_of(scope_files: &[ScopeFile], scope_file: &Path) -> Option<usize> {
    let wanted_place = place_of(scope_file)?;
    if let Some(i) = scope_files
        .iter()
        .position(|(_, path, _)| place_of(path).as_ref() == Some(&wanted_place))
    {
        return Some(i);
    }
    let wanted_target = scope_file.canonicalize().ok()?;
    scope_files
        .iter()
        .position(|(_, path, _)| path.canonicalize().ok().as_ref() == Some(&wanted_target))
}

/// The top-level `id:` of a scope file and the position of its value, read from its first
/// lines (the whole file when it is not there). Only an id the scope schema allows
/// (`^[a-z0-9][a-z0-9-]*$`, plain or quoted) is taken: a file whose id is anything else
/// fails its own validation, which is reported when that scope is loaded.
fn scanned_id(reader: &crate::fs::input::Root, path: &Path) -> Option<(String, Pos)> {
    let (mut file, len) = open_scope_file(reader, path)?;
    let mut head = vec![0; len.min(ID_SCAN_BYTES) as usize];
    file.read_exact(&mut head).ok()?;
    if let Some(found) = id_in(&head, head.len() as u64 == len) {
        return found;
    }
    if len > super::MAX_INPUT_BYTES {
        return None;
    }
    let mut rest = head;
    file.read_to_end(&mut rest).ok()?;
    id_in(&rest, true).flatten()
}

/// Open a scope file the walk found, as the read policy would allow it, and its length. The
/// walk lists files of folders it resolved inside the workspace, so a regular file is opened
/// directly (without resolving its path again: at 10,000 scopes that was most of the scan's
/// cost), and a symbolic link goes through the policy. Anything else (a FIFO, a device) is
/// never opened.
fn open_scope_file(reader: &crate::fs::input::Root, path: &Path) -> Option<(std::fs::File, u64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if meta.file_type().is_symlink() {
        return reader.open(path).ok();
    }
    if !meta.is_file() {
        return None;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Replaced by a link or a FIFO since it was looked at: refused, not followed or
        // waited on.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    Some((options.open(path).ok()?, meta.len()))
}

/// The id in `text` (a file's first bytes, or all of it when `complete`): `Some(found)` when
/// decided, `None` when more of the file is needed.
fn id_in(text: &[u8], complete: bool) -> Option<Option<(String, Pos)>> {
    let mut lines = text.split(|&b| b == b'\n').enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        // The last piece of an incomplete read may be a line cut short.
        if !complete && lines.peek().is_none() {
            return None;
        }
        let Some(rest) = line.strip_prefix(b"id:") else {
            continue;
        };
        let value_start = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
        let value = &rest[value_start..];
        let column = 3 + value_start + 1;
        let (quoted, body) = match value.first() {
            Some(q @ (b'"' | b'\'')) => (true, value[1..].split(|b| b == q).next().unwrap_or_default()),
            _ => (false, value),
        };
        let end = body
            .iter()
            .take_while(|&&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            .count();
        let after = &body[end..];
        let plain_end_ok = quoted
            || after.is_empty()
            || after == b"\r"
            || (after.first().is_some_and(|&b| b == b' ' || b == b'\t')
                && after
                    .iter()
                    .find(|&&b| b != b' ' && b != b'\t')
                    .is_none_or(|&b| b == b'#' || b == b'\r'));
        let id = &body[..end];
        if id.is_empty() || !id[0].is_ascii_alphanumeric() || (quoted && !after.is_empty()) || !plain_end_ok {
            return Some(None);
        }
        let id = String::from_utf8(id.to_vec()).ok()?;
        return Some(Some((id, Pos { line: n + 1, column })));
    }
    complete.then_some(None)
}

#[cfg(test)]
mod tests {
    use super::id_in;

    #[test]
    fn finds_plain_and_quoted_ids_with_the_position_of_the_value() {
        let found = |t: &str| {
            id_in(t.as_bytes(), true)
                .flatten()
                .map(|(id, p)| (id, p.line, p.column))
        };
        assert_eq!(
            found("kind: scope\nid: riverside-dental\n"),
            Some(("riverside-dental".into(), 2, 5))
        );
        assert_eq!(found("kind: scope\nid:   \"a-1\"  # c\n"), Some(("a-1".into(), 2, 7)));
        assert_eq!(found("id: 'b2'\n"), Some(("b2".into(), 1, 5)));
        assert_eq!(found("id: a1 # comment\r\n"), Some(("a1".into(), 1, 5)));
        // Not a top-level key, or not an id the schema allows: nothing to compare.
        assert_eq!(found("client:\n  id: x\n"), None);
        assert_eq!(found("id: Upper\n"), None);
        assert_eq!(found("id: \"a\\u0062\"\n"), None);
        assert_eq!(found("id: a b\n"), None);
    }

    #[test]
    fn asks_for_more_when_the_id_may_be_past_what_was_read() {
        assert_eq!(id_in(b"kind: scope\nid: ab", false), None);
        assert_eq!(id_in(b"kind: scope\nnotes: x\n", false), None);
        assert!(id_in(b"kind: scope\nid: ab\nnotes", false).is_some());
    }
}
