//! The `render` and `pack` commands: their arguments (clap) and the glue between loading a
//! scope and writing a document. User-facing errors go to standard error; the exit code is
//! 0 when all went well, 1 when `pack verify` finds a difference, 2 for bad input or usage.

use crate::cli::{Failure, as_of_date, fail, stop_on_rule_failures};
use crate::emit::documents::{Audience, DocumentOptions, Format, RenderError};
use crate::load::Loaded;
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `ctrlmap render …`
#[derive(clap::Args, Debug)]
#[command(
    override_usage = "ctrlmap render baa-appendix SCOPE_FILE [--format markdown|html|docx] [--audience internal|counterparty] [--draft] [--paper letter|a4] [-o FILE] [--as-of DATE]\n       \
                      ctrlmap render tpsp-summary SCOPE_FILE [--format markdown|html|docx] [--audience internal|counterparty] [--draft] [--paper letter|a4] [-o FILE] [--as-of DATE]\n       \
                      ctrlmap render TEMPLATE SCOPE_FILE [-o FILE] [--as-of DATE]",
    after_help = "TEMPLATE is a file of the workspace's templates/ folder (minijinja; a file with the name of a built-in \
template replaces it), or its name without extensions when that is unique. docs/documents.md lists the variables a template \
can use; an undefined one is an error with the template's file and line.\n\n\
Examples (from the repository's root):\n  \
ctrlmap render baa-appendix examples/northwind-msp/scopes/riverside-dental.yaml --format html -o baa-appendix.html\n  \
ctrlmap render baa-appendix examples/northwind-msp/scopes/riverside-dental.yaml --audience counterparty --format docx -o baa-appendix.docx\n  \
ctrlmap render tpsp-summary examples/northwind-msp/scopes/hudson-valley-insurance.yaml\n  \
ctrlmap render client-letter examples/northwind-msp/scopes/riverside-dental.yaml -o letter.md    # examples/northwind-msp/templates/client-letter.md.j2"
)]
pub struct RenderArgs {
    #[command(subcommand)]
    pub document: RenderDocument,
}

#[derive(Subcommand, Debug)]
pub enum RenderDocument {
    /// The Business Associate Agreement responsibility appendix of a HIPAA scope: every
    /// Security Rule standard and implementation specification with the responsible party,
    /// breach reporting terms, subcontractor flow-down and open gaps.
    BaaAppendix(DocumentArgs),
    /// The third-party service provider summary of a NY DFS or GLBA scope: services, the
    /// MSP's controls, 23 NYCRR 500.11(b) and 16 CFR 314.4(f) point by point, and gaps.
    TpspSummary(DocumentArgs),
    /// Any other name is a template: `ctrlmap render TEMPLATE SCOPE_FILE [-o FILE]`, looked
    /// up in the workspace's `templates/` folder, then among the built-in templates.
    #[command(external_subcommand)]
    Template(Vec<OsString>),
}

#[derive(clap::Args, Debug)]
pub struct DocumentArgs {
    /// The scope file, e.g. scopes/riverside-dental.yaml (its workspace is found from it).
    pub scope_file: PathBuf,
    /// Output format (`docx`: a Word document, written with `-o FILE`).
    #[arg(long, value_enum, default_value_t = DocumentFormat::Markdown)]
    pub format: DocumentFormat,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Date the open gaps are judged on, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set, else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Who the document is for: `internal` (finding codes, workspace paths, what to fix) or
    /// `counterparty` (the copy the other party signs: the terms and the points still to
    /// agree). A counterparty copy of a scope whose assessment fails the gate is refused
    /// (exit 1, the findings listed) unless it is a draft.
    #[arg(long, value_enum, default_value_t = super::choices::Audience::Internal)]
    pub audience: super::choices::Audience,
    /// Mark every page "DRAFT — terms to be agreed" and list the findings that fail the gate
    /// among the points to be agreed (also set by the scope's `provider.draft`).
    #[arg(long)]
    pub draft: bool,
    /// Paper size of the Word document (`--format docx`).
    #[arg(long, value_enum, default_value_t = super::choices::Paper::Letter)]
    pub paper: super::choices::Paper,
}

