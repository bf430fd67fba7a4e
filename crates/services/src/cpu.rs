//! CPU-heavy work (password hashing, PDF and workbook making and reading, index rebuilds) runs on
//! blocking threads, at most one fewer at a time than the machine has cores, so the async
//! workers that answer every other request always keep a core.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use crate::{Result, ServiceError};

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(cores.saturating_sub(1).max(1))
});

/// Runs `work` off the async workers once a slot is free.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let _slot = SLOTS.acquire().await.map_err(|e| ServiceError::File(e.to_string()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| ServiceError::File(format!("rekenwerk afgebroken: {e}")))
}
