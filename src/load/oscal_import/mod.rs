//! `ctrlmap import oscal`: a provider's published responsibilities as ctrlmap service files.
//!
//! Two kinds of OSCAL document are read:
//!
//! - a **component definition** ([`component`]): each component becomes a service, each
//!   implemented requirement a claim;
//! - a **system security plan** of a provider ([`ssp`]): each component whose by-components
//!   export something becomes a service; per control, what it `provided` is the MSP side's duty
//!   and its `responsibilities` the client's.
//!
//! ctrlmap's own documents carry everything a service file says in properties of its namespace
//! (service id, tower, ePHI flag, options; each claim's split, evidence, option and order), so
//! the component definition and the provider's plan that `export oscal` writes import into
//! the same services. Responsible roles are read by their OSCAL meaning: `customer` is the
//! client's side, `provider` and the roles OSCAL defines for who runs a component
//! (`maintainer`, `asset-owner`, …) the MSP's.
//!
//! **Nothing is dropped silently.** Every element of the document that is not carried over
//! into a service file (a property of another namespace, a parameter, a link, a component
//! that exports nothing, the system's description) is a warning that names it and points at
//! it; a control id no catalog knows is a warning (E009) with "did you mean". An import that
//! would write what the workspace then refuses (two services with one id, a file over the
//! size limit, a name too long for a file) is refused before anything is written.
//!
//! May use: `model`, `fs` (the size limit), `format` (OSCAL identifiers, JSON positions, the
//! YAML tree in tests).

mod component;
mod ssp;

use crate::format::json_position::locate_all;
use crate::format::oscal_ids::{NS, Tokens};
use crate::format::yaml::Pos;
use crate::model::Split;
use crate::model::diagnostic::Code;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// The towers a service can belong to (the service schema's `tower`).
pub const TOWERS: [&str; 4] = [
    "managed-infrastructure",
    "managed-security",
    "managed-cloud",
    "managed-end-user",
];

/// Roles whose holder is the client (the customer of a component or a leveraged system).
const CLIENT_ROLES: [&str; 3] = ["customer", "consumer", "leveraging-system"];
/// Roles whose holder is the organization that provides and runs a component: OSCAL's roles
/// for a component's responsible parties, and the names of the leveraged-system examples.
const PROVIDER_ROLES: [&str; 12] = [
    "provider",
    "maintainer",
    "asset-owner",
    "asset-administrator",
    "security-operations",
    "network-operations",
    "incident-response",
    "help-desk",
    "configuration-management",
    "poc-for-customers",
    "system-owner",
    "admin",
];

/// Whose side a responsible role is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Msp,
    Client,
}

/// How serious a problem is: a warning (the import goes on) or an error (nothing is written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
}

/// A problem with a place in the imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub level: Level,
    pub code: Code,
    pub pos: Pos,
    pub message: String,
    pub help: String,
}

/// One service file to write.
#[derive(Debug, Clone)]
pub struct ServiceFile {
    pub id: String,
    pub claims: usize,
    pub yaml: String,
}

/// What an import produced.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `component definition` or `system security plan`.
    pub kind: &'static str,
    pub services: Vec<ServiceFile>,
    /// Warnings, in the file's order.
    pub warnings: Vec<Located>,
}

/// The first line of every file `import` writes; a file that starts with it may be replaced
/// by a later import, any other file never is.
pub const HEADER: &str = "# Imported by ctrlmap";

/// The longest service id: its file name (`ID.yaml`) must fit the 255 bytes file systems allow.
pub const MAX_ID_BYTES: usize = 250;

#[derive(Debug, Clone, Default)]
struct Claim {
    control: String,
    split: Option<Split>,
    msp: Option<String>,
    client: Option<String>,
    evidence: Vec<String>,
    option: Option<String>,
    /// Where the claim sat in the service file (ctrlmap's `order`), to write it back there.
    order: Option<usize>,
}

#[derive(Debug, Clone)]
struct Draft {
    id: String,
    name: String,
    tower: Option<String>,
    description: String,
    ephi: Option<bool>,
    options: Vec<OptionDraft>,
    claims: Vec<Claim>,
    /// Where the component is (a JSON pointer), for errors and the file's header.
    at: String,
    uuid: String,
}

