//! Whether the catalog itself lifts a control for this client: an `applies_when` false on the
//! declared facts (its own or an ancestor's), deadlines whose thresholds the declared counts
//! cannot reach (N/A by threshold), or an exemption that holds; and why a control whose
//! condition could not be decided still applies. Uses `model` and `resolve::applicability`.

use super::applicability::{Facts, evaluate, undeclared};
use crate::model::catalog::Framework;
use crate::model::*;

/// The catalog's own reason why a control does not apply to this client, if any: its own
/// or an ancestor's `applies_when` is false on the declared facts, every deadline it exists
/// for has a threshold the client's declared counts cannot reach, or an exemption that holds
/// for the client (`granted`, evaluated once per scope) lifts it.
pub(super) fn catalog_not_applicable(
    fw: &Framework,
    i: usize,
    facts: Facts,
    granted: &[usize],
) -> Option<(String, Origin)> {
    let chain = std::iter::once(i).chain(fw.ancestors(i).iter().copied());
    for c in chain {
        let control = &fw.controls[c];
        // Named only when it is the reason: most controls apply, and every row asks.
        let here = || {
            if c == i {
                fw.cite(&control.id)
            } else {
                format!("{} (which contains it)", fw.cite(&control.id))
            }
        };
        if let Some(cond) = &control.applies_when
            && evaluate(cond, facts) == Some(false)
        {
            let here = here();
            let why = match &control.applies_note {
                Some(note) => format!("{here} does not apply to this client: {note}"),
                None => {
                    format!("{here} applies only under a condition the client profile does not meet (see the catalog)")
                }
            };
            return Some((why, control.origin.clone()));
        }
        if let Some(why) = out_of_reach(fw, c, facts.profile) {
            return Some((format!("{} {why}", here()), control.origin.clone()));
        }
    }
    for &e in granted {
        if fw.lifted_by(e, i)
            && let Some(Some(ex)) = fw.catalog.exemptions.get(e)
        {
            return Some((
                format!("exempt under {}: {}", fw.cite(&ex.citation), ex.title),
                fw.catalog.origin.clone(),
            ));
        }
    }
    None
}

/// The largest count of people an event at the client could involve, as declared.
fn declared_count(profile: &Profile, fact: &str) -> Option<u64> {
    match fact {
        "consumers" => profile.consumers,
        "individuals" => profile.individuals,
        _ => None,
    }
}

/// When every deadline a control exists for needs an event larger than the client's
/// declared counts allow, the duty cannot arise: say why.
fn out_of_reach(fw: &Framework, c: usize, profile: &Profile) -> Option<String> {
    let deadlines = &fw.controls[c].deadlines;
    let thresholds: Vec<&crate::model::Threshold> = deadlines.iter().filter_map(|d| d.threshold.as_ref()).collect();
    if thresholds.is_empty() || thresholds.len() != deadlines.len() {
        return None;
    }
    if thresholds.iter().any(|t| t.reachable(declared_count(profile, &t.fact))) {
        return None;
    }
    let t = thresholds[0];
    let most = declared_count(profile, &t.fact).unwrap_or_default();
    Some(format!(
        "applies only to events involving {}; the scope declares that an event could involve at most {most} {} (`client.profile.{}`)",
        t.text, t.fact, t.fact
    ))
}

/// Why a conditional control applies although its condition could not be decided: the
/// facts it depends on are not declared. `None` when nothing was left undecided.
pub(super) fn applies_because(fw: &Framework, i: usize, facts: Facts) -> Option<String> {
    let mut notes = Vec::new();
    for c in std::iter::once(i).chain(fw.ancestors(i).iter().copied()) {
        let control = &fw.controls[c];
        if let Some(cond) = &control.applies_when
            && evaluate(cond, facts).is_none()
        {
            let mut missing = Vec::new();
            undeclared(cond, facts, &mut missing);
            let facts_named: Vec<String> = missing.iter().map(|f| format!("`client.profile.{f}`")).collect();
            let rule = control
                .applies_note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            notes.push(format!(
                "{} is conditional{rule}, and the scope does not declare {}; it applies until the profile says otherwise",
                fw.cite(&control.id),
                facts_named.join(" or ")
            ));
        }
        let thresholds: Vec<&crate::model::Threshold> =
            control.deadlines.iter().filter_map(|d| d.threshold.as_ref()).collect();
        if !thresholds.is_empty()
            && thresholds.len() == control.deadlines.len()
            && let Some(t) = thresholds
                .iter()
                .find(|t| declared_count(facts.profile, &t.fact).is_none())
        {
            notes.push(format!(
                "{} applies only to events involving {}, and the scope does not declare `client.profile.{}`; it applies until the profile says how many an event could involve",
                fw.cite(&control.id),
                t.text,
                t.fact
            ));
        }
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}
