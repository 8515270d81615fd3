//! Turns for expensive reads: a few run at once, a few more wait, the rest are told to come
//! back (503 with `Retry-After`) instead of queueing behind each other without end and
//! taking every connection from the cheap requests.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::i18n::Text;
use crate::text;

/// How many run at once, and how many more may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateSize {
    pub at_once: usize,
    pub queue: usize,
}

pub struct Gate {
    turns: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    size: GateSize,
    /// What a refused request is told.
    busy: fn() -> Text,
}

/// A turn: the expensive read may run while this lives.
pub struct Turn(#[allow(dead_code)] OwnedSemaphorePermit);

/// Counts a waiter for as long as it waits (also when its client goes away meanwhile).
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    pub fn new(size: GateSize) -> Gate {
        Gate {
            turns: Arc::new(Semaphore::new(size.at_once.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            size,
            busy: || text!("unavailable-busy"),
        }
    }

    /// The same gate, telling the refused `busy` instead.
    pub fn saying(self, busy: fn() -> Text) -> Gate {
        Gate { busy, ..self }
    }

    /// A turn now, or after the ones waiting; 503 when the queue is full already.
    pub async fn enter(&self) -> Result<Turn, ApiError> {
        if let Ok(permit) = self.turns.clone().try_acquire_owned() {
            return Ok(Turn(permit));
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.size.queue {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            crate::api::metrics::count_stopped("busy");
            return Err(ApiError::Unavailable((self.busy)()));
        }
        let _waiting = Waiting(self.waiting.clone());
        let permit = self
            .turns
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Unavailable(text!("shutting-down")))?;
        Ok(Turn(permit))
    }
}
