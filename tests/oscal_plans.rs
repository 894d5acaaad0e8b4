//! The system security plans of `ctrlmap export oscal`, read the way OSCAL tools and
//! authorization practitioners read them (NIST's leveraged and leveraging examples): the MSP
//! publishes its own plan that exports what each service provides and leaves to customers;
//! every client's plan leverages it, responds per statement, claims only the implementation
//! it can show, names its owner and people in OSCAL's roles, and names the data it protects.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::oscal::{
    all_of, by_component, by_components, component, component_uuid, docs, export, gaps, json, prop, requirement,
};

fn uuids_under<'a>(doc: &'a Value, key: &str) -> BTreeSet<&'a str> {
    all_of(doc, key)
        .into_iter()
        .flat_map(|(_, list)| list.as_array().into_iter().flatten())
        .filter_map(|s| s["uuid"].as_str())
        .collect()
}

/// Acceptance 1 of issue 23: every client plan links to the provider's plan, every
/// `inherited.provided-uuid` and `satisfied.responsibility-uuid` exists in it, and no client
/// plan carries an `export`.
#[test]
fn every_client_plan_leverages_the_providers_plan_and_exports_nothing() {
    for (ws, name) in [
        ("examples/northwind-msp".to_string(), "leverage"),
        (gaps(), "leverage-gaps"),
    ] {
        let files = export(&ws, name);
        let all = docs(&files);
        let provider = &all["provider/ssp.json"];
        let provided = uuids_under(provider, "provided");
        let responsibilities = uuids_under(provider, "responsibilities");
        assert!(!provided.is_empty() && !responsibilities.is_empty());
        let provider_components: BTreeSet<&str> =
            provider["system-security-plan"]["system-implementation"]["components"]
                .as_array()
                .expect("components")
                .iter()
                .filter_map(|c| c["uuid"].as_str())
                .collect();
        let plans: Vec<(&String, &Value)> = all
            .iter()
            .filter(|(p, _)| p.starts_with("scopes/") && p.ends_with("/ssp.json"))
            .collect();
        assert!(!plans.is_empty());
        for (path, ssp) in plans {
            assert!(all_of(ssp, "export").is_empty(), "{path} carries an export");
            // The link: a back-matter resource whose rlink resolves to the provider's plan.
            let resources = ssp["system-security-plan"]["back-matter"]["resources"]
                .as_array()
                .expect("resources");
            let link = resources
                .iter()
                .find(|r| {
                    r["rlinks"].as_array().into_iter().flatten().any(|l| {
                        support::oscal::join(path, l["href"].as_str().unwrap_or_default()) == "provider/ssp.json"
                    })
                })
                .unwrap_or_else(|| panic!("{path} does not link to the provider's plan"));
            let href = format!("#{}", link["uuid"].as_str().expect("uuid"));
            let mut inherited = 0;
            for (at, v) in all_of(ssp, "inherited") {
                for i in v.as_array().expect("inherited") {
                    let p = i["provided-uuid"].as_str().expect("provided-uuid");
                    assert!(
                        provided.contains(p),
                        "{path}{at}: {p} is not provided by the provider's plan"
                    );
                    inherited += 1;
                }
            }
            for (at, v) in all_of(ssp, "satisfied") {
                for s in v.as_array().expect("satisfied") {
                    let r = s["responsibility-uuid"].as_str().expect("responsibility-uuid");
                    assert!(
                        responsibilities.contains(r),
                        "{path}{at}: {r} is not a responsibility of the provider's plan"
                    );
                }
            }
            assert!(inherited > 0, "{path} inherits nothing");
            // Each subscribed service is the provider's component, leveraged.
            for c in ssp["system-security-plan"]["system-implementation"]["components"]
                .as_array()
                .expect("components")
            {
                if !prop(c, "service-id").is_empty() {
                    assert_eq!(prop(c, "implementation-point"), ["external"], "{path}: {}", c["title"]);
                    let inherited_uuid = prop(c, "inherited-uuid");
                    assert_eq!(inherited_uuid.len(), 1);
                    assert!(provider_components.contains(inherited_uuid[0]));
                    assert_eq!(c["links"][0]["href"], href.as_str());
                }
            }
            // The MSP is a leveraged authorization linked to that plan, dated by the engagement.
            let authorizations = ssp["system-security-plan"]["system-implementation"]["leveraged-authorizations"]
                .as_array()
                .expect("leveraged authorizations");
            let msp = authorizations
                .iter()
                .find(|a| prop(a, "party-id") == ["msp"])
                .expect("the MSP's authorization");
            assert_eq!(msp["links"][0]["href"], href.as_str());
        }
    }
}

