//! A small in-process limiter for failed sign-ins: a sliding window per key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    /// Five failed attempts per e-mail address or client within fifteen minutes.
    pub fn login() -> Limiter {
        Limiter::new(5, Duration::from_secs(15 * 60))
    }

    pub fn new(max_failures: usize, window: Duration) -> Limiter {
        Limiter { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(minutes)` when any key has used up its attempts.
    pub fn check(&self, keys: &[&str]) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        for key in keys {
            if let Some(times) = map.get_mut(*key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                if times.len() >= self.max_failures {
                    let wait = self.window.saturating_sub(now.duration_since(times[0]));
                    return Err(wait.as_secs().div_ceil(60).max(1));
                }
            }
        }
        Ok(())
    }

    pub fn fail(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear(); // a flood of distinct keys must not grow memory without bound
        }
        for key in keys {
            map.entry((*key).to_owned()).or_default().push(Instant::now());
        }
    }

    pub fn succeed(&self, keys: &[&str]) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            map.remove(*key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_and_resets_on_success() {
        let l = Limiter::new(2, Duration::from_secs(60));
        assert!(l.check(&["a"]).is_ok());
        l.fail(&["a", "ip"]);
        l.fail(&["a", "ip"]);
        assert_eq!(l.check(&["a"]), Err(1));
        assert!(l.check(&["b", "ip"]).is_err(), "the client key blocks too");
        l.succeed(&["a"]);
        assert!(l.check(&["a"]).is_ok());
    }
}
