//! The Word documents laid out by LibreOffice, as counsel would open them: the counterparty's
//! BAA appendix and provider summary of the example, converted to PDF by `soffice`, read back
//! with `pdfinfo` and `pdftotext`. US Letter (landscape for the appendix), "Page X of Y" and the
//! exhibit's caption on every page, the draft mark on every page of a draft; A4 with `--paper
//! a4`. Needs LibreOffice and poppler (`.ci/run` installs them; `cargo test --test docx_pages --
//! --ignored`); set CTRLMAP_SCREENSHOTS=DIR to keep the PDFs and a PNG of each page.

mod support;
use std::path::{Path, PathBuf};
use std::process::Command;

const AS_OF: &str = "2026-11-30";

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e} (apt-get install libreoffice-writer poppler-utils)"));
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Render a document as Word, convert it to PDF; the PDF's path.
fn pdf(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let docx = dir.join(format!("{name}.docx"));
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    all.extend(["--format", "docx", "--as-of", AS_OF, "-o"].map(std::ffi::OsStr::new));
    all.push(docx.as_os_str());
    let run = support::ctrlmap(all);
    assert!(run.code == 0, "{}", run.stderr);
    let profile = format!("-env:UserInstallation=file://{}", dir.join("lo-profile").display());
    tool(
        "soffice",
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            &dir.display().to_string(),
            &docx.display().to_string(),
        ],
    );
    dir.join(format!("{name}.pdf"))
}

fn pages(pdf: &Path) -> usize {
    tool("pdfinfo", &[&pdf.display().to_string()])
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count")
}

fn page_size(pdf: &Path) -> String {
    tool("pdfinfo", &[&pdf.display().to_string()])
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .map(|s| s.trim().to_string())
        .expect("a page size")
}

fn page_text(pdf: &Path, page: usize) -> String {
    let p = page.to_string();
    tool(
        "pdftotext",
        &["-f", &p, "-l", &p, "-layout", &pdf.display().to_string(), "-"],
    )
}

#[test]
#[ignore = "needs LibreOffice and poppler; .ci/run runs it"]
fn the_word_documents_lay_out_on_letter_with_a_caption_and_page_x_of_y_on_every_page() {
    let scratch = support::Scratch::new("docx-pages");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let dental = "examples/northwind-msp/scopes/riverside-dental.yaml";

    let baa = pdf(
        &dir,
        "baa",
        &["render", "baa-appendix", dental, "--audience", "counterparty"],
    );
    assert!(
        page_size(&baa).starts_with("792 x 612 pts (letter)"),
        "{}",
        page_size(&baa)
    );
    let n = pages(&baa);
    assert!(n > 5, "{n} pages");
    for page in 1..=n {
        let text = page_text(&baa, page);
        assert!(text.contains(&format!("Page {page} of {n}")), "page {page}:\n{text}");
        assert!(
            text.contains("Exhibit to the Business Associate Agreement dated 2026-01-15"),
            "page {page}: the caption in the header"
        );
    }
    // Word numbers the headings.
    let all = tool("pdftotext", &[&baa.display().to_string(), "-"])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for heading in [
        "1. Parties and agreement",
        "4. Responsibility for the Security Rule safeguards",
        "5.3 Notices under 45 CFR Part 164, Subpart D",
    ] {
        assert!(all.contains(heading), "`{heading}` numbered");
    }
    // A citation stays on one line.
    assert!(all.contains("164.308(a)(1)(ii)(A)"));

    let a4 = pdf(
        &dir,
        "baa-a4",
        &[
            "render",
            "baa-appendix",
            dental,
            "--audience",
            "counterparty",
            "--paper",
            "a4",
        ],
    );
    assert!(page_size(&a4).ends_with("(A4)"), "{}", page_size(&a4));

    let draft = pdf(&dir, "draft", &["render", "baa-appendix", dental, "--draft"]);
    let n = pages(&draft);
    for page in 1..=n {
        assert!(
            page_text(&draft, page).contains("DRAFT — terms to be agreed"),
            "draft page {page}"
        );
    }

    let tpsp = pdf(
        &dir,
        "tpsp",
        &[
            "render",
            "tpsp-summary",
            "examples/northwind-msp/scopes/hudson-valley-insurance.yaml",
            "--audience",
            "counterparty",
        ],
    );
    assert!(
        page_size(&tpsp).starts_with("612 x 792 pts (letter)"),
        "{}",
        page_size(&tpsp)
    );
    let n = pages(&tpsp);
    for page in 1..=n {
        assert!(
            page_text(&tpsp, page).contains(&format!("Page {page} of {n}")),
            "summary page {page}"
        );
    }

    if let Some(keep) = std::env::var_os("CTRLMAP_SCREENSHOTS").map(PathBuf::from) {
        std::fs::create_dir_all(&keep).expect("mkdir");
        for name in ["baa", "baa-a4", "draft", "tpsp"] {
            let from = dir.join(format!("{name}.pdf"));
            std::fs::copy(&from, keep.join(format!("{name}.pdf"))).expect("copy");
            tool(
                "pdftoppm",
                &[
                    "-r",
                    "60",
                    "-png",
                    &from.display().to_string(),
                    &keep.join(name).display().to_string(),
                ],
            );
        }
    }
}
