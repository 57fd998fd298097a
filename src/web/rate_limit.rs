//! Per-client-address limits on public POSTs (`rate_limit.per_minute`), answered with 429 and
//! `Retry-After`. The client address is the socket's peer, or — when the peer is one of
//! `server.trusted_proxies` — the last address in `X-Forwarded-For` that is not a trusted
//! proxy. Counters live in this instance's memory: behind a load balancer each instance
//! enforces the limit on what it sees.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::HttpRequest;

use crate::error::AppError;

pub struct RateLimiter {
    per_minute: u32,
    trusted: Vec<IpAddr>,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl RateLimiter {
    pub fn new(per_minute: u32, trusted: Vec<IpAddr>) -> Self {
        RateLimiter {
            per_minute,
            trusted,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The address a request is counted against.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted.contains(&peer) {
            return Some(peer);
        }
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let chain: Vec<IpAddr> = forwarded
            .map(|f| f.split(',').filter_map(|s| s.trim().parse().ok()).collect())
            .unwrap_or_default();
        Some(
            chain
                .into_iter()
                .rev()
                .find(|ip| !self.trusted.contains(ip))
                .unwrap_or(peer),
        )
    }

    /// Counts one request; 429 when over the limit.
    pub fn check(&self, req: &HttpRequest) -> Result<(), AppError> {
        let Some(ip) = self.client_ip(req) else {
            return Ok(());
        };
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .map_err(|_| AppError::internal("rate limiter poisoned"))?;
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let retry = WINDOW
                .saturating_sub(now.duration_since(entry.0))
                .as_secs()
                .max(1);
            return Err(AppError::TooManyRequests {
                retry_after_secs: retry,
            });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn request(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().expect("socket address"));
        if let Some(f) = forwarded {
            r = r.insert_header(("x-forwarded-for", f));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let limiter = RateLimiter::new(2, vec![proxy]);
        let direct = request("203.0.113.9:5000", Some("198.51.100.7"));
        assert_eq!(
            limiter.client_ip(&direct),
            "203.0.113.9".parse().ok(),
            "a client cannot pick its address"
        );
        let proxied = request("10.0.0.1:5000", Some("198.51.100.7, 10.0.0.1"));
        assert_eq!(limiter.client_ip(&proxied), "198.51.100.7".parse().ok());
        let spoofed = request("10.0.0.1:5000", Some("1.2.3.4, 198.51.100.7"));
        assert_eq!(
            limiter.client_ip(&spoofed),
            "198.51.100.7".parse().ok(),
            "the rightmost untrusted hop counts"
        );
    }

    #[test]
    fn each_address_has_its_own_budget() {
        let limiter = RateLimiter::new(2, vec![]);
        let a = request("203.0.113.1:1", None);
        let b = request("203.0.113.2:1", None);
        assert!(limiter.check(&a).is_ok() && limiter.check(&a).is_ok());
        assert!(
            matches!(limiter.check(&a), Err(AppError::TooManyRequests { retry_after_secs }) if (1..=60).contains(&retry_after_secs))
        );
        assert!(limiter.check(&b).is_ok());
    }
}
