//! `ctrlmap evidence add` and `ctrlmap evidence pin`: evidence recorded from the command line,
//! with its SHA-256 pinned, so nothing is typed by hand and nothing stays unpinned by accident.
//!
//! `add` appends one entry to the scope's top-level `evidence:` list; `pin` writes the SHA-256
//! each of the scope's own entries has now, after a deliberate update of the files. Both edit
//! the file structurally ([`crate::load::outline`]: positions from the parsed document, never a
//! text search), keep its comments, quoting and line breaks, check the new text as `validate`
//! would, and write it atomically. A file already listed is refused by `add` (the entry says
//! what the file supports and who owns it; changing that is an edit of the entry, and a changed
//! file is `pin`'s to record), so running `add` twice never makes two entries.

use crate::load::Loaded;
use crate::load::outline::{self, FieldEdit, outline};
use crate::model::diagnostic::{Code, Diagnostic, closest};
use crate::model::{Evidence, Scope};
use anyhow::Result;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct EvidenceArgs {
    #[command(subcommand)]
    pub action: EvidenceAction,
}

#[derive(clap::Subcommand, Debug)]
pub enum EvidenceAction {
    /// Add an evidence entry to a scope, its SHA-256 pinned: `evidence add SCOPE_FILE FILE
    /// --controls ID… --owner PARTY`.
    ///
    /// The file must be inside the scope's workspace (it is recorded by its path from the
    /// workspace's root). The entry goes at the end of the scope's `evidence:` list (made when
    /// there is none), the scope's comments and layout kept; the result is checked as
    /// `validate` would and written atomically. A file the scope (or its package) already
    /// lists is refused: edit that entry, or run `evidence pin` after changing the file.
    Add(AddArgs),
    /// Pin the SHA-256 each evidence file of a scope has now, and print what changed.
    ///
    /// For every entry of the scope's own `evidence:` list whose file exists: an entry without
    /// `sha256:` gets one, an entry whose file changed gets the new hash (run it only after a
    /// deliberate update: a pin that differs is CM011, evidence tampered). Missing files and
    /// entries that come from the scope's package are listed, never changed.
    Pin(PinArgs),
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The scope file, e.g. scopes/riverside-dental.yaml (its workspace is found from it).
    pub scope_file: PathBuf,
    /// The evidence file, as a path from the current folder; it must be inside the workspace,
    /// e.g. evidence/2026-q3-restore-test.pdf.
    pub file: PathBuf,
    /// The controls it supports (one or more, separated by spaces or commas):
    /// `FRAMEWORK:CONTROL` (glba, nydfs and csf stand for glba-safeguards, nydfs-500 and
    /// csf-2.0), or a control id alone, looked up in the scope's catalogs.
    #[arg(long, required = true, num_args = 1.., value_delimiter = ',', value_name = "ID")]
    pub controls: Vec<String>,
    /// Who holds the evidence: `msp`, `client` or the id of a party of the scope.
    #[arg(long, value_name = "PARTY")]
    pub owner: String,
    /// The date the evidence was effective (YYYY-MM-DD; not when it was uploaded). Default:
    /// today (SOURCE_DATE_EPOCH when set).
    #[arg(long, value_name = "DATE")]
    pub effective: Option<String>,
    /// A title for people (documents show evidence by title and date).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct PinArgs {
    /// The scope file whose evidence is pinned.
    pub scope_file: PathBuf,
}

pub fn run(args: EvidenceArgs) -> Result<u8> {
    match args.action {
        EvidenceAction::Add(args) => add(args),
        EvidenceAction::Pin(args) => pin(args),
    }
}

/// A usage mistake in one E022 diagnostic, printed by `main`, exit 2.
fn usage(message: String, help: String) -> anyhow::Error {
    super::usage(&Diagnostic::on_command_line(Code::E022, message, help))
}

