//! Sign-up (closed unless `RF_SIGNUP=open`): a new account on the free plan with its owner
//! signed in, and the link that verifies the owner's address.

use super::{email_taken, is_unique_violation, sign_in_new, EMAIL_TAKEN};
use crate::{
    audit,
    auth::{
        client::Client,
        logins::{AuthError, Issued},
        sign_in::rate_limited,
        throttle::{self, Counted},
    },
    db,
    links::{self, LinkMail},
    password_reset::password_error,
    state::AppState,
    text::{email as checked_email, required_text, Fields},
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;
use vocab::{
    error::{ApiError, ErrorCode},
    ids::{AccountId, UserId},
};

/// How long a verification link works.
pub const VERIFY_TTL: Duration = Duration::hours(24);
/// The longest account or person's name.
pub const NAME_MAX: usize = 200;

pub struct SignUp<'a> {
    pub account_name: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
}

/// Creates the account, its free subscription and its owner, and signs the owner in; then
/// mails the verification link. 403 while sign-up is closed; 422 naming each bad field.
pub async fn sign_up(
    state: &AppState,
    form: SignUp<'_>,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    if !state.config.signup_open {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "Sign-up is closed here. Ask your MSP's owner to invite you.",
        ));
    }
    let mut fields = Fields::default();
    let account_name = fields.take(required_text("account_name", form.account_name, NAME_MAX));
    let name = fields.take(required_text("name", form.name, NAME_MAX));
    let email = fields.take(checked_email("email", form.email));
    fields.note("password", password_error(form.password));

    // Each sign-up counts against the client's address like a sign-in attempt: one address
    // cannot make accounts, hash passwords or ask which addresses are taken without end.
    let counted = Counted::new(&email, client.address);
    if let Err(seconds) = throttle::attempt(&state.pool, &state.limits, &counted, now).await? {
        return Err(rate_limited("Too many attempts from here.", seconds));
    }
    // A taken address is said with the other problems, so the form is put right in one go.
    if !email.is_empty() {
        let mut tx = db::anonymous_tx(&state.pool).await?;
        if email_taken(&mut tx, &email).await? {
            fields.note("email", Some(EMAIL_TAKEN.to_owned()));
        }
        tx.commit().await?;
    }
    fields.checked()?;
    let password_hash = state
        .hashes
        .hash(form.password.to_owned())
        .await
        .map_err(AuthError::from)?;

    let account_id = AccountId(Uuid::new_v4());
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    sqlx::query("INSERT INTO accounts (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
        .bind(account_id)
        .bind(&account_name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO subscriptions (account_id, plan, status, created_at, updated_at) \
         VALUES ($1, 'free', 'active', $2, $2)",
    )
    .bind(account_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let user_id = UserId(Uuid::new_v4());
    let inserted = sqlx::query(
        "INSERT INTO users (id, account_id, email, name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'owner', $5, $6, $6)",
    )
    .bind(user_id)
    .bind(account_id)
    .bind(&email)
    .bind(&name)
    .bind(&password_hash)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        // Taken between the check and the insert, by a sign-up at the same moment.
        Err(e) if is_unique_violation(&e, "users_email_key") => {
            return Err(ApiError::invalid("email", EMAIL_TAKEN));
        }
        other => other?,
    };
    let token = links::mint(
        &mut tx,
        links::Kept::EmailVerification,
        account_id,
        user_id,
        VERIFY_TTL,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        account_id,
        Some(user_id),
        "account.created",
        json!({ "account_name": account_name, "user_id": user_id, "plan": "free" }),
        now,
    )
    .await?;
    let issued = sign_in_new(state, tx, user_id, client, now).await?;

    let state = state.clone();
    tokio::spawn(async move {
        LinkMail {
            to: &email,
            subject: "Confirm your e-mail for ResolutionFlow",
            lead: &format!(
                "Welcome to ResolutionFlow, {name}.\n\n\
                 Confirm that this is your address (the link works once, for a day):"
            ),
            link: &links::url(&state.config.public_url, "verify-email", &token),
            tail: "If you didn't sign up, ignore this mail.",
            kind: "verification",
        }
        .send(&state.mailer, &state.pool, account_id)
        .await;
    });
    Ok(issued)
}

/// Verifies an address with its link: once, within a day. 404 for any link that doesn't.
pub async fn verify_email(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut tx = db::anonymous_tx(&state.pool).await?;
    let user: Option<UserId> = sqlx::query_scalar("SELECT rf_verify_email($1, $2)")
        .bind(links::hash(token))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    user.map(|_| ()).ok_or_else(ApiError::not_found)
}