#[test]
fn the_providers_plan_exports_each_claim_once_on_the_statement_of_its_control() {
    let files = export(&gaps(), "provider");
    let provider = json(&files["provider/ssp.json"]);
    let plan = &provider["system-security-plan"];
    assert_eq!(plan["import-profile"]["href"], "profile.json");
    let owner = &plan["metadata"]["responsible-parties"][0];
    assert_eq!(owner["role-id"], "system-owner");
    // services/backup.yaml: 164.308(a)(7)(ii)(D), split shared.
    let req = requirement(&provider, "hipaa:164.308(a)(7)(ii)(D)");
    assert!(req["by-components"].is_null(), "responses are on the statement");
    assert_eq!(req["statements"][0]["statement-id"], "hipaa-164.308_a_7_ii_D_smt");
    let backup = by_component(req, component_uuid(&provider, "Backup \"and\" Restore"));
    assert_eq!(backup["description"], "Test a restore every quarter.");
    let provided = &backup["export"]["provided"][0];
    let responsibility = &backup["export"]["responsibilities"][0];
    assert_eq!(provided["description"], "Test a restore every quarter.");
    assert_eq!(responsibility["description"], "Review the restore report.");
    assert_eq!(responsibility["provided-uuid"], provided["uuid"]);
    assert_eq!(provided["responsible-roles"][0]["role-id"], "provider");
    assert_eq!(responsibility["responsible-roles"][0]["role-id"], "customer");
    assert_eq!(prop(provided, "split"), ["shared"]);
    assert_eq!(prop(provided, "evidence"), ["Restore test report"]);
    // 164.308(a)(5)(ii)(D): one service leaves it to the customer, another performs it.
    let req = requirement(&provider, "hipaa:164.308(a)(5)(ii)(D)");
    let backup = by_component(req, component_uuid(&provider, "Backup \"and\" Restore"));
    assert!(backup["export"]["provided"].is_null());
    assert_eq!(
        backup["export"]["responsibilities"][0]["description"],
        "Keep the backup console passwords in the practice's safe."
    );
    let identity = by_component(req, component_uuid(&provider, "Identity administration"));
    assert_eq!(
        identity["export"]["provided"][0]["description"],
        "Rotate administrator passwords monthly."
    );
    // An option-dependent claim says which option.
    let req = requirement(&provider, "hipaa:164.308(a)(7)(ii)(B)");
    let backup = by_component(req, component_uuid(&provider, "Backup \"and\" Restore"));
    assert_eq!(prop(&backup["export"]["provided"][0], "option"), ["dr-site"]);
    // The MSP's subcontractor is a party and an external component of the MSP's plan.
    let vault = component(&provider, "Offsite vault");
    assert_eq!(prop(vault, "implementation-point"), ["external"]);
    assert!(
        plan["metadata"]["parties"]
            .as_array()
            .expect("parties")
            .iter()
            .any(|p| p["name"] == "Offsite vault")
    );
}

