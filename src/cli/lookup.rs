//! What users type on the command line, looked up with help instead of a bare "unknown": a
//! framework by its id or a common short name (`glba`, `nydfs`, `csf`), a control with or
//! without its framework, a scope file given as its folder or misspelt. Every miss is a
//! usage diagnostic (E022) that names the closest valid choices.

use crate::fs::input::display_path;
use crate::model::Workspace;
use crate::model::diagnostic::{Code, Diagnostic, closest};
use std::path::{Path, PathBuf};

/// Short names people use for the built-in frameworks, and the ids they stand for. An alias
/// is honoured only when no catalog has it as its own id, and output always prints the id.
pub const ALIASES: [(&str, &str); 3] = [("glba", "glba-safeguards"), ("nydfs", "nydfs-500"), ("csf", "csf-2.0")];

/// The id of the framework `typed` names: a loaded catalog's id (any case), or an alias of
/// one.
pub fn framework_id(ws: &Workspace, typed: &str) -> Result<String, Diagnostic> {
    if ws.framework(typed).is_some() {
        return Ok(typed.to_string());
    }
    if let Some(id) = ws.frameworks.keys().find(|id| id.eq_ignore_ascii_case(typed)) {
        return Ok(id.clone());
    }
    if let Some((_, id)) = ALIASES
        .iter()
        .find(|(alias, id)| alias.eq_ignore_ascii_case(typed) && ws.framework(id).is_some())
    {
        return Ok(id.to_string());
    }
    let ids: Vec<&str> = ws.frameworks.keys().map(String::as_str).collect();
    let aliases: Vec<String> = ALIASES
        .iter()
        .filter(|(_, id)| ws.framework(id).is_some())
        .map(|(alias, id)| format!("{alias} = {id}"))
        .collect();
    let near = closest(typed, ids.iter().copied(), 1);
    let known = format!("frameworks: {} (short names: {})", ids.join(", "), aliases.join(", "));
    Err(Diagnostic::on_command_line(
        Code::E022,
        format!("unknown framework `{typed}`"),
        match near.first() {
            Some(n) => format!("did you mean `{n}`? {known}"),
            None => known,
        },
    ))
}

/// The full reference (`hipaa:164.308(a)(1)`) of the control `typed` names: `FRAMEWORK:ID`
/// (the framework by id or alias), or an id alone, looked up in the catalogs of
/// `frameworks` (those that apply to the scope at hand) and then in every other catalog.
/// An id found in more than one catalog is ambiguous and says which.
pub fn control_ref(ws: &Workspace, typed: &str, frameworks: &[&str]) -> Result<String, Diagnostic> {
    let usage = |message: String, help: String| Diagnostic::on_command_line(Code::E022, message, help);
    if let Some((fw, id)) = typed.split_once(':') {
        let fw = framework_id(ws, fw)?;
        let catalog = ws.framework(&fw).map(|f| &f.controls[..]).unwrap_or_default();
        if let Some(c) = catalog.iter().find(|c| c.id == id) {
            return Ok(format!("{fw}:{}", c.id));
        }
        let folded: Vec<_> = catalog.iter().filter(|c| c.id.eq_ignore_ascii_case(id)).collect();
        if let [c] = folded[..] {
            return Ok(format!("{fw}:{}", c.id));
        }
        let near = closest(id, catalog.iter().map(|c| c.id.as_str()), 3);
        return Err(usage(
            format!("`{id}` is not a control of `{fw}`"),
            if near.is_empty() {
                format!("`ctrlmap frameworks show {fw}` lists its controls")
            } else {
                format!("did you mean {}?", listed(near.iter().map(|n| format!("{fw}:{n}"))))
            },
        ));
    }
    let others: Vec<&str> = ws
        .frameworks
        .keys()
        .map(String::as_str)
        .filter(|id| !frameworks.contains(id))
        .collect();
    for group in [frameworks, &others[..]] {
        let found: Vec<String> = group
            .iter()
            .filter_map(|fw| Some((fw, ws.framework(fw)?)))
            .filter_map(|(fw, f)| f.get(typed).map(|c| format!("{fw}:{}", c.id)))
            .collect();
        match found.len() {
            0 => continue,
            1 => return Ok(found[0].clone()),
            _ => {
                return Err(usage(
                    format!("`{typed}` is a control of more than one framework"),
                    format!("write it with its framework: {}", listed(found)),
                ));
            }
        }
    }
    let candidates: Vec<String> = frameworks
        .iter()
        .filter_map(|fw| Some((fw, ws.framework(fw)?)))
        .flat_map(|(fw, f)| f.controls.iter().map(move |c| format!("{fw}:{}", c.id)))
        .collect();
    let ids: Vec<(&str, &str)> = candidates
        .iter()
        .filter_map(|r| r.split_once(':').map(|(_, id)| (id, r.as_str())))
        .collect();
    let near = closest(typed, ids.iter().map(|(id, _)| *id), 3);
    let near: Vec<&str> = near
        .iter()
        .filter_map(|n| ids.iter().find(|(id, _)| id == n).map(|(_, r)| *r))
        .collect();
    Err(usage(
        format!("`{typed}` is not a control of {}", listed(frameworks.iter())),
        if near.is_empty() {
            "write FRAMEWORK:CONTROL, e.g. `hipaa:164.308(a)(1)(ii)(A)`; `ctrlmap frameworks` lists the catalogs".into()
        } else {
            format!("did you mean {}?", listed(near.iter()))
        },
    ))
}

