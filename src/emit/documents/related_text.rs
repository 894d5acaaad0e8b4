//! Regulation text the BAA appendix quotes from outside the built-in HIPAA catalog (which holds
//! Part 164, Subparts C and D): the definition of "Subcontractor" in 45 CFR 160.103, the
//! business associate's assurances from its subcontractors in 164.502(e)(1)(ii), and the return
//! or destruction of protected health information at termination in 164.504(e)(2)(ii)(J).
//! Each is quoted word for word from the copy named with it (a secondary copy: the eCFR could
//! not be retrieved); `tests/fixtures/reference/hipaa/related/` holds those copies and
//! `tests/render_baa_exhibit.rs` compares every quote with them.

/// One quoted paragraph and the copy it comes from.
#[derive(Debug, Clone, Copy)]
pub struct RelatedText {
    /// `45 CFR 160.103`.
    pub citation: &'static str,
    /// What the paragraph is, e.g. `Definitions, “Subcontractor”`.
    pub title: &'static str,
    pub text: &'static str,
    /// The copy it is quoted from, in one line.
    pub source: &'static str,
}

/// 45 CFR 160.103, the definition of "Subcontractor" (as added by 78 FR 5566, Jan. 25, 2013).
pub const SUBCONTRACTOR: RelatedText = RelatedText {
    citation: "45 CFR 160.103",
    title: "Definitions, “Subcontractor”",
    text: "Subcontractor means a person to whom a business associate delegates a function, activity, or service, other than in the capacity of a member of the workforce of such business associate.",
    source: "Bricker Graydon LLP, “HIPAA Regulations: General Provisions: Definitions - Subcontractor - § 160.103” (the January 2013 amendments), https://brickergraydon.com/insights/resources/key/HIPAA-Regulations-General-Provisions-Definitions-Subcontractor-160-103 (secondary copy, not the official publication, retrieved 2026-12-07)",
};

/// 45 CFR 164.502(e)(1)(ii): a business associate's satisfactory assurances from its
/// subcontractors.
pub const SUBCONTRACTOR_ASSURANCES: RelatedText = RelatedText {
    citation: "45 CFR 164.502(e)(1)(ii)",
    title: "Disclosures to business associates",
    text: "A business associate may disclose protected health information to a business associate that is a subcontractor and may allow the subcontractor to create, receive, maintain, or transmit protected health information on its behalf, if the business associate obtains satisfactory assurances, in accordance with §164.504(e)(1)(i), that the subcontractor will appropriately safeguard the information.",
    source: "Bricker Graydon LLP, “HIPAA Privacy Regulations: … Disclosures to Business Associates - § 164.502(e)” (as amended January 2013), https://www.brickergraydon.com/insights/resources/key/hipaa-privacy-regulations-general-rules-for-uses-and-disclosures-of-protected-health-information-disclosures-to-business-associates-164-502-e (secondary copy, not the official publication, retrieved 2026-12-07)",
};

/// 45 CFR 164.504(e)(2)(ii)(J): return or destruction of protected health information at
/// termination of the business associate contract.
pub const RETURN_OR_DESTRUCTION: RelatedText = RelatedText {
    citation: "45 CFR 164.504(e)(2)(ii)(J)",
    title: "Business associate contracts, at termination",
    text: "At termination of the contract, if feasible, return or destroy all protected health information received from, or created or received by the business associate on behalf of, the covered entity that the business associate still maintains in any form and retain no copies of such information or, if such return or destruction is not feasible, extend the protections of the contract to the information and limit further uses and disclosures to those purposes that make the return or destruction of the information infeasible.",
    source: "myctrl.tools, “§ 164.504(e)(2)(ii)(J)”, https://myctrl.tools/frameworks/hipaa-simp/164-504-e-2-ii-j (secondary copy, not the official publication, retrieved 2026-12-07)",
};

/// Every text of this module.
pub const ALL: [RelatedText; 3] = [SUBCONTRACTOR, SUBCONTRACTOR_ASSURANCES, RETURN_OR_DESTRUCTION];
