//! The BAA appendix's terms as document sections: reporting of breaches and security incidents
//! (one term per event, each from one scope field; discovery, notice and agency; the content of
//! the notice; the notices of Subpart D with their deadlines quoted whole), term and termination
//! with what each service keeps and what happens to it (45 CFR 164.504(e)(2)(ii)(J)), and the
//! points still to be agreed. Part of `baa_document.rs`'s document; the same rules: declared
//! fields in words, or the regulation quoted; a fact not declared is a point to be agreed.

use super::baa::{Baa, Notification};
use super::baa_words::{Roles, TO_AGREE, quote, related};
use super::context::{Context, duration_words};
use super::model::{Block, Mark, Paragraph, RowKind, Section, TableBuilder, badge, para, strong, text};
use super::related_text;
use crate::assess::rules::NoticeVerdict;
use crate::model::{AtTermination, EngagedBy, Scope, Workspace};
use crate::resolve::Summary;

// --- 5. Reporting ------------------------------------------------------------------------------

pub(crate) fn reporting(baa: &Baa, r: &Roles) -> Section {
    let cp = baa.counterparty;
    let n: &Notification = &baa.notification;
    let si = &n.security_incidents;
    let mut s = Section::new("reporting", "Reporting of breaches and security incidents");
    s.push(Block::para(
        "Each event has one term; the regulation's outer limit is quoted under the table.",
    ));
    let mut columns = vec![("Event", 30), ("Term", 50)];
    if !cp {
        columns.push(("From the scope", 20));
    }
    let mut t = TableBuilder::new("terms", &columns);
    let from = |field: &str| vec![para(field)];
    // A breach: `sla.incident_notification`, judged by the engine against 164.410(b).
    let mut breach: Vec<Paragraph> = match (&n.window_text, n.status) {
        (Some(w), Some(NoticeVerdict::Exceeds)) => vec![
            vec![strong(format!("Proposed: no later than {w} after discovery."))],
            vec![badge(
                format!(
                    "Not agreed: it exceeds the outer limit of {} set by {}.",
                    n.limit_text.clone().unwrap_or_default(),
                    n.limit_citation.clone().unwrap_or_default()
                ),
                Mark::Bad,
            )],
        ],
        (Some(w), status) => {
            let mut v = vec![vec![strong(format!("No later than {w} after discovery."))]];
            if status == Some(NoticeVerdict::Within)
                && let (Some(limit), Some(cite)) = (&n.limit_text, &n.limit_citation)
            {
                v.push(para(format!("Within the outer limit of {limit} set by {cite}.")));
            }
            v
        }
        (None, _) => vec![vec![strong(TO_AGREE)]],
    };
    for o in &n.others_exceeded {
        breach.push(vec![badge(format!("Not met: {o}."), Mark::Bad)]);
    }
    let mut row = vec![vec![para("Breach of unsecured protected health information")], breach];
    if !cp {
        row.push(from("sla.incident_notification"));
    }
    t.row(RowKind::Normal, row);
    // A security incident that is not a breach: `sla.security_incident_report`.
    let incident_term = si
        .window_text
        .as_ref()
        .map(|w| format!("No later than {w} after the {} becomes aware of it.", r.ba_l));
    let mut row = vec![
        vec![para("Security incident that is not a breach")],
        vec![vec![strong(incident_term.clone().unwrap_or_else(|| TO_AGREE.into()))]],
    ];
    if !cp {
        row.push(from("sla.security_incident_report"));
    }
    t.row(RowKind::Normal, row);
    // An attempt that does not succeed: `sla.unsuccessful_attempts`.
    let attempts = match si.unsuccessful_attempts.as_deref() {
        Some("standing-notice") => vec![vec![strong(format!(
            "Not reported one by one: this appendix is the {}'s notice of them.",
            r.ba_l
        ))]],
        Some("report") => vec![vec![strong(format!(
            "Reported as a security incident that is not a breach: {}",
            incident_term
                .as_deref()
                .map(|t| t.to_lowercase())
                .unwrap_or_else(|| "that term is to be agreed.".into())
        ))]],
        _ => vec![vec![strong(TO_AGREE)]],
    };
    let mut row = vec![
        vec![para("Attempted security incident that does not succeed")],
        attempts,
    ];
    if !cp {
        row.push(from("sla.unsuccessful_attempts"));
    }
    t.row(RowKind::Normal, row);
    s.push(t.build());
    if let Some(d) = &si.definition {
        s.push(Block::para(format!(
            "Under the definition of 45 CFR 164.304, quoted below, an attempt is a security incident whether or not it succeeds: one that succeeds is reported under the first or the second row, as it is or is not a breach; one that does not succeed, under the third. The {} reports security incidents as 45 CFR 164.314(a)(2)(i)(C), quoted in section 2, requires.",
            r.ba_l
        )));
        s.push(quote(d, cp, true));
    }
    if let (Some(q), Some(cite)) = (&n.limit_quote, &n.limit_citation) {
        s.push(Block::quote(q.clone(), cite.clone(), None));
    }
    if let Some("standing-notice") = si.unsuccessful_attempts.as_deref() {
        s.push(Block::para(format!(
            "Unsuccessful attempts are attempts that result in no unauthorized access, use, disclosure, modification or destruction of information and no interference with system operations in an information system, such as pings, port scans and failed log-on attempts. This appendix is the {}'s notice of them, given once; an attempt that succeeds is reported under the first or the second row.",
            r.ba_l
        )));
    }

    let mut notice = Section::new("notice", "Discovery, notice and agency");
    if let Some(q) = &n.discovery {
        notice.push(quote(q, cp, true));
    }
    notice.push(Block::para(match (&n.notice_to, &n.notice_channel) {
        (Some(to), Some(channel)) => format!("Notices under this appendix are given to {to}, by {channel}."),
        _ => format!(
            "To whom at the {} and by what channel notices are given: to be agreed.",
            r.ce_l
        ),
    }));
    match (n.agent, &n.agency) {
        (Some(true), agency) => {
            notice.push(Block::para(format!(
                "The {ba} acts as the {ce}'s agent: a breach the {ba} discovers is treated as discovered by the {ce}, whose own deadlines in section 5.3 then run from that day.",
                ba = r.ba_l,
                ce = r.ce_l
            )));
            if let Some(q) = agency {
                notice.push(quote(q, cp, true));
            }
        }
        (Some(false), _) => {
            notice.push(Block::para(format!(
                "The {} does not act as the {}'s agent (45 CFR 164.404(a)(2)).",
                r.ba_l, r.ce_l
            )));
        }
        (None, _) => {
            notice.push(Block::para(format!(
                "Whether the {} acts as the {}'s agent (45 CFR 164.404(a)(2)): to be agreed.",
                r.ba_l, r.ce_l
            )));
        }
    }
    if let Some(who) = &n.incident_response {
        notice.push(Block::para(format!(
            "Security incident response and reporting (45 CFR 164.308(a)(6)(ii)): {who}."
        )));
    }

    let mut content = Section::new("content", "Content of the notice");
    content.push(Block::para(
        "The notice of a breach includes what 45 CFR 164.410(c) requires:",
    ));
    for q in &n.content {
        content.push(quote(q, cp, true));
    }

    let mut notices = Section::new("notices", "Notices under 45 CFR Part 164, Subpart D");
    notices.push(Block::para(
        "Every notice the Breach Notification Rule times, with its deadline in the regulation's words, who gives it under this agreement, and whether it applies to this engagement.",
    ));
    let mut t = TableBuilder::new(
        "notices",
        &[
            ("Notice", 22),
            ("Given by", 14),
            ("Deadline, in the regulation's words", 44),
            ("Applies", 20),
        ],
    );
    for term in &n.notices {
        let mut notice_cell = vec![vec![strong(&term.citation)], para(&term.title)];
        if let Some(who) = &term.notify {
            notice_cell.push(para(format!("Notify {who}.")));
        }
        let mut deadline = vec![para(format!("“{}”", term.quote))];
        if let Some(x) = &term.threshold {
            deadline.push(para(format!("Only for a breach involving {x}.")));
        }
        if let Some(x) = &term.delayed_by {
            deadline.push(para(format!("May be delayed under {x}.")));
        }
        let applies = if term.applies {
            let mut v = vec![vec![badge("Yes", Mark::Good)]];
            v.extend(term.window_words.as_ref().map(para));
            v
        } else {
            vec![
                vec![badge("No", Mark::Neutral)],
                para(term.reason.clone().unwrap_or_default()),
            ]
        };
        t.row(
            RowKind::Normal,
            vec![notice_cell, vec![para(&term.responsible)], deadline, applies],
        );
    }
    notices.push(t.build());
    s.subsections = vec![notice, content, notices];
    s
}

