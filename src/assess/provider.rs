//! The client's oversight of its service provider, judged point by point on declared facts:
//! 23 NYCRR 500.11(a) and (b) (and the conditions of 500.4(a) when the provider is the CISO)
//! and 16 CFR 314.4(f). A point is addressed only by a declared fact that answers it — a clause
//! of the contract (`provider.clauses`), the provider's attestation (`provider.attestations`),
//! the client's assessment of the provider with its date (`provider.assessments`), or, for the
//! duties only the client can perform, the scope's own assignment of them to the client. A
//! point no declared fact answers is to review; a point the facts show unmet is a gap, and
//! every gap is a finding of `check` (CM018 here, or the rule that already reports it). The
//! provider summary renders these verdicts and decides nothing itself. Pure: no I/O.

use crate::model::date::parse_ymd;
use crate::model::{AssessmentKind, Party, Scope, Topic, Workspace};
use crate::resolve::{Matrix, Summary};
use serde::Serialize;

const NYDFS: &str = "nydfs-500";
const GLBA: &str = "glba-safeguards";

/// The longest an assessment of the provider may be old for 16 CFR 314.4(f)(3)'s "periodically"
/// (ctrlmap's reading: at least once a year, as the rule's other periodic duties).
pub const MAX_ASSESSMENT_AGE_DAYS: i64 = 365;

/// A point's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::Display)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Verdict {
    /// A declared fact answers the point.
    Addressed,
    /// No declared fact answers it, and none shows it unmet: a term to confirm.
    ToReview,
    /// The declared facts show it unmet: a finding of `check`.
    Gap,
}

/// A declared fact that answers a point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Answer {
    /// `provider.clauses[index]`.
    Clause { index: usize },
    /// `provider.attestations[index]`.
    Attestation { index: usize },
    /// `provider.assessments[index]`.
    Assessment { index: usize },
    /// The scope makes the client alone responsible for the control, with its duty in words.
    ClientDuty { control: String },
}

/// Why a point is to review or a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Missing {
    /// No contract with the provider is recorded (`provider.contract`).
    NoContract,
    /// No declared clause covers these topics.
    NoClause { topics: Vec<Topic> },
    /// No declared clause or attestation covers these topics.
    NoClauseOrAttestation { topics: Vec<Topic> },
    /// No assessment of this kind is declared (any kind when `kind` is none).
    NoAssessment { kind: Option<AssessmentKind> },
    /// No assessment dated within `max_days` before the as-of date; `last` is the latest one.
    NoRecentAssessment { last: Option<String>, max_days: i64 },
    /// The control has no owner (reported by CM001).
    Unassigned { control: String },
    /// Someone besides the client is responsible for a duty only the client can perform
    /// (reported by CM015).
    NotTheClients { control: String },
}

impl Missing {
    /// The finding code that reports this gap: CM018 unless another rule already does.
    pub fn reported_by(&self) -> super::RuleCode {
        match self {
            Missing::Unassigned { .. } => super::RuleCode::CM001,
            Missing::NotTheClients { .. } => super::RuleCode::CM015,
            Missing::NoContract
            | Missing::NoClause { .. }
            | Missing::NoClauseOrAttestation { .. }
            | Missing::NoAssessment { .. }
            | Missing::NoRecentAssessment { .. } => super::RuleCode::CM018,
        }
    }
}

/// One point of the provider oversight the regulation asks for, with the engine's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PointVerdict {
    /// `framework:id`, e.g. `glba-safeguards:314.4(f)(3)`.
    pub control: String,
    pub framework: String,
    pub id: String,
    pub verdict: Verdict,
    /// The declared facts that answer it.
    pub answers: Vec<Answer>,
    /// What is missing (for `to-review` and `gap`).
    pub missing: Vec<Missing>,
}

/// The provider oversight of one scope: every point, in the regulations' order.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProviderReview {
    /// The provider is the client's CISO (it is responsible for 23 NYCRR 500.4(a)): the
    /// conditions of 500.4(a)(1)–(3) are among the points.
    pub provider_is_ciso: bool,
    pub points: Vec<PointVerdict>,
}

impl ProviderReview {
    pub fn point(&self, control: &str) -> Option<&PointVerdict> {
        self.points.iter().find(|p| p.control == control)
    }
}

