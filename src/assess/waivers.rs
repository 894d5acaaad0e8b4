//! Waivers: applying a scope's waivers to its findings (a valid, unexpired waiver marks its
//! finding waived; an expired or incomplete one is a finding itself), and the waiver debt the
//! gate reports across scopes. Uses the model and `assess`'s finding types.

use crate::assess::{Finding, Overrides, RuleCode, Severity, WaiverNote, blank, make};
use crate::model::Scope;
use crate::model::date::parse_ymd;

/// Apply the scope's waivers: a valid, unexpired waiver marks its finding waived; an
/// expired or incomplete one leaves the finding active and is a finding itself, at the
/// waived finding's severity or higher.
pub fn apply_waivers(scope: &Scope, findings: Vec<Finding>, overrides: &Overrides, as_of: time::Date) -> Vec<Finding> {
    let mut out = Vec::with_capacity(findings.len());
    let mut extra = Vec::new();
    for mut f in findings {
        let Some(w) = scope
            .waivers
            .iter()
            .flatten()
            .find(|w| *w.finding == *f.code && *w.control == *f.control)
        else {
            out.push(f);
            continue;
        };
        let missing: Vec<&str> = [
            ("justification", &w.justification),
            ("approver", &w.approver),
            ("ticket", &w.ticket),
            ("compensating", &w.compensating),
            ("expires", &w.expires),
        ]
        .into_iter()
        .filter(|(_, v)| blank(v))
        .map(|(k, _)| k)
        .collect();
        let expires = w.expires.as_deref().and_then(parse_ymd);
        let severity = f.severity.max(Severity::Low);
        if !missing.is_empty() {
            let message = format!(
                "the waiver of {} on {} lacks {}, so it is not honoured. A waiver needs a justification, approver, ticket, compensating control and expiry date.",
                f.code,
                f.control,
                missing.join(", ")
            );
            extra.extend(make(
                scope,
                &f.control,
                RuleCode::CM014.as_str(),
                RuleCode::CM014.rule().name,
                severity,
                message,
                &w.origin,
                &f.code,
                overrides,
            ));
        } else if let Some(exp) = expires.filter(|e| *e < as_of) {
            let message = format!(
                "the waiver of {} on {} expired on {exp} (ticket {}); the finding counts again. Fix the gap or renew the waiver with a new expiry date.",
                f.code,
                f.control,
                w.ticket.as_deref().unwrap_or_default()
            );
            extra.extend(make(
                scope,
                &f.control,
                RuleCode::CM013.as_str(),
                RuleCode::CM013.rule().name,
                severity,
                message,
                &w.origin,
                &f.code,
                overrides,
            ));
        } else {
            f.waived = Some(Box::new(WaiverNote {
                justification: w.justification.clone().unwrap_or_default(),
                compensating: w.compensating.clone().unwrap_or_default(),
                approver: w.approver.clone().unwrap_or_default(),
                ticket: w.ticket.clone().unwrap_or_default(),
                expires: w.expires.clone().unwrap_or_default(),
                file: w.origin.file.to_string(),
                line: w.origin.line,
                column: w.origin.column,
            }));
        }
        out.push(f);
    }
    out.extend(extra);
    out
}

/// Waiver debt across findings: how many are waived, the oldest (by the date it was granted),
/// how many record no grant date, and those expiring soon.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WaiverDebt {
    pub count: usize,
    pub oldest: Option<String>,
    /// Waived findings whose waiver records no `granted` date (their age is unknown).
    pub undated: usize,
    pub expiring_within_30_days: usize,
    /// Date of the oldest waiver, to merge debts of several batches of scopes.
    #[serde(skip)]
    oldest_since: Option<String>,
}

impl WaiverDebt {
    /// Add another batch's debt (the oldest stays the oldest; ties keep the first seen).
    pub fn merge(&mut self, other: WaiverDebt) {
        self.count += other.count;
        self.undated += other.undated;
        self.expiring_within_30_days += other.expiring_within_30_days;
        if let Some(since) = other.oldest_since
            && self.oldest_since.as_ref().is_none_or(|mine| since < *mine)
        {
            self.oldest_since = Some(since);
            self.oldest = other.oldest;
        }
    }
}

