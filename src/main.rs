//! The `ctrlmap` binary: all the work is in the library.

// Loading and resolving allocate many small strings from two threads; mimalloc spends far
// less time in the allocator than the system's (measured in scripts/bench.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    ctrlmap::cli::run()
}
