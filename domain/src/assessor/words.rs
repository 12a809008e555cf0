//! How the built-in assessor reads a ticket: as words, never as substrings, so "no change" is not
//! "hang" and "sfc /scannow" is not "scan". Each word is cut to a simple stem so "printers",
//! "printing" and "printed" read alike; a phrase is a run of such stems.

/// The stems of `text`, in order. Letters and digits make words; a hyphen or an apostrophe inside
/// a word joins it ("wi-fi" is "wifi", "can't" is "cant"); everything else separates.
pub fn stems(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if matches!(c, '-' | '\'' | '’')
            && !word.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            continue;
        } else if !word.is_empty() {
            words.push(stem(&std::mem::take(&mut word)));
        }
    }
    if !word.is_empty() {
        words.push(stem(&word));
    }
    words
}

/// A light suffix-stripper: enough that the forms of one word an engineer writes meet at one
/// stem, never so much that two different words do. Words of three letters or fewer ("dns",
/// "vpn", "rdp") are kept whole.
fn stem(word: &str) -> String {
    // A Microsoft knowledge-base article ("KB5034441") is named by its number; the number itself
    // says nothing the library could know, the "KB" says it is an update.
    if word.len() >= 6 && word.starts_with("kb") && word[2..].bytes().all(|b| b.is_ascii_digit()) {
        return "kb".to_owned();
    }
    // A product whose name ends in "s": "Teams" is not "team" ("the accounts team").
    if word == "teams" {
        return word.to_owned();
    }
    let mut w = word.to_owned();
    if w.len() <= 3 || !w.chars().all(|c| c.is_ascii_alphabetic()) {
        return w;
    }
    if let Some(base) = w.strip_suffix("ies").filter(|b| b.len() >= 2) {
        w = format!("{base}y");
    } else if ["sses", "xes", "ches", "shes"]
        .iter()
        .any(|e| w.ends_with(e))
    {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    for suffix in ["ing", "ed"] {
        if let Some(base) = w.strip_suffix(suffix).filter(|b| b.len() >= 3) {
            w = base.to_owned();
            undouble(&mut w);
            break;
        }
    }
    if w.len() > 4 && w.ends_with('e') {
        w.pop();
    }
    w
}

/// "mapp" → "map", "stopp" → "stop"; "install" and "access" keep their letters.
fn undouble(w: &mut String) {
    let b = w.as_bytes();
    let n = b.len();
    if n >= 3 && b[n - 1] == b[n - 2] && !matches!(b[n - 1], b'l' | b's' | b'z' | b'e' | b'o') {
        w.pop();
    }
}

/// Whether `phrase` (stems) occurs in `words` at `at`.
pub fn starts_at(words: &[String], at: usize, phrase: &[String]) -> bool {
    words.get(at..at + phrase.len()) == Some(phrase)
}

/// Words that say nothing about the problem: what two step texts must share more than.
pub fn is_filler(stem: &str) -> bool {
    const FILLER: &[&str] = &[
        "the", "and", "for", "with", "from", "into", "onto", "this", "that", "then", "than", "its",
        "any", "all", "not", "but", "are", "was", "has", "have", "had", "been", "user", "their",
        "them", "they", "again", "still", "back", "one", "two", "see", "check", "try", "tri",
        "run", "ran", "mak", "get", "got", "let",
    ];
    stem.len() < 3 || FILLER.contains(&stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Vec<String> {
        stems(text)
    }

    #[test]
    fn words_are_words_not_substrings() {
        assert!(!s("flushed caches, no change").contains(&"hang".to_owned()));
        assert!(!s("ran sfc /scannow").contains(&"scan".to_owned()));
        assert_eq!(s("sfc /scannow"), ["sfc", "scannow"]);
    }

    #[test]
    fn the_forms_of_a_word_meet_at_one_stem() {
        for group in [
            &["printer", "printers"][..],
            &["print", "printing", "printed", "prints"],
            &["map", "mapped", "mapping", "maps"],
            &["sync", "syncing", "synced", "syncs"],
            &["expire", "expired", "expires", "expiring"],
            &["lock", "locked", "locks", "locking"],
            &["policy", "policies"],
            &["freeze", "freezes", "freezing"],
            &["update", "updated", "updates", "updating"],
            &["cache", "caches", "cached"],
            &["patch", "patches", "patched"],
        ] {
            let first = stem(group[0]);
            for word in group {
                assert_eq!(stem(word), first, "{word} and {}", group[0]);
            }
        }
    }

    #[test]
    fn different_words_stay_apart() {
        for (a, b) in [
            ("access", "acce"),
            ("install", "instal"),
            ("dns", "dn"),
            ("status", "statu"),
            ("scan", "scannow"),
            ("hang", "change"),
        ] {
            assert_ne!(stem(a), b);
        }
        assert_ne!(stem("scanning"), stem("scannow"));
        assert_ne!(
            stem("teams"),
            stem("team"),
            "Teams is a product, a team is people"
        );
    }

    #[test]
    fn hyphens_and_apostrophes_join_and_case_folds() {
        assert_eq!(s("Wi-Fi"), s("wifi"));
        assert_eq!(s("E-mail"), s("email"));
        assert_eq!(s("can't"), ["cant"]);
        assert_eq!(s("0x800f0922 error"), ["0x800f0922", "error"]);
        assert_eq!(s("KB5034441 fails"), ["kb", "fail"]);
        assert_eq!(s("- lists -"), ["list"]);
    }

    #[test]
    fn a_phrase_is_found_where_its_words_run_in_order() {
        let words = s("the copier's scan to email stopped");
        let phrase = s("scan to email");
        assert!(starts_at(&words, 2, &phrase));
        assert!(!starts_at(&words, 1, &phrase));
        assert!(!starts_at(&words, 4, &phrase), "past the end is no match");
    }
}
