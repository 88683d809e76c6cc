//! The egress allowlist proxy: an HTTP proxy that relays `CONNECT host:port` (HTTPS, any
//! TLS) and plain `http://` requests to the hosts the rules allow, and answers everything
//! else with a clear refusal.
//!
//! What it guarantees, each tested in `tests/proxy_hostile.rs`:
//! - the destination is a host *name* the rules allow, on a port they allow; IP literals
//!   (`1.2.3.4`, `[::1]`, `127.1`, `0x7f000001`) are refused before any rule is read;
//! - the name is resolved here, every address is checked ([`crate::rules::forbidden`]:
//!   loopback, private, link-local, CGNAT, …, and every address of the host's own interfaces,
//!   public ones included), and the proxy connects to the address it
//!   checked (no second lookup an attacker's DNS could answer differently);
//! - plain HTTP goes to the host of the absolute URI (or the `Host` header for origin-form
//!   requests); the two must agree, and the upstream request carries that `Host`;
//! - limits: request head [`Limits::max_head`] bytes and 64 headers, head within
//!   `head_timeout`, connect within `connect_timeout`, tunnels idle at most `idle_timeout`,
//!   at most `max_connections` at once (more are answered 503 and closed);
//! - every refusal is answered (`HTTP/1.1 4xx/5xx`, `Connection: close`, a one-line
//!   reason) and logged with time, host and port; nothing waits forever.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::log::SessionLog;
use crate::relay::relay;
use crate::rules::{self, HostRefusal, Rules};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub max_head: usize,
    pub head_timeout: Duration,
    pub connect_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            max_head: 16 * 1024,
            head_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            // Long enough for a model's slow streamed answer; a stalled tunnel still ends.
            idle_timeout: Duration::from_secs(600),
        }
    }
}

/// Name resolution, replaceable in tests. The default is the system resolver
/// (`getaddrinfo`, so /etc/hosts and resolv.conf of the host, never the jail's).
pub type Resolver = dyn Fn(&str, u16) -> io::Result<Vec<SocketAddr>> + Send + Sync;

pub struct Proxy {
    rules: Rules,
    log: Option<SessionLog>,
    limits: Limits,
    resolver: Box<Resolver>,
    forbidden: fn(std::net::IpAddr) -> bool,
    active: Arc<AtomicUsize>,
}

/// A refusal: status, short reason (for the log) and the sentence the client reads.
struct Refusal {
    status: u16,
    reason: &'static str,
    message: String,
}

fn refuse(status: u16, reason: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        reason,
        message: message.into(),
    }
}

/// The proxy's address check: [`rules::forbidden`] (loopback, private, link-local, ...), and
/// every address of the host's own interfaces, public ones included. A connection to one of
/// those arrives through the host's loopback, from the host itself: services that trust local
/// connections would trust the agent.
fn never_connect_to(ip: std::net::IpAddr) -> bool {
    rules::forbidden(ip) || crate::sys::local_addresses().contains(&ip)
}

