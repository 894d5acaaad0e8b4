//! Load: read a workspace and the built-in catalogs, parse, validate, build typed data and
//! check every reference. Every problem becomes a [`Diagnostic`]; nothing past this stage
//! sees invalid data, and one bad file never hides the problems of another.
//!
//! This file holds [`Loaded`] and the entry points (the whole workspace, streamed scopes, one
//! scope); the steps live beside it: the folder walk (`walk.rs`), one file read, parsed and
//! schema-checked (`prepare.rs`), typing each kind (`typing.rs`), reference checks and
//! evidence hashing (`references.rs`), packages and shared parties (`package.rs`), and OSCAL
//! import (`oscal_import/`).
//!
//! May use: `model`, `fs` (the read policy), `format` (the YAML tree, rule templates, OSCAL
//! identifiers). Never `resolve`, `assess` or `emit`.

mod one_scope;
pub mod oscal_import;
pub mod outline;
mod package;
mod prepare;
mod references;
pub mod schema;
mod typing;
mod walk;

use crate::format::yaml::{Limits, Node, Pos, YamlProblem};
use crate::fs::input::{MAX_INPUT_BYTES, Refusal, Root, display_path};
use crate::model::catalog::Framework;
use crate::model::diagnostic::{Code, Diagnostic, closest};
use crate::model::*;
use schema::{Kind, Schemas};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use prepare::*;
use references::*;
use typing::*;
pub use walk::ScopeFile;
use walk::*;

/// The origin of the item at `pointer` of a file; `file` is shared by every origin in it.
fn origin_at(file: &std::sync::Arc<str>, root: &Node, pointer: String) -> Origin {
    let pos = root.locate(&pointer);
    Origin {
        file: file.clone(),
        line: pos.line,
        column: pos.column,
        pointer,
    }
}

/// Unknown references in one file that get a "did you mean" (finding the closest ids
/// compares with every control of a catalog); later ones say where to look instead, so a
/// file of 40,000 typos costs linear time.
const SUGGESTIONS_PER_FILE: usize = 200;

/// How a workspace is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Skip empty (or comment-only) YAML files instead of reporting them (E020). Off by
    /// default: an empty scope file must not let a client drop out of the gate unnoticed.
    pub allow_empty: bool,
    /// Keep no scope file's SHA-256 in the workspace's `inputs` as scopes stream in
    /// ([`Loaded::record_scopes`]): for a run that writes nothing citing them (`check`),
    /// so that memory does not grow with the number of scopes for them.
    pub forget_scope_hashes: bool,
}

/// A loaded workspace: the plain data the engine reads ([`crate::model::Workspace`], reached
/// through `Deref`), the diagnostics, the texts to show them with, and the loader's own state
/// for streaming scopes in.
#[derive(Default)]
pub struct Loaded {
    pub ws: crate::model::Workspace,
    /// Texts of every file read, by display path, to render diagnostics with their source.
    pub sources: BTreeMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
    /// What the workspace may read: files inside `root`, after resolving links.
    pub reader: Root,
    /// Parsed trees by display path, to position diagnostics found after typing.
    nodes: BTreeMap<String, Node>,
    /// Every scope id seen, with where it was defined (duplicates across files are errors,
    /// also when scopes are streamed and dropped).
    scope_ids: std::collections::HashMap<String, Origin>,
    /// Where each service's `id` is written (a duplicate points at the first one).
    service_ids: std::collections::HashMap<String, Origin>,
    /// The compiled schemas, kept for streaming scopes in after the rest of the workspace.
    schemas: Option<&'static Schemas>,
    /// Services that did not fit their schema: kept only to check their references.
    unusable_services: Vec<Service>,
    options: LoadOptions,
    /// The scope files a one-scope load ([`Loaded::load_one_scope`]) did not read.
    pub unread_scopes: Vec<ScopeFile>,
    /// A one-scope load that did not even list the other scope files (the file was named
    /// directly under `scopes/`): [`Loaded::other_scope_files`] lists them when a command
    /// needs them, and `unread_scopes` is empty.
    pub scopes_unlisted: bool,
}

