//! The public programme from memory: each published event's latest release, parsed once, and
//! the bodies written from it (a page of the sessions list, the schedule JSON, the exports),
//! serialized once per release and per query.
//!
//! A release never changes once published, so an entry stays right until the event changes or
//! a newer release appears. Each instance checks that at most once per [`RECHECK`] per event,
//! with one indexed query (the event's `updated_at` and its latest release id); the instance
//! that publishes forgets its entry at once. So another instance serves the previous release
//! for at most [`RECHECK`] after a release — the price of not asking the database on every
//! read. Bodies carry a strong `ETag` (a hash of the bytes), and `If-None-Match` gets a 304.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::releases::{self, Release};
use super::store;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::events::{store as events, Edit, Event, EventChange};
use crate::web::State;

/// How long an instance trusts its entry before checking the database again.
pub const RECHECK: Duration = Duration::from_secs(1);

/// `Cache-Control` of the public programme's answers: any cache may keep them, and asks again
/// (a 304 costs no database query) before using them.
pub const PUBLIC_CACHE: &str = "public, max-age=0, must-revalidate";

/// Bodies kept per event (pages × filters × languages, searches excepted); beyond, half of
/// them go. At most a few MiB per event: a page holds at most 200 sessions.
const MAX_BODIES: usize = 128;

/// A body ready to send, with its `ETag`.
#[derive(Clone)]
pub struct Body {
    pub bytes: web::Bytes,
    pub etag: String,
}

impl Body {
    pub fn new(bytes: Vec<u8>) -> Body {
        let digest = Sha256::digest(&bytes);
        let etag = format!(
            "\"{}\"",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Body {
            bytes: web::Bytes::from(bytes),
            etag,
        }
    }

    /// 200 with the body, or 304 when the request's `If-None-Match` names it.
    pub fn respond(&self, req: &HttpRequest, content_type: &str, cache: &str) -> HttpResponse {
        let matches = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .map(|t| t.trim().trim_start_matches("W/"))
                    .any(|t| t == self.etag || t == "*")
            });
        if matches {
            return HttpResponse::NotModified()
                .insert_header((header::ETAG, self.etag.clone()))
                .insert_header((header::CACHE_CONTROL, cache.to_string()))
                .finish();
        }
        HttpResponse::Ok()
            .content_type(content_type.to_string())
            .insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache.to_string()))
            .body(self.bytes.clone())
    }
}

/// A published event and its latest release as this instance last checked them.
pub struct Entry {
    pub event: Event,
    pub release: Option<Arc<Release>>,
    /// Each session's `SEQUENCE` as of the release (see `releases::sequences`).
    pub sequences: BTreeMap<i64, u32>,
    checked: Mutex<Instant>,
    bodies: Mutex<HashMap<String, Body>>,
}

impl Entry {
    /// The body stored under `key`, if one was made.
    pub fn cached(&self, key: &str) -> Option<Body> {
        self.lock_bodies().get(key).cloned()
    }

    /// The body stored under `key`, made by `make` the first time.
    pub fn body(&self, key: &str, make: impl FnOnce() -> AppResult<Vec<u8>>) -> AppResult<Body> {
        if let Some(found) = self.lock_bodies().get(key) {
            return Ok(found.clone());
        }
        let body = Body::new(make()?);
        let mut bodies = self.lock_bodies();
        if bodies.len() >= MAX_BODIES {
            let drop: Vec<String> = bodies.keys().take(MAX_BODIES / 2).cloned().collect();
            for k in drop {
                bodies.remove(&k);
            }
        }
        bodies.insert(key.to_string(), body.clone());
        Ok(body)
    }

    fn lock_bodies(&self) -> std::sync::MutexGuard<'_, HashMap<String, Body>> {
        self.bodies.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn version(&self) -> (chrono::NaiveDateTime, Option<i64>) {
        (self.event.updated_at, self.release.as_ref().map(|r| r.id))
    }
}

/// What a public read of the programme extracts: the application (its database), the
/// programme cache and the request (its language, its conditional headers).
pub struct Reader {
    pub state: State,
    pub cache: web::Data<ProgrammeCache>,
    pub req: HttpRequest,
}

impl FromRequest for Reader {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<State>().cloned();
        let cache = req.app_data::<web::Data<ProgrammeCache>>().cloned();
        std::future::ready(match (state, cache) {
            (Some(state), Some(cache)) => Ok(Reader {
                state,
                cache,
                req: req.clone(),
            }),
            _ => Err(AppError::internal("the programme cache is not configured")),
        })
    }
}

impl Reader {
    /// The published event `slug` (404 for a draft or an unknown one) and its latest release.
    pub async fn get(&self, slug: &str) -> AppResult<Arc<Entry>> {
        self.cache.get(&self.state.db, slug).await
    }
}

/// Every published event's entry, by slug (`web::Data` of the app).
#[derive(Default)]
pub struct ProgrammeCache {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

impl ProgrammeCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Entry>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The published event `slug` (404 for a draft or an unknown one) and its latest release.
    pub async fn get(&self, db: &Db, slug: &str) -> AppResult<Arc<Entry>> {
        let known = self.lock().get(slug).cloned();
        if let Some(entry) = &known {
            let mut checked = entry.checked.lock().unwrap_or_else(|p| p.into_inner());
            if checked.elapsed() < RECHECK {
                return Ok(entry.clone());
            }
            // Whoever finds it stale checks; the others keep serving it meanwhile.
            *checked = Instant::now();
        }
        let slug_owned = slug.to_string();
        let kept = known.clone();
        let fresh = db
            .run(move |c| {
                let event = events::visible(c, &slug_owned, false)?;
                let latest = store::latest_release_id(c, event.id)?;
                if let Some(entry) = kept.filter(|e| e.version() == (event.updated_at, latest)) {
                    return Ok(entry);
                }
                let release = releases::latest(c, event.id)?;
                let sequences = match &release {
                    Some(r) => releases::sequences(c, event.id, r.id)?,
                    None => BTreeMap::new(),
                };
                Ok(Arc::new(Entry {
                    event,
                    release: release.map(Arc::new),
                    sequences,
                    checked: Mutex::new(Instant::now()),
                    bodies: Mutex::new(HashMap::new()),
                }))
            })
            .await;
        let fresh = match fresh {
            Ok(entry) => entry,
            Err(e) => {
                self.lock().remove(slug);
                return Err(e);
            }
        };
        self.lock().insert(slug.to_string(), fresh.clone());
        Ok(fresh)
    }

    /// Forgets an event's entry (this instance just published a release).
    pub fn forget(&self, slug: &str) {
        self.lock().remove(slug);
    }
}

/// An event hook: a changed event (name, days, status…) is read afresh by this instance at
/// once; the others within [`RECHECK`].
pub struct ForgetOnEventChange(pub Arc<ProgrammeCache>);

impl EventChange for ForgetOnEventChange {
    fn changed(&self, _: &mut crate::db::Conn, _: &Settings, edit: Edit) -> AppResult<()> {
        self.0.forget(&edit.before.slug);
        self.0.forget(&edit.after.slug);
        Ok(())
    }
}
