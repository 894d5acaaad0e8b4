//! The MSP's own system security plan (`provider/ssp.json`), the plan every client's plan
//! leverages, and the profile it imports (`provider/profile.json`).
//!
//! OSCAL models a provider and its customers as a leveraged and leveraging system (NIST's
//! `oscal_leveraged-example_ssp.json` and `oscal_leveraging-example_ssp.json`): the provider
//! publishes one plan whose by-components `export` what each component `provided` and the
//! `responsibilities` it leaves to customers; each customer's plan names it as a leveraged
//! authorization and points at those statements by UUID (`inherited`, `satisfied`).
//!
//! Here the MSP's system is its service catalog (`services/`): one component per service, one
//! implemented requirement per control any service claims, one statement per statement part
//! (ctrlmap's controls have one), one by-component per service on it. Each claim becomes a
//! `provided` statement (split `msp` or `shared`, the MSP's duty) and a `responsibility`
//! (split `client` or `shared`, the client's duty, pointing at what it completes); the claim's
//! split, option, evidence and order are properties in ctrlmap's namespace on its first
//! statement, so `import oscal` reads the services back exactly. The MSP's own parties (its
//! subcontractors) are parties and external components of this plan.
//!
//! The plan states no implementation status: the catalog declares what the services do, not
//! evidence that they do it (that evidence is recorded per client, in the client's plan).

use super::catalog::is_group_id;
use super::component::{service_props, split_name};
use super::ids::{self, control_token, statement_id};
use super::system::{
    claim_key, information_types, msp_party_component_uuid, msp_party_uuid, provided_description, provided_uuid,
    provider_name, provider_uuid, responsibility_uuid, role, role_def,
};
use super::{Layout, file_stem, finish, metadata, one_line, oscal_prop, prop};
use crate::model::{Claim, Service, Split, ThirdParty, Workspace};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One claim of a service, with its place in the service file.
pub type ClaimRef<'a> = (&'a Service, &'a Claim, usize);
/// A control (`framework:id`) and the claims on it.
pub type ControlClaims<'a> = (String, Vec<ClaimRef<'a>>);

/// Where the provider's plan and profile sit in the OSCAL root.
pub const SSP_PATH: &str = "provider/ssp.json";
pub const PROFILE_PATH: &str = "provider/profile.json";

/// The UUID of the provider's system (`system-ids`), which client plans cite.
pub fn system_uuid() -> String {
    ids::uuid("system/provider")
}

/// The UUID of the provider's `this-system` component.
pub fn this_system_uuid() -> String {
    ids::uuid("provider/component/this-system")
}

/// The MSP's own parties: the workspace's parties (`parties/`) the MSP engages
/// (`engaged_by: msp`, its subcontractors), then any a scope declares itself that way, once per
/// id (the workspace's declaration first, then the first scope by id), sorted by id.
pub fn msp_parties(ws: &Workspace) -> Vec<ThirdParty> {
    let mut out: BTreeMap<&str, &ThirdParty> = BTreeMap::new();
    for p in ws.parties.values() {
        if p.engaged_by == Some(crate::model::EngagedBy::Msp) {
            out.entry(p.id.as_str()).or_insert(p);
        }
    }
    let mut scopes: Vec<&crate::model::Scope> = ws.scopes.iter().collect();
    scopes.sort_by(|a, b| a.id.cmp(&b.id));
    for scope in scopes {
        for p in scope.parties() {
            if p.engaged_by == Some(crate::model::EngagedBy::Msp) {
                out.entry(p.id.as_str()).or_insert(p);
            }
        }
    }
    out.into_values().cloned().collect()
}

/// Claims of every service on the controls a plan can name (not on a catalog group), by
/// control in catalog order, each control's claims by service id then file order.
pub fn claims_by_control(ws: &Workspace) -> Vec<ControlClaims<'_>> {
    let mut by_control: BTreeMap<(usize, usize), ControlClaims> = BTreeMap::new();
    let order: BTreeMap<&str, usize> = ws.frameworks.keys().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    for s in ws.services.values() {
        for (n, claim) in s.controls.iter().flatten().enumerate() {
            let Some((fw, id)) = claim.control.split_once(':') else {
                continue;
            };
            let (Some(&f), Some(i)) = (order.get(fw), ws.framework(fw).and_then(|f| f.index(id))) else {
                continue;
            };
            if is_group_id(ws, fw, id) {
                continue;
            }
            by_control
                .entry((f, i))
                .or_insert_with(|| (claim.control.clone(), Vec::new()))
                .1
                .push((s, claim, n));
        }
    }
    by_control.into_values().collect()
}

