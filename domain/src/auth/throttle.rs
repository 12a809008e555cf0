//! Sign-in throttling (docs/SECURITY.md, "Sign-in throttling").
//!
//! Every attempt is counted in the database *before* its password is checked, by
//! `rf_sign_in_attempt`, so every `serve` process on the database shares one count and a burst
//! of parallel guesses cannot slip past a limit while their hashes are still being computed.
//! Three counts, each in a fixed window:
//!
//! - per client address (an IPv6 address per /64, which one subscriber usually holds whole),
//!   across e-mails: one address guessing many accounts;
//! - per e-mail *from* that address: the limit a mistyping member meets, and all that one
//!   address can do to an account, so guessing from one address never locks the member out
//!   from another;
//! - per e-mail from anywhere, higher: guessing one account from many addresses.
//!
//! A successful sign-in gives its attempt back and clears the member's own failures from that
//! address, so an office behind one address is never throttled by people signing in.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_address: i32,
    pub per_email_at_address: i32,
    pub per_email: i32,
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_address: 30,
            per_email_at_address: 5,
            per_email: 20,
            window: Duration::minutes(15),
        }
    }
}

/// The counts one attempt was made against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    address: String,
    email_at_address: String,
    email: String,
}

impl Counted {
    pub fn new(email: &str, client: Option<IpAddr>) -> Self {
        let address = match client {
            Some(ip) => network(ip),
            None => "unknown".to_owned(),
        };
        Self {
            email_at_address: key(&format!("email-at:{email} {address}")),
            address: key(&format!("address:{address}")),
            email: key(&format!("email:{email}")),
        }
    }
}

/// The network a client address stands for: itself for IPv4, its /64 for IPv6 (an IPv4
/// address mapped into IPv6 counts as the IPv4 address).
fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// A count's key as stored: the SHA-256 of what it counts, so a key is 64 characters however
/// long the e-mail typed, and the table holds no e-mail or address in the clear.
fn key(what: &str) -> String {
    crate::text::sha256_hex(what)
}

/// Counts an attempt. `Ok(Err(seconds))`: a limit is reached, nothing was counted, and the
/// attempt may be made again in that many seconds.
pub async fn attempt(
    pool: &PgPool,
    limits: &Limits,
    counted: &Counted,
    now: DateTime<Utc>,
) -> Result<Result<(), i64>, sqlx::Error> {
    let mut tx = crate::db::anonymous_tx(pool).await?;
    let wait: i32 = sqlx::query_scalar("SELECT rf_sign_in_attempt($1, $2, $3, $4)")
        .bind([&counted.address, &counted.email_at_address, &counted.email])
        .bind([
            limits.per_address,
            limits.per_email_at_address,
            limits.per_email,
        ])
        .bind(limits.window.num_seconds() as i32)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(if wait > 0 { Err(wait.into()) } else { Ok(()) })
}

/// Gives back an attempt that turned out not to be a guess: the sign-in succeeded (`cleared`:
/// the member's failures from that address end too), or it was never checked.
pub async fn give_back(pool: &PgPool, counted: &Counted, cleared: bool) -> Result<(), sqlx::Error> {
    let refund = [&counted.address, &counted.email_at_address, &counted.email];
    let clear: &[&String] = if cleared {
        &[&counted.email_at_address]
    } else {
        &[]
    };
    let mut tx = crate::db::anonymous_tx(pool).await?;
    sqlx::query("SELECT rf_sign_in_give_back($1, $2)")
        .bind(refund)
        .bind(clear)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_counts_as_its_64_and_a_mapped_ipv4_as_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(
            Counted::new("x@y.test", Some(a)),
            Counted::new("x@y.test", Some(b))
        );
        assert_ne!(
            Counted::new("x@y.test", Some(a)),
            Counted::new("x@y.test", Some(c))
        );
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            Counted::new("x@y.test", Some(v4)),
            Counted::new("x@y.test", Some(mapped))
        );
    }

    #[test]
    fn keys_are_fixed_length_hashes_whatever_was_typed() {
        let counted = Counted::new(&"a".repeat(10_000), None);
        for k in [&counted.address, &counted.email_at_address, &counted.email] {
            assert_eq!(k.len(), 64);
        }
        assert_ne!(counted.email, Counted::new("b", None).email);
        assert_eq!(counted.address, Counted::new("b", None).address);
    }
}
