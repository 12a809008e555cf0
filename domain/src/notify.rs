//! Telling people about an escalation: the in-app bell rows (written in the handoff's own
//! transaction), then, after commit, mail and chat webhooks. Mail and webhooks are advisory:
//! each failure is logged and recorded, and none can fail or undo the handoff.

use crate::db::Tx;
use chrono::{DateTime, Utc};
use lettre::{message::Mailbox, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::json;
use sqlx::PgPool;
use std::time::Duration;
use uuid::Uuid;
use vocab::ids::{AccountId, SessionId, UserId};
use vocab::{error::ApiError, webhooks::WebhookKind};

/// How long a chat webhook or an SMTP exchange may take.
const OUTSIDE_TIMEOUT: Duration = Duration::from_secs(10);
const SNIPPET_CHARS: usize = 70;

/// `Escalation from Jane · #12345: Outlook is failing to sync email…`
pub fn escalation_title(
    from_name: &str,
    psa_ticket_id: Option<&str>,
    problem_summary: &str,
) -> String {
    let first = from_name.split_whitespace().next().unwrap_or(from_name);
    let summary = problem_summary.trim();
    let snippet = if summary.chars().count() > SNIPPET_CHARS {
        let cut: String = summary.chars().take(SNIPPET_CHARS).collect();
        format!("{}…", cut.trim_end())
    } else {
        summary.to_owned()
    };
    match psa_ticket_id {
        Some(ticket) => format!("Escalation from {first} · #{ticket}: {snippet}"),
        None => format!("Escalation from {first}: {snippet}"),
    }
}

pub fn pickup_link(session_id: SessionId) -> String {
    format!("/pilot/{session_id}?pickup=true")
}

/// Who hears about an escalation: every active owner, admin and engineer of the account except
/// the escalator. Viewers and deleted users never.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub id: UserId,
    pub email: String,
    pub name: String,
}

pub async fn recipients(
    tx: &mut Tx,
    account_id: AccountId,
    escalator: UserId,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, name FROM users WHERE account_id = $1 AND id <> $2 AND active \
         AND role IN ('owner', 'admin', 'engineer') ORDER BY email",
    )
    .bind(account_id)
    .bind(escalator)
    .fetch_all(&mut **tx)
    .await
}