impl std::ops::Deref for Loaded {
    type Target = crate::model::Workspace;
    fn deref(&self) -> &crate::model::Workspace {
        &self.ws
    }
}

impl std::ops::DerefMut for Loaded {
    fn deref_mut(&mut self) -> &mut crate::model::Workspace {
        &mut self.ws
    }
}

/// A chunk of scope files prepared by [`Loaded::prepare_scopes`], waiting to be recorded by
/// [`Loaded::record_scopes`].
pub struct PreparedScopes(Vec<ScopeLoad>);

/// A scope file taken through every per-file step (read, parse, schema, typing, reference
/// checks, evidence hashing) on a worker thread, ready to be recorded.
struct ScopeLoad {
    prepared: Prepared,
    scope: Option<TypedScope>,
}

/// A typed scope with the position of its `id`.
struct TypedScope {
    scope: Scope,
    id_pos: Pos,
}

/// The embedded schemas, compiled once per process.
fn schemas() -> Result<&'static Schemas, String> {
    static SCHEMAS: OnceLock<Result<Schemas, String>> = OnceLock::new();
    SCHEMAS.get_or_init(Schemas::builtin).as_ref().map_err(Clone::clone)
}

/// The built-in catalogs, crosswalks and policy packs, parsed and validated once per
/// process; every workspace starts from a copy of the typed data (the parsed trees are
/// shared, not copied).
struct Builtin {
    frameworks: BTreeMap<String, std::sync::Arc<Framework>>,
    crosswalks: Vec<Crosswalk>,
    packs: BTreeMap<String, crate::model::policy::Pack>,
    nodes: BTreeMap<String, Node>,
    diagnostics: Vec<Diagnostic>,
}

fn builtin_files() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut ws = Loaded::default();
        if let Ok(schemas) = schemas() {
            ws.parse_builtin(schemas);
        }
        Builtin {
            frameworks: ws.ws.frameworks,
            crosswalks: ws.ws.crosswalks,
            packs: ws.ws.packs,
            nodes: ws.nodes,
            diagnostics: ws.diagnostics,
        }
    })
}

impl Loaded {
    /// The built-in catalogs and crosswalks only (for `ctrlmap frameworks`).
    pub fn builtin() -> Result<Loaded, String> {
        schemas()?;
        let mut ws = Loaded::default();
        ws.load_builtin();
        ws.check_catalogs();
        ws.check_crosswalks();
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        Ok(ws)
    }

    /// Load a workspace folder on top of the built-in catalogs. `Err` only when ctrlmap
    /// itself is broken (embedded schemas do not compile) or the folder does not exist.
    pub fn load(root: &Path) -> Result<Loaded, String> {
        Loaded::load_with(root, LoadOptions::default())
    }

    /// [`Loaded::load`] with options.
    pub fn load_with(root: &Path, options: LoadOptions) -> Result<Loaded, String> {
        let (mut ws, scope_files) = Loaded::load_streaming_with(root, options)?;
        for chunk in scope_files.chunks(64) {
            let scopes = ws.load_scopes(chunk);
            ws.scopes.extend(scopes);
        }
        ws.scopes.sort_by(|a, b| a.id.cmp(&b.id));
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        Ok(ws)
    }

    /// Load everything but the scopes, and return the scope files to stream through
    /// [`Loaded::load_scopes`] a chunk at a time, so memory does not grow with the
    /// portfolio. Services and catalogs are complete when the first scope is checked.
    pub fn load_streaming(root: &Path) -> Result<(Loaded, Vec<ScopeFile>), String> {
        Loaded::load_streaming_with(root, LoadOptions::default())
    }

    /// [`Loaded::load_streaming`] with options.
    pub fn load_streaming_with(root: &Path, options: LoadOptions) -> Result<(Loaded, Vec<ScopeFile>), String> {
        Loaded::load_all_but_scopes(root, options, true)
    }

