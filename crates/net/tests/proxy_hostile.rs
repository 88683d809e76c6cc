//! The allowlist proxy against a hostile client: malformed and oversized requests, IP
//! literals, names resolving to local addresses, slow and many connections. The proxy runs
//! on a loopback listener of the test with a resolver the test controls (which records
//! every name it is asked for, so "refused before resolving" is checked too). Needs nothing
//! but loopback, so it runs everywhere.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jailgen_net::Rules;
use jailgen_net::log::SessionLog;
use jailgen_net::proxy::{Limits, Proxy};

struct Harness {
    addr: SocketAddr,
    asked: Arc<Mutex<Vec<String>>>,
    proxy: Arc<Proxy>,
    log_dir: std::path::PathBuf,
    upstream: SocketAddr,
}

/// An upstream on 127.0.0.2 that echoes the request line and Host header it received.
fn upstream() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.2:0").unwrap();
    let a = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for c in l.incoming() {
            let Ok(mut c) = c else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match c.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&got).to_string();
                let body = format!("upstream saw: {}", head.lines().next().unwrap_or(""));
                let host = head
                    .lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("host:"))
                    .unwrap_or("")
                    .to_string();
                let names: Vec<String> = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| format!("{}={}", n.to_ascii_lowercase(), v.trim()))
                    .collect();
                let body = format!("{body} | {host} | {}\n", names.join(","));
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    a
}

