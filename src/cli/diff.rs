//! `ctrlmap diff`: load two versions of a workspace, compare them, print the report.

use crate::assess::Severity;
use crate::assess::diff::diff;
use crate::emit::diff::{json, markdown, text};
use crate::load::Loaded;

// ---------------------------------------------------------------------------------------
// The `ctrlmap diff` command
// ---------------------------------------------------------------------------------------

/// Output format of `ctrlmap diff`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

/// Compare two versions of a workspace: who owns what, and the gaps.
///
/// Reports, per scope and control, responsibility changes (moved from MSP to client, became
/// unassigned, a shared control lost a duty) and new and fixed findings. With
/// `--fail-on-regression`, exits 1 when a control became unassigned or a new, unwaived
/// finding is at or above `--fail-on`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git worktree add ../base origin/main\n  ctrlmap diff ../base . --format markdown --fail-on-regression"
)]
pub struct DiffArgs {
    /// The old workspace folder (e.g. a checkout of the base branch).
    pub old_path: std::path::PathBuf,
    /// The new workspace folder.
    pub new_path: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 on a regression: a control that became unassigned, or a new, unwaived finding
    /// at or above `--fail-on`.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Severity at or above which a new finding is a regression. Default: `fail_on` in the
    /// new workspace's ctrlmap.yaml, else high.
    #[arg(long, value_enum)]
    pub fail_on: Option<super::Gate>,
    /// Date to assess both versions as of, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set,
    /// else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// Load one side; input problems are printed with the side's folder and stop with exit 2.
fn load_side(path: &std::path::Path) -> anyhow::Result<Loaded> {
    crate::cli::load_workspace(path, "compared")
}

/// Run `ctrlmap diff`: exit 0, or 1 on a regression with `--fail-on-regression`.
pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let as_of = crate::cli::as_of_date(args.as_of.as_deref())?;
    let old = load_side(&args.old_path)?;
    let new = load_side(&args.new_path)?;
    let min = crate::cli::Gate::of_run(args.fail_on, new.config.fail_on.as_deref()).severity();
    let mut d = diff(&old, &new, as_of);
    crate::cli::stop_on_rule_failures(&new, &d.failures)?;
    // Name the folders as the user gave them.
    d.old = crate::load::input::display_path(&args.old_path);
    d.new = crate::load::input::display_path(&args.new_path);
    let out = match args.format {
        DiffFormat::Text => crate::emit::escape::terminal_text(&text(&d), false),
        DiffFormat::Markdown => crate::emit::escape::terminal_text(&markdown(&d), false),
        DiffFormat::Json => json(&d),
    };
    match &args.output {
        Some(file) => crate::cli::write_file(file, out.as_bytes())?,
        None => crate::emit::terminal::print_raw(out.as_bytes())?,
    }
    if args.fail_on_regression && d.is_regression(min) {
        let unassigned = d.totals.became_unassigned;
        let new_at_gate: usize = d
            .scopes
            .iter()
            .flat_map(|s| &s.new_findings)
            .filter(|f| f.waived.is_none() && min.is_some_and(|m| f.severity >= m))
            .count();
        crate::emit::terminal::eprintln(&format!(
            "regression: {unassigned} control(s) became unassigned, {new_at_gate} new finding(s) at or above `{}`",
            min.map(Severity::as_str).unwrap_or("none")
        ));
        return Ok(1);
    }
    Ok(0)
}