/// Reads one document: resolves control ids, records what it carried over (so what it did not
/// can be named) and the problems, located at the end in one pass.
struct Reader<'a> {
    tokens: &'a Tokens,
    problems: Vec<(String, Level, Code, String, String)>,
    /// Subtrees carried over (JSON pointers), and every ancestor of one.
    taken: HashSet<String>,
    within: HashSet<String>,
    /// Unknown control ids reported so far (hints are looked up for the first ones only).
    unknown: usize,
}

/// Unknown control ids that get a "did you mean" each; the rest point at the catalogs.
const HINTS: usize = 200;

impl Reader<'_> {
    /// Mark the value at `pointer` (and everything in it) as carried over.
    fn take(&mut self, pointer: &str) {
        let mut at = pointer;
        while let Some(i) = at.rfind('/') {
            at = &at[..i];
            if !self.within.insert(at.to_string()) {
                break;
            }
        }
        self.taken.insert(pointer.to_string());
    }

    fn problem(&mut self, pointer: &str, level: Level, code: Code, message: String, help: impl Into<String>) {
        self.problems
            .push((pointer.to_string(), level, code, message, help.into()));
    }

    fn warn(&mut self, pointer: &str, code: Code, message: String, help: impl Into<String>) {
        self.problem(pointer, Level::Warning, code, message, help);
    }

    /// The ctrlmap reference of an OSCAL control id, or a warning.
    fn control(&mut self, value: &Value, pointer: &str) -> Option<String> {
        let Some(token) = value.as_str() else {
            self.warn(
                pointer,
                Code::E004,
                "`control-id` is missing or not a string; the requirement is skipped".into(),
                "give the requirement the control's id as a string",
            );
            return None;
        };
        match self.tokens.resolve(token) {
            Some((fw, id)) => {
                self.take(pointer);
                Some(format!("{fw}:{id}"))
            }
            None => {
                self.unknown += 1;
                let near = if self.unknown <= HINTS {
                    crate::model::diagnostic::closest(token, self.tokens.all(), 3)
                } else {
                    Vec::new()
                };
                let help = if near.is_empty() {
                    "add its catalog to the workspace's `frameworks/`, or see `ctrlmap frameworks` for the ids ctrlmap knows".to_string()
                } else {
                    format!(
                        "did you mean {}?",
                        near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )
                };
                self.warn(
                    pointer,
                    Code::E009,
                    format!(
                        "control `{token}` is not in ctrlmap's catalogs (built in, or this workspace's `frameworks/`); its requirement is skipped"
                    ),
                    help,
                );
                None
            }
        }
    }

    /// The side a responsible role is on, or a warning (read as the provider's).
    fn side(&mut self, role: &Value, pointer: &str) -> Side {
        let id = role["role-id"].as_str().unwrap_or_default();
        if CLIENT_ROLES.contains(&id) {
            Side::Client
        } else {
            if !PROVIDER_ROLES.contains(&id) {
                self.warn(
                    &format!("{pointer}/role-id"),
                    Code::E007,
                    format!("role `{id}` has no meaning ctrlmap knows; its statement is read as the provider's (the MSP's)"),
                    "use `customer` for the client's side, `provider` (or another of OSCAL's roles for who runs a component) for the MSP's",
                );
            }
            Side::Msp
        }
    }

    /// Name every element of the document not carried over: the outermost one of each
    /// subtree nothing was taken from.
    fn untaken(&mut self, v: &Value, at: &mut String) {
        if self.taken.contains(at.as_str()) {
            return;
        }
        if !at.is_empty() && !self.within.contains(at.as_str()) {
            let what = describe(at, v);
            let pointer = at.clone();
            self.warn(
                &pointer,
                Code::E003,
                format!("{what} is not carried over into a service file"),
                "ctrlmap's services hold a name, description, tower, options and per control each side's duty, evidence and option; keep this in the provider's document",
            );
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    self.untaken(child, at);
                    at.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&i.to_string());
                    self.untaken(child, at);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
}

/// An element in words: its key, and what identifies it (a property's name, a component's
/// title, a requirement's control).
fn describe(pointer: &str, v: &Value) -> String {
    let mut segments = pointer.rsplit('/');
    let last = segments.next().unwrap_or_default();
    let key = if last.parse::<usize>().is_ok() {
        segments.next().unwrap_or_default()
    } else {
        last
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    let naming = [
        "name",
        "title",
        "control-id",
        "statement-id",
        "role-id",
        "param-id",
        "href",
    ]
    .iter()
    .find_map(|k| v.get(*k).and_then(Value::as_str).map(|s| format!("{k} `{s}`")));
    match naming {
        Some(n) => format!("`{key}` ({n})"),
        None => format!("`{key}`"),
    }
}

fn items(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    v.as_array().into_iter().flatten().enumerate()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string).filter(|s| !s.trim().is_empty())
}

