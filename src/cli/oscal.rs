//! `ctrlmap export oscal` and `ctrlmap import oscal`: arguments and the glue around the
//! document builders (reading, writing, exit codes).

use crate::cli::Failure;
use crate::emit::oscal::ids::Tokens;
use crate::emit::oscal::{Layout, ScopeInput, scope_documents, workspace_documents};
use crate::emit::terminal;
use crate::emit::{count, counted};
use crate::load::Loaded;
use crate::load::input::display_path;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormat,
}

#[derive(clap::Subcommand, Debug)]
pub enum ExportFormat {
    /// NIST OSCAL: catalogs, the services as a component definition, the crosswalks as
    /// mapping collections, and per scope a profile, a system security plan, assessment
    /// results and (when it has findings) a POA&M.
    Oscal {
        /// Loaded folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Folder to write into (created if needed; files of the same name are replaced).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Date of the documents and of the assessment, YYYY-MM-DD (default: SOURCE_DATE_EPOCH
        /// if set, else today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
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
        /// Loaded to write the services into (`DIR/services/`); its `frameworks/` add to
        /// the catalogs control ids are looked up in.
        #[arg(short, long, value_name = "DIR", default_value = ".")]
        output: PathBuf,
        /// Tower of the imported services, when the document does not say (a component
        /// definition written by ctrlmap does).
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::emit::oscal::import::TOWERS))]
        tower: Option<String>,
    },
}

/// Documents by file name.
type Documents = Vec<(String, Vec<u8>)>;

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

fn write(root: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        ensure_dir(parent)?;
    }
    crate::cli::write_file(&path, bytes)
}

pub fn run_export(args: ExportArgs) -> Result<u8> {
    let ExportFormat::Oscal { path, output, as_of } = args.format;
    let as_of = crate::cli::as_of_date(as_of.as_deref())?;
    if !(1900..=2999).contains(&as_of.year()) {
        return Err(fail(format!(
            "the as-of date {as_of} is outside the years OSCAL dates can hold (1900-2999)"
        )));
    }
    let ws = crate::cli::load_workspace(&path, "exported")?;
    ensure_dir(&output)?;
    Tokens::new(&ws).map_err(fail)?;
    let shared = workspace_documents(&ws, as_of);
    let mut written = shared.len();
    for (rel, bytes) in &shared {
        write(&output, rel, bytes)?;
    }
    let overrides = crate::cli::overrides(&ws);
    let (mut plans, mut poams) = (0usize, 0usize);
    // Scopes in chunks: each chunk's documents are built in parallel, written, and dropped.
    for chunk in ws.scopes.chunks(64) {
        use rayon::prelude::*;
        let docs: Vec<(String, Documents)> = chunk
            .par_iter()
            .map(|scope| {
                let assessment = crate::assess::assess_scope(&ws, scope, &overrides, as_of);
                let input = ScopeInput {
                    ws: &ws,
                    scope,
                    matrix: &assessment.matrix,
                    findings: &assessment.findings,
                    evidence: &assessment.evidence,
                    as_of,
                    layout: Layout::export(),
                };
                (scope.id.clone(), scope_documents(&input))
            })
            .collect();
        for (id, files) in docs {
            plans += 1;
            for (name, bytes) in files {
                poams += usize::from(name == "poam.json");
                write(
                    &output,
                    &format!("scopes/{}/{name}", crate::emit::oscal::file_stem(&id)),
                    &bytes,
                )?;
                written += 1;
            }
        }
    }
    terminal::print(
        &format!(
            "{}: wrote {written} OSCAL files: {}, 1 component definition, {}, {} with profile and assessment results, {} (scopes without findings have none)\n",
            display_path(&output),
            count(ws.frameworks.len(), "catalog"),
            count(ws.crosswalks.len(), "mapping collection"),
            count(plans, "system security plan"),
            counted(poams, "POA&M", "POA&Ms"),
        ),
        false,
    )?;
    Ok(0)
}

pub fn run_import(args: ImportArgs) -> Result<u8> {
    let ImportFormat::Oscal { file, output, tower } = args.format;
    // The file the user names: any regular file, read without blocking, at most 64 MiB.
    const LIMIT: u64 = 64 * 1024 * 1024;
    let shown = display_path(&file);
    let bytes = crate::load::input::read_named(&file, LIMIT).map_err(|why| fail(format!("{shown}: {why}")))?;
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
            return Err(Failure::Input(format!(
                "{}error: {}: {}; nothing was imported\n",
                crate::emit::diagnostics::render_all(&ws.diagnostics, |f| ws.source(f)),
                display_path(&output),
                crate::emit::counted(
                    ws.diagnostics.len(),
                    "problem in the workspace",
                    "problems in the workspace"
                )
            ))
            .into());
        }
        ws
    } else {
        Loaded::builtin().map_err(fail)?
    };
    let tokens = Tokens::new(&ws).map_err(fail)?;
    let source = if file.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        file.file_name()
            .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned())
    };
    let imported = match crate::emit::oscal::import::import(&source, &text, &tokens, tower.as_deref()) {
        Ok(i) => i,
        Err(e) => {
            return Err(Failure::Input(format!(
                "{shown}:{}:{}: error: {}\n",
                e.pos.line, e.pos.column, e.message
            ))
            .into());
        }
    };
    for w in &imported.warnings {
        terminal::eprintln(&format!(
            "{shown}:{}:{}: warning: {}",
            w.pos.line, w.pos.column, w.message
        ));
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
                s.id, existing.origin.file
            )));
        }
        if target.exists() {
            let replaceable =
                std::fs::read_to_string(&target).is_ok_and(|t| t.starts_with(crate::emit::oscal::import::HEADER));
            if !replaceable {
                return Err(fail(format!(
                    "{}: exists and was not written by `ctrlmap import`; it is never replaced (move it away, or import into another workspace)",
                    display_path(&target)
                )));
            }
        }
    }
    ensure_dir(&dir)?;
    for s in &imported.services {
        crate::cli::write_file(&dir.join(format!("{}.yaml", s.id)), s.yaml.as_bytes())?;
    }
    let mut text = format!(
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
        text.push_str(&format!("  services/{}.yaml  {}\n", s.id, count(s.claims, "control")));
    }
    terminal::print(&text, false)?;
    Ok(0)
}
