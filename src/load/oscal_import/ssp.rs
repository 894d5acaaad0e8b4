//! A provider's system security plan as services: each component whose by-components export
//! something becomes a service, named by its title.
//!
//! In the plan ctrlmap writes for the MSP (`provider/ssp.json`), each claim's first export
//! statement carries its key, split, order, evidence, option and undescribed sides; a shared
//! claim's responsibility points at its provided statement. Another provider's plan is read
//! per component and control: what it `provided` is the MSP side's duty, its
//! `responsibilities` the client's, so a control with both is `shared`. A plan that exports
//! nothing (a customer's plan, which leverages another) has nothing to import.

use super::{Claim, Draft, Level, Reader, ctrlmap_prop, ctrlmap_values, items, join, parse_split, service_facts, text};
use crate::model::diagnostic::Code;
use serde_json::Value;
use std::collections::BTreeMap;

/// Per control, what a component provided and the responsibilities it left.
type Exports = Vec<(String, Vec<String>, Vec<String>)>;

/// What one exporting by-component says about one control.
struct Export<'a> {
    at: String,
    by: &'a Value,
}

pub(super) fn read(reader: &mut Reader, doc: &Value) -> Vec<Draft> {
    let ssp = &doc["system-security-plan"];
    let Some(requirements) = ssp["control-implementation"]["implemented-requirements"].as_array() else {
        reader.problem(
            "/system-security-plan",
            Level::Error,
            Code::E005,
            "the plan has no `control-implementation.implemented-requirements`; there is nothing to import".into(),
            "import a provider's plan whose by-components export what they provide",
        );
        return Vec::new();
    };
    // Components by UUID: (index, component).
    let mut components: BTreeMap<&str, (usize, &Value)> = BTreeMap::new();
    for (c, comp) in items(&ssp["system-implementation"]["components"]) {
        if let Some(uuid) = comp["uuid"].as_str() {
            components.insert(uuid, (c, comp));
        }
    }
    // Every exporting by-component, by requirement.
    let mut exporting: Vec<(usize, Vec<Export>)> = Vec::new();
    for (m, ir) in requirements.iter().enumerate() {
        let irp = format!("/system-security-plan/control-implementation/implemented-requirements/{m}");
        let mut by: Vec<Export> = items(&ir["by-components"])
            .map(|(k, b)| Export {
                at: format!("{irp}/by-components/{k}"),
                by: b,
            })
            .collect();
        for (s, st) in items(&ir["statements"]) {
            by.extend(items(&st["by-components"]).map(|(k, b)| Export {
                at: format!("{irp}/statements/{s}/by-components/{k}"),
                by: b,
            }));
        }
        by.retain(|e| e.by["export"]["provided"].is_array() || e.by["export"]["responsibilities"].is_array());
        if !by.is_empty() {
            exporting.push((m, by));
        }
    }
    if exporting.is_empty() {
        reader.problem(
            "/system-security-plan/control-implementation",
            Level::Error,
            Code::E005,
            "the plan exports nothing (no by-component has `export.provided` or `export.responsibilities`): it is a customer's plan, which leverages a provider's".into(),
            "import the provider's plan it leverages (ctrlmap writes the MSP's as provider/ssp.json), or a component definition",
        );
        return Vec::new();
    }
    reader.take("/system-security-plan/control-implementation/description");
    // Per component (by UUID), the claims of ctrlmap's plans by key, and the exports of
    // other plans by control.
    let mut keyed: BTreeMap<&str, BTreeMap<String, Claim>> = BTreeMap::new();
    let mut merged: BTreeMap<&str, Exports> = BTreeMap::new();
    for (m, list) in exporting {
        let ir = &requirements[m];
        let irp = format!("/system-security-plan/control-implementation/implemented-requirements/{m}");
        let Some(control) = reader.control(&ir["control-id"], &format!("{irp}/control-id")) else {
            reader.take(&irp);
            continue;
        };
        reader.take(&format!("{irp}/uuid"));
        let _ = ctrlmap_values(reader, ir, &irp, "control");
        for (i, p) in items(&ir["props"]) {
            if p["name"] == "label" && p.get("ns").is_none() {
                reader.take(&format!("{irp}/props/{i}"));
            }
        }
        for (s, _) in items(&ir["statements"]) {
            reader.take(&format!("{irp}/statements/{s}/statement-id"));
            reader.take(&format!("{irp}/statements/{s}/uuid"));
        }
        for Export { at, by } in list {
            let Some(uuid) = by["component-uuid"].as_str() else {
                reader.warn(
                    &at,
                    Code::E005,
                    "a by-component without `component-uuid` is skipped".into(),
                    "name the component that exports the statements",
                );
                reader.take(&at);
                continue;
            };
            if !components.contains_key(uuid) {
                reader.warn(
                    &format!("{at}/component-uuid"),
                    Code::E017,
                    format!("component `{uuid}` is not among the plan's components; its export is skipped"),
                    "list the component in `system-implementation.components`",
                );
                reader.take(&at);
                continue;
            }
            for key in ["component-uuid", "uuid", "export/description", "responsible-roles"] {
                if by.pointer(&format!("/{key}")).is_some() {
                    reader.take(&format!("{at}/{key}"));
                }
            }
            let ours = items(&by["export"]["provided"])
                .chain(items(&by["export"]["responsibilities"]))
                .any(|(_, s)| {
                    s["props"]
                        .as_array()
                        .is_some_and(|p| p.iter().any(|p| p["ns"] == super::NS && p["name"] == "claim"))
                });
            if ours {
                // ctrlmap's by-component description repeats what its claims provide.
                reader.take(&format!("{at}/description"));
                read_claims(reader, by, &at, &control, keyed.entry(uuid).or_default());
                continue;
            }
            let mut provided = Vec::new();
            let mut responsibilities = Vec::new();
            for (i, p) in items(&by["export"]["provided"]) {
                let pp = format!("{at}/export/provided/{i}");
                take_statement(reader, p, &pp);
                provided.extend(text(&p["description"]));
            }
            for (i, r) in items(&by["export"]["responsibilities"]) {
                let rp = format!("{at}/export/responsibilities/{i}");
                take_statement(reader, r, &rp);
                if r.get("provided-uuid").is_some() {
                    reader.take(&format!("{rp}/provided-uuid"));
                }
                responsibilities.extend(text(&r["description"]));
            }
            let list = merged.entry(uuid).or_default();
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
    let mut uuids: Vec<&str> = keyed.keys().chain(merged.keys()).copied().collect();
    uuids.sort_by_key(|u| components.get(u).map(|c| c.0));
    uuids.dedup();
    for uuid in uuids {
        let Some(&(c, comp)) = components.get(uuid) else {
            continue;
        };
        let at = format!("/system-security-plan/system-implementation/components/{c}");
        for key in ["uuid", "type", "title", "description", "status", "responsible-roles"] {
            if comp.get(key).is_some() {
                reader.take(&format!("{at}/{key}"));
            }
        }
        let name = text(&comp["title"]).map_or_else(|| format!("component {}", c + 1), |t| t.trim().to_string());
        let (id, tower, ephi, options) = service_facts(reader, comp, &at, &name);
        let mut claims: Vec<Claim> = keyed
            .remove(uuid)
            .map(|m| m.into_values().collect())
            .unwrap_or_default();
        claims.extend(
            merged
                .remove(uuid)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, p, r)| !p.is_empty() || !r.is_empty())
                .map(|(control, provided, responsibilities)| Claim {
                    control,
                    split: None,
                    msp: join(provided),
                    client: join(responsibilities),
                    ..Claim::default()
                }),
        );
        drafts.push(Draft {
            id,
            name: name.clone(),
            tower,
            description: text(&comp["description"]).unwrap_or(name),
            ephi,
            options,
            claims,
            at,
            uuid: uuid.to_string(),
        });
    }
    drafts
}

