//! A `Write` that hands a file to an HTTP response in chunks, so an export streams with a
//! bounded buffer whatever its size.

use std::io::{self, Write};

use actix_web::web::Bytes;
use futures_util::Stream;
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

/// Runs `write` on a blocking thread and answers what it writes as a response body: at
/// most four chunks wait in between, so a slow client slows the writer down. An error
/// ends the body early.
pub fn streamed<F>(write: F) -> impl Stream<Item = Chunk>
where
    F: FnOnce(&mut ChunkSender) -> Result<(), String> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(4);
    actix_web::rt::task::spawn_blocking(move || {
        let mut sink = ChunkSender::new(tx);
        let result = write(&mut sink).and_then(|_| sink.flush().map_err(|e| e.to_string()));
        if let Err(e) = result {
            log::warn!("streamed download stopped: {e}");
            sink.fail(e);
        }
    });
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
