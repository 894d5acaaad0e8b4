//! The MSP's services as an OSCAL component definition: one component (`type: service`) per
//! service, one control implementation per framework it claims controls of, one implemented
//! requirement per claim.
//!
//! A claim's split decides its responsible roles: `provider` (the MSP) for `msp`, `customer`
//! (the client) for `client`, both for `shared`. The claim's statement carries each side's duty
//! in the `remarks` of that side's responsible role, and both in its description; the split,
//! the evidence the MSP produces and the option the claim depends on are properties in
//! ctrlmap's namespace, and so are the service's id, tower, ePHI flag and options. `ctrlmap
//! import oscal` reads exactly these back.

use super::ids::{self, control_token, statement_id};
use super::{finish, metadata, one_line, prop, prop_with_remarks};
use crate::model::Workspace;
use crate::model::{Claim, Service, Split};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Role ids of the component definition and the plans.
pub const PROVIDER: &str = "provider";
pub const CUSTOMER: &str = "customer";
pub const THIRD_PARTY: &str = "third-party";

/// The metadata roles every document with responsibilities defines.
pub fn roles() -> Value {
    json!([
        { "id": PROVIDER, "title": "Provider: the managed service provider (MSP)" },
        { "id": CUSTOMER, "title": "Customer: the client, the regulated entity" },
        { "id": THIRD_PARTY, "title": "Third party: a provider the client relies on besides the MSP" },
    ])
}

/// The MSP's name as the workspace gives it (`provider` in ctrlmap.yaml).
pub fn provider_name(ws: &Workspace) -> String {
    ws.config
        .provider
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "The managed service provider".into())
}

/// The UUID of the MSP as a party, the same in every document.
pub fn provider_uuid(name: &str) -> String {
    ids::uuid(&format!("party/provider/{name}"))
}

/// The UUID of a service's component, the same in the component definition and every plan.
pub fn service_uuid(id: &str) -> String {
    ids::uuid(&format!("component/service/{id}"))
}

pub fn split_name(split: Split) -> &'static str {
    match split {
        Split::Msp => "msp",
        Split::Shared => "shared",
        Split::Client => "client",
    }
}

/// Each side's duty in words, as a statement description.
pub fn duties_text(msp: Option<&str>, client: Option<&str>, split: Split) -> String {
    let side = |who: &str, text: Option<&str>| match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("{who}: {t}"),
        None => format!("{who}: the service does not describe this duty."),
    };
    match split {
        Split::Msp => side("Provider (MSP)", msp),
        Split::Client => side("Customer (client)", client),
        Split::Shared => format!(
            "{}\n\n{}",
            side("Provider (MSP)", msp),
            side("Customer (client)", client)
        ),
    }
}

/// The responsible roles of a claim, each side's duty in its remarks.
fn claim_roles(claim: &Claim, provider: &str, with_remarks: bool) -> Vec<Value> {
    let mut roles = Vec::new();
    if matches!(claim.split, Split::Msp | Split::Shared) {
        let mut r = json!({ "role-id": PROVIDER, "party-uuids": [provider] });
        if with_remarks && let Some(t) = claim.msp.as_deref().filter(|t| !t.trim().is_empty()) {
            r["remarks"] = json!(t);
        }
        roles.push(r);
    }
    if matches!(claim.split, Split::Client | Split::Shared) {
        let mut r = json!({ "role-id": CUSTOMER });
        if with_remarks && let Some(t) = claim.client.as_deref().filter(|t| !t.trim().is_empty()) {
            r["remarks"] = json!(t);
        }
        roles.push(r);
    }
    roles
}

