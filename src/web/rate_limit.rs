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
