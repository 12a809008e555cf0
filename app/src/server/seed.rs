//! `seed-demo`: the demo accounts and users of CONTRACT §2, created idempotently.
//!
//! Ids are derived from the account slug and the e-mail (UUID v5), so a second run finds every
//! row already there and changes nothing. Everything is written through the tenant transaction,
//! the same row-level-security path requests take.

use super::{db, passwords};
use sqlx::PgPool;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "resolutionflow-demo";

/// Namespace of the demo ids (a fixed random UUID).
const NAMESPACE: Uuid = Uuid::from_u128(0x5f0c_2b1e_8a4d_4c3f_9e7a_1d2b_3c4d_5e6f);

pub struct DemoUser {
    pub email: &'static str,
    pub name: &'static str,
    pub role: &'static str,
}

pub struct DemoAccount {
    pub slug: &'static str,
    pub name: &'static str,
    pub users: &'static [DemoUser],
}

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        slug: "acme",
        name: "Acme MSP",
        users: &[
            DemoUser {
                email: "owner@acme.test",
                name: "Olivia Owner",
                role: "owner",
            },
            DemoUser {
                email: "alex@acme.test",
                name: "Alex Admin",
                role: "admin",
            },
            DemoUser {
                email: "jane@acme.test",
                name: "Jane Junior",
                role: "engineer",
            },
            DemoUser {
                email: "sam@acme.test",
                name: "Sam Senior",
                role: "engineer",
            },
            DemoUser {
                email: "val@acme.test",
                name: "Val Viewer",
                role: "viewer",
            },
        ],
    },
    DemoAccount {
        slug: "globex",
        name: "Globex IT",
        users: &[
            DemoUser {
                email: "owner@globex.test",
                name: "Grace Globex",
                role: "owner",
            },
            DemoUser {
                email: "nina@globex.test",
                name: "Nina Globex",
                role: "engineer",
            },
        ],
    },
];

pub fn demo_account_id(slug: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("account:{slug}").as_bytes())
}

pub fn demo_user_id(email: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("user:{email}").as_bytes())
}

/// What one run created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub accounts: u64,
    pub users: u64,
    pub subscriptions: u64,
}

impl SeedReport {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

pub async fn seed_demo(pool: &PgPool) -> Result<SeedReport, sqlx::Error> {
    let mut report = SeedReport::default();
    for account in DEMO_ACCOUNTS {
        let account_id = demo_account_id(account.slug);
        let mut tx = db::tenant_tx(pool, account_id).await?;

        report.accounts += sqlx::query(
            "INSERT INTO accounts (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(account_id)
        .bind(account.name)
        .execute(&mut *tx)
        .await?
        .rows_affected();

        report.subscriptions += sqlx::query(
            "INSERT INTO subscriptions (account_id, plan, status) VALUES ($1, 'pro', 'active') \
             ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();

        let emails: Vec<&str> = account.users.iter().map(|u| u.email).collect();
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT email FROM users WHERE email = ANY($1)")
                .bind(&emails)
                .fetch_all(&mut *tx)
                .await?;

        for user in account
            .users
            .iter()
            .filter(|u| !existing.iter().any(|e| e == u.email))
        {
            report.users += sqlx::query(
                "INSERT INTO users (id, account_id, email, name, role, email_verified_at, password_hash) \
                 VALUES ($1, $2, $3, $4, $5, now(), $6) ON CONFLICT (email) DO NOTHING",
            )
            .bind(demo_user_id(user.email))
            .bind(account_id)
            .bind(user.email)
            .bind(user.name)
            .bind(user.role)
            .bind(passwords::hash(DEMO_PASSWORD))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
    }
    Ok(report)
}