/// `a`, `b` and `c` in backticks.
fn listed<T: std::fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Check that `path` names a scope file, before its workspace is loaded. A folder (the
/// workspace, or its `scopes/`) is answered with the scope files in it; a file that does not
/// exist, with the closest scope files of its workspace.
pub fn scope_file(path: &Path, command: &str) -> Result<(), Diagnostic> {
    if path.is_file() {
        return Ok(());
    }
    let shown = display_path(path);
    if path.is_dir() {
        let root = if path.join("scopes").is_dir() || path.join("ctrlmap.yaml").exists() {
            path.to_path_buf()
        } else {
            workspace_as_given(&path.join("scope.yaml"))
        };
        let files: Vec<String> = scope_files(&root)
            .into_iter()
            .filter(|f| f.starts_with(path))
            .map(|f| display_path(&f))
            .collect();
        let help = match files.len() {
            0 => format!("the folder holds no scope files; `ctrlmap {command}` takes one, e.g. `scopes/CLIENT.yaml`"),
            n if n <= 12 => format!("give one of its scopes: {}", listed(&files)),
            n => format!("give one of its {n} scopes, e.g. {}", listed(&files[..12])),
        };
        return Err(Diagnostic::on_command_line(
            Code::E022,
            format!("`{shown}` is a folder: `ctrlmap {command}` takes one scope file"),
            help,
        ));
    }
    // Compared by file name: the folders they share say nothing.
    let files = scope_files(&workspace_as_given(path));
    let name = |f: &Path| {
        f.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let names: Vec<String> = files.iter().map(|f| name(f)).collect();
    let near: Vec<String> = closest(&name(path), names.iter().map(String::as_str), 3)
        .iter()
        .filter_map(|n| files.iter().find(|f| name(f) == *n))
        .map(|f| display_path(f))
        .collect();
    Err(Diagnostic::on_command_line(
        Code::E022,
        format!("{shown}: no such scope file"),
        if near.is_empty() {
            "give a scope file (scopes/CLIENT.yaml in a workspace)".to_string()
        } else {
            format!("did you mean {}?", listed(&near))
        },
    ))
}

/// The workspace of a scope file, as [`super::workspace_of`] finds it, but spelt from the
/// path as given (`ws/scopes/a.yaml` → `ws`), so that suggestions read as the user typed.
fn workspace_as_given(file: &Path) -> PathBuf {
    for dir in file.ancestors().skip(1) {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if dir.join("ctrlmap.yaml").exists() {
            return dir.to_path_buf();
        }
        if dir.file_name().is_some_and(|n| n == "scopes") {
            return match dir.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
        }
    }
    super::workspace_of(file)
}

/// The scope files of the workspace at `root`, as paths under `root` as given, in order;
/// none when it is not a workspace.
fn scope_files(root: &Path) -> Vec<PathBuf> {
    if !root.join("scopes").is_dir() {
        return Vec::new();
    }
    match crate::load::Loaded::load_streaming(root) {
        Ok((_, files)) => files.into_iter().map(|(rel, _, _)| root.join(rel)).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> crate::load::Loaded {
        crate::load::Loaded::builtin().expect("the built-in catalogs load")
    }

    #[test]
    fn aliases_name_the_built_in_frameworks_in_full() {
        let ws = builtin();
        assert_eq!(framework_id(&ws, "glba").ok().as_deref(), Some("glba-safeguards"));
        assert_eq!(framework_id(&ws, "NYDFS").ok().as_deref(), Some("nydfs-500"));
        assert_eq!(framework_id(&ws, "csf").ok().as_deref(), Some("csf-2.0"));
        let miss = framework_id(&ws, "hipa").expect_err("unknown");
        assert!(miss.help.starts_with("did you mean `hipaa`?"), "{}", miss.help);
    }

    #[test]
    fn a_control_without_its_framework_is_found_in_the_catalog_that_has_it() {
        let ws = builtin();
        let all: Vec<&str> = ws.frameworks.keys().map(String::as_str).collect();
        assert_eq!(
            control_ref(&ws, "164.308(a)(1)", &all).ok().as_deref(),
            Some("hipaa:164.308(a)(1)")
        );
        assert_eq!(
            control_ref(&ws, "glba:314.4(c)(5)", &all).ok().as_deref(),
            Some("glba-safeguards:314.4(c)(5)")
        );
    }
}
