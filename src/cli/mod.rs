//! The command line: one module per command (arguments, the engine's call, the result to
//! emit), and what they share in [`common`]. A command returns its exit code (0, or 1 when
//! its gate fails) or an error; `main` prints the error once and exits 2.

pub mod add_client;
pub mod check;
pub mod choices;
pub mod common;
pub mod completions;
pub mod diff;
pub mod evidence;
pub mod explain;
pub mod frameworks;
pub mod init;
pub(crate) mod lookup;
pub mod matrix;
pub mod oscal;
pub(crate) mod outputs;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod validate;

pub use check::{CheckFormat, Gate};
pub use common::{Levels, PathBase, as_of_date, check_levels, overrides, overrides_with, parse_as_of, workspace_of};
pub(crate) use common::{load_workspace, stop_on_input_problems, stop_on_rule_failures, write_file};
pub use matrix::MatrixFormat;

use crate::emit::terminal;
use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ctrlmap",
    version,
    about = "Map compliance controls to who owns them: MSP, client, shared, third party — and find the gaps.",
    long_about = "ctrlmap reads a workspace of YAML files — the MSP's services (services/), its standard \
engagements (packages/) and the parties it uses for many clients (parties/), one scope per client \
engagement (scopes/), evidence and policies — together with built-in catalogs of NIST CSF 2.0, HIPAA \
(45 CFR Part 164), the FTC Safeguards Rule (16 CFR Part 314) and NY DFS (23 NYCRR Part 500). It resolves \
who is responsible for every applicable control and reports the gaps.\n\n\
Start with `ctrlmap init my-msp --client hipaa --client glba --package`, then `ctrlmap check my-msp`; `ctrlmap add-client my-msp NAME --profile hipaa --package hipaa-standard` adds a client; `ctrlmap scaffold SCOPE_FILE` writes stubs for what is still open.\n\n\
Exit codes: 0 no finding at or above the gate; 1 findings at or above the gate; 2 bad input or usage.",
    after_help = "Examples:\n  ctrlmap check examples/northwind-msp\n  ctrlmap matrix examples/northwind-msp/scopes/riverside-dental.yaml --format markdown\n  ctrlmap explain examples/northwind-msp/scopes/riverside-dental.yaml 'hipaa:164.308(a)(7)(ii)(A)'\n  ctrlmap frameworks show 'hipaa:164.312(a)(2)(iv)'"
)]
pub struct Cli {
    /// Colour: auto (a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it), always
    /// or never.
    #[arg(long, global = true, value_enum, default_value_t = choices::ColorWhen::Auto, value_name = "WHEN")]
    pub color: choices::ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate the workspace and assess every scope: the CI gate.
    ///
    /// Prints a summary per client and every finding. Exits 1 when a finding is at or above
    /// `--fail-on`, 2 when an input file is invalid.
    Check(check::CheckArgs),
    /// Load the workspace and report input problems only (exit 2 if any).
    Validate(validate::ValidateArgs),
    /// Print the responsibility matrix of one scope.
    Matrix(matrix::MatrixArgs),
    /// Explain why a control's row says what it says, with the file and line of each source.
    Explain(explain::ExplainArgs),
    /// List the built-in catalogs, or show one catalog or control.
    Frameworks(frameworks::FrameworksArgs),
    /// Compare two versions of a workspace: responsibility changes per scope and control, new
    /// and fixed findings; a gate with --fail-on-regression.
    Diff(diff::DiffArgs),
    /// Render a document for one scope: the BAA responsibility appendix, the third-party
    /// service provider summary, or a template of the workspace's templates/ folder.
    Render(render::RenderArgs),
    /// Build the auditor's evidence pack of one scope (`pack SCOPE_FILE -o DIR`), or check
    /// one for tampering (`pack verify DIR`).
    Pack(render::PackArgs),
    /// Export the workspace in an interchange format: `export oscal PATH -o DIR`.
    Export(oscal::ExportArgs),
    /// Import a provider's published responsibilities as service files: `import oscal FILE`.
    Import(oscal::ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), generated from these definitions.
    Man,
    /// Create a new workspace, one scope per `--client` profile (hipaa, glba, nydfs,
    /// nydfs-class-a, csf), every applicable control listed for a person to decide.
    Init(init::InitArgs),
    /// Add a client to a workspace: a new scope with its name, profile facts and package
    /// (`add-client WORKSPACE NAME --profile hipaa --package ID`).
    AddClient(add_client::AddClientArgs),
    /// Stubs (`responsible: undecided`) for every unassigned or partly covered control of a
    /// scope, with the catalog text and the candidate owners; `--write` adds them to the file.
    /// `--reconcile` lists (and with `--write` removes) the entries a higher source overrides.
    Scaffold(scaffold::ScaffoldArgs),
    /// Record evidence with its SHA-256 pinned (`evidence add SCOPE_FILE FILE --controls ID…
    /// --owner PARTY`), or pin the hashes of a scope's evidence after a deliberate update
    /// (`evidence pin SCOPE_FILE`).
    Evidence(evidence::EvidenceArgs),
    /// Print an embedded JSON Schema (`schema scope`), or write them all (`schema --write DIR`).
    Schema(schema::SchemaArgs),
}

