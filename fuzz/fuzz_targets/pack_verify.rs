//! `pack verify` on any bytes as a pack zip (issue 21): never panics, never reads past what a
//! zip's own lists declare. Seed the corpus with a real pack zip (`ctrlmap pack … --zip`) and
//! the hostile zips of tests/support/hostile_zip.rs (forged duplicates, shared-body bombs,
//! names that are not UTF-8 or hold a newline, links).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ctrlmap-fuzz-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch().join("case.zip");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let report = ctrlmap::emit::pack::verify_path(&path, None);
    // Whatever the bytes, the report is one of: not a pack, failed, or OK with its digest.
    assert!(report.not_a_pack.is_some() || !report.ok() || report.digest.is_some());
});