/// The formats of the built-in documents.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentFormat {
    Markdown,
    Html,
    /// A Word document (Office Open XML), written with `-o FILE`.
    Docx,
}

/// `ctrlmap render TEMPLATE SCOPE_FILE [-o FILE] [--as-of DATE]`, parsed from the words
/// after `render` when they name no built-in document.
#[derive(Parser, Debug)]
#[command(
    name = "ctrlmap render",
    about = "Render a template of the workspace (templates/) or a built-in one for a scope."
)]
pub struct TemplateArgs {
    /// Template file name, e.g. client-letter.md.j2 (or `client-letter` when that is unique).
    pub template: String,
    /// The scope file.
    pub scope_file: PathBuf,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The context's `as_of`, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set, else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// `ctrlmap pack SCOPE_FILE -o DIR [--zip] [--as-of DATE]` and `ctrlmap pack verify DIR`.
#[derive(clap::Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Examples:\n  ctrlmap pack scopes/riverside-dental.yaml -o packs/riverside-2026-11 --zip --as-of 2026-11-30 --sign ~/.ssh/ctrlmap_pack_ed25519\n  ctrlmap pack verify packs/riverside-2026-11 --signers allowed_signers\n  ctrlmap pack verify packs/riverside-2026-11.zip --expect <digest recorded at hand-over>\n  (cd packs/riverside-2026-11 && ssh-keygen -Y verify -f allowed_signers -I auditor@example.com -n ctrlmap-pack -s SHA256SUMS.sig < SHA256SUMS && sha256sum -c SHA256SUMS)"
)]
pub struct PackArgs {
    #[command(subcommand)]
    pub action: Option<PackAction>,
    /// The scope file, e.g. scopes/riverside-dental.yaml.
    #[arg(required = true)]
    pub scope_file: Option<PathBuf>,
    /// The pack folder to write. An existing pack there is replaced only once the new one is
    /// complete; a folder that is not a pack is never touched.
    #[arg(short, long, value_name = "DIR", required = true)]
    pub output: Option<PathBuf>,
    /// Also write DIR.zip, byte-for-byte reproducible.
    #[arg(long)]
    pub zip: bool,
    /// Sign SHA256SUMS with this OpenSSH private key (Ed25519 or ECDSA, without a passphrase)
    /// into SHA256SUMS.sig, as `ssh-keygen -Y sign -n ctrlmap-pack` would.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Date evidence age, freshness and waivers are judged on, YYYY-MM-DD (default:
    /// SOURCE_DATE_EPOCH if set, else today). Also the timestamp of the zip entries.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The assessment record: period, preparer, reviewer.
    #[command(flatten)]
    pub record: Box<RecordArgs>,
}

