//! The BAA appendix's notification terms: the breach notices of Subpart D (164.404-164.410)
//! with their deadlines quoted from the catalog and the assessment's notice verdicts, and the
//! security-incident reporting terms (164.314(a)(2)(i)(C), the 164.304 definition). Used by
//! `baa.rs`; renders verdicts computed in `assess`, decides none.

use super::baa::{NoticeTerm, Notification, Quote, SecurityIncidentTerms, quote};
use super::baa_rows::Roles;
use super::context::duration_words;
use super::sources::text_source;
use crate::assess::rules::NoticeVerdict;
use crate::model::Scope;
use crate::model::catalog::Framework;
use crate::resolve::{Matrix, Summary};

/// Where the contract must make the business associate report security incidents.
const INCIDENT_REPORTING: [&str; 2] = ["164.314(a)(2)(i)(C)", "164.314(a)(2)(i)"];
const BREACH_NOTICE_SECTION: &str = "164.410";
const NOTICE_CONTENT: &str = "164.410(c)";
/// The sections of Subpart D whose notices carry deadlines, in the regulation's order.
const NOTICE_SECTIONS: [&str; 4] = ["164.404", "164.406", "164.408", "164.410"];
/// When a breach counts as discovered by the covered entity, through its workforce or agents.
const AGENCY: &str = "164.404(a)(2)";
/// The same for a business associate (164.410(a)(2)).
const BA_AGENCY: &str = "164.410(a)(2)";
/// The definitions of the Security Rule ("Security incident").
const DEFINITIONS: &str = "164.304";
/// When a breach counts as discovered by the business associate.
const DISCOVERY: &str = "164.410(a)(2)";

/// A deadline the provider's window does not meet, in words: `45 CFR 164.404(b) (notice to
/// the affected individuals): the agreed 50 days, plus the 15 days the covered entity needs
/// to act, exceed its 60 days`.
fn exceeded_words(s: &crate::assess::rules::NotificationStatus) -> String {
    use super::context::duration_words;
    let hours = |h: u64| {
        let n = |x: u64| usize::try_from(x).unwrap_or(usize::MAX);
        if h.is_multiple_of(24) {
            crate::emit::count(n(h / 24), "day")
        } else {
            crate::emit::count(n(h), "hour")
        }
    };
    let window = s
        .window
        .as_deref()
        .map(duration_words)
        .unwrap_or_else(|| "no window".into());
    let limit = s.limit.as_deref().map(duration_words).unwrap_or_default();
    let notify = s
        .notify
        .as_deref()
        .map(|n| format!(" (notice to {n})"))
        .unwrap_or_default();
    if s.margin_hours > 0 {
        format!(
            "{}{notify}: the proposed {window}, plus the {} the covered entity needs to act, exceed its {limit}",
            s.citation,
            hours(s.margin_hours)
        )
    } else {
        format!("{}{notify}: the proposed {window} exceeds its {limit}", s.citation)
    }
}

pub(super) fn notification(
    fw: &Framework,
    scope: &Scope,
    matrix: &Matrix,
    roles: &Roles,
    statuses: &[crate::assess::rules::NotificationStatus],
) -> Notification {
    let in_section = |id: &str| {
        id == BREACH_NOTICE_SECTION
            || id
                .strip_prefix(BREACH_NOTICE_SECTION)
                .is_some_and(|r| r.starts_with('('))
    };
    // The outer limit: the breach-discovery deadline of 164.410, else any deadline there.
    let deadlines: Vec<(&crate::model::Control, &crate::model::Deadline)> = fw
        .controls
        .iter()
        .filter(|c| in_section(&c.id))
        .flat_map(|c| c.deadlines.iter().map(move |d| (c, d)))
        .filter(|(_, d)| d.within.is_some())
        .collect();
    let deadline = deadlines
        .iter()
        .find(|(_, d)| d.event == "breach-discovery")
        .or_else(|| deadlines.first());
    let window = scope.sla.incident_notification.clone();
    // The verdict on the provider's window is the engine's (CM008's, in the assessment), never
    // recomputed here.
    let status = match deadline.and_then(|(c, d)| {
        statuses
            .iter()
            .find(|s| s.control == format!("hipaa:{}", c.id) && s.deadline == d.id)
    }) {
        None => None,
        Some(s) => match s.verdict {
            v @ (NoticeVerdict::Within | NoticeVerdict::Exceeds | NoticeVerdict::NoWindow) => Some(v),
            NoticeVerdict::NotMeasured | NoticeVerdict::NotApplicable => None,
        },
    };
    let content = match fw.index(NOTICE_CONTENT) {
        Some(i) => fw
            .controls
            .iter()
            .enumerate()
            .filter(|(k, _)| fw.is_within(*k, i))
            .filter_map(|(_, c)| quote(fw, &c.id))
            .collect(),
        None => Vec::new(),
    };
    let incident_response = matrix
        .row("hipaa:164.308(a)(6)(ii)")
        .map(|r| roles.responsible(scope, r));
    let notices = fw
        .controls
        .iter()
        .filter(|c| {
            NOTICE_SECTIONS
                .iter()
                .any(|s| c.id.strip_prefix(s).is_some_and(|r| r.starts_with('(')))
        })
        .flat_map(|c| c.deadlines.iter().map(move |d| (c, d)))
        .map(|(c, d)| notice_term(fw, scope, matrix, roles, statuses, c, d))
        .collect();
    // Any other deadline the window is measured against and does not meet (e.g. 164.404(b)
    // with the covered entity's margin, when the provider is its agent): the headline must not
    // say the window is within alone where the gate says otherwise.
    let headline = deadline.map(|(c, d)| (format!("hipaa:{}", c.id), d.id.clone()));
    let others_exceeded = statuses
        .iter()
        .filter(|s| s.verdict == NoticeVerdict::Exceeds)
        .filter(|s| headline.as_ref() != Some(&(s.control.clone(), s.deadline.clone())))
        .map(exceeded_words)
        .collect();
    // A business associate client's discovery through its agent is 164.410(a)(2)'s, a covered
    // entity's 164.404(a)(2)'s.
    let agency = match (scope.provider.agent, scope.client.profile.hipaa.as_deref()) {
        (Some(true), Some("business-associate")) => quote(fw, BA_AGENCY),
        (Some(true), _) => quote(fw, AGENCY),
        _ => None,
    };
    Notification {
        window_text: window.as_deref().map(duration_words),
        window,
        limit_text: deadline.and_then(|(_, d)| d.within.as_deref()).map(duration_words),
        limit_citation: deadline.map(|(c, _)| fw.cite(&c.id)),
        limit_quote: deadline.map(|(_, d)| d.text.clone()),
        limit_from: deadline.and_then(|(_, d)| d.from.clone()),
        status,
        others_exceeded,
        content,
        incident_clause: INCIDENT_REPORTING.iter().find_map(|id| quote(fw, id)),
        incident_response,
        notices,
        agency,
        agent: scope.provider.agent,
        discovery: quote(fw, DISCOVERY),
        notice_to: scope.sla.notice.as_ref().map(|n| n.to.clone()),
        notice_channel: scope.sla.notice.as_ref().map(|n| n.channel.clone()),
        security_incidents: SecurityIncidentTerms {
            definition: definition(fw, DEFINITIONS, "Security incident"),
            window: scope.sla.security_incident_report.clone(),
            window_text: scope.sla.security_incident_report.as_deref().map(duration_words),
            unsuccessful_attempts: scope.sla.unsuccessful_attempts.clone(),
        },
    }
}

