//! The waiver register and the assessment period, as the engine judges them on the as-of
//! date: each waiver of a scope with whether it still holds, and whether the period an
//! evidence pack records starts before the engagement (or its BAA) took effect.

use crate::assess::Finding;
use crate::model::date::parse_ymd;
use crate::model::{Period, Scope};
use serde::Serialize;

/// Where a waiver stands on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum WaiverState {
    /// Complete, not expired, and it waives a current finding.
    Valid,
    /// Complete and not expired, but no current finding matches it (the gap was closed, or the
    /// waiver names another code or control).
    Unused,
    /// Past its expiry date: the finding counts again (CM013).
    Expired,
    /// It lacks a justification, approver, ticket, compensating control or expiry date, so it
    /// is not honoured (CM014).
    Incomplete,
}

impl WaiverState {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// It still holds on the as-of date (whether or not a finding needs it).
    pub fn in_force(self) -> bool {
        matches!(self, WaiverState::Valid | WaiverState::Unused)
    }
}

/// One waiver of a scope, with the engine's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverStatus {
    /// Position of the waiver in the scope's `waivers:` list.
    pub index: usize,
    pub finding: String,
    pub control: String,
    pub state: WaiverState,
    /// Days from the as-of date to the expiry date (negative once expired; none without a
    /// readable date).
    pub days_left: Option<i64>,
}

/// Every waiver of the scope, in the scope's order, judged on `as_of` against the findings
/// (waivers applied). The states agree with CM013, CM014 and the `waived` findings.
pub fn waiver_statuses(scope: &Scope, findings: &[Finding], as_of: time::Date) -> Vec<WaiverStatus> {
    scope
        .waivers
        .iter()
        .enumerate()
        .filter_map(|(index, w)| w.as_ref().map(|w| (index, w)))
        .map(|(index, w)| {
            let complete = [&w.justification, &w.approver, &w.ticket, &w.compensating, &w.expires]
                .into_iter()
                .all(|v| !crate::assess::blank(v));
            let expires = w.expires.as_deref().and_then(parse_ymd);
            let days_left = expires.map(|e| (e - as_of).whole_days());
            let state = if !complete {
                WaiverState::Incomplete
            } else if expires.is_some_and(|e| e < as_of) {
                WaiverState::Expired
            } else if findings
                .iter()
                .any(|f| f.waived.is_some() && *f.code == *w.finding && *f.control == *w.control)
            {
                WaiverState::Valid
            } else {
                WaiverState::Unused
            };
            WaiverStatus {
                index,
                finding: w.finding.clone(),
                control: w.control.clone(),
                state,
                days_left,
            }
        })
        .collect()
}

/// A date the assessment period starts before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum EngagementDate {
    /// The engagement's `provider.effective` date.
    Effective,
    /// The date the business associate agreement was signed (`provider.baa_signed`).
    BaaSigned,
}

/// The period starts before the engagement (or its BAA) took effect: for the days before that
/// date the provider had no duty under the engagement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodBefore {
    pub date_of: EngagementDate,
    /// That date, `YYYY-MM-DD`.
    pub date: String,
    /// Days of the period before it.
    pub days: i64,
}

/// The engagement dates the period starts before: the effective date, and the BAA's
/// signature date when the scope records one. Empty when the period starts on or after both,
/// or when there is no period.
pub fn period_before_engagement(scope: &Scope, period: Option<&Period>) -> Vec<PeriodBefore> {
    let Some(from) = period.and_then(|p| parse_ymd(&p.from)) else {
        return Vec::new();
    };
    [
        (EngagementDate::Effective, scope.provider.effective.as_deref()),
        (EngagementDate::BaaSigned, scope.provider.baa_signed.as_deref()),
    ]
    .into_iter()
    .filter_map(|(date_of, text)| {
        let date = parse_ymd(text?)?;
        (from < date).then(|| PeriodBefore {
            date_of,
            date: date.to_string(),
            days: (date - from).whole_days(),
        })
    })
    .collect()
}