    /// Load everything but the scopes; with `list_scopes`, also list the scope files (else
    /// the list returned is empty and `scopes/` is not read).
    fn load_all_but_scopes(
        root: &Path,
        options: LoadOptions,
        list_scopes: bool,
    ) -> Result<(Loaded, Vec<ScopeFile>), String> {
        if !root.is_dir() {
            return Err(format!(
                "{}: not a folder (give the workspace folder, the one holding `scopes/` and `services/`)",
                display_path(root)
            ));
        }
        let schemas = schemas()?;
        let mut ws = Loaded {
            ws: crate::model::Workspace {
                root: root.to_path_buf(),
                ..Default::default()
            },
            reader: Root::new(root),
            options,
            ..Loaded::default()
        };
        ws.load_builtin();
        // Reading, parsing and schema validation are independent per file: do them in
        // parallel, then apply the results in the files' sorted order (deterministic output).
        use rayon::prelude::*;
        let (found, walk_problems) = workspace_files(root, &ws.reader, list_scopes);
        ws.diagnostics.extend(walk_problems);
        ws.files = found.iter().map(|(rel, path, _)| (rel.clone(), path.clone())).collect();
        let (mut scope_files, other): (Vec<ScopeFile>, Vec<ScopeFile>) =
            found.into_iter().partition(|(_, _, kind)| *kind == Some(Kind::Scope));
        // Kept for the whole streaming run: no room for files that are not there.
        scope_files.shrink_to_fit();
        let reader = &ws.reader;
        let prepared: Vec<Prepared> = other
            .par_iter()
            .map(|(rel, path, expected)| prepare_file(reader, schemas, rel, path, *expected, options))
            .collect();
        for p in prepared {
            ws.apply(p, false);
        }
        ws.check_catalogs();
        ws.check_crosswalks();
        ws.check_services();
        ws.check_packages();
        ws.check_severity_codes();
        ws.schemas = Some(schemas);
        Ok((ws, scope_files))
    }

    /// Load and check a chunk of scope files; the scopes are returned, not kept. Everything
    /// that concerns one file alone runs in parallel; only what spans files (duplicate ids,
    /// the diagnostics list) is recorded here, in the files' sorted order.
    pub fn load_scopes(&mut self, files: &[ScopeFile]) -> Vec<Scope> {
        let prepared = self.prepare_scopes(files);
        self.record_scopes(prepared)
    }

    /// The part of [`Loaded::load_scopes`] that concerns each file alone (read, parse,
    /// validate, type, check references, hash evidence), in parallel, recording nothing: a
    /// caller may prepare the next chunk while it assesses this one.
    pub fn prepare_scopes(&self, files: &[ScopeFile]) -> PreparedScopes {
        use rayon::prelude::*;
        let Some(schemas) = self.schemas else {
            return PreparedScopes(Vec::new());
        };
        PreparedScopes(
            files
                .par_iter()
                .map(|(rel, path, expected)| self.prepare_scope(schemas, rel, path, *expected))
                .collect(),
        )
    }

    /// The part of [`Loaded::load_scopes`] that spans files, in the files' order: each
    /// prepared scope's diagnostics, its id (a duplicate is E011), its input hash. The scopes
    /// that were typed are returned.
    pub fn record_scopes(&mut self, prepared: PreparedScopes) -> Vec<Scope> {
        let mut scopes = Vec::with_capacity(prepared.0.len());
        for ScopeLoad { prepared, scope } in prepared.0 {
            let Some(TypedScope { scope, id_pos }) = scope else {
                self.apply(prepared, false);
                continue;
            };
            let Prepared {
                file,
                text,
                sha256,
                diagnostics,
                ..
            } = prepared;
            if let Some(sha) = sha256.filter(|_| !self.options.forget_scope_hashes) {
                self.inputs.insert(file.clone(), sha);
            }
            let before = self.diagnostics.len();
            self.diagnostics.extend(diagnostics);
            if let Some(scope) = self.register_scope(scope, &file, id_pos) {
                scopes.push(scope);
            }
            if self.diagnostics.len() > before
                && let Some(text) = text
            {
                self.sources.insert(file.clone(), text); // to show the problems with their source
            }
        }
        scopes
    }

