//! Notice statuses: for each regulatory deadline, whether it binds the client, whether the MSP's
//! notice window is measured against it and the verdict ([`NotificationStatus`]), and the CM008
//! findings raised from them. Uses the model, the resolved matrix and `resolve`'s applicability.

use super::{hours_text, rule_name};
use crate::assess::{Finding, Overrides, Severity, make};
use crate::model::Workspace;
use crate::model::policy::RuleKind;
use crate::model::{Clock, Scope, parse_duration_hours};
use crate::resolve::applicability::{Facts, evaluate};
use crate::resolve::{Matrix, Summary};

/// What the engine decided about one regulatory deadline for one scope: whether it binds the
/// client, whether the MSP's notice window is measured against it, and the verdict. CM008 is
/// raised from these, and every document shows them as they are.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NotificationStatus {
    /// `framework:id` of the control that sets the deadline.
    pub control: String,
    /// The deadline's id in the catalog, e.g. `incident-notice`.
    pub deadline: String,
    /// `45 CFR 164.410(b)`.
    pub citation: String,
    pub notify: Option<String>,
    /// The deadline as the catalog writes it (`72h`, `60d`), when it is a duration.
    pub limit: Option<String>,
    pub limit_hours: Option<u64>,
    /// The MSP's `sla.incident_notification`, as written and in hours.
    pub window: Option<String>,
    pub window_hours: Option<u64>,
    /// Hours the client needs after the MSP's notice, counted against the deadline.
    pub margin_hours: u64,
    /// Where the margin comes from: `scope` (`sla.client_margin`), `pack`, or `none`.
    pub margin_from: &'static str,
    /// `not-applicable`, `not-measured`, `no-window`, `within` or `exceeds`.
    pub verdict: NoticeVerdict,
    /// Why, in words.
    pub why: String,
    /// When the scope declares the MSP the client's agent (`provider.agent: true`) and so the
    /// MSP's discovery starts the client's clock: the paragraph that says so (`45 CFR
    /// 164.404(a)(2)`, `45 CFR 164.410(a)(2)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// The rule that measures it (pack code, e.g. `CM008`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip)]
    pub(crate) severity: Option<Severity>,
    #[serde(skip)]
    pub(crate) rule_name: Option<String>,
}

/// The engine's verdict on the MSP's notice window against one regulatory deadline. Its
/// name (`within`, …) is what JSON, `explain` and the documents show.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, strum::Display, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum NoticeVerdict {
    /// The deadline does not bind this client (its control does not apply, its condition or
    /// threshold is not met).
    NotApplicable,
    /// The deadline binds the client, but the MSP's window is not measured against it (the
    /// clock is not on the MSP's path, no time limit, no rule measures it).
    NotMeasured,
    /// Measured, and the scope agrees no notice window with the MSP.
    NoWindow,
    /// The window, plus the client's margin, fits in the deadline.
    Within,
    /// The window, plus the client's margin, does not fit in the deadline.
    Exceeds,
}

impl NotificationStatus {
    /// Does the gate see a problem (no window, or a window that does not fit)?
    pub fn is_gap(&self) -> bool {
        match self.verdict {
            NoticeVerdict::NoWindow | NoticeVerdict::Exceeds => true,
            NoticeVerdict::NotApplicable | NoticeVerdict::NotMeasured | NoticeVerdict::Within => false,
        }
    }
}