/// The component definition of every service of the workspace.
pub fn component_definition(ws: &Workspace, as_of: time::Date) -> Vec<u8> {
    let name = provider_name(ws);
    let provider = provider_uuid(&name);
    let components: Vec<Value> = ws.services.values().map(|s| component(ws, s, &provider)).collect();
    let mut meta = metadata(
        &format!("{name}: managed services"),
        &as_of.to_string(),
        super::OSCAL_VERSION,
        as_of,
    );
    meta["roles"] = roles();
    meta["parties"] = json!([{ "uuid": provider, "type": "organization", "name": one_line(&name).unwrap_or_else(|| "msp".into()), "props": [prop("party-id", "msp")] }]);
    meta["responsible-parties"] = json!([{ "role-id": PROVIDER, "party-uuids": [provider] }]);
    meta["remarks"] = json!(
        "The MSP's service catalog as ctrlmap reads it: each service a component, each control it claims an implemented requirement. The split (msp, shared, client) is in the `split` property and the responsible roles; each side's duty is in the remarks of its responsible role on the statement. `ctrlmap import oscal` turns this file back into service files."
    );
    let doc = json!({
        "component-definition": {
            "uuid": "",
            "metadata": meta,
            "components": components,
        }
    });
    finish(doc, "component-definition", "component-definition")
}

fn component(ws: &Workspace, s: &Service, provider: &str) -> Value {
    // Claims by framework, each framework's claims in the service file's order.
    let mut by_framework: BTreeMap<&str, Vec<&Claim>> = BTreeMap::new();
    for claim in s.controls.iter().flatten() {
        if let Some((fw, _)) = claim.control.split_once(':') {
            by_framework.entry(fw).or_default().push(claim);
        }
    }
    let implementations: Vec<Value> = by_framework
        .iter()
        .map(|(fw, claims)| {
            let title = ws.framework(fw).map_or(*fw, |f| f.short_title());
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            let requirements: Vec<Value> = claims
                .iter()
                .map(|claim| {
                    let key = format!("{}/{}", claim.control, claim.option.as_deref().unwrap_or(""));
                    let n = seen.entry(key.clone()).or_default();
                    *n += 1;
                    let name = if *n == 1 { key } else { format!("{key}#{n}") };
                    requirement(s, claim, fw, &name, provider)
                })
                .collect();
            json!({
                "uuid": ids::uuid(&format!("component/service/{}/{fw}", s.id)),
                "source": format!("catalogs/{}.json", super::file_stem(fw)),
                "description": format!("How {} meets controls of {title}.", s.name),
                "implemented-requirements": requirements,
            })
        })
        .collect();
    let mut props = vec![prop("service-id", &s.id), prop("tower", &s.tower)];
    if let Some(e) = s.ephi {
        props.push(prop("ephi", if e { "true" } else { "false" }));
    }
    for o in &s.options {
        let group = ids::tokenize(&format!("option-{}", o.id));
        let mut id = prop("option", &o.id);
        let mut label = prop_with_remarks("option-name", &o.name, o.description.as_deref());
        for p in [&mut id, &mut label].into_iter().flatten() {
            p["group"] = json!(group);
        }
        props.push(id);
        props.push(label);
    }
    json!({
        "uuid": service_uuid(&s.id),
        "type": "service",
        "title": s.name,
        "description": s.description,
        "props": props,
        "responsible-roles": [{ "role-id": PROVIDER, "party-uuids": [provider] }],
        "control-implementations": implementations,
    })
}

fn requirement(s: &Service, claim: &Claim, fw: &str, name: &str, provider: &str) -> Value {
    let id = claim
        .control
        .split_once(':')
        .map_or(claim.control.as_str(), |(_, id)| id);
    let token = control_token(fw, id);
    let mut props = vec![prop("control", &claim.control), prop("split", split_name(claim.split))];
    props.extend(claim.evidence.iter().map(|e| prop("evidence", e)));
    if let Some(o) = &claim.option {
        props.push(prop("option", o));
    }
    let base = format!("component/service/{}/claim/{name}", s.id);
    let text = duties_text(claim.msp.as_deref(), claim.client.as_deref(), claim.split);
    json!({
        "uuid": ids::uuid(&base),
        "control-id": token,
        "description": format!("{} ({}): {}", s.name, split_name(claim.split), text),
        "props": props,
        "responsible-roles": claim_roles(claim, provider, false),
        "statements": [{
            "statement-id": statement_id(fw, &token),
            "uuid": ids::uuid(&format!("{base}/statement")),
            "description": text,
            "responsible-roles": claim_roles(claim, provider, true),
        }],
    })
}
