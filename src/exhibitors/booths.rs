//! Booths: `/api/v1/events/{slug}/booths[/{id}]`, `?available=true`, and `…/booths/summary`
//! (per hall: booths, m² in total and assigned). The public reads available booths only.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::db::schema::{booths, exhibitors};
use crate::db::Conn;
use crate::domain::{Role, Translatable};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::queries as events;
use crate::run;
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BoothKind {
    Standard,
    Corner,
    Island,
}

impl BoothKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BoothKind::Standard => "standard",
            BoothKind::Corner => "corner",
            BoothKind::Island => "island",
        }
    }
    pub fn parse(s: &str) -> BoothKind {
        match s {
            "corner" => BoothKind::Corner,
            "island" => BoothKind::Island,
            _ => BoothKind::Standard,
        }
    }
    pub fn label(self, lang: crate::domain::Language) -> &'static str {
        use crate::domain::Language::*;
        match (self, lang) {
            (BoothKind::Standard, Ar) => "رواق عادي",
            (BoothKind::Standard, Fr) => "stand standard",
            (BoothKind::Standard, En) => "standard booth",
            (BoothKind::Corner, Ar) => "رواق زاوية",
            (BoothKind::Corner, Fr) => "stand d'angle",
            (BoothKind::Corner, En) => "corner booth",
            (BoothKind::Island, Ar) => "رواق جزيرة",
            (BoothKind::Island, Fr) => "stand îlot",
            (BoothKind::Island, En) => "island booth",
        }
    }
}

/// An amount of money in minor units (centimes) and its ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Minor units: 1500000 MAD is 15 000,00 MAD.
    pub amount: i64,
    #[schema(example = "MAD")]
    pub currency: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = booths)]
