//! The MSP's services as an OSCAL component definition: one component (`type: service`) per
//! service, one control implementation per framework it claims controls of, one implemented
//! requirement per claim.
//!
//! A claim's split decides its responsible roles: `provider` (the MSP) for `msp`, `customer`
//! (the client) for `client`, both for `shared`. Each side's duty is a description, as NIST's
//! example component definition writes them: the requirement's description is what the
//! provider does (split `msp` or `shared`; for `client`, the customer's duty), and its one
//! statement (the control's statement part) says what the statement's responsible role does:
//! the provider's duty for `msp`, the customer's for `client` and `shared`. The split, the
//! evidence the MSP produces, the option the claim depends on and the claim's order are
//! properties in ctrlmap's namespace, and so are the service's id, tower, ePHI flag and
//! options. `ctrlmap import oscal` reads exactly these back.

use super::ids::{self, control_token, statement_id};
use super::system::{provider_name, provider_uuid, role, role_def};
use super::{Layout, finish, metadata, one_line, prop, prop_with_remarks};
use crate::model::Workspace;
use crate::model::{Claim, Service, Split};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where the component definition sits in the OSCAL root.
pub const PATH: &str = "component-definition.json";

/// The UUID of a service's component, the same in the component definition and every plan.
pub fn service_uuid(id: &str) -> String {
    ids::uuid(&format!("component/service/{id}"))
}

pub use crate::format::oscal_ids::split_name;

/// A side's duty as declared, or `None` when the service does not describe it.
fn declared(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// A side's duty in words: as declared, or a sentence saying the service does not describe it.
fn duty(text: Option<&str>, who: &str) -> String {
    declared(text).map_or_else(
        || format!("The {who}'s part of this control; the service does not describe it."),
        str::to_string,
    )
}

/// A service's properties: id, tower, ePHI flag and options (each option's id and name in
/// one group).
pub fn service_props(s: &Service) -> Vec<Option<Value>> {
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
    props
}

/// The component definition of every service of the workspace.
pub fn component_definition(ws: &Workspace, as_of: time::Date, layout: &Layout) -> Vec<u8> {
    let name = provider_name(ws);
    let provider = provider_uuid(ws);
    let components: Vec<Value> = ws
        .services
        .values()
        .map(|s| component(ws, s, &provider, layout))
        .collect();
    let mut meta = metadata(
        &format!("{name}: managed services"),
        &as_of.to_string(),
        super::OSCAL_VERSION,
        as_of,
    );
    meta["roles"] = json!([role_def(role::PROVIDER), role_def(role::CUSTOMER)]);
    meta["parties"] = json!([{ "uuid": provider, "type": "organization", "name": one_line(&name).unwrap_or_else(|| "msp".into()), "props": [prop("party-id", "msp")] }]);
    meta["responsible-parties"] = json!([{ "role-id": role::PROVIDER, "party-uuids": [provider] }]);
    meta["remarks"] = json!(
        "The MSP's service catalog as ctrlmap reads it: each service a component, each control it claims an implemented requirement. The split (msp, shared, client) is in the `split` property and the responsible roles; the requirement's description is the provider's duty, its statement's description the duty of the statement's responsible role. `ctrlmap import oscal` turns this file back into service files."
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

fn component(ws: &Workspace, s: &Service, provider: &str, layout: &Layout) -> Value {
    // Claims by framework, each framework's claims in the service file's order.
    let mut by_framework: BTreeMap<&str, Vec<(usize, &Claim)>> = BTreeMap::new();
    for (order, claim) in s.controls.iter().flatten().enumerate() {
        if let Some((fw, _)) = claim.control.split_once(':') {
            by_framework.entry(fw).or_default().push((order, claim));
        }
    }
    let implementations: Vec<Value> = by_framework
        .iter()
        .map(|(fw, claims)| {
            let title = ws.framework(fw).map_or(*fw, |f| f.short_title());
            let mut seen: BTreeMap<String, usize> = BTreeMap::new();
            let requirements: Vec<Value> = claims
                .iter()
                .map(|(order, claim)| {
                    let key = format!("{}/{}", claim.control, claim.option.as_deref().unwrap_or(""));
                    let n = seen.entry(key.clone()).or_default();
                    *n += 1;
                    let name = if *n == 1 { key } else { format!("{key}#{n}") };
                    requirement(s, claim, fw, &name, provider, *order)
                })
                .collect();
            json!({
                "uuid": ids::uuid(&format!("component/service/{}/{fw}", s.id)),
                "source": layout.href(PATH, &format!("catalogs/{}.json", super::file_stem(fw))),
                "description": format!("How {} meets controls of {title}.", s.name),
                "implemented-requirements": requirements,
            })
        })
        .collect();
    json!({
        "uuid": service_uuid(&s.id),
        "type": "service",
        "title": s.name,
        "description": s.description,
        "props": service_props(s),
        "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [provider] }],
        "control-implementations": implementations,
    })
}

fn requirement(s: &Service, claim: &Claim, fw: &str, name: &str, provider: &str, order: usize) -> Value {
    let id = claim
        .control
        .split_once(':')
        .map_or(claim.control.as_str(), |(_, id)| id);
    let token = control_token(fw, id);
    let mut props = vec![
        prop("control", &claim.control),
        prop("split", split_name(claim.split)),
        prop("order", &order.to_string()),
    ];
    props.extend(claim.evidence.iter().map(|e| prop("evidence", e)));
    if let Some(o) = &claim.option {
        props.push(prop("option", o));
    }
    let (msp, client) = (claim.msp.as_deref(), claim.client.as_deref());
    if matches!(claim.split, Split::Msp | Split::Shared) && declared(msp).is_none() {
        props.push(prop("undescribed", "msp"));
    }
    if matches!(claim.split, Split::Client | Split::Shared) && declared(client).is_none() {
        props.push(prop("undescribed", "client"));
    }
    let base = format!("component/service/{}/claim/{name}", s.id);
    let provider_role = json!({ "role-id": role::PROVIDER, "party-uuids": [provider] });
    let customer_role = json!({ "role-id": role::CUSTOMER });
    let (description, roles, statement, statement_role) = match claim.split {
        Split::Msp => (
            duty(msp, "provider"),
            vec![provider_role.clone()],
            duty(msp, "provider"),
            provider_role,
        ),
        Split::Client => (
            duty(client, "customer"),
            vec![customer_role.clone()],
            duty(client, "customer"),
            customer_role,
        ),
        Split::Shared => (
            duty(msp, "provider"),
            vec![provider_role, customer_role.clone()],
            duty(client, "customer"),
            customer_role,
        ),
    };
    json!({
        "uuid": ids::uuid(&base),
        "control-id": token,
        "description": description,
        "props": props,
        "responsible-roles": roles,
        "statements": [{
            "statement-id": statement_id(fw, &token),
            "uuid": ids::uuid(&format!("{base}/statement")),
            "description": statement,
            "responsible-roles": [statement_role],
        }],
    })
}
