//! Load: read a workspace and the built-in catalogs, parse, validate, build typed data and
//! check every reference. Every problem becomes a [`Diagnostic`]; nothing past this stage
//! sees invalid data, and one bad file never hides the problems of another.

mod one_scope;
pub mod oscal_import;
pub mod outline;
mod package;
pub mod schema;

use crate::format::yaml::{Limits, Node, Pos, YamlProblem};
use crate::fs::input::{MAX_INPUT_BYTES, Refusal, Root, display_path};
use crate::model::catalog::Framework;
use crate::model::diagnostic::{Code, Diagnostic, closest};
use crate::model::*;
use schema::{Kind, Schemas};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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

/// The diagnostic for a file the read policy refused (nothing of it is shown: a link to
/// `/proc/self/environ` must not print the environment).
fn refused(file: &str, why: &Refusal) -> Diagnostic {
    let code = match why {
        Refusal::TooLarge { .. } => Code::E013,
        _ => Code::E016,
    };
    Diagnostic::new(file, Pos::START, code, format!("the file {why}"), why.help())
}

/// Read a workspace file and prepare it (no shared state: runs in parallel).
fn prepare_file(
    reader: &Root,
    schemas: &Schemas,
    rel: &str,
    path: &Path,
    expected: Option<Kind>,
    options: LoadOptions,
) -> Prepared {
    match reader.read(path, MAX_INPUT_BYTES) {
        Ok(bytes) => prepare_bytes(schemas, rel, bytes, expected, options),
        Err(why) => Prepared::failed(rel, refused(rel, &why)),
    }
}

