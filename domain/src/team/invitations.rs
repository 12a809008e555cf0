//! Invitations: an owner or admin invites an address with a role; the mailed link (7 days,
//! single use, stored as its hash) shows who invited whom to which account, and is accepted
//! with a name and password (or single sign-on), which makes the new member and signs them in.

use super::{
    email_taken, is_unique_violation, lock_account, sign_in_new, sso::bind_identity, EMAIL_TAKEN,
};
use crate::{
    actor::Actor,
    audit,
    auth::{
        client::Client,
        logins::{AuthError, Issued},
        oidc::Identity,
    },
    db::{self, Tx},
    links::{self, LinkMail},
    password_reset::password_error,
    state::AppState,
    text::{email as checked_email, required_text, Fields},
};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;
use vocab::{
    error::ApiError,
    ids::{AccountId, InvitationId, UserId},
    team::{Invitation, InvitationView, InvitedBy},
    users::Role,
};

/// How long an invitation link works.
pub const INVITATION_TTL: Duration = Duration::days(7);
const OPEN_EMAIL_KEY: &str = "invitations_open_email_key";

#[derive(sqlx::FromRow)]
struct InvitationRow {
    id: InvitationId,
    email: String,
    role: Role,
    invited_by: UserId,
    invited_by_name: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl From<InvitationRow> for Invitation {
    fn from(r: InvitationRow) -> Self {
        Invitation {
            invitation_id: r.id,
            email: r.email,
            role: r.role,
            invited_by: InvitedBy {
                user_id: r.invited_by,
                name: r.invited_by_name,
            },
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

/// The columns of [`InvitationRow`], from `invitations i JOIN users u` (the inviter).
const INVITATION_COLUMNS: &str = "i.id, i.email, i.role, i.invited_by, \
     u.name AS invited_by_name, i.created_at, i.expires_at";
/// An invitation that can still be accepted at `$now`.
const OPEN: &str = "i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $1";

/// Invites `email` as `role` and mails the link. 403 for a role the caller may not give;
/// 422 for an unknown role, a taken address or one with an open invitation.
pub async fn create(
    state: &AppState,
    caller: UserId,
    account_id: AccountId,
    email: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<Invitation, ApiError> {
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    let actor = Actor::load_if(&mut tx, caller, Role::manages_team).await?;
    let role = Role::parse(role.trim())
        .ok_or_else(|| ApiError::invalid("role", "Choose owner, admin, engineer or viewer."))?;
    if !actor.role.can_invite(role) {
        return Err(ApiError::forbidden());
    }
    let email = checked_email("email", email)?;
    let member: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)")
        .bind(&email)
        .fetch_one(&mut *tx)
        .await?;
    if member {
        return Err(ApiError::invalid(
            "email",
            "This person is already a member of your account.",
        ));
    }
    if email_taken(&mut tx, &email).await? {
        return Err(ApiError::invalid("email", EMAIL_TAKEN));
    }
    // A lapsed invitation of this address gives way: it ended when it expired.
    sqlx::query(
        "UPDATE invitations SET revoked_at = expires_at WHERE account_id = $1 AND email = $2 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= $3",
    )
    .bind(actor.account_id)
    .bind(&email)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let token = links::new_token();
    let inserted: Result<InvitationId, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO invitations (id, account_id, email, role, invited_by, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(InvitationId(Uuid::new_v4()))
    .bind(actor.account_id)
    .bind(&email)
    .bind(role)
    .bind(actor.user_id)
    .bind(links::hash(&token))
    .bind(now)
    .bind(now + INVITATION_TTL)
    .fetch_one(&mut *tx)
    .await;
    let invitation_id = match inserted {
        Err(e) if is_unique_violation(&e, OPEN_EMAIL_KEY) => {
            return Err(ApiError::invalid(
                "email",
                "This address already has an open invitation. Revoke it to send a new one.",
            ));
        }
        other => other?,
    };
    audit::record(
        &mut tx,
        actor.account_id,
        Some(actor.user_id),
        "account.member_invited",
        json!({ "invitation_id": invitation_id, "email": email, "role": role }),
        now,
    )
    .await?;
    let account_name: String = sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
        .bind(actor.account_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;

    let invitation = Invitation {
        invitation_id,
        email: email.clone(),
        role,
        invited_by: InvitedBy {
            user_id: actor.user_id,
            name: actor.name.clone(),
        },
        created_at: now,
        expires_at: now + INVITATION_TTL,
    };
    let state = state.clone();
    tokio::spawn(async move {
        LinkMail {
            to: &email,
            subject: &format!(
                "{} invited you to {account_name} on ResolutionFlow",
                actor.name
            ),
            lead: &format!(
                "{} invited you to join {account_name} on ResolutionFlow as {}.\n\n\
                 Accept here (the link works once, for 7 days):",
                actor.name,
                role.with_article()
            ),
            link: &links::url(&state.config.public_url, "invite", &token),
            tail: "If you weren't expecting this, ignore this mail: nothing happens without you.",
            kind: "invitation",
        }
        .send(&state.mailer, &state.pool, actor.account_id)
        .await;
    });
    Ok(invitation)
}

/// Revokes an open invitation: its link stops working. 404 for one that is not open (or of
/// another account); 403 for an owner's invitation revoked by an admin.
pub async fn revoke(
    pool: &sqlx::PgPool,
    caller: UserId,
    account_id: AccountId,
    invitation_id: InvitationId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut tx = db::tenant_tx(pool, account_id).await?;
    let actor = Actor::load_if(&mut tx, caller, Role::manages_team).await?;
    let open: Option<(String, Role)> = sqlx::query_as(&format!(
        "SELECT i.email, i.role FROM invitations i WHERE i.id = $2 AND i.account_id = $3 AND {OPEN} \
         FOR UPDATE"
    ))
    .bind(now)
    .bind(invitation_id)
    .bind(actor.account_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (email, role) = open.ok_or_else(ApiError::not_found)?;
    if !actor.role.can_invite(role) {
        return Err(ApiError::forbidden());
    }
    sqlx::query("UPDATE invitations SET revoked_at = $2 WHERE id = $1")
        .bind(invitation_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::commit_with(
        tx,
        actor.account_id,
        Some(actor.user_id),
        "account.invitation_revoked",
        json!({ "invitation_id": invitation_id, "email": email, "role": role }),
        now,
    )
    .await?;
    Ok(())
}

/// The open invitation a link's token names, in a transaction of its account; 404 for a token
/// that is unknown, used, revoked or expired. Locked with `for_update` (to accept it).
async fn open_invitation(
    state: &AppState,
    token: &str,
    for_update: bool,
    now: DateTime<Utc>,
) -> Result<(Tx, AccountId, InvitationRow), ApiError> {
    let hash = links::hash(token);
    let mut tx = db::anonymous_tx(&state.pool).await?;
    let account_id: Option<AccountId> = sqlx::query_scalar("SELECT rf_invitation_account($1)")
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    let account_id = account_id.ok_or_else(ApiError::not_found)?;
    let mut tx = db::tenant_tx(&state.pool, account_id).await?;
    let row: Option<InvitationRow> = sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.invited_by \
         WHERE i.token_hash = $2 AND {OPEN}{}",
        if for_update { " FOR UPDATE OF i" } else { "" }
    ))
    .bind(now)
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or_else(ApiError::not_found)?;
    Ok((tx, account_id, row))
}

/// What an invitation link shows before it is accepted.
pub async fn view(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> Result<InvitationView, ApiError> {
    let (mut tx, account_id, row) = open_invitation(state, token, false, now).await?;
    let account_name: String = sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(InvitationView {
        account_name,
        email: row.email,
        role: row.role,
        invited_by_name: row.invited_by_name,
        expires_at: row.expires_at,
    })
}

/// Accepts an invitation with a name and a new password: the invited member is created with
/// its role, their address counted as verified (the link reached it), and signed in. The
/// invitation is locked while this runs, so of two people accepting one link, one becomes the
/// member and the other gets 404.
pub async fn accept(
    state: &AppState,
    token: &str,
    name: &str,
    password: &str,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let mut fields = Fields::default();
    let name = fields.take(required_text("name", name, super::signup::NAME_MAX));
    fields.note("password", password_error(password));
    fields.checked()?;
    // Looked up first: nobody computes a hash for a link that doesn't work.
    let (tx, _, _) = open_invitation(state, token, false, now).await?;
    tx.commit().await?;
    let password_hash = state
        .hashes
        .hash(password.to_owned())
        .await
        .map_err(AuthError::from)?;
    join(
        state,
        token,
        &name,
        Credential::Password(password_hash),
        client,
        now,
    )
    .await
}

/// Accepts an invitation by single sign-on: the provider vouched for `identity`, whose address
/// must be the invited one (422 with `fields.email` otherwise). The new member has no password
/// and is tied to that provider account.
pub async fn accept_by_sso(
    state: &AppState,
    token: &str,
    identity: &Identity,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let fallback = identity.email.split('@').next().unwrap_or_default();
    let name = identity.name.as_deref().unwrap_or(fallback);
    let name: String = name.chars().take(super::signup::NAME_MAX).collect();
    join(state, token, &name, Credential::Sso(identity), client, now).await
}

/// How someone accepting an invitation will sign in from then on.
enum Credential<'a> {
    /// The hash of the password they chose.
    Password(String),
    Sso(&'a Identity),
}

/// Makes the invited member, marks the invitation accepted and signs them in, in one
/// transaction: two people accepting one link at once make one member, the other gets 404.
async fn join(
    state: &AppState,
    token: &str,
    name: &str,
    credential: Credential<'_>,
    client: Client<'_>,
    now: DateTime<Utc>,
) -> Result<Issued, ApiError> {
    let (mut tx, account_id, invitation) = open_invitation(state, token, true, now).await?;
    if let Credential::Sso(identity) = &credential {
        if identity.email != invitation.email {
            return Err(ApiError::invalid(
                "email",
                "The invitation is for another e-mail address.",
            ));
        }
    }
    lock_account(&mut tx, account_id).await?;
    let user_id = UserId(Uuid::new_v4());
    let password_hash = match &credential {
        Credential::Password(hash) => Some(hash.as_str()),
        Credential::Sso(_) => None,
    };
    let inserted = sqlx::query(
        "INSERT INTO users (id, account_id, email, name, role, email_verified_at, password_hash, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $6)",
    )
    .bind(user_id)
    .bind(account_id)
    .bind(&invitation.email)
    .bind(name)
    .bind(invitation.role)
    .bind(now)
    .bind(password_hash)
    .execute(&mut *tx)
    .await;
    match inserted {
        // The address signed up elsewhere since the invitation was sent.
        Err(e) if is_unique_violation(&e, "users_email_key") => {
            return Err(ApiError::invalid("token", EMAIL_TAKEN));
        }
        other => other?,
    };
    let sso = match &credential {
        Credential::Sso(identity) => {
            if !bind_identity(&mut tx, account_id, user_id, identity, now).await? {
                return Err(ApiError::invalid(
                    "token",
                    "That provider account already belongs to another member.",
                ));
            }
            Some(identity.provider)
        }
        Credential::Password(_) => None,
    };
    sqlx::query("UPDATE invitations SET accepted_at = $2, accepted_user_id = $3 WHERE id = $1")
        .bind(invitation.id)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        account_id,
        Some(user_id),
        "account.member_joined",
        json!({
            "invitation_id": invitation.id,
            "user_id": user_id,
            "email": invitation.email,
            "role": invitation.role,
            "invited_by": invitation.invited_by,
            "sso": sso,
        }),
        now,
    )
    .await?;
    sign_in_new(state, tx, user_id, client, now).await
}

/// The account's open invitations, newest first.
pub(super) async fn open_list(
    tx: &mut Tx,
    account_id: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<Invitation>, sqlx::Error> {
    let rows: Vec<InvitationRow> = sqlx::query_as(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations i JOIN users u ON u.id = i.invited_by \
         WHERE i.account_id = $2 AND {OPEN} ORDER BY i.created_at DESC LIMIT 500"
    ))
    .bind(now)
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(Invitation::from).collect())
}