/// Take what every export statement has: its UUID, description and responsible roles.
fn take_statement(reader: &mut Reader, v: &Value, at: &str) {
    for key in ["uuid", "description", "responsible-roles"] {
        if v.get(key).is_some() {
            reader.take(&format!("{at}/{key}"));
        }
    }
}

/// The claims of one of ctrlmap's by-components, by key.
fn read_claims(reader: &mut Reader, by: &Value, at: &str, control: &str, claims: &mut BTreeMap<String, Claim>) {
    // Provided statements by UUID → claim key, for the responsibilities that complete them.
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut undescribed_by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut statements: Vec<(String, &Value, bool)> = Vec::new();
    for (i, p) in items(&by["export"]["provided"]) {
        statements.push((format!("{at}/export/provided/{i}"), p, true));
    }
    for (i, r) in items(&by["export"]["responsibilities"]) {
        statements.push((format!("{at}/export/responsibilities/{i}"), r, false));
    }
    for (sp, s, provided) in statements {
        take_statement(reader, s, &sp);
        let key = match ctrlmap_prop(reader, s, &sp, "claim") {
            Some(k) => k.to_string(),
            None => {
                let Some(k) = s["provided-uuid"].as_str().and_then(|u| keys.get(u)) else {
                    reader.warn(
                        &sp,
                        Code::E005,
                        "an export statement without ctrlmap's `claim` property, and not completing one that has it, is skipped".into(),
                        "export statements written by ctrlmap carry their claim's key",
                    );
                    continue;
                };
                k.clone()
            }
        };
        if s.get("provided-uuid").is_some() {
            reader.take(&format!("{sp}/provided-uuid"));
        }
        if let Some(u) = s["uuid"].as_str() {
            keys.insert(u.to_string(), key.clone());
        }
        let claim = claims.entry(key.clone()).or_insert_with(|| Claim {
            control: control.to_string(),
            ..Claim::default()
        });
        if let Some(split) = ctrlmap_prop(reader, s, &sp, "split").and_then(parse_split) {
            claim.split = Some(split);
        }
        if let Some(order) = ctrlmap_prop(reader, s, &sp, "order").and_then(|o| o.parse().ok()) {
            claim.order = Some(order);
        }
        if let Some(option) = ctrlmap_prop(reader, s, &sp, "option") {
            claim.option = Some(option.to_string());
        }
        claim.evidence.extend(
            ctrlmap_values(reader, s, &sp, "evidence")
                .into_iter()
                .map(str::to_string),
        );
        undescribed_by_key.entry(key).or_default().extend(
            ctrlmap_values(reader, s, &sp, "undescribed")
                .into_iter()
                .map(str::to_string),
        );
        let description = text(&s["description"]);
        if provided {
            claim.msp = description;
        } else {
            claim.client = description;
        }
    }
    // A side the service did not describe has only ctrlmap's placeholder sentence.
    for (key, sides) in undescribed_by_key {
        if let Some(claim) = claims.get_mut(&key) {
            if sides.iter().any(|s| s == "msp") {
                claim.msp = None;
            }
            if sides.iter().any(|s| s == "client") {
                claim.client = None;
            }
        }
    }
}
