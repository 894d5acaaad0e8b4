//! `ctrlmap matrix`: the responsibility matrix of one scope.

use super::common::{load_scope, write_file};
use crate::emit;
use crate::emit::terminal;
use crate::resolve;
use anyhow::Result;
use clap::ValueEnum;
use std::path::PathBuf;

/// Print the responsibility matrix of one scope.
#[derive(clap::Args, Debug)]
pub struct MatrixArgs {
    /// The scope file, e.g. scopes/riverside-dental.yaml (its workspace is found from it).
    pub scope_file: PathBuf,
    #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
    pub format: MatrixFormat,
    /// Only this framework, e.g. hipaa.
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

pub fn run(args: MatrixArgs) -> Result<u8> {
    let MatrixArgs {
        scope_file,
        format,
        framework,
        output,
    } = args;
    let (ws, scope_idx) = load_scope(&scope_file, "matrix")?;
    super::outputs::refuse_bad_output(&ws, output.as_deref(), "matrix")?;
    let scope = &ws.scopes[scope_idx];
    let mut matrix = resolve::resolve(&ws, scope);
    if let Some(typed) = framework {
        // An alias (`glba`) is read as the framework's id and printed in full.
        let fw = super::lookup::framework_id(&ws, &typed).map_err(|d| super::usage(&d))?;
        if !matrix.frameworks.iter().any(|f| f.id == fw) {
            let known: Vec<&str> = matrix.frameworks.iter().map(|f| f.id.as_str()).collect();
            let why = matrix
                .exclusion(&fw)
                .map(|x| format!(" ({})", x.sentence()))
                .unwrap_or_default();
            return Err(super::usage(&crate::model::diagnostic::Diagnostic::on_command_line(
                crate::model::diagnostic::Code::E022,
                format!("framework `{fw}` does not apply to scope `{}`{why}", scope.id),
                format!("its frameworks: {}", known.join(", ")),
            )));
        }
        matrix = emit::filter_framework(&matrix, &fw);
    }
    let human = matches!(format, MatrixFormat::Text | MatrixFormat::Markdown);
    let text = match format {
        MatrixFormat::Text => emit::matrix_text(&matrix),
        MatrixFormat::Markdown => emit::matrix_markdown(&matrix),
        MatrixFormat::Csv => emit::matrix_csv(&matrix),
        MatrixFormat::Json => emit::matrix_json(&matrix),
    };
    let text = if human {
        crate::emit::escape::terminal_text(&text, false)
    } else {
        text
    };
    match output {
        Some(file) => write_file(&file, text.as_bytes())?,
        None => terminal::print_raw(text.as_bytes())?,
    }
    Ok(0)
}
