//! `seed-demo`: the demo accounts and users of the README, created idempotently.
//!
//! Ids are derived from the account slug and the e-mail (UUID v5), so a second run finds every
//! row already there and changes nothing. Everything is written through the tenant transaction,
//! the same row-level-security path requests take.
//!
//! `seed-demo --world TAG` makes another copy of the same accounts, people and sessions beside
//! the README's, sharing nothing with it: `jane@acme-TAG.test` in "Acme MSP", and so on. Each
//! end-to-end test makes a world of its own, so tests run in any order and side by side.

use crate::{auth::passwords, db};
use sqlx::PgPool;
use uuid::Uuid;
use vocab::ids::{AccountId, UserId};

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

pub fn demo_account_id(slug: &str) -> AccountId {
    AccountId(Uuid::new_v5(
        &NAMESPACE,
        format!("account:{slug}").as_bytes(),
    ))
}

pub fn demo_user_id(email: &str) -> UserId {
    UserId(Uuid::new_v5(&NAMESPACE, format!("user:{email}").as_bytes()))
}

/// Which copy of the demo data: the README's (no tag) or the one named by a tag.
#[derive(Clone, Copy, Debug, Default)]
pub struct World<'a>(Option<&'a str>);

impl<'a> World<'a> {
    pub const README: World<'static> = World(None);

    /// A world of its own: the tag is 1 to 32 lower-case letters, digits or `-`, as it becomes
    /// part of every e-mail address of the world.
    pub fn tagged(tag: &'a str) -> Result<Self, &'static str> {
        let fits = (1..=32).contains(&tag.len())
            && tag
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if fits {
            Ok(World(Some(tag)))
        } else {
            Err("a world's tag is 1 to 32 of a-z, 0-9 and -")
        }
    }

    /// The account's slug in this world: `acme`, or `acme-TAG`.
    pub fn slug(&self, slug: &str) -> String {
        match self.0 {
            None => slug.to_owned(),
            Some(tag) => format!("{slug}-{tag}"),
        }
    }

    /// A demo address in this world: `jane@acme.test`, or `jane@acme-TAG.test`.
    pub fn email(&self, email: &str) -> String {
        match (self.0, email.split_once('@')) {
            (Some(tag), Some((local, domain))) => {
                let (name, tld) = domain.rsplit_once('.').unwrap_or((domain, "test"));
                format!("{local}@{name}-{tag}.{tld}")
            }
            _ => email.to_owned(),
        }
    }
}

/// What one run created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub accounts: u64,
    pub users: u64,
    pub subscriptions: u64,
    pub sessions: u64,
}

/// Jane's troubleshooting sessions: (summary, PSA ticket, steps as (action, outcome)).
type DemoSession = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

const JANE_SESSIONS: &[DemoSession] = &[
    (
        "Outlook is failing to sync email for the finance team since this morning",
        Some("48213"),
        &[
            ("Restarted Outlook on two affected machines", "failed"),
            (
                "Checked Microsoft 365 service health: no incident listed",
                "worked",
            ),
            ("Rebuilt the Outlook profile on one machine", "partial"),
        ],
    ),
    (
        "Receptionist's label printer prints blank labels",
        None,
        &[
            ("Replaced the label roll", "failed"),
            ("Restarted the Print Spooler service", "pending"),
        ],
    ),
    (
        "New starter can't connect to the office VPN from home",
        None,
        &[("Re-sent the VPN profile by e-mail", "failed")],
    ),
];

impl SeedReport {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The README's demo data.
pub async fn seed_demo(pool: &PgPool) -> Result<SeedReport, sqlx::Error> {
    seed_world(pool, World::README).await
}

pub async fn seed_world(pool: &PgPool, world: World<'_>) -> Result<SeedReport, sqlx::Error> {
    let mut report = SeedReport::default();
    for account in DEMO_ACCOUNTS {
        let account_id = demo_account_id(&world.slug(account.slug));
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

        let emails: Vec<String> = account.users.iter().map(|u| world.email(u.email)).collect();
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT email FROM users WHERE email = ANY($1)")
                .bind(&emails)
                .fetch_all(&mut *tx)
                .await?;

        for (user, email) in account
            .users
            .iter()
            .zip(&emails)
            .filter(|(_, email)| !existing.contains(email))
        {
            report.users += sqlx::query(
                "INSERT INTO users (id, account_id, email, name, role, email_verified_at, password_hash) \
                 VALUES ($1, $2, $3, $4, $5, now(), $6) ON CONFLICT (email) DO NOTHING",
            )
            .bind(demo_user_id(email))
            .bind(account_id)
            .bind(email)
            .bind(user.name)
            .bind(user.role)
            .bind(passwords::hash(DEMO_PASSWORD))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if account.slug == "acme" {
            report.sessions += seed_jane_sessions(&mut tx, account_id, world).await?;
        }
        tx.commit().await?;
    }
    Ok(report)
}

/// A few sessions for Jane so the product has something to show; each keeps its id across runs.
async fn seed_jane_sessions(
    tx: &mut db::Tx,
    account_id: AccountId,
    world: World<'_>,
) -> Result<u64, sqlx::Error> {
    let jane = demo_user_id(&world.email("jane@acme.test"));
    let mut created = 0;
    for (i, (summary, ticket, steps)) in JANE_SESSIONS.iter().enumerate() {
        let key = match world.0 {
            None => format!("session:jane:{i}"),
            Some(tag) => format!("session:jane:{tag}:{i}"),
        };
        let id = Uuid::new_v5(&NAMESPACE, key.as_bytes());
        let inserted = sqlx::query(
            "INSERT INTO troubleshooting_sessions (id, account_id, user_id, problem_summary, psa_ticket_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now() - make_interval(hours => $6), \
             now() - make_interval(hours => $6)) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(account_id)
        .bind(jane)
        .bind(summary)
        .bind(ticket)
        .bind(i as i32 + 1)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            continue;
        }
        created += 1;
        for (position, (action, outcome)) in steps.iter().enumerate() {
            sqlx::query(
                "INSERT INTO session_steps (account_id, session_id, position, action, outcome) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(id)
            .bind(position as i32 + 1)
            .bind(action)
            .bind(outcome)
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query("INSERT INTO session_messages (account_id, session_id, author_id, body) VALUES ($1, $2, $3, $4)")
            .bind(account_id)
            .bind(id)
            .bind(jane)
            .bind(format!("Starting on this: {summary}."))
            .execute(&mut **tx)
            .await?;
    }
    Ok(created)
}