/// Prepare a file from its bytes: UTF-8, YAML, kind and schema.
fn prepare_bytes(
    schemas: &Schemas,
    rel: &str,
    bytes: Vec<u8>,
    expected: Option<Kind>,
    options: LoadOptions,
) -> Prepared {
    let sha = crate::model::digest::sha256_hex(&bytes);
    let mut prepared = match String::from_utf8(bytes) {
        Ok(text) => prepare_text(schemas, rel, text, expected, options),
        Err(e) => Prepared::failed(
            rel,
            Diagnostic::new(
                rel,
                Pos::START,
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
fn prepare_text(schemas: &Schemas, file: &str, text: String, expected: Option<Kind>, options: LoadOptions) -> Prepared {
    let parsed = crate::format::yaml::parse(&text, Limits::default());
    let mut out = Prepared {
        file: file.to_string(),
        text: None,
        sha256: None,
        diagnostics: parsed.problems.iter().map(|p| yaml_diagnostic(file, p)).collect(),
        doc: None,
    };
    let Some(mut root) = parsed.root else {
        if out.diagnostics.is_empty() && !options.allow_empty {
            let what = expected.map_or("file", |k| k.name());
            out.diagnostics.push(Diagnostic::new(
                file,
                Pos::START,
                Code::E020,
                format!("the file is empty (or holds only comments): it defines no {what}, and would be skipped"),
                format!("write the {what} (start with `kind: {what}`), delete the file, or pass `--allow-empty` to skip empty files"),
            ));
        }
        out.text = Some(text);
        return out;
    };
    let json = root.take_json();
    let kind_text = json.get("kind").and_then(Value::as_str);
    let kind = match kind_text.and_then(Kind::parse) {
        Some(k) => k,
        None => {
            let expected_name = expected.map_or(
                "one of catalog, crosswalk, service, scope, package, party, policy, config".to_string(),
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

/// Whether a JSON value deserializes as a field's type.
type Fit = fn(&Value) -> bool;

fn fits<T: serde::de::DeserializeOwned>(v: &Value) -> bool {
    T::deserialize(v).is_ok()
}

fn list_or_null(v: &Value) -> bool {
    v.is_array() || v.is_null()
}

/// Make a document's top-level fields typeable: a required field (one with a placeholder)
/// that is missing or does not fit its type gets the placeholder; an optional one that does
/// not fit is removed. Returns whether anything had to change: such a document is still
/// checked for references, so a schema error never hides an unknown control, but it is
/// never used.
fn patch_fields(json: &mut Value, fields: &[(&str, Fit, Option<Value>)]) -> bool {
    let Value::Object(map) = json else { return false };
    let mut patched = false;
    for (key, fit, placeholder) in fields {
        let fits = match map.get(*key) {
            None => placeholder.is_none(),
            Some(v) => fit(v),
        };
        if fits {
            continue;
        }
        patched = true;
        match placeholder {
            Some(p) => {
                map.insert((*key).to_string(), p.clone());
            }
            None => {
                map.remove(*key);
            }
        }
    }
    patched
}

/// The items of a list taken out of a scope document: a list that is missing or `null`
/// has none (`patch_fields` has already removed one that is neither a list nor `null`).
fn take_items<T: serde::de::DeserializeOwned>(json: &mut Value, key: &str) -> Vec<Option<T>> {
    match json.as_object_mut().and_then(|map| map.remove(key)) {
        Some(Value::Array(items)) => items.into_iter().map(|v| serde_json::from_value(v).ok()).collect(),
        _ => Vec::new(),
    }
}

/// The items of a `parties:` list: a string names a workspace party (looked up when the
/// scope is checked), a mapping declares one.
fn take_parties(json: &mut Value, key: &str) -> Vec<Option<ThirdParty>> {
    match json.as_object_mut().and_then(|map| map.remove(key)) {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(id) => Some(ThirdParty::reference(&id)),
                other => serde_json::from_value(other).ok(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A scope's lists, typed apart from the rest of the scope (see `build_scope`).
struct ScopeLists {
    services: Vec<Option<Subscription>>,
    parties: Vec<Option<ThirdParty>>,
    assignments: Vec<Option<Assignment>>,
    client_owned: Vec<Option<ClientOwned>>,
    not_applicable: Vec<Option<NotApplicable>>,
    addressable: Vec<Option<Addressable>>,
    evidence: Vec<Option<Evidence>>,
    waivers: Vec<Option<Waiver>>,
}

impl ScopeLists {
    fn take_from(json: &mut Value) -> ScopeLists {
        ScopeLists {
            services: take_items(json, "services"),
            parties: take_parties(json, "parties"),
            assignments: take_items(json, "assignments"),
            client_owned: take_items(json, "client_owned"),
            not_applicable: take_items(json, "not_applicable"),
            addressable: take_items(json, "addressable"),
            evidence: take_items(json, "evidence"),
            waivers: take_items(json, "waivers"),
        }
    }

    fn put_into(&mut self, scope: &mut Scope) {
        scope.services = std::mem::take(&mut self.services);
        scope.parties = std::mem::take(&mut self.parties);
        scope.assignments = std::mem::take(&mut self.assignments);
        scope.client_owned = std::mem::take(&mut self.client_owned);
        scope.not_applicable = std::mem::take(&mut self.not_applicable);
        scope.addressable = std::mem::take(&mut self.addressable);
        scope.evidence = std::mem::take(&mut self.evidence);
        scope.waivers = std::mem::take(&mut self.waivers);
    }
}

/// Type a scope document and record where each of its items sits. The flag says the
/// document had to be patched to type (it has schema errors): check it, never assess it.
fn build_scope(doc: &mut Doc, sha256: String) -> Option<(Scope, bool)> {
    let mut json = std::mem::take(&mut doc.json);
    let text = || Some(Value::String(String::new()));
    let named = || Some(serde_json::json!({ "name": "" }));
    let mut fields: Vec<(&str, Fit, Option<Value>)> = vec![
        ("id", fits::<String>, text()),
        ("client", fits::<Client>, named()),
        // Optional with a package (the schema requires them without one).
        ("provider", fits::<Provider>, None),
        ("model", fits::<String>, None),
        ("package", fits::<Option<String>>, None),
        ("frameworks", fits::<Option<Vec<String>>>, None),
        ("sla", fits::<Sla>, None),
        ("notes", fits::<Option<String>>, None),
    ];
    for list in [
        "services",
        "parties",
        "assignments",
        "client_owned",
        "not_applicable",
        "addressable",
        "evidence",
        "waivers",
    ] {
        fields.push((list, list_or_null, None));
    }
    let patched = patch_fields(&mut json, &fields);
    // The lists are typed here, item by item, as `model::lenient` would (an item that does
    // not type is `None`), but straight from their JSON values: through `Scope`'s own
    // deserializer each item would first be rebuilt as a new JSON value.
    let mut lists = ScopeLists::take_from(&mut json);
    let mut scope = serde_json::from_value::<Scope>(json).ok()?;
    lists.put_into(&mut scope);
    scope.origin = origin_at(&doc.file, &doc.root, String::new());
    scope.sha256 = sha256;
    let at = |list: &str, i: usize| origin_at(&doc.file, &doc.root, format!("/{list}/{i}"));
    for (i, x) in scope.services.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("services", i);
        }
    }
    for (i, x) in scope.parties.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("parties", i);
            x.baa_at = origin_at(&doc.file, &doc.root, format!("/parties/{i}/baa"));
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
    Some((scope, patched))
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
        "/provider/contract".to_string(),
        "/provider/assessments".to_string(),
        "/sla/client_margin".to_string(),
        "/client/profile".to_string(),
        "/client/profile/glba".to_string(),
        "/client/profile/institution_type".to_string(),
        "/client/profile/bank_affiliate".to_string(),
    ];
    for i in 0..scope.parties.len() {
        pointers.push(format!("/parties/{i}"));
        pointers.push(format!("/parties/{i}/baa"));
    }
    for e in scope.evidence.iter().flatten() {
        pointers.push(format!("{}/file", e.origin.pointer));
        pointers.push(format!("{}/effective", e.origin.pointer));
    }
    let mut kept: Vec<(String, Pos)> = pointers
        .into_iter()
        .map(|p| {
            let pos = root.locate(&p);
            (p, pos)
        })
        .collect();
    // The keys where an owner is written (`Scope::owner_anchor`): kept as `key:/NAME`.
    for key in ["assignments", "services", "client_owned"] {
        if let Some(pos) = root.key_pos("", key) {
            kept.push((format!("key:/{key}"), pos));
        }
    }
    // Sorted, so `Scope::locate` finds a pointer by binary search (a scope may have thousands).
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.dedup_by(|a, b| a.0 == b.0);
    kept
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
        let (found, walk_problems) = workspace_files(root, &ws.reader);
        ws.diagnostics.extend(walk_problems);
        for (rel, path, _) in &found {
            ws.files.insert(rel.clone(), path.clone());
        }
        let (scope_files, other): (Vec<ScopeFile>, Vec<ScopeFile>) =
            found.into_iter().partition(|(_, _, kind)| *kind == Some(Kind::Scope));
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
        use rayon::prelude::*;
        let Some(schemas) = self.schemas else {
            return Vec::new();
        };
        let this = &*self;
        let loaded: Vec<ScopeLoad> = files
            .par_iter()
            .map(|(rel, path, expected)| this.prepare_scope(schemas, rel, path, *expected))
            .collect();
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
            self.diagnostics.push(
                Diagnostic::new(
                    file,
                    id_pos,
                    Code::E011,
                    format!("scope `{}` is also defined in {}", scope.id, existing),
                    "scope ids must be unique across `scopes/`; rename one",
                )
                .with_label(
                    &existing.file,
                    Pos {
                        line: existing.line,
                        column: existing.column,
                    },
                    "first defined here",
                ),
            );
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

    fn build(&mut self, kind: Kind, mut doc: Doc, builtin: bool) {
        let _ = builtin;
        let origin = origin_at(&doc.file, &doc.root, String::new());
        match kind {
            Kind::Catalog => {
                let Ok(mut catalog) = serde_json::from_value::<Catalog>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                catalog.origin = origin;
                for (i, control) in catalog.controls.iter_mut().enumerate() {
                    if let Some(c) = control {
                        c.origin = origin_at(&doc.file, &doc.root, format!("/controls/{i}"));
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
                self.frameworks
                    .insert(catalog.id.clone(), std::sync::Arc::new(Framework::new(catalog)));
            }
            Kind::Crosswalk => {
                let Ok(mut cw) = serde_json::from_value::<Crosswalk>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                cw.origin = origin;
                for (i, m) in cw.mappings.iter_mut().enumerate() {
                    if let Some(m) = m {
                        m.origin = origin_at(&doc.file, &doc.root, format!("/mappings/{i}"));
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
                let mut json = std::mem::take(&mut doc.json);
                let text = || Some(Value::String(String::new()));
                let patched = patch_fields(
                    &mut json,
                    &[
                        ("id", fits::<String>, text()),
                        ("name", fits::<String>, text()),
                        ("tower", fits::<String>, text()),
                        ("description", fits::<String>, text()),
                        ("options", fits::<Vec<ServiceOption>>, None),
                        ("controls", list_or_null, None),
                    ],
                );
                let Ok(mut service) = serde_json::from_value::<Service>(json) else {
                    return;
                };
                service.origin = origin;
                for (i, c) in service.controls.iter_mut().enumerate() {
                    if let Some(c) = c {
                        c.origin = origin_at(&doc.file, &doc.root, format!("/controls/{i}"));
                    }
                }
                if patched {
                    // Schema errors: not a service, but its references are still checked.
                    self.unusable_services.push(service);
                } else if let Some(existing) = self.services.get(&service.id) {
                    let first = self.service_ids.get(&service.id).unwrap_or(&existing.origin);
                    self.diagnostics.push(
                        Diagnostic::new(
                            &doc.file,
                            doc.root.locate("/id"),
                            Code::E011,
                            format!("service `{}` is also defined in {first}", service.id),
                            "service ids must be unique across `services/`; rename one",
                        )
                        .with_label(
                            &first.file,
                            Pos {
                                line: first.line,
                                column: first.column,
                            },
                            "first defined here",
                        ),
                    );
                    return;
                } else {
                    self.service_ids
                        .insert(service.id.clone(), origin_at(&doc.file, &doc.root, "/id".into()));
                    self.services.insert(service.id.clone(), service);
                }
            }
            Kind::Scope => {
                let sha = self.inputs.get(&*doc.file).cloned().unwrap_or_default();
                let Some((scope, false)) = build_scope(&mut doc, sha) else {
                    return;
                };
                let id_pos = doc.root.locate("/id");
                if let Some(scope) = self.register_scope(scope, &doc.file, id_pos) {
                    self.scopes.push(scope);
                }
            }
            Kind::Package => self.build_package(&mut doc),
            Kind::Party => self.build_party(&mut doc),
            Kind::Config => {
                let Ok(mut config) = serde_json::from_value::<Config>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                config.origin = origin;
                self.config = config;
            }
            Kind::Policy => {
                let Ok(mut pack) = serde_json::from_value::<crate::model::policy::Pack>(std::mem::take(&mut doc.json))
                else {
                    return;
                };
                pack.origin = origin;
                for (i, rule) in pack.rules.iter_mut().enumerate() {
                    rule.origin = origin_at(&doc.file, &doc.root, format!("/rules/{i}"));
                    rule.when_at = doc.root.locate(&format!("/rules/{i}/when"));
                    rule.message_at = doc.root.locate(&format!("/rules/{i}/message"));
                    if let Some(margin) = &rule.params.margin
                        && parse_duration_hours(margin).is_none()
                    {
                        self.diagnostics.push(duration_too_long(
                            &doc.file,
                            doc.root.locate(&format!("/rules/{i}/params/margin")),
                            "params.margin",
                            margin,
                        ));
                    }
                    if let Some(message) = &rule.message
                        && let Err(e) = crate::format::rule_template::check_message(message)
                    {
                        self.diagnostics.push(Diagnostic::new(
                            &doc.file,
                            doc.root.locate(&format!("/rules/{i}/message")),
                            Code::E019,
                            format!("rule `{}`: the `message` template does not compile: {e}", rule.code),
                            "write a minijinja template over `row`, `control` and `scope`, e.g. `{{ row.control }} is owned by the MSP alone`",
                        ));
                    }
                    if rule.kind == crate::model::policy::RuleKind::Custom {
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
                                if let Err(e) = crate::format::rule_template::check_expression(expr) {
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
                    self.diagnostics.push(
                        Diagnostic::new(
                            &doc.file,
                            doc.root.locate("/id"),
                            Code::E011,
                            format!("policy pack `{}` is also defined in {}", pack.id, existing.origin),
                            "give one of the packs another id",
                        )
                        .with_label(
                            &existing.origin.file,
                            Pos {
                                line: existing.origin.line,
                                column: existing.origin.column,
                            },
                            "first defined here",
                        ),
                    );
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
        match self.node(&origin.file) {
            Some(root) => root.locate(&format!("{}/{field}", origin.pointer)),
            None => Pos {
                line: origin.line,
                column: origin.column,
            },
        }
    }

    /// Check a `FRAMEWORK:CONTROL` reference; push a diagnostic when it does not resolve.
    pub fn check_ref(&mut self, reference: &str, origin: &Origin, field: &str) -> bool {
        let problem = self.ref_problem(reference, origin, || self.pos_in(origin, field), true);
        let ok = problem.is_none();
        self.diagnostics.extend(problem);
        ok
    }

    /// The diagnostic for a `FRAMEWORK:CONTROL` reference that does not resolve. `pos` is
    /// only asked for when there is a problem (finding a position walks the tree);
    /// `suggest` says whether to look for the closest ids (see [`SUGGESTIONS_PER_FILE`]).
    fn ref_problem(
        &self,
        reference: &str,
        origin: &Origin,
        pos: impl FnOnce() -> Pos,
        suggest: bool,
    ) -> Option<Diagnostic> {
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
        let near = if suggest {
            closest(id, framework.controls.iter().map(|c| c.id.as_str()), 3)
        } else {
            Vec::new()
        };
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
                let at = Pos {
                    line: c.origin.line,
                    column: c.origin.column,
                };
                if let Some(first) = seen.get(c.id.as_str()) {
                    diags.push(Diagnostic::new(
                        &c.origin.file,
                        at,
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
                        at,
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
                for (j, d) in c.deadlines.iter().enumerate() {
                    if let Some(within) = &d.within
                        && parse_duration_hours(within).is_none()
                    {
                        diags.push(duration_too_long(
                            &c.origin.file,
                            self.pos_in(&c.origin, &format!("deadlines/{j}/within")),
                            "deadlines.within",
                            within,
                        ));
                    }
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

    /// The reference problems of one service's claims.
    fn service_problems(&self, service: &Service) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let mut suggestions = SUGGESTIONS_PER_FILE;
        for claim in service.controls.iter().flatten() {
            let suggest = suggestions > 0;
            if let Some(d) = self.ref_problem(
                &claim.control,
                &claim.origin,
                || self.pos_in(&claim.origin, "control"),
                suggest,
            ) {
                suggestions = suggestions.saturating_sub(1);
                diags.push(d);
            }
            if let Some(option) = &claim.option
                && !service.options.iter().any(|o| &o.id == option)
            {
                diags.push(Diagnostic::new(
                    &claim.origin.file,
                    self.pos_in(&claim.origin, "option"),
                    Code::E018,
                    format!("service `{}` has no option `{option}`", service.id),
                    "declare it under `options:` or remove `option:`",
                ));
            }
        }
        diags
    }

    fn check_services(&mut self) {
        let mut diags = Vec::new();
        for service in self.services.values().chain(&self.unusable_services) {
            diags.extend(self.service_problems(service));
        }
        self.unusable_services.clear();
        self.diagnostics.extend(diags);
    }

    /// `severity:` in `ctrlmap.yaml` must name finding codes that exist (a built-in rule or a
    /// rule of a loaded pack), exactly or by the rule's name: a typo would weaken the gate.
    /// Names are replaced by their codes.
    fn check_severity_codes(&mut self) {
        if self.config.severity.is_empty() {
            return;
        }
        let known = crate::assess::registry::KnownCodes::of(&self.packs);
        let file = self.config.origin.file.clone();
        let mut resolved = BTreeMap::new();
        let mut diags = Vec::new();
        for (key, level) in std::mem::take(&mut self.config.severity) {
            match known.resolve(&key) {
                Ok(code) => {
                    resolved.insert(code, level);
                }
                Err(help) => {
                    let pos = self
                        .node(&file)
                        .and_then(|root| root.key_pos("/severity", &key))
                        .unwrap_or_default();
                    diags.push(Diagnostic::new(
                        &file,
                        pos,
                        Code::E007,
                        format!("`severity` names `{key}`, which is not a finding code of any loaded rule"),
                        help,
                    ));
                }
            }
        }
        self.config.severity = resolved;
        self.diagnostics.extend(diags);
    }

    /// Check one scope's references, parties, durations and evidence paths against the
    /// workspace, and hash its evidence files (I/O belongs to load, so assess can judge
    /// missing and tampered evidence without touching the disk). Reads the workspace, writes
    /// nothing shared: runs on worker threads.
    fn check_scope(&self, scope: &mut Scope, root: &Node) -> Vec<Diagnostic> {
        let pos_in = |origin: &Origin, field: &str| root.locate(&format!("{}/{field}", origin.pointer));
        let mut diags = self.hash_evidence(&mut scope.evidence, &|o: &Origin| pos_in(o, "file"));
        diags.extend(self.resolve_party_references(&mut scope.parties, &scope.origin.file, root));
        let inherited = match scope.package.as_deref() {
            None => None,
            Some(id) => match self.inherited.get(id) {
                Some(found) => Some(found.clone()),
                // A package on a circle of `extends` is reported at the package (E024).
                None if self.packages.contains_key(id) => None,
                None => {
                    diags.push(self.unknown_package(id, &scope.origin.file, root.locate("/package"), "package"));
                    None
                }
            },
        };
        // A waiver's finding is checked as `--deny` is: a typo would waive nothing, silently.
        // A built-in rule's name stands for its code.
        let known = (!scope.waivers.is_empty()).then(|| crate::assess::registry::KnownCodes::of(&self.packs));
        for w in scope.waivers.iter_mut().flatten() {
            match known.as_ref().map(|k| k.resolve(&w.finding)) {
                Some(Ok(code)) => w.finding = code,
                Some(Err(help)) => diags.push(Diagnostic::new(
                    &w.origin.file,
                    pos_in(&w.origin, "finding"),
                    Code::E007,
                    format!(
                        "the waiver names `{}`, which is not a finding code of any loaded rule",
                        w.finding
                    ),
                    help,
                )),
                None => {}
            }
        }
        let scope = &*scope;
        diags.extend(sla_problems(&scope.sla, &scope.origin.file, |field| {
            root.locate(&format!("/sla/{field}"))
        }));
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
        // The parties the package brings are parties of the scope too.
        for p in inherited.iter().flat_map(|i| &i.parties) {
            parties.insert(&p.id);
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
        // Suggestions cost a comparison with every id: only the first ones of a file get one.
        let suggestions = std::cell::Cell::new(SUGGESTIONS_PER_FILE);
        let check_ref = |diags: &mut Vec<Diagnostic>, reference: &str, origin: &Origin, field: &str| {
            let suggest = suggestions.get() > 0;
            if let Some(d) = self.ref_problem(reference, origin, || pos_in(origin, field), suggest) {
                suggestions.set(suggestions.get().saturating_sub(1));
                diags.push(d);
            }
        };
        for sub in scope.services.iter().flatten() {
            match self.services.get(&sub.service) {
                None => {
                    let near = if suggestions.get() > 0 {
                        suggestions.set(suggestions.get() - 1);
                        closest(&sub.service, self.services.keys().map(String::as_str), 2)
                    } else {
                        Vec::new()
                    };
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
            if a.is_undecided() {
                // A stub for a person to decide (see `crate::model::UNDECIDED`).
            } else if a.responsible.as_slice().iter().any(|p| p == crate::model::UNDECIDED) {
                diags.push(Diagnostic::new(
                    &a.origin.file,
                    pos_in(&a.origin, "responsible"),
                    Code::E017,
                    format!("`{}` cannot be one of several responsible parties", crate::model::UNDECIDED),
                    "write `responsible: undecided` alone while the owner is open, or list only parties (`client`, `msp`, the ids under `parties:`)",
                ));
            } else {
                for p in a.responsible.to_vec() {
                    check_party(&mut diags, &p, &a.origin, "responsible");
                }
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
        // Who holds what a service retains: the MSP or a declared party.
        for sub in scope.services.iter().flatten() {
            for (i, r) in sub.retains.iter().flatten().enumerate() {
                if let Some(holder) = &r.held_by {
                    check_party(&mut diags, holder, &sub.origin, &format!("retains/{i}/held_by"));
                }
            }
        }
        diags
    }

    /// Hash the evidence files of a list of entries (a scope's or a package's), so assess can
    /// judge missing and tampered evidence without touching the disk; paths that leave the
    /// workspace or cannot be read are diagnostics, located by `file_pos`.
    fn hash_evidence(&self, evidence: &mut [Option<Evidence>], file_pos: &dyn Fn(&Origin) -> Pos) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        for e in evidence.iter_mut().flatten() {
            let at = || file_pos(&e.origin);
            match self.evidence_path_to_read(&e.file) {
                Ok(path) => match self.reader.sha256(&path) {
                    Ok(sha) => e.found_sha256 = Some(sha),
                    Err(Refusal::Missing) => e.found_sha256 = None,
                    Err(Refusal::Outside) => diags.push(Diagnostic::new(
                        &e.origin.file,
                        at(),
                        Code::E012,
                        format!(
                            "evidence path `{}` resolves (through a symbolic link) to a file outside the workspace",
                            e.file
                        ),
                        "keep evidence inside the workspace, e.g. `evidence/2026-q3-restore-test.pdf`",
                    )),
                    Err(why) => diags.push(Diagnostic::new(
                        &e.origin.file,
                        at(),
                        Code::E016,
                        format!("evidence file `{}` {why}", e.file),
                        why.help(),
                    )),
                },
                Err(why) => diags.push(Diagnostic::new(
                    &e.origin.file,
                    at(),
                    Code::E012,
                    format!("evidence path `{}` {why}", e.file),
                    "keep evidence inside the workspace, e.g. `evidence/2026-q3-restore-test.pdf`",
                )),
            }
        }
        diags
    }

    /// Replace each `parties:` item that names a workspace party by id with that party as
    /// `parties/ID.yaml` declares it; an id nobody declares is E017 at the item.
    fn resolve_party_references(&self, parties: &mut [Option<ThirdParty>], file: &str, root: &Node) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        for (k, slot) in parties.iter_mut().enumerate() {
            let Some(p) = slot.as_ref().filter(|p| p.shared) else {
                continue;
            };
            match self.parties.get(&p.id) {
                Some(declared) => *slot = Some(declared.clone()),
                None => {
                    diags.push(self.unknown_shared_party(&p.id, file, root.locate(&format!("/parties/{k}"))));
                    *slot = None;
                }
            }
        }
        diags
    }

    /// E017 for an id in `parties:` that no `parties/*.yaml` declares.
    fn unknown_shared_party(&self, id: &str, file: &str, pos: Pos) -> Diagnostic {
        let near = closest(id, self.parties.keys().map(String::as_str), 1);
        Diagnostic::new(
            file,
            pos,
            Code::E017,
            format!("unknown party `{id}`: no file in `parties/` declares it"),
            match near.first() {
                Some(n) => format!(
                    "did you mean `{n}`? Declare the party in `parties/{id}.yaml` (`kind: party`), or declare it here with `id`, `name` and `kind`"
                ),
                None => format!(
                    "declare the party in `parties/{id}.yaml` (`kind: party`), or declare it here with `id`, `name` and `kind`"
                ),
            },
        )
    }

    /// E023 for a package id nobody defines (`what` is the field that names it).
    fn unknown_package(&self, id: &str, file: &str, pos: Pos, what: &str) -> Diagnostic {
        let near = closest(id, self.packages.keys().map(String::as_str), 1);
        let known = if self.packages.is_empty() {
            "the workspace has no packages".to_string()
        } else {
            format!(
                "known packages: {}",
                self.packages.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
            )
        };
        Diagnostic::new(
            file,
            pos,
            Code::E023,
            format!("unknown package `{id}` in `{what}`"),
            match near.first() {
                Some(n) => format!("did you mean `{n}`? {known}"),
                None => format!("add `packages/{id}.yaml` (`kind: package`) or fix `{what}`; {known}"),
            },
        )
    }

    /// [`crate::fs::evidence::evidence_path`] without resolving links: the path is then read through the
    /// workspace's reader, which resolves it once and refuses one that leaves the workspace
    /// (E012, in the same words), so resolving it here as well would only repeat the work.
    fn evidence_path_to_read(&self, file: &str) -> Result<PathBuf, &'static str> {
        crate::fs::evidence::evidence_path_in(&self.root, None, file)
    }

    /// The scope defined in `file` (a path as the user typed it): the scope file found at
    /// that place of the workspace (a symbolic link is matched by where it sits), or the
    /// one whose file it resolves to.
    pub fn scope_for_file(&self, file: &Path) -> Option<&Scope> {
        let wanted_place = place_of(file);
        let wanted_target = file.canonicalize().ok();
        let path_of = |s: &Scope| self.files.get(&*s.origin.file).cloned();
        self.scopes
            .iter()
            .find(|s| path_of(s).is_some_and(|p| wanted_place.is_some() && place_of(&p) == wanted_place))
            .or_else(|| {
                self.scopes.iter().find(|s| {
                    path_of(s).is_some_and(|p| wanted_target.is_some() && p.canonicalize().ok() == wanted_target)
                })
            })
    }
}

/// A file's place: its folder with links resolved, and its own name (so a symbolic link is
/// identified by where it sits, not where it points).
fn place_of(file: &Path) -> Option<PathBuf> {
    let name = file.file_name()?;
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// The SLA windows that are too long to mean anything, located by `locate(field)`.
fn sla_problems(sla: &Sla, file: &str, locate: impl Fn(&str) -> Pos) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (field, value) in [
        ("p1_response", &sla.p1_response),
        ("p2_response", &sla.p2_response),
        ("p3_response", &sla.p3_response),
        ("incident_notification", &sla.incident_notification),
        ("client_margin", &sla.client_margin),
        ("security_incident_report", &sla.security_incident_report),
    ] {
        if let Some(text) = value
            && parse_duration_hours(text).is_none()
        {
            diags.push(duration_too_long(file, locate(field), &format!("sla.{field}"), text));
        }
    }
    diags
}

/// A duration too long to mean anything (or to compute with): located, with the bound.
fn duration_too_long(file: &str, pos: Pos, field: &str, text: &str) -> Diagnostic {
    Diagnostic::new(
        file,
        pos,
        Code::E007,
        format!(
            "`{field}` is `{text}`, longer than any contract or regulation period ctrlmap accepts (at most {} hours, ten years)",
            MAX_DURATION_HOURS
        ),
        "write the period as agreed, e.g. `24h`, `3d` or `2bd`",
    )
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

/// Workspace files in a stable order: (display path, full path, expected kind), and the
/// problems met on the way. Every folder is walked the same way for every command: folders
/// and files are sorted by name; symbolic links are followed when they stay inside the
/// workspace (a link that leaves it is reported, never followed); a FIFO, device or socket
/// named `*.yaml` is listed, so the read policy reports it instead of skipping it silently.
fn workspace_files(root: &Path, reader: &Root) -> (Vec<ScopeFile>, Vec<Diagnostic>) {
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
    let mut names = BTreeSet::new();
    out.retain(|(rel, _, _)| {
        if names.insert(rel.clone()) {
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
        let mut entries: Vec<std::fs::DirEntry> = match std::fs::read_dir(dir) {
            Ok(list) => list.flatten().collect(),
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
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let child = rel.join(entry.file_name());
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