/// One definition of a definitions section, quoted from the catalog's text of the section:
/// the sentence that starts with the term and `means`.
fn definition(fw: &Framework, section: &str, term: &str) -> Option<Quote> {
    let c = fw.get(section)?;
    let text = c.text.as_deref()?;
    let start = text.find(&format!("{term} means "))?;
    let rest = &text[start..];
    let end = rest.find(". ").map_or(rest.len(), |i| i + 1);
    Some(Quote {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: format!("Definitions, “{term}”"),
        text: rest[..end].to_string(),
        source: text_source(fw, c),
    })
}

/// A notice of Subpart D with its deadline as the catalog records it and the matrix's verdict on
/// whether it applies to this client.
fn notice_term(
    fw: &Framework,
    scope: &Scope,
    matrix: &Matrix,
    roles: &Roles,
    statuses: &[crate::assess::rules::NotificationStatus],
    c: &crate::model::Control,
    d: &crate::model::Deadline,
) -> NoticeTerm {
    let status = statuses
        .iter()
        .find(|s| s.control == format!("hipaa:{}", c.id) && s.deadline == d.id);
    let limit = match (&d.within, &d.contemporaneous_with) {
        (Some(w), _) => {
            // A date-based duty counts plain days (“not later than 60 days after the end of
            // each calendar year”); the others count calendar days after discovery.
            let words = match (d.clock, w.strip_suffix('d')) {
                (Some(crate::model::Clock::Calendar), Some(n)) => format!("{n} days"),
                _ => duration_words(w),
            };
            match &d.from {
                Some(from) => format!("{words} after {from}"),
                None => words,
            }
        }
        (None, Some(other)) => format!("contemporaneously with the notice of {}", fw.cite(other)),
        (None, None) => "no time limit of its own".into(),
    };
    let row = matrix.row(&format!("hipaa:{}", c.id));
    let applies = row.is_some_and(|r| r.summary != Summary::NotApplicable);
    NoticeTerm {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        // `Notification to individuals — Implementation specification: Timeliness of notification`
        title: fw
            .index(&c.id)
            .and_then(|i| fw.ancestors(i).last().copied())
            .map(|root| format!("{} — {}", fw.controls[root].title, c.title))
            .unwrap_or_else(|| c.title.clone()),
        notify: d.notify.clone(),
        limit,
        threshold: d.threshold.as_ref().map(|t| t.text.clone()),
        quote: d.text.clone(),
        source: text_source(fw, c),
        delayed_by: d.may_be_delayed_by.as_deref().map(|x| fw.cite(x)),
        applies,
        reason: match row {
            Some(r) if !applies => r.reason.clone(),
            None => Some("not in the matrix of this scope".into()),
            _ => None,
        },
        responsible: row
            .map(|r| roles.responsible(scope, r))
            .unwrap_or_else(|| "Not in the matrix".into()),
        window_verdict: status.map_or(NoticeVerdict::NotMeasured, |s| s.verdict),
        window_why: status.map(|s| s.why.clone()).unwrap_or_default(),
        window_words: status.and_then(|s| match s.verdict {
            NoticeVerdict::Within => Some(format!(
                "The agreed {} is within its {}.",
                s.window.as_deref().map(duration_words).unwrap_or_default(),
                s.limit.as_deref().map(duration_words).unwrap_or_default()
            )),
            NoticeVerdict::Exceeds => Some(format!("It is not met: {}.", exceeded_words(s))),
            NoticeVerdict::NoWindow => Some("No term is agreed against it.".to_string()),
            NoticeVerdict::NotMeasured | NoticeVerdict::NotApplicable => None,
        }),
    }
}
