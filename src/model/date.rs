//! Calendar dates as ctrlmap's inputs and flags write them (`YYYY-MM-DD`): the one parser every
//! layer uses (scopes' evidence, waiver and assessment dates, `--as-of`, `--effective`, OSCAL).
//! Uses only the `time` crate; saying what is wrong with a bad date is the caller's job.

/// The date `text` names when it is written `YYYY-MM-DD` (a real day of the calendar), else `None`.
pub fn parse_ymd(text: &str) -> Option<time::Date> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}
