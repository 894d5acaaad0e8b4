//! Rules the catalogs' own data calls for, whatever packs are enabled: a duty only the
//! regulated entity can perform made someone else's (CM015), ePHI handled without a business
//! associate agreement (CM016), a rule applied to an institution its regulator does not cover
//! (CM017). Uses the model, the resolved matrix and `assess`'s finding constructor.

use super::short;
use crate::assess::{Finding, Overrides, RuleCode, make, origin_of};
use crate::model::Workspace;
use crate::model::{Origin, Party, Scope};
use crate::resolve::{Matrix, Summary};

/// Findings the catalogs' own data calls for, whatever packs are enabled: a duty only the
/// regulated entity can perform made someone else's (CM015), ePHI handled without a
/// business associate agreement (CM016), a rule applied to an institution its regulator does
/// not cover (CM017).
pub fn catalog_findings(ws: &Workspace, scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    let mut out = responsibility_retained(ws, scope, matrix, overrides);
    out.extend(business_associate_agreements(ws, scope, matrix, overrides));
    out.extend(regulator_mismatch(ws, scope, overrides));
    out
}

fn finding_of(
    scope: &Scope,
    control: &str,
    code: RuleCode,
    message: String,
    at: &Origin,
    disc: &str,
    overrides: &Overrides,
) -> Option<Finding> {
    let rule = code.rule();
    make(
        scope,
        control,
        code.as_str(),
        rule.name,
        rule.severity,
        message,
        at,
        disc,
        overrides,
    )
}

fn party_label(scope: &Scope, id: &str) -> String {
    match id {
        "msp" => format!("the MSP ({})", scope.provider.name),
        "client" => format!("the client ({})", scope.client.name),
        other => scope
            .parties()
            .find(|p| p.id == other)
            .map(|p| format!("third party `{other}` ({})", p.name))
            .unwrap_or_else(|| format!("`{other}`")),
    }
}

/// CM015: a duty the catalog keeps with the regulated entity (`retained.responsible`) with
/// anyone else responsible for it, however that came about (assignment, a parent's
/// assignment, a service claim, a crosswalk).
fn responsibility_retained(ws: &Workspace, scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in matrix
        .rows
        .iter()
        .filter(|r| r.assignable && !matches!(r.summary, Summary::NotApplicable | Summary::Unassigned))
    {
        let Some(fw) = ws.framework(&row.framework) else {
            continue;
        };
        let Some(i) = fw.index(&row.id) else { continue };
        let Some((kept_at, kept)) = fw.retained_responsible(i) else {
            continue;
        };
        let others: Vec<String> = row
            .responsible
            .iter()
            .filter(|p| **p != Party::Client)
            .map(|p| party_label(scope, p.as_str()))
            .collect();
        // A joint duty (the entity's own signature, with a CISO who may be a provider's) needs
        // the entity among those responsible; others may take part with it.
        let client_takes_part = row.responsible.contains(&Party::Client);
        if others.is_empty() || (kept.joint && client_takes_part) {
            continue;
        }
        let deciding = row.provenance.first();
        let at = deciding
            .map(|p| origin_of(&p.file, p.line))
            .unwrap_or_else(|| scope.origin.clone());
        let how = deciding
            .map(|p| format!(" (decided by {})", p.detail))
            .unwrap_or_default();
        let whose = if kept_at == i {
            String::new()
        } else {
            format!(
                ", which {} keeps with the regulated entity",
                fw.cite(&fw.controls[kept_at].id)
            )
        };
        let message = if kept.joint {
            format!(
                "{} ({}) makes {} responsible{how} without {}, but {} itself must take part in this duty{whose}: {} ({}). Make the client responsible (`responsible: [client, …]`) with the client's duty in words; others may take part with it.",
                row.control,
                short(&row.title),
                others.join(" and "),
                scope.client.name,
                scope.client.name,
                kept.note.trim_end_matches('.'),
                kept.citation
            )
        } else {
            format!(
                "{} ({}) makes {} responsible{how}, but only {} itself can perform this duty{whose}: {} ({}). Assign it to the client (`responsible: client`) with the client's duty in words; the MSP may be consulted.",
                row.control,
                short(&row.title),
                others.join(" and "),
                scope.client.name,
                kept.note.trim_end_matches('.'),
                kept.citation
            )
        };
        out.extend(finding_of(
            scope,
            &row.control,
            RuleCode::CM015,
            message,
            &at,
            "",
            overrides,
        ));
    }
    out
}