/// Why a command stopped early. Each is printed once, by `main`, and exits 2.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Bad usage or input, in one sentence that says what to do: printed as `error: …`.
    #[error("{0}")]
    Usage(String),
    /// Input problems already rendered in full (diagnostics with excerpts and the closing
    /// `error:` line): printed as they are.
    #[error("{0}")]
    Input(String),
}

impl Failure {
    /// What `main` prints on standard error.
    pub fn report(&self) -> String {
        match self {
            Failure::Usage(message) => format!("error: {message}\n"),
            Failure::Input(text) => text.clone(),
        }
    }
}

/// A usage mistake as its diagnostic (E022, with the help), printed by `main`, exit 2.
pub(crate) fn usage(d: &crate::model::diagnostic::Diagnostic) -> anyhow::Error {
    Failure::Input(crate::emit::diagnostics::render(d, None, terminal::stderr_colour())).into()
}

/// A usage or input error in one sentence (printed by `main`, exit 2).
pub(crate) fn fail(message: &str) -> anyhow::Error {
    Failure::Usage(message.to_string()).into()
}

/// Run a parsed command: its exit code (0, or 1 when its gate fails) or the error that
/// stopped it.
pub fn dispatch(cli: Cli) -> Result<u8> {
    terminal::set_colour(cli.color.into());
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Validate(args) => validate::run(args),
        Command::Matrix(args) => matrix::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Frameworks(args) => frameworks::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Render(args) => render::run_render(args),
        Command::Pack(args) => render::run_pack(args),
        Command::Export(args) => oscal::run_export(args),
        Command::Import(args) => oscal::run_import(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
        Command::Init(args) => init::run(args),
        Command::AddClient(args) => add_client::run(args),
        Command::Scaffold(args) => scaffold::run(args),
        Command::Evidence(args) => evidence::run(args),
        Command::Schema(args) => schema::run(args),
    }
}

/// Text for people on standard output.
pub(crate) fn out(text: &str) -> Result<()> {
    terminal::print(text, false)?;
    Ok(())
}

/// The whole command line: parse the arguments, run the command, print the one error, and
/// return the exit code (0, 1 when a gate fails, 2 for usage and input errors).
pub fn run() -> u8 {
    use crate::emit::terminal;
    use clap::Parser;
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are answers (stdout, exit 0); the rest is usage (2).
            let text = e.render().to_string();
            if e.use_stderr() {
                terminal::eprint(&text);
                return 2;
            }
            let _ = terminal::print(&text, false);
            return 0;
        }
    };
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(failure) = e.downcast_ref::<Failure>() {
                terminal::eprint(&failure.report());
                return 2;
            }
            // A closed pipe is the reader's choice, not an error (see emit::terminal).
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return 0;
            }
            terminal::eprintln(&format!("error: {e:#}"));
            2
        }
    }
}
