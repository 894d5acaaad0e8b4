//! Text shortened to fit a line, a column or a message limit: the one rule every output uses
//! to cut text and mark the cut with `…`. Lengths are counted in characters (Unicode scalar
//! values), so a cut never splits a character, whatever its width in bytes.

/// The mark that ends shortened text.
pub const ELLIPSIS: char = '…';

/// `text` in at most `max` characters: whole when it fits; else its first `max - 1`
/// characters as they are and `…` (a cut that falls after a space keeps it: `Risk …` says the
/// word before the mark is whole, `Risk…` that it was cut).
///
/// `shorten("Security management process", 12)` is `Security ma…`.
pub fn shorten(text: &str, max: usize) -> String {
    if text.char_indices().nth(max).is_none() {
        return text.to_string();
    }
    let Some(keep) = max.checked_sub(1) else {
        return String::new();
    };
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let mut out = text[..end].to_string();
    out.push(ELLIPSIS);
    out
}

/// `text` cut between words: whole when it has at most `max` characters; else the words (split
/// at single spaces, as in text already on one line) that fit in `max` characters, then ` …`.
/// A first word longer than `max` is cut inside it, as [`shorten`] does, so some text is
/// always kept.
///
/// `shorten_at_word("one two three", 9)` is `one two …`.
pub fn shorten_at_word(text: &str, max: usize) -> String {
    if text.char_indices().nth(max).is_none() {
        return text.to_string();
    }
    let mut kept = String::new();
    let mut kept_chars = 0;
    for word in text.split(' ') {
        let chars = word.chars().count();
        let needed = if kept.is_empty() { chars } else { kept_chars + 1 + chars };
        if needed > max {
            break;
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
        kept_chars = needed;
    }
    if kept.trim().is_empty() {
        return shorten(text, max);
    }
    kept.push(' ');
    kept.push(ELLIPSIS);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_fits_is_kept_whole() {
        assert_eq!(shorten("abcde", 5), "abcde");
        assert_eq!(shorten("abcde", 6), "abcde");
        assert_eq!(shorten("", 0), "");
        assert_eq!(shorten_at_word("one two", 7), "one two");
    }

    #[test]
    fn text_one_character_too_long_keeps_max_characters_with_the_ellipsis() {
        assert_eq!(shorten("abcdef", 5), "abcd…");
        assert_eq!(shorten("abcdef", 5).chars().count(), 5);
        assert_eq!(shorten("abcdef", 1), "…");
        assert_eq!(shorten("abcdef", 0), "");
    }

    #[test]
    fn multi_byte_characters_are_counted_as_one_and_never_split() {
        // `é` is two bytes, `𝔸` four, `🛡` four: the limit counts characters.
        assert_eq!(shorten("éééé", 4), "éééé");
        assert_eq!(shorten("ééééé", 4), "ééé…");
        assert_eq!(shorten("𝔸𝔸𝔸🛡🛡", 4), "𝔸𝔸𝔸…");
        assert_eq!(shorten("“quoted” text", 9), "“quoted”…");
    }

    #[test]
    fn a_cut_after_a_space_keeps_the_space_before_the_mark() {
        assert_eq!(shorten("Risk analysis", 6), "Risk …");
        assert_eq!(shorten("Risk analysis", 5), "Risk…");
    }

    #[test]
    fn a_word_cut_keeps_whole_words_and_marks_the_cut() {
        assert_eq!(shorten_at_word("one two three four", 9), "one two …");
        assert_eq!(shorten_at_word("one two three four", 13), "one two three …");
        assert_eq!(shorten_at_word("one two three four", 12), "one two …");
        assert_eq!(shorten_at_word("ééé ééé ééé", 8), "ééé ééé …");
    }

    #[test]
    fn a_first_word_longer_than_the_limit_is_cut_inside_it() {
        assert_eq!(shorten_at_word("abcdefghij klm", 5), "abcd…");
        // Exactly `max` characters long: kept whole, then the mark.
        assert_eq!(shorten_at_word("abcde fgh", 5), "abcde …");
    }
}