/// Whether the workspace's services claim any control a plan can name: a provider's plan
/// needs at least one implemented requirement, so without one there is none to leverage.
pub fn has_plan(ws: &Workspace) -> bool {
    ws.services.values().any(|s| {
        s.controls.iter().flatten().any(|c| {
            c.control.split_once(':').is_some_and(|(fw, id)| {
                ws.framework(fw).and_then(|f| f.index(id)).is_some() && !is_group_id(ws, fw, id)
            })
        })
    })
}

/// The provider's profile and plan, by path inside the OSCAL root (none when the services
/// claim nothing, see [`has_plan`]).
pub fn provider_documents(
    ws: &Workspace,
    msp_parties: &[ThirdParty],
    as_of: time::Date,
    layout: &Layout,
) -> Vec<(String, Vec<u8>)> {
    let claims = claims_by_control(ws);
    if claims.is_empty() {
        return Vec::new();
    }
    vec![
        (PROFILE_PATH.to_string(), profile(ws, &claims, as_of, layout)),
        (SSP_PATH.to_string(), ssp(ws, &claims, msp_parties, as_of, layout)),
    ]
}

/// The frameworks the provider's plan covers: those whose controls the services claim.
pub fn frameworks(claims: &[ControlClaims]) -> Vec<String> {
    let mut out: Vec<String> = claims
        .iter()
        .filter_map(|(c, _)| c.split_once(':').map(|(f, _)| f.to_string()))
        .collect();
    out.dedup();
    out.sort();
    out.dedup();
    out
}

fn profile(ws: &Workspace, claims: &[ControlClaims], as_of: time::Date, layout: &Layout) -> Vec<u8> {
    let mut by_framework: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (control, _) in claims {
        if let Some((fw, id)) = control.split_once(':') {
            by_framework.entry(fw).or_default().push(control_token(fw, id));
        }
    }
    let imports: Vec<Value> = by_framework
        .iter()
        .map(|(fw, ids)| {
            json!({
                "href": layout.href(PROFILE_PATH, &format!("catalogs/{}.json", file_stem(fw))),
                "include-controls": [{ "with-ids": ids }],
            })
        })
        .collect();
    let mut meta = metadata(
        &format!("Controls the managed services of {} claim", provider_name(ws)),
        &as_of.to_string(),
        super::OSCAL_VERSION,
        as_of,
    );
    meta["remarks"] = json!("Every control a service of the MSP's catalog claims, from the catalog of its framework.");
    let doc = json!({
        "profile": {
            "uuid": "",
            "metadata": meta,
            "imports": imports,
            "merge": { "as-is": true },
        }
    });
    finish(doc, "profile", "profile/provider")
}

/// ctrlmap's properties of a claim, on its first export statement.
fn claim_props(claim: &Claim, key: &str, order: usize) -> Vec<Option<Value>> {
    let mut props = vec![
        prop("claim", key),
        prop("split", split_name(claim.split)),
        prop("order", &order.to_string()),
    ];
    props.extend(claim.option.iter().map(|o| prop("option", o)));
    props.extend(claim.evidence.iter().map(|e| prop("evidence", e)));
    let undescribed = |t: &Option<String>| t.as_deref().is_none_or(|t| t.trim().is_empty());
    if matches!(claim.split, Split::Msp | Split::Shared) && undescribed(&claim.msp) {
        props.push(prop("undescribed", "msp"));
    }
    if matches!(claim.split, Split::Client | Split::Shared) && undescribed(&claim.client) {
        props.push(prop("undescribed", "client"));
    }
    props
}