#[test]
fn a_shared_claim_is_inherited_and_satisfied_on_the_services_component_and_the_client_part_on_this_system() {
    let files = export(&gaps(), "shared");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let provider = json(&files["provider/ssp.json"]);
    let req = requirement(&ssp, "hipaa:164.308(a)(7)(ii)(D)");
    let statement = &req["statements"][0];
    assert_eq!(statement["statement-id"], "hipaa-164.308_a_7_ii_D_smt");
    let backup_uuid = component_uuid(&ssp, "Backup \"and\" Restore");
    assert_eq!(backup_uuid, component_uuid(&provider, "Backup \"and\" Restore"));
    let backup = by_component(req, backup_uuid);
    assert_eq!(backup["description"], "Test a restore every quarter.");
    let theirs = by_component(requirement(&provider, "hipaa:164.308(a)(7)(ii)(D)"), backup_uuid);
    assert_eq!(
        backup["inherited"][0]["provided-uuid"],
        theirs["export"]["provided"][0]["uuid"]
    );
    assert_eq!(
        backup["satisfied"][0]["responsibility-uuid"],
        theirs["export"]["responsibilities"][0]["uuid"]
    );
    assert_eq!(backup["satisfied"][0]["description"], "Review the restore report.");
    let this = by_component(req, component_uuid(&ssp, "Example Clinic: information systems"));
    assert_eq!(this["description"], "Review the restore report.");
    assert_eq!(this["responsible-roles"][0]["role-id"], "system-owner");
    // Duties are descriptions, never the remarks of a role.
    for b in by_components(req) {
        for (_, roles) in all_of(b, "responsible-roles") {
            for r in roles.as_array().expect("roles") {
                assert!(r["remarks"].is_null(), "{r}");
            }
        }
    }
}

