//! One id type per kind of thing, so that a login's id cannot be passed where a troubleshooting
//! session's belongs (`revoke_login(owner, user, login)` used to take three bare `Uuid`s).

id!(
    /// An account: one MSP, the tenant every row belongs to.
    AccountId
);
id!(
    /// A person in an account.
    UserId
);
id!(
    /// A troubleshooting session.
    SessionId
);
id!(
    /// A login: one sign-in and the family of refresh tokens it rotates through (the `sid`
    /// claim; `session_id` in the security page's JSON).
    LoginId
);
id!(
    /// An escalation or a parking of a session.
    HandoffId
);
id!(
    /// A fix suggested on a session.
    FixId
);
id!(
    /// A knowledge-base article.
    ArticleId
);
id!(
    /// An invitation to join an account.
    InvitationId
);
