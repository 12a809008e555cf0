//! Links mailed to a person that carry a token: a password reset, an e-mail verification, an
//! invitation. A token is 32 random bytes in hex; only its SHA-256 is stored, the copy of the
//! mail kept in `outbound_emails` says `[… link]` where the link was, and each kind of link is
//! used up when it is redeemed (docs/SECURITY.md, "Links in mail").

use crate::{
    db::Tx,
    notify::{MailStatus, Mailer},
};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sqlx::PgPool;
use vocab::ids::{AccountId, UserId};

/// A fresh token: what goes in the link. Store only [`hash`] of it.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored of a token, and what a presented token is looked up by.
pub fn hash(token: &str) -> String {
    crate::text::sha256_hex(token.trim())
}

/// The tables a person's links are kept in, each `(account_id, user_id, token_hash,
/// expires_at, created_at, used_at)`.
#[derive(Clone, Copy, Debug)]
pub enum Kept {
    PasswordReset,
    EmailVerification,
}

impl Kept {
    fn table(self) -> &'static str {
        match self {
            Kept::PasswordReset => "password_reset_tokens",
            Kept::EmailVerification => "email_verifications",
        }
    }
}

/// A fresh link token for `user_id`, working for `ttl`, of which only the hash is stored in
/// `kept`. Returns the token itself, for the mail.
pub async fn mint(
    tx: &mut Tx,
    kept: Kept,
    account_id: AccountId,
    user_id: UserId,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    sqlx::query(&format!(
        "INSERT INTO {} (account_id, user_id, token_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
        kept.table()
    ))
    .bind(account_id)
    .bind(user_id)
    .bind(hash(&token))
    .bind(now + ttl)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// `https://host/{path}?token=…` under the product's public address.
pub fn url(public_url: &str, path: &str, token: &str) -> String {
    format!("{}/{path}?token={token}", public_url.trim_end_matches('/'))
}

/// A mail whose one secret is its link: `lead`, the link on a line of its own, then `tail`.
pub struct LinkMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub lead: &'a str,
    pub link: &'a str,
    pub tail: &'a str,
    /// Names the link in the recorded copy: `[{kind} link]`.
    pub kind: &'a str,
}

impl LinkMail<'_> {
    fn text(&self, link: &str) -> String {
        format!("{}\n{link}\n\n{}\n", self.lead, self.tail)
    }

    /// Sends it, recording the copy without the link.
    pub async fn send(&self, mailer: &Mailer, pool: &PgPool, account_id: AccountId) -> MailStatus {
        mailer
            .send_recording(
                pool,
                account_id,
                self.to,
                self.subject,
                &self.text(self.link),
                &self.text(&format!("[{} link]", self.kind)),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_stored_as_their_sha256() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hash(" abc\n"),
            hash("abc"),
            "a pasted token's spaces don't count"
        );
        assert_eq!(
            url("https://rf.example/", "invite", "t0k"),
            "https://rf.example/invite?token=t0k"
        );
    }
}
