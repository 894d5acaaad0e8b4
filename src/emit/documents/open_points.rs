//! The points a draft leaves open: the findings that fail the gate, put in words a
//! counterparty reads (no code, no path, no advice), with the code and place in the provider's
//! own copy. Shared by the BAA appendix and the provider summary; the words say what the
//! engine found, they decide nothing.

use super::context::{Context, duration_words};
use super::options::DocumentOptions;
use super::views::{FindingView, OpenFinding};
use crate::assess::Severity;
use crate::model::Workspace;

/// The findings at or above the gate on the document's frameworks, as points to be agreed: in
/// words for the counterparty, with the code and location for the provider; and a last point
/// counting those on the scope's other frameworks, when there are any.
pub(crate) fn open_findings(
    ws: &Workspace,
    ctx: &Context,
    options: &DocumentOptions,
    counterparty: bool,
    frameworks: &[&str],
) -> Vec<OpenFinding> {
    let Some(gate) = options.gate else { return Vec::new() };
    let failing = || {
        ctx.findings
            .iter()
            .filter(move |f| f.waived.is_none() && Severity::parse(f.severity).is_some_and(|s| s >= gate))
    };
    let ours = |f: &&FindingView| {
        frameworks
            .iter()
            .any(|fw| f.control.split_once(':').is_some_and(|(x, _)| x == *fw))
    };
    let mut out: Vec<OpenFinding> = failing()
        .filter(ours)
        .map(|f| OpenFinding {
            citation: f.citation.clone(),
            title: f.title.clone(),
            what: open_point_words(ws, ctx, f),
            code: (!counterparty).then(|| format!("{} at {}:{}", f.code, f.file, f.line)),
        })
        .collect();
    let others: Vec<&FindingView> = failing().filter(|f| !ours(f)).collect();
    if !others.is_empty() {
        let mut names: Vec<String> = others
            .iter()
            .filter_map(|f| f.control.split_once(':').map(|(fw, _)| fw))
            .map(|fw| {
                ctx.frameworks
                    .iter()
                    .find(|x| x.id == fw)
                    .map_or_else(|| fw.to_string(), |x| x.short_title.clone())
            })
            .collect();
        names.sort();
        names.dedup();
        out.push(OpenFinding {
            citation: "Other frameworks".into(),
            title: None,
            what: format!(
                "{} on {} of the same engagement also fail the gate, not listed here",
                crate::emit::counted(others.len(), "open point", "open points"),
                names.join(", ")
            ),
            code: None,
        });
    }
    out
}

/// What a finding leaves open, in words a counterparty reads: no code, path or advice.
fn open_point_words(ws: &Workspace, ctx: &Context, f: &FindingView) -> String {
    let notice = || {
        ctx.notifications
            .iter()
            .find(|s| s.control == f.control && s.is_gap())
            .map(|s| {
                let limit = s.limit.as_deref().map(duration_words).unwrap_or_default();
                match s.window.as_deref() {
                    Some(w) => format!(
                        "the proposed notice term of {} does not meet the {limit} of {}",
                        duration_words(w),
                        s.citation
                    ),
                    None => format!("no notice term is agreed for the {limit} of {}", s.citation),
                }
            })
    };
    let _ = ws;
    use crate::assess::RuleCode;
    match f.code.parse::<RuleCode>() {
        Ok(RuleCode::CM001) => "no responsible party is agreed".into(),
        Ok(RuleCode::CM002) => "the parties' sources disagree on who is responsible".into(),
        Ok(RuleCode::CM003) => "the duty of each party that shares it is not written down".into(),
        Ok(RuleCode::CM004) => "it is marked not applicable without a reason".into(),
        Ok(RuleCode::CM005) => "the decision on this addressable specification is not documented (45 CFR 164.306(d)(3))".into(),
        Ok(RuleCode::CM007) => "accountability is placed with a party the regulation does not allow".into(),
        Ok(RuleCode::CM008) => notice().unwrap_or_else(|| "the notice term does not meet the regulation's deadline".into()),
        Ok(RuleCode::CM009) => "evidence of it is not on file".into(),
        Ok(RuleCode::CM010) => "an evidence file named for it is missing".into(),
        Ok(RuleCode::CM011) => "an evidence file differs from the copy on record".into(),
        Ok(RuleCode::CM012) => "its evidence is older than the policy allows".into(),
        Ok(RuleCode::CM013) => "the waiver of an open point has expired".into(),
        Ok(RuleCode::CM014) => "an open point's waiver is incomplete".into(),
        Ok(RuleCode::CM015) => "a duty only the regulated entity can perform is assigned to another party".into(),
        Ok(RuleCode::CM016) => "no business associate agreement is on record for a party that handles electronic protected health information".into(),
        Ok(RuleCode::CM017) => "the profile names a regulator that does not cover the client".into(),
        Ok(RuleCode::CM018) => "the oversight of the service provider the regulation asks for is not shown".into(),
        Ok(RuleCode::CM020) => "no fingerprint of an evidence file is on record, so a change to it would go unnoticed".into(),
        Ok(code @ (RuleCode::CM006 | RuleCode::CM019)) => code.rule().name.replace('-', " "),
        // A policy pack's own rule.
        Err(_) => f.rule.replace('-', " "),
    }
}
