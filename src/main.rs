//! The `ctrlmap` binary: run the command line ([`ctrlmap::cli::run`]) and exit with its code.

// Loading and resolving allocate many small strings from two threads; mimalloc spends far
// less time in the allocator than the system's (measured in scripts/bench.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(ctrlmap::cli::run())
}