/// The bell rows of an escalation, inside the handoff's transaction; each points at the
/// session's pick-up screen.
pub async fn in_app(
    tx: &mut Tx,
    account_id: AccountId,
    recipients: &[Recipient],
    title: &str,
    session_id: SessionId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let ids: Vec<UserId> = recipients.iter().map(|r| r.id).collect();
    sqlx::query(
        "INSERT INTO notifications (account_id, user_id, kind, title, link, session_id, created_at) \
         SELECT $1, unnest($2::uuid[]), 'session.escalated', $3, $4, $5, $6",
    )
    .bind(account_id)
    .bind(&ids)
    .bind(title)
    .bind(pickup_link(session_id))
    .bind(session_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The session's escalation is dealt with (resolved; a pick-up does the same inside the claim's
/// one statement, `handoffs::CLAIM`): its bell rows are read for everyone who had one.
pub async fn handled(
    tx: &mut Tx,
    session_id: SessionId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    sqlx::query("UPDATE notifications SET read_at = $2 WHERE session_id = $1 AND read_at IS NULL")
        .bind(session_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The user's bell: newest first, with the unread count.
pub async fn list(
    pool: &PgPool,
    user: &vocab::users::User,
) -> Result<vocab::notifications::NotificationList, ApiError> {
    let mut tx = crate::db::tenant_tx(pool, user.account_id).await?;
    let notifications: Vec<vocab::notifications::Notification> = sqlx::query_as(
        "SELECT id, kind, title, link, read_at, created_at FROM notifications \
         WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 50",
    )
    .bind(user.id)
    .fetch_all(&mut *tx)
    .await?;
    let unread_count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user.id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(vocab::notifications::NotificationList {
        notifications,
        unread_count,
    })
}

/// Marks one of the user's notifications read; someone else's is `not_found`.
pub async fn mark_read(
    pool: &PgPool,
    user: &vocab::users::User,
    notification_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut tx = crate::db::tenant_tx(pool, user.account_id).await?;
    let found: Option<Uuid> = sqlx::query_scalar(
        "UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE id = $1 AND user_id = $2 RETURNING id",
    )
    .bind(notification_id)
    .bind(user.id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    found.map(|_| ()).ok_or_else(ApiError::not_found)
}

/// Outgoing mail: SMTP when configured, otherwise the log. Either way one `outbound_emails` row
/// per mail records the recipient and what became of it.
#[derive(Clone)]
pub enum Mailer {
    Log,
    Smtp(Box<SmtpMailer>),
}

#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(smtp_url: Option<&str>, from: &str) -> Result<Self, String> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&require_tls(url))
            .map_err(|e| format!("RF_SMTP_URL: {e}"))?
            .timeout(Some(OUTSIDE_TIMEOUT))
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("mail sender {from:?}: {e}"))?;
        Ok(Mailer::Smtp(Box::new(SmtpMailer { transport, from })))
    }

    /// Sends (or logs) one mail and records it. Never fails the caller: the outcome is in the
    /// returned status and the `outbound_emails` row.
    pub async fn send(
        &self,
        pool: &PgPool,
        account_id: AccountId,
        to: &str,
        subject: &str,
        body: &str,
    ) -> MailStatus {
        self.send_recording(pool, account_id, to, subject, body, body)
            .await
    }

    /// Sends `body` but records `recorded` in `outbound_emails`: for mail that carries a secret
    /// (a reset link) that must not be kept in the clear.
    pub async fn send_recording(
        &self,
        pool: &PgPool,
        account_id: AccountId,
        to: &str,
        subject: &str,
        body: &str,
        recorded: &str,
    ) -> MailStatus {
        let status = self.deliver(to, subject, body).await;
        record(pool, account_id, subject, recorded, &[(to, &status)]).await;
        status
    }

    /// Sends the same mail to each of `recipients`, concurrently, and records them all in one
    /// statement: an escalation mails every senior of the account, and a transaction per
    /// recipient was most of what an escalation cost the database (docs/PERFORMANCE.md,
    /// "Fan-out against its floor"). Never fails the caller, as [`Mailer::send`].
    pub async fn send_to_all(
        &self,
        pool: &PgPool,
        account_id: AccountId,
        recipients: &[&str],
        subject: &str,
        body: &str,
    ) {
        let statuses =
            futures::future::join_all(recipients.iter().map(|to| self.deliver(to, subject, body)))
                .await;
        let outcomes: Vec<(&str, &MailStatus)> =
            recipients.iter().copied().zip(&statuses).collect();
        record(pool, account_id, subject, body, &outcomes).await;
    }

    /// Hands one mail to SMTP (or the log); a failure is logged and returned, not raised.
    async fn deliver(&self, to: &str, subject: &str, body: &str) -> MailStatus {
        let status = match self {
            Mailer::Log => {
                tracing::info!(to, subject, "mail (no SMTP configured)");
                MailStatus::Logged
            }
            Mailer::Smtp(smtp) => match build(&smtp.from, to, subject, body) {
                Ok(message) => match smtp.transport.send(message).await {
                    Ok(_) => MailStatus::Sent,
                    Err(e) => MailStatus::Failed(e.to_string()),
                },
                Err(e) => MailStatus::Failed(e),
            },
        };
        if let MailStatus::Failed(e) = &status {
            tracing::warn!(to, error = %e, "mail not delivered");
        }
        status
    }
}

/// `smtp://` to another machine with STARTTLS required unless the URL says otherwise
/// (`?tls=opportunistic`, or `?tls=none` for a relay that has no TLS at all): mail carries reset
/// and invitation links, which must not cross a network in the clear. To this machine (a local
/// relay, a test's sink) it stays as written; `smtps://` is TLS from the first byte anyway.
fn require_tls(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.to_owned();
    };
    let tls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    match tls.as_deref() {
        // Plain SMTP, as asked (lettre itself knows no `none`).
        Some("none") => {
            let rest: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(k, _)| k != "tls")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed.set_query(None);
            if !rest.is_empty() {
                parsed.query_pairs_mut().extend_pairs(rest);
            }
        }
        Some(_) => {}
        None => {
            // `smtp` is not a scheme the URL standard knows, so its host stays text, also
            // when it is an address.
            let local = parsed.host_str().is_none_or(|host| {
                host.eq_ignore_ascii_case("localhost")
                    || host
                        .trim_start_matches('[')
                        .trim_end_matches(']')
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            });
            if parsed.scheme() == "smtp" && !local {
                parsed.query_pairs_mut().append_pair("tls", "required");
            }
        }
    }
    parsed.into()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailStatus {
    Logged,
    Sent,
    Failed(String),
}

fn build(from: &Mailbox, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    Message::builder()
        .from(from.clone())
        .to(to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?)
        .subject(subject)
        .body(body.to_owned())
        .map_err(|e| e.to_string())
}

/// One `outbound_emails` row per recipient of a mail, in one statement; a failure to record is
/// logged, never the sender's problem (the mail went, or did not, either way).
async fn record(
    pool: &PgPool,
    account_id: AccountId,
    subject: &str,
    body: &str,
    outcomes: &[(&str, &MailStatus)],
) {
    let mut recipients = Vec::with_capacity(outcomes.len());
    let mut statuses = Vec::with_capacity(outcomes.len());
    let mut errors = Vec::with_capacity(outcomes.len());
    for (to, status) in outcomes {
        let (status, error) = match status {
            MailStatus::Logged => ("logged", None),
            MailStatus::Sent => ("sent", None),
            MailStatus::Failed(e) => ("failed", Some(e.as_str())),
        };
        recipients.push(*to);
        statuses.push(status);
        errors.push(error);
    }
    let recorded = async {
        let mut tx = crate::db::tenant_tx(pool, account_id).await?;
        sqlx::query(
            "INSERT INTO outbound_emails (account_id, recipient, subject, body, status, error)
             SELECT $1, recipient, $3, $4, status, error
             FROM unnest($2::text[], $5::text[], $6::text[]) AS m(recipient, status, error)",
        )
        .bind(account_id)
        .bind(&recipients)
        .bind(subject)
        .bind(body)
        .bind(&statuses)
        .bind(&errors)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    };
    if let Err(e) = recorded.await {
        tracing::error!(error = %e, "recording outbound mail");
    }
}

/// Posts the escalation to each of the account's Slack and Teams incoming webhooks, through
/// `http` (`webhooks::client`: no redirects, public addresses only).
pub async fn webhooks(
    http: &reqwest::Client,
    allow_private: bool,
    pool: &PgPool,
    account_id: AccountId,
    title: &str,
    url: &str,
) {
    let hooks: Result<Vec<(WebhookKind, String)>, sqlx::Error> = async {
        let mut tx = crate::db::tenant_tx(pool, account_id).await?;
        let hooks = sqlx::query_as("SELECT kind, url FROM account_webhooks WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(hooks)
    }
    .await;
    let hooks = match hooks {
        Ok(hooks) => hooks,
        Err(e) => {
            tracing::error!(error = %e, "loading webhooks");
            return;
        }
    };
    let posts = hooks.into_iter().map(|(kind, hook)| {
        let body = match kind {
            WebhookKind::Teams => {
                let title = teams_text(title);
                json!({
                    "@type": "MessageCard",
                    "@context": "https://schema.org/extensions",
                    "summary": title,
                    "themeColor": "4F46E5",
                    "title": title,
                    "potentialAction": [{ "@type": "OpenUri", "name": "Pick up", "targets": [{ "os": "default", "uri": url }] }],
                })
            }
            WebhookKind::Slack => {
                json!({ "text": format!("{}\n<{url}|Pick up in ResolutionFlow>", slack_text(title)) })
            }
        };
        async move {
            // Checked again here: the rules may have been stricter than when it was added,
            // and an address written in the URL never reaches the client's resolver.
            if let Err(why) = crate::webhooks::check_url(&hook, allow_private) {
                tracing::warn!(kind = kind.as_str(), why, "webhook skipped");
                return;
            }
            // The URL is a credential for the channel: it stays out of the log, also out of
            // the client's error text, which names it.
            match http.post(&hook).timeout(OUTSIDE_TIMEOUT).json(&body).send().await {
                Ok(res) if res.status().is_success() => {}
                Ok(res) => tracing::warn!(kind = kind.as_str(), status = res.status().as_u16(), "webhook refused the escalation"),
                Err(e) => tracing::warn!(kind = kind.as_str(), error = %e.without_url(), "webhook unreachable"),
            }
        }
    });
    futures::future::join_all(posts).await;
}

/// Text for a Slack message: `&`, `<` and `>` as Slack's entities, so text someone typed can
/// neither ping a channel (`<!channel>`) nor plant a link (`<https://evil|Pick up>`).
pub fn slack_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text for a Teams card, which reads Markdown and some HTML: no tag, and no link syntax.
pub fn teams_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' | ']' | '(' | ')' | '*' | '_' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_has_the_first_name_the_ticket_and_a_70_character_snippet() {
        assert_eq!(
            escalation_title(
                "Jane Junior",
                Some("12345"),
                "Outlook is failing to sync email"
            ),
            "Escalation from Jane · #12345: Outlook is failing to sync email"
        );
        assert_eq!(
            escalation_title("Jane Junior", None, "VPN drops"),
            "Escalation from Jane: VPN drops"
        );
        let long = "a".repeat(69) + "bcdef";
        let title = escalation_title("Sam", None, &long);
        assert_eq!(title, format!("Escalation from Sam: {}b…", "a".repeat(69)));
        assert_eq!(title.chars().filter(|c| *c == '…').count(), 1);
    }

    #[test]
    fn smtp_to_another_machine_requires_starttls_unless_told_otherwise() {
        assert_eq!(
            require_tls("smtp://mail.example.com:587"),
            "smtp://mail.example.com:587?tls=required"
        );
        assert_eq!(
            require_tls("smtp://user:pw@10.0.0.2:25"),
            "smtp://user:pw@10.0.0.2:25?tls=required"
        );
        for unchanged in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtp://[::1]:25",
            "smtp://mail.example.com:587?tls=opportunistic",
            "smtps://mail.example.com:465",
        ] {
            assert_eq!(require_tls(unchanged), unchanged);
        }
        assert_eq!(
            require_tls("smtp://mail.example.com:25?tls=none"),
            "smtp://mail.example.com:25",
            "plain SMTP only when asked for"
        );
        assert!(Mailer::new(
            Some(&require_tls("smtp://relay.test:25?tls=none")),
            "a@b.test"
        )
        .is_ok());
        // What lettre makes of it: a transport that insists on TLS.
        assert!(Mailer::new(
            Some(&require_tls("smtp://mail.example.com:587")),
            "a@b.test"
        )
        .is_ok());
    }

    #[test]
    fn typed_text_can_neither_ping_nor_link_in_a_chat_message() {
        let typed = "Printer <!channel> <https://evil.test|Pick up> & [Pick up](https://evil.test)";
        let slack = slack_text(typed);
        assert_eq!(
            slack,
            "Printer &lt;!channel&gt; &lt;https://evil.test|Pick up&gt; &amp; [Pick up](https://evil.test)"
        );
        assert!(!slack.contains('<') && !slack.contains('>'));
        let teams = teams_text(typed);
        assert!(
            !teams.contains('<') && !teams.contains("[Pick up]("),
            "{teams}"
        );
        assert!(
            teams.contains("\\[Pick up\\]\\(https://evil.test\\)"),
            "{teams}"
        );
    }
}
