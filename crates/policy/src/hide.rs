//! Which files `hide` masks: the pattern rule, decided here for the launcher's walk.
//!
//! The rule (crates/POLICY.md, "hide"):
//! - A pattern without `/` (`.env`, `.env.*`, `*.pem`) matches a name at any depth of the
//!   working directory (as in `.gitignore`): a monorepo's `apps/web/.env` is hidden too.
//! - A pattern with `/` (`secrets/*.key`, `config/.env`) is anchored at the working
//!   directory; `**` as a whole component matches any number of directories; a leading
//!   `./` is dropped.
//! - `*` and `?` match any characters but `/`, dot files included (no special leading dot);
//!   `[abc]`, `[a-z]` and `[!x]` / `[^x]` are character classes; `\` escapes.
//! - The walk does not enter the directories named in `hidePrune` (`.git`, `node_modules`,
//!   `target`, …: they cannot hold the user's secrets) except where an anchored pattern
//!   names one literally; it never follows a symlinked directory; it reads at most
//!   `hideWalkLimit` entries (then warns once).

/// A compiled hide pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    /// Components; for an unanchored pattern, one component.
    parts: Vec<String>,
    anchored: bool,
}

impl Pattern {
    pub fn new(text: &str) -> Pattern {
        let mut t = text;
        while let Some(rest) = t.strip_prefix("./") {
            t = rest;
        }
        let t = t.trim_end_matches('/');
        let parts: Vec<String> = t
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_string)
            .collect();
        Pattern {
            text: text.to_string(),
            anchored: parts.len() > 1,
            parts,
        }
    }

    /// Does the entry at `dir/name` match (`dir` = components below the working directory)?
    pub fn matches(&self, dir: &[&str], name: &str) -> bool {
        if !self.anchored {
            return self.parts.first().is_some_and(|p| glob(p, name));
        }
        let mut path: Vec<&str> = dir.to_vec();
        path.push(name);
        match_parts(&self.parts, &path)
    }

    /// Can something below the directory `dir` match? `pruned`: the directory's name is in
    /// the prune list, so only an anchored pattern naming it literally goes in.
    pub fn may_enter(&self, dir: &[&str], pruned: bool) -> bool {
        if !self.anchored {
            return !pruned;
        }
        prefix_may_match(&self.parts, dir, pruned)
    }
}

fn is_literal(p: &str) -> bool {
    !p.contains(['*', '?', '[', '\\'])
}

fn match_parts(parts: &[String], path: &[&str]) -> bool {
    match parts.first() {
        None => path.is_empty(),
        Some(p) if p == "**" => (0..=path.len()).any(|i| match_parts(&parts[1..], &path[i..])),
        Some(p) => !path.is_empty() && glob(p, path[0]) && match_parts(&parts[1..], &path[1..]),
    }
}

/// Could a path below `dir` match `parts`? The last component of `dir` is the one being
/// entered (pruned or not).
fn prefix_may_match(parts: &[String], dir: &[&str], pruned: bool) -> bool {
    match (parts.first(), dir.first()) {
        (_, None) => !parts.is_empty(),
        (None, Some(_)) => false,
        (Some(p), Some(_)) if p == "**" => {
            // `**` may swallow this directory (unless pruned) or match nothing here.
            (!pruned || dir.len() > 1) && prefix_may_match(parts, &dir[1..], pruned)
                || prefix_may_match(&parts[1..], dir, pruned)
        }
        (Some(p), Some(d)) => {
            let last = dir.len() == 1;
            glob(p, d)
                && (!last || !pruned || is_literal(p))
                && prefix_may_match(&parts[1..], &dir[1..], pruned)
        }
    }
}

