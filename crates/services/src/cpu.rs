//! CPU-heavy work (password hashing, PDF and workbook making and reading, index rebuilds) runs on
//! blocking threads, at most one fewer at a time than the machine has cores, so the async
//! workers that answer every other request always keep a core.

use std::sync::{Arc, LazyLock};

use tokio::sync::Semaphore;

use crate::{Result, ServiceError};

static SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores.saturating_sub(1).max(1)))
});

/// Runs `work` off the async workers once a slot is free. The slot goes with the work, so a
/// caller who hangs up does not free it while the work still runs.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let slot = SLOTS.clone().acquire_owned().await.map_err(|e| ServiceError::File(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| ServiceError::File(format!("rekenwerk afgebroken: {e}")))
}