/// What a point asks for, and so which facts answer it.
#[derive(Clone, Copy)]
enum Asks {
    /// A clause or an attestation covering every topic.
    Covered(&'static [Topic]),
    /// A contract clause covering every topic (a contract term, not a statement of practice).
    Clause(&'static [Topic]),
    /// A clause, and no contract at all is a gap (16 CFR 314.4(f)(2): "by contract").
    ClauseByContract(&'static [Topic]),
    /// An assessment of this kind.
    Assessed(AssessmentKind),
    /// Due diligence, or the provider's attestation (16 CFR 314.4(f)(1): select capable providers).
    Selected,
    /// Any assessment within the maximum age, else a gap (16 CFR 314.4(f)(3)).
    AssessedWithin,
    /// A duty only the client performs, assigned to the client alone.
    ClientsOwn,
}

/// The points, in the regulations' order. 500.4(a)(1)–(3) are points only when the provider
/// is the CISO.
const POINTS: &[(&str, &str, Asks)] = &[
    (NYDFS, "500.4(a)(1)", Asks::ClientsOwn),
    (NYDFS, "500.4(a)(2)", Asks::ClientsOwn),
    (NYDFS, "500.4(a)(3)", Asks::Clause(&[Topic::CybersecurityProgram])),
    (NYDFS, "500.11(a)(1)", Asks::Assessed(AssessmentKind::RiskAssessment)),
    (NYDFS, "500.11(a)(2)", Asks::Clause(&[Topic::Safeguards])),
    (NYDFS, "500.11(a)(3)", Asks::Assessed(AssessmentKind::DueDiligence)),
    (NYDFS, "500.11(a)(4)", Asks::Assessed(AssessmentKind::Periodic)),
    (
        NYDFS,
        "500.11(b)(1)",
        Asks::Covered(&[Topic::AccessControls, Topic::Mfa]),
    ),
    (NYDFS, "500.11(b)(2)", Asks::Covered(&[Topic::Encryption])),
    (NYDFS, "500.11(b)(3)", Asks::Clause(&[Topic::EventNotice])),
    (NYDFS, "500.11(b)(4)", Asks::Clause(&[Topic::Warranties])),
    (GLBA, "314.4(f)(1)", Asks::Selected),
    (GLBA, "314.4(f)(2)", Asks::ClauseByContract(&[Topic::Safeguards])),
    (GLBA, "314.4(f)(3)", Asks::AssessedWithin),
];

/// The control whose owner tells whether the provider is the CISO.
const CISO: &str = "500.4(a)";

/// Judge every point that applies to the scope. None when neither NY DFS nor the FTC rule applies.
pub fn review(ws: &Workspace, scope: &Scope, matrix: &Matrix, as_of: time::Date) -> Option<ProviderReview> {
    let applies = |fw: &str| matrix.frameworks.iter().any(|f| f.id == fw);
    if !applies(NYDFS) && !applies(GLBA) {
        return None;
    }
    // The MSP is the client's service provider only if it performs something for it.
    if !matrix.rows.iter().any(|r| r.responsible.contains(&Party::Msp)) {
        return None;
    }
    let provider_is_ciso = applies(NYDFS)
        && matrix
            .row(&format!("{NYDFS}:{CISO}"))
            .is_some_and(|r| r.summary != Summary::NotApplicable && r.responsible.contains(&Party::Msp));
    let mut points = Vec::new();
    for &(fw, id, asks) in POINTS {
        if !applies(fw) || ws.framework(fw).and_then(|f| f.get(id)).is_none() {
            continue;
        }
        if id.starts_with("500.4(") && !provider_is_ciso {
            continue;
        }
        let control = format!("{fw}:{id}");
        // A point the matrix says does not apply (an exemption, a Class A-only duty) is no point.
        if matrix
            .row(&control)
            .is_some_and(|r| r.summary == Summary::NotApplicable)
        {
            continue;
        }
        let (answers, missing, gap) = judge(scope, matrix, &control, asks, as_of);
        let verdict = if gap {
            Verdict::Gap
        } else if missing.is_empty() {
            Verdict::Addressed
        } else {
            Verdict::ToReview
        };
        points.push(PointVerdict {
            control,
            framework: fw.to_string(),
            id: id.to_string(),
            verdict,
            answers,
            missing,
        });
    }
    Some(ProviderReview {
        provider_is_ciso,
        points,
    })
}

/// The facts that answer one point, what is missing, and whether that makes it a gap.
fn judge(
    scope: &Scope,
    matrix: &Matrix,
    control: &str,
    asks: Asks,
    as_of: time::Date,
) -> (Vec<Answer>, Vec<Missing>, bool) {
    let p = &scope.provider;
    let clauses_for = |topics: &[Topic]| -> (Vec<Answer>, Vec<Topic>) {
        let answers = p
            .clauses
            .iter()
            .enumerate()
            .filter(|(_, c)| c.covers.iter().any(|t| topics.contains(t)))
            .map(|(index, _)| Answer::Clause { index })
            .collect();
        let open = topics
            .iter()
            .copied()
            .filter(|t| !p.clauses.iter().any(|c| c.covers.contains(t)))
            .collect();
        (answers, open)
    };
    match asks {
        Asks::Covered(topics) => {
            let (mut answers, _) = clauses_for(topics);
            answers.extend(
                p.attestations
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.covers.iter().any(|t| topics.contains(t)))
                    .map(|(index, _)| Answer::Attestation { index }),
            );
            let open: Vec<Topic> = topics
                .iter()
                .copied()
                .filter(|t| {
                    !p.clauses.iter().any(|c| c.covers.contains(t))
                        && !p.attestations.iter().any(|a| a.covers.contains(t))
                })
                .collect();
            let missing = if open.is_empty() {
                Vec::new()
            } else {
                vec![Missing::NoClauseOrAttestation { topics: open }]
            };
            (answers, missing, false)
        }
        Asks::Clause(topics) | Asks::ClauseByContract(topics) => {
            let (answers, open) = clauses_for(topics);
            if open.is_empty() {
                return (answers, Vec::new(), false);
            }
            if p.contract.is_none() {
                let by_contract = matches!(asks, Asks::ClauseByContract(_));
                return (answers, vec![Missing::NoContract], by_contract);
            }
            (answers, vec![Missing::NoClause { topics: open }], false)
        }
        Asks::Assessed(kind) => {
            let answers: Vec<Answer> = p
                .assessments
                .iter()
                .enumerate()
                .filter(|(_, a)| a.kind == kind && parse_ymd(&a.date).is_some_and(|d| d <= as_of))
                .map(|(index, _)| Answer::Assessment { index })
                .collect();
            let missing = if answers.is_empty() {
                vec![Missing::NoAssessment { kind: Some(kind) }]
            } else {
                Vec::new()
            };
            (answers, missing, false)
        }
        Asks::Selected => {
            let mut answers: Vec<Answer> = p
                .assessments
                .iter()
                .enumerate()
                .filter(|(_, a)| {
                    a.kind == AssessmentKind::DueDiligence && parse_ymd(&a.date).is_some_and(|d| d <= as_of)
                })
                .map(|(index, _)| Answer::Assessment { index })
                .collect();
            answers.extend((0..p.attestations.len()).map(|index| Answer::Attestation { index }));
            let missing = if answers.is_empty() {
                vec![Missing::NoAssessment {
                    kind: Some(AssessmentKind::DueDiligence),
                }]
            } else {
                Vec::new()
            };
            (answers, missing, false)
        }
        Asks::AssessedWithin => {
            // The latest assessment on or before the as-of date, of any kind.
            let latest = p
                .assessments
                .iter()
                .enumerate()
                .filter_map(|(i, a)| parse_ymd(&a.date).filter(|d| *d <= as_of).map(|d| (d, i)))
                .max();
            match latest {
                Some((date, index)) if (as_of - date).whole_days() <= MAX_ASSESSMENT_AGE_DAYS => {
                    (vec![Answer::Assessment { index }], Vec::new(), false)
                }
                other => (
                    Vec::new(),
                    vec![Missing::NoRecentAssessment {
                        last: other.map(|(_, i)| p.assessments[i].date.clone()),
                        max_days: MAX_ASSESSMENT_AGE_DAYS,
                    }],
                    true,
                ),
            }
        }
        Asks::ClientsOwn => match matrix.row(control) {
            None => (
                Vec::new(),
                vec![Missing::Unassigned {
                    control: control.into(),
                }],
                true,
            ),
            Some(r) if r.summary == Summary::Unassigned => (
                Vec::new(),
                vec![Missing::Unassigned {
                    control: control.into(),
                }],
                true,
            ),
            Some(r) if r.responsible.iter().any(|p| *p != Party::Client) => (
                Vec::new(),
                vec![Missing::NotTheClients {
                    control: control.into(),
                }],
                true,
            ),
            Some(_) => (
                vec![Answer::ClientDuty {
                    control: control.into(),
                }],
                Vec::new(),
                false,
            ),
        },
    }
}

/// The CM018 findings of a review: each gap no other rule reports.
pub fn findings(
    ws: &Workspace,
    scope: &Scope,
    review: &ProviderReview,
    overrides: &super::Overrides,
    as_of: time::Date,
) -> Vec<super::Finding> {
    let mut out = Vec::new();
    for point in review.points.iter().filter(|p| p.verdict == Verdict::Gap) {
        for missing in point
            .missing
            .iter()
            .filter(|m| m.reported_by() == super::RuleCode::CM018)
        {
            let cite = ws
                .framework(&point.framework)
                .map(|f| {
                    format!(
                        "{} ({})",
                        f.cite(&point.id),
                        f.get(&point.id).map(|c| c.title.as_str()).unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| point.control.clone());
            let (message, at, discriminator) = match missing {
                Missing::NoContract => (
                    format!(
                        "{cite}: no contract with {} is recorded, so nothing requires it to implement and maintain safeguards. Record the contract (`provider.contract`) and the clause that requires them (`provider.clauses` with `covers: [safeguards]`).",
                        scope.provider.name
                    ),
                    scope.locate("/provider"),
                    "no-contract",
                ),
                Missing::NoRecentAssessment { last, max_days } => (
                    format!(
                        "{cite}: no assessment of {} is dated within the {max_days} days before {as_of}{}. Assess the provider on the risk it presents and the adequacy of its safeguards, and record it under `provider.assessments` with its date.",
                        scope.provider.name,
                        match last {
                            Some(d) => format!(" (the latest is of {d})"),
                            None => " (none is declared)".to_string(),
                        }
                    ),
                    if scope.provider.assessments.is_empty() {
                        scope.locate("/provider")
                    } else {
                        scope.locate("/provider/assessments")
                    },
                    "no-recent-assessment",
                ),
                _ => continue,
            };
            out.extend(super::finding(
                scope,
                None,
                &point.control,
                super::RuleCode::CM018,
                message,
                &at,
                discriminator,
                overrides,
            ));
        }
    }
    out
}
