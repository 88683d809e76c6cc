//! Host ports without pasta: a listener inside the jail's network namespace (created by
//! [`crate::helper`]) whose connections are relayed to the same port on the host's
//! 127.0.0.1. Used in allowlist mode, where the jail has no other route; with
//! `network: true` pasta's `-T PORT` does the same job.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use crate::proxy::{Limits, serve_bounded};
use crate::relay::relay;

pub fn serve_host_port(listener: TcpListener, port: u16, limits: Limits) -> io::Result<()> {
    let target = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let active = Arc::new(AtomicUsize::new(0));
    serve_bounded(listener, limits.max_connections, &active, move |client| {
        if let Ok(up) = TcpStream::connect_timeout(&target, Duration::from_secs(5)) {
            let _ = up.set_nodelay(true);
            let _ = client.set_nodelay(true);
            let _ = relay(&client, &up, limits.idle_timeout);
        }
        // A refused host port closes the jail's connection, as a closed port would.
    })
}
