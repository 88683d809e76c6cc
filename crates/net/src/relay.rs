//! Copy bytes both ways between two TCP streams until both sides are done, one side fails,
//! or nothing moves for `idle`. One thread per pair (poll, not two blocking threads), half
//! closes passed on, writes bounded by the same timeout: a stalled peer costs a thread for
//! at most `idle`, never forever.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::fd::AsRawFd;
use std::time::Duration;

use crate::sys;

pub fn relay(a: &TcpStream, b: &TcpStream, idle: Duration) -> io::Result<()> {
    a.set_read_timeout(None)?;
    b.set_read_timeout(None)?;
    a.set_write_timeout(Some(idle))?;
    b.set_write_timeout(Some(idle))?;
    let mut buf = vec![0u8; 64 * 1024];
    let (mut a_open, mut b_open) = (true, true);
    while a_open || b_open {
        let mut fds = Vec::with_capacity(2);
        if a_open {
            fds.push(a.as_raw_fd());
        }
        if b_open {
            fds.push(b.as_raw_fd());
        }
        let ready = sys::poll_readable(&fds, Some(idle))?;
        if ready.is_empty() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "idle"));
        }
        for i in ready {
            let from_a = fds[i] == a.as_raw_fd();
            let (mut src, mut dst) = if from_a { (a, b) } else { (b, a) };
            let n = match src.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                let _ = dst.shutdown(Shutdown::Write);
                if from_a {
                    a_open = false;
                } else {
                    b_open = false;
                }
            } else {
                dst.write_all(&buf[..n])?;
            }
        }
    }
    Ok(())
}