/// CM016: HIPAA lets a covered entity (or a business associate) hand ePHI to a business
/// associate (or a subcontractor) only under a business associate agreement.
fn business_associate_agreements(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if !matrix.frameworks.iter().any(|f| f.id == "hipaa") {
        return out;
    }
    let Some(hipaa) = ws.framework("hipaa") else { return out };
    let business_associate = scope.client.profile.hipaa.as_deref() == Some("business-associate");
    let (control, role, rule_words) = if business_associate {
        (
            "hipaa:164.308(b)(2)",
            "a business associate, and the MSP is its subcontractor",
            format!(
                "{} and {} permit a business associate to let a subcontractor create, receive, maintain or transmit ePHI on its behalf only with satisfactory assurances documented in a business associate agreement ({})",
                hipaa.cite("164.308(b)(2)"),
                hipaa.cite("164.502(e)(1)(ii)"),
                hipaa.cite("164.314(a)")
            ),
        )
    } else {
        (
            "hipaa:164.308(b)(1)",
            "a HIPAA covered entity",
            format!(
                "{} and {} permit a covered entity to let a business associate create, receive, maintain or transmit ePHI on its behalf only with satisfactory assurances documented in a business associate agreement ({})",
                hipaa.cite("164.308(b)(1)"),
                hipaa.cite("164.502(e)(1)(i)"),
                hipaa.cite("164.314(a)")
            ),
        )
    };
    if scope.provider.baa_signed.is_none() {
        let handling: Vec<String> = scope
            .services
            .iter()
            .flatten()
            .filter_map(|sub| ws.services.get(&sub.service))
            .filter(|s| s.ephi != Some(false))
            .map(|s| match s.ephi {
                Some(true) => format!("`{}`", s.id),
                _ => format!("`{}` (does not say)", s.id),
            })
            .collect();
        if !handling.is_empty() {
            let message = format!(
                "{} is {role}, and the MSP's services handle ePHI ({}), but the scope records no signed business associate agreement with {}: {rule_words}. Record the signature date in `provider.baa_signed`, or set `ephi: false` on a service that never creates, receives, maintains or transmits ePHI.",
                scope.client.name,
                handling.join(", "),
                scope.provider.name
            );
            out.extend(finding_of(
                scope,
                control,
                RuleCode::CM016,
                message,
                &scope.locate("/provider"),
                "provider",
                overrides,
            ));
        }
    }
    for party in scope.parties() {
        // A party with an agreement, or one that never touches ePHI, needs no (further) BAA.
        if party.baa == Some(true) || party.ephi == Some(false) {
            continue;
        }
        let duties: Vec<&str> = matrix
            .rows
            .iter()
            .filter(|r| &*r.framework == "hipaa" && r.assignable && r.summary != Summary::NotApplicable)
            .filter(|r| r.responsible.iter().any(|p| *p == *party.id))
            .map(|r| &*r.control)
            .collect();
        let state = match party.baa {
            Some(false) => "has no business associate agreement (`baa: false`)",
            _ => "records no business associate agreement (`baa` is not set)",
        };
        let Some(first) = duties.first() else {
            // The MSP's subcontractor that holds ePHI needs the agreement whatever it is
            // assigned: 164.308(b)(2) and 164.502(e)(1)(ii) turn on creating, receiving,
            // maintaining or transmitting ePHI on the business associate's behalf, not on duties.
            if party.engaged_by == Some(crate::model::EngagedBy::Msp) {
                let handles = match party.ephi {
                    Some(true) => "creates, receives, maintains or transmits ePHI for it (`ephi: true`)",
                    _ => "is not declared free of ePHI (`ephi` is not set, which counts as handling it)",
                };
                let message = format!(
                    "third party `{}` ({}) is the MSP's subcontractor (`engaged_by: msp`) and {handles}, but {state}. {} and {} let a business associate permit a subcontractor to create, receive, maintain or transmit ePHI on its behalf only with satisfactory assurances documented in a business associate agreement ({}), whatever duties the subcontractor is assigned; that agreement is {}'s to hold. Sign one and set `baa: true`, or set `ephi: false` if it never handles ePHI.",
                    party.id,
                    party.name,
                    hipaa.cite("164.308(b)(2)"),
                    hipaa.cite("164.502(e)(1)(ii)"),
                    hipaa.cite("164.314(a)"),
                    scope.provider.name
                );
                out.extend(finding_of(
                    scope,
                    "hipaa:164.308(b)(2)",
                    RuleCode::CM016,
                    message,
                    &party.baa_at,
                    &party.id,
                    overrides,
                ));
            }
            continue;
        };
        // Whose agreement it is follows whose vendor the party is: the MSP's subcontractor's
        // agreement is the MSP's (164.308(b)(2), 164.314(a)(2)(iii)); the client's own vendor's
        // is the client's (164.308(b)(1), or (b)(2) when the client is itself a business associate).
        let whose = match party.engaged_by {
            Some(crate::model::EngagedBy::Msp) => format!(
                "It is the MSP's subcontractor (`engaged_by: msp`): {} may let it create, receive, maintain or transmit ePHI on its behalf only under a business associate agreement ({}, {}, {}), which is {}'s to hold.",
                scope.provider.name,
                hipaa.cite("164.308(b)(2)"),
                hipaa.cite("164.314(a)(2)(iii)"),
                hipaa.cite("164.502(e)(1)(ii)"),
                scope.provider.name
            ),
            Some(crate::model::EngagedBy::Client) => format!(
                "It is {}'s own vendor (`engaged_by: client`), not the MSP's subcontractor: it may create, receive, maintain or transmit ePHI for {} only under a business associate agreement ({}, {}, {}), which is {}'s to hold, not {}'s.",
                scope.client.name,
                scope.client.name,
                hipaa.cite(if business_associate {
                    "164.308(b)(2)"
                } else {
                    "164.308(b)(1)"
                }),
                hipaa.cite("164.314(a)"),
                hipaa.cite("164.502(e)"),
                scope.client.name,
                scope.provider.name
            ),
            None => format!(
                "A party that creates, receives, maintains or transmits ePHI for a covered entity or a business associate may do so only under a business associate agreement ({}, {}, {}). The scope does not say whose vendor it is: set `engaged_by: msp` (the MSP's subcontractor; the MSP holds the agreement) or `engaged_by: client` (the client's own vendor; the client holds it).",
                hipaa.cite("164.308(b)"),
                hipaa.cite("164.314(a)"),
                hipaa.cite("164.502(e)")
            ),
        };
        let shared = if party.shared {
            format!(
                " The party is declared once for the workspace ({}): its agreement there decides for every client that works with it.",
                party.origin.file
            )
        } else {
            String::new()
        };
        let message = format!(
            "third party `{}` ({}) performs HIPAA safeguards for {} ({}{}) but {state}. {whose}{shared} Sign one and set `baa: true`, set `ephi: false` if it never handles ePHI, or take the duties away from it.",
            party.id,
            party.name,
            scope.client.name,
            duties.iter().take(3).copied().collect::<Vec<_>>().join(", "),
            if duties.len() > 3 {
                format!(" and {} more", duties.len() - 3)
            } else {
                String::new()
            },
        );
        out.extend(finding_of(
            scope,
            first,
            RuleCode::CM016,
            message,
            &party.baa_at,
            &party.id,
            overrides,
        ));
    }
    out
}

