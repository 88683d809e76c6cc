//! The egress allowlist: which host names and ports the proxy relays to, and which
//! addresses it never connects to whatever the name.
//!
//! A rule is a DNS name, optionally with a port:
//! - `docs.rs` allows `docs.rs` on ports 443 (CONNECT) and 80 (plain HTTP);
//! - `docs.rs:8443` allows that port only;
//! - `*.githubusercontent.com` allows every name *below* `githubusercontent.com` (one label
//!   or more: `raw.githubusercontent.com`, `a.b.githubusercontent.com`), not the name itself.
//!
//! Named sets (`agent`, `registries`) are expanded by the Nix library from
//! `nix/lib/agents.json` and `nix/lib/network-sets.json` before the policy is written, so a
//! policy holds only concrete rules and `explain` can print exactly what is allowed.
//! IP literals are never rules, and never destinations: a CONNECT to `1.2.3.4` or `[::1]`
//! is refused, as is any name that resolves to a loopback, private, link-local, shared
//! (CGNAT), multicast or unspecified address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The ports a rule without `:port` allows.
pub const DEFAULT_PORTS: [u16; 2] = [443, 80];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pattern {
    Exact(String),
    /// `*.example.com` stored as `.example.com`.
    Below(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    pattern: Pattern,
    port: Option<u16>,
}

/// A parsed allowlist.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    rules: Vec<Rule>,
}

/// Why a rule was refused; `Display` is a lowercase diagnostic naming the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub rule: String,
    pub why: &'static str,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "network rule `{}`: {}", self.rule, self.why)
    }
}

impl std::error::Error for RuleError {}

impl Rules {
    /// Parse every entry; the first bad one is the error.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Rules, RuleError> {
        let mut rules = Vec::with_capacity(entries.len());
        for e in entries {
            rules.push(parse_rule(e.as_ref())?);
        }
        Ok(Rules { rules })
    }

    /// Whether `host` (already checked by [`normalize_host`]) may be reached on `port`.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        self.rules.iter().any(|r| {
            let port_ok = match r.port {
                Some(p) => p == port,
                None => DEFAULT_PORTS.contains(&port),
            };
            port_ok
                && match &r.pattern {
                    Pattern::Exact(name) => name == host,
                    Pattern::Below(suffix) => {
                        host.len() > suffix.len() && host.ends_with(suffix.as_str())
                    }
                }
        })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn parse_rule(raw: &str) -> Result<Rule, RuleError> {
    let err = |why| RuleError {
        rule: raw.to_string(),
        why,
    };
    if raw.is_empty() {
        return Err(err("empty"));
    }
    if raw.len() > 260 {
        return Err(err("longer than a DNS name can be"));
    }
    let (name, port) = match raw.rsplit_once(':') {
        Some((n, p)) => {
            // Decimal digits as written, no sign, no leading zero (what a reviewer reads is
            // the port used).
            let port: u16 = Some(p)
                .filter(|p| !p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse().ok())
                .ok_or_else(|| err("the port after `:` must be a number from 1 to 65535"))?;
            (n, Some(port))
        }
        None => (raw, None),
    };
    if name.starts_with('[') || name.parse::<IpAddr>().is_ok() || looks_numeric(name) {
        return Err(err(
            "IP addresses are not allowed in rules; name the host (the proxy refuses IP literals)",
        ));
    }
    if name.ends_with('.') && name.len() > 1 {
        return Err(err(
            "drop the trailing dot: rules name hosts without it (the proxy strips it from requests)",
        ));
    }
    let (below, base) = match name.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    if base.contains('*') {
        return Err(err(
            "`*` is allowed only as the whole first label, as in `*.example.com`",
        ));
    }
    let base = base.to_ascii_lowercase();
    check_dns_name(&base).map_err(err)?;
    if !below && !base.contains('.') {
        return Err(err(
            "a name without a dot is no host the proxy would reach (it never connects to local names); write the whole name, as in `docs.rs`",
        ));
    }
    if below && !base.contains('.') {
        return Err(err(
            "`*.` needs a name with at least two labels below it, as in `*.example.com`",
        ));
    }
    Ok(Rule {
        pattern: if below {
            Pattern::Below(format!(".{base}"))
        } else {
            Pattern::Exact(base)
        },
        port,
    })
}

/// A syntactically valid DNS host name, lowercase, without a trailing dot: labels of
/// 1–63 letters, digits and inner hyphens, at most 253 bytes, the last label starting with
/// a letter (so nothing numeric, which resolvers would read as an address, passes).
fn check_dns_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 253 {
        return Err("not a host name (1 to 253 characters)");
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("not a host name (each dot-separated label is 1 to 63 characters)");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err("not a host name (letters, digits, `-` and `_` only)");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("not a host name (a label cannot start or end with `-`)");
        }
    }
    let last = name.rsplit('.').next().unwrap_or_default();
    if !last.as_bytes()[0].is_ascii_lowercase() {
        return Err("not a host name (the last label must start with a letter)");
    }
    Ok(())
}

