//! `ctrlmap import oscal`: a provider's published responsibilities as ctrlmap service files.
//!
//! Two kinds of OSCAL document are read:
//!
//! - a **component definition**: each component becomes a service, each implemented
//!   requirement a claim. ctrlmap's own properties (service id, tower, split, evidence, options)
//!   are read back exactly, with each side's duty from the remarks of its responsible role
//!   (`provider`, `customer`), so an exported component definition imports into the same
//!   services. A component definition written by another tool has none of these: its claims
//!   are the provider's (`msp`), or the customer's or shared as its responsible roles say, with
//!   the statements' descriptions as the duty;
//! - a **system security plan** of a provider: each component whose by-components export
//!   something becomes a service; per control, what it `provided` is the MSP side's duty and its
//!   `responsibilities` the client's, so a control with both is `shared`.
//!
//! Control ids are looked up among the catalogs ctrlmap knows (built in, and the target
//! workspace's `frameworks/`) by their OSCAL form; an id it does not know is skipped with a
//! warning that names its line and column. Nothing is decided here that the document does not
//! say, except where the document cannot say it (a service's tower, which `--tower` gives).

use super::ids::{NS, Tokens};
use super::position::locate;
use crate::load::yaml::Pos;
use crate::model::Split;
use serde_json::Value;
use std::collections::BTreeMap;

/// The towers a service can belong to (the service schema's `tower`).
pub const TOWERS: [&str; 4] = [
    "managed-infrastructure",
    "managed-security",
    "managed-cloud",
    "managed-end-user",
];

/// A problem with a place in the imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub pos: Pos,
    pub message: String,
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
    pub warnings: Vec<Located>,
}

/// The first line of every file `import` writes; a file that starts with it may be replaced
/// by a later import, any other file never is.
pub const HEADER: &str = "# Imported by ctrlmap";

#[derive(Debug, Clone)]
struct Claim {
    control: String,
    split: Split,
    msp: Option<String>,
    client: Option<String>,
    evidence: Vec<String>,
    option: Option<String>,
}

#[derive(Debug, Clone)]
struct Draft {
    id: String,
    name: String,
    tower: Option<String>,
    description: String,
    ephi: Option<bool>,
    options: Vec<(String, String, Option<String>)>,
    claims: Vec<Claim>,
    /// Where the component is, for errors and the file's header.
    pos: Pos,
    uuid: String,
}

struct Reader<'a> {
    text: &'a str,
    tokens: &'a Tokens,
    warnings: Vec<Located>,
}

impl Reader<'_> {
    fn at(&self, pointer: &str) -> Pos {
        locate(self.text, pointer).unwrap_or(Pos { line: 1, column: 1 })
    }

    fn warn(&mut self, pointer: &str, message: String) {
        let pos = self.at(pointer);
        self.warnings.push(Located { pos, message });
    }

    /// The ctrlmap reference of an OSCAL control id, or a warning.
    fn control(&mut self, value: &Value, pointer: &str) -> Option<String> {
        let Some(token) = value.as_str() else {
            self.warn(
                pointer,
                "`control-id` is missing or not a string; the requirement is skipped".into(),
            );
            return None;
        };
        match self.tokens.resolve(token) {
            Some((fw, id)) => Some(format!("{fw}:{id}")),
            None => {
                let near = crate::model::diagnostic::closest(token, self.tokens.all(), 3);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (did you mean {}?)",
                        near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    )
                };
                self.warn(
                    pointer,
                    format!(
                        "control `{token}` is not in ctrlmap's catalogs (built in, or this workspace's `frameworks/`){hint}; its requirement is skipped"
                    ),
                );
                None
            }
        }
    }
}

fn items(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    v.as_array().into_iter().flatten().enumerate()
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string).filter(|s| !s.trim().is_empty())
}

/// ctrlmap's own properties of an object: (name, value, remarks, group).
fn ctrlmap_props(v: &Value) -> Vec<(&str, &str, Option<&str>, Option<&str>)> {
    items(&v["props"])
        .map(|(_, p)| p)
        .filter(|p| p["ns"].as_str() == Some(NS))
        .filter_map(|p| {
            Some((
                p["name"].as_str()?,
                p["value"].as_str()?,
                p["remarks"].as_str(),
                p["group"].as_str(),
            ))
        })
        .collect()
}