/// One of ctrlmap's properties: (pointer, name, value, remarks, group).
type PropRef<'v> = (String, &'v str, &'v str, Option<&'v str>, Option<&'v str>);
/// A service option: id, name, description.
type OptionDraft = (String, String, Option<String>);
/// What a component says about its service: id, tower, ePHI flag, options.
type ServiceFacts = (String, Option<String>, Option<bool>, Vec<OptionDraft>);

/// ctrlmap's own properties of an object, with where they are.
fn ctrlmap_props<'v>(v: &'v Value, at: &str) -> Vec<PropRef<'v>> {
    items(&v["props"])
        .filter(|(_, p)| p["ns"].as_str() == Some(NS))
        .filter_map(|(i, p)| {
            Some((
                format!("{at}/props/{i}"),
                p["name"].as_str()?,
                p["value"].as_str()?,
                p["remarks"].as_str(),
                p["group"].as_str(),
            ))
        })
        .collect()
}

/// The value of one of ctrlmap's properties, taken.
fn ctrlmap_prop<'v>(reader: &mut Reader, v: &'v Value, at: &str, name: &str) -> Option<&'v str> {
    let found = ctrlmap_props(v, at).into_iter().find(|(_, n, ..)| *n == name)?;
    reader.take(&found.0);
    Some(found.2)
}