/// The evidence file's path from the workspace's root, with `/` between folders. Its folder is
/// resolved (links included) and must be inside the workspace; so must the file a link points
/// to. The file keeps its own name (a link inside the workspace is recorded as the link).
fn path_in_workspace(ws: &Loaded, file: &Path) -> Result<String> {
    let shown = crate::fs::input::display_path(file);
    let root = &ws.root;
    let outside = || {
        usage(
            format!(
                "{shown} is outside the workspace {}",
                crate::fs::input::display_path(root)
            ),
            "evidence stays inside the workspace: copy the file into its evidence/ folder and add that copy".into(),
        )
    };
    let Some(name) = file.file_name() else {
        return Err(usage(
            format!("{shown} names no file"),
            "give the evidence file, e.g. evidence/2026-q3-restore-test.pdf".into(),
        ));
    };
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(folder) = parent.canonicalize() else {
        return Err(no_such_file(ws, file, &shown));
    };
    let place = folder.join(name);
    let root_canon = root.canonicalize().unwrap_or_else(|_| root.clone());
    let Ok(rel) = place.strip_prefix(&root_canon) else {
        return Err(outside());
    };
    if let Ok(target) = place.canonicalize()
        && !target.starts_with(&root_canon)
    {
        return Err(outside());
    }
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(part) => match part.to_str() {
                Some(p) if !p.chars().any(char::is_control) => parts.push(p.to_string()),
                _ => {
                    return Err(usage(
                        format!("{shown}: the path is not plain UTF-8 text (or holds a control character)"),
                        "rename the file (letters, digits, `-`, `_`, `.`) and add it again".into(),
                    ));
                }
            },
            _ => return Err(outside()),
        }
    }
    if parts.is_empty() {
        return Err(outside());
    }
    Ok(parts.join("/"))
}

/// The error for an evidence path that does not exist: with the path from the workspace's
/// root when that one exists (the path is taken from the current folder).
fn no_such_file(ws: &Loaded, file: &Path, shown: &str) -> anyhow::Error {
    let in_ws = ws.root.join(file);
    let help = if file.is_relative() && in_ws.is_file() {
        format!(
            "paths are taken from the current folder; did you mean `{}`?",
            crate::fs::input::display_path(&in_ws)
        )
    } else {
        "give the path of an existing file inside the workspace, e.g. evidence/2026-q3-restore-test.pdf".into()
    };
    usage(format!("{shown}: no such file"), help)
}

/// `evidence/a.pdf` as written in a scope, compared with the path `add` records.
fn normalised(file: &str) -> String {
    Path::new(file)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where an entry is written (`scopes/a.yaml:12`), its path as every report writes it.
fn entry_at(ws: &Loaded, scope: &Scope, e: &Evidence) -> String {
    let pos = scope.locate(&format!("{}/file", e.origin.pointer));
    format!(
        "{}:{}",
        super::PathBase::for_workspace(&ws.root).show(&pos.file),
        pos.line
    )
}

fn add(args: AddArgs) -> Result<u8> {
    let (ws, idx) = super::common::load_scope(&args.scope_file, "evidence add")?;
    let scope = &ws.scopes[idx];
    let shown = crate::fs::input::display_path(&args.scope_file);
    let rel = if args.file.exists() {
        path_in_workspace(&ws, &args.file)?
    } else {
        let file_shown = crate::fs::input::display_path(&args.file);
        return Err(no_such_file(&ws, &args.file, &file_shown));
    };
    if let Some(e) = scope.evidence.iter().flatten().find(|e| normalised(&e.file) == rel) {
        let from_package = e.origin.pointer.starts_with('@');
        return Err(usage(
            format!("`{rel}` is already listed as evidence at {}", entry_at(&ws, scope, e)),
            if from_package {
                "the scope's package lists it for every client of the package; edit that entry there".into()
            } else {
                format!(
                    "edit that entry to change its controls, owner or date; after a deliberate change of the file, `ctrlmap evidence pin {shown}` records its new SHA-256"
                )
            },
        ));
    }
    // The controls, in the forms the other commands take.
    let applicable = crate::resolve::applicable_frameworks(&ws, scope);
    let applicable: Vec<&str> = applicable.iter().map(String::as_str).collect();
    let mut controls: Vec<String> = Vec::new();
    for typed in args.controls.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let full = super::lookup::control_ref(&ws, typed, &applicable).map_err(|d| super::usage(&d))?;
        if !controls.contains(&full) {
            controls.push(full);
        }
    }
    if controls.is_empty() {
        return Err(usage(
            "--controls names no control".into(),
            "give the controls the evidence supports, e.g. --controls 'hipaa:164.308(a)(7)(ii)(D)'".into(),
        ));
    }
    // The owner: a party of the scope (its own, its package's or the workspace's it names).
    let mut parties: Vec<&str> = vec!["client", "msp"];
    parties.extend(scope.parties().map(|p| p.id.as_str()));
    if !parties.contains(&args.owner.as_str()) {
        let near = closest(&args.owner, parties.iter().copied(), 1);
        let listed = parties.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
        return Err(usage(
            format!("`{}` is not a party of scope `{}`", args.owner, scope.id),
            match near.first() {
                Some(n) => format!("did you mean `{n}`? The scope's parties: {listed}"),
                None => format!("the scope's parties: {listed} (declare a third party under `parties:` first)"),
            },
        ));
    }
    let effective = match &args.effective {
        Some(text) => parse_date(text)?,
        None => super::as_of_date(None)?,
    };
    let sha256 = ws
        .reader
        .sha256(&ws.root.join(&rel))
        .map_err(|why| usage(format!("evidence file `{rel}` {why}"), why.help().to_string()))?;

    let mut item = String::new();
    let _ = writeln!(item, "- file: {}", super::add_client::yaml_string(&rel));
    if let Some(title) = args.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let _ = writeln!(item, "  title: {}", super::add_client::yaml_string(title));
    }
    let quoted: Vec<String> = controls
        .iter()
        .map(|c| serde_json::to_string(c).unwrap_or_else(|_| format!("{c:?}")))
        .collect();
    let _ = writeln!(item, "  controls: [{}]", quoted.join(", "));
    let _ = writeln!(item, "  owner: {}", super::add_client::yaml_string(&args.owner));
    let _ = writeln!(item, "  effective: {effective}");
    let _ = writeln!(item, "  sha256: {sha256}");

    let text = read_scope(&args.scope_file, &shown)?;
    let new = outline::append_to_list(&text, "evidence", &item, "")
        .map_err(|why| super::fail(&format!("{shown}:{}; nothing was written", why.describe("evidence"))))?;
    // Never write a scope that no longer loads, nor one that does not hold the entry pinned.
    let written = check_new_text(&ws, scope, &new, &shown, "the entry")?;
    let recorded =
        written.evidence.iter().flatten().any(|e| {
            e.file == rel && e.sha256.as_deref() == Some(&sha256) && e.found_sha256.as_deref() == Some(&sha256)
        });
    if !recorded {
        return Err(super::fail(&format!(
            "{shown}: the new entry for `{rel}` does not read back as written; nothing was written"
        )));
    }
    super::write_file(&args.scope_file, new.as_bytes())?;
    let report = format!(
        "{shown}: added evidence `{rel}` for {} — owner {}, effective {effective}, sha256 {sha256}\n",
        controls.join(", "),
        args.owner
    );
    super::out(&crate::emit::escape::terminal_text(&report, false))?;
    Ok(0)
}