pub struct BoothRow {
    pub id: i64,
    pub event_id: i64,
    pub code: String,
    pub hall: String,
    pub area_m2: i32,
    pub kind: String,
    pub staff_passes: i32,
    pub price_amount: i64,
    pub price_currency: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BoothOut {
    pub id: i64,
    pub code: String,
    pub hall: Translatable,
    pub area_m2: i32,
    pub kind: BoothKind,
    pub staff_passes: i32,
    pub price: Money,
    pub available: bool,
    /// Organizers only: the exhibitor holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exhibitor_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl BoothOut {
    fn of(r: BoothRow, holder: Option<i64>, organizer: bool) -> Self {
        BoothOut {
            id: r.id,
            code: r.code,
            hall: Translatable::from_db(&r.hall),
            area_m2: r.area_m2,
            kind: BoothKind::parse(&r.kind),
            staff_passes: r.staff_passes,
            price: Money {
                amount: r.price_amount,
                currency: r.price_currency,
            },
            available: holder.is_none(),
            exhibitor_id: if organizer { holder } else { None },
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooth {
    #[schema(example = "B12")]
    pub code: String,
    pub hall: Translatable,
    pub area_m2: i32,
    pub kind: BoothKind,
    pub staff_passes: i32,
    pub price: Money,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothPatch {
    pub code: Option<String>,
    pub hall: Option<Translatable>,
    pub area_m2: Option<i32>,
    pub kind: Option<BoothKind>,
    pub staff_passes: Option<i32>,
    pub price: Option<Money>,
}

/// Booth codes are upper-cased: `b12` and `B12` are the same booth.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

fn check(code: &str, area: i32, passes: i32, price: &Money) -> AppResult<()> {
    let mut errors = Vec::new();
    if code.is_empty()
        || code.len() > 16
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        errors.push(FieldError::new(
            "code",
            "must be 1 to 16 letters, digits or hyphens, like B12",
        ));
    }
    if !(1..=100_000).contains(&area) {
        errors.push(FieldError::new("area_m2", "must be between 1 and 100000"));
    }
    if !(0..=1000).contains(&passes) {
        errors.push(FieldError::new(
            "staff_passes",
            "must be between 0 and 1000",
        ));
    }
    if price.amount < 0 {
        errors.push(FieldError::new("price.amount", "must not be negative"));
    }
    if price.currency.len() != 3 || !price.currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push(FieldError::new(
            "price.currency",
            "must be an ISO 4217 code like MAD or EUR",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<BoothRow> {
    run!(c, |c| booths::table
        .filter(booths::event_id.eq(event_id))
        .filter(booths::id.eq(id))
        .select(BoothRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no booth {id} in this event")))
}

pub fn find_by_code(c: &mut Conn, event_id: i64, code: &str) -> QueryResult<Option<BoothRow>> {
    let code = normalize_code(code);
    run!(c, |c| booths::table
        .filter(booths::event_id.eq(event_id))
        .filter(booths::code.eq(&code))
        .select(BoothRow::as_select())
        .first(c)
        .optional())
}

/// The exhibitor holding each booth of the event.
fn holders(c: &mut Conn, event_id: i64) -> QueryResult<BTreeMap<i64, i64>> {
    let rows: Vec<(i64, Option<i64>)> = run!(c, |c| exhibitors::table
        .filter(exhibitors::event_id.eq(event_id))
        .filter(exhibitors::booth_id.is_not_null())
        .select((exhibitors::id, exhibitors::booth_id))
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|(e, b)| Some((b?, e)))
        .collect())
}

pub fn holder(c: &mut Conn, booth_id: i64) -> QueryResult<Option<i64>> {
    run!(c, |c| exhibitors::table
        .filter(exhibitors::booth_id.eq(booth_id))
        .select(exhibitors::id)
        .first(c)
        .optional())
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/booths", tag = "booths",
    params(("slug" = String, Path)), request_body = NewBooth,
    responses((status = 201, body = BoothOut), (status = 401), (status = 403), (status = 404), (status = 409, description = "code already used in this event"), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
    Json(body): Json<NewBooth>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let booth = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let booth = insert(c, event.id, &body)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "create",
                "booth",
                Some(booth.id),
                serde_json::json!({"code": booth.code}),
            )?;
            Ok(booth)
        })
        .await?;
    Ok(HttpResponse::Created().json(BoothOut::of(booth, None, true)))
}

/// Checks and stores a new booth (409 when its code is taken in the event).
pub fn insert(c: &mut Conn, event_id: i64, body: &NewBooth) -> AppResult<BoothRow> {
    let code = normalize_code(&body.code);
    check(&code, body.area_m2, body.staff_passes, &body.price)?;
    if find_by_code(c, event_id, &code)?.is_some() {
        return Err(AppError::Conflict(format!(
            "booth {code} already exists in this event"
        )));
    }
    let id = run!(c, |c| diesel::insert_into(booths::table)
        .values((
            booths::event_id.eq(event_id),
            booths::code.eq(&code),
            booths::hall.eq(body.hall.to_db()),
            booths::area_m2.eq(body.area_m2),
            booths::kind.eq(body.kind.as_str()),
            booths::staff_passes.eq(body.staff_passes),
            booths::price_amount.eq(body.price.amount),
            booths::price_currency.eq(&body.price.currency),
            booths::created_at.eq(crate::db::now()),
        ))
        .returning(booths::id)
        .get_result::<i64>(c))?;
    find(c, event_id, id)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoothFilters {
    /// Only booths no exhibitor holds (the public always sees only these).
    pub available: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/booths", tag = "booths",
    params(("slug" = String, Path), ListParams, BoothFilters),
    responses((status = 200, body = Page<BoothOut>, description = "organizers: every booth; the public: available booths. sort: code, created_at"), (status = 404)))]
pub async fn list(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    slug: web::Path<String>,
    params: Query<ListParams>,
    filters: Query<BoothFilters>,
) -> AppResult<HttpResponse> {
    let req = params.validate(&["code", "created_at"])?;
    let organizer = who.can_view();
    let only_available = !organizer || filters.available == Some(true);
    let page = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, organizer)?;
            let held = holders(c, event.id)?;
            let mut rows: Vec<BoothRow> = run!(c, |c| booths::table
                .filter(booths::event_id.eq(event.id))
                .order(booths::id.asc())
                .select(BoothRow::as_select())
                .load(c))?;
            rows.retain(|b| !only_available || !held.contains_key(&b.id));
            if let Some(like) = &req.like {
                let needle = like.trim_matches('%').to_string();
                rows.retain(|b| {
                    b.code.to_lowercase().contains(&needle)
                        || b.hall.to_lowercase().contains(&needle)
                });
            }
            match req.sort.as_ref().map(|(k, d)| (k.as_str(), *d)) {
                Some(("code", desc)) => {
                    rows.sort_by(|a, b| a.code.cmp(&b.code));
                    if desc {
                        rows.reverse();
                    }
                }
                Some((_, true)) => rows.reverse(),
                _ => {}
            }
            let items: Vec<BoothOut> = rows
                .into_iter()
                .map(|b| {
                    let h = held.get(&b.id).copied();
                    BoothOut::of(b, h, organizer)
                })
                .collect();
            Ok(Page::from_vec(items, &req))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/booths/{id}", tag = "booths",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = BoothOut), (status = 404, description = "unknown, or taken and the caller is not an organizer")))]
pub async fn get(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let organizer = who.can_view();
    let out = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, organizer)?;
            let booth = find(c, event.id, id)?;
            let h = holder(c, id)?;
            if h.is_some() && !organizer {
                return Err(AppError::not_found(format!("no booth {id} in this event")));
            }
            Ok(BoothOut::of(booth, h, organizer))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/booths/{id}", tag = "booths",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = BoothPatch,
    responses((status = 200, body = BoothOut), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(patch): Json<BoothPatch>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let out = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let cur = find(c, event.id, id)?;
            let code = patch
                .code
                .as_deref()
                .map(normalize_code)
                .unwrap_or(cur.code.clone());
            let area = patch.area_m2.unwrap_or(cur.area_m2);
            let passes = patch.staff_passes.unwrap_or(cur.staff_passes);
            let price = patch.price.unwrap_or(Money {
                amount: cur.price_amount,
                currency: cur.price_currency.clone(),
            });
            check(&code, area, passes, &price)?;
            if code != cur.code && find_by_code(c, event.id, &code)?.is_some() {
                return Err(AppError::Conflict(format!(
                    "booth {code} already exists in this event"
                )));
            }
            let hall = patch.hall.map(|h| h.to_db()).unwrap_or(cur.hall.clone());
            let kind = patch
                .kind
                .map(|k| k.as_str().to_string())
                .unwrap_or(cur.kind.clone());
            run!(c, |c| diesel::update(booths::table.find(id))
                .set((
                    booths::code.eq(&code),
                    booths::hall.eq(&hall),
                    booths::area_m2.eq(area),
                    booths::kind.eq(&kind),
                    booths::staff_passes.eq(passes),
                    booths::price_amount.eq(price.amount),
                    booths::price_currency.eq(&price.currency),
                ))
                .execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "update",
                "booth",
                Some(id),
                serde_json::json!({}),
            )?;
            let h = holder(c, id)?;
            Ok(BoothOut::of(find(c, event.id, id)?, h, true))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/booths/{id}", tag = "booths",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 409, description = "assigned to an exhibitor")),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            find(c, event.id, id)?;
            if let Some(e) = holder(c, id)? {
                return Err(AppError::Conflict(format!(
                    "the booth is assigned to exhibitor {e}; reassign it first"
                )));
            }
            run!(c, |c| diesel::delete(booths::table.find(id)).execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "delete",
                "booth",
                Some(id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One hall of the summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallSummary {
    pub hall: Translatable,
    pub booths: i64,
    pub booths_assigned: i64,
    pub area_m2_total: i64,
    pub area_m2_assigned: i64,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/booths/summary", tag = "booths",
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<HallSummary>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn summary(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    who.require(Role::Viewer)?;
    let out = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let held = holders(c, event.id)?;
            let rows: Vec<BoothRow> = run!(c, |c| booths::table
                .filter(booths::event_id.eq(event.id))
                .order(booths::id.asc())
                .select(BoothRow::as_select())
                .load(c))?;
            let mut halls: BTreeMap<String, HallSummary> = BTreeMap::new();
            for b in rows {
                let s = halls.entry(b.hall.clone()).or_insert_with(|| HallSummary {
                    hall: Translatable::from_db(&b.hall),
                    booths: 0,
                    booths_assigned: 0,
                    area_m2_total: 0,
                    area_m2_assigned: 0,
                });
                s.booths += 1;
                s.area_m2_total += b.area_m2 as i64;
                if held.contains_key(&b.id) {
                    s.booths_assigned += 1;
                    s.area_m2_assigned += b.area_m2 as i64;
                }
            }
            Ok(halls.into_values().collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
