//! The UUIDs of one scope's OSCAL objects that more than one part of the export points at:
//! the client party, the system, `this-system`, each implemented requirement and each finding
//! (the plan and the assessment results), and the third parties and the engagement component
//! (the plan's parties, components and implemented requirements). Derived from the scope's id
//! (and the finding's fingerprint, the party's id) only, so the same scope always gets the same
//! UUIDs. Uses `ids`.

use super::ids;
use super::system::{msp_party_component_uuid, msp_party_uuid};
use crate::model::{EngagedBy, Scope, ThirdParty};

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

/// The UUID of a third party of the scope: the MSP's own parties (`engaged_by: msp`) keep the
/// UUID they have in the provider's plan.
pub fn third_party_uuid(scope: &Scope, party: &ThirdParty) -> String {
    if party.engaged_by == Some(EngagedBy::Msp) {
        msp_party_uuid(&party.id)
    } else {
        ids::uuid(&format!("party/third-party/{}/{}", scope.id, party.id))
    }
}

/// The engagement component of a client's plan: the MSP's duties agreed for this client alone.
pub fn engagement_uuid(scope: &Scope) -> String {
    ids::uuid(&format!("ssp/{}/component/engagement", scope.id))
}

/// The component of a third party in a client's plan: an MSP party is the component of the
/// provider's plan, leveraged.
pub fn party_component_uuid(scope: &Scope, party: &ThirdParty) -> String {
    if party.engaged_by == Some(EngagedBy::Msp) {
        msp_party_component_uuid(&party.id)
    } else {
        ids::uuid(&format!("ssp/{}/component/third-party/{}", scope.id, party.id))
    }
}
