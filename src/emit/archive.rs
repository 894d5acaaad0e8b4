//! Zip entries ctrlmap writes (the evidence pack's `--zip`, a .docx): the same options for every
//! entry so the same inputs give the same bytes. Uses nothing of ctrlmap.

/// Options of every entry of a zip ctrlmap writes (the pack's `--zip`, a docx): deflated, the
/// as-of date as its time (zip holds 1980–2107), mode 0644, so the same inputs give the same bytes.
pub(crate) fn zip_entry_options(as_of: time::Date) -> zip::write::SimpleFileOptions {
    let year = u16::try_from(as_of.year().clamp(1980, 2107)).unwrap_or(1980);
    let stamp =
        zip::DateTime::from_date_and_time(year, u8::from(as_of.month()), as_of.day(), 0, 0, 0).unwrap_or_default();
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644)
}