// --- 7. Term, termination, return or destruction ---------------------------------------------

pub(crate) fn termination(ws: &Workspace, scope: &Scope, cp: bool, r: &Roles) -> Section {
    let mut s = Section::new("termination", "Term, termination and return or destruction");
    let p = &scope.provider;
    let start = match (&p.effective, &p.baa_signed) {
        (Some(e), _) => format!("The services start on {e}"),
        (None, Some(d)) => format!("The business associate agreement was signed on {d}"),
        (None, None) => "The start of the services is to be agreed".into(),
    };
    s.push(Block::para(format!(
        "{start}; this appendix belongs to the agreement named at its head. What each service keeps of the {}'s protected health information, and what happens to it at termination, as declared:",
        r.ce_l
    )));
    s.push(related(&related_text::RETURN_OR_DESTRUCTION, cp));
    let mut t = TableBuilder::new(
        "retention",
        &[
            ("Service", 18),
            ("What it keeps", 24),
            ("For how long", 16),
            ("Where, held by", 20),
            ("At termination", 22),
        ],
    );
    for sub in scope.services.iter().flatten() {
        let Some(service) = ws.services.get(&sub.service) else {
            continue;
        };
        let name = vec![vec![strong(&service.name)]];
        match &sub.retains {
            None if service.ephi == Some(false) => t.spanning_row(
                RowKind::Normal,
                vec![
                    (name, 1),
                    (vec![para("Handles no electronic protected health information.")], 4),
                ],
            ),
            None => t.spanning_row(
                RowKind::Normal,
                vec![(name, 1), (vec![vec![strong("Not declared: to be agreed.")]], 4)],
            ),
            Some(list) if list.is_empty() => t.spanning_row(
                RowKind::Normal,
                vec![(name, 1), (vec![para("Keeps no protected health information.")], 4)],
            ),
            Some(list) => {
                for item in list {
                    let holder = item.held_by.as_deref().map(|h| match h {
                        "msp" => format!("the {}", r.ba_l),
                        "client" => format!("the {}", r.ce_l),
                        id => {
                            let party = scope.parties().find(|x| x.id == id);
                            let sub = party.is_some_and(|x| x.engaged_by == Some(EngagedBy::Msp));
                            let name = super::context::party_name(scope, id);
                            if sub {
                                format!("{name}, subcontractor of the {}", r.ba_l)
                            } else {
                                name
                            }
                        }
                    });
                    let mut where_ = Vec::new();
                    where_.extend(item.location.as_ref().map(para));
                    where_.extend(holder.map(|h| para(format!("Held by {h}."))));
                    let at_end = match item.at_termination {
                        None => vec![vec![strong(TO_AGREE)]],
                        Some(a) => {
                            let mut v = vec![para(format!(
                                "{}{}",
                                termination_words(a, &r.ce_l),
                                item.within
                                    .as_deref()
                                    .map(|w| format!(" Within {} of termination.", duration_words(w)))
                                    .unwrap_or_default()
                            ))];
                            v.extend(item.note.as_ref().map(para));
                            v
                        }
                    };
                    t.row(
                        RowKind::Normal,
                        vec![
                            name.clone(),
                            vec![para(&item.data)],
                            vec![para(item.period.clone().unwrap_or_else(|| TO_AGREE.into()))],
                            where_,
                            at_end,
                        ],
                    );
                }
            }
        }
    }
    if t.is_empty() {
        t.spanning_row(RowKind::Normal, vec![(vec![para("No services subscribed.")], 5)]);
    }
    s.push(t.build());
    s
}

