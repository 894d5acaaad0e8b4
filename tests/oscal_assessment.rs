//! A scope's assessment as OSCAL: the assessment plan the results import, a finding for every
//! reviewed control (so "assessed and satisfied" differs from "not assessed"), observations
//! with subjects, risks with likelihood, impact and who logged them, and POA&M items whose
//! remediation has a milestone on the waiver's expiry.

mod support;

use serde_json::Value;
use support::oscal::{by_components, export, gaps, json, prop, requirement};

fn result(ar: &Value) -> &Value {
    &ar["assessment-results"]["results"][0]
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key].as_array().unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn the_results_import_a_plan_that_names_the_plan_assessed_the_controls_and_the_date() {
    let files = export(&gaps(), "ap");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    assert_eq!(ar["assessment-results"]["import-ap"]["href"], "assessment-plan.json");
    let ap = json(&files["scopes/clinic/assessment-plan.json"]);
    let plan = &ap["assessment-plan"];
    assert_eq!(plan["import-ssp"]["href"], "ssp.json");
    assert_eq!(plan["tasks"][0]["timing"]["on-date"]["date"], "2026-11-30T00:00:00Z");
    assert_eq!(plan["reviewed-controls"], result(&ar)["reviewed-controls"]);
    let reviewed = list(&plan["reviewed-controls"]["control-selections"][0], "include-controls");
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let requirements = list(
        &ssp["system-security-plan"]["control-implementation"],
        "implemented-requirements",
    );
    assert_eq!(reviewed.len(), requirements.len());
}

#[test]
fn every_reviewed_control_has_a_finding_and_one_without_a_problem_is_satisfied() {
    let files = export(&gaps(), "every-control");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let findings = list(result(&ar), "findings");
    let reviewed = list(
        &result(&ar)["reviewed-controls"]["control-selections"][0],
        "include-controls",
    );
    for control in reviewed {
        let id = control["control-id"].as_str().expect("id");
        assert!(
            findings.iter().any(|f| f["target"]["target-id"]
                .as_str()
                .is_some_and(|t| t.strip_suffix("_smt") == Some(id))),
            "{id} has no finding"
        );
    }
    // 164.312(d): the identity service's MSP duty, no problem: assessed and satisfied.
    let satisfied = findings
        .iter()
        .find(|f| f["target"]["title"] == "hipaa:164.312(d)")
        .expect("a finding for 164.312(d)");
    assert_eq!(satisfied["target"]["status"]["state"], "satisfied");
    assert_eq!(satisfied["target"]["status"]["reason"], "pass");
    assert_eq!(satisfied["target"]["implementation-status"]["state"], "planned");
    // An unassigned control: not satisfied, linked both ways with the plan.
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let req = requirement(&ssp, "hipaa:164.308(a)(1)(ii)(A)");
    let link = list(req, "links")
        .iter()
        .find(|l| l["resource-fragment"].is_string())
        .expect("a link to the finding");
    let finding = findings
        .iter()
        .find(|f| f["uuid"] == link["resource-fragment"])
        .expect("the linked finding");
    assert_eq!(prop(finding, "code"), ["CM001"]);
    assert_eq!(finding["target"]["target-id"], "hipaa-164.308_a_1_ii_A_smt");
    assert_eq!(finding["target"]["status"]["state"], "not-satisfied");
    assert_eq!(finding["implementation-statement-uuid"], req["uuid"]);
    // The conflict (two services disagree) is unassigned too, and says why.
    let conflict = requirement(&ssp, "hipaa:164.308(a)(5)(ii)(D)");
    assert_eq!(prop(conflict, "conflict"), ["true"]);
    assert!(
        by_components(conflict)[0]["description"]
            .as_str()
            .expect("text")
            .contains("disagree")
    );
}