/// What `inet_aton` would accept as an address: dot-separated decimal, octal or hex
/// numbers (`127.1`, `0x7f000001`, `2130706433`).
fn looks_numeric(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.split('.').all(|part| {
            let hex = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X"));
            match hex {
                Some(h) => h.bytes().all(|b| b.is_ascii_hexdigit()),
                None => !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()),
            }
        })
}

/// Why a requested destination host was refused before any rule was consulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostRefusal {
    IpLiteral,
    NotAName,
}

/// Check a host as a client sent it (CONNECT authority or Host header) and return it
/// lowercase without a trailing dot.
pub fn normalize_host(raw: &str) -> Result<String, HostRefusal> {
    if raw.starts_with('[') || raw.parse::<IpAddr>().is_ok() || looks_numeric(raw) {
        return Err(HostRefusal::IpLiteral);
    }
    let host = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
    check_dns_name(&host).map_err(|_| HostRefusal::NotAName)?;
    Ok(host)
}

/// Addresses the proxy never connects to, whatever name led there: the host itself
/// (loopback), the local networks (private, link-local, CGNAT/shared, unique-local), and
/// addresses that are not a single remote host (unspecified, broadcast, multicast).
/// IPv4-mapped and IPv4-compatible IPv6 addresses, and NAT64's well-known prefix, are
/// judged by the IPv4 address they carry.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || o[0] == 0 // 0.0.0.0/8: "this network"
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10: shared address space (CGNAT, Tailscale)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24: IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15: benchmarking
        || o[0] >= 240 // reserved
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let s = ip.segments();
    // ::a.b.c.d (deprecated IPv4-compatible) and 64:ff9b::a.b.c.d (NAT64)
    if (s[0..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified())
        || s[0..6] == [0x64, 0xff9b, 0, 0, 0, 0]
    {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return forbidden_v4(v4);
    }
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10 site-local (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(r: &[&str]) -> Rules {
        Rules::parse(r).unwrap()
    }

    #[test]
    fn a_plain_name_allows_https_and_http_only() {
        let r = rules(&["docs.rs"]);
        assert!(r.allows("docs.rs", 443));
        assert!(r.allows("docs.rs", 80));
        assert!(!r.allows("docs.rs", 22));
        assert!(!r.allows("www.docs.rs", 443));
        assert!(!r.allows("evildocs.rs", 443));
    }

    #[test]
    fn a_port_rule_allows_that_port_only() {
        let r = rules(&["git.example.org:8443"]);
        assert!(r.allows("git.example.org", 8443));
        assert!(!r.allows("git.example.org", 443));
    }

    #[test]
    fn a_glob_matches_names_below_not_the_name_nor_lookalikes() {
        let r = rules(&["*.githubusercontent.com"]);
        assert!(r.allows("raw.githubusercontent.com", 443));
        assert!(r.allows("a.b.githubusercontent.com", 443));
        assert!(!r.allows("githubusercontent.com", 443));
        assert!(!r.allows("evilgithubusercontent.com", 443));
        assert!(!r.allows("githubusercontent.com.evil.org", 443));
    }

    #[test]
    fn rules_are_case_insensitive() {
        assert!(rules(&["Docs.RS"]).allows("docs.rs", 443));
    }

    #[test]
    fn bad_rules_are_refused_with_a_reason() {
        for bad in [
            "",
            "1.2.3.4",
            "[::1]:443",
            "::1",
            "127.1",
            "0x7f000001",
            "2130706433",
            "a*.example.com",
            "*.com",
            "*",
            "exa mple.com",
            "example.com:0",
            "example.com:99999",
            "example.com:",
            "-bad.com",
            "example.123",
            "a..b",
            "ex\nample.com",
            "localhost",
            "registry",
            "docs.rs.",
            "docs.rs:+443",
            "docs.rs:0443",
            "docs.rs:4 43",
            "intranet:8080",
        ] {
            let e = Rules::parse(&[bad]).unwrap_err();
            assert_eq!(e.rule, bad);
            assert!(e.to_string().starts_with("network rule `"), "{e}");
        }
    }

    #[test]
    fn ip_literals_and_numeric_names_are_refused_as_destinations() {
        for h in [
            "1.2.3.4",
            "[::1]",
            "::1",
            "127.1",
            "0x7f.1",
            "2130706433",
            "017700000001",
        ] {
            assert_eq!(normalize_host(h), Err(HostRefusal::IpLiteral), "{h}");
        }
        assert_eq!(normalize_host("Example.COM."), Ok("example.com".into()));
        assert_eq!(normalize_host("exa%mple.com"), Err(HostRefusal::NotAName));
        assert_eq!(normalize_host(""), Err(HostRefusal::NotAName));
    }

    #[test]
    fn local_addresses_are_forbidden_and_public_ones_are_not() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b::7f00:1",
        ] {
            assert!(forbidden(ip.parse().unwrap()), "{ip} should be forbidden");
        }
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "198.51.100.1",
            "203.0.113.7",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "64:ff9b::808:808",
        ] {
            assert!(!forbidden(ip.parse().unwrap()), "{ip} should be allowed");
        }
    }
}