/// A date written YYYY-MM-DD, or the usage error that says so.
fn parse_date(text: &str) -> Result<time::Date> {
    crate::model::date::parse_ymd(text).ok_or_else(|| {
        super::usage(&Diagnostic::on_command_line(
            Code::E006,
            format!("--effective `{text}` is not a date"),
            "write YYYY-MM-DD, the date the evidence was effective, e.g. 2026-09-30",
        ))
    })
}

fn read_scope(file: &Path, shown: &str) -> Result<String> {
    std::fs::read_to_string(file).map_err(|e| super::fail(&format!("{shown}: cannot read it: {e}")))
}

/// The scope the new text makes, checked as `validate` would; the first problem otherwise.
fn check_new_text(ws: &Loaded, scope: &Scope, new: &str, shown: &str, what: &str) -> Result<Scope> {
    let rel = scope.origin.file.to_string();
    let (checked, problems) = ws.check_scope_bytes(&rel, new.as_bytes().to_vec());
    if let Some(first) = problems.first() {
        return Err(super::fail(&format!(
            "{shown}: {what} would make the scope invalid (line {}: {}); nothing was written",
            first.line, first.message
        )));
    }
    checked.ok_or_else(|| {
        super::fail(&format!(
            "{shown}: {what} would make the scope unreadable; nothing was written"
        ))
    })
}

/// What `pin` found for one entry of the scope's own list.
enum PinChange {
    /// No `sha256:` yet: now the file's.
    Added { hash: String },
    /// The file changed since it was pinned: the new hash replaces the old.
    Replaced { old: String, hash: String },
}

