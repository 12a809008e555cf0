//! One module per routed page, and the route of each, in a piece of the browser's WASM shared
//! with the pages used with it (`split`), so a page downloads its group's code and not every
//! other page's.

pub mod account_security;
pub mod account_settings;
pub mod dashboard;
pub mod invite;
pub mod knowledge_base;
pub mod login;
pub mod members;
pub mod not_found;
pub mod password_reset;
pub mod pilot;
pub mod signup;
pub mod split;

use account_security::AccountSecurityPage;
use account_settings::AccountSettingsPage;
use dashboard::DashboardPage;
use invite::InvitePage;
use knowledge_base::{ArticlePage, KnowledgeBasePage};
use login::LoginPage;
use members::MembersPage;
use password_reset::{ForgotPasswordPage, ResetPasswordPage};
use pilot::PilotPage;
use signup::{SignUpPage, VerifyEmailPage};
use split::split_pages;

split_pages! {
    // What a visitor who is not signed in sees: nothing of the signed-in pages.
    signed_out {
        LoginRoute: login_page => LoginPage,
        ForgotPasswordRoute: forgot_password_page => ForgotPasswordPage,
        ResetPasswordRoute: reset_password_page => ResetPasswordPage,
        SignUpRoute: sign_up_page => SignUpPage,
        VerifyEmailRoute: verify_email_page => VerifyEmailPage,
        InviteRoute: invite_page => InvitePage,
    }
    // The pages an engineer moves between all day.
    working_day {
        DashboardRoute: dashboard_page => DashboardPage,
        PilotRoute: pilot_page => PilotPage,
        KnowledgeBaseRoute: knowledge_base_page => KnowledgeBasePage,
        ArticleRoute: article_page => ArticlePage,
    }
    // Opened now and then.
    account {
        AccountSettingsRoute: account_settings_page => AccountSettingsPage,
        AccountSecurityRoute: account_security_page => AccountSecurityPage,
        MembersRoute: members_page => MembersPage,
    }
}

/// The account pages are left for the working day's pages: each of them fetches that piece
/// once the browser is idle after it is shown, so going back to the dashboard waits for its
/// data only.
fn prefetch_working_day() {
    use leptos_router::LazyRoute;
    leptos::prelude::Effect::new(|_| split::prefetch_when_idle(DashboardRoute::preload));
}
