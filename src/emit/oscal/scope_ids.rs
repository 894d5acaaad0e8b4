//! The UUIDs of one scope's OSCAL objects that its system security plan and its assessment
//! results both point at: the client party, the system, `this-system`, each implemented
//! requirement and each finding. Derived from the scope's id (and the finding's fingerprint) only,
//! so the same scope always gets the same UUIDs. Uses `ids`.

use super::ids;
use crate::model::Scope;

pub fn client_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("party/client/{}", scope.id))
}

pub fn this_system_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/component/this-system", scope.id))
}

/// The UUID of a control's implemented requirement in a scope's plan.
pub fn requirement_uuid(scope: &Scope, control: &str) -> String {
    ids::uuid(&format!("ssp/{}/requirement/{control}", scope.id))
}

/// The UUID of the plan's and the results' system (`system-ids`, the POA&M's `system-id`).
pub fn system_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("system/{}", scope.id))
}

/// The UUID of a finding in the assessment results, which the plan's rows link to.
pub fn finding_uuid(scope: &Scope, fingerprint: &str) -> String {
    ids::uuid(&format!("finding/{}/{fingerprint}", scope.id))
}
