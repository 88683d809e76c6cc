//! The allowlist proxy's cost on the loopback: time to first byte (connect, CONNECT, one
//! request) and transfer time for a response body, direct vs through the proxy, paired
//! runs, medians. Not a test: `cargo run --release -p jailgen-net --bin proxybench`.
//!
//! ```text
//! proxybench [RUNS] [BODY_BYTES]     (defaults: 300 runs, 1 MiB)
//! ```

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jailgen_net::Rules;
use jailgen_net::proxy::Proxy;

fn upstream(body: usize) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.2:0").unwrap();
    let a = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let payload = vec![b'x'; body];
        for c in l.incoming() {
            let Ok(mut c) = c else { continue };
            let payload = payload.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match c.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                    payload.len()
                );
                let _ = c.write_all(&payload);
            });
        }
    });
    a
}

/// One request; returns (time to the first response byte, total time).
fn fetch(via: Option<SocketAddr>, up: SocketAddr, body: usize) -> (Duration, Duration) {
    let t = Instant::now();
    let mut s = TcpStream::connect(via.unwrap_or(up)).unwrap();
    s.set_nodelay(true).unwrap();
    if via.is_some() {
        write!(
            s,
            "CONNECT bench.test:{} HTTP/1.1\r\nHost: bench.test\r\n\r\n",
            up.port()
        )
        .unwrap();
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut b).unwrap();
            head.push(b[0]);
        }
        assert!(
            head.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&head)
        );
    }
    s.write_all(b"GET / HTTP/1.1\r\nHost: bench.test\r\n\r\n")
        .unwrap();
    let mut buf = vec![0u8; 256 * 1024];
    let n = s.read(&mut buf).unwrap();
    let first = t.elapsed();
    let mut total = n;
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        total += n;
        if total >= body {
            break;
        }
    }
    assert!(total >= body, "short body: {total}");
    (first, t.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(300);
    let body: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1 << 20);
    let up = upstream(body);
    let port = up.port();
    let rules = Rules::parse(&[format!("bench.test:{port}")]).unwrap();
    let proxy = Arc::new(
        Proxy::new(rules, None)
            .with_resolver(Box::new(move |_, _| {
                Ok(vec![SocketAddr::new(
                    Ipv4Addr::new(127, 0, 0, 2).into(),
                    port,
                )])
            }))
            .with_address_filter(|ip| ip != IpAddr::from(Ipv4Addr::new(127, 0, 0, 2))),
    );
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let pa = l.local_addr().unwrap();
    let p = Arc::clone(&proxy);
    std::thread::spawn(move || p.serve(l));
    for _ in 0..20 {
        fetch(None, up, body);
        fetch(Some(pa), up, body);
    }
    let (mut df, mut dt, mut pf, mut pt) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let (f, t) = fetch(None, up, body);
        df.push(f);
        dt.push(t);
        let (f, t) = fetch(Some(pa), up, body);
        pf.push(f);
        pt.push(t);
    }
    let (df, dt, pf, pt) = (median(df), median(dt), median(pf), median(pt));
    let mib = body as f64 / (1 << 20) as f64;
    println!("runs {runs}, body {body} bytes, paired, medians");
    println!(
        "first byte: direct {df:?}, via proxy {pf:?} (+{:?})",
        pf.saturating_sub(df)
    );
    println!(
        "whole transfer: direct {dt:?} ({:.0} MiB/s), via proxy {pt:?} ({:.0} MiB/s)",
        mib / dt.as_secs_f64(),
        mib / pt.as_secs_f64()
    );
}
