//! A catalog file as written (`catalogs/*.yaml`, built in or the workspace's): the catalog's
//! metadata and who it applies to, its controls with their roles, requirement, retained
//! accountability, own duties, deadlines (clocks, thresholds, durations), exemptions and
//! conditions. The indexed form the engine looks controls up in is [`super::catalog`].

use super::{Origin, lenient};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EffectiveDate {
    pub date: String,
    pub what: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SourceRef {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    /// When the copy was retrieved (YYYY-MM-DD).
    #[serde(default)]
    pub retrieved: Option<String>,
    /// The official publication (eCFR, Federal Register, NIST, DFS), not a secondary copy.
    #[serde(default)]
    pub official: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A kind of institution a rule covers or not (16 CFR 314.1(b)).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct InstitutionType {
    pub id: String,
    pub covered: bool,
    pub citation: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Which clients a catalog applies to when a scope does not list its frameworks: every
/// client (the baseline, which is also the hub the crosswalks map onto), or those whose
/// profile declares what the rule's own scope provision names.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AppliesTo {
    /// Where the framework is listed among a scope's frameworks (smaller first).
    #[serde(default)]
    pub order: Option<u32>,
    /// Set on the baseline, with why: it applies to every client, and crosswalks map the
    /// regulations onto it.
    #[serde(default)]
    pub baseline: Option<String>,
    /// A yes/no profile fact that, when declared, decides alone (`glba`).
    #[serde(default)]
    pub flag: Option<String>,
    /// Applies when one of these holds for the profile, for the reason given.
    #[serde(default)]
    pub profile: Vec<ProfileRule>,
    /// Applies when the profile's `institution_type` is one the catalog's
    /// `institution_types` lists as covered; the text says what such an institution is.
    #[serde(default)]
    pub institution_types: Option<String>,
    /// Does not apply when one of these holds, although `profile` or `institution_types` would
    /// make it apply (another regulator's jurisdiction), for the reason given. A declared `flag`
    /// still decides alone.
    #[serde(default)]
    pub except: Vec<ProfileRule>,
    /// Whom the catalog binds, in words, with the provision that says so: the reason given when
    /// nothing the profile declares makes it apply.
    #[serde(default)]
    pub binds: Option<String>,
}

/// A profile condition under which a catalog applies, and the provision that says so.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProfileRule {
    pub when: Condition,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Catalog {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    pub citation: String,
    pub authority: String,
    pub version: String,
    #[serde(default)]
    pub effective: Vec<EffectiveDate>,
    pub source_url: String,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub institution_types: Vec<InstitutionType>,
    /// Which clients the catalog applies to, from what their profile declares.
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    #[serde(default, deserialize_with = "lenient")]
    pub exemptions: Vec<Option<Exemption>>,
    #[serde(default, deserialize_with = "lenient")]
    pub controls: Vec<Option<Control>>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Role {
    #[default]
    Requirement,
    Reference,
    Heading,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Requirement {
    Required,
    Addressable,
}

/// What of a duty the regulated entity itself must keep (the catalog's `retained`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Retained {
    /// Only the regulated entity itself can perform the duty.
    #[serde(default)]
    pub responsible: bool,
    /// With `responsible`: the regulated entity must itself take part (e.g. its highest-ranking
    /// executive's signature), and others may take part with it (e.g. a CISO employed by a
    /// third-party service provider). A finding only when the entity is not among those
    /// responsible.
    #[serde(default)]
    pub joint: bool,
    /// A provider may perform it, but the regulated entity stays accountable.
    #[serde(default)]
    pub accountable: bool,
    /// For a control with parts: what of `responsible` reaches them. `retained`: the text keeps
    /// every part with the entity too (a board's own oversight acts); `delegable`: the parts are
    /// tasks others may perform (the entity stays accountable for them when `accountable`).
    /// Unset, the mark stays on the control itself. Accountability always reaches the parts.
    #[serde(default)]
    pub parts: Option<RetainedParts>,
    pub citation: String,
    pub note: String,
}

/// Whether a `retained: {responsible: true}` mark on a control with parts reaches the parts.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RetainedParts {
    /// Every part is a duty only the entity can perform too.
    Retained,
    /// The parts are tasks others may perform; only the control itself is kept.
    Delegable,
}

/// Is a parent with its own text a row of its own or a roll-up of its parts?
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum OwnDutyDecision {
    Row,
    Rollup,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OwnDuty {
    pub decision: OwnDutyDecision,
    /// For `row`: a row of its own only when this holds (otherwise a roll-up).
    #[serde(default)]
    pub when: Option<Condition>,
    pub reason: String,
}

/// Whose clock a deadline runs on, and so whether the MSP's notice window counts against it.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Clock {
    /// Starts when the regulated entity discovers or determines the event: the MSP's window
    /// plus the client's margin must fit.
    EntityDiscovery,
    /// Starts with the regulated entity's own act: the MSP's window is not measured.
    EntityAct,
    /// The MSP's own deadline (business associate, subcontractor): its window must fit, no margin.
    MspDiscovery,
    /// The covered entity's discovery, which is the MSP's only when the MSP is its agent.
    AgentDiscovery,
    /// A date-based duty: not measured.
    Calendar,
}

/// How many people an event must involve for a deadline to apply.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Threshold {
    pub fact: String,
    #[serde(default)]
    pub gte: Option<u64>,
    #[serde(default)]
    pub gt: Option<u64>,
    #[serde(default)]
    pub lt: Option<u64>,
    #[serde(default)]
    pub lte: Option<u64>,
    pub text: String,
}

impl Threshold {
    /// Can an event at a client whose largest possible event involves `most` people meet the
    /// threshold? Unknown (`None`) is always reachable: an undeclared count removes nothing.
    pub fn reachable(&self, most: Option<u64>) -> bool {
        let Some(most) = most else { return true };
        if let Some(n) = self.gte {
            return most >= n;
        }
        if let Some(n) = self.gt {
            return most > n;
        }
        if self.lt.is_some() || self.lte.is_some() {
            // "fewer than 500": any event involving at least one person.
            return most >= 1;
        }
        true
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Example {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Deadline {
    pub id: String,
    pub event: String,
    #[serde(default)]
    pub within: Option<String>,
    #[serde(default)]
    pub annually_by: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub notify: Option<String>,
    #[serde(default)]
    pub clock: Option<Clock>,
    #[serde(default)]
    pub threshold: Option<Threshold>,
    #[serde(default)]
    pub contemporaneous_with: Option<String>,
    #[serde(default)]
    pub may_be_delayed_by: Option<String>,
    /// The paragraph under which a breach known to the regulated entity's agent counts as
    /// discovered by the entity (45 CFR 164.404(a)(2), 164.410(a)(2)): when the scope declares the
    /// MSP the client's agent (`provider.agent: true`), the client's clock starts at the MSP's
    /// discovery.
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub when: Option<Condition>,
    pub text: String,
}

impl Deadline {
    /// The key of the deadline's time limit in a catalog (`within: 72h`), which the OSCAL
    /// export also uses as the name of its property.
    pub const WITHIN_KEY: &'static str = "within";
}

impl Deadline {
    /// The outer limit in hours, when the deadline is a duration.
    pub fn within_hours(&self) -> Option<u64> {
        parse_duration_hours(self.within.as_deref()?)
    }
}

/// The longest duration ctrlmap accepts anywhere (an SLA window, a pack's margin, a
/// catalog deadline): ten years, in hours. Anything longer means a typo, and bounding it keeps
/// every sum of durations far from overflowing.
pub const MAX_DURATION_HOURS: u64 = 10 * 366 * 24;

/// `72h` → 72, `60d` → 1440. A window in business days is measured by its longest calendar
/// case, which starts on a Friday: each run of up to five business days spans a weekend, so
/// `N` business days take `N + 2 × ⌈N / 5⌉` calendar days (`1bd` and `next-business-day`: a
/// Friday's notice lands on Monday, 72 hours; `5bd`: the next Friday, 7 days). Holidays are not
/// modelled. `None` when the text is not a duration or is longer than [`MAX_DURATION_HOURS`]
/// (checked arithmetic: `768614336404564651d` is refused, not wrapped to a few hours).
pub fn parse_duration_hours(text: &str) -> Option<u64> {
    let number = |n: &str| -> Option<u64> {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n.parse::<u64>().ok()
    };
    let hours = if text == "next-business-day" {
        Some(72)
    } else if let Some(n) = text.strip_suffix("bd") {
        number(n).and_then(|d| d.checked_add(d.div_ceil(5).checked_mul(2)?)?.checked_mul(24))
    } else if let Some(n) = text.strip_suffix('h') {
        number(n)
    } else if let Some(n) = text.strip_suffix('d') {
        number(n).and_then(|d| d.checked_mul(24))
    } else {
        None
    };
    hours.filter(|h| *h <= MAX_DURATION_HOURS)
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub level: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub text_note: Option<String>,
    #[serde(default)]
    pub text_source: Option<String>,
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub requirement: Option<Requirement>,
    #[serde(default)]
    pub deadlines: Vec<Deadline>,
    #[serde(default)]
    pub applies_when: Option<Condition>,
    #[serde(default)]
    pub applies_note: Option<String>,
    #[serde(default)]
    pub effective_from: Option<String>,
    #[serde(default)]
    pub retained: Option<Retained>,
    #[serde(default)]
    pub own_duty: Option<OwnDuty>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Exemption {
    pub id: String,
    pub citation: String,
    pub title: String,
    pub when: Condition,
    #[serde(default)]
    pub exempts: Option<Vec<String>>,
    #[serde(default)]
    pub still_applies: Option<Vec<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A condition over the client profile (see the catalog schema for the facts).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Condition {
    All { all: Vec<Condition> },
    Any { any: Vec<Condition> },
    Not { not: Box<Condition> },
    Fact(FactTest),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FactTest {
    pub fact: String,
    #[serde(default)]
    pub eq: Option<serde_json::Value>,
    #[serde(default)]
    pub ne: Option<serde_json::Value>,
    #[serde(default)]
    pub lt: Option<f64>,
    #[serde(default)]
    pub lte: Option<f64>,
    #[serde(default)]
    pub gt: Option<f64>,
    #[serde(default)]
    pub gte: Option<f64>,
    #[serde(default)]
    pub each_lt: Option<f64>,
    #[serde(default)]
    pub contains: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::parse_duration_hours;

    #[test]
    fn business_days_count_their_longest_calendar_case_from_a_friday() {
        // Counted on a calendar from a Friday discovery: one business day is Monday (3 days),
        // two Tuesday (4), five the next Friday (7), six the Monday after (10), ten the Friday
        // after that (14). Holidays are not modelled.
        for (text, days) in [
            ("1bd", 3),
            ("next-business-day", 3),
            ("2bd", 4),
            ("5bd", 7),
            ("6bd", 10),
            ("10bd", 14),
        ] {
            assert_eq!(parse_duration_hours(text), Some(days * 24), "{text}");
        }
        assert_eq!(parse_duration_hours("0bd"), Some(0));
        assert_eq!(parse_duration_hours("72h"), Some(72));
        assert_eq!(parse_duration_hours("3d"), Some(72));
        assert_eq!(
            parse_duration_hours("768614336404564651bd"),
            None,
            "checked, not wrapped"
        );
    }
}