fn ctrlmap_prop<'v>(v: &'v Value, name: &str) -> Option<&'v str> {
    ctrlmap_props(v)
        .into_iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, value, ..)| value)
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

/// Read an OSCAL document and turn it into service files. `Err` when the file is not JSON or
/// not a document ctrlmap can read; warnings for what is skipped.
pub fn import(source: &str, text: &str, tokens: &Tokens, tower: Option<&str>) -> Result<Imported, Located> {
    let doc: Value = serde_json::from_str(text).map_err(|e| Located {
        pos: Pos {
            line: e.line().max(1),
            column: e.column().max(1),
        },
        message: format!("not valid JSON: {e}"),
    })?;
    let mut reader = Reader {
        text,
        tokens,
        warnings: Vec::new(),
    };
    let (kind, drafts) = if doc.get("component-definition").is_some() {
        ("component definition", from_component_definition(&mut reader, &doc)?)
    } else if doc.get("system-security-plan").is_some() {
        ("system security plan", from_ssp(&mut reader, &doc)?)
    } else {
        let keys: Vec<String> = doc
            .as_object()
            .map(|o| o.keys().map(|k| format!("`{k}`")).collect())
            .unwrap_or_default();
        return Err(Located {
            pos: Pos { line: 1, column: 1 },
            message: format!(
                "not an OSCAL component definition or system security plan (the root has {}); ctrlmap imports `component-definition` and `system-security-plan` documents",
                if keys.is_empty() {
                    "no keys".to_string()
                } else {
                    keys.join(", ")
                }
            ),
        });
    };
    let mut services = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for mut d in drafts {
        if d.claims.is_empty() {
            reader.warnings.push(Located {
                pos: d.pos,
                message: format!(
                    "component `{}` has no control ctrlmap's catalogs know; no service file is written for it",
                    d.name
                ),
            });
            continue;
        }
        let tower = match d.tower.clone().or_else(|| tower.map(str::to_string)) {
            Some(t) => t,
            None => {
                return Err(Located {
                    pos: d.pos,
                    message: format!(
                        "component `{}` does not say which tower its service belongs to; pass `--tower` ({})",
                        d.name,
                        TOWERS.join(", ")
                    ),
                });
            }
        };
        let n = ids.entry(d.id.clone()).or_default();
        *n += 1;
        if *n > 1 {
            d.id = format!("{}-{n}", d.id);
        }
        let header = format!(
            "{HEADER} from {source} (OSCAL {kind}, component {}). Review the duties before subscribing clients.",
            d.uuid
        );
        services.push(ServiceFile {
            id: d.id.clone(),
            claims: d.claims.len(),
            yaml: service_yaml(&d, &tower, &header),
        });
    }
    services.sort_by(|a, b| a.id.cmp(&b.id));
    reader
        .warnings
        .sort_by(|a, b| a.pos.cmp(&b.pos).then_with(|| a.message.cmp(&b.message)));
    Ok(Imported {
        kind,
        services,
        warnings: reader.warnings,
    })
}

