//! Calendar dates as ctrlmap's inputs and flags write them (`YYYY-MM-DD`): the one parser every
//! layer uses (scopes' evidence, waiver and assessment dates, `--as-of`, `--effective`, OSCAL).
//! Uses only the `time` crate; saying what is wrong with a bad date is the caller's job.

/// The date `text` names when it is written `YYYY-MM-DD` (a real day of the calendar), else `None`.
pub fn parse_ymd(text: &str) -> Option<time::Date> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_ymd;

    #[test]
    fn reads_calendar_days_only() {
        assert_eq!(
            parse_ymd("2024-02-29"),
            time::Date::from_calendar_date(2024, time::Month::February, 29).ok()
        );
        // 2026 is not a leap year; months and days need two digits.
        assert_eq!(parse_ymd("2026-02-29"), None);
        assert_eq!(parse_ymd("2026-1-05"), None);
        assert_eq!(parse_ymd("2026-11-30T00:00:00Z"), None);
        assert_eq!(parse_ymd(""), None);
    }
}
