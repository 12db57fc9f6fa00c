//! What a search box's text means: the words to look for, each matched as the start of a word
//! in the record (typing "ros" finds "Rossi"). Punctuation separates words and is never part
//! of the query, so no character typed can change how the index is queried.

/// At most this many words are used from one search; more narrow nothing a person can see.
pub const MAX_TERMS: usize = 8;
/// A word longer than this is cut: no name, email part or department is longer.
pub const MAX_TERM_CHARS: usize = 64;

/// The words of a search, lowercased, in the order typed, without repeats. Empty when the
/// text holds no letters or digits (such a search matches nothing).
#[must_use]
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let word: String = word.to_lowercase().chars().take(MAX_TERM_CHARS).collect();
        if !out.contains(&word) {
            out.push(word);
        }
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_at_punctuation_and_lowercased() {
        assert_eq!(terms("  Anna.Rossi@North "), ["anna", "rossi", "north"]);
    }

    #[test]
    fn text_without_letters_or_digits_has_no_terms() {
        assert!(terms("% _ \"*\u{0}' -- ").is_empty());
    }

    #[test]
    fn repeats_are_dropped_and_the_count_is_bounded() {
        assert_eq!(terms("it IT it"), ["it"]);
        let many = (0..20)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }

    #[test]
    fn letters_of_every_script_are_words() {
        assert_eq!(terms("Müller, Łukasz 渡辺"), ["müller", "łukasz", "渡辺"]);
    }
}
