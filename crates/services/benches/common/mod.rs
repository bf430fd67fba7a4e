//! What the benchmarks share.

use std::time::Duration;

pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
