//! `ctrlmap export oscal` and `ctrlmap import oscal`: arguments and the glue around the
//! document builders (reading, writing, exit codes).

use crate::cli::Failure;
use crate::cli::PathBase;
use crate::emit::oscal::{Layout, ScopeInput, provider, scope_documents, workspace_documents};
use crate::emit::terminal;
use crate::emit::{count, counted};
use crate::format::oscal_ids::Tokens;
use crate::fs::input::display_path;
use crate::load::Loaded;
use crate::load::oscal_import as import;
use crate::model::diagnostic::Diagnostic;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Documents by path.
type Documents = Vec<(String, Vec<u8>)>;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormat,
}

#[derive(clap::Subcommand, Debug)]
pub enum ExportFormat {
    /// NIST OSCAL: catalogs, the services as a component definition, the crosswalks as
    /// mapping collections, the MSP's own system security plan (`provider/ssp.json`, which
    /// exports what its services provide and leave to customers), and per scope a profile, a
    /// system security plan that leverages it, an assessment plan, assessment results and
    /// (when it has findings) a POA&M.
    Oscal {
        /// The workspace folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Folder to write into (created if needed; files of the same name are replaced, only
        /// when the whole export succeeded; nothing outside it is written, and no symbolic
        /// link inside it is followed).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Date of the documents and of the assessment, YYYY-MM-DD (default: SOURCE_DATE_EPOCH
        /// if set, else today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Copy every workspace file the documents link to (evidence, and the scope and service
        /// files findings point at) into DIR/files/, so the export is self-contained. Without
        /// it, links point at the workspace, relative to each document.
        #[arg(long)]
        with_evidence: bool,
        /// Write every link as an absolute URI under this base, the address of DIR (e.g.
        /// file:///srv/oscal/ or https://grc.example/oscal/), for tools that resolve relative
        /// links against their working folder rather than the document (compliance-trestle).
        #[arg(long, value_name = "URI")]
        href_base: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub format: ImportFormat,
}

#[derive(clap::Subcommand, Debug)]
pub enum ImportFormat {
    /// A NIST OSCAL component definition, or a provider's system security plan (its
    /// `export.provided` and `export.responsibilities`), as service files.
    Oscal {
        /// The OSCAL JSON file (`-` reads standard input).
        file: PathBuf,
        /// The workspace to write the services into (`DIR/services/`); its `frameworks/` add to
        /// the catalogs control ids are looked up in.
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Tower of the imported services, when the document does not say (the component
        /// definition and the provider's plan written by ctrlmap do).
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::load::oscal_import::TOWERS))]
        tower: Option<String>,
    },
}

fn fail(message: impl std::fmt::Display) -> anyhow::Error {
    crate::cli::fail(&message.to_string())
}

/// Create `dir` (and its parents), refusing a path that exists and is not a folder.
fn ensure_dir(dir: &Path) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(dir)
        && !meta.is_dir()
    {
        return Err(fail(format!(
            "{}: exists and is not a folder; choose another output folder",
            display_path(dir)
        )));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", display_path(dir)))
}

/// The folders of `rel` inside `root`, created where missing: each must be a real folder, not
/// a symbolic link (which could lead out of `root`) nor a file.
fn folders_inside(root: &Path, rel: &Path) -> Result<()> {
    let mut at = root.to_path_buf();
    if let Some(parent) = rel.parent() {
        for part in parent.components() {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(fail(format!(
                        "{}: is a symbolic link; ctrlmap writes only inside the output folder and follows no link in it (remove the link, or choose another folder)",
                        display_path(&at)
                    )));
                }
                Ok(meta) if !meta.is_dir() => {
                    return Err(fail(format!(
                        "{}: exists and is not a folder; move it away, or choose another output folder",
                        display_path(&at)
                    )));
                }
                Ok(_) => {}
                Err(_) => std::fs::create_dir(&at).with_context(|| format!("creating {}", display_path(&at)))?,
            }
        }
    }
    Ok(())
}

/// Files staged in a fresh folder inside the output folder, moved into place only when the
/// whole export succeeded; dropped (with everything staged) otherwise.
struct Stage {
    output: PathBuf,
    dir: PathBuf,
    files: Vec<String>,
}

impl Stage {
    fn new(output: &Path) -> Result<Stage> {
        let dir = output.join(format!(".ctrlmap-export-{}", std::process::id()));
        std::fs::create_dir(&dir).with_context(|| format!("creating {}", display_path(&dir)))?;
        Ok(Stage {
            output: output.to_path_buf(),
            dir,
            files: Vec::new(),
        })
    }

    fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        folders_inside(&self.dir, Path::new(rel))?;
        crate::cli::write_file(&path, bytes)?;
        self.files.push(rel.to_string());
        Ok(())
    }

    /// Copy a workspace file into the stage (streamed: evidence may be large).
    fn copy(&mut self, rel: &str, from: &Path) -> Result<()> {
        let path = self.dir.join(rel);
        folders_inside(&self.dir, Path::new(rel))?;
        let mut source = std::fs::File::open(from).with_context(|| format!("reading {}", display_path(from)))?;
        let mut target = std::fs::File::create(&path).with_context(|| format!("writing {}", display_path(&path)))?;
        std::io::copy(&mut source, &mut target).with_context(|| format!("copying {}", display_path(from)))?;
        self.files.push(rel.to_string());
        Ok(())
    }

    /// Move every staged file into place: never over a symbolic link or anything that is not
    /// a regular file.
    fn commit(mut self) -> Result<()> {
        let files = std::mem::take(&mut self.files);
        for rel in &files {
            folders_inside(&self.output, Path::new(rel))?;
            let target = self.output.join(rel);
            if let Ok(meta) = std::fs::symlink_metadata(&target)
                && !meta.is_file()
            {
                return Err(fail(format!(
                    "{}: is {}; ctrlmap replaces only regular files (move it away, or choose another folder)",
                    display_path(&target),
                    if meta.file_type().is_symlink() {
                        "a symbolic link".to_string()
                    } else {
                        crate::fs::input::kind_of(meta.file_type()).to_string()
                    }
                )));
            }
            std::fs::rename(self.dir.join(rel), &target)
                .with_context(|| format!("writing {}", display_path(&target)))?;
        }
        Ok(())
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The path from one folder to another, `/`-separated and ending in `/` (empty for the same
/// folder): how documents in `from` reach workspace files in `to`.
fn path_between(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(from.len() - common);
    for part in &to[common..] {
        out.push_str(&part.as_os_str().to_string_lossy());
        out.push('/');
    }
    out
}

/// `--href-base`: an absolute URI (a scheme, then no spaces), ending in `/`.
fn href_base(text: &str) -> Result<String> {
    let scheme = text.split_once(':').map(|(s, _)| s).unwrap_or_default();
    let ok = scheme.len() > 1
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(fail(format!(
            "--href-base `{text}` is not an absolute URI; write the address of the output folder, e.g. file:///srv/oscal/ or https://grc.example/oscal/"
        )));
    }
    Ok(if text.ends_with('/') {
        text.to_string()
    } else {
        format!("{text}/")
    })
}

pub fn run_export(args: ExportArgs) -> Result<u8> {
    let ExportFormat::Oscal {
        path,
        output,
        as_of,
        with_evidence,
        href_base: base,
    } = args.format;
    let as_of = crate::cli::as_of_date(as_of.as_deref())?;
    if !(1900..=2999).contains(&as_of.year()) {
        return Err(fail(format!(
            "the as-of date {as_of} is outside the years OSCAL dates can hold (1900-2999)"
        )));
    }
    let base = base.as_deref().map(href_base).transpose()?;
    // Streamed: everything but the scopes is loaded, then the scopes a chunk at a time, each
    // chunk's documents built, staged and dropped, so memory does not grow with the portfolio.
    let (mut ws, scope_files) = Loaded::load_streaming(&path).map_err(fail)?;
    Tokens::new(&ws).map_err(fail)?;
    let layout = if ws.diagnostics.is_empty() {
        ensure_dir(&output)?;
        let files = if with_evidence {
            "files/".to_string()
        } else {
            let (Ok(out), Ok(root)) = (output.canonicalize(), ws.root.canonicalize()) else {
                return Err(fail(format!("{}: cannot be resolved", display_path(&output))));
            };
            path_between(&out, &root)
        };
        Some(Layout::export(files, base))
    } else {
        None
    };
    let mut stage = match layout {
        Some(_) => Some(Stage::new(&output)?),
        None => None,
    };
    let overrides = crate::cli::overrides(&ws);
    let (mut plans, mut poams) = (0usize, 0usize);
    let mut linked: BTreeSet<String> = BTreeSet::new();
    let mut failures = Vec::new();
    // The MSP's parties that scopes declare (the provider's plan names them): the first
    // declaration by scope id, as `provider::msp_parties` takes them from loaded scopes.
    let mut scope_msp_parties: BTreeMap<String, (String, crate::model::ThirdParty)> = BTreeMap::new();
    for chunk in scope_files.chunks(64) {
        let scopes = ws.load_scopes(chunk);
        for scope in &scopes {
            for p in scope.parties() {
                if p.engaged_by == Some(crate::model::EngagedBy::Msp) {
                    match scope_msp_parties.get(&p.id) {
                        Some((first, _)) if *first <= scope.id => {}
                        _ => {
                            scope_msp_parties.insert(p.id.clone(), (scope.id.clone(), p.clone()));
                        }
                    }
                }
            }
        }
        // After the first input problem nothing more is built: the rest is loaded only to
        // report every problem.
        let (Some(layout), Some(stage), true) = (&layout, stage.as_mut(), ws.diagnostics.is_empty()) else {
            stage = None;
            continue;
        };
        use rayon::prelude::*;
        let docs: Vec<(Documents, Vec<String>, Vec<crate::model::diagnostic::Diagnostic>)> = scopes
            .par_iter()
            .map(|scope| {
                let assessment = crate::assess::assess_scope(&ws, scope, &overrides, as_of);
                if !assessment.failures.is_empty() {
                    return (Vec::new(), Vec::new(), assessment.failures);
                }
                let input = ScopeInput {
                    ws: &ws,
                    scope,
                    matrix: &assessment.matrix,
                    findings: &assessment.findings,
                    evidence: &assessment.evidence,
                    statuses: &assessment.implementation,
                    as_of,
                    layout: layout.clone(),
                };
                let mut links: Vec<String> = scope
                    .evidence
                    .iter()
                    .flatten()
                    .filter(|e| e.found_sha256.is_some())
                    .map(|e| e.file.clone())
                    .collect();
                links.extend(assessment.findings.iter().map(|f| f.file.to_string()));
                (scope_documents(&input), links, Vec::new())
            })
            .collect();
        for (files, links, failed) in docs {
            failures.extend(failed);
            if files.is_empty() {
                continue;
            }
            plans += 1;
            for (name, bytes) in files {
                poams += usize::from(name.ends_with("/poam.json"));
                stage.write(&name, &bytes)?;
            }
            linked.extend(links.into_iter().filter(|l| !l.is_empty() && !l.starts_with('<')));
        }
        // A custom rule that failed makes every result wrong: stop before anything is written.
        crate::cli::stop_on_rule_failures(&ws, &failures)?;
    }
    crate::cli::stop_on_input_problems(&mut ws, &path, "exported")?;
    let (Some(layout), Some(mut stage)) = (layout, stage) else {
        return Err(fail("the export was not staged although the input has no problem"));
    };
    let mut msp_parties = provider::msp_parties(&ws);
    for (id, (_, party)) in scope_msp_parties {
        if !msp_parties.iter().any(|p| p.id == id) {
            msp_parties.push(party);
        }
    }
    msp_parties.sort_by(|a, b| a.id.cmp(&b.id));
    let shared = workspace_documents(&ws, &msp_parties, as_of, &layout);
    for (rel, bytes) in &shared {
        stage.write(rel, bytes)?;
    }
    let mut copied = 0;
    if with_evidence {
        for rel in &linked {
            let from = ws.root.join(rel);
            if from.is_file() {
                stage.copy(&format!("files/{rel}"), &from)?;
                copied += 1;
            }
        }
    }
    let written = stage.files.len();
    stage.commit()?;
    terminal::print(
        &format!(
            "{}: wrote {written} files: {}, 1 component definition, {}, the provider's system security plan and profile, {} with profile, assessment plan and assessment results, {} (scopes without findings have none){}\n",
            display_path(&output),
            count(ws.frameworks.len(), "catalog"),
            count(ws.crosswalks.len(), "mapping collection"),
            count(plans, "client system security plan"),
            counted(poams, "POA&M", "POA&Ms"),
            if with_evidence {
                format!(", and {} linked from them in files/", count(copied, "workspace file"))
            } else {
                String::new()
            },
        ),
        false,
    )?;
    Ok(0)
}

/// The import's problems as diagnostics of the imported file (`shown` as the user named it,
/// like every path ctrlmap reports), rendered like rustc's with the line of the file.
fn render_problems(problems: &[import::Located], shown: &str, text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let styled = terminal::stderr_colour();
    problems
        .iter()
        .map(|p| {
            let d = Diagnostic::new(shown, p.pos, p.code, p.message.clone(), p.help.clone());
            let line = lines.get(p.pos.line.saturating_sub(1)).copied();
            match p.level {
                import::Level::Error => crate::emit::diagnostics::render(&d, line, styled),
                import::Level::Warning => crate::emit::diagnostics::render_warning(&d, line, styled),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn run_import(args: ImportArgs) -> Result<u8> {
    let ImportFormat::Oscal { file, output, tower } = args.format;
    // The file the user names: any regular file, read without blocking, at most 64 MiB.
    const LIMIT: u64 = 64 * 1024 * 1024;
    let shown = if file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        display_path(&file)
    };
    let bytes = crate::fs::input::read_named(&file, LIMIT).map_err(|why| fail(format!("{shown}: {why}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        fail(format!(
            "{shown}: not UTF-8 text (byte {}); OSCAL JSON is UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    // The catalogs control ids are looked up in: the built-in ones and the target
    // workspace's. Its scopes are not read, and its packages may name unknown services: both may
    // name the services being imported.
    let ws = if output.is_dir() {
        let (mut ws, _) = Loaded::load_streaming(&output).map_err(fail)?;
        let package_files: Vec<String> = ws.packages.values().map(|p| p.origin.file.to_string()).collect();
        ws.diagnostics
            .retain(|d| !(d.code == crate::model::diagnostic::Code::E010 && package_files.contains(&d.file)));
        if !ws.diagnostics.is_empty() {
            return Err(crate::cli::common::input_failure(&ws, &output, "imported").into());
        }
        ws
    } else {
        Loaded::builtin().map_err(fail)?
    };
    let base = PathBase::for_workspace(&output);
    let tokens = Tokens::new(&ws).map_err(fail)?;
    let source = if file.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        file.file_name()
            .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
    };
    let imported = match import::import(&source, &text, &tokens, tower.as_deref()) {
        Ok(i) => i,
        Err(problems) => {
            let errors = problems.iter().filter(|p| p.level == import::Level::Error).count();
            return Err(Failure::Input(format!(
                "{}\nerror: {shown}: {}; nothing was imported\n",
                render_problems(&problems, &shown, &text),
                counted(errors, "problem", "problems")
            ))
            .into());
        }
    };
    if !imported.warnings.is_empty() {
        terminal::eprintln(&render_problems(&imported.warnings, &shown, &text));
    }
    if imported.services.is_empty() {
        return Err(fail(format!(
            "{shown}: nothing to import: no component of this {} claims a control ctrlmap's catalogs know",
            imported.kind
        )));
    }
    let dir = output.join("services");
    for s in &imported.services {
        let target = dir.join(format!("{}.yaml", s.id));
        if let Some(existing) = ws.services.get(&s.id)
            && ws.root.join(&*existing.origin.file) != target
        {
            return Err(fail(format!(
                "service `{}` already exists in {}; remove it, or import into another workspace",
                s.id,
                base.show(&existing.origin.file)
            )));
        }
        if let Ok(meta) = std::fs::symlink_metadata(&target) {
            let replaceable =
                meta.is_file() && std::fs::read_to_string(&target).is_ok_and(|t| t.starts_with(import::HEADER));
            if !replaceable {
                return Err(fail(format!(
                    "{}: exists and was not written by `ctrlmap import`; it is never replaced (move it away, or import into another workspace)",
                    display_path(&target)
                )));
            }
        }
    }
    ensure_dir(&output)?;
    folders_inside(&output, Path::new("services/x"))?;
    for s in &imported.services {
        crate::cli::write_file(&dir.join(format!("{}.yaml", s.id)), s.yaml.as_bytes())?;
    }
    let mut out = format!(
        "{}: imported {} from the OSCAL {} {shown}{}:\n",
        display_path(&dir),
        count(imported.services.len(), "service"),
        imported.kind,
        if imported.warnings.is_empty() {
            String::new()
        } else {
            format!(" ({} above)", count(imported.warnings.len(), "warning"))
        }
    );
    for s in &imported.services {
        out.push_str(&format!(
            "  {}  {}\n",
            base.show(&format!("services/{}.yaml", s.id)),
            count(s.claims, "control")
        ));
    }
    terminal::print(&out, false)?;
    Ok(0)
}