impl Proxy {
    pub fn new(rules: Rules, log: Option<SessionLog>) -> Proxy {
        Proxy {
            rules,
            log,
            limits: Limits::default(),
            resolver: Box::new(|host, port| Ok((host, port).to_socket_addrs()?.collect())),
            forbidden: never_connect_to,
            active: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn with_limits(mut self, limits: Limits) -> Proxy {
        self.limits = limits;
        self
    }

    pub fn with_resolver(mut self, resolver: Box<Resolver>) -> Proxy {
        self.resolver = resolver;
        self
    }

    /// Replace the address check ([`rules::forbidden`]). Only for benchmarks and tests
    /// that need an upstream on the loopback; the launcher never calls it.
    #[doc(hidden)]
    pub fn with_address_filter(mut self, forbidden: fn(std::net::IpAddr) -> bool) -> Proxy {
        self.forbidden = forbidden;
        self
    }

    pub fn log(&self) -> Option<&SessionLog> {
        self.log.as_ref()
    }

    /// Connections being served right now.
    pub fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// Accept and serve connections until the listener fails for good.
    pub fn serve(self: &Arc<Self>, listener: TcpListener) -> io::Result<()> {
        serve_bounded(listener, self.limits.max_connections, &self.active, {
            let me = Arc::clone(self);
            move |client| me.handle(client)
        })
    }

    fn note(&self, verdict: &str, dest: &str, reason: &str) {
        if let Some(log) = &self.log {
            log.line(verdict, dest, reason);
        }
    }

    fn handle(&self, mut client: TcpStream) {
        match self.route(&mut client) {
            Ok(()) => {}
            Err((dest, r)) => {
                self.note("deny", &dest, r.reason);
                let _ = respond(&mut client, r.status, &r.message);
                let _ = client.shutdown(Shutdown::Both);
            }
        }
    }

    /// Read the request head, decide, connect, relay. `Err` carries the destination as far
    /// as it is known (`-` before the head is parsed) and the refusal.
    fn route(&self, client: &mut TcpStream) -> Result<(), (String, Refusal)> {
        let unknown = |r| ("-".to_string(), r);
        let (head, rest) = read_head(client, &self.limits).map_err(unknown)?;
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => {
                return Err(unknown(refuse(400, "malformed", "malformed request head")));
            }
            Err(httparse::Error::TooManyHeaders) => {
                return Err(unknown(refuse(
                    431,
                    "oversized",
                    "too many request headers",
                )));
            }
            Err(_) => return Err(unknown(refuse(400, "malformed", "malformed request head"))),
        }
        let method = req.method.unwrap_or_default();
        let target = req.path.unwrap_or_default();
        let host_header = req
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("host"))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string());

        if method == "CONNECT" {
            let (host, port) = split_authority(target, None).map_err(|r| (clip(target), r))?;
            let dest = format!("{host}:{port}");
            let upstream = self.open(&host, port).map_err(|r| (dest.clone(), r))?;
            self.note("allow", &dest, "");
            client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .map_err(|_| (dest.clone(), refuse(400, "client gone", "")))?;
            let mut upstream = upstream;
            if !rest.is_empty() && upstream.write_all(&rest).is_err() {
                return Ok(());
            }
            let _ = relay(client, &upstream, self.limits.idle_timeout);
            return Ok(());
        }

