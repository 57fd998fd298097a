//! Limits on password checks, apart from the public-form budget: a bounded number of argon2
//! verifications in flight per instance (each holds ~19 MiB; beyond it, 503 with
//! `Retry-After`), and a per-account budget of failed logins (beyond it, 429 for that account
//! until the window passes), so that guessing one organizer's password from many addresses is
//! slow too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{AppError, AppResult};

/// Password checks that may run at once in one instance.
const IN_FLIGHT: usize = 4;
/// Failed logins allowed per account in [`WINDOW`].
const FAILURES: u32 = 10;
const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The limits of one instance (`web::Data<Throttle>`, made by the app).
#[derive(Default)]
pub struct Throttle {
    running: std::sync::Arc<AtomicUsize>,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

/// A place among the password checks in flight; freed when dropped.
pub struct Permit(std::sync::Arc<AtomicUsize>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Throttle {
    /// A place for one password check, or 503 when [`IN_FLIGHT`] are running.
    pub fn password_check(&self) -> AppResult<Permit> {
        let taken = self.running.fetch_add(1, Ordering::SeqCst);
        if taken >= IN_FLIGHT {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return Err(AppError::Busy {
                retry_after_secs: 1,
            });
        }
        Ok(Permit(self.running.clone()))
    }

    /// 429 while the account has used its failed logins of the window.
    pub fn check_account(&self, email: &str) -> AppResult<()> {
        let map = self
            .failures
            .lock()
            .map_err(|_| AppError::internal("login throttle poisoned"))?;
        if let Some((start, n)) = map.get(email) {
            let elapsed = start.elapsed();
            if elapsed < WINDOW && *n >= FAILURES {
                return Err(AppError::TooManyRequests {
                    retry_after_secs: WINDOW.saturating_sub(elapsed).as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    /// Forgets the account's failed logins when they were counted before an unlock
    /// `unlocked_ago` ago (`salon admin unlock`, run in another process, writes the time to the
    /// database; the sign-in that finds the account locked reads it). True when it forgot.
    pub fn forgive(&self, email: &str, unlocked_ago: Duration) -> bool {
        let Ok(mut map) = self.failures.lock() else {
            return false;
        };
        match map.get(email) {
            Some((start, _)) if start.elapsed() > unlocked_ago => {
                map.remove(email);
                true
            }
            _ => false,
        }
    }

    /// Counts a failed login of the account.
    pub fn failed(&self, email: &str) {
        if let Ok(mut map) = self.failures.lock() {
            let now = Instant::now();
            if map.len() > 100_000 {
                map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            }
            let entry = map.entry(email.to_string()).or_insert((now, 0));
            if now.duration_since(entry.0) >= WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_throttled_after_its_failures() {
        let t = Throttle::default();
        let email = "throttle-unit@example.com";
        for _ in 0..FAILURES {
            assert!(t.check_account(email).is_ok());
            t.failed(email);
        }
        assert!(matches!(
            t.check_account(email),
            Err(AppError::TooManyRequests { .. })
        ));
        assert!(t.check_account("someone-else@example.com").is_ok());
    }

    #[test]
    fn password_checks_in_flight_are_bounded() {
        let t = Throttle::default();
        let permits: Vec<Permit> = (0..IN_FLIGHT)
            .filter_map(|_| t.password_check().ok())
            .collect();
        assert_eq!(permits.len(), IN_FLIGHT);
        assert!(matches!(t.password_check(), Err(AppError::Busy { .. })));
        drop(permits);
        assert!(t.password_check().is_ok());
    }
}
