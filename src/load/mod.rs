//! Load: read a workspace and the built-in catalogs, parse, validate, build typed data and
//! check every reference. Every problem becomes a [`Diagnostic`]; nothing past this stage
//! sees invalid data, and one bad file never hides the problems of another.

pub mod schema;
pub mod yaml;

use crate::catalog::Framework;
use crate::diag::{Code, Diagnostic, closest};
use crate::model::*;
use schema::{Kind, Schemas};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use yaml::{Limits, Node, Pos, YamlProblem};

/// Largest input file we read (catalogs are ~200 KB; scopes a few KB).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Everything loaded: frameworks, crosswalks, services, scopes, config, and diagnostics.
#[derive(Default)]
pub struct Workspace {
    /// Folder of the workspace (absolute or as given).
    pub root: PathBuf,
    /// Texts of every file read, by display path, to render diagnostics with their source.
    pub sources: BTreeMap<String, String>,
    pub frameworks: BTreeMap<String, Framework>,
    pub crosswalks: Vec<Crosswalk>,
    pub services: BTreeMap<String, Service>,
    /// Scopes sorted by id.
    pub scopes: Vec<Scope>,
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    /// Display path of each workspace file read, with its SHA-256.
    pub inputs: BTreeMap<String, String>,
    /// Policy packs by id (built-in, then the workspace's, which replace by id).
    pub packs: BTreeMap<String, crate::policy::Pack>,
    /// Parsed trees by display path, to position diagnostics found after typing.
    nodes: BTreeMap<String, Node>,
    /// Every scope id seen, with where it was defined (duplicates across files are errors,
    /// also when scopes are streamed and dropped).
    scope_ids: std::collections::HashMap<String, Origin>,
    /// The compiled schemas, kept for streaming scopes in after the rest of the workspace.
    schemas: Option<Schemas>,
    /// `root`, with symbolic links resolved, to keep evidence paths inside it.
    root_canon: Option<PathBuf>,
}

/// One file read, parsed and validated, not yet recorded in the workspace.
struct Prepared {
    file: String,
    text: Option<String>,
    sha256: Option<String>,
    diagnostics: Vec<Diagnostic>,
    doc: Option<(Kind, Doc)>,
}

impl Prepared {
    fn failed(file: &str, diagnostic: Diagnostic) -> Prepared {
        Prepared {
            file: file.to_string(),
            text: None,
            sha256: None,
            diagnostics: vec![diagnostic],
            doc: None,
        }
    }
}

/// Read a workspace file and prepare it (no shared state: runs in parallel).
fn prepare_file(schemas: &Schemas, rel: &str, path: &Path, expected: Option<Kind>) -> Prepared {
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Prepared::failed(
                rel,
                Diagnostic::new(
                    rel,
                    Pos::default(),
                    Code::E013,
                    format!(
                        "file is {} bytes, more than the {MAX_FILE_BYTES} bytes ctrlmap reads",
                        m.len()
                    ),
                    "split the file",
                ),
            );
        }
        _ => std::fs::read(path),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            return Prepared::failed(
                rel,
                Diagnostic::new(
                    rel,
                    Pos::default(),
                    Code::E016,
                    format!("cannot read the file: {e}"),
                    "check the file's permissions",
                ),
            );
        }
    };
    let sha = crate::hash::sha256_hex(&bytes);
    let mut prepared = match String::from_utf8(bytes) {
        Ok(text) => prepare_text(schemas, rel, text, expected),
        Err(e) => Prepared::failed(
            rel,
            Diagnostic::new(
                rel,
                Pos::default(),
                Code::E001,
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
                "save the file as UTF-8",
            ),
        ),
    };
    prepared.sha256 = Some(sha);
    prepared
}

