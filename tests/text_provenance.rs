//! Through the binary: `frameworks show` prints a control's text in full with its deadline and
//! the copy of the regulation it is quoted from (official or secondary, retrieval date); the
//! evidence pack names the copies too. Expectations come from the reference copy in
//! `tests/fixtures/reference/hipaa/secondary-45cfr164/`.

mod support;

/// The copy's paragraph text for a citation's first words, markup removed.
fn copy_contains(section_file: &str, words: &str) -> bool {
    let path = support::fixture("reference/hipaa/secondary-45cfr164").join(section_file);
    let text = std::fs::read_to_string(path)
        .expect("reference copy")
        .replace("&#40;", "(");
    text.split_whitespace().collect::<Vec<_>>().join(" ").contains(words)
}

fn show(control: &str) -> String {
    let run = support::ctrlmap(["frameworks", "show", control]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn frameworks_show_prints_the_164_404_b_text_its_60_day_deadline_and_where_the_text_comes_from() {
    let out = show("hipaa:164.404(b)");
    let words = "without unreasonable delay and in no case later than 60 calendar days after discovery of a breach.";
    assert!(copy_contains("164-404-notification-individuals.md", words));
    assert!(out.contains(words), "{out}");
    assert!(out.contains("deadline:  individual-notice — within 60 days"), "{out}");
    assert!(
        out.contains("may be delayed under 45 CFR 164.412 (Law enforcement delay)"),
        "{out}"
    );
    assert!(out.contains("clock: the covered entity's discovery"), "{out}");
    assert!(
        out.contains("source:    45 CFR 164.302–164.318 and 164.400–164.414 as published by Aptible"),
        "{out}"
    );
    assert!(
        out.contains("secondary copy, not the official publication, retrieved 2026-12-02"),
        "{out}"
    );
    assert!(out.contains("the official text: https://www.ecfr.gov/"), "{out}");
}

#[test]
fn frameworks_show_prints_the_full_text_of_the_sections_that_were_missing() {
    for (control, file, words) in [
        (
            "hipaa:164.400",
            "164-400-applicability.md",
            "occurring on or after September 23, 2009.",
        ),
        (
            "hipaa:164.402",
            "164-402-definitions.md",
            "The extent to which the risk to the protected health information has been mitigated.",
        ),
        (
            "hipaa:164.402",
            "164-402-definitions.md",
            "Unsecured protected health information means protected health information that is not rendered unusable",
        ),
        (
            "hipaa:164.412",
            "164-412-law-enforcement-delay.md",
            "would impede a criminal investigation or cause damage to national security",
        ),
        (
            "hipaa:164.412(b)",
            "164-412-law-enforcement-delay.md",
            "no longer than 30 days from the date of the oral statement",
        ),
        (
            "hipaa:164.414(b)",
            "164-414-administrative-requirements.md",
            "shall have the burden of demonstrating that all notifications were made as required by this subpart",
        ),
        (
            "hipaa:164.306(d)(2)",
            "164-306-security-general.md",
            "a covered entity or business associate must implement the implementation specifications.",
        ),
        (
            "hipaa:164.306(e)",
            "164-306-security-general.md",
            "must review and modify the security measures implemented under this subpart as needed",
        ),
    ] {
        assert!(copy_contains(file, words), "the copy of {control} has “{words}”");
        let out = show(control);
        assert!(out.contains(words), "{control}: {out}");
        assert!(!out.contains("Not quoted"), "{control} has its text");
    }
    // 164.414 has paragraphs (a) and (b): its parts are listed.
    let out = show("hipaa:164.414");
    assert!(out.contains("164.414(a) — Administrative requirements") && out.contains("164.414(b) — Burden of proof"));
}

#[test]
fn frameworks_show_of_a_catalog_lists_its_sources_with_retrieval_dates() {
    let out = show("hipaa");
    let block = out.split("where the text comes from").nth(1).expect("sources block");
    assert!(block.contains("govinfo-164.312-2019"));
    assert!(block.contains("(official publication, retrieved 2026-11-29)"));
    assert!(block.contains("secondary-aptible"));
}

#[test]
fn the_evidence_pack_names_the_copies_the_catalog_text_comes_from() {
    let scratch = support::Scratch::new("provenance-pack");
    let out = scratch.join("out");
    let scope = support::example().join("scopes/riverside-dental.yaml");
    let run = support::ctrlmap([
        "pack".as_ref(),
        scope.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--as-of".as_ref(),
        "2026-12-01".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    assert!(index.contains("Where the catalog text comes from"));
    assert!(index.contains("as published by Aptible"));
    assert!(index.contains("retrieved 2026-12-02"));
    let matrix = std::fs::read_to_string(out.join("matrix/hipaa.html")).expect("matrix");
    assert!(matrix.contains("Control text quoted from:") && matrix.contains("retrieved 2026-12-02"));
    let baa = std::fs::read_to_string(out.join("baa-appendix.html")).expect("appendix");
    assert!(baa.contains("Quoted regulation text:") && baa.contains("retrieved 2026-12-02"));
}

#[test]
fn every_quoted_text_of_every_built_in_catalog_names_its_source() {
    // A control that quotes the regulation says which listed source the words come from, so
    // `frameworks show`, explain and the pack can name it (GLBA's were missing).
    let ws = ctrlmap::load::Loaded::builtin().expect("built-in catalogs load");
    for fw in ws.frameworks.values() {
        let ids: Vec<&str> = fw.catalog.sources.iter().map(|s| s.id.as_str()).collect();
        for c in fw.catalog.controls.iter().flatten().filter(|c| c.text.is_some()) {
            let source = c.text_source.as_deref();
            assert!(
                source.is_some_and(|s| ids.contains(&s)),
                "{}:{} quotes text with text_source {source:?}; listed sources: {ids:?}",
                fw.id(),
                c.id
            );
        }
    }
}
