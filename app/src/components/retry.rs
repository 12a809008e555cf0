//! Trying again what could not reach the server (the network dropped, a server restarting, a
//! deploy under way): 1 s, 2 s, 4 s … up to 30 s apart. Only in the browser: the server renders
//! a page once and has nothing to wait for, so there a failure is final.

use std::future::Future;

/// How long to wait before trying again after `attempt` earlier tries: 1 s, 2 s, 4 s … 30 s.
#[cfg(feature = "hydrate")]
pub fn backoff_ms(attempt: u32) -> u32 {
    1000u32.saturating_mul(1 << attempt.min(5)).min(30_000)
}

/// Runs `op` until it succeeds, waiting [`backoff_ms`] between tries: at most `tries` times
/// (`None`: for as long as the page is open), and only while `again` finds the failure worth
/// another try. Gives the last failure otherwise.
pub async fn retried<T, E, Fut>(
    tries: Option<u32>,
    op: impl FnMut() -> Fut,
    again: impl Fn(&E) -> bool,
) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    #[cfg(feature = "hydrate")]
    let (tries, wait) = (tries, |attempt| {
        gloo_timers::future::TimeoutFuture::new(backoff_ms(attempt))
    });
    // On the server, one try whatever was asked.
    #[cfg(not(feature = "hydrate"))]
    let (tries, wait) = {
        let _ = tries;
        (Some(1), |_| std::future::ready(()))
    };
    retried_waiting(tries, op, again, wait).await
}

/// [`retried`] with its wait between tries (`wait(attempt)`) given. `again` is asked before the
/// wait and after it: what made the failure worth another try may have ended meanwhile (the
/// page was left).
async fn retried_waiting<T, E, Fut, Wait>(
    tries: Option<u32>,
    mut op: impl FnMut() -> Fut,
    again: impl Fn(&E) -> bool,
    wait: impl Fn(u32) -> Wait,
) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
    Wait: Future<Output = ()>,
{
    let mut attempt = 0;
    loop {
        let failure = match op().await {
            Ok(done) => return Ok(done),
            Err(failure) => failure,
        };
        if tries.is_some_and(|tries| attempt + 1 >= tries) || !again(&failure) {
            return Err(failure);
        }
        wait(attempt).await;
        if !again(&failure) {
            return Err(failure);
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::retried_waiting;
    use std::{cell::RefCell, future::Future, pin::pin, task};

    /// Runs a future whose every await is ready at once (the waits and tries below).
    fn now<T>(future: impl Future<Output = T>) -> T {
        let mut context = task::Context::from_waker(task::Waker::noop());
        match pin!(future).poll(&mut context) {
            task::Poll::Ready(done) => done,
            task::Poll::Pending => panic!("a test future waited"),
        }
    }

    /// `retried_waiting` over an `op` that fails `failures` times, then succeeds; what it gave,
    /// and the log of tries and waits.
    fn run(
        tries: Option<u32>,
        failures: usize,
        again: impl Fn(&String, &[String]) -> bool,
    ) -> (Result<usize, String>, Vec<String>) {
        let log = RefCell::new(Vec::new());
        let given = now(retried_waiting(
            tries,
            || {
                let mut log = log.borrow_mut();
                let made = log
                    .iter()
                    .filter(|e: &&String| e.starts_with("try"))
                    .count();
                log.push(format!("try {made}"));
                std::future::ready(if made < failures {
                    Err(format!("failure {made}"))
                } else {
                    Ok(made)
                })
            },
            |failure| again(failure, &log.borrow()),
            |attempt| {
                log.borrow_mut().push(format!("wait {attempt}"));
                std::future::ready(())
            },
        ));
        (given, log.into_inner())
    }

    #[test]
    fn a_failure_is_tried_again_after_a_longer_wait_each_time_until_it_succeeds() {
        let (given, log) = run(None, 2, |_, _| true);
        assert_eq!(given, Ok(2));
        assert_eq!(log, ["try 0", "wait 0", "try 1", "wait 1", "try 2"]);
    }

    #[test]
    fn it_gives_up_after_as_many_tries_as_it_was_given_with_the_last_failure() {
        let (given, log) = run(Some(3), 10, |_, _| true);
        assert_eq!(given, Err("failure 2".into()));
        assert_eq!(log, ["try 0", "wait 0", "try 1", "wait 1", "try 2"]);
    }

    #[test]
    fn a_failure_not_worth_another_try_is_given_at_once() {
        let (given, log) = run(None, 10, |failure, _| failure != "failure 0");
        assert_eq!(given, Err("failure 0".into()));
        assert_eq!(log, ["try 0"]);
    }

    #[test]
    fn no_try_follows_a_wait_during_which_trying_again_stopped_being_worth_it() {
        // The page is left while the first wait runs.
        let (given, log) = run(None, 10, |_, log| !log.contains(&"wait 0".to_string()));
        assert_eq!(given, Err("failure 0".into()));
        assert_eq!(log, ["try 0", "wait 0"]);
    }
}