/// Parse a file's text, check its kind and validate it against its schema.
fn prepare_text(schemas: &Schemas, file: &str, text: String, expected: Option<Kind>) -> Prepared {
    let parsed = yaml::parse(&text, Limits::default());
    let mut out = Prepared {
        file: file.to_string(),
        text: None,
        sha256: None,
        diagnostics: parsed.problems.iter().map(|p| yaml_diagnostic(file, p)).collect(),
        doc: None,
    };
    let Some(mut root) = parsed.root else {
        out.text = Some(text);
        return out;
    };
    let json = root.take_json();
    let kind_text = json.get("kind").and_then(Value::as_str);
    let kind = match kind_text.and_then(Kind::parse) {
        Some(k) => k,
        None => {
            let expected_name = expected.map_or(
                "one of catalog, crosswalk, service, scope, policy, config".to_string(),
                |k| format!("`{}`", k.name()),
            );
            let (pos, message) = match kind_text {
                Some(k) => (root.locate("/kind"), format!("unknown kind `{k}`")),
                None if json.is_object() => (root.pos, "missing `kind`".to_string()),
                None => (root.pos, "the file is not a mapping with a `kind`".to_string()),
            };
            out.diagnostics.push(Diagnostic::new(
                file,
                pos,
                Code::E014,
                message,
                format!("start the file with `kind:` set to {expected_name}"),
            ));
            out.text = Some(text);
            return out;
        }
    };
    if let Some(expected) = expected
        && expected != kind
        && !(expected == Kind::Catalog && kind == Kind::Crosswalk)
    {
        out.diagnostics.push(Diagnostic::new(
            file,
            root.locate("/kind"),
            Code::E014,
            format!("a `{}` file in the folder for `{}` files", kind.name(), expected.name()),
            format!("move the file to the folder for {} files, or fix `kind`", kind.name()),
        ));
        out.text = Some(text);
        return out;
    }
    let (diags, bad) = schemas.validate(kind, file, &root, &json);
    out.diagnostics.extend(diags);
    let json = prune(json, &bad);
    out.doc = Some((
        kind,
        Doc {
            file: file.into(),
            root,
            json,
        },
    ));
    out.text = Some(text);
    out
}

/// A parsed, schema-checked document on its way to becoming typed.
struct Doc {
    file: std::sync::Arc<str>,
    root: Node,
    json: Value,
}

/// Type a scope document and record where each of its items sits.
fn build_scope(doc: &mut Doc, sha256: String) -> Option<Scope> {
    let mut scope = serde_json::from_value::<Scope>(std::mem::take(&mut doc.json)).ok()?;
    scope.origin = Origin::at(&doc.file, &doc.root, String::new());
    scope.sha256 = sha256;
    let at = |list: &str, i: usize| Origin::at(&doc.file, &doc.root, format!("/{list}/{i}"));
    for (i, x) in scope.services.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("services", i);
        }
    }
    for (i, x) in scope.assignments.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("assignments", i);
        }
    }
    for (i, x) in scope.client_owned.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("client_owned", i);
        }
    }
    for (i, x) in scope.not_applicable.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("not_applicable", i);
        }
    }
    for (i, x) in scope.addressable.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("addressable", i);
        }
    }
    for (i, x) in scope.evidence.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("evidence", i);
        }
    }
    for (i, x) in scope.waivers.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("waivers", i);
        }
    }
    Some(scope)
}

/// The few positions in a scope file that findings point at, kept after its tree is dropped.
fn kept_positions(scope: &Scope, root: &Node) -> Vec<(String, Pos)> {
    let mut pointers = vec![
        "/sla".to_string(),
        "/sla/incident_notification".to_string(),
        "/evidence".to_string(),
        "/services".to_string(),
        "/provider".to_string(),
        "/provider/baa_signed".to_string(),
        "/provider/agent".to_string(),
        "/sla/client_margin".to_string(),
        "/client/profile".to_string(),
        "/client/profile/glba".to_string(),
        "/client/profile/institution_type".to_string(),
    ];
    for i in 0..scope.parties.len() {
        pointers.push(format!("/parties/{i}"));
        pointers.push(format!("/parties/{i}/baa"));
    }
    for e in scope.evidence.iter().flatten() {
        pointers.push(format!("{}/file", e.origin.pointer));
        pointers.push(format!("{}/effective", e.origin.pointer));
    }
    pointers
        .into_iter()
        .map(|p| {
            let pos = root.locate(&p);
            (p, pos)
        })
        .collect()
}

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

impl Workspace {
    /// The built-in catalogs and crosswalks only (for `ctrlmap frameworks`).
    pub fn builtin() -> Result<Workspace, String> {
        let schemas = Schemas::builtin()?;
        let mut ws = Workspace::default();
        ws.load_builtin(&schemas);
        ws.check_catalogs();
        ws.check_crosswalks();
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        Ok(ws)
    }