    /// Load scope files again that [`Loaded::load_scopes`] has already checked, recording
    /// nothing (no ids, no diagnostics): a second look at scopes that were dropped. Only the
    /// scopes that still load without a problem are returned, in the files' order.
    pub fn reload_scopes(&self, files: &[ScopeFile]) -> Vec<Scope> {
        use rayon::prelude::*;
        let Some(schemas) = self.schemas else {
            return Vec::new();
        };
        let loaded: Vec<Option<Scope>> = files
            .par_iter()
            .map(|(rel, path, expected)| {
                let ScopeLoad { prepared, scope } = self.prepare_scope(schemas, rel, path, *expected);
                scope.filter(|_| prepared.diagnostics.is_empty()).map(|t| t.scope)
            })
            .collect();
        loaded.into_iter().flatten().collect()
    }

    /// Read, parse, validate, type and check one scope file (no shared state is written).
    /// A scope with schema errors is still checked for references, so one run reports
    /// every problem of the file; it is not returned for assessment.
    fn prepare_scope(&self, schemas: &Schemas, rel: &str, path: &Path, expected: Option<Kind>) -> ScopeLoad {
        self.scope_from(prepare_file(&self.reader, schemas, rel, path, expected, self.options))
    }

    /// Take one scope file's bytes through every per-file step against this workspace
    /// (UTF-8, YAML, schema, typing, reference checks, evidence hashing) without recording
    /// anything: for fuzzing and tests. Returns the problems, and the scope when it has none.
    pub fn check_scope_bytes(&self, rel: &str, bytes: Vec<u8>) -> (Option<Scope>, Vec<Diagnostic>) {
        let Ok(schemas) = schemas() else {
            return (None, Vec::new());
        };
        let ScopeLoad { prepared, scope } =
            self.scope_from(prepare_bytes(schemas, rel, bytes, Some(Kind::Scope), self.options));
        let scope = scope.filter(|_| prepared.diagnostics.is_empty()).map(|t| t.scope);
        (scope, prepared.diagnostics)
    }

    /// The scope of a prepared scope file, checked (see [`Loaded::prepare_scope`]).
    fn scope_from(&self, mut prepared: Prepared) -> ScopeLoad {
        let mut doc = match prepared.doc.take() {
            Some((Kind::Scope, doc)) => doc,
            other => {
                prepared.doc = other;
                return ScopeLoad { prepared, scope: None };
            }
        };
        let sha = prepared.sha256.clone().unwrap_or_default();
        let Some((mut scope, patched)) = build_scope(&mut doc, sha) else {
            return ScopeLoad { prepared, scope: None };
        };
        let diagnostics = self.check_scope(&mut scope, &doc.root);
        prepared.diagnostics.extend(diagnostics);
        if patched {
            return ScopeLoad { prepared, scope: None };
        }
        let id_pos = doc.root.locate("/id");
        scope.positions = kept_positions(&scope, &doc.root);
        let inherited = self.inherit(&mut scope, &doc.root);
        if !inherited.is_empty() {
            prepared.diagnostics.extend(inherited);
            return ScopeLoad { prepared, scope: None };
        }
        ScopeLoad {
            prepared,
            scope: Some(TypedScope { scope, id_pos }),
        }
    }

    /// Record a scope's id; a second scope with the same id is a diagnostic, not a scope.
    fn register_scope(&mut self, scope: Scope, file: &str, id_pos: Pos) -> Option<Scope> {
        if let Some(existing) = self.scope_ids.get(&scope.id) {
            self.diagnostics.push(defined_twice(
                file,
                id_pos,
                format!("scope `{}` is also defined in {}", scope.id, existing),
                "scope ids must be unique across `scopes/`; rename one",
                existing,
            ));
            return None;
        }
        // The place of the `id:` itself, so a duplicate's note points at it.
        let at = Origin {
            line: id_pos.line,
            column: id_pos.column,
            pointer: "/id".into(),
            ..scope.origin.clone()
        };
        self.scope_ids.insert(scope.id.clone(), at);
        Some(scope)
    }

    /// Start from (a copy of) the built-in catalogs, crosswalks and packs.
    fn load_builtin(&mut self) {
        let b = builtin_files();
        self.frameworks = b.frameworks.clone();
        self.crosswalks = b.crosswalks.clone();
        self.packs = b.packs.clone();
        self.diagnostics.extend(b.diagnostics.iter().cloned());
    }

