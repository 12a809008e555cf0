//! Paths on this site that a request names, checked before anyone is sent there.

/// Where to go after signing in: a path on this site, never another origin.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
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
    }
}
