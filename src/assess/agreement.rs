//! The state of a party's business associate agreement, decided once from the scope's
//! declared facts (`baa`, `ephi`, `engaged_by`): what the BAA appendix shows for each party.
//! Pure: no I/O.

use crate::model::EngagedBy;
use serde::Serialize;

/// Where a party stands on a business associate agreement (45 CFR 164.308(b), 164.502(e)).
/// The name (`BAA in place`, …) is what JSON and templates show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::Display, strum::IntoStaticStr, strum::EnumIter)]
pub enum BaaAgreement {
    /// The scope declares an agreement with the party (`baa: true`).
    #[serde(rename = "BAA in place")]
    #[strum(serialize = "BAA in place")]
    InPlace,
    /// The party handles no ePHI (`ephi: false`): none is needed.
    #[serde(rename = "no BAA needed (no ePHI)")]
    #[strum(serialize = "no BAA needed (no ePHI)")]
    NotNeeded,
    /// The provider's subcontractor that handles ePHI must have one (45 CFR 164.308(b)(2),
    /// 164.502(e)(1)(ii)), and none is on record.
    #[serde(rename = "BAA required, none on record")]
    #[strum(serialize = "BAA required, none on record")]
    RequiredNoneOnRecord,
    /// No agreement is on record.
    #[serde(rename = "no BAA on record")]
    #[strum(serialize = "no BAA on record")]
    NoneOnRecord,
}

impl BaaAgreement {
    /// The state of a party's agreement from its declared `baa`, `ephi` and `engaged_by`.
    pub fn of(baa: Option<bool>, ephi: Option<bool>, engaged_by: Option<EngagedBy>) -> BaaAgreement {
        match (baa, ephi, engaged_by) {
            (Some(true), _, _) => BaaAgreement::InPlace,
            (_, Some(false), _) => BaaAgreement::NotNeeded,
            (_, _, Some(EngagedBy::Msp)) => BaaAgreement::RequiredNoneOnRecord,
            _ => BaaAgreement::NoneOnRecord,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agreement_on_record_wins_and_a_subcontractor_with_ephi_needs_one() {
        assert_eq!(BaaAgreement::of(Some(true), Some(false), None), BaaAgreement::InPlace);
        assert_eq!(
            BaaAgreement::of(None, Some(false), Some(EngagedBy::Msp)),
            BaaAgreement::NotNeeded
        );
        assert_eq!(
            BaaAgreement::of(Some(false), None, Some(EngagedBy::Msp)),
            BaaAgreement::RequiredNoneOnRecord
        );
        assert_eq!(
            BaaAgreement::of(None, None, Some(EngagedBy::Client)),
            BaaAgreement::NoneOnRecord
        );
        // The name is the one JSON and templates have always shown.
        assert_eq!(
            BaaAgreement::RequiredNoneOnRecord.to_string(),
            "BAA required, none on record"
        );
        assert_eq!(
            serde_json::to_value(BaaAgreement::NotNeeded).ok(),
            Some(serde_json::json!("no BAA needed (no ePHI)"))
        );
    }
}