/// The assessment an evidence pack records; each flag replaces the scope's `assessment:` part.
#[derive(clap::Args, Debug, Default)]
pub struct RecordArgs {
    /// First day of the period the assessment covers, YYYY-MM-DD (else the scope's
    /// `assessment.period.from`).
    #[arg(long, value_name = "DATE", requires = "period_to")]
    pub period_from: Option<String>,
    /// Last day of the period the assessment covers, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "period_from")]
    pub period_to: Option<String>,
    /// Who prepared the assessment (else the scope's `assessment.prepared_by`).
    #[arg(long, value_name = "NAME")]
    pub prepared_by: Option<String>,
    /// The preparer's role.
    #[arg(long, value_name = "ROLE", requires = "prepared_by")]
    pub prepared_by_role: Option<String>,
    /// When it was prepared, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "prepared_by")]
    pub prepared_on: Option<String>,
    /// Who reviewed the assessment (else the scope's `assessment.reviewed_by`).
    #[arg(long, value_name = "NAME")]
    pub reviewed_by: Option<String>,
    /// The reviewer's role.
    #[arg(long, value_name = "ROLE", requires = "reviewed_by")]
    pub reviewed_by_role: Option<String>,
    /// When it was reviewed, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "reviewed_by")]
    pub reviewed_on: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum PackAction {
    /// Recompute every hash of a pack (a folder, or the zip `pack --zip` wrote), check its
    /// structure, its evidence against the pins of the copied scope and its signature, and
    /// report what is changed, added or removed (exit 1); exit 2 when the path is not a pack
    /// at all or the signers file cannot be read.
    Verify {
        /// The pack folder (holding SHA256SUMS), or its zip.
        dir: PathBuf,
        /// The pack digest (SHA-256 of SHA256SUMS) recorded when the pack was handed over: a
        /// pack with any other digest fails (exit 1).
        #[arg(long, value_name = "DIGEST")]
        expect: Option<String>,
        /// An OpenSSH allowed-signers file (`PRINCIPAL KEYTYPE BASE64KEY` per line): the pack
        /// must carry SHA256SUMS.sig made by one of these keys for namespace ctrlmap-pack.
        #[arg(long, value_name = "FILE")]
        signers: Option<PathBuf>,
    },
}

/// Run `ctrlmap render …`.
pub fn run_render(args: RenderArgs) -> Result<u8> {
    match args.document {
        RenderDocument::BaaAppendix(a) => document(&a, Document::Baa),
        RenderDocument::TpspSummary(a) => document(&a, Document::Tpsp),
        RenderDocument::Template(words) => {
            let a = match TemplateArgs::try_parse_from(std::iter::once(OsString::from("ctrlmap render")).chain(words)) {
                Ok(a) => a,
                Err(e) => {
                    let text = e.render().to_string();
                    return if e.use_stderr() {
                        Err(Failure::Input(text).into())
                    } else {
                        crate::emit::terminal::print(&text, false)?;
                        Ok(0)
                    };
                }
            };
            let as_of = as_of_date(a.as_of.as_deref())?;
            let (ws, i) = load_scope(&a.scope_file)?;
            crate::cli::outputs::refuse_bad_output(&ws, a.output.as_deref(), "render")?;
            let scope = &ws.scopes[i];
            let name = crate::emit::documents::templates::find(&ws, &a.template).map_err(user_error)?;
            let assessment = crate::assess::assess_scope(&ws, scope, &crate::cli::overrides(&ws), as_of);
            stop_on_rule_failures(&ws, &assessment.failures)?;
            let text = crate::emit::documents::render_template(&ws, scope, &assessment, &name);
            let markdown = name.trim_end_matches(".j2").ends_with(".md");
            write_out(text, a.output.as_deref(), markdown)
        }
    }
}

#[derive(Clone, Copy)]
enum Document {
    Baa,
    Tpsp,
}

fn document(a: &DocumentArgs, which: Document) -> Result<u8> {
    let format = match a.format {
        DocumentFormat::Markdown => Some(Format::Markdown),
        DocumentFormat::Html => Some(Format::Html),
        DocumentFormat::Docx => None,
    };
    if format.is_none() && a.output.is_none() {
        return Err(fail(
            "--format docx writes a binary file: give it one with -o FILE, e.g. -o baa-appendix.docx",
        ));
    }
    let as_of = as_of_date(a.as_of.as_deref())?;
    let (ws, i) = load_scope(&a.scope_file)?;
    crate::cli::outputs::refuse_bad_output(&ws, a.output.as_deref(), "render")?;
    let scope = &ws.scopes[i];
    let assessment = crate::assess::assess_scope(&ws, scope, &crate::cli::overrides(&ws), as_of);
    stop_on_rule_failures(&ws, &assessment.failures)?;
    let gate = crate::cli::check::Gate::of_run(None, ws.config.fail_on.as_deref());
    let options = DocumentOptions {
        audience: a.audience.into(),
        draft: a.draft || scope.provider.draft,
        gate: gate.severity(),
    };
    // The other party's copy of terms the gate rejects is not a document to sign: refused,
    // with the findings, unless it is marked as a draft.
    if options.audience == Audience::Counterparty && !options.draft {
        let failing: Vec<&crate::assess::Finding> = assessment
            .findings
            .iter()
            .filter(|f| f.fails_gate(gate.severity(), None))
            .collect();
        if !failing.is_empty() {
            let base = crate::cli::common::PathBase::for_workspace(&ws.root);
            let mut text = format!(
                "error: the counterparty copy of the {} is refused: the assessment of scope `{}` fails the gate (`{}`) with {}:\n",
                match which {
                    Document::Baa => "BAA appendix",
                    Document::Tpsp => "service provider summary",
                },
                scope.id,
                gate.severity().map_or("none", |s| s.as_str()),
                crate::emit::count(failing.len(), "finding")
            );
            for f in failing {
                let mut shown = f.clone();
                shown.file = base.show(&f.file).into();
                text.push_str(&format!("  {}\n", crate::emit::escape::terminal_line(&shown.cite(""))));
            }
            text.push_str("Fix them, or render a draft with --draft: every page is then marked \"DRAFT — terms to be agreed\" and the findings are listed as points to be agreed.\n");
            crate::emit::terminal::eprint(&text);
            return Ok(1);
        }
    }
    let Some(format) = format else {
        let ctx = match which {
            Document::Baa => crate::emit::documents::baa_context_with(&ws, scope, &assessment, &options),
            Document::Tpsp => crate::emit::documents::tpsp_context_with(&ws, scope, &assessment, &options),
        }
        .map_err(user_error)?;
        let doc = match which {
            Document::Baa => ctx.baa.as_ref().and_then(|b| b.document.as_ref()),
            Document::Tpsp => ctx.tpsp.as_ref().and_then(|t| t.document.as_ref()),
        }
        .ok_or_else(|| fail("the document could not be built"))?;
        let bytes = crate::emit::documents::docx::write(doc, a.paper.into(), as_of).map_err(user_error)?;
        if let Some(output) = a.output.as_deref() {
            crate::cli::write_file(output, &bytes)?;
        }
        return Ok(0);
    };
    let text = match which {
        Document::Baa => crate::emit::documents::baa_appendix_with(&ws, scope, &assessment, format, &options),
        Document::Tpsp => crate::emit::documents::tpsp_summary_with(&ws, scope, &assessment, format, &options),
    };
    write_out(text, a.output.as_deref(), format == Format::Markdown)
}

/// Write a document to `-o FILE` or standard output. Markdown also gets the last pass of
/// terminal text (no control characters, no line a CI log would run as a command) wherever it
/// goes; any document printed to standard output gets it, since a terminal or a CI log reads
/// it (HTML escaping does not neutralise an escape sequence or a `::error::` line).
fn write_out(text: Result<String, RenderError>, output: Option<&Path>, markdown: bool) -> Result<u8> {
    let text = text.map_err(user_error)?;
    let text = if markdown || output.is_none() {
        crate::emit::escape::terminal_text(&text, false)
    } else {
        text
    };
    match output {
        Some(file) => crate::cli::write_file(file, text.as_bytes())?,
        None => crate::emit::terminal::print_raw(text.as_bytes())?,
    }
    Ok(0)
}

fn user_error(e: RenderError) -> anyhow::Error {
    fail(&e.to_string())
}

/// Run `ctrlmap pack …`.
pub fn run_pack(args: PackArgs) -> Result<u8> {
    if let Some(PackAction::Verify { dir, expect, signers }) = args.action {
        if let Some(d) = &expect
            && !(d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(fail(&format!(
                "--expect `{d}` is not a pack digest: give the 64 hex digits `ctrlmap pack` printed"
            )));
        }
        let signers = match signers.as_deref().map(crate::emit::pack::AllowedSigners::read) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => return Err(fail(&format!("--signers {e}"))),
        };
        let now = now_unix();
        let report = crate::emit::pack::verify_with(
            &dir,
            &crate::emit::pack::VerifyOptions {
                expect: expect.as_deref(),
                signers: signers.as_ref(),
                now,
            },
        );
        if let Some(why) = &report.not_a_pack {
            return Err(fail(why));
        }
        crate::emit::terminal::print(&format!("{report}\n"), false)?;
        return Ok(if report.ok() { 0 } else { 1 });
    }
    let (Some(scope_file), Some(out)) = (args.scope_file.clone(), args.output.clone()) else {
        return Err(fail(
            "give a scope file and an output folder: ctrlmap pack SCOPE_FILE -o DIR",
        ));
    };
    let as_of = as_of_date(args.as_of.as_deref())?;
    let key = match args.sign.as_deref().map(crate::emit::pack::SigningKey::read) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(why)) => return Err(fail(&why)),
    };
    let (ws, i) = load_scope(&scope_file)?;
    let scope = &ws.scopes[i];
    // A custom rule that fails must stop the run before anything is written.
    let assessment = crate::assess::assess_scope(&ws, scope, &crate::cli::overrides(&ws), as_of);
    stop_on_rule_failures(&ws, &assessment.failures)?;
    let record = assessment_record(scope, &args.record)?;
    let outcome = crate::emit::pack::pack_signed(&ws, scope, &assessment, &record, as_of, &out, args.zip, key.as_ref())
        .map_err(user_error)?;
    for why in &outcome.skipped {
        crate::emit::terminal::eprintln(&format!("warning: evidence not copied: {why}"));
    }
    let shown = |p: &Path| crate::fs::input::display_path(p);
    let zip = outcome
        .zip
        .as_ref()
        .map(|z| format!(" and {}", shown(z)))
        .unwrap_or_default();
    crate::emit::terminal::print(
        &format!(
            "wrote {}{zip}: {} files, as of {as_of}\npack digest (SHA-256 of SHA256SUMS): {}\n{}check it with `ctrlmap pack verify {}{}`\n",
            shown(&outcome.dir),
            outcome.files,
            outcome.digest,
            key.as_ref()
                .map(|k| {
                    let s = k.signer();
                    format!("signed: SHA256SUMS.sig by the {} key {}\n", s.algorithm, s.fingerprint)
                })
                .unwrap_or_default(),
            shown(&outcome.dir),
            if key.is_some() {
                " --signers allowed_signers"
            } else {
                ""
            }
        ),
        false,
    )?;
    Ok(0)
}

