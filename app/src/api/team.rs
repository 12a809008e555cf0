//! The team (docs/API.md §12): sign-up and e-mail verification, invitations, and the members
//! page's calls. The rules are in `domain::team`.

use super::auth::{Done, LoginAnswer};
use leptos::{prelude::*, server_fn::codec::Json};
use vocab::{
    error::ApiError,
    ids::{InvitationId, UserId},
    team::{Invitation, InvitationView, Member, Team},
    visitor::SignInOptions,
};

#[cfg(feature = "ssr")]
use {
    super::ctx,
    chrono::Utc,
    domain::{
        auth::client::Client,
        team::{invitations, members, signup},
    },
    vocab::team::MemberStatus,
};

/// What the sign-in and sign-up pages offer.
#[server(prefix = "/api", endpoint = "auth/options", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn get_sign_in_options() -> Result<SignInOptions, ApiError> {
    let state = ctx::state()?;
    Ok(SignInOptions {
        signup_open: state.config.signup_open,
        sso_providers: state.sso.iter().map(|p| p.provider()).collect(),
    })
}

/// A new account on the free plan, its owner signed in (403 while sign-up is closed).
#[server(prefix = "/api", endpoint = "auth/signup", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn sign_up(
    account_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<LoginAnswer, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let now = Utc::now();
    let form = signup::SignUp {
        account_name: &account_name,
        name: &name,
        email: &email,
        password: &password,
    };
    let issued = signup::sign_up(
        &state,
        form,
        Client::of(&parts.headers, &parts.extensions),
        now,
    )
    .await?;
    Ok(LoginAnswer::signed_in(&state, issued, false, now))
}

#[server(prefix = "/api", endpoint = "auth/verify-email", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn verify_email(token: String) -> Result<Done, ApiError> {
    let state = ctx::state()?;
    signup::verify_email(&state, &token, Utc::now()).await?;
    Ok(Done { ok: true })
}

/// What an invitation link shows, to anyone holding it.
#[server(prefix = "/api", endpoint = "auth/invitation", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn look_up_invitation(token: String) -> Result<InvitationView, ApiError> {
    let state = ctx::state()?;
    invitations::view(&state, &token, Utc::now()).await
}

#[server(prefix = "/api", endpoint = "auth/accept-invitation", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn accept_invitation(
    token: String,
    name: String,
    password: String,
) -> Result<LoginAnswer, ApiError> {
    let state = ctx::state()?;
    let parts = ctx::parts()?;
    let now = Utc::now();
    let issued = invitations::accept(
        &state,
        &token,
        &name,
        &password,
        Client::of(&parts.headers, &parts.extensions),
        now,
    )
    .await?;
    Ok(LoginAnswer::signed_in(&state, issued, false, now))
}

#[server(prefix = "/api", endpoint = "account/members", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn list_members() -> Result<Team, ApiError> {
    let (state, caller) = ctx::caller().await?;
    members::team(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        Utc::now(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "account/invitations/create", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn invite(email: String, role: String) -> Result<Invitation, ApiError> {
    let (state, caller) = ctx::caller().await?;
    invitations::create(
        &state,
        caller.user.id,
        caller.user.account_id,
        &email,
        &role,
        Utc::now(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "account/invitations/revoke", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn revoke_invitation(invitation_id: InvitationId) -> Result<Done, ApiError> {
    let (state, caller) = ctx::caller().await?;
    invitations::revoke(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        invitation_id,
        Utc::now(),
    )
    .await?;
    Ok(Done { ok: true })
}

#[server(prefix = "/api", endpoint = "account/members/update-role", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn update_role(user_id: UserId, role: String) -> Result<Member, ApiError> {
    let (state, caller) = ctx::caller().await?;
    members::update_role(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        user_id,
        &role,
        Utc::now(),
    )
    .await
}

#[server(prefix = "/api", endpoint = "account/members/deactivate", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn deactivate(user_id: UserId) -> Result<Member, ApiError> {
    set_status(user_id, MemberStatus::Deactivated).await
}

#[server(prefix = "/api", endpoint = "account/members/reactivate", input = Json, input_derive = (Clone, serde::Serialize, serde::Deserialize, crate::api::ArgsSchema))]
pub async fn reactivate(user_id: UserId) -> Result<Member, ApiError> {
    set_status(user_id, MemberStatus::Active).await
}

#[cfg(feature = "ssr")]
async fn set_status(user_id: UserId, to: MemberStatus) -> Result<Member, ApiError> {
    let (state, caller) = ctx::caller().await?;
    members::set_status(
        &state.pool,
        caller.user.id,
        caller.user.account_id,
        user_id,
        to,
        Utc::now(),
    )
    .await
}
