//! A request body read ahead of its handler, fingerprinted on the way: kept in memory while
//! small, in an unnamed temporary file beyond that (an upload is never held whole in
//! memory), then handed to the handler as if it came from the network.

use std::io::{Read, Seek, SeekFrom, Write};

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::web::{self, Bytes};
use futures_util::StreamExt;

use crate::domain::idempotency::Fingerprint;
use crate::error::ApiError;
use crate::text;

/// Bytes kept in memory; a longer body goes to a temporary file in batches of this size.
const IN_MEMORY: usize = 256 * 1024;

/// A body read to its end.
pub struct Spooled {
    head: Vec<u8>,
    file: Option<std::fs::File>,
}

/// Reads `payload` to its end (at most `limit` bytes, else 413), feeding `print`.
pub async fn spool(
    payload: &mut Payload,
    print: &mut Fingerprint,
    limit: u64,
) -> Result<Spooled, ApiError> {
    let mut spooled = Spooled {
        head: Vec::new(),
        file: None,
    };
    let mut received: u64 = 0;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(payload_error)?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(ApiError::PayloadTooLarge(text!(
                "request-too-large",
                mb = limit / (1024 * 1024)
            )));
        }
        print.update(&chunk);
        spooled.head.extend_from_slice(&chunk);
        if spooled.head.len() >= IN_MEMORY {
            spooled = spooled.flush().await?;
        }
    }
    if spooled.file.is_some() {
        spooled = spooled.flush().await?;
    }
    Ok(spooled)
}

impl Spooled {
    /// Moves what is in memory to the temporary file (made on first use).
    async fn flush(self) -> Result<Spooled, ApiError> {
        web::block(move || {
            let mut file = match self.file {
                Some(file) => file,
                None => tempfile::tempfile()?,
            };
            file.write_all(&self.head)?;
            Ok::<_, std::io::Error>(Spooled {
                head: Vec::new(),
                file: Some(file),
            })
        })
        .await?
        .map_err(spool_error)
    }

    /// The body again, as the handler's payload.
    pub fn into_payload(self) -> Payload {
        let Some(mut file) = self.file else {
            return Payload::from(Bytes::from(self.head));
        };
        if let Err(e) = file.seek(SeekFrom::Start(0)) {
            return failed(e);
        }
        let chunks = futures_util::stream::unfold(Some(file), |file| async move {
            let mut file = file?;
            let read = web::block(move || {
                let mut buf = vec![0; IN_MEMORY];
                let n = file.read(&mut buf)?;
                buf.truncate(n);
                Ok::<_, std::io::Error>((buf, file))
            })
            .await;
            match read {
                Ok(Ok((buf, _))) if buf.is_empty() => None,
                Ok(Ok((buf, file))) => Some((Ok(Bytes::from(buf)), Some(file))),
                Ok(Err(e)) => Some((Err(PayloadError::Io(e)), None)),
                Err(e) => Some((Err(PayloadError::Io(std::io::Error::other(e))), None)),
            }
        });
        Payload::Stream {
            payload: Box::pin(chunks),
        }
    }
}

/// A payload that fails at once, with the reason.
fn failed(e: std::io::Error) -> Payload {
    let once = futures_util::stream::once(async move { Err(PayloadError::Io(e)) });
    Payload::Stream {
        payload: Box::pin(once),
    }
}

fn payload_error(e: PayloadError) -> ApiError {
    ApiError::bad_request(text!("body-unreadable", cause = e.to_string()))
}

fn spool_error(e: std::io::Error) -> ApiError {
    if e.kind() == std::io::ErrorKind::StorageFull {
        ApiError::InsufficientStorage(text!("upload-disk-full"))
    } else {
        ApiError::Internal(format!("spooling a request body: {e}"))
    }
}