/// The moment an allowed signer's `valid-after` / `valid-before` is judged at, in Unix
/// seconds: SOURCE_DATE_EPOCH when it is set (as for every date ctrlmap injects), else now.
fn now_unix() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|e| e.trim().parse::<i64>().ok())
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp())
}

/// The assessment record of a pack: the scope's `assessment:`, each part replaced by its flags.
fn assessment_record(scope: &crate::model::Scope, args: &RecordArgs) -> Result<crate::model::AssessmentRecord> {
    let date = |flag: &str, value: &Option<String>| -> Result<Option<String>> {
        match value {
            None => Ok(None),
            Some(text) => crate::model::date::parse_ymd(text)
                .map(|_| Some(text.clone()))
                .ok_or_else(|| {
                    fail(&format!(
                        "--{flag} `{text}` is not a date: write YYYY-MM-DD, e.g. 2026-11-30"
                    ))
                }),
        }
    };
    let mut record = scope.assessment.clone().unwrap_or_default();
    if let (Some(from), Some(to)) = (
        date("period-from", &args.period_from)?,
        date("period-to", &args.period_to)?,
    ) {
        if to < from {
            return Err(fail(&format!("--period-to {to} is before --period-from {from}")));
        }
        record.period = Some(crate::model::Period { from, to });
    }
    if let Some(name) = &args.prepared_by {
        record.prepared_by = Some(crate::model::Signatory {
            name: name.clone(),
            role: args.prepared_by_role.clone(),
            date: date("prepared-on", &args.prepared_on)?,
        });
    }
    if let Some(name) = &args.reviewed_by {
        record.reviewed_by = Some(crate::model::Signatory {
            name: name.clone(),
            role: args.reviewed_by_role.clone(),
            date: date("reviewed-on", &args.reviewed_on)?,
        });
    }
    Ok(record)
}

/// Load a scope file and what it needs; input problems are printed and stop with exit 2.
fn load_scope(scope_file: &Path) -> Result<(Loaded, usize)> {
    crate::cli::common::load_scope_for(scope_file, "render", "rendered")
}