fn harness(limits: Limits) -> Harness {
    let up = upstream();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let asked2 = Arc::clone(&asked);
    let upport = up.port();
    let resolver = move |host: &str, port: u16| -> std::io::Result<Vec<SocketAddr>> {
        asked2.lock().unwrap().push(format!("{host}:{port}"));
        let ip: IpAddr = match host {
            "loop.test" => Ipv4Addr::LOCALHOST.into(),
            "private.test" => Ipv4Addr::new(10, 0, 0, 1).into(),
            "mixed.test" => Ipv4Addr::new(192, 168, 1, 1).into(),
            "metadata.test" => Ipv4Addr::new(169, 254, 169, 254).into(),
            "v6loop.test" => "::ffff:127.0.0.1".parse().unwrap(),
            // Every other name is the test's upstream, on the loopback (allowed below by
            // the test-only address filter, which forbids everything but that one port's
            // address 127.0.0.2).
            _ => Ipv4Addr::new(127, 0, 0, 2).into(),
        };
        Ok(vec![SocketAddr::new(
            ip,
            if ip == IpAddr::from(Ipv4Addr::new(127, 0, 0, 2)) {
                upport
            } else {
                port
            },
        )])
    };
    let log_dir = std::env::temp_dir().join(format!(
        "jailgen-net-hostile-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let log = SessionLog::create(&log_dir, "hostile").unwrap();
    let rules = Rules::parse(&[
        "ok.test",
        "loop.test",
        "private.test",
        "mixed.test",
        "metadata.test",
        "v6loop.test",
        "*.glob.test",
    ])
    .unwrap();
    let proxy = Arc::new(
        Proxy::new(rules, Some(log))
            .with_limits(limits)
            .with_resolver(Box::new(resolver))
            .with_address_filter(|ip| {
                ip != IpAddr::from(Ipv4Addr::new(127, 0, 0, 2)) && jailgen_net::rules::forbidden(ip)
            }),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let p = Arc::clone(&proxy);
    std::thread::spawn(move || p.serve(l));
    Harness {
        addr,
        asked,
        proxy,
        log_dir,
        upstream: up,
    }
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(1);
    h.finish()
}

fn fast() -> Limits {
    Limits {
        max_connections: 16,
        max_head: 4096,
        head_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(2),
    }
}

/// Send raw bytes, read the whole answer (the proxy closes after a refusal).
fn exchange(h: &Harness, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(h.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn status(resp: &str) -> u16 {
    resp.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn log_text(h: &Harness) -> String {
    std::fs::read_to_string(h.proxy.log().unwrap().path()).unwrap()
}

#[test]
fn allowed_names_are_relayed_by_connect_and_by_plain_http() {
    let h = harness(fast());
    let r = exchange(&h, b"GET http://ok.test/x?y HTTP/1.1\r\nHost: ok.test\r\nProxy-Authorization: secret\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\n\r\n");
    assert_eq!(status(&r), 200, "{r}");
    assert!(
        r.contains("upstream saw: GET /x?y HTTP/1.1 | Host: ok.test"),
        "{r}"
    );
    // Hop-by-hop headers, the proxy's credentials and headers named in Connection stay here.
    assert!(r.contains("connection=close"), "{r}");
    assert!(
        !r.contains("proxy-authorization") && !r.contains("x-drop") && !r.contains("keep-alive"),
        "{r}"
    );
    let r = exchange(&h, b"GET http://a.b.glob.test/ HTTP/1.1\r\n\r\n");
    assert_eq!(status(&r), 200, "{r}");
    // CONNECT: 200 from the proxy, then the tunnel carries whatever follows (here HTTP).
    let r = exchange(&h, b"CONNECT ok.test:443 HTTP/1.1\r\nHost: ok.test:443\r\n\r\nGET /t HTTP/1.1\r\nHost: ok.test\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK"),
        "{r}"
    );
    assert!(r.contains("upstream saw: GET /t HTTP/1.1"), "{r}");
    let _ = h.upstream;
}

#[test]
fn names_outside_the_allowlist_are_refused_before_any_lookup_and_logged() {
    let h = harness(fast());
    for (req, dest) in [
        ("CONNECT evil.test:443 HTTP/1.1\r\n\r\n", "evil.test:443"),
        ("CONNECT ok.test:22 HTTP/1.1\r\n\r\n", "ok.test:22"),
        ("CONNECT glob.test:443 HTTP/1.1\r\n\r\n", "glob.test:443"),
        (
            "CONNECT ok.test.evil.test:443 HTTP/1.1\r\n\r\n",
            "ok.test.evil.test:443",
        ),
        (
            "GET http://evil.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n",
            "evil.test:80",
        ),
        ("GET / HTTP/1.1\r\nHost: evil.test\r\n\r\n", "evil.test:80"),
    ] {
        let r = exchange(&h, req.as_bytes());
        assert_eq!(status(&r), 403, "{req:?} -> {r}");
        assert!(r.contains("not in this jail's network allowlist"), "{r}");
        assert!(r.contains("Connection: close"), "{r}");
        assert!(
            log_text(&h)
                .lines()
                .any(|l| l.contains(&format!(" deny {dest} not in the allowlist"))),
            "{dest}"
        );
    }
    assert!(
        h.asked.lock().unwrap().is_empty(),
        "resolved a refused name: {:?}",
        h.asked.lock().unwrap()
    );
}

#[test]
fn ip_literals_are_refused_in_every_spelling() {
    let h = harness(fast());
    for target in [
        "CONNECT 1.2.3.4:443",
        "CONNECT 127.0.0.1:443",
        "CONNECT [::1]:443",
        "CONNECT [::ffff:127.0.0.1]:443",
        "CONNECT 127.1:443",
        "CONNECT 0x7f000001:443",
        "CONNECT 2130706433:443",
        "GET http://127.0.0.1/",
        "GET http://[::1]:80/",
    ] {
        let r = exchange(&h, format!("{target} HTTP/1.1\r\n\r\n").as_bytes());
        assert_eq!(status(&r), 403, "{target} -> {r}");
        assert!(r.contains("IP addresses are refused"), "{r}");
    }
    assert!(h.asked.lock().unwrap().is_empty());
}

#[test]
fn allowed_names_that_resolve_to_local_addresses_are_refused() {
    let h = harness(fast());
    for name in [
        "loop.test",
        "private.test",
        "mixed.test",
        "metadata.test",
        "v6loop.test",
    ] {
        let r = exchange(
            &h,
            format!("CONNECT {name}:443 HTTP/1.1\r\n\r\n").as_bytes(),
        );
        assert_eq!(status(&r), 403, "{name} -> {r}");
        assert!(r.contains("never connects there"), "{r}");
        assert!(log_text(&h).contains(&format!(" deny {name}:443 resolves to a local address")));
    }
}

#[test]
fn malformed_requests_get_a_4xx_and_never_reach_a_lookup() {
    let h = harness(fast());
    let cases: Vec<Vec<u8>> = vec![
        b"\r\n\r\n".to_vec(),
        b"HELLO\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"CONNECT ok.test HTTP/1.1\r\n\r\n".to_vec(),
        b"CONNECT ok.test:99999 HTTP/1.1\r\n\r\n".to_vec(),
        b"CONNECT ok.test:0 HTTP/1.1\r\n\r\n".to_vec(),
        b"CONNECT user:pw@ok.test:443 HTTP/1.1\r\n\r\n".to_vec(),
        b"CONNECT ok.test:443 HTTP/1.1\r\nBad Header\r\n\r\n".to_vec(),
        b"GET https://ok.test/ HTTP/1.1\r\n\r\n".to_vec(),
        b"GET ftp://ok.test/ HTTP/1.1\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\n\r\n".to_vec(),
        b"GET http://ok.test/ HTTP/1.1\r\nHost: evil.test\r\n\r\n".to_vec(),
        b"GET http://ok.test/ HTTP/1.1\r\nHost: ok.test:8080\r\n\r\n".to_vec(),
        b"GET http://ok%2etest/ HTTP/1.1\r\n\r\n".to_vec(),
        b"CONNECT ok.test\x00.evil:443 HTTP/1.1\r\n\r\n".to_vec(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(), // a TLS ClientHello
        vec![0xff; 300].into_iter().chain(*b"\r\n\r\n").collect(),
    ];
    for c in &cases {
        let r = exchange(&h, c);
        let code = status(&r);
        assert!(
            (400..500).contains(&code),
            "{:?} -> {r}",
            String::from_utf8_lossy(c)
        );
    }
    assert!(
        h.asked.lock().unwrap().is_empty(),
        "{:?}",
        h.asked.lock().unwrap()
    );
}

#[test]
fn oversized_heads_and_too_many_headers_are_refused() {
    let h = harness(fast());
    let mut big = b"GET http://ok.test/ HTTP/1.1\r\nX: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 10_000));
    big.extend_from_slice(b"\r\n\r\n");
    assert_eq!(status(&exchange(&h, &big)), 431);
    // A head that never ends: refused once it passes the limit, not buffered forever.
    let endless: Vec<u8> = std::iter::repeat_n(b'a', 64 * 1024).collect();
    assert_eq!(status(&exchange(&h, &endless)), 431);
    let mut many = b"GET http://ok.test/ HTTP/1.1\r\n".to_vec();
    for i in 0..100 {
        many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(status(&exchange(&h, &many)), 431);
}

#[test]
fn a_slow_client_is_cut_off_by_the_head_timeout() {
    let h = harness(fast());
    let t = Instant::now();
    let mut s = TcpStream::connect(h.addr).unwrap();
    s.write_all(b"CONNECT ok.te").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert_eq!(status(&out), 408, "{out}");
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[test]
fn many_connections_at_once_are_bounded_and_the_proxy_recovers() {
    let h = harness(fast());
    // 16 allowed at once (fast()); open 40 that send nothing.
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(h.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    assert!(h.proxy.active() <= 16, "active {}", h.proxy.active());
    let mut busy = 0;
    for mut s in idle.into_iter().skip(16) {
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        if status(&out) == 503 {
            busy += 1;
        }
    }
    assert!(busy >= 20, "only {busy} of 24 over the limit were told 503");
    // The stalled ones time out (head timeout), and the proxy serves again.
    let t = Instant::now();
    while h.proxy.active() > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "connections never released"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let r = exchange(&h, b"GET http://ok.test/ HTTP/1.1\r\n\r\n");
    assert_eq!(status(&r), 200, "{r}");
}

#[test]
fn random_garbage_never_opens_a_connection() {
    let h = harness(fast());
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"CONNECTGEThttp://[]:@.%0123456789abcdefx \r\n\t\x00\xff";
    for _ in 0..300 {
        let len = (next() % 120) as usize;
        let mut req: Vec<u8> = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        req.extend_from_slice(b"\r\n\r\n");
        let r = exchange(&h, &req);
        assert_ne!(
            status(&r),
            200,
            "{:?} -> {r}",
            String::from_utf8_lossy(&req)
        );
    }
    // Whatever was asked of the resolver was an allowed name.
    for a in h.asked.lock().unwrap().iter() {
        let host = a.rsplit_once(':').unwrap().0;
        assert!(
            host == "ok.test" || host.ends_with(".glob.test"),
            "resolved {a}"
        );
    }
    let _ = std::fs::remove_dir_all(&h.log_dir);
}