fn from_component_definition(reader: &mut Reader, doc: &Value) -> Result<Vec<Draft>, Located> {
    let cd = &doc["component-definition"];
    let components = cd["components"]
        .as_array()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Located {
            pos: reader.at("/component-definition"),
            message: "the component definition has no `components`; there is nothing to import".into(),
        })?;
    let mut drafts = Vec::new();
    for (k, comp) in components.iter().enumerate() {
        let ptr = format!("/component-definition/components/{k}");
        let name = text(&comp["title"]).unwrap_or_else(|| format!("component {}", k + 1));
        let id = ctrlmap_prop(comp, "service-id")
            .filter(|id| valid_id(id))
            .map(str::to_string)
            .unwrap_or_else(|| slug(&name));
        let mut options: Vec<(String, String, Option<String>)> = Vec::new();
        let props = ctrlmap_props(comp);
        for (n, value, _, group) in &props {
            if *n == "option" {
                let named = props
                    .iter()
                    .find(|(m, _, _, g)| *m == "option-name" && g.is_some() && g == group);
                options.push((
                    value.to_string(),
                    named.map_or_else(|| value.to_string(), |x| x.1.to_string()),
                    named.and_then(|x| x.2.map(str::to_string)),
                ));
            }
        }
        let mut claims = Vec::new();
        for (j, ci) in items(&comp["control-implementations"]) {
            for (m, ir) in items(&ci["implemented-requirements"]) {
                let irp = format!("{ptr}/control-implementations/{j}/implemented-requirements/{m}");
                let Some(control) = reader.control(&ir["control-id"], &format!("{irp}/control-id")) else {
                    continue;
                };
                claims.push(claim_of(ir, control));
            }
        }
        drafts.push(Draft {
            id,
            name: name.clone(),
            tower: ctrlmap_prop(comp, "tower")
                .filter(|t| TOWERS.contains(t))
                .map(str::to_string),
            description: text(&comp["description"]).unwrap_or(name),
            ephi: ctrlmap_prop(comp, "ephi").and_then(|e| e.parse().ok()),
            options,
            claims,
            pos: reader.at(&ptr),
            uuid: comp["uuid"].as_str().unwrap_or_default().to_string(),
        });
    }
    Ok(drafts)
}

/// A claim from an implemented requirement of a component definition.
fn claim_of(ir: &Value, control: String) -> Claim {
    let statements: Vec<&Value> = items(&ir["statements"]).map(|(_, s)| s).collect();
    let role_remarks = |role: &str| -> Vec<String> {
        statements
            .iter()
            .flat_map(|s| items(&s["responsible-roles"]).map(|(_, r)| r))
            .filter(|r| r["role-id"].as_str() == Some(role))
            .filter_map(|r| text(&r["remarks"]))
            .collect()
    };
    let has_role = |role: &str| {
        std::iter::once(ir)
            .chain(statements.iter().copied())
            .flat_map(|v| items(&v["responsible-roles"]).map(|(_, r)| r))
            .any(|r| r["role-id"].as_str() == Some(role))
    };
    let written_by_ctrlmap = ctrlmap_prop(ir, "split").and_then(parse_split);
    let split = written_by_ctrlmap.unwrap_or_else(|| split_of(has_role("provider"), has_role("customer")));
    let mut msp = join(role_remarks("provider"));
    let mut client = join(role_remarks("customer"));
    if written_by_ctrlmap.is_none() {
        // Another tool's component: the statements (or the requirement) describe the duty.
        let described = join(statements.iter().filter_map(|s| text(&s["description"])).collect())
            .or_else(|| text(&ir["description"]));
        match split {
            Split::Client if client.is_none() => client = described,
            Split::Msp | Split::Shared if msp.is_none() => msp = described,
            _ => {}
        }
    }
    Claim {
        control,
        split,
        msp,
        client,
        evidence: ctrlmap_props(ir)
            .into_iter()
            .filter(|(n, ..)| *n == "evidence")
            .map(|(_, v, ..)| v.to_string())
            .collect(),
        option: ctrlmap_prop(ir, "option").map(str::to_string),
    }
}

/// Per control: what a component provided, and the responsibilities it left.
type Exports = Vec<(String, Vec<String>, Vec<String>)>;

