//! Trying again what could not reach the server (the network dropped, a server restarting, a
//! deploy under way): 1 s, 2 s, 4 s … up to 30 s apart. Only in the browser: the server renders
//! a page once and has nothing to wait for, so there a failure is final.

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
    mut op: impl FnMut() -> Fut,
    again: impl Fn(&E) -> bool,
) -> Result<T, E>
where
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 0;
    loop {
        let failure = match op().await {
            Ok(done) => return Ok(done),
            Err(failure) => failure,
        };
        if cfg!(not(feature = "hydrate"))
            || tries.is_some_and(|tries| attempt + 1 >= tries)
            || !again(&failure)
        {
            return Err(failure);
        }
        #[cfg(feature = "hydrate")]
        gloo_timers::future::TimeoutFuture::new(backoff_ms(attempt)).await;
        attempt += 1;
    }
}
