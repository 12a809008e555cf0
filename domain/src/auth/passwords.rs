//! Password hashing: argon2id with the OWASP-recommended parameters (19 MiB, t=2, p=1), and
//! [`HashSlots`], which bounds how many are computed at once.

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Every slot and every place in the queue is taken: the request is answered 429 at once.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

/// Password hashes computed by a request (sign-in, a new password): at most `running` at once,
/// each on a blocking thread with its 19 MiB, and at most `waiting` more queued for a turn.
/// Beyond that a request is [`Busy`]: a burst of guesses costs the server a bounded amount of
/// memory (docs/SECURITY.md), instead of 19 MiB per request in flight.
#[derive(Clone)]
pub struct HashSlots {
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

impl HashSlots {
    pub fn new(running: usize, waiting: usize) -> Self {
        Self {
            admitted: Arc::new(Semaphore::new(running + waiting)),
            running: Arc::new(Semaphore::new(running)),
        }
    }

    /// One hash per core at once (more only take turns on the cores), and a queue of 16 per
    /// core: on two cores 2 x 19 MiB, and the last in the queue waits about half a second.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self::new(cores.max(2), cores * 16)
    }

    /// Whether `password` matches `stored` (see [`verify`]).
    pub async fn verify(&self, password: String, stored: String) -> Result<bool, Busy> {
        self.run(move || verify(&password, &stored)).await
    }

    /// `password`'s hash (see [`hash`]).
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        self.run(move || hash(&password)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let _admitted = self.admitted.try_acquire().map_err(|_| Busy)?;
        let _running = self.running.acquire().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(job).await.map_err(|_| Busy)
    }
}

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id with default parameters cannot fail on a valid salt")
        .to_string()
}

/// True when `password` matches `stored`. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_beyond_the_slots_and_the_queue_is_refused_at_once() {
        let slots = HashSlots::new(1, 1);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let running = tokio::spawn({
            let slots = slots.clone();
            async move { slots.run(move || hold.recv().is_ok()).await }
        });
        // The first holds the slot; the second waits in the queue's one place.
        while slots.running.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let queued = tokio::spawn({
            let slots = slots.clone();
            async move { slots.run(|| 2).await }
        });
        while slots.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(slots.run(|| 3).await, Err(Busy), "the third is refused");
        release.send(()).unwrap();
        assert_eq!(running.await.unwrap(), Ok(true));
        assert_eq!(queued.await.unwrap(), Ok(2), "the queued one ran after it");
        assert_eq!(slots.run(|| 4).await, Ok(4), "and the slots are free again");
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("correct horse");
        let b = hash("correct horse");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse", &a));
        assert!(!verify("correct horsE", &a));
        assert!(!verify("correct horse", "not-a-hash"));
    }
}