/// Every deadline of every framework that applies to the scope, with the engine's verdict. The
/// MSP's window is measured only where a deadline's `clock` puts it on the path, with the
/// client's margin (`sla.client_margin`, else the enabled pack's `margin`); a deadline that does
/// not bind this client (its control does not apply, its `when` is false, its threshold is out
/// of reach) is not measured.
pub fn notification_statuses(ws: &Workspace, scope: &Scope, matrix: &Matrix) -> Vec<NotificationStatus> {
    let frameworks = crate::assess::frameworks_of(matrix);
    let profile = &scope.client.profile;
    let client_margin = scope.sla.client_margin.as_deref().and_then(parse_duration_hours);
    let window = scope.sla.incident_notification.clone();
    let window_hours = window.as_deref().and_then(parse_duration_hours);
    let agent = scope.provider.agent == Some(true);
    // A business associate client: the business associate's own deadline (164.410(b)) is the
    // client's, and the MSP, its subcontractor, owes the client the same notice.
    let business_associate = profile.hipaa.as_deref() == Some("business-associate");
    let mut out = Vec::new();
    for fw_id in &frameworks {
        let Some(framework) = ws.framework(fw_id) else { continue };
        // The enabled notification rule for this framework (first pack in id order).
        let rule = ws
            .packs
            .values()
            .filter(|p| p.enabled_for(&frameworks) && p.framework.as_deref() == Some(fw_id.as_str()))
            .flat_map(|p| p.rules.iter())
            .find(|r| r.kind == RuleKind::NotificationWindow);
        for control in &framework.controls {
            for d in &control.deadlines {
                let reference = format!("{}:{}", framework.id(), control.id);
                let cite = framework.cite(&control.id);
                let mut status = NotificationStatus {
                    control: reference.clone(),
                    deadline: d.id.clone(),
                    citation: cite.clone(),
                    notify: d.notify.clone(),
                    limit: d.within.clone(),
                    limit_hours: d.within_hours(),
                    window: window.clone(),
                    window_hours,
                    margin_hours: 0,
                    margin_from: "none",
                    verdict: NoticeVerdict::NotMeasured,
                    why: String::new(),
                    agency: None,
                    rule: rule.map(|r| r.code.clone()),
                    severity: rule.map(|r| r.severity),
                    rule_name: rule.map(rule_name),
                };
                let row = matrix.row(&reference);
                if let Some(r) = row.filter(|r| r.summary == Summary::NotApplicable) {
                    status.verdict = NoticeVerdict::NotApplicable;
                    status.why = r
                        .reason
                        .clone()
                        .unwrap_or_else(|| "it does not apply to this client".into());
                    out.push(status);
                    continue;
                }
                if row.is_none() {
                    status.verdict = NoticeVerdict::NotApplicable;
                    status.why = "its control is not a row of this scope's matrix".into();
                    out.push(status);
                    continue;
                }
                if d.when
                    .as_ref()
                    .is_some_and(|w| evaluate(w, Facts::of(profile)) == Some(false))
                {
                    status.verdict = NoticeVerdict::NotApplicable;
                    status.why = "the client profile does not meet the deadline's condition".into();
                    out.push(status);
                    continue;
                }
                if let Some(t) = &d.threshold {
                    let most = match t.fact.as_str() {
                        "consumers" => profile.consumers,
                        "individuals" => profile.individuals,
                        _ => None,
                    };
                    if !t.reachable(most) {
                        status.verdict = NoticeVerdict::NotApplicable;
                        status.why = format!(
                            "it applies only to events involving {}, which the client's declared `{}` cannot reach",
                            t.text, t.fact
                        );
                        out.push(status);
                        continue;
                    }
                }
                let Some(rule) = rule.filter(|r| r.params.events.is_empty() || r.params.events.contains(&d.event))
                else {
                    status.why = "no enabled policy pack measures the MSP's window against it".into();
                    out.push(status);
                    continue;
                };
                let pack_margin = rule
                    .params
                    .margin
                    .as_deref()
                    .and_then(parse_duration_hours)
                    .unwrap_or(0);
                let client_needs = match client_margin {
                    Some(m) => (m, "scope"),
                    None => (pack_margin, "pack"),
                };
                // The paragraph under which the MSP's discovery is the client's, when the scope
                // declares the MSP its agent.
                let agency = d.agency.as_deref().map(|a| framework.cite(a));
                let (margin, from) = match d.clock {
                    Some(Clock::EntityDiscovery) => client_needs,
                    Some(Clock::AgentDiscovery) if agent => {
                        status.agency = agency.clone();
                        client_needs
                    }
                    // The client is itself a business associate and the MSP its agent: the
                    // client's own 60 days to notify its covered entities start at the MSP's
                    // discovery (164.410(a)(2)), so the client's margin must fit too.
                    Some(Clock::MspDiscovery) if agent && business_associate && agency.is_some() => {
                        status.agency = agency.clone();
                        client_needs
                    }
                    Some(Clock::MspDiscovery) => (0, "none"),
                    Some(Clock::AgentDiscovery) => {
                        status.why = format!(
                            "the client's clock starts when it discovers the breach; the MSP is not declared its agent (`provider.agent`), so the MSP's notice is measured against its own deadline instead ({})",
                            agency.as_deref().unwrap_or("the catalog's agency rule")
                        );
                        out.push(status);
                        continue;
                    }
                    Some(Clock::EntityAct) => {
                        status.why = format!(
                            "the clock starts with the client's own act ({}), not with the MSP's notice",
                            d.from.as_deref().unwrap_or(&d.event)
                        );
                        out.push(status);
                        continue;
                    }
                    Some(Clock::Calendar) => {
                        status.why = "a date-based duty: the MSP's notice window does not count against it".into();
                        out.push(status);
                        continue;
                    }
                    None => {
                        status.why = "the catalog does not say whose clock it is (`clock`), so the MSP's window is not measured against it".into();
                        out.push(status);
                        continue;
                    }
                };
                let Some(limit) = d.within_hours() else {
                    status.why = match &d.contemporaneous_with {
                        Some(other) => format!(
                            "no time limit of its own: it goes with the notice of {}",
                            framework.cite(other)
                        ),
                        None => "no time limit of its own".into(),
                    };
                    out.push(status);
                    continue;
                };
                status.margin_hours = margin;
                status.margin_from = from;
                match window_hours {
                    None => {
                        status.verdict = NoticeVerdict::NoWindow;
                        status.why = "the scope agrees no incident-notification window with the MSP".into();
                    }
                    Some(w) => {
                        let fits = w.saturating_add(margin) <= limit;
                        status.verdict = if fits {
                            NoticeVerdict::Within
                        } else {
                            NoticeVerdict::Exceeds
                        };
                        let window_words = format!("{} ({})", hours_text(w), window.as_deref().unwrap_or_default());
                        status.why = match (margin, fits) {
                            (0, true) => format!("{window_words} is within the {} {cite} allows", hours_text(limit)),
                            (0, false) => {
                                format!("{window_words} is longer than the {} {cite} allows", hours_text(limit))
                            }
                            (m, true) => format!(
                                "{window_words}, plus the {} the client needs to act, fits in the {} {cite} allows",
                                hours_text(m),
                                hours_text(limit)
                            ),
                            (m, false) => format!(
                                "{window_words}, plus the {} the client needs to act, exceeds the {} {cite} allows",
                                hours_text(m),
                                hours_text(limit)
                            ),
                        };
                        if let Some(rule) = &status.agency {
                            status.why.push_str(&format!(
                                " (the MSP is the client's agent: under {rule} its discovery is the client's, so the client's clock starts when the MSP finds the breach)"
                            ));
                        }
                    }
                }
                out.push(status);
            }
        }
    }
    out
}