    /// The parsed tree of a file: the workspace's, or a built-in one.
    fn node(&self, file: &str) -> Option<&Node> {
        self.nodes.get(file).or_else(|| builtin_files().nodes.get(file))
    }

    /// The text of an input file by display path (a workspace file that has problems, or a
    /// built-in file), to show a diagnostic's source line.
    pub fn source(&self, file: &str) -> Option<&str> {
        match file.strip_prefix("<builtin>/") {
            Some(path) => crate::fs::embedded::get(path),
            None => self.sources.get(file).map(String::as_str),
        }
    }

    fn parse_builtin(&mut self, schemas: &Schemas) {
        use rayon::prelude::*;
        let files: Vec<(&str, &str, Kind)> = crate::fs::embedded::FILES
            .iter()
            .filter(|(path, _)| path.ends_with(".yaml") || path.ends_with(".yml"))
            .filter_map(|(path, text)| {
                let kind = if path.starts_with("frameworks/crosswalks/") {
                    Kind::Crosswalk
                } else if path.starts_with("frameworks/") {
                    Kind::Catalog
                } else if path.starts_with("policies/") {
                    Kind::Policy
                } else {
                    return None;
                };
                Some((*path, *text, kind))
            })
            .collect();
        // Parsed and validated in parallel, recorded in the embedded order.
        let prepared: Vec<Prepared> = files
            .par_iter()
            .map(|(path, text, kind)| {
                prepare_text(
                    schemas,
                    &format!("<builtin>/{path}"),
                    text.to_string(),
                    Some(*kind),
                    LoadOptions::default(),
                )
            })
            .collect();
        for p in prepared {
            self.apply(p, true);
        }
    }

    /// Record a prepared file: its text, hash, diagnostics and typed contents.
    fn apply(&mut self, prepared: Prepared, builtin: bool) {
        let Prepared {
            file,
            text,
            sha256,
            diagnostics,
            doc,
        } = prepared;
        if let Some(text) = text {
            self.sources.insert(file.clone(), text);
        }
        if let Some(sha) = sha256 {
            self.inputs.insert(file, sha);
        }
        self.diagnostics.extend(diagnostics);
        if let Some((kind, doc)) = doc {
            self.build(kind, doc, builtin);
        }
    }

    /// The scope defined in `file` (a path as the user typed it): the scope file found at
    /// that place of the workspace (a symbolic link is matched by where it sits), or the
    /// one whose file it resolves to.
    pub fn scope_for_file(&self, file: &Path) -> Option<&Scope> {
        let wanted_place = place_of(file, &mut HashMap::new());
        let wanted_target = file.canonicalize().ok();
        let path_of = |s: &Scope| self.files.get(&*s.origin.file).cloned();
        let mut folders = HashMap::new();
        self.scopes
            .iter()
            .find(|s| path_of(s).is_some_and(|p| wanted_place.is_some() && place_of(&p, &mut folders) == wanted_place))
            .or_else(|| {
                self.scopes.iter().find(|s| {
                    path_of(s).is_some_and(|p| wanted_target.is_some() && p.canonicalize().ok() == wanted_target)
                })
            })
    }
}

/// E011: an id defined a second time, at `at` in `file`, with a note on the first definition.
/// `message` says what is defined twice and where first; `help` how to mend it.
fn defined_twice(file: &str, at: Pos, message: String, help: &str, first: &Origin) -> Diagnostic {
    Diagnostic::new(file, at, Code::E011, message, help).with_label(
        &first.file,
        Pos {
            line: first.line,
            column: first.column,
        },
        "first defined here",
    )
}

/// A file's place: its folder with links resolved, and its own name (so a symbolic link is
/// identified by where it sits, not where it points). `folders` keeps each folder resolved
/// once when many files are compared.
fn place_of(file: &Path, folders: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let name = file.file_name()?;
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = folders
        .entry(parent.to_path_buf())
        .or_insert_with(|| parent.canonicalize().ok());
    Some(folder.as_ref()?.join(name))
}