/// Every value of one of ctrlmap's properties, taken.
fn ctrlmap_values<'v>(reader: &mut Reader, v: &'v Value, at: &str, name: &str) -> Vec<&'v str> {
    ctrlmap_props(v, at)
        .into_iter()
        .filter(|(_, n, ..)| *n == name)
        .map(|(p, _, value, ..)| {
            reader.take(&p);
            value
        })
        .collect()
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A service id from a title: lower case, words joined by `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "imported-service".into() } else { out }
}

fn parse_split(s: &str) -> Option<Split> {
    match s {
        "msp" => Some(Split::Msp),
        "shared" => Some(Split::Shared),
        "client" => Some(Split::Client),
        _ => None,
    }
}

fn split_of(provider: bool, customer: bool) -> Split {
    match (provider, customer) {
        (_, false) => Split::Msp,
        (false, true) => Split::Client,
        (true, true) => Split::Shared,
    }
}

fn join(parts: Vec<String>) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().filter(|p| !p.trim().is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// A component's service id, tower, ePHI flag and options from ctrlmap's properties (taken).
fn service_facts(reader: &mut Reader, comp: &Value, at: &str, title: &str) -> ServiceFacts {
    let id = ctrlmap_prop(reader, comp, at, "service-id")
        .filter(|id| valid_id(id))
        .map(str::to_string)
        .unwrap_or_else(|| slug(title));
    let tower = ctrlmap_prop(reader, comp, at, "tower")
        .filter(|t| TOWERS.contains(t))
        .map(str::to_string);
    let ephi = ctrlmap_prop(reader, comp, at, "ephi").and_then(|e| e.parse().ok());
    let props = ctrlmap_props(comp, at);
    let mut options = Vec::new();
    for (p, n, value, _, group) in &props {
        if *n == "option" {
            reader.take(p);
            let named = props
                .iter()
                .find(|(_, m, _, _, g)| *m == "option-name" && g.is_some() && g == group);
            if let Some((q, ..)) = named {
                reader.take(q);
            }
            options.push((
                value.to_string(),
                named.map_or_else(|| value.to_string(), |x| x.2.to_string()),
                named.and_then(|x| x.3.map(str::to_string)),
            ));
        }
    }
    (id, tower, ephi, options)
}

/// Read an OSCAL document and turn it into service files. `Err` with the problems (at least
/// one error) when nothing may be written; warnings for what is skipped or not carried over.
pub fn import(source: &str, text: &str, tokens: &Tokens, tower: Option<&str>) -> Result<Imported, Vec<Located>> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        vec![Located {
            level: Level::Error,
            code: Code::E001,
            pos: Pos {
                line: e.line().max(1),
                column: e.column().max(1),
            },
            message: format!("not valid JSON: {e}"),
            help: "an OSCAL document in JSON is one JSON object; fix the syntax at this place".into(),
        }]
    })?;
    let mut reader = Reader {
        tokens,
        problems: Vec::new(),
        taken: HashSet::new(),
        within: HashSet::new(),
        unknown: 0,
    };
    let (kind, drafts) = if doc.get("component-definition").is_some() {
        ("component definition", component::read(&mut reader, &doc))
    } else if doc.get("system-security-plan").is_some() {
        ("system security plan", ssp::read(&mut reader, &doc))
    } else {
        let keys: Vec<String> = doc
            .as_object()
            .map(|o| o.keys().map(|k| format!("`{k}`")).collect())
            .unwrap_or_default();
        return Err(vec![Located {
            level: Level::Error,
            code: Code::E014,
            pos: Pos { line: 1, column: 1 },
            message: format!(
                "not an OSCAL component definition or system security plan (the root has {})",
                if keys.is_empty() {
                    "no keys".to_string()
                } else {
                    keys.join(", ")
                }
            ),
            help: "ctrlmap imports `component-definition` and `system-security-plan` documents".into(),
        }]);
    };
    // The document itself and its metadata describe the document, not a service.
    for at in [
        "/component-definition/uuid",
        "/component-definition/metadata",
        "/system-security-plan/uuid",
        "/system-security-plan/metadata",
        "/system-security-plan/import-profile",
    ] {
        if doc.pointer(at).is_some() {
            reader.take(at);
        }
    }
    let mut services = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for d in drafts {
        if d.claims.is_empty() {
            reader.warn(
                &d.at,
                Code::E009,
                format!(
                    "component `{}` has no control ctrlmap's catalogs know; no service file is written for it",
                    d.name
                ),
                "add the catalog of its controls to the workspace's `frameworks/`",
            );
            continue;
        }
        let tower = match d.tower.clone().or_else(|| tower.map(str::to_string)) {
            Some(t) => t,
            None => {
                reader.problem(
                    &d.at,
                    Level::Error,
                    Code::E005,
                    format!("component `{}` does not say which tower its service belongs to", d.name),
                    format!("pass `--tower` ({})", TOWERS.join(", ")),
                );
                continue;
            }
        };
        if let Some(first) = ids.get(&d.id) {
            let first = first.clone();
            reader.problem(
                &d.at,
                Level::Error,
                Code::E011,
                format!("two components would both be service `{}` (the other is at {first}); one would overwrite the other", d.id),
                "give one of them another ctrlmap `service-id` property or another title",
            );
            continue;
        }
        ids.insert(d.id.clone(), d.at.clone());
        if d.id.len() > MAX_ID_BYTES {
            reader.problem(
                &d.at,
                Level::Error,
                Code::E007,
                format!("the service id from `{}` is {} bytes long; its file name would be longer than file systems allow", d.name, d.id.len()),
                format!("give the component a ctrlmap `service-id` property of at most {MAX_ID_BYTES} bytes, or a shorter title"),
            );
            continue;
        }
        let header = format!(
            "{HEADER} from {source} (OSCAL {kind}, component {}). Review the duties before subscribing clients.",
            d.uuid
        );
        let yaml = service_yaml(&d, &tower, &header);
        if yaml.len() as u64 > crate::fs::input::MAX_INPUT_BYTES {
            reader.problem(
                &d.at,
                Level::Error,
                Code::E013,
                format!(
                    "service `{}` would be a file of {} bytes, more than the {} ctrlmap reads",
                    d.id,
                    yaml.len(),
                    crate::fs::input::MAX_INPUT_BYTES
                ),
                "split the component into smaller ones before importing",
            );
            continue;
        }
        services.push(ServiceFile {
            id: d.id.clone(),
            claims: d.claims.len(),
            yaml,
        });
    }
    // What was not carried over, when there is an import to speak of.
    if !reader.problems.iter().any(|p| p.1 == Level::Error) {
        let mut at = String::new();
        reader.untaken(&doc, &mut at);
    }
    services.sort_by(|a, b| a.id.cmp(&b.id));
    // Locate every problem in one pass over the text.
    let positions = locate_all(text, reader.problems.iter().map(|p| p.0.as_str()));
    let mut located: Vec<Located> = reader
        .problems
        .into_iter()
        .map(|(pointer, level, code, message, help)| Located {
            level,
            code,
            pos: positions.get(&pointer).copied().unwrap_or(Pos { line: 1, column: 1 }),
            message,
            help,
        })
        .collect();
    located.sort_by(|a, b| {
        a.pos
            .cmp(&b.pos)
            .then_with(|| a.level.cmp(&b.level))
            .then_with(|| a.message.cmp(&b.message))
    });
    if located.iter().any(|p| p.level == Level::Error) {
        return Err(located);
    }
    Ok(Imported {
        kind,
        services,
        warnings: located,
    })
}

/// A YAML double-quoted scalar that says exactly `s`: everything YAML could misread (quotes,
/// backslashes, control and non-printable characters, the byte-order mark) is escaped.
pub fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                out.push_str(&format!("\\x{:02X}", c as u32));
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn service_yaml(d: &Draft, tower: &str, header: &str) -> String {
    use std::fmt::Write as _;
    let mut y = String::new();
    let _ = writeln!(y, "{}", header.replace(['\n', '\r'], " "));
    let _ = writeln!(y, "kind: service");
    let _ = writeln!(y, "id: {}", d.id);
    let _ = writeln!(y, "name: {}", yaml_string(&d.name));
    let _ = writeln!(y, "tower: {tower}");
    let _ = writeln!(y, "description: {}", yaml_string(&d.description));
    if let Some(e) = d.ephi {
        let _ = writeln!(y, "ephi: {e}");
    }
    if !d.options.is_empty() {
        let _ = writeln!(y, "options:");
        for (id, name, description) in &d.options {
            let _ = writeln!(y, "  - id: {}", yaml_string(id));
            let _ = writeln!(y, "    name: {}", yaml_string(name));
            if let Some(desc) = description {
                let _ = writeln!(y, "    description: {}", yaml_string(desc));
            }
        }
    }
    let _ = writeln!(y, "controls:");
    let mut claims: Vec<&Claim> = d.claims.iter().collect();
    claims.sort_by_key(|c| c.order.unwrap_or(usize::MAX));
    for c in claims {
        let split = c.split.unwrap_or_else(|| split_of(c.msp.is_some(), c.client.is_some()));
        let _ = writeln!(y, "  - control: {}", yaml_string(&c.control));
        let _ = writeln!(y, "    split: {}", crate::format::oscal_ids::split_name(split));
        if let Some(m) = &c.msp {
            let _ = writeln!(y, "    msp: {}", yaml_string(m));
        }
        if let Some(m) = &c.client {
            let _ = writeln!(y, "    client: {}", yaml_string(m));
        }
        if !c.evidence.is_empty() {
            let _ = writeln!(y, "    evidence:");
            for e in &c.evidence {
                let _ = writeln!(y, "      - {}", yaml_string(e));
            }
        }
        if let Some(o) = &c.option {
            let _ = writeln!(y, "    option: {}", yaml_string(o));
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::yaml::{Limits, NodeValue, parse};

    #[test]
    fn yaml_strings_read_back_as_written() {
        for s in [
            "plain",
            "a \"quoted\" \\ back",
            "two\nlines\ttab",
            "\u{7f}\u{85}\u{feff}é 🙂",
            ": - # & * ! | > ' % @ `",
        ] {
            let parsed = parse(&format!("v: {}\n", yaml_string(s)), Limits::default());
            assert!(parsed.problems.is_empty(), "{s:?}: {:?}", parsed.problems);
            let root = parsed.root.expect("root");
            match &root.at("/v").expect("v").value {
                NodeValue::Str(back) => assert_eq!(back, s),
                other => panic!("{s:?} read back as {other:?}"),
            }
        }
    }

    #[test]
    fn slugs_are_service_ids() {
        assert_eq!(slug(" **THIS SYSTEM (SaaS)** "), "this-system-saas");
        assert_eq!(
            slug("Leveraged IaaS System Application"),
            "leveraged-iaas-system-application"
        );
        assert_eq!(slug("***"), "imported-service");
        assert!(valid_id(&slug("Über Cloud 2")));
    }

    #[test]
    fn elements_are_described_by_what_names_them() {
        let p = serde_json::json!({ "name": "sort-id", "value": "1" });
        assert_eq!(describe("/a/props/3", &p), "`props` (name `sort-id`)");
        assert_eq!(
            describe("/a/set-parameters", &serde_json::json!([])),
            "`set-parameters`"
        );
    }
}
