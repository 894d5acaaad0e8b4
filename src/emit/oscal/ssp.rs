//! A scope as the client's OSCAL system security plan, which leverages the MSP's plan
//! ([`super::provider`]): the client's system (`this-system`), each subscribed service as the
//! leveraged component it is (`implementation-point: external`, `inherited-uuid`), and per
//! matrix row an implemented requirement with one statement whose by-components say who does
//! what. This file makes the plan (metadata, system, parties, components, back-matter);
//! `requirement.rs` makes each row's implemented requirement.
//!
//! Each row's by-components come from the sources the engine recorded in its provenance:
//!
//! - a service claim → that service's component: the MSP's duty as its description, what the
//!   client relies on as `inherited` (`provided-uuid` into the provider's plan) and how the
//!   client meets what the service leaves to it as `satisfied` (`responsibility-uuid`);
//! - a scope assignment → the MSP's duty on the engagement component (agreed for this client
//!   alone, so not in the provider's plan), a third party's on that party's component;
//! - a crosswalk projection → the claims of the CSF 2.0 outcome it was projected from;
//! - the client's own part → `this-system`.
//!
//! `implementation-status` is the engine's verdict on each party's part
//! ([`crate::assess::implementation`]), with remarks that say what it rests on. RACI,
//! coverage, provenance and candidates are properties in ctrlmap's namespace; the scope's
//! evidence files are back-matter resources with their SHA-256. No client plan exports
//! anything: what the MSP provides is exported once, in the provider's plan.

use super::attribution::Index;
use super::component::service_uuid;
pub use super::evidence::{evidence_resources, evidence_uuid};
use super::ids;
use super::provider::{self, party_component, third_party};
use super::requirement::requirement;
use super::scope_ids::{
    client_uuid, engagement_uuid, party_component_uuid, system_uuid, third_party_uuid, this_system_uuid,
};
use super::system::{information_types, provider_uuid, role, role_def};
use super::{ScopeInput, finish, metadata, one_line, oscal_prop, prop};
use crate::assess::Finding;
use crate::model::Signatory;
use crate::model::{EngagedBy, Scope, ThirdParty};
use serde_json::{Value, json};

/// The UUID of the back-matter resource that points at the provider's plan.
fn provider_resource_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/resource/provider-ssp", scope.id))
}

/// The UUID of the MSP's leveraged authorization in a client's plan.
fn msp_authorization_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/leveraged-authorization/msp", scope.id))
}

/// A declared person as a party (a member of `organization`).
fn person(uuid: String, who: &Signatory, organization: Option<&str>) -> Value {
    json!({
        "uuid": uuid,
        "type": "person",
        "name": one_line(&who.name).unwrap_or_else(|| "unnamed".into()),
        "props": [who.role.as_deref().and_then(|r| prop("role", r)), who.date.as_deref().and_then(|d| prop("date", d))],
        "member-of-organizations": organization.map(|o| vec![o]),
    })
}