        // Plain HTTP: absolute-form `http://host[:port]/path`, or origin-form with Host.
        let (authority, path) = if let Some(after) = strip_prefix_ci(target, "http://") {
            let end = after.find(['/', '?', '#']).unwrap_or(after.len());
            let path = &after[end..];
            let path = if path.is_empty() || path.starts_with('?') {
                format!("/{path}")
            } else {
                path.to_string()
            };
            (after[..end].to_string(), path)
        } else if target.starts_with('/') {
            let Some(h) = &host_header else {
                return Err(unknown(refuse(
                    400,
                    "no host",
                    "a request without an absolute http:// URI needs a Host header",
                )));
            };
            (h.clone(), target.to_string())
        } else if strip_prefix_ci(target, "https://").is_some() {
            return Err((
                clip(target),
                refuse(
                    400,
                    "https without CONNECT",
                    "https:// goes through CONNECT; set HTTPS_PROXY, not a plain proxy request",
                ),
            ));
        } else {
            return Err((
                clip(target),
                refuse(
                    400,
                    "unsupported",
                    "only CONNECT and http:// requests are relayed",
                ),
            ));
        };
        let (host, port) =
            split_authority(&authority, Some(80)).map_err(|r| (clip(&authority), r))?;
        let dest = format!("{host}:{port}");
        if let Some(h) = &host_header {
            let agrees = split_authority(h, Some(80))
                .map(|(hh, hp)| hh == host && hp == port)
                .unwrap_or(false);
            if !agrees {
                return Err((
                    dest,
                    refuse(
                        400,
                        "host mismatch",
                        "the Host header names another host than the URI",
                    ),
                ));
            }
        }
        let mut upstream = self.open(&host, port).map_err(|r| (dest.clone(), r))?;
        self.note("allow", &dest, "");
        let mut out = Vec::with_capacity(head.len() + 64);
        out.extend_from_slice(
            format!("{method} {path} HTTP/1.{}\r\n", req.version.unwrap_or(1)).as_bytes(),
        );
        out.extend_from_slice(format!("Host: {authority}\r\n").as_bytes());
        let connection_tokens: Vec<String> = req
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("connection"))
            .flat_map(|h| {
                String::from_utf8_lossy(h.value)
                    .split(',')
                    .map(|t| t.trim().to_ascii_lowercase())
                    .collect::<Vec<_>>()
            })
            .collect();
        for h in req.headers.iter() {
            let n = h.name.to_ascii_lowercase();
            let hop = matches!(
                n.as_str(),
                "host" | "connection" | "proxy-connection" | "proxy-authorization" | "keep-alive"
            ) || connection_tokens.contains(&n);
            if hop {
                continue;
            }
            out.extend_from_slice(h.name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(h.value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out.extend_from_slice(&rest);
        if upstream.write_all(&out).is_err() {
            return Err((
                dest,
                refuse(502, "upstream failed", "the upstream closed the connection"),
            ));
        }
        let _ = relay(client, &upstream, self.limits.idle_timeout);
        Ok(())
    }

    /// The rule check, the lookup, the address check and the connection, in that order.
    fn open(&self, host: &str, port: u16) -> Result<TcpStream, Refusal> {
        if !self.rules.allows(host, port) {
            return Err(refuse(
                403,
                "not in the allowlist",
                format!("`{host}:{port}` is not in this jail's network allowlist"),
            ));
        }
        let addrs = (self.resolver)(host, port).map_err(|_| {
            refuse(
                502,
                "name not resolved",
                format!("`{host}` could not be resolved"),
            )
        })?;
        if addrs.is_empty() {
            return Err(refuse(
                502,
                "name not resolved",
                format!("`{host}` could not be resolved"),
            ));
        }
        if let Some(bad) = addrs.iter().find(|a| (self.forbidden)(a.ip())) {
            return Err(refuse(
                403,
                "resolves to a local address",
                format!(
                    "`{host}` resolves to {}, a loopback, private or link-local address or one of this host's own; the proxy never connects there",
                    bad.ip()
                ),
            ));
        }
        let mut last = None;
        for a in &addrs {
            match TcpStream::connect_timeout(a, self.limits.connect_timeout) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        let timed_out = last.is_some_and(|e| e.kind() == io::ErrorKind::TimedOut);
        Err(if timed_out {
            refuse(
                504,
                "connect timed out",
                format!("`{host}:{port}` did not answer in time"),
            )
        } else {
            refuse(
                502,
                "connect failed",
                format!("`{host}:{port}` refused the connection"),
            )
        })
    }
}

/// Accept connections and run `handle` on its own thread for each, at most `max` at once;
/// beyond that a connection is answered 503 and closed at once. Shared by the proxy and
/// the host-port forwarder.
pub(crate) fn serve_bounded<F>(
    listener: TcpListener,
    max: usize,
    active: &Arc<AtomicUsize>,
    handle: F,
) -> io::Result<()>
where
    F: Fn(TcpStream) + Send + Sync + Clone + 'static,
{
    let mut failures = 0u32;
    loop {
        let (mut client, _) = match listener.accept() {
            Ok(c) => {
                failures = 0;
                c
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // EMFILE/ENFILE/ENOMEM: back off and keep serving; a listener that keeps
                // failing is gone (the jail's namespace was torn down).
                failures += 1;
                if failures > 1000 {
                    return Err(e);
                }
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if active.load(Ordering::SeqCst) >= max {
            let _ = client.set_write_timeout(Some(Duration::from_millis(100)));
            let _ = respond(
                &mut client,
                503,
                "too many connections through the proxy at once",
            );
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let guard = Guard(Arc::clone(active));
        let handle = handle.clone();
        let spawned = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let _guard = guard;
                handle(client);
            });
        if spawned.is_err() {
            // The closure (and its guard) was dropped: the count is already restored.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

struct Guard(Arc<AtomicUsize>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Read until the end of the request head (`\r\n\r\n`), within the size and time limits.
/// Returns the head and any bytes the client already sent after it.
fn read_head(client: &mut TcpStream, limits: &Limits) -> Result<(Vec<u8>, Vec<u8>), Refusal> {
    let deadline = Instant::now() + limits.head_timeout;
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(refuse(
                408,
                "head timeout",
                "the request head did not arrive in time",
            ));
        }
        let _ = client.set_read_timeout(Some(left));
        let n = match client.read(&mut chunk) {
            Ok(0) => return Err(refuse(400, "closed", "the connection closed mid-request")),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(refuse(
                    408,
                    "head timeout",
                    "the request head did not arrive in time",
                ));
            }
            Err(_) => return Err(refuse(400, "closed", "the connection failed mid-request")),
        };
        let scan_from = buf.len().saturating_sub(3);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = find(&buf[scan_from..], b"\r\n\r\n") {
            let end = scan_from + pos + 4;
            if end > limits.max_head {
                return Err(refuse(431, "oversized", "the request head is too large"));
            }
            let rest = buf.split_off(end);
            return Ok((buf, rest));
        }
        if buf.len() > limits.max_head {
            return Err(refuse(431, "oversized", "the request head is too large"));
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

/// `host:port` (or `host` with a default port) → a checked lowercase name and a port.
fn split_authority(auth: &str, default_port: Option<u16>) -> Result<(String, u16), Refusal> {
    if auth.contains('@') {
        return Err(refuse(
            400,
            "userinfo",
            "credentials in the proxy target are not relayed",
        ));
    }
    let ip_literal = || {
        refuse(
            403,
            "ip literal",
            format!(
                "`{}`: connections to IP addresses are refused; use a host name",
                clip(auth)
            ),
        )
    };
    if auth.starts_with('[') {
        return Err(ip_literal());
    }
    let (host, port) = match auth.rsplit_once(':') {
        Some((h, p)) => {
            let port = p.parse::<u16>().ok().filter(|&p| p != 0).ok_or_else(|| {
                refuse(400, "bad port", "the port is not a number from 1 to 65535")
            })?;
            (h, port)
        }
        None => match default_port {
            Some(p) => (auth, p),
            None => return Err(refuse(400, "no port", "CONNECT needs host:port")),
        },
    };
    if host.contains(':') {
        return Err(ip_literal());
    }
    match rules::normalize_host(host) {
        Ok(h) => Ok((h, port)),
        Err(HostRefusal::IpLiteral) => Err(ip_literal()),
        Err(HostRefusal::NotAName) => Err(refuse(
            400,
            "not a host name",
            "the target is not a host name",
        )),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

fn respond(client: &mut TcpStream, status: u16, message: &str) -> io::Result<()> {
    let text = match status {
        400 => "Bad Request",
        403 => "Forbidden",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
    let body = format!("jailgen: {message}\n");
    let head = format!(
        "HTTP/1.1 {status} {text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nX-Jailgen-Refused: {status}\r\n\r\n",
        body.len()
    );
    client.write_all(head.as_bytes())?;
    client.write_all(body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_are_split_and_checked() {
        assert_eq!(
            split_authority("Docs.rs:443", None).ok(),
            Some(("docs.rs".into(), 443))
        );
        assert_eq!(
            split_authority("docs.rs", Some(80)).ok(),
            Some(("docs.rs".into(), 80))
        );
        assert_eq!(
            split_authority("docs.rs", None).err().map(|r| r.status),
            Some(400)
        );
        for ip in [
            "1.2.3.4:443",
            "[::1]:443",
            "::1",
            "127.1:80",
            "0x7f000001:443",
        ] {
            assert_eq!(
                split_authority(ip, Some(80)).err().map(|r| r.reason),
                Some("ip literal"),
                "{ip}"
            );
        }
        assert_eq!(
            split_authority("u:p@docs.rs:443", None)
                .err()
                .map(|r| r.status),
            Some(400)
        );
        assert_eq!(
            split_authority("docs.rs:0", None).err().map(|r| r.status),
            Some(400)
        );
        assert_eq!(
            split_authority("docs.rs:65536", None)
                .err()
                .map(|r| r.status),
            Some(400)
        );
    }
}