/// One service's by-component on a control: the MSP's duties as its description, each
/// claim's provided and responsibility statements as its export.
fn by_component(base: &str, service: &Service, claims: &[(&Service, &Claim, usize)], msp: &str) -> Value {
    let mut provided = Vec::new();
    let mut responsibilities = Vec::new();
    let mut duties: Vec<String> = Vec::new();
    for (_, claim, order) in claims {
        let key = claim_key(service, claim);
        let mut props = Some(claim_props(claim, &key, *order));
        let client_text = claim.client.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let p_uuid = provided_uuid(&service.id, &key);
        if matches!(claim.split, Split::Msp | Split::Shared) {
            let text = provided_description(service, claim);
            duties.push(text.clone());
            provided.push(json!({
                "uuid": p_uuid,
                "description": text,
                "props": props.take(),
                "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
            }));
        }
        if matches!(claim.split, Split::Client | Split::Shared) {
            let text = client_text.map_or_else(
                || {
                    format!(
                        "The customer's part of this control with {}; the service does not describe it.",
                        service.name
                    )
                },
                str::to_string,
            );
            responsibilities.push(json!({
                "uuid": responsibility_uuid(&service.id, &key),
                "provided-uuid": (claim.split == Split::Shared).then_some(&p_uuid),
                "description": text,
                "props": props.take(),
                "responsible-roles": [{ "role-id": role::CUSTOMER }],
            }));
        }
    }
    let description = if duties.is_empty() {
        format!(
            "{} leaves this control to the customer; the service supports the customer's part.",
            service.name
        )
    } else {
        duties.join("\n\n")
    };
    json!({
        "component-uuid": super::component::service_uuid(&service.id),
        "uuid": ids::uuid(&format!("{base}/by/service/{}", service.id)),
        "description": description,
        "export": {
            "description": format!("What {} provides for this control, and what it leaves to the customer.", service.name),
            "provided": provided,
            "responsibilities": responsibilities,
        },
        "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
    })
}

fn ssp(
    ws: &Workspace,
    claims: &[ControlClaims],
    msp_parties: &[ThirdParty],
    as_of: time::Date,
    layout: &Layout,
) -> Vec<u8> {
    let name = provider_name(ws);
    let msp = provider_uuid(ws);
    let requirements: Vec<Value> = claims
        .iter()
        .map(|(control, list)| {
            let (fw, id) = control.split_once(':').unwrap_or(("", control.as_str()));
            let token = control_token(fw, id);
            let base = format!("provider/requirement/{control}");
            let mut by_service: BTreeMap<&str, Vec<ClaimRef>> = BTreeMap::new();
            for entry in list {
                by_service.entry(entry.0.id.as_str()).or_default().push(*entry);
            }
            let by_components: Vec<Value> = by_service
                .values()
                .map(|entries| by_component(&base, entries[0].0, entries, &msp))
                .collect();
            json!({
                "uuid": ids::uuid(&base),
                "control-id": token,
                "props": [prop("control", control), oscal_prop("label", id)],
                "statements": [{
                    "statement-id": statement_id(fw, &token),
                    "uuid": ids::uuid(&format!("{base}/statement")),
                    "by-components": by_components,
                }],
            })
        })
        .collect();

    let mut parties = vec![json!({
        "uuid": msp,
        "type": "organization",
        "name": one_line(&name).unwrap_or_else(|| "msp".into()),
        "props": [prop("party-id", "msp")],
    })];
    let mut components = vec![json!({
        "uuid": this_system_uuid(),
        "type": "this-system",
        "title": format!("{name}: managed services"),
        "description": format!(
            "The managed services {name} provides to its clients, as its service catalog declares them. Each service is a component; what it provides and what it leaves to customers is exported per control."
        ),
        "status": { "state": "operational" },
        "responsible-roles": [{ "role-id": role::SYSTEM_OWNER, "party-uuids": [msp] }],
    })];
    for s in ws.services.values() {
        components.push(json!({
            "uuid": super::component::service_uuid(&s.id),
            "type": "service",
            "title": s.name,
            "description": s.description,
            "props": service_props(s),
            "status": { "state": "operational" },
            "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
        }));
    }
    let mut leveraged = Vec::new();
    for p in msp_parties {
        parties.push(third_party(p, &msp_party_uuid(&p.id)));
        let authorization = p.authorization.as_ref().and_then(|a| {
            let date = super::input_date(&a.date)?;
            let uuid = ids::uuid(&format!("provider/leveraged-authorization/{}", p.id));
            leveraged.push(json!({
                "uuid": uuid,
                "title": a.title.clone().unwrap_or_else(|| p.name.clone()),
                "party-uuid": msp_party_uuid(&p.id),
                "date-authorized": date.to_string(),
                "props": [prop("party-id", &p.id)],
            }));
            Some(uuid)
        });
        components.push(party_component(
            p,
            &msp_party_component_uuid(&p.id),
            &msp_party_uuid(&p.id),
            authorization.as_deref(),
            &format!(
                "{} ({}), a provider {name} engages (engaged by the MSP).",
                p.name, p.kind
            ),
        ));
    }
    let mut responsible = vec![
        json!({ "role-id": role::SYSTEM_OWNER, "party-uuids": [msp] }),
        json!({ "role-id": role::PROVIDER, "party-uuids": [msp] }),
    ];
    if !msp_parties.is_empty() {
        responsible.push(json!({
            "role-id": role::THIRD_PARTY,
            "party-uuids": msp_parties.iter().map(|p| msp_party_uuid(&p.id)).collect::<Vec<_>>(),
        }));
    }
    let mut meta = metadata(
        &format!("System security plan: {name}, managed services (leveraged by its clients)"),
        &as_of.to_string(),
        super::OSCAL_VERSION,
        as_of,
    );
    meta["roles"] = json!(
        [role::SYSTEM_OWNER, role::PROVIDER, role::CUSTOMER, role::THIRD_PARTY]
            .map(role_def)
            .to_vec()
    );
    meta["parties"] = json!(parties);
    meta["responsible-parties"] = json!(responsible);
    meta["remarks"] = json!(
        "Written by ctrlmap from the MSP's service catalog (services/). This is the leveraged plan: each client's plan names it as a leveraged authorization and points at its `provided` and `responsibilities` statements by UUID. Properties in ctrlmap's namespace carry each claim's split, option, evidence and order (see ctrlmap's docs/oscal.md)."
    );
    let fws = frameworks(claims);
    let framework_refs: Vec<(&str, Option<&str>)> = fws.iter().map(|f| (f.as_str(), None)).collect();
    let doc = json!({
        "system-security-plan": {
            "uuid": "",
            "metadata": meta,
            "import-profile": { "href": layout.href(SSP_PATH, PROFILE_PATH) },
            "system-characteristics": {
                "system-ids": [{ "identifier-type": "http://ietf.org/rfc/rfc4122", "id": system_uuid() }],
                "system-name": format!("{name}: managed services"),
                "system-name-short": "msp",
                "description": format!(
                    "The managed services of {name}, as its service catalog declares them: {}.",
                    if ws.services.is_empty() { "none".to_string() } else { ws.services.values().map(|s| s.name.clone()).collect::<Vec<_>>().join("; ") }
                ),
                "system-information": { "information-types": information_types(ws, &framework_refs, "Clients'", "provider") },
                "status": { "state": "operational", "remarks": "ctrlmap describes services in effect; it records no system lifecycle state." },
                "authorization-boundary": {
                    "description": format!("The managed services of {name} listed as components of this plan, and the providers it engages for them."),
                },
            },
            "system-implementation": {
                "leveraged-authorizations": leveraged,
                "users": [{ "uuid": ids::uuid("provider/user/staff"), "title": format!("{name} staff"), "role-ids": [role::PROVIDER] }],
                "components": components,
            },
            "control-implementation": {
                "description": format!("What each managed service of {name} provides for every control it claims, and what it leaves to the customer."),
                "implemented-requirements": requirements,
            },
        }
    });
    finish(doc, "system-security-plan", "ssp/provider")
}