/// Shell-style matching of one component. ASCII pattern and name (the common case) are
/// matched as bytes, without allocating; anything else as characters.
pub fn glob(pattern: &str, name: &str) -> bool {
    if pattern.is_ascii() && name.is_ascii() {
        return glob_at(pattern.as_bytes(), name.as_bytes(), &BYTES);
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_at(&p, &n, &CHARS)
}

/// The pattern's special symbols, in the unit being matched (bytes or characters).
struct Syms<T> {
    star: T,
    any: T,
    open: T,
    close: T,
    bang: T,
    caret: T,
    dash: T,
    escape: T,
}

const BYTES: Syms<u8> = Syms {
    star: b'*',
    any: b'?',
    open: b'[',
    close: b']',
    bang: b'!',
    caret: b'^',
    dash: b'-',
    escape: b'\\',
};

const CHARS: Syms<char> = Syms {
    star: '*',
    any: '?',
    open: '[',
    close: ']',
    bang: '!',
    caret: '^',
    dash: '-',
    escape: '\\',
};

fn glob_at<T: Copy + PartialEq + PartialOrd>(p: &[T], n: &[T], s: &Syms<T>) -> bool {
    // Iterative with one backtrack point for `*` (linear-ish, no exponential blow-up).
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            let c = p[pi];
            if c == s.star {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            let step = if c == s.any {
                Some(1)
            } else if c == s.open {
                match class(&p[pi..], n[ni], s) {
                    Some((true, len)) => Some(len),
                    Some((false, _)) => None,
                    // An unclosed `[` is an ordinary character.
                    None => (n[ni] == c).then_some(1),
                }
            } else if c == s.escape && pi + 1 < p.len() {
                (p[pi + 1] == n[ni]).then_some(2)
            } else {
                (c == n[ni]).then_some(1)
            };
            if let Some(len) = step {
                pi += len;
                ni += 1;
                continue;
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == s.star)
}

/// A `[...]` class at the start of `p`: `(matches c, length of the class)`; `None` when the
/// bracket does not close.
fn class<T: Copy + PartialEq + PartialOrd>(p: &[T], c: T, s: &Syms<T>) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = p.get(1).is_some_and(|&x| x == s.bang || x == s.caret);
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == s.close && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == s.dash && p[i + 2] != s.close {
            if p[i] <= c && c <= p[i + 2] {
                hit = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                hit = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_match_like_the_shell_with_dot_files() {
        for (p, n, want) in [
            (".env", ".env", true),
            (".env", ".envx", false),
            (".env.*", ".env.local", true),
            (".env.*", ".env", false),
            ("*", ".hidden", true),
            ("-*", "-rf", true),
            ("*.pem", "a.b.pem", true),
            ("?.txt", "ab.txt", false),
            ("[ab]x", "bx", true),
            ("[!ab]x", "bx", false),
            ("[a-c]x", "cx", true),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("[", "[", true),
            ("[", "x", false),
            ("é*", "été", true),
            ("?t?", "été", true),
            ("[é]x", "éx", true),
        ] {
            assert_eq!(glob(p, n), want, "{p} ~ {n}");
        }
    }

    #[test]
    fn a_pattern_without_a_slash_matches_at_any_depth() {
        let p = Pattern::new(".env");
        assert!(p.matches(&[], ".env"));
        assert!(p.matches(&["apps", "web"], ".env"));
        assert!(p.may_enter(&["apps"], false));
        assert!(!p.may_enter(&["node_modules"], true), "pruned");
    }

    #[test]
    fn a_pattern_with_a_slash_is_anchored_and_double_star_spans_directories() {
        let p = Pattern::new("secrets/*.key");
        assert!(p.matches(&["secrets"], "a.key"));
        assert!(!p.matches(&["x", "secrets"], "a.key"));
        assert!(!p.matches(&[], "a.key"));
        assert!(p.may_enter(&["secrets"], false));
        assert!(!p.may_enter(&["other"], false));
        assert!(!p.may_enter(&["secrets", "deeper"], false));

        let p = Pattern::new("**/.env");
        assert!(p.matches(&[], ".env"));
        assert!(p.matches(&["a", "b"], ".env"));
        assert!(p.may_enter(&["a", "b"], false));
        assert!(!p.may_enter(&["node_modules"], true));

        let p = Pattern::new("./sub/deep/.env");
        assert!(p.matches(&["sub", "deep"], ".env"));
    }

    #[test]
    fn a_pruned_directory_is_entered_only_when_named_literally() {
        assert!(Pattern::new("node_modules/.env").may_enter(&["node_modules"], true));
        assert!(!Pattern::new("*/.env").may_enter(&["node_modules"], true));
        assert!(Pattern::new("*/.env").may_enter(&["apps"], false));
        // Below the pruned directory, a literal path goes on.
        assert!(Pattern::new("node_modules/x/.env").may_enter(&["node_modules", "x"], false));
    }
}
