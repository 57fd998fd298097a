//! The webhook sender: delivers what `webhook_deliveries` holds. One runs in every `salon
//! serve`, on its own thread with its own small async runtime. It sleeps until a commit that
//! queued a delivery signals [`crate::db::Db::webhooks`], or a second passes (retries coming
//! due, rows another instance wrote), then delivers until nothing is due: it claims deliveries
//! (short write transactions) into `webhooks.concurrency` slots, sends them with no pooled
//! connection held, refills each slot as its answer comes, and records every attempt (short
//! transactions, `service::record`).
//!
//! A claim lasts `webhooks.timeout` and half a minute: an instance killed while sending leaves
//! its deliveries to be sent again by whichever instance looks next. Deliveries are therefore at least
//! once; receivers dedupe on `webhook-id`, as Standard Webhooks asks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use reqwest::header::{HeaderValue, CONTENT_TYPE};

use super::model::Claimed;
use super::service::{self, Outcome};
use super::{signature, store, target};
use crate::config::Settings;
use crate::db::queue::Lease;
use crate::db::worker::Worker;
use crate::db::{Conn, Db};

/// How often the sender looks for due deliveries when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);

/// How much of an answer's body an attempt keeps.
const RESPONSE_KEPT: usize = 1024;

/// Starts the sender thread, with an async runtime of its own for the requests.
pub fn spawn(db: Db, settings: Arc<Settings>) -> anyhow::Result<Worker> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = client(&settings)?;
    Ok(Worker::spawn(
        "salon-webhooks",
        db,
        Db::webhooks,
        POLL,
        move |db| match runtime.block_on(deliver_due(db, &settings, &client)) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "webhook sender could not read its queue");
                0
            }
        },
    )?)
}

/// The HTTP client deliveries go out on: no redirects (an endpoint's redirect could lead
/// anywhere), no proxy, `webhooks.timeout` per request, and a resolver that refuses private
/// addresses unless `webhooks.allow_private`.
pub fn client(settings: &Settings) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // No proxy from the environment: a proxy would resolve the endpoint's host itself,
        // past the resolver that refuses private addresses.
        .no_proxy()
        .timeout(settings.webhooks.timeout)
        .connect_timeout(settings.webhooks.timeout)
        .user_agent(concat!("Salon-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(target::CheckedResolver::shared(
            settings.webhooks.allow_private,
        ))
        .build()?)
}

/// Sends due deliveries until none is due or in flight; returns how many it attempted (0:
/// none was due).
///
/// Up to `webhooks.concurrency` are in flight at once, and a slot is refilled as soon as its
/// delivery is answered — and every second while deliveries are in flight, for rows committed
/// meanwhile —, so one endpoint that takes `webhooks.timeout` to answer holds one slot, not
/// the others. The attempts answered together are recorded, and the slots they free claimed
/// again, in one transaction.
pub async fn deliver_due(
    db: &Db,
    settings: &Settings,
    client: &reqwest::Client,
) -> anyhow::Result<usize> {
    use futures_util::stream::{FuturesUnordered, StreamExt};
    use futures_util::FutureExt;
    let concurrency = settings.webhooks.concurrency.max(1) as usize;
    let lease = chrono::TimeDelta::from_std(settings.webhooks.timeout + Duration::from_secs(30))
        .unwrap_or(chrono::TimeDelta::minutes(1));
    let allow_private = settings.webhooks.allow_private;
    let mut in_flight = FuturesUnordered::new();
    let mut answered: Vec<(Claimed, Outcome)> = Vec::new();
    let mut attempted = 0;
    loop {
        let free = (concurrency - in_flight.len()) as i64;
        let claimed = if answered.is_empty() && free == 0 {
            Vec::new()
        } else {
            db.write_here(|c| {
                let now = crate::db::now();
                record(c, settings, &answered, now);
                let lease = Lease {
                    now,
                    limit: free,
                    until: now + lease,
                };
                Ok(store::claim_due(c, lease)?)
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?
        };
        attempted += answered.len();
        answered.clear();
        for one in claimed {
            in_flight.push(async move {
                let outcome = send(client, &one, allow_private).await;
                (one, outcome)
            });
        }
        if in_flight.is_empty() {
            return Ok(attempted);
        }
        tokio::select! {
            done = in_flight.next() => answered.extend(done),
            _ = tokio::time::sleep(POLL) => {}
        }
        while let Some(Some(done)) = in_flight.next().now_or_never() {
            answered.push(done);
        }
    }
}

/// Records the attempts answered together, each on its own: one that cannot be written costs
/// only itself (it is sent again once its claim lapses).
fn record(c: &mut Conn, settings: &Settings, answered: &[(Claimed, Outcome)], now: NaiveDateTime) {
    for (one, outcome) in answered {
        if let Err(e) = c.savepoint(|c| service::record(c, settings, one, outcome, now)) {
            tracing::warn!(delivery_id = one.delivery.id, error = %e, "webhook attempt not recorded");
            continue;
        }
        tracing::info!(
            webhook_id = one.delivery.webhook_id,
            delivery_id = one.delivery.id,
            event_type = %one.delivery.event_type,
            status = outcome.status,
            duration_ms = outcome.duration_ms,
            "webhook attempt"
        );
    }
}

/// One attempt: the body as queued, signed now with every secret in use.
pub async fn send(client: &reqwest::Client, one: &Claimed, allow_private: bool) -> Outcome {
    let started = Instant::now();
    let failed = |error: String| Outcome {
        status: None,
        error: Some(error),
        response: String::new(),
        duration_ms: elapsed_ms(started),
    };
    let url = match target::parse(&one.url) {
        Ok(url) => url,
        Err(e) => return failed(format!("url {e}")),
    };
    // A name is checked by the client's resolver; an address written in the URL is not
    // resolved, so it is checked here.
    if let Some(ip) = url.host_str().and_then(|h| {
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .ok()
    }) {
        if !allow_private && !target::is_public(ip) {
            return failed(format!(
                "{ip} is a loopback, private or link-local address (webhooks.allow_private is off)"
            ));
        }
    }
    let d = &one.delivery;
    let timestamp = chrono::Utc::now().timestamp();
    let signature = signature::header(&one.secrets, &d.message_id, timestamp, &d.payload);
    let request = client
        .post(url)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header("webhook-id", &d.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(d.payload.clone());
    let mut answer = match request.send().await {
        Ok(answer) => answer,
        Err(e) => return failed(describe(&e)),
    };
    let status = answer.status().as_u16();
    let mut kept: Vec<u8> = Vec::new();
    while kept.len() < RESPONSE_KEPT {
        match answer.chunk().await {
            Ok(Some(bytes)) => kept.extend_from_slice(&bytes),
            _ => break,
        }
    }
    kept.truncate(RESPONSE_KEPT);
    Outcome {
        status: Some(status),
        error: None,
        response: String::from_utf8_lossy(&kept).into_owned(),
        duration_ms: elapsed_ms(started),
    }
}

fn elapsed_ms(started: Instant) -> i32 {
    i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX)
}

/// Why a request got no answer, without its URL (which may carry the receiver's token).
fn describe(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    format!("{what}: {cause}")
}
