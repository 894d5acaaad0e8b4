//! The `ctrlmap` binary: parse the arguments, run the command, print the one error, exit.

// Loading and resolving allocate many small strings from two threads; mimalloc spends far
// less time in the allocator than the system's (measured in scripts/bench.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use ctrlmap::cli::{Cli, Failure, dispatch};
use ctrlmap::emit::terminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` are answers (stdout, exit 0); the rest is usage (2).
            let text = e.render().to_string();
            if e.use_stderr() {
                terminal::eprint(&text);
                return ExitCode::from(2);
            }
            let _ = terminal::print(&text, false);
            return ExitCode::SUCCESS;
        }
    };
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if let Some(failure) = e.downcast_ref::<Failure>() {
                terminal::eprint(&failure.report());
                return ExitCode::from(2);
            }
            // A closed pipe is the reader's choice, not an error (see emit::terminal).
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            terminal::eprintln(&format!("error: {e:#}"));
            ExitCode::from(2)
        }
    }
}
