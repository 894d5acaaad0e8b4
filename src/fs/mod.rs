//! Files as ctrlmap may read them, below both `load` and `emit`: the one read policy
//! (`input.rs`: regular files inside a root, bounded, streamed), where a declared evidence
//! file may be (`evidence.rs`), and the built-in files compiled into the binary
//! (`embedded.rs`).
//!
//! May use: nothing else of ctrlmap.

pub mod embedded;
pub mod evidence;
pub mod input;
