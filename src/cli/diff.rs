//! `ctrlmap diff`: load two versions of a workspace, compare them, print the report.

use crate::assess::Severity;
use crate::assess::diff::{Diff, DiffBuilder, Pair, changed_shared, shared_inputs_same};
use crate::cli::{fail, stop_on_input_problems};
use crate::emit::diff::{json, markdown, text};
use crate::fs::input::display_path;
use crate::load::{Loaded, ScopeFile};
use crate::model::Scope;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

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

/// Scope files loaded at a time on each side, as `check` streams them.
const BATCH: usize = 64;

/// A scope file of either side, by its place in the workspace.
type Side<'a> = Option<&'a ScopeFile>;

/// The scope files of both sides side by side: a file at the same place in both is one pair.
/// Each side keeps its own order (the order `check` loads it in), so loading one side a batch
/// at a time reports the same problems, in the same words, as loading it whole.
fn pair_files<'a>(
    old_root: &Path,
    old: &'a [ScopeFile],
    new_root: &Path,
    new: &'a [ScopeFile],
) -> Vec<(Side<'a>, Side<'a>)> {
    // The walk sorts each folder's entries by name: comparing paths component by component
    // is that order.
    let place = |root: &Path, f: &ScopeFile| -> PathBuf {
        f.1.strip_prefix(root)
            .map_or_else(|_| PathBuf::from(&f.0), Path::to_path_buf)
    };
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(o), Some(n)) => place(old_root, o).cmp(&place(new_root, n)),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                out.push((old.get(i), None));
                i += 1;
            }
            Ordering::Greater => {
                out.push((None, new.get(j)));
                j += 1;
            }
            Ordering::Equal => {
                out.push((old.get(i), new.get(j)));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Scope files whose scope was not at the same place with the same id on the other side
/// (added, removed, moved to another file, or given another id), by scope id.
#[derive(Default)]
struct Unpaired {
    old: BTreeMap<String, ScopeFile>,
    new: BTreeMap<String, ScopeFile>,
}

/// Load both sides and compare them, a batch of scope files at a time, keeping only the
/// differences: memory holds two workspaces without their scopes, one batch, and the diff.
/// Scopes at the same place with the same id on both sides (almost all of them) are compared
/// as they are loaded; the others are matched by id afterwards and loaded again. Input
/// problems stop the command as when each side is loaded whole: the old side's first.
fn compare(old_path: &Path, new_path: &Path, as_of: time::Date) -> anyhow::Result<(Loaded, Diff)> {
    let options = crate::load::LoadOptions::default();
    let (mut old, old_files) = Loaded::load_streaming_with(old_path, options).map_err(|msg| fail(&msg))?;
    let (mut new, new_files) = match Loaded::load_streaming_with(new_path, options) {
        Ok(loaded) => loaded,
        Err(msg) => {
            for chunk in old_files.chunks(BATCH) {
                old.load_scopes(chunk);
            }
            stop_on_input_problems(&mut old, old_path, "compared")?;
            return Err(fail(&msg));
        }
    };
    // Asked before any scope file is recorded as an input.
    let shared_same = shared_inputs_same(&old, &new);
    let mut builder = DiffBuilder::default();
    let (packages, parties) = changed_shared(&old, &new);
    builder.shared_changes(packages, parties);
    let mut unpaired = Unpaired::default();
    for batch in pair_files(old_path, &old_files, new_path, &new_files).chunks(BATCH) {
        let old_batch: Vec<ScopeFile> = batch.iter().filter_map(|(o, _)| o.cloned()).collect();
        let new_batch: Vec<ScopeFile> = batch.iter().filter_map(|(_, n)| n.cloned()).collect();
        let olds = old.load_scopes(&old_batch);
        let news = new.load_scopes(&new_batch);
        if !old.diagnostics.is_empty() || !new.diagnostics.is_empty() {
            continue; // keep loading to report every problem, but compare nothing
        }
        let new_at: HashMap<&str, &Scope> = news.iter().map(|s| (&*s.origin.file, s)).collect();
        let mut paired: HashSet<&str> = HashSet::new();
        let mut pairs: Vec<Pair> = Vec::new();
        for o in &olds {
            match new_at.get(&*o.origin.file).filter(|n| n.id == o.id) {
                Some(n) => {
                    paired.insert(&*n.origin.file);
                    pairs.push((Some(o), Some(n)));
                }
                None => {
                    if let Some(f) = old_batch.iter().find(|f| *f.0 == *o.origin.file) {
                        unpaired.old.insert(o.id.clone(), f.clone());
                    }
                }
            }
        }
        for n in news.iter().filter(|n| !paired.contains(&*n.origin.file)) {
            if let Some(f) = new_batch.iter().find(|f| *f.0 == *n.origin.file) {
                unpaired.new.insert(n.id.clone(), f.clone());
            }
        }
        builder.compare(&old, &new, &pairs, shared_same, as_of);
    }
    stop_on_input_problems(&mut old, old_path, "compared")?;
    stop_on_input_problems(&mut new, new_path, "compared")?;
    let ids: Vec<&String> = unpaired
        .old
        .keys()
        .chain(unpaired.new.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for chunk in ids.chunks(BATCH) {
        let old_batch: Vec<ScopeFile> = chunk.iter().filter_map(|id| unpaired.old.get(*id).cloned()).collect();
        let new_batch: Vec<ScopeFile> = chunk.iter().filter_map(|id| unpaired.new.get(*id).cloned()).collect();
        let olds = old.reload_scopes(&old_batch);
        let news = new.reload_scopes(&new_batch);
        let old_by_id: HashMap<&str, &Scope> = olds.iter().map(|s| (s.id.as_str(), s)).collect();
        let new_by_id: HashMap<&str, &Scope> = news.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut pairs: Vec<Pair> = Vec::with_capacity(chunk.len());
        for id in chunk {
            let o = old_by_id.get(id.as_str()).copied();
            let n = new_by_id.get(id.as_str()).copied();
            if o.is_some() != unpaired.old.contains_key(*id) || n.is_some() != unpaired.new.contains_key(*id) {
                return Err(fail(&format!(
                    "the scope `{id}` changed on disk while the workspaces were compared; run the comparison again"
                )));
            }
            pairs.push((o, n));
        }
        builder.compare(&old, &new, &pairs, shared_same, as_of);
    }
    // Name the folders as the user gave them.
    let d = builder.finish(display_path(old_path), display_path(new_path), as_of);
    Ok((new, d))
}

/// Run `ctrlmap diff`: exit 0, or 1 on a regression with `--fail-on-regression`.
pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let as_of = crate::cli::as_of_date(args.as_of.as_deref())?;
    let (new, d) = compare(&args.old_path, &args.new_path, as_of)?;
    crate::cli::outputs::refuse_bad_output(&new, args.output.as_deref(), "diff")?;
    let min = crate::cli::Gate::of_run(args.fail_on, new.config.fail_on.as_deref()).severity();
    crate::cli::stop_on_rule_failures(&new, &d.failures)?;
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
            .filter(|f| f.fails_gate(min, None))
            .count();
        crate::emit::terminal::eprintln(&format!(
            "regression: {} unassigned, {} at or above `{}`",
            crate::emit::counted(unassigned, "control became", "controls became"),
            crate::emit::count(new_at_gate, "new finding"),
            min.map(Severity::as_str).unwrap_or("none")
        ));
        return Ok(1);
    }
    Ok(0)
}
