//! The `ctrlmap` binary: all the work is in the library.

fn main() -> std::process::ExitCode {
    ctrlmap::cli::run()
}