/// A third party as an organization party.
pub fn third_party(p: &ThirdParty, uuid: &str) -> Value {
    json!({
        "uuid": uuid,
        "type": "organization",
        "name": one_line(&p.name).unwrap_or_else(|| p.id.clone()),
        "props": [
            prop("party-id", &p.id),
            prop("kind", &p.kind),
            p.engaged_by.and_then(|e| prop("engaged-by", e.as_str())),
            p.baa.and_then(|b| prop("baa", if b { "true" } else { "false" })),
            p.ephi.and_then(|b| prop("ephi", if b { "true" } else { "false" })),
        ],
        "remarks": p.note,
    })
}

/// A third party as an external component (a provider relied on), leveraged only where an
/// authorization is declared.
pub fn party_component(
    p: &ThirdParty,
    uuid: &str,
    party: &str,
    authorization: Option<&str>,
    description: &str,
) -> Value {
    json!({
        "uuid": uuid,
        "type": "service",
        "title": p.name,
        "description": description,
        "props": [
            oscal_prop("implementation-point", "external"),
            authorization.and_then(|a| oscal_prop("leveraged-authorization-uuid", a)),
            prop("party-id", &p.id),
        ],
        "status": { "state": "operational" },
        "responsible-roles": [{ "role-id": role::THIRD_PARTY, "party-uuids": [party] }],
    })
}