/// CM008 from the notification statuses: a deadline measured against the MSP's window with no
/// window agreed, or a window that does not fit.
pub(super) fn notification_findings(
    ws: &Workspace,
    scope: &Scope,
    statuses: &[NotificationStatus],
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let window = scope.sla.incident_notification.as_deref();
    let client_margin = scope.sla.client_margin.is_some();
    for s in statuses.iter().filter(|s| s.is_gap()) {
        let (Some(code), Some(severity), Some(name), Some(limit)) =
            (s.rule.as_deref(), s.severity, s.rule_name.as_deref(), s.limit_hours)
        else {
            continue;
        };
        let Some((fw_id, control_id)) = s.control.split_once(':') else {
            continue;
        };
        let Some(framework) = ws.framework(fw_id) else { continue };
        let Some(d) = framework
            .get(control_id)
            .and_then(|c| c.deadlines.iter().find(|d| d.id == s.deadline))
        else {
            continue;
        };
        let cite = &s.citation;
        let business_associate = scope.client.profile.hipaa.as_deref() == Some("business-associate");
        let recipient = match (d.clock, business_associate, &s.agency) {
            // The client is a business associate: its own notice goes to its covered entities;
            // the MSP, its subcontractor, notifies the client.
            (Some(Clock::MspDiscovery), true, Some(_)) => "the client's notice to its covered entities".to_string(),
            (Some(Clock::MspDiscovery), true, None) => {
                "the MSP's notice, as the client's subcontractor, to the client".to_string()
            }
            _ => d
                .notify
                .as_deref()
                .map(|n| format!("notice to the {n}"))
                .unwrap_or_else(|| d.event.clone()),
        };
        let agency = match &s.agency {
            Some(rule) => format!(
                " The scope declares the MSP the client's agent (`provider.agent: true`), so under {rule} the MSP's discovery is the client's and the client's clock starts when the MSP finds the breach."
            ),
            None => String::new(),
        };
        let margin = s.margin_hours;
        let (message, at) = match s.window_hours {
            None => (
                format!(
                    "{cite} sets a deadline of {} from {} ({recipient}), but the scope agrees no incident-notification window with the MSP.{agency} Add `sla: {{ incident_notification: 24h }}` (or what the contract says).",
                    hours_text(limit),
                    d.from.as_deref().unwrap_or(&d.event),
                ),
                scope.locate("/sla"),
            ),
            Some(w) => (
                if margin == 0 {
                    format!(
                        "The MSP may take up to {} ({}) to notify the client, longer than the {} that {cite} allows ({recipient}).{agency} Shorten `sla.incident_notification` to at most {}.",
                        hours_text(w),
                        window.unwrap_or_default(),
                        hours_text(limit),
                        hours_text(limit)
                    )
                } else {
                    let margin_from = if client_margin {
                        "`sla.client_margin`"
                    } else {
                        "the policy pack's margin"
                    };
                    format!(
                        "The MSP may take up to {} ({}) to notify the client; with the {} the client needs to act ({margin_from}), that exceeds the {} that {cite} allows ({recipient}).{agency} Shorten `sla.incident_notification` to at most {}.",
                        hours_text(w),
                        window.unwrap_or_default(),
                        hours_text(margin),
                        hours_text(limit),
                        hours_text(limit.saturating_sub(margin))
                    )
                },
                scope.locate("/sla/incident_notification"),
            ),
        };
        out.extend(make(
            scope,
            &s.control,
            code,
            name,
            severity,
            message,
            &at,
            &s.deadline,
            overrides,
        ));
    }
    out
}
