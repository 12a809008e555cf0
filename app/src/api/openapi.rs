//! docs/API.md for machines: the OpenAPI 3.1 description served at `/api/openapi.json`.
//!
//! It is made from the server functions themselves: each one's path, the struct its arguments
//! travel in and the type it answers, as serde writes and reads them (utoipa's derive reads the
//! same `#[serde]` attributes), so it cannot drift from the code. A test holds the list below
//! to the functions the app registers. Every error answers with [`ApiError`] under the status
//! its code has (docs/API.md §2); the stream (`GET /api/escalations/stream`) is not JSON and is
//! described in docs/API.md §9 only.

use super::{auth, fixes, handoffs, kb, notifications, security, sessions, team, webhooks};
use leptos::server_fn::ServerFn;
use std::sync::OnceLock;
use utoipa::{
    openapi::{
        path::{HttpMethod, OperationBuilder, PathItem},
        request_body::RequestBodyBuilder,
        security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
        ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder,
        RefOr, ResponseBuilder, ResponsesBuilder, Schema,
    },
    PartialSchema, ToSchema,
};
use vocab::error::ApiError;

/// One server function as the description shows it.
struct Operation {
    path: &'static str,
    body: RefOr<Schema>,
    answer: RefOr<Schema>,
    /// The named schemas the two refer to.
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Operation {
    /// The server function whose arguments travel in `F`.
    fn of<F>() -> Self
    where
        F: ServerFn + ToSchema,
        F::Output: ToSchema,
    {
        let mut schemas = Vec::new();
        F::schemas(&mut schemas);
        F::Output::schemas(&mut schemas);
        Operation {
            path: F::PATH,
            body: F::schema(),
            answer: F::Output::schema(),
            schemas,
        }
    }
}

/// Every server function, by the struct its arguments travel in.
fn operations() -> Vec<Operation> {
    vec![
        Operation::of::<auth::Login>(),
        Operation::of::<auth::Refresh>(),
        Operation::of::<auth::Logout>(),
        Operation::of::<auth::Session>(),
        Operation::of::<auth::CurrentVisitor>(),
        Operation::of::<auth::ForgotPassword>(),
        Operation::of::<auth::ResetPassword>(),
        Operation::of::<team::GetSignInOptions>(),
        Operation::of::<team::SignUp>(),
        Operation::of::<team::VerifyEmail>(),
        Operation::of::<team::LookUpInvitation>(),
        Operation::of::<team::AcceptInvitation>(),
        Operation::of::<security::GetSecurity>(),
        Operation::of::<security::UpdateSecurity>(),
        Operation::of::<security::RevokeLogins>(),
        Operation::of::<security::RevokeLogin>(),
        Operation::of::<team::ListMembers>(),
        Operation::of::<team::Invite>(),
        Operation::of::<team::RevokeInvitation>(),
        Operation::of::<team::UpdateRole>(),
        Operation::of::<team::Deactivate>(),
        Operation::of::<team::Reactivate>(),
        Operation::of::<webhooks::ListWebhooks>(),
        Operation::of::<webhooks::AddWebhook>(),
        Operation::of::<webhooks::RemoveWebhook>(),
        Operation::of::<sessions::CreateSession>(),
        Operation::of::<sessions::ListSessions>(),
        Operation::of::<sessions::GetSession>(),
        Operation::of::<sessions::SendMessage>(),
        Operation::of::<sessions::ReportPresence>(),
        Operation::of::<sessions::AddStep>(),
        Operation::of::<sessions::ResolutionDraft>(),
        Operation::of::<sessions::ResolveSession>(),
        Operation::of::<handoffs::CreateHandoff>(),
        Operation::of::<handoffs::Queue>(),
        Operation::of::<handoffs::Claim>(),
        Operation::of::<handoffs::GetHandoff>(),
        Operation::of::<handoffs::EscalationTargets>(),
        Operation::of::<fixes::SuggestFix>(),
        Operation::of::<fixes::RecordFixOutcome>(),
        Operation::of::<kb::ListArticles>(),
        Operation::of::<kb::GetArticle>(),
        Operation::of::<kb::DraftArticle>(),
        Operation::of::<kb::ConvertSession>(),
        Operation::of::<notifications::ListNotifications>(),
        Operation::of::<notifications::ReadNotification>(),
    ]
}

/// The paths the description covers: a test compares them with what the app registers.
pub fn paths() -> Vec<&'static str> {
    operations().iter().map(|op| op.path).collect()
}

/// The description as JSON, built once.
pub fn json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| build().to_json().expect("the description serialises"))
}

fn build() -> OpenApi {
    let json = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
    let mut paths = PathsBuilder::new();
    let mut schemas = Vec::new();
    for op in operations() {
        let operation = OperationBuilder::new()
            .operation_id(Some(op.path.trim_start_matches("/api/").replace('/', "_")))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", json(op.body))
                    .required(Some(utoipa::openapi::Required::True))
                    .build(),
            ))
            .responses(
                ResponsesBuilder::new()
                    .response(
                        "200",
                        ResponseBuilder::new()
                            .description("Done")
                            .content("application/json", json(op.answer)),
                    )
                    .response(
                        "default",
                        ResponseBuilder::new()
                            .description("The error of docs/API.md §2, under its code's status")
                            .content("application/json", json(ApiError::schema())),
                    ),
            );
        paths = paths.path(op.path, PathItem::new(HttpMethod::Post, operation));
        schemas.extend(op.schemas);
    }
    // One schema per name: two wire types of one name would describe each other wrongly.
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in schemas.windows(2) {
        assert!(
            pair[0].0 != pair[1].0 || pair[0].1 == pair[1].1,
            "two wire types are called {}",
            pair[0].0
        );
    }
    schemas.dedup_by(|a, b| a.0 == b.0);
    let bearer = SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("ResolutionFlow")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Every call is a POST with a JSON body. Browsers are signed in by their \
                     cookies; API clients send `Authorization: Bearer ACCESS` (docs/API.md §1).",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(
            ComponentsBuilder::new()
                .schemas_from_iter(schemas)
                .security_scheme("bearer", bearer)
                .build(),
        ))
        // Signed in or not: the calls that need it answer 401 without it.
        .security(Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ]))
        .build()
}