#[test]
fn a_scope_assignment_is_the_engagements_duty_with_raci_in_properties() {
    let files = export(&gaps(), "engagement");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let req = requirement(&ssp, "hipaa:164.312(b)");
    let engagement = by_component(
        req,
        component_uuid(&ssp, "Example MSP: duties agreed in the engagement"),
    );
    assert_eq!(engagement["description"], "Collect the audit logs of the servers.");
    assert!(
        engagement["inherited"].is_null(),
        "agreed for this client alone: not in the MSP's plan"
    );
    let this = by_component(req, component_uuid(&ssp, "Example Clinic: information systems"));
    assert_eq!(this["description"], "Review the monthly audit log report.");
    assert_eq!(prop(req, "raci-responsible"), ["client", "msp"]);
    assert_eq!(prop(req, "raci-accountable"), ["client"]);
    assert_eq!(prop(req, "responsibility"), ["shared"]);
    let roles: Vec<&str> = req["responsible-roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["role-id"].as_str())
        .collect();
    assert_eq!(roles, ["system-owner", "provider"]);
}

/// Issue 23, point 3: "implemented" only where the scope shows it.
#[test]
fn implementation_status_claims_only_what_the_evidence_shows() {
    let files = export(&gaps(), "status");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let backup = component_uuid(&ssp, "Backup \"and\" Restore");
    // The MSP's pinned, fresh restore test: implemented, and the remarks name the file.
    let status = &by_component(requirement(&ssp, "hipaa:164.308(a)(7)(ii)(D)"), backup)["implementation-status"];
    assert_eq!(status["state"], "implemented");
    assert!(
        status["remarks"]
            .as_str()
            .expect("remarks")
            .contains("evidence/restore-test.md")
    );
    // The same file listed unpinned for 164.308(a)(7)(ii)(A): planned, and says why.
    let status = &by_component(requirement(&ssp, "hipaa:164.308(a)(7)(ii)(A)"), backup)["implementation-status"];
    assert_eq!(status["state"], "planned");
    assert!(
        status["remarks"]
            .as_str()
            .expect("remarks")
            .contains("integrity unpinned"),
        "{status}"
    );
    // The client's part without evidence: planned.
    let this = component_uuid(&ssp, "Example Clinic: information systems");
    let status = &by_component(requirement(&ssp, "hipaa:164.312(b)"), this)["implementation-status"];
    assert_eq!(status["state"], "planned");
    assert!(status["remarks"].as_str().expect("remarks").contains("no evidence"));
    // Not applicable, with its reason; nobody implements an unassigned control.
    let status = &by_component(requirement(&ssp, "hipaa:164.308(a)(4)(ii)(A)"), this)["implementation-status"];
    assert_eq!(status["state"], "not-applicable");
    assert_eq!(status["remarks"], "The clinic is not a health care clearinghouse.");
    let unassigned = requirement(&ssp, "hipaa:164.308(a)(1)(ii)(A)");
    assert_eq!(prop(unassigned, "responsibility"), ["unassigned"]);
    assert!(
        by_components(unassigned)
            .iter()
            .all(|b| b["implementation-status"].is_null())
    );
}

/// The dental practice's plan: no state is `implemented` without evidence of that party that
/// is pinned and fresh; the control whose evidence is missing (CM009, waived) is not.
#[test]
fn in_the_example_implemented_always_rests_on_current_evidence() {
    let files = export("examples/northwind-msp", "status-example");
    let ssp = json(&files["scopes/riverside-dental/ssp.json"]);
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    for (at, status) in all_of(&ssp, "implementation-status") {
        let state = status["state"].as_str().expect("state").to_string();
        if state == "implemented" {
            assert!(
                status["remarks"]
                    .as_str()
                    .is_some_and(|r| r.contains("matches its pinned SHA-256")),
                "{at}: {status}"
            );
        }
        *states.entry(state).or_default() += 1;
    }
    assert!(
        states.get("planned").copied().unwrap_or(0) > states.get("implemented").copied().unwrap_or(0),
        "{states:?}"
    );
    let evaluation = requirement(&ssp, "hipaa:164.308(a)(8)");
    for b in by_components(evaluation) {
        assert_ne!(b["implementation-status"]["state"], "implemented", "{b}");
    }
}

/// Issue 23, point 4: the client's plan names its owner and people in OSCAL's roles, and its
/// information types name the data.
#[test]
fn the_clients_plan_names_its_owner_its_people_and_its_data() {
    let files = export(&gaps(), "roles");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let meta = &ssp["system-security-plan"]["metadata"];
    let parties: BTreeMap<&str, &Value> = meta["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .map(|p| (p["uuid"].as_str().expect("uuid"), p))
        .collect();
    let holder = |role: &str| -> Vec<(&str, &str)> {
        meta["responsible-parties"]
            .as_array()
            .expect("responsible parties")
            .iter()
            .filter(|r| r["role-id"] == role)
            .flat_map(|r| r["party-uuids"].as_array().expect("uuids"))
            .map(|u| {
                let p = parties[u.as_str().expect("uuid")];
                (p["type"].as_str().expect("type"), p["name"].as_str().expect("name"))
            })
            .collect()
    };
    assert_eq!(holder("system-owner"), [("organization", "Example Clinic")]);
    assert_eq!(holder("prepared-for"), [("organization", "Example Clinic")]);
    assert_eq!(holder("authorizing-official"), [("person", "Dr. B. Example")]);
    assert_eq!(holder("system-poc-management"), [("person", "Dr. B. Example, Owner")]);
    assert_eq!(holder("prepared-by"), [("person", "Sam Reyes")]);
    assert_eq!(holder("reviewed-by"), [("person", "Dr. B. Example")]);
    assert_eq!(holder("provider"), [("organization", "Example MSP")]);
    let roles: Vec<&str> = meta["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        !roles.contains(&"customer"),
        "the client is the system owner, not a customer: {roles:?}"
    );
    let types = &ssp["system-security-plan"]["system-characteristics"]["system-information"]["information-types"];
    assert_eq!(types[0]["title"], "Electronic protected health information (ePHI)");
    let description = types[0]["description"].as_str().expect("description");
    assert!(description.contains("45 CFR 160.103"), "{description}");
    assert!(
        description.contains("with respect to electronic protected health information of a covered entity"),
        "the regulation's own words (45 CFR 164.302): {description}"
    );
    // The example's GLBA and NY DFS clients.
    let files = export("examples/northwind-msp", "data");
    for (scope, title) in [
        ("cedar-tax-services", "Customer information"),
        ("hudson-valley-insurance", "Nonpublic information"),
    ] {
        let ssp = json(&files[&format!("scopes/{scope}/ssp.json")]);
        let titles: Vec<&str> =
            ssp["system-security-plan"]["system-characteristics"]["system-information"]["information-types"]
                .as_array()
                .expect("types")
                .iter()
                .filter_map(|t| t["title"].as_str())
                .collect();
        assert!(titles.contains(&title), "{scope}: {titles:?}");
    }
}

/// Issue 23, point 5: a vendor is an external component, not an authorization; an
/// authorization appears only where the scope declares one, with its date; the MSP's
/// subcontractor is the provider plan's component, leveraged.
#[test]
fn third_parties_are_external_components_and_only_declared_authorizations_are_leveraged() {
    let files = export(&gaps(), "third-party");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let provider = json(&files["provider/ssp.json"]);
    let plan = &ssp["system-security-plan"];
    let authorizations = plan["system-implementation"]["leveraged-authorizations"]
        .as_array()
        .expect("authorizations");
    let titles: Vec<(&str, &str)> = authorizations
        .iter()
        .map(|a| {
            (
                a["title"].as_str().expect("title"),
                a["date-authorized"].as_str().expect("date"),
            )
        })
        .collect();
    assert_eq!(
        titles,
        [
            ("Example MSP: managed services", "2026-02-01"),
            ("FedRAMP Moderate authorization: Example Cloud", "2025-05-20"),
        ]
    );
    let ehr = component(&ssp, "Cloud EHR vendor");
    assert_eq!(prop(ehr, "implementation-point"), ["external"]);
    assert!(
        prop(ehr, "leveraged-authorization-uuid").is_empty(),
        "a BAA is not an authorization"
    );
    let host = component(&ssp, "Authorized cloud host");
    assert_eq!(
        prop(host, "leveraged-authorization-uuid"),
        [authorizations[1]["uuid"].as_str().expect("uuid")]
    );
    let req = requirement(&ssp, "hipaa:164.312(c)(2)");
    let by = by_component(req, ehr["uuid"].as_str().expect("uuid"));
    assert_eq!(by["description"], "The EHR vendor checks the integrity of chart data.");
    assert_eq!(prop(req, "responsibility"), ["third-party"]);
    // The MSP's subcontractor: the provider plan's component, leveraged by the client.
    let vault = component(&ssp, "Offsite vault");
    assert_eq!(vault["uuid"], component(&provider, "Offsite vault")["uuid"]);
    assert_eq!(prop(vault, "inherited-uuid"), [vault["uuid"].as_str().expect("uuid")]);
    let by = by_component(
        requirement(&ssp, "hipaa:164.310(d)(2)(iv)"),
        vault["uuid"].as_str().expect("uuid"),
    );
    assert_eq!(
        by["description"],
        "The vault keeps a second copy of the backups offsite."
    );
    // Without a dated engagement there is no authorization to leverage, and none is invented.
    let copy_scratch = support::Scratch::copy_of(std::path::Path::new(&gaps()), "oscal-undated-ws");
    let copy = copy_scratch.ws();
    let scope = copy.join("scopes/clinic.yaml");
    let text = std::fs::read_to_string(&scope).expect("scope");
    std::fs::write(&scope, text.replace(", effective: 2026-02-01", "")).expect("write");
    let files = export(copy.to_str().expect("path"), "undated");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let authorizations = ssp["system-security-plan"]["system-implementation"]["leveraged-authorizations"]
        .as_array()
        .expect("authorizations");
    assert_eq!(authorizations.len(), 1, "the host's declared one only");
    assert!(prop(component(&ssp, "Backup \"and\" Restore"), "inherited-uuid").len() == 1);
}
