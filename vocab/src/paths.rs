//! Paths on this site that a request names, checked before anyone is sent there.

/// Where to go after signing in: a path on this site, never another origin (docs/SECURITY.md).
///
/// A browser drops tabs and line breaks from a URL and reads a backslash as a slash, so
/// `/%09/evil.test` (decoded: a tab) or `/\evil.test` would become `//evil.test`, another host.
/// Hence no control character and no backslash anywhere, besides the leading `//`.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/pilot/1?pickup=true"), "/pilot/1?pickup=true");
        assert_eq!(safe_next("//evil.test/x"), "/");
        assert_eq!(safe_next("https://evil.test"), "/");
        assert_eq!(safe_next("/\\evil.test"), "/");
        assert_eq!(safe_next(""), "/");
        // What the browser would turn into `//evil.test`.
        assert_eq!(safe_next("/\t/evil.test"), "/");
        assert_eq!(safe_next("/\n/evil.test"), "/");
        assert_eq!(safe_next("/x/..\\..\\/evil.test"), "/");
        assert_eq!(safe_next("/\u{7f}/evil.test"), "/");
    }
}