/// What happens to retained information at termination, in words (`to`: who gets it back).
pub(crate) fn termination_words(a: AtTermination, to: &str) -> String {
    match a {
        AtTermination::Return => format!("Returned to the {to}; no copy kept."),
        AtTermination::Destroy => "Destroyed; no copy kept.".into(),
        AtTermination::ReturnThenDestroy => format!("Returned to the {to}, then destroyed; no copy kept."),
        AtTermination::KeepProtected => "Return or destruction is not feasible: kept under the protections of the agreement, and used or disclosed only for the purposes that make return or destruction infeasible.".into(),
    }
}

// --- 8. Points to be agreed --------------------------------------------------------------------

pub(crate) fn open_points(ws: &Workspace, scope: &Scope, ctx: &Context, baa: &Baa, r: &Roles) -> Section {
    let mut s = Section::new("open-points", "Points to be agreed");
    let mut items: Vec<Paragraph> = Vec::new();
    let mut cited: Vec<String> = Vec::new();
    for f in &baa.open_findings {
        let mut p = vec![strong(format!(
            "{}{}:",
            f.citation,
            f.title.as_deref().map(|t| format!(" ({t})")).unwrap_or_default()
        ))];
        p.push(text(format!(" {}", super::baa::sentence(&f.what))));
        if let Some(code) = &f.code {
            p.push(text(format!(" ({code})")));
        }
        cited.push(f.citation.clone());
        items.push(p);
    }
    for row in baa.sections.iter().flat_map(|x| &x.rows) {
        if row.owner.is_none_or(|o| o == Summary::Unassigned) && !cited.contains(&row.citation) {
            items.push(vec![
                strong(format!("{} ({}):", row.citation, row.title)),
                text(" no responsible party is agreed."),
            ]);
        }
    }
    let p = &scope.provider;
    let n = &baa.notification;
    let mut fact = |what: String| items.push(para(what));
    if p.baa_signed.is_none() {
        fact("The date of the Business Associate Agreement this appendix belongs to.".into());
    }
    if n.window.is_none() {
        fact("The term for notice of a breach of unsecured protected health information.".into());
    }
    if n.security_incidents.window.is_none() {
        fact("The term for reporting a security incident that is not a breach (45 CFR 164.314(a)(2)(i)(C)).".into());
    }
    if n.security_incidents.unsuccessful_attempts.is_none() {
        fact("How attempted security incidents that do not succeed are reported.".into());
    }
    if scope.sla.notice.is_none() {
        fact(format!(
            "To whom at the {} and by what channel notices are given.",
            r.ce_l
        ));
    }
    if p.agent.is_none() {
        fact(format!(
            "Whether the {} acts as the {}'s agent (45 CFR 164.404(a)(2)).",
            r.ba_l, r.ce_l
        ));
    }
    for sub in scope.services.iter().flatten() {
        let Some(service) = ws.services.get(&sub.service) else {
            continue;
        };
        if sub.retains.is_none() && service.ephi != Some(false) {
            fact(format!(
                "{}: what it keeps of the {}'s protected health information, for how long and where, and what happens to it at termination (45 CFR 164.504(e)(2)(ii)(J)).",
                service.name, r.ce_l
            ));
        } else if let Some(list) = &sub.retains {
            for item in list.iter().filter(|i| i.at_termination.is_none() || i.period.is_none()) {
                fact(format!(
                    "{}, {}: {}.",
                    service.name,
                    item.data,
                    match (item.period.is_none(), item.at_termination.is_none()) {
                        (true, true) => "for how long it is kept, and what happens to it at termination",
                        (true, false) => "for how long it is kept",
                        _ => "what happens to it at termination",
                    }
                ));
            }
        }
    }
    for party in &baa.undeclared_parties {
        fact(format!(
            "Which party engaged {}, and so whether it is a subcontractor of the {}.",
            party.name, r.ba_l
        ));
    }
    let _ = ctx;
    if items.is_empty() {
        s.push(Block::para("None: every term of this appendix is agreed."));
    } else {
        s.push(Block::para(if baa.counterparty {
            "The parties agree these points before signing."
        } else {
            "The parties agree these points before the appendix is signed; each is listed in the counterparty's copy in the same words, without codes."
        }));
        s.push(Block::List { items });
    }
    s
}
