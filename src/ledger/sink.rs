//! A `Write` that hands a file to an HTTP response in chunks, so an export streams with a
//! bounded buffer whatever its size.

use std::io::{self, Write};

use actix_web::web::Bytes;
use tokio::sync::mpsc;

const CHUNK: usize = 64 * 1024;

/// The receiving side yields these; an `Err` ends the response early.
pub type Chunk = Result<Bytes, io::Error>;

pub struct ChunkSender {
    tx: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl ChunkSender {
    pub fn new(tx: mpsc::Sender<Chunk>) -> ChunkSender {
        ChunkSender {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        // Blocks while the client is slower than the export: back-pressure, not buffering.
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Ends the response with an error: the client sees a cut-off download, never a
    /// file that looks complete.
    pub fn fail(self, error: String) {
        let _ = self.tx.blocking_send(Err(io::Error::other(error)));
    }
}

impl Write for ChunkSender {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