/// The plan of one scope.
pub fn ssp(input: &ScopeInput) -> Vec<u8> {
    let ws = input.ws;
    let scope = input.scope;
    let matrix = input.matrix;
    let layout = &input.layout;
    let doc_path = layout.scope_doc(scope, "ssp.json");
    let index = Index::new(ws, matrix);
    let msp = provider_uuid(ws);
    let client = client_uuid(scope);
    let ar_resource = ids::uuid(&format!("ssp/{}/resource/assessment-results", scope.id));
    let findings: Vec<&Finding> = input.findings.iter().collect();
    let mut used_engagement = false;
    let requirements: Vec<Value> = matrix
        .rows
        .iter()
        .zip(input.statuses)
        .filter(|(row, _)| !super::catalog::is_group_id(ws, &row.framework, &row.id))
        .map(|(row, status)| {
            requirement(
                input,
                &index,
                row,
                status,
                &findings,
                &ar_resource,
                &mut used_engagement,
            )
        })
        .collect();

    // Parties and roles: the client (owner of the system), the MSP, third parties, and the
    // people the scope names.
    let mut third_parties: Vec<&ThirdParty> = scope.parties().collect();
    third_parties.sort_by(|a, b| a.id.cmp(&b.id));
    let mut parties = vec![
        json!({ "uuid": client, "type": "organization", "name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()), "props": [prop("party-id", "client")] }),
        json!({ "uuid": msp, "type": "organization", "name": one_line(&scope.provider.name).unwrap_or_else(|| "msp".into()), "props": [prop("party-id", "msp"), scope.provider.contract.as_deref().and_then(|c| prop("contract", c)), scope.provider.baa_signed.as_deref().and_then(|d| prop("baa-signed", d)), scope.provider.effective.as_deref().and_then(|d| prop("effective", d))] }),
    ];
    parties.extend(
        third_parties
            .iter()
            .map(|p| third_party(p, &third_party_uuid(scope, p))),
    );
    let mut responsible_parties = vec![
        json!({ "role-id": role::SYSTEM_OWNER, "party-uuids": [client] }),
        json!({ "role-id": role::PREPARED_FOR, "party-uuids": [client] }),
        json!({ "role-id": role::PROVIDER, "party-uuids": [msp] }),
    ];
    let mut people = |key: &str, role_id: &str, who: &Signatory, org: &str| {
        let uuid = ids::uuid(&format!("party/person/{}/{key}", scope.id));
        parties.push(person(uuid.clone(), who, Some(org)));
        responsible_parties.push(json!({ "role-id": role_id, "party-uuids": [uuid] }));
    };
    if let Some(contact) = scope.client.contact.as_deref().filter(|c| !c.trim().is_empty()) {
        let who = Signatory {
            name: contact.to_string(),
            role: None,
            date: None,
        };
        people("contact", role::POC, &who, &client);
    }
    if let Some(who) = &scope.client.authorizing_official {
        people("authorizing-official", role::AUTHORIZING_OFFICIAL, who, &client);
    }
    let assessment = scope.assessment.as_ref();
    if let Some(who) = assessment.and_then(|a| a.prepared_by.as_ref()) {
        people("prepared-by", role::PREPARED_BY, who, &msp);
    }
    if let Some(who) = assessment.and_then(|a| a.reviewed_by.as_ref()) {
        people("reviewed-by", role::REVIEWED_BY, who, &client);
    }
    if !third_parties.is_empty() {
        responsible_parties.push(json!({
            "role-id": role::THIRD_PARTY,
            "party-uuids": third_parties.iter().map(|p| third_party_uuid(scope, p)).collect::<Vec<_>>(),
        }));
    }

    // The MSP's plan, leveraged (when its services claim anything): an authorization when the
    // scope dates the engagement.
    let leverages = provider::has_plan(ws);
    let provider_resource = provider_resource_uuid(scope);
    let provider_link = |rel: &str, text: &str| -> Vec<Value> {
        if leverages {
            vec![json!({ "href": format!("#{provider_resource}"), "rel": rel, "text": text })]
        } else {
            Vec::new()
        }
    };
    let msp_authorization = scope
        .provider
        .effective
        .as_deref()
        .and_then(super::input_date)
        .map(|date| (msp_authorization_uuid(scope), date));
    let mut leveraged = Vec::new();
    if let Some((uuid, date)) = &msp_authorization {
        leveraged.push(json!({
            "uuid": uuid,
            "title": format!("{}: managed services", scope.provider.name),
            "props": [prop("party-id", "msp"), scope.provider.contract.as_deref().and_then(|c| prop("contract", c))],
            "links": provider_link("system-security-plan", "The MSP's system security plan (leveraged)"),
            "party-uuid": msp,
            "date-authorized": date.to_string(),
            "remarks": "`date-authorized` is the day the engagement started (`provider.effective`): from then on the client relies on the MSP's services.",
        }));
    }
    let leveraged_props = |inherited: Option<&str>| -> Vec<Option<Value>> {
        vec![
            oscal_prop("implementation-point", "external"),
            msp_authorization
                .as_ref()
                .and_then(|(u, _)| oscal_prop("leveraged-authorization-uuid", u)),
            inherited.and_then(|i| oscal_prop("inherited-uuid", i)),
        ]
    };

    // Components: the client's system, every subscribed service (leveraged), the engagement
    // (when scope entries give the MSP duties), every third party.
    let mut components = vec![json!({
        "uuid": this_system_uuid(scope),
        "type": "this-system",
        "title": format!("{}: information systems", scope.client.name),
        "description": format!(
            "The information systems of {} in scope of its {} engagement with {}. The client's own duties are stated on this component; what it relies on the MSP for is inherited from the MSP's services, and what they leave to the client is stated as satisfied on them.",
            scope.client.name, scope.model, scope.provider.name
        ),
        "status": { "state": "operational" },
        "responsible-roles": [{ "role-id": role::SYSTEM_OWNER, "party-uuids": [client] }],
    })];
    let mut subscriptions: Vec<&crate::model::Subscription> = scope.services.iter().flatten().collect();
    subscriptions.sort_by(|a, b| a.service.cmp(&b.service));
    subscriptions.dedup_by(|a, b| a.service == b.service);
    for sub in &subscriptions {
        let Some(s) = ws.services.get(&sub.service) else {
            continue;
        };
        let uuid = service_uuid(&s.id);
        let mut props = leveraged_props(Some(&uuid));
        props.extend([prop("service-id", &s.id), prop("tower", &s.tower)]);
        props.extend(sub.options.iter().map(|o| prop("option", o)));
        components.push(json!({
            "uuid": uuid,
            "type": "service",
            "title": s.name,
            "description": s.description,
            "props": props,
            "links": provider_link("provided-by", "The MSP's system security plan (leveraged)"),
            "status": { "state": "operational", "remarks": sub.note },
            "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
        }));
    }
    if used_engagement {
        let mut props = leveraged_props(None);
        props.push(prop("engagement-model", &scope.model));
        components.push(json!({
            "uuid": engagement_uuid(scope),
            "type": "service",
            "title": format!("{}: duties agreed in the engagement", scope.provider.name),
            "description": format!(
                "Duties of {} that the scope assigns directly (scope assignments), or that come to a regulation's control from a CSF 2.0 outcome the scope assigns, rather than through a service's claim. They are agreed for this client alone, so the MSP's plan does not export them.",
                scope.provider.name
            ),
            "props": props,
            "status": { "state": "operational" },
            "responsible-roles": [{ "role-id": role::PROVIDER, "party-uuids": [msp] }],
        }));
    }
    for p in &third_parties {
        let uuid = party_component_uuid(scope, p);
        let party = third_party_uuid(scope, p);
        if p.engaged_by == Some(EngagedBy::Msp) {
            // The MSP's subcontractor: a component of the provider's plan, leveraged.
            let mut c = party_component(
                p,
                &uuid,
                &party,
                None,
                &format!(
                    "{} ({}), a provider {} engages for its services to {}.",
                    p.name, p.kind, scope.provider.name, scope.client.name
                ),
            );
            c["props"] = json!(
                leveraged_props(Some(&uuid))
                    .into_iter()
                    .chain([prop("party-id", &p.id), prop("engaged-by", "msp")])
                    .collect::<Vec<_>>()
            );
            components.push(c);
            continue;
        }
        let authorization = p.authorization.as_ref().and_then(|a| {
            let date = super::input_date(&a.date)?;
            let id = ids::uuid(&format!("ssp/{}/leveraged-authorization/{}", scope.id, p.id));
            leveraged.push(json!({
                "uuid": id,
                "title": a.title.clone().unwrap_or_else(|| p.name.clone()),
                "props": [prop("party-id", &p.id)],
                "party-uuid": party,
                "date-authorized": date.to_string(),
            }));
            Some(id)
        });
        let engaged = match p.engaged_by {
            Some(EngagedBy::Client) => format!("engaged by {}", scope.client.name),
            _ => "who engaged it is not declared".to_string(),
        };
        components.push(party_component(
            p,
            &uuid,
            &party,
            authorization.as_deref(),
            &format!(
                "{} ({}), a provider {} relies on ({engaged}).",
                p.name, p.kind, scope.client.name
            ),
        ));
    }

    // Information types: the data the applicable regulations protect.
    let frameworks: Vec<(&str, Option<&str>)> = matrix
        .frameworks
        .iter()
        .map(|f| (f.id.as_str(), Some(f.reason.as_str())))
        .collect();
    let information = information_types(
        ws,
        &frameworks,
        &format!("{}'s", scope.client.name),
        &format!("ssp/{}", scope.id),
    );

    // Evidence files, the assessment results and the provider's plan, as back-matter resources.
    let mut resources = evidence_resources(input, &doc_path);
    resources.push(json!({
        "uuid": ar_resource,
        "title": format!("Assessment results of {} as of {}", scope.id, input.as_of),
        "description": "ctrlmap's findings for this scope; links from implemented requirements point at a finding by its UUID (`resource-fragment`).",
        "rlinks": [{ "href": layout.href(&doc_path, &layout.scope_doc(scope, "assessment-results.json")), "media-type": "application/oscal.ar+json" }],
    }));
    resources.extend(leverages.then(|| json!({
        "uuid": provider_resource,
        "title": format!("System security plan of {}: managed services (leveraged)", scope.provider.name),
        "description": "The MSP's own plan: what each of its services provides and leaves to customers (`export`). This plan's `inherited` and `satisfied` statements point into it by UUID.",
        "rlinks": [{ "href": layout.href(&doc_path, provider::SSP_PATH), "media-type": "application/oscal.ssp+json" }],
    })));

    let mut meta = metadata(
        &format!("System security plan: {} ({})", scope.client.name, scope.id),
        &input.as_of.to_string(),
        super::OSCAL_VERSION,
        input.as_of,
    );
    meta["roles"] = json!(
        [
            role::SYSTEM_OWNER,
            role::AUTHORIZING_OFFICIAL,
            role::POC,
            role::PREPARED_BY,
            role::PREPARED_FOR,
            role::REVIEWED_BY,
            role::PROVIDER,
            role::THIRD_PARTY
        ]
        .map(role_def)
        .to_vec()
    );
    meta["parties"] = json!(parties);
    meta["responsible-parties"] = json!(responsible_parties);
    meta["links"] = json!(provider_link(
        "related",
        "The MSP's system security plan, which this plan leverages"
    ));
    if let Some(props) = meta["props"].as_array_mut() {
        props.extend(
            [
                prop("scope", &scope.id),
                prop("scope-file", &scope.origin.file),
                prop("scope-sha256", &scope.sha256),
            ]
            .into_iter()
            .flatten(),
        );
    }
    meta["remarks"] = json!(
        "Written by ctrlmap from the scope's responsibility matrix: each implemented requirement is a matrix row. This plan leverages the MSP's plan: each subscribed service is an external component whose by-components point at what the MSP's plan exports, `inherited` (provided-uuid) and `satisfied` (responsibility-uuid). Implementation statuses claim only what the scope shows (see ctrlmap's docs/oscal.md); properties in ctrlmap's namespace carry RACI, coverage, provenance and candidates."
    );

    let doc = json!({
        "system-security-plan": {
            "uuid": "",
            "metadata": meta,
            "import-profile": { "href": layout.href(&doc_path, &layout.scope_doc(scope, "profile.json")) },
            "system-characteristics": {
                "system-ids": [{ "identifier-type": "http://ietf.org/rfc/rfc4122", "id": system_uuid(scope) }],
                "system-name": one_line(&scope.client.name).unwrap_or_else(|| scope.id.clone()),
                "system-name-short": scope.id,
                "description": scope.notes.clone().unwrap_or_else(|| format!("The information systems of {} under a {} engagement with {}.", scope.client.name, scope.model, scope.provider.name)),
                "system-information": { "information-types": information },
                "status": { "state": "operational", "remarks": "ctrlmap describes engagements in effect; it records no system lifecycle state." },
                "authorization-boundary": {
                    "description": format!(
                        "The information systems of {} and the managed services {} provides to them: {}.",
                        scope.client.name,
                        scope.provider.name,
                        if subscriptions.is_empty() { "none".to_string() } else { subscriptions.iter().map(|s| format!("`{}`", s.service)).collect::<Vec<_>>().join(", ") }
                    ),
                },
                "props": [prop("engagement-model", &scope.model)],
            },
            "system-implementation": {
                "leveraged-authorizations": leveraged,
                "users": [
                    { "uuid": ids::uuid(&format!("ssp/{}/user/client", scope.id)), "title": format!("{} workforce", scope.client.name), "role-ids": [role::SYSTEM_OWNER] },
                    { "uuid": ids::uuid(&format!("ssp/{}/user/provider", scope.id)), "title": format!("{} staff", scope.provider.name), "role-ids": [role::PROVIDER] },
                ],
                "components": components,
            },
            "control-implementation": {
                "description": format!(
                    "Who does what for every control that applies to {}: {}. Each requirement's statement says, per component, what the client does, what it inherits from the MSP's services and how it satisfies what they leave to it.",
                    scope.client.name,
                    matrix.frameworks.iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("; ")
                ),
                "implemented-requirements": requirements,
            },
            "back-matter": { "resources": resources },
        }
    });
    finish(doc, "system-security-plan", &format!("ssp/{}", scope.id))
}