fn pin(args: PinArgs) -> Result<u8> {
    let (ws, idx) = super::common::load_scope(&args.scope_file, "evidence pin")?;
    let scope = &ws.scopes[idx];
    let shown = crate::fs::input::display_path(&args.scope_file);
    let text = read_scope(&args.scope_file, &shown)?;
    let entries = outline(&text).map_err(|why| super::fail(&format!("{shown}: the scope does not parse ({why})")))?;
    let list = entries.iter().find(|e| e.key == "evidence");

    let mut changes: Vec<(usize, &Evidence, PinChange)> = Vec::new();
    let mut matching = 0usize;
    let mut missing: Vec<&Evidence> = Vec::new();
    let mut inherited: Vec<&Evidence> = Vec::new();
    for e in scope.evidence.iter().flatten() {
        let Some(index) = e
            .origin
            .pointer
            .strip_prefix("/evidence/")
            .and_then(|i| i.parse::<usize>().ok())
        else {
            if e.found_sha256.is_some() && e.found_sha256 != e.sha256 {
                inherited.push(e);
            }
            continue;
        };
        match (&e.found_sha256, &e.sha256) {
            (None, _) => missing.push(e),
            (Some(found), Some(pinned)) if found == pinned => matching += 1,
            (Some(found), None) => changes.push((index, e, PinChange::Added { hash: found.clone() })),
            (Some(found), Some(pinned)) => changes.push((
                index,
                e,
                PinChange::Replaced {
                    old: pinned.clone(),
                    hash: found.clone(),
                },
            )),
        }
    }

    let mut report = String::new();
    if !changes.is_empty() {
        let list =
            list.ok_or_else(|| super::fail(&format!("{shown}: no top-level `evidence:` list holds the entries")))?;
        let mut edits = Vec::with_capacity(changes.len());
        for (index, e, change) in &changes {
            let item = list.items.get(*index).ok_or_else(|| {
                super::fail(&format!(
                    "{shown}: the evidence entry for `{}` is not where it was read",
                    e.file
                ))
            })?;
            let hash = match change {
                PinChange::Added { hash } | PinChange::Replaced { hash, .. } => hash.clone(),
            };
            edits.push(FieldEdit {
                item,
                key: "sha256",
                value: hash,
            });
        }
        let new = outline::set_fields(&text, &edits).map_err(|line| {
            super::fail(&format!(
                "{shown}:{line}: the entry's `sha256:` is not a single value; write it as `sha256: HASH` and run again"
            ))
        })?;
        let written = check_new_text(&ws, scope, &new, &shown, "the new pins")?;
        let all_pinned = changes.iter().all(|(_, e, _)| {
            written
                .evidence
                .iter()
                .flatten()
                .any(|w| w.origin.pointer == e.origin.pointer && w.sha256.is_some() && w.sha256 == w.found_sha256)
        });
        if !all_pinned {
            return Err(super::fail(&format!(
                "{shown}: the new pins do not read back as written; nothing was written"
            )));
        }
        super::write_file(&args.scope_file, new.as_bytes())?;
        let _ = writeln!(
            report,
            "{shown}: pinned {}:",
            crate::emit::counted(changes.len(), "evidence file", "evidence files")
        );
        for (_, e, change) in &changes {
            let at = entry_at(&ws, scope, e);
            match change {
                PinChange::Added { hash } => {
                    let _ = writeln!(report, "  {} ({at}): was unpinned, now {hash}", e.file);
                }
                PinChange::Replaced { old, hash } => {
                    let _ = writeln!(report, "  {} ({at}): was {old}, now {hash}", e.file);
                }
            }
        }
        if matching > 0 {
            let _ = writeln!(
                report,
                "{} already matched {}.",
                crate::emit::counted(matching, "other file", "other files"),
                if matching == 1 { "its pin" } else { "their pins" }
            );
        }
    } else if missing.is_empty() && inherited.is_empty() {
        let _ = writeln!(
            report,
            "{shown}: {}; nothing to change",
            match matching {
                0 => "the scope lists no evidence of its own".to_string(),
                1 => "the one evidence file matches its pin".to_string(),
                n => format!("all {n} evidence files match their pins"),
            }
        );
    } else {
        let _ = writeln!(
            report,
            "{shown}: no pin changed{}",
            match matching {
                0 => String::new(),
                n => format!(" ({} already matched)", crate::emit::counted(n, "file", "files")),
            }
        );
    }
    super::out(&crate::emit::escape::terminal_text(&report, false))?;

    let mut notes = String::new();
    for e in &missing {
        let _ = writeln!(
            notes,
            "{shown}: `{}` ({}) does not exist, so it was not pinned (CM010): add the file or fix the entry",
            e.file,
            entry_at(&ws, scope, e)
        );
    }
    for e in &inherited {
        let _ = writeln!(
            notes,
            "{shown}: `{}` comes from the scope's package ({}), which `evidence pin` does not edit: write `sha256: {}` in that entry by hand",
            e.file,
            entry_at(&ws, scope, e),
            e.found_sha256.as_deref().unwrap_or_default()
        );
    }
    if !notes.is_empty() {
        crate::emit::terminal::eprintln(notes.trim_end());
    }
    Ok(0)
}