    /// Load a workspace folder on top of the built-in catalogs. `Err` only when ctrlmap
    /// itself is broken (embedded schemas do not compile) or the folder does not exist.
    pub fn load(root: &Path) -> Result<Workspace, String> {
        let (mut ws, scope_files) = Workspace::load_streaming(root)?;
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
    /// [`Workspace::load_scopes`] a chunk at a time, so memory does not grow with the
    /// portfolio. Services and catalogs are complete when the first scope is checked.
    pub fn load_streaming(root: &Path) -> Result<(Workspace, Vec<ScopeFile>), String> {
        if !root.is_dir() {
            return Err(format!(
                "{}: not a folder (give the workspace folder, the one holding `scopes/` and `services/`)",
                root.display()
            ));
        }
        let schemas = Schemas::builtin()?;
        let mut ws = Workspace {
            root: root.to_path_buf(),
            root_canon: root.canonicalize().ok(),
            ..Workspace::default()
        };
        ws.load_builtin(&schemas);
        // Reading, parsing and schema validation are independent per file: do them in
        // parallel, then apply the results in the files' sorted order (deterministic output).
        use rayon::prelude::*;
        let (scope_files, other): (Vec<ScopeFile>, Vec<ScopeFile>) = workspace_files(root)
            .into_iter()
            .partition(|(_, _, kind)| *kind == Some(Kind::Scope));
        let prepared: Vec<Prepared> = other
            .par_iter()
            .map(|(rel, path, expected)| prepare_file(&schemas, rel, path, *expected))
            .collect();
        for p in prepared {
            ws.apply(p, false);
        }
        ws.check_catalogs();
        ws.check_crosswalks();
        ws.check_services();
        ws.schemas = Some(schemas);
        Ok((ws, scope_files))
    }

    /// Load and check a chunk of scope files; the scopes are returned, not kept. Everything
    /// that concerns one file alone runs in parallel; only what spans files (duplicate ids,
    /// the diagnostics list) is recorded here, in the files' sorted order.
    pub fn load_scopes(&mut self, files: &[ScopeFile]) -> Vec<Scope> {
        use rayon::prelude::*;
        let Some(schemas) = self.schemas.take() else {
            return Vec::new();
        };
        let this = &*self;
        let loaded: Vec<ScopeLoad> = files
            .par_iter()
            .map(|(rel, path, expected)| this.prepare_scope(&schemas, rel, path, *expected))
            .collect();
        self.schemas = Some(schemas);
        let mut scopes = Vec::with_capacity(loaded.len());
        for ScopeLoad { prepared, scope } in loaded {
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
            if let Some(sha) = sha256 {
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

    /// Read, parse, validate, type and check one scope file (no shared state is written).
    fn prepare_scope(&self, schemas: &Schemas, rel: &str, path: &Path, expected: Option<Kind>) -> ScopeLoad {
        let mut prepared = prepare_file(schemas, rel, path, expected);
        let mut doc = match prepared.doc.take() {
            Some((Kind::Scope, doc)) => doc,
            other => {
                prepared.doc = other;
                return ScopeLoad { prepared, scope: None };
            }
        };
        let sha = prepared.sha256.clone().unwrap_or_default();
        let Some(mut scope) = build_scope(&mut doc, sha) else {
            return ScopeLoad { prepared, scope: None };
        };
        let diagnostics = self.check_scope(&mut scope, &doc.root);
        prepared.diagnostics.extend(diagnostics);
        let id_pos = doc.root.locate("/id");
        scope.positions = kept_positions(&scope, &doc.root);
        ScopeLoad {
            prepared,
            scope: Some(TypedScope { scope, id_pos }),
        }
    }

    /// Record a scope's id; a second scope with the same id is a diagnostic, not a scope.
    fn register_scope(&mut self, scope: Scope, file: &str, id_pos: Pos) -> Option<Scope> {
        if let Some(existing) = self.scope_ids.get(&scope.id) {
            self.diagnostics.push(Diagnostic::new(
                file,
                id_pos,
                Code::E011,
                format!("scope `{}` is also defined in {}", scope.id, existing),
                "scope ids must be unique across `scopes/`; rename one",
            ));
            return None;
        }
        self.scope_ids.insert(scope.id.clone(), scope.origin.clone());
        Some(scope)
    }

    fn load_builtin(&mut self, schemas: &Schemas) {
        use rayon::prelude::*;
        let files: Vec<(&str, &str, Kind)> = crate::embedded::FILES
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
                prepare_text(schemas, &format!("<builtin>/{path}"), text.to_string(), Some(*kind))
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

    fn build(&mut self, kind: Kind, mut doc: Doc, builtin: bool) {
        let _ = builtin;
        let origin = Origin::at(&doc.file, &doc.root, String::new());
        match kind {
            Kind::Catalog => {
                let Ok(mut catalog) = serde_json::from_value::<Catalog>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                catalog.origin = origin;
                for (i, control) in catalog.controls.iter_mut().enumerate() {
                    if let Some(c) = control {
                        c.origin = Origin::at(&doc.file, &doc.root, format!("/controls/{i}"));
                    }
                }
                if let Some(existing) = self.frameworks.get(&catalog.id)
                    && !existing.catalog.origin.file.starts_with("<builtin>")
                {
                    self.diagnostics.push(Diagnostic::new(
                        &doc.file,
                        doc.root.locate("/id"),
                        Code::E011,
                        format!(
                            "catalog `{}` is also defined in {}",
                            catalog.id, existing.catalog.origin
                        ),
                        "give one of the catalogs another id",
                    ));
                    return;
                }
                self.frameworks.insert(catalog.id.clone(), Framework::new(catalog));
            }
            Kind::Crosswalk => {
                let Ok(mut cw) = serde_json::from_value::<Crosswalk>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                cw.origin = origin;
                for (i, m) in cw.mappings.iter_mut().enumerate() {
                    if let Some(m) = m {
                        m.origin = Origin::at(&doc.file, &doc.root, format!("/mappings/{i}"));
                    }
                }
                // A workspace crosswalk replaces a built-in one with the same id.
                if let Some(pos) = self.crosswalks.iter().position(|c| c.id == cw.id) {
                    if self.crosswalks[pos].origin.file.starts_with("<builtin>") {
                        self.crosswalks[pos] = cw;
                    } else {
                        self.diagnostics.push(Diagnostic::new(
                            &doc.file,
                            doc.root.locate("/id"),
                            Code::E011,
                            format!(
                                "crosswalk `{}` is also defined in {}",
                                cw.id, self.crosswalks[pos].origin
                            ),
                            "give one of the crosswalks another id",
                        ));
                    }
                } else {
                    self.crosswalks.push(cw);
                }
            }
            Kind::Service => {
                let Ok(mut service) = serde_json::from_value::<Service>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                service.origin = origin;
                for (i, c) in service.controls.iter_mut().enumerate() {
                    if let Some(c) = c {
                        c.origin = Origin::at(&doc.file, &doc.root, format!("/controls/{i}"));
                    }
                }
                if let Some(existing) = self.services.get(&service.id) {
                    self.diagnostics.push(Diagnostic::new(
                        &doc.file,
                        doc.root.locate("/id"),
                        Code::E011,
                        format!("service `{}` is also defined in {}", service.id, existing.origin),
                        "service ids must be unique across `services/`; rename one",
                    ));
                    return;
                }
                self.services.insert(service.id.clone(), service);
            }
            Kind::Scope => {
                let sha = self.inputs.get(&*doc.file).cloned().unwrap_or_default();
                let Some(scope) = build_scope(&mut doc, sha) else {
                    return;
                };
                let id_pos = doc.root.locate("/id");
                if let Some(scope) = self.register_scope(scope, &doc.file, id_pos) {
                    self.scopes.push(scope);
                }
            }
            Kind::Config => {
                let Ok(mut config) = serde_json::from_value::<Config>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                config.origin = origin;
                self.config = config;
            }
            Kind::Policy => {
                let Ok(mut pack) = serde_json::from_value::<crate::policy::Pack>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                pack.origin = origin;
                for (i, rule) in pack.rules.iter_mut().enumerate() {
                    rule.origin = Origin::at(&doc.file, &doc.root, format!("/rules/{i}"));
                    if rule.kind == crate::policy::RuleKind::Custom {
                        let pos = doc.root.locate(&format!("/rules/{i}/when"));
                        match &rule.when {
                            None => self.diagnostics.push(Diagnostic::new(
                                &doc.file,
                                pos,
                                Code::E005,
                                format!("custom rule `{}` has no `when` expression", rule.code),
                                "add `when:` with a minijinja expression, e.g. `row.summary == 'unassigned'`",
                            )),
                            Some(expr) => {
                                if let Err(e) = crate::policy::check_expression(expr) {
                                    self.diagnostics.push(Diagnostic::new(&doc.file, pos, Code::E019, format!("custom rule `{}`: the `when` expression does not compile: {e}", rule.code), "write a minijinja expression over `row`, `control` and `scope`, e.g. `row.summary == 'msp' and control.requirement == 'addressable'`"));
                                }
                            }
                        }
                    }
                }
                // A workspace pack replaces the built-in pack with the same id.
                if let Some(existing) = self.packs.get(&pack.id)
                    && !existing.origin.file.starts_with("<builtin>")
                {
                    self.diagnostics.push(Diagnostic::new(
                        &doc.file,
                        doc.root.locate("/id"),
                        Code::E011,
                        format!("policy pack `{}` is also defined in {}", pack.id, existing.origin),
                        "give one of the packs another id",
                    ));
                    return;
                }
                self.packs.insert(pack.id.clone(), pack);
            }
        }
        self.nodes.insert(doc.file.to_string(), doc.root);
    }

    // -----------------------------------------------------------------------------------
    // Reference checks
    // -----------------------------------------------------------------------------------

    /// Position of a field of the item at `origin` (its value, or the item if absent).
    fn pos_in(&self, origin: &Origin, field: &str) -> Pos {
        match self.nodes.get(&*origin.file) {
            Some(root) => root.locate(&format!("{}/{field}", origin.pointer)),
            None => Pos {
                line: origin.line,
                column: origin.column,
            },
        }
    }

    /// Check a `FRAMEWORK:CONTROL` reference; push a diagnostic when it does not resolve.
    pub fn check_ref(&mut self, reference: &str, origin: &Origin, field: &str) -> bool {
        let problem = self.ref_problem(reference, origin, || self.pos_in(origin, field));
        let ok = problem.is_none();
        self.diagnostics.extend(problem);
        ok
    }

    /// The diagnostic for a `FRAMEWORK:CONTROL` reference that does not resolve. `pos` is
    /// only asked for when there is a problem (finding a position walks the tree).
    fn ref_problem(&self, reference: &str, origin: &Origin, pos: impl FnOnce() -> Pos) -> Option<Diagnostic> {
        let Some((fw, id)) = reference.split_once(':') else {
            return Some(Diagnostic::new(
                &origin.file,
                pos(),
                Code::E009,
                format!("`{reference}` is not a control reference"),
                "write FRAMEWORK:CONTROL, e.g. `hipaa:164.308(a)(1)(ii)(A)` or `csf-2.0:PR.AA-03`",
            ));
        };
        let Some(framework) = self.frameworks.get(fw) else {
            let ids: Vec<&str> = self.frameworks.keys().map(String::as_str).collect();
            let help = match closest(fw, ids.iter().copied(), 1).first() {
                Some(s) => format!("did you mean `{s}:{id}`? Known frameworks: {}", ids.join(", ")),
                None => format!("known frameworks: {}", ids.join(", ")),
            };
            return Some(Diagnostic::new(
                &origin.file,
                pos(),
                Code::E008,
                format!("unknown framework `{fw}` in `{reference}`"),
                help,
            ));
        };
        if framework.get(id).is_some() {
            return None;
        }
        let near = closest(id, framework.controls.iter().map(|c| c.id.as_str()), 3);
        let help = if near.is_empty() {
            format!("run `ctrlmap frameworks show {fw}` to list its controls")
        } else {
            format!(
                "did you mean {}?",
                near.iter()
                    .map(|n| format!("`{fw}:{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Some(Diagnostic::new(
            &origin.file,
            pos(),
            Code::E009,
            format!("`{id}` is not a control of `{fw}`"),
            help,
        ))
    }

    fn check_catalogs(&mut self) {
        let mut diags = Vec::new();
        for fw in self.frameworks.values() {
            let mut seen: BTreeMap<&str, &Origin> = BTreeMap::new();
            for c in &fw.controls {
                if let Some(first) = seen.get(c.id.as_str()) {
                    diags.push(Diagnostic::new(
                        &c.origin.file,
                        Pos {
                            line: c.origin.line,
                            column: c.origin.column,
                        },
                        Code::E011,
                        format!(
                            "control `{}` is defined twice in catalog `{}` (first at {first})",
                            c.id,
                            fw.id()
                        ),
                        "control ids must be unique within a catalog",
                    ));
                } else {
                    seen.insert(&c.id, &c.origin);
                }
                if let Some(parent) = &c.parent
                    && fw.get(parent).is_none()
                {
                    let near = closest(parent, fw.controls.iter().map(|c| c.id.as_str()), 1);
                    diags.push(Diagnostic::new(
                        &c.origin.file,
                        Pos {
                            line: c.origin.line,
                            column: c.origin.column,
                        },
                        Code::E015,
                        format!(
                            "control `{}` names parent `{parent}`, which is not in catalog `{}`",
                            c.id,
                            fw.id()
                        ),
                        match near.first() {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => "add the parent control or fix `parent`".into(),
                        },
                    ));
                }
            }
        }
        self.diagnostics.extend(diags);
    }

    fn check_crosswalks(&mut self) {
        let crosswalks = std::mem::take(&mut self.crosswalks);
        for cw in &crosswalks {
            for (label, fw) in [("from", &cw.from), ("to", &cw.to)] {
                if !self.frameworks.contains_key(fw) {
                    let pos = self.pos_in(&cw.origin, label);
                    self.diagnostics.push(Diagnostic::new(
                        &cw.origin.file,
                        pos,
                        Code::E008,
                        format!("crosswalk `{}` names unknown framework `{fw}`", cw.id),
                        "use the id of a loaded catalog",
                    ));
                }
            }
            for m in cw.mappings.iter().flatten() {
                self.check_ref(&format!("{}:{}", cw.from, m.from), &m.origin, "from");
                self.check_ref(&format!("{}:{}", cw.to, m.to), &m.origin, "to");
            }
        }
        self.crosswalks = crosswalks;
    }

    fn check_services(&mut self) {
        let services = std::mem::take(&mut self.services);
        for service in services.values() {
            for claim in service.controls.iter().flatten() {
                self.check_ref(&claim.control, &claim.origin, "control");
                if let Some(option) = &claim.option
                    && !service.options.iter().any(|o| &o.id == option)
                {
                    let pos = self.pos_in(&claim.origin, "option");
                    self.diagnostics.push(Diagnostic::new(
                        &claim.origin.file,
                        pos,
                        Code::E018,
                        format!("service `{}` has no option `{option}`", service.id),
                        "declare it under `options:` or remove `option:`",
                    ));
                }
            }
        }
        self.services = services;
    }

    /// Check one scope's references, parties and evidence paths against the workspace, and
    /// hash its evidence files (I/O belongs to load, so assess can judge missing and
    /// tampered evidence without touching the disk). Reads the workspace, writes nothing
    /// shared: runs on worker threads.
    fn check_scope(&self, scope: &mut Scope, root: &Node) -> Vec<Diagnostic> {
        let pos_in = |origin: &Origin, field: &str| root.locate(&format!("{}/{field}", origin.pointer));
        let mut diags = Vec::new();
        for e in scope.evidence.iter_mut().flatten() {
            match self.evidence_path(&e.file) {
                Ok(path) => e.found_sha256 = std::fs::read(&path).ok().map(|b| crate::hash::sha256_hex(&b)),
                Err(why) => diags.push(Diagnostic::new(
                    &e.origin.file,
                    pos_in(&e.origin, "file"),
                    Code::E012,
                    format!("evidence path `{}` {why}", e.file),
                    "keep evidence inside the workspace, e.g. `evidence/2026-q3-restore-test.pdf`",
                )),
            }
        }
        let scope = &*scope;
        if let Some(frameworks) = &scope.frameworks {
            for fw in frameworks {
                if !self.frameworks.contains_key(fw) {
                    let ids: Vec<&str> = self.frameworks.keys().map(String::as_str).collect();
                    diags.push(Diagnostic::new(
                        &scope.origin.file,
                        pos_in(&scope.origin, "frameworks"),
                        Code::E008,
                        format!("unknown framework `{fw}`"),
                        format!("known frameworks: {}", ids.join(", ")),
                    ));
                }
            }
        }
        let mut parties: BTreeSet<&str> = ["client", "msp"].into_iter().collect();
        for p in scope.parties() {
            if !parties.insert(&p.id) {
                diags.push(Diagnostic::new(
                    &scope.origin.file,
                    pos_in(&scope.origin, "parties"),
                    Code::E011,
                    format!("party `{}` is declared twice", p.id),
                    "party ids must be unique in a scope",
                ));
            }
        }
        let check_party = |diags: &mut Vec<Diagnostic>, party: &str, origin: &Origin, field: &str| {
            if !parties.contains(party) {
                let near = closest(party, parties.iter().copied(), 1);
                diags.push(Diagnostic::new(
                    &origin.file,
                    pos_in(origin, field),
                    Code::E017,
                    format!("unknown party `{party}`"),
                    match near.first() {
                        Some(n) => {
                            format!("did you mean `{n}`? Parties are `client`, `msp` and the ids under `parties:`")
                        }
                        None => "use `client`, `msp`, or declare the party under `parties:`".into(),
                    },
                ));
            }
        };
        let check_ref = |diags: &mut Vec<Diagnostic>, reference: &str, origin: &Origin, field: &str| {
            diags.extend(self.ref_problem(reference, origin, || pos_in(origin, field)));
        };
        for sub in scope.services.iter().flatten() {
            match self.services.get(&sub.service) {
                None => {
                    let near = closest(&sub.service, self.services.keys().map(String::as_str), 2);
                    diags.push(Diagnostic::new(
                        &sub.origin.file,
                        pos_in(&sub.origin, "ref"),
                        Code::E010,
                        format!("unknown service `{}`", sub.service),
                        if near.is_empty() {
                            "add the service under `services/` or fix `ref`".to_string()
                        } else {
                            format!(
                                "did you mean {}?",
                                near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                            )
                        },
                    ));
                }
                Some(service) => {
                    for option in &sub.options {
                        if !service.options.iter().any(|o| &o.id == option) {
                            let known: Vec<&str> = service.options.iter().map(|o| o.id.as_str()).collect();
                            diags.push(Diagnostic::new(
                                &sub.origin.file,
                                pos_in(&sub.origin, "options"),
                                Code::E018,
                                format!("service `{}` has no option `{option}`", service.id),
                                format!(
                                    "options of this service: {}",
                                    if known.is_empty() {
                                        "none".to_string()
                                    } else {
                                        known.join(", ")
                                    }
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for a in scope.assignments.iter().flatten() {
            check_ref(&mut diags, &a.control, &a.origin, "control");
            for p in a.responsible.to_vec() {
                check_party(&mut diags, &p, &a.origin, "responsible");
            }
            if let Some(p) = &a.accountable {
                check_party(&mut diags, p, &a.origin, "accountable");
            }
            for p in a.consulted.iter().chain(&a.informed) {
                check_party(&mut diags, p, &a.origin, "consulted");
            }
        }
        for c in scope.client_owned.iter().flatten() {
            check_ref(&mut diags, &c.control, &c.origin, "control");
        }
        for n in scope.not_applicable.iter().flatten() {
            check_ref(&mut diags, &n.control, &n.origin, "control");
        }
        for a in scope.addressable.iter().flatten() {
            check_ref(&mut diags, &a.control, &a.origin, "control");
        }
        for w in scope.waivers.iter().flatten() {
            check_ref(&mut diags, &w.control, &w.origin, "control");
        }
        for e in scope.evidence.iter().flatten() {
            for c in &e.controls {
                check_ref(&mut diags, c, &e.origin, "controls");
            }
            check_party(&mut diags, &e.owner, &e.origin, "owner");
        }
        diags
    }

    /// [`evidence_path`] with the workspace root resolved once per run, not once per file.
    fn evidence_path(&self, file: &str) -> Result<PathBuf, &'static str> {
        evidence_path_in(&self.root, self.root_canon.as_deref(), file)
    }

    /// Every diagnostic, rendered with source excerpts.
    pub fn render_diagnostics(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(self.sources.get(&d.file).map(String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.get(id)
    }

    /// The scope defined in `file` (a path as the user typed it).
    pub fn scope_for_file(&self, file: &Path) -> Option<&Scope> {
        let canon = file.canonicalize().ok()?;
        self.scopes
            .iter()
            .find(|s| self.root.join(&*s.origin.file).canonicalize().ok().as_ref() == Some(&canon))
    }
}

/// Resolve an evidence path; refuse anything that leaves the workspace.
pub fn evidence_path(root: &Path, file: &str) -> Result<PathBuf, &'static str> {
    evidence_path_in(root, root.canonicalize().ok().as_deref(), file)
}

fn evidence_path_in(root: &Path, root_canon: Option<&Path>, file: &str) -> Result<PathBuf, &'static str> {
    let path = Path::new(file);
    if path.is_absolute() || file.starts_with('/') || file.starts_with('\\') || file.contains(':') {
        return Err("is absolute; evidence must be a path inside the workspace");
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err("uses `..` and could leave the workspace");
    }
    let full = root.join(path);
    if let (Ok(canon), Some(root_canon)) = (full.canonicalize(), root_canon)
        && !canon.starts_with(root_canon)
    {
        return Err("resolves (through a symbolic link) to a file outside the workspace");
    }
    Ok(full)
}

fn yaml_diagnostic(file: &str, problem: &YamlProblem) -> Diagnostic {
    match problem {
        YamlProblem::Syntax { pos, message } => Diagnostic::new(
            file,
            *pos,
            Code::E001,
            format!("invalid YAML: {message}"),
            "fix the YAML syntax at this point (check indentation, brackets and quotes)",
        ),
        YamlProblem::DuplicateKey { key, pos, first } => Diagnostic::new(
            file,
            *pos,
            Code::E002,
            format!(
                "duplicate key `{key}` (first defined at line {}, column {})",
                first.line, first.column
            ),
            "remove one of them; YAML keeps only one value per key",
        ),
        YamlProblem::TooComplex { pos, message } => Diagnostic::new(
            file,
            *pos,
            Code::E013,
            format!("refused: {message}"),
            "write the data out plainly; ctrlmap bounds alias expansion and nesting",
        ),
        YamlProblem::NonStringKey { pos } => Diagnostic::new(
            file,
            *pos,
            Code::E004,
            "a mapping key must be a plain name",
            "write the key as a string",
        ),
        YamlProblem::MultipleDocuments { pos } => Diagnostic::new(
            file,
            *pos,
            Code::E001,
            "more than one YAML document in the file",
            "keep one document per file (remove the extra `---`)",
        ),
    }
}

/// Leave out the values that failed their schema, so the typed phase uses only the rest.
/// Invalid list items become `null` (keeping indices, hence positions); invalid fields are
/// removed from their mapping.
fn prune(mut json: Value, bad: &[String]) -> Value {
    let mut bad: Vec<&String> = bad.iter().filter(|p| !p.is_empty()).collect();
    bad.sort();
    bad.dedup();
    for pointer in bad.iter().rev() {
        let Some(split) = pointer.rfind('/') else { continue };
        let (parent, last) = (&pointer[..split], &pointer[split + 1..]);
        match json.pointer_mut(parent) {
            Some(Value::Array(items)) => {
                if let Some(item) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    *item = Value::Null;
                }
            }
            Some(Value::Object(map)) => {
                map.remove(&last.replace("~1", "/").replace("~0", "~"));
            }
            _ => {}
        }
    }
    json
}

/// A file of the workspace: (display path, full path, expected kind).
pub type ScopeFile = (String, PathBuf, Option<Kind>);

/// Workspace files in a stable order: (display path, full path, expected kind).
fn workspace_files(root: &Path) -> Vec<ScopeFile> {
    let mut out = Vec::new();
    for name in ["ctrlmap.yaml", "ctrlmap.yml"] {
        let p = root.join(name);
        if p.is_file() {
            out.push((name.to_string(), p, Some(Kind::Config)));
        }
    }
    for (dir, kind) in [
        ("frameworks", Kind::Catalog),
        ("services", Kind::Service),
        ("scopes", Kind::Scope),
        ("policies", Kind::Policy),
    ] {
        let base = root.join(dir);
        if !base.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&base)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            let path = entry.path();
            if !entry.file_type().is_file()
                || !matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            {
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path.to_path_buf(), Some(kind)));
        }
    }
    out
}