#[test]
fn observations_have_the_clients_system_as_subject_and_risks_say_likelihood_impact_and_who_logged_them() {
    let files = export(&gaps(), "risks");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let ssp = json(&files["scopes/clinic/ssp.json"]);
    let this = support::oscal::component_uuid(&ssp, "Example Clinic: information systems");
    for o in list(result(&ar), "observations") {
        assert_eq!(o["subjects"][0]["subject-uuid"], this);
        assert_eq!(o["subjects"][0]["type"], "component");
    }
    let preparer = ar["assessment-results"]["metadata"]["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .find(|p| p["name"] == "Sam Reyes")
        .expect("the preparer");
    for r in list(result(&ar), "risks") {
        let facets = list(&r["characterizations"][0], "facets");
        let facet = |name: &str| {
            facets
                .iter()
                .find(|f| f["name"] == name)
                .unwrap_or_else(|| panic!("{name}"))["value"]
                .as_str()
                .expect("value")
        };
        let expected = match facet("severity") {
            "critical" | "high" => "high",
            "medium" => "moderate",
            _ => "low",
        };
        assert_eq!(facet("likelihood"), expected);
        assert_eq!(facet("impact"), expected);
        for e in list(&r["risk-log"], "entries") {
            assert_eq!(e["logged-by"][0]["party-uuid"], preparer["uuid"]);
        }
    }
}

#[test]
fn a_waived_finding_is_an_approved_deviation_with_a_milestone_on_the_waivers_expiry() {
    let files = export(&gaps(), "waiver");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let finding = list(result(&ar), "findings")
        .iter()
        .find(|f| {
            f["target"]["title"] == "hipaa:164.308(a)(6)(ii)" && f["target"]["status"]["state"] == "not-satisfied"
        })
        .expect("the waived finding");
    let risk_uuid = &finding["related-risks"][0]["risk-uuid"];
    let risk = list(result(&ar), "risks")
        .iter()
        .find(|r| r["uuid"] == *risk_uuid)
        .expect("its risk");
    assert_eq!(risk["status"], "deviation-approved");
    assert_eq!(risk["deadline"], "2027-01-31T23:59:59Z");
    assert_eq!(
        risk["mitigating-factors"][0]["description"],
        "The MSP SOC reports every alert to the office manager by phone."
    );
    let entries = list(&risk["risk-log"], "entries");
    let approved = entries
        .iter()
        .find(|e| e["status-change"] == "deviation-approved")
        .expect("the approval");
    assert_eq!(approved["start"], "2026-10-01T00:00:00Z");
    assert!(approved["description"].as_str().expect("text").contains("EX-1"));
    let milestone = &risk["remediations"][0]["tasks"][0];
    assert_eq!(milestone["type"], "milestone");
    assert_eq!(milestone["timing"]["on-date"]["date"], "2027-01-31T23:59:59Z");
    // An open finding's risk is open, with the finding's advice as a recommended remediation.
    let open = list(result(&ar), "risks")
        .iter()
        .find(|r| r["status"] == "open")
        .expect("an open risk");
    assert_eq!(open["remediations"][0]["lifecycle"], "recommendation");
}

#[test]
fn the_poam_has_an_item_for_every_finding_of_the_assessment() {
    let files = export(&gaps(), "poam");
    let ar = json(&files["scopes/clinic/assessment-results.json"]);
    let poam = json(&files["scopes/clinic/poam.json"]);
    let not_satisfied: Vec<&Value> = list(result(&ar), "findings")
        .iter()
        .filter(|f| f["target"]["status"]["state"] == "not-satisfied")
        .collect();
    let plan = &poam["plan-of-action-and-milestones"];
    let items = list(plan, "poam-items");
    assert_eq!(items.len(), not_satisfied.len());
    for (item, finding) in items.iter().zip(&not_satisfied) {
        assert_eq!(item["related-findings"][0]["finding-uuid"], finding["uuid"]);
    }
    assert_eq!(plan["import-ssp"]["href"], "ssp.json");
    assert!(
        list(plan, "risks")
            .iter()
            .any(|r| r["remediations"][0]["tasks"][0]["type"] == "milestone")
    );
}
