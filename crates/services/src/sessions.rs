//! One's own sessions: where one is signed in, ending one of them, signing out everywhere.

use domain::{Action, Actor};
use store::sessions;

use crate::auth::sha256_hex;
use crate::{App, Result, ServiceError};

/// A session as its owner sees it.
#[derive(Debug, Clone)]
pub struct OwnSession {
    pub id: String,
    /// "Firefox op Windows", from the browser's own description.
    pub browser: String,
    pub address: String,
    pub started_at: i64,
    pub last_used_at: i64,
    /// The session this request comes from.
    pub current: bool,
}

/// The actor's live sessions, the one in use now marked.
pub async fn mine(app: &App, actor: &Actor, current_token: &str) -> Result<Vec<OwnSession>> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let current = sha256_hex(current_token);
    let mut conn = app.db.conn().await?;
    Ok(sessions::for_user(&mut conn, user_id)
        .await?
        .into_iter()
        .map(|s| OwnSession {
            current: s.token_hash == current,
            browser: browser(s.user_agent.as_deref().unwrap_or_default()),
            address: s.client.filter(|c| !c.is_empty()).unwrap_or_else(|| "onbekend".into()),
            started_at: s.created_at,
            last_used_at: s.last_used_at.unwrap_or(s.created_at),
            id: s.public_id,
        })
        .collect())
}

/// Ends one of the actor's own sessions.
pub async fn end(app: &App, actor: &Actor, id: &str) -> Result<()> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut tx = app.db.begin().await?;
    if id.is_empty() || !sessions::delete_listed(&mut tx, user_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    store::audit::append(&mut tx, Some(user_id), "session.end", "user", user_id, &serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of the actor, this one too, and with `keys` every API key.
pub async fn end_everywhere(app: &App, actor: &Actor, keys: bool) -> Result<()> {
    actor.require(Action::UseAccount)?;
    let user_id = actor.user_id.as_deref().ok_or(ServiceError::NotFound)?;
    let mut tx = app.db.begin().await?;
    sessions::delete_for_user(&mut tx, user_id, "").await?;
    crate::account_notices::end_account_links(&mut tx, user_id).await?;
    if keys {
        store::users::revoke_all_api_tokens(&mut tx, user_id).await?;
    }
    let detail = serde_json::json!({ "api_keys": keys });
    store::audit::append(&mut tx, Some(user_id), "session.end_everywhere", "user", user_id, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// A browser's description in a few words: its name and its system, as far as the text says.
pub fn browser(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ];
    const SYSTEMS: [(&str, &str); 6] = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let name = BROWSERS.iter().find(|(key, _)| user_agent.contains(key)).map(|(_, name)| *name);
    let system = SYSTEMS.iter().find(|(key, _)| user_agent.contains(key)).map(|(_, name)| *name);
    match (name, system) {
        (Some(n), Some(s)) => format!("{n} op {s}"),
        (Some(n), None) => n.to_owned(),
        (None, Some(s)) => format!("Browser op {s}"),
        (None, None) => "Onbekende browser".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::browser;

    #[test]
    fn browsers_are_named_with_their_system() {
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(browser(firefox), "Firefox op Windows");
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        assert_eq!(browser(chrome), "Chrome op Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 Safari/604.1";
        assert_eq!(browser(iphone), "Safari op iPhone");
        assert_eq!(browser(""), "Onbekende browser");
    }
}
