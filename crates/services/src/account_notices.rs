//! What follows a change to how someone signs in: lingering links and secrets end, and the owner
//! is told by mail (so a change they did not make does not go unnoticed).

use store::account_tokens::{self as tokens, Purpose};
use store::users;

use crate::mail::{self, Mail};
use crate::{App, Result, ServiceError};

/// Ends what someone who briefly held the account could have left behind: reset links, a new
/// address waiting for confirmation, a two-factor secret shown but not confirmed.
pub(crate) async fn end_account_links(conn: &mut store::AnyConnection, user_id: &str) -> Result<()> {
    tokens::end_all(conn, user_id, Purpose::PasswordReset).await?;
    tokens::end_all(conn, user_id, Purpose::EmailChange).await?;
    store::two_factor::forget_unconfirmed(conn, user_id).await?;
    Ok(())
}

/// Mails the account's owner about a change to how they sign in (so a change they did not make
/// does not go unnoticed).
pub(crate) async fn tell_owner(
    app: &App,
    conn: &mut store::AnyConnection,
    user_id: &str,
    (subject, body): (&str, &str),
) -> Result<()> {
    let email = users::by_id(conn, user_id).await?.ok_or(ServiceError::NotFound)?.email;
    let mail = Mail {
        user_id: Some(user_id),
        to: &email,
        kind: "account.security",
        subject: subject.to_owned(),
        body: body.to_owned(),
        path: "/account/sessies".into(),
        dedup_key: None,
    };
    mail::queue(app, conn, &mail).await?;
    Ok(())
}