fn from_ssp(reader: &mut Reader, doc: &Value) -> Result<Vec<Draft>, Located> {
    let ssp = &doc["system-security-plan"];
    let chars = &ssp["system-characteristics"];
    let system = text(&chars["system-name"]).unwrap_or_else(|| "Provider system".into());
    let short = text(&chars["system-name-short"]).unwrap_or_else(|| system.clone());
    // Components by UUID: (index, title, description, ctrlmap service id).
    let mut components: BTreeMap<String, (usize, String, String, Option<String>)> = BTreeMap::new();
    for (c, comp) in items(&ssp["system-implementation"]["components"]) {
        if let Some(uuid) = comp["uuid"].as_str() {
            let title = text(&comp["title"]).map_or_else(|| format!("component {}", c + 1), |t| t.trim().to_string());
            let description = text(&comp["description"]).unwrap_or_else(|| title.clone());
            let id = ctrlmap_prop(comp, "service-id")
                .filter(|id| valid_id(id))
                .map(str::to_string);
            components.insert(uuid.to_string(), (c, title, description, id));
        }
    }
    // (component uuid) → control → (provided, responsibilities), in document order.
    let mut found: BTreeMap<String, Exports> = BTreeMap::new();
    let requirements = ssp["control-implementation"]["implemented-requirements"]
        .as_array()
        .ok_or_else(|| Located {
            pos: reader.at("/system-security-plan"),
            message: "the plan has no `control-implementation.implemented-requirements`; there is nothing to import"
                .into(),
        })?;
    for (m, ir) in requirements.iter().enumerate() {
        let irp = format!("/system-security-plan/control-implementation/implemented-requirements/{m}");
        let mut by: Vec<(String, &Value)> = items(&ir["by-components"])
            .map(|(k, b)| (format!("{irp}/by-components/{k}"), b))
            .collect();
        for (s, st) in items(&ir["statements"]) {
            by.extend(items(&st["by-components"]).map(|(k, b)| (format!("{irp}/statements/{s}/by-components/{k}"), b)));
        }
        let exporting: Vec<&(String, &Value)> = by
            .iter()
            .filter(|(_, b)| b["export"]["provided"].is_array() || b["export"]["responsibilities"].is_array())
            .collect();
        if exporting.is_empty() {
            continue;
        }
        let Some(control) = reader.control(&ir["control-id"], &format!("{irp}/control-id")) else {
            continue;
        };
        for (bp, b) in exporting {
            let Some(uuid) = b["component-uuid"].as_str() else {
                reader.warn(bp, "a by-component without `component-uuid` is skipped".into());
                continue;
            };
            if !components.contains_key(uuid) {
                reader.warn(
                    &format!("{bp}/component-uuid"),
                    format!("component `{uuid}` is not among the plan's components; its export is skipped"),
                );
                continue;
            }
            let provided: Vec<String> = items(&b["export"]["provided"])
                .filter_map(|(_, p)| text(&p["description"]))
                .collect();
            let responsibilities: Vec<String> = items(&b["export"]["responsibilities"])
                .filter_map(|(_, r)| text(&r["description"]))
                .collect();
            let list = found.entry(uuid.to_string()).or_default();
            match list.iter_mut().find(|(c, ..)| *c == control) {
                Some((_, p, r)) => {
                    p.extend(provided);
                    r.extend(responsibilities);
                }
                None => list.push((control.clone(), provided, responsibilities)),
            }
        }
    }
    let mut drafts = Vec::new();
    let mut ordered: Vec<(&String, &Exports)> = found.iter().collect();
    ordered.sort_by_key(|(uuid, _)| components.get(*uuid).map(|c| c.0));
    for (uuid, controls) in ordered {
        let Some((c, title, description, service_id)) = components.get(uuid) else {
            continue;
        };
        let claims = controls
            .iter()
            .filter(|(_, p, r)| !p.is_empty() || !r.is_empty())
            .map(|(control, provided, responsibilities)| Claim {
                control: control.clone(),
                split: split_of(!provided.is_empty(), !responsibilities.is_empty()),
                msp: join(provided.clone()),
                client: join(responsibilities.clone()),
                evidence: Vec::new(),
                option: None,
            })
            .collect();
        drafts.push(Draft {
            id: service_id.clone().unwrap_or_else(|| slug(&format!("{short} {title}"))),
            name: format!("{system}: {title}"),
            tower: None,
            description: description.clone(),
            ephi: None,
            options: Vec::new(),
            claims,
            pos: reader.at(&format!("/system-security-plan/system-implementation/components/{c}")),
            uuid: uuid.clone(),
        });
    }
    Ok(drafts)
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
    for c in &d.claims {
        let _ = writeln!(y, "  - control: {}", yaml_string(&c.control));
        let _ = writeln!(y, "    split: {}", super::component::split_name(c.split));
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
    use crate::load::yaml::{Limits, NodeValue, parse};

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
}
