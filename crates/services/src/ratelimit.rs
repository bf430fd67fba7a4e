//! Limits on signing in, kept in the database so every instance counts the same attempts:
//! - an account at one address gets `PAIR_ATTEMPTS` attempts per window: a wrong password from
//!   one address never locks the right one out from another;
//! - one address gets `ADDRESS_ATTEMPTS` per window, over all accounts (credential stuffing);
//! - past `ACCOUNT_ATTEMPTS` in a window, attempts on an account from anywhere are evaluated one
//!   per `SLOW_INTERVAL_MS`, queued, never refused outright: brute force spread over many
//!   addresses meets the slowdown, the owner at most waits.
//!
//! Each attempt is reserved with one atomic statement before the password is evaluated, so
//! parallel requests cannot slip between a check and a count.

use store::limits;

use crate::{App, Result, ServiceError};

pub const WINDOW_MS: i64 = 15 * 60 * 1000;
pub const PAIR_ATTEMPTS: i64 = 5;
pub const ADDRESS_ATTEMPTS: i64 = 30;
pub const ACCOUNT_ATTEMPTS: i64 = 10;
pub const SLOW_INTERVAL_MS: i64 = 3_000;
/// Longer than this in the queue and the attempt is refused for now (a minute).
pub const MAX_WAIT_MS: i64 = 30_000;

/// The keys of one sign-in attempt.
pub struct Attempt {
    pair: String,
    address: Option<String>,
    account: String,
}

impl Attempt {
    /// `email` as typed (at most an e-mail address long), `client` as `web::client` keys it.
    pub fn new(email: &str, client: &str) -> Attempt {
        Attempt {
            pair: format!("pair:{email}|{client}"),
            address: (!client.is_empty()).then(|| format!("address:{client}")),
            account: format!("account:{email}"),
        }
    }
}

/// Reserves the attempt, waiting out the account's slowdown; `RateLimited` when it may not be made.
pub async fn admit(app: &App, attempt: &Attempt) -> Result<()> {
    let now = store::now_ms();
    let mut conn = app.db.conn().await?;
    let refuse = |start: i64| ServiceError::RateLimited(minutes(start + WINDOW_MS - now));
    let (pair, start) = limits::reserve(&mut conn, &attempt.pair, now, WINDOW_MS).await?;
    if pair > PAIR_ATTEMPTS {
        return Err(refuse(start));
    }
    if let Some(address) = &attempt.address {
        let (count, start) = limits::reserve(&mut conn, address, now, WINDOW_MS).await?;
        if count > ADDRESS_ATTEMPTS {
            return Err(refuse(start));
        }
    }
    let (count, _) = limits::reserve(&mut conn, &attempt.account, now, WINDOW_MS).await?;
    if count > ACCOUNT_ATTEMPTS {
        let slot = limits::next_slot(&mut conn, &attempt.account, now, (SLOW_INTERVAL_MS, MAX_WAIT_MS)).await?;
        drop(conn);
        let wait = slot.ok_or(ServiceError::RateLimited(1))? - now;
        tokio::time::sleep(std::time::Duration::from_millis(wait.max(0).unsigned_abs())).await;
    }
    Ok(())
}

/// Counts one use of `key` (e.g. a public form per address); `RateLimited` past `max` in a window.
pub async fn count(app: &App, key: &str, max: i64) -> Result<()> {
    let now = store::now_ms();
    let mut conn = app.db.conn().await?;
    let (count, start) = limits::reserve(&mut conn, key, now, WINDOW_MS).await?;
    if count > max { Err(ServiceError::RateLimited(minutes(start + WINDOW_MS - now))) } else { Ok(()) }
}

/// A successful sign-in: its account and its pair start afresh; the address gets its attempt back.
pub async fn succeeded(app: &App, attempt: &Attempt) -> Result<()> {
    let mut conn = app.db.conn().await?;
    limits::clear(&mut conn, &attempt.pair).await?;
    limits::clear(&mut conn, &attempt.account).await?;
    if let Some(address) = &attempt.address {
        limits::release(&mut conn, address).await?;
    }
    Ok(())
}

fn minutes(ms: i64) -> u64 {
    (ms.max(0) as u64).div_ceil(60_000).max(1)
}

/// Forgets windows that have ended; the server calls this with the session purge.
pub async fn purge(app: &App) -> Result<u64> {
    let mut conn = app.db.conn().await?;
    Ok(limits::purge(&mut conn, store::now_ms() - WINDOW_MS).await?)
}
