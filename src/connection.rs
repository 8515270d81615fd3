//! What each TCP connection goes through below HTTP. actix-http answers a request head
//! over its fixed 128 KiB limit itself, before any middleware runs, with a bare
//! `431` and no body; this adapter gives that answer the problem+json body every other
//! error has. Everything else passes through untouched.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose bare 431 is rewritten on its way out.
pub struct Connection {
    io: TcpStream,
    /// The rewritten answer, and how much of it went out.
    pending: Vec<u8>,
    written: usize,
}

impl Connection {
    pub fn new(io: TcpStream) -> Connection {
        Connection {
            io,
            pending: Vec::new(),
            written: 0,
        }
    }

    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.io).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

/// actix-http's own 431: the status line, and an empty body. The service never answers
/// 431 without a body, so nothing else matches.
fn is_bare_431(buf: &[u8]) -> bool {
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    buf.len() > 12
        && buf.starts_with(b"HTTP/1.")
        && &buf[8..13] == b" 431 "
        && buf[..head_end]
            .windows(19)
            .any(|w| w.eq_ignore_ascii_case(b"content-length: 0\r\n"))
}

/// The same answer, as a problem.
fn problem_431() -> Vec<u8> {
    let body = serde_json::json!({
        "type": "urn:zhenggai:problem:header-too-large",
        "title": "Request Header Fields Too Large",
        "status": 431,
        "detail": "the request's headers are larger than 128 KiB; a bearer token is a few \
                   hundred bytes to a few KiB",
    })
    .to_string();
    format!(
        "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/problem+json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        if is_bare_431(buf) {
            this.pending = problem_431();
            // Whatever does not go out now goes on the next write, flush or shutdown.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drain(cx))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bodiless_431_is_rewritten() {
        assert!(is_bare_431(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n"
        ));
        assert!(!is_bare_431(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 120\r\n\r\n{}"
        ));
        assert!(!is_bare_431(
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"
        ));
        // A body that merely mentions it is not a head.
        assert!(!is_bare_431(
            b"HTTP/1.1 200 OK\r\ncontent-length: 40\r\n\r\nHTTP/1.1 431 content-length: 0\r\n"
        ));
        let answer = String::from_utf8(problem_431()).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 431);
    }
}
