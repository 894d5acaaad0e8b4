//! A component definition as services: each component a service, each implemented
//! requirement a claim.
//!
//! One written by ctrlmap carries the claim's split, order, evidence, option and undescribed
//! sides in properties; the requirement's description is the provider's duty (the customer's
//! for split `client`) and its statement's the duty of the statement's role. One written by
//! another tool is read by its roles: each statement's description is the duty of the side its
//! responsible roles are on (a `customer` statement the client's, any other the MSP's), the
//! requirement's description when no statement says anything; the split follows from the sides
//! that have a duty.

use super::{
    Claim, Draft, Level, Reader, Side, ctrlmap_prop, ctrlmap_values, items, parse_split, service_facts, split_of, text,
};
use crate::model::Split;
use crate::model::diagnostic::Code;
use serde_json::Value;

pub(super) fn read(reader: &mut Reader, doc: &Value) -> Vec<Draft> {
    let cd = &doc["component-definition"];
    let Some(components) = cd["components"].as_array().filter(|c| !c.is_empty()) else {
        reader.problem(
            "/component-definition",
            Level::Error,
            Code::E005,
            "the component definition has no `components`; there is nothing to import".into(),
            "import a component definition that defines at least one component",
        );
        return Vec::new();
    };
    let resources: Vec<&str> = items(&doc["component-definition"]["back-matter"]["resources"])
        .map(|(_, r)| r["uuid"].as_str().unwrap_or_default())
        .collect();
    let mut drafts = Vec::new();
    for (k, comp) in components.iter().enumerate() {
        let at = format!("/component-definition/components/{k}");
        for key in ["uuid", "type", "title", "description", "responsible-roles"] {
            if comp.get(key).is_some() {
                reader.take(&format!("{at}/{key}"));
            }
        }
        let name = text(&comp["title"]).map_or_else(|| format!("component {}", k + 1), |t| t.trim().to_string());
        let (id, tower, ephi, options) = service_facts(reader, comp, &at, &name);
        let mut claims = Vec::new();
        for (j, ci) in items(&comp["control-implementations"]) {
            let cip = format!("{at}/control-implementations/{j}");
            for key in ["uuid", "source", "description"] {
                if ci.get(key).is_some() {
                    reader.take(&format!("{cip}/{key}"));
                }
            }
            // The catalog or profile the controls come from, when it is a back-matter resource.
            if let Some(r) = ci["source"].as_str().and_then(|s| s.strip_prefix('#'))
                && let Some(n) = resources.iter().position(|u| *u == r)
            {
                reader.take(&format!("/component-definition/back-matter/resources/{n}"));
            }
            for (m, ir) in items(&ci["implemented-requirements"]) {
                let irp = format!("{cip}/implemented-requirements/{m}");
                let Some(control) = reader.control(&ir["control-id"], &format!("{irp}/control-id")) else {
                    reader.take(&irp);
                    continue;
                };
                if ir.get("uuid").is_some() {
                    reader.take(&format!("{irp}/uuid"));
                }
                claims.push(claim(reader, ir, &irp, control));
            }
        }
        drafts.push(Draft {
            id,
            name: name.clone(),
            tower,
            description: text(&comp["description"]).unwrap_or(name),
            ephi,
            options,
            claims,
            at,
            uuid: comp["uuid"].as_str().unwrap_or_default().to_string(),
        });
    }
    drafts
}

/// A claim from an implemented requirement.
fn claim(reader: &mut Reader, ir: &Value, irp: &str, control: String) -> Claim {
    if let Some(split) = ctrlmap_prop(reader, ir, irp, "split").and_then(parse_split) {
        return ctrlmap_claim(reader, ir, irp, control, split);
    }
    // Another tool's requirement: the side of each statement is the side of its roles (or,
    // without roles, of the requirement's).
    let mut role_sides = Vec::new();
    for (r, role) in items(&ir["responsible-roles"]) {
        role_sides.push(reader.side(role, &format!("{irp}/responsible-roles/{r}")));
    }
    let (msp_role, client_role) = (role_sides.contains(&Side::Msp), role_sides.contains(&Side::Client));
    let default_side = if client_role && !msp_role {
        Side::Client
    } else {
        Side::Msp
    };
    let mut msp = Vec::new();
    let mut client = Vec::new();
    for (s, st) in items(&ir["statements"]) {
        let sp = format!("{irp}/statements/{s}");
        let Some(description) = text(&st["description"]) else {
            continue;
        };
        let mut sides = Vec::new();
        for (r, role) in items(&st["responsible-roles"]) {
            sides.push(reader.side(role, &format!("{sp}/responsible-roles/{r}")));
            reader.take(&format!("{sp}/responsible-roles/{r}"));
        }
        let side = if sides.is_empty() {
            default_side
        } else if sides.iter().all(|s| *s == Side::Client) {
            Side::Client
        } else {
            Side::Msp
        };
        for key in ["statement-id", "uuid", "description"] {
            reader.take(&format!("{sp}/{key}"));
        }
        match side {
            Side::Msp => msp.push(description),
            Side::Client => client.push(description),
        }
    }
    let split = if msp.is_empty() && client.is_empty() {
        // No statement says anything: the requirement's description is the duty of the side
        // its roles name (both sides: shared, the description as the provider's).
        let split = split_of(msp_role || !client_role, client_role);
        if let Some(d) = text(&ir["description"]) {
            reader.take(&format!("{irp}/description"));
            match split {
                Split::Client => client.push(d),
                _ => msp.push(d),
            }
        }
        split
    } else {
        split_of(!msp.is_empty(), !client.is_empty())
    };
    if !role_sides.is_empty() {
        reader.take(&format!("{irp}/responsible-roles"));
    }
    Claim {
        control,
        split: Some(split),
        msp: super::join(msp),
        client: super::join(client),
        ..Claim::default()
    }
}

/// A claim as ctrlmap wrote it: exactly what the service file said.
fn ctrlmap_claim(reader: &mut Reader, ir: &Value, irp: &str, control: String, split: Split) -> Claim {
    let _ = ctrlmap_values(reader, ir, irp, "control");
    let order = ctrlmap_prop(reader, ir, irp, "order").and_then(|o| o.parse().ok());
    let evidence: Vec<String> = ctrlmap_values(reader, ir, irp, "evidence")
        .into_iter()
        .map(str::to_string)
        .collect();
    let option = ctrlmap_prop(reader, ir, irp, "option").map(str::to_string);
    let undescribed = ctrlmap_values(reader, ir, irp, "undescribed");
    for key in ["description", "responsible-roles", "statements"] {
        if ir.get(key).is_some() {
            reader.take(&format!("{irp}/{key}"));
        }
    }
    let requirement = text(&ir["description"]);
    let statement = items(&ir["statements"]).find_map(|(_, s)| text(&s["description"]));
    let (msp, client) = match split {
        Split::Msp => (requirement, None),
        Split::Client => (None, statement.or(requirement)),
        Split::Shared => (requirement, statement),
    };
    Claim {
        control,
        split: Some(split),
        msp: msp.filter(|_| !undescribed.contains(&"msp")),
        client: client.filter(|_| !undescribed.contains(&"client")),
        evidence,
        option,
        order,
    }
}