pub fn waiver_debt(scopes: &[&Scope], findings: &[Finding], as_of: time::Date) -> WaiverDebt {
    let mut debt = WaiverDebt::default();
    let mut oldest: Option<(String, String)> = None;
    for f in findings {
        let Some(w) = &f.waived else { continue };
        debt.count += 1;
        let granted = scopes
            .iter()
            .filter(|s| *s.id == *f.scope)
            .flat_map(|s| s.waivers.iter().flatten())
            .find(|x| *x.finding == *f.code && *x.control == *f.control)
            .and_then(|x| x.granted.clone());
        match granted {
            // Only a recorded grant date says how old a waiver is; the expiry date does not.
            Some(granted) => {
                if oldest.as_ref().is_none_or(|(date, _)| granted < *date) {
                    let label = format!("{} on {} in {} (since {granted})", f.code, f.control, f.scope);
                    oldest = Some((granted, label));
                }
            }
            None => debt.undated += 1,
        }
        if parse_ymd(&w.expires).is_some_and(|e| (e - as_of).whole_days() <= 30) {
            debt.expiring_within_30_days += 1;
        }
    }
    if let Some((since, label)) = oldest {
        debt.oldest_since = Some(since);
        debt.oldest = Some(label);
    }
    debt
}

#[cfg(test)]
mod tests {
    //! Expectations from docs/findings.md: a complete, unexpired waiver marks its finding waived
    //! (reported, not gating); CM013 (expired) and CM014 (incomplete) leave the finding active
    //! and are findings themselves, at the waived finding's severity or higher.
    use super::*;

    fn finding() -> Finding {
        Finding {
            scope: "s".into(),
            control: "t:a".into(),
            code: "CM001".into(),
            rule: "test".into(),
            severity: Severity::High,
            message: "a gap".into(),
            file: "scopes/s.yaml".into(),
            line: 1,
            column: 1,
            fingerprint: "f".into(),
            waived: None,
        }
    }

    fn scope_with(waiver: serde_json::Value) -> Scope {
        serde_json::from_value(serde_json::json!({
            "id": "s", "client": {"name": "Client"}, "waivers": [waiver]
        }))
        .expect("scope")
    }

    fn complete(expires: &str) -> serde_json::Value {
        serde_json::json!({
            "finding": "CM001", "control": "t:a", "justification": "replacement ordered",
            "compensating": "manual review", "approver": "CISO", "ticket": "SEC-1", "expires": expires
        })
    }

    fn as_of() -> time::Date {
        time::Date::from_calendar_date(2026, time::Month::November, 30).expect("date")
    }

    #[test]
    fn a_complete_unexpired_waiver_waives_its_finding_and_it_no_longer_gates() {
        let out = apply_waivers(
            &scope_with(complete("2026-12-31")),
            vec![finding()],
            &Overrides::new(),
            as_of(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].waived.as_ref().map(|w| w.ticket.as_str()), Some("SEC-1"));
        assert!(!out[0].fails_gate(Some(Severity::Low), None));
        assert!(finding().fails_gate(Some(Severity::High), None));
        assert!(!finding().fails_gate(Some(Severity::Critical), None));
    }

    #[test]
    fn an_expired_waiver_leaves_the_finding_active_and_raises_cm013() {
        let out = apply_waivers(
            &scope_with(complete("2026-11-29")),
            vec![finding()],
            &Overrides::new(),
            as_of(),
        );
        let codes: Vec<(&str, Severity, bool)> =
            out.iter().map(|f| (&*f.code, f.severity, f.waived.is_some())).collect();
        assert_eq!(
            codes,
            [("CM001", Severity::High, false), ("CM013", Severity::High, false)]
        );
    }

    #[test]
    fn an_incomplete_waiver_is_not_honoured_and_raises_cm014() {
        let mut waiver = complete("2026-12-31");
        waiver["ticket"] = serde_json::Value::Null;
        let out = apply_waivers(&scope_with(waiver), vec![finding()], &Overrides::new(), as_of());
        let codes: Vec<(&str, Severity, bool)> =
            out.iter().map(|f| (&*f.code, f.severity, f.waived.is_some())).collect();
        assert_eq!(
            codes,
            [("CM001", Severity::High, false), ("CM014", Severity::High, false)]
        );
        assert!(out[1].message.contains("lacks ticket"), "{}", out[1].message);
    }
}