/// CM017: `glba: true` for an institution the FTC rule does not cover: a kind of institution
/// another regulator oversees, or one the catalog's `applies_to.except` excludes (a bank's
/// subsidiary or affiliate, 15 U.S.C. 6805(a)(1)).
fn regulator_mismatch(ws: &Workspace, scope: &Scope, overrides: &Overrides) -> Vec<Finding> {
    let p = &scope.client.profile;
    if scope.frameworks.is_some() || p.glba != Some(true) {
        return Vec::new();
    }
    let Some(fw) = ws.framework("glba-safeguards") else {
        return Vec::new();
    };
    if let Some(e) = fw
        .catalog
        .applies_to
        .iter()
        .flat_map(|a| &a.except)
        .find(|e| crate::resolve::applicability::holds(&e.when, p))
    {
        let message = format!(
            "the profile says `glba: true`, but {}. 16 CFR Part 314 applies only to institutions the FTC oversees (16 CFR 314.1(b)), so its controls and findings here are not this client's obligations. Remove `glba: true`, or list `frameworks:` explicitly if the FTC rule is adopted by contract.",
            e.reason
        );
        return finding_of(
            scope,
            "glba-safeguards:314.1(b)",
            RuleCode::CM017,
            message,
            &scope.locate("/client/profile/glba"),
            "except",
            overrides,
        )
        .into_iter()
        .collect();
    }
    let Some(kind) = p.institution_type.as_deref() else {
        return Vec::new();
    };
    let Some(t) = fw.catalog.institution_types.iter().find(|t| t.id == kind && !t.covered) else {
        return Vec::new();
    };
    let message = format!(
        "the profile says `glba: true`, but a `{kind}` is not a financial institution under the FTC's jurisdiction: {} ({}). 16 CFR Part 314 applies only to institutions the FTC oversees (16 CFR 314.1(b)), so its controls and findings here are not this client's obligations. Remove `glba: true` (the institution type decides), or list `frameworks:` explicitly if the FTC rule is adopted by contract.",
        t.note.as_deref().unwrap_or("another regulator oversees it"),
        t.citation
    );
    finding_of(
        scope,
        "glba-safeguards:314.1(b)",
        RuleCode::CM017,
        message,
        &scope.locate("/client/profile/glba"),
        kind,
        overrides,
    )
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    //! CM017 from 16 CFR 314.1(b): Part 314 covers the financial institutions the FTC has
    //! jurisdiction over, not those another regulator oversees under 15 U.S.C. 6805 (a
    //! national bank: the OCC). Catalog and scope are built here.
    use super::*;
    use crate::model::Catalog;
    use crate::model::catalog::Framework;

    fn workspace() -> Workspace {
        let catalog: Catalog = serde_json::from_value(serde_json::json!({
            "id": "glba-safeguards", "title": "Standards for Safeguarding Customer Information",
            "citation": "16 CFR Part 314", "authority": "FTC", "version": "1",
            "source_url": "https://www.ecfr.gov/current/title-16/part-314",
            "institution_types": [
                {"id": "mortgage-lender", "covered": true, "citation": "16 CFR 314.1(b)"},
                {"id": "national-bank", "covered": false, "citation": "15 U.S.C. 6805(a)(1)",
                 "note": "the OCC enforces the safeguards standards for it"}
            ],
            "controls": [{"id": "314.1(b)", "title": "Scope", "level": "paragraph"}]
        }))
        .expect("catalog");
        let mut ws = Workspace::default();
        ws.frameworks
            .insert("glba-safeguards".into(), std::sync::Arc::new(Framework::new(catalog)));
        ws
    }

    fn scope(profile: serde_json::Value, frameworks: Option<&[&str]>) -> Scope {
        let mut json = serde_json::json!({"id": "s", "client": {"name": "Client", "profile": profile}});
        if let Some(list) = frameworks {
            json["frameworks"] = serde_json::json!(list);
        }
        serde_json::from_value(json).expect("scope")
    }

    fn codes(scope: &Scope) -> Vec<String> {
        regulator_mismatch(&workspace(), scope, &Overrides::new())
            .into_iter()
            .map(|f| format!("{} {}", f.code, f.control))
            .collect()
    }

    #[test]
    fn glba_on_an_institution_another_regulator_oversees_is_cm017() {
        let s = scope(
            serde_json::json!({"glba": true, "institution_type": "national-bank"}),
            None,
        );
        assert_eq!(codes(&s), ["CM017 glba-safeguards:314.1(b)"]);
    }

    #[test]
    fn stays_quiet_for_a_covered_institution_an_explicit_list_or_no_glba() {
        let covered = scope(
            serde_json::json!({"glba": true, "institution_type": "mortgage-lender"}),
            None,
        );
        assert!(codes(&covered).is_empty());
        let listed = scope(
            serde_json::json!({"glba": true, "institution_type": "national-bank"}),
            Some(&["glba-safeguards"]),
        );
        assert!(codes(&listed).is_empty(), "adopted by contract");
        let no_glba = scope(serde_json::json!({"institution_type": "national-bank"}), None);
        assert!(codes(&no_glba).is_empty());
    }
}
