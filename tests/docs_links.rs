//! The README and the pages under `docs/` link to one another: every relative link names a file
//! of the repository, and every `#anchor` a heading of that file (GitHub's slugs), so moving a
//! section cannot leave a reader at a dead link.

mod support;
use std::path::{Path, PathBuf};
use support::repo;

/// The pages a reader starts from: the README and every Markdown page of `docs/`.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation other than `-` and
/// `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file: its headings outside code fences.
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `](target)` of a text outside code fences and inline code.
fn links(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop inline code so `\[text\](url)` examples are not read as links.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_of_the_readme_and_docs_reaches_a_file_and_a_heading() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("page");
        for link in links(&text) {
            if link.starts_with("http://") || link.starts_with("https://") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((link.as_str(), ""));
            let target: PathBuf = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(Path::new(".")).join(file)
            };
            checked += 1;
            if !target.exists() {
                broken.push(format!("{}: `{link}`: no file {}", page.display(), target.display()));
                continue;
            }
            if !anchor.is_empty() {
                let target_text = std::fs::read_to_string(&target).unwrap_or_default();
                if !anchors(&target_text).iter().any(|a| a == anchor) {
                    broken.push(format!(
                        "{}: `{link}`: no heading `#{anchor}` in {}",
                        page.display(),
                        target.display()
                    ));
                }
            }
        }
    }
    assert!(
        checked >= 10,
        "the README links to the docs pages ({checked} links seen)"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_links_every_page_of_docs() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    for page in pages().into_iter().skip(1) {
        let name = page.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(
            readme.contains(&format!("](docs/{name})")),
            "the README's \"Where to read more\" links docs/{name}"
        );
    }
}

#[test]
fn github_slugs_are_the_ones_the_readme_relies_on() {
    assert_eq!(
        slug(" Starting a workspace: init, scaffold, schema"),
        "starting-a-workspace-init-scaffold-schema"
    );
    assert_eq!(slug("In CI"), "in-ci");
    assert_eq!(slug("Dependencies, and why"), "dependencies-and-why");
}
