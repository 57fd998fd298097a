//! Booths: `/api/v1/events/{slug}/booths[/{id}]` (an event [`Child`]), `?available=true`, and
//! `…/booths/summary` (per hall: booths, m² in total and assigned). The public reads available
//! booths only.

use std::collections::BTreeMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::{booths, exhibitors};
use crate::db::{Conn, PageRequest};
use crate::domain::text::{Check, FieldError};
use crate::domain::{Role, Translatable};
use crate::error::{AppError, AppResult};
use crate::events::children::Child;
use crate::events::queries as events;
use crate::events::Event;
use crate::web::identity::Organizer;
use crate::web::list::Page;
use crate::web::AppState;
use crate::{paged, run};

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
    #[schema(minimum = 0)]
    pub amount: i64,
    #[schema(example = "MAD")]
    #[schema(pattern = r"^[A-Z]{3}$")]
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

/// A new booth, as sent (checked by [`Booths::create`]).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooth {
    #[schema(required = true, nullable = false, example = "B12")]
    #[schema(
        pattern = r"^[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z0-9-]{1,16}[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub code: Option<String>,
    #[schema(required = true, nullable = false)]
    pub hall: Option<Translatable>,
    #[schema(required = true, nullable = false)]
    #[schema(minimum = 1, maximum = 100_000)]
    pub area_m2: Option<i32>,
    #[schema(required = true, nullable = false)]
    pub kind: Option<BoothKind>,
    #[schema(required = true, nullable = false)]
    #[schema(minimum = 0, maximum = 1000)]
    pub staff_passes: Option<i32>,
    #[schema(required = true, nullable = false)]
    pub price: Option<Money>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothPatch {
    #[schema(
        pattern = r"^[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z0-9-]{1,16}[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub code: Option<String>,
    pub hall: Option<Translatable>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub area_m2: Option<i32>,
    pub kind: Option<BoothKind>,
    #[schema(minimum = 0, maximum = 1000)]
    pub staff_passes: Option<i32>,
    pub price: Option<Money>,
}

/// Booth codes are upper-cased: `b12` and `B12` are the same booth.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// A booth's columns as written (insert and update).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = booths)]
pub struct BoothForm {
    pub code: String,
    pub hall: String,
    pub area_m2: i32,
    pub kind: String,
    pub staff_passes: i32,
    pub price_amount: i64,
    pub price_currency: String,
}

impl BoothForm {
    /// Checks a booth as it would be; every error goes to `check`.
    pub fn check(
        code: &str,
        hall: &Translatable,
        area: i32,
        kind: BoothKind,
        passes: i32,
        price: &Money,
        check: &mut Check,
    ) -> BoothForm {
        let code = normalize_code(code);
        if code.is_empty()
            || code.len() > 16
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            check.push(FieldError::new(
                "code",
                "must be 1 to 16 letters, digits or hyphens, like B12",
            ));
        }
        hall.check("hall", 200, check.errors());
        check.range("area_m2", Some(area.into()), 1, 100_000);
        check.range("staff_passes", Some(passes.into()), 0, 1000);
        if price.amount < 0 {
            check.push(FieldError::new("price.amount", "must not be negative"));
        }
        if price.currency.len() != 3 || !price.currency.chars().all(|c| c.is_ascii_uppercase()) {
            check.push(FieldError::new(
                "price.currency",
                "must be an ISO 4217 code like MAD or EUR",
            ));
        }
        BoothForm {
            code,
            hall: hall.to_db(),
            area_m2: area,
            kind: kind.as_str().to_string(),
            staff_passes: passes,
            price_amount: price.amount,
            price_currency: price.currency.clone(),
        }
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

/// Stores a checked booth (409 when its code is taken in the event).
pub fn insert(c: &mut Conn, event_id: i64, form: &BoothForm) -> AppResult<BoothRow> {
    if find_by_code(c, event_id, &form.code)?.is_some() {
        return Err(AppError::Conflict(format!(
            "booth {} already exists in this event",
            form.code
        )));
    }
    let id = run!(c, |c| diesel::insert_into(booths::table)
        .values((
            form.clone(),
            booths::event_id.eq(event_id),
            booths::created_at.eq(crate::db::now())
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

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Booths as an event's [`Child`]. The public reads available booths only; a booth an
/// exhibitor holds cannot be deleted.
pub struct Booths;

impl Child for Booths {
    const NOUN: &'static str = "booth";
    const SORTS: &'static [&'static str] = &["code", "created_at"];
    const TAG: &'static str = "booths";
    const LIST_PATH: &'static str = "/api/v1/events/{slug}/booths";
    const WRITE_ERRORS: &'static [(&'static str, &'static str)] =
        &[("409", "code already used in this event")];
    const DELETE_ERRORS: &'static [(&'static str, &'static str)] =
        &[("409", "assigned to an exhibitor")];
    type Row = BoothRow;
    type Out = BoothOut;
    type New = NewBooth;
    type Patch = BoothPatch;
    type Filters = BoothFilters;
    type Form = BoothForm;

    fn id(row: &BoothRow) -> i64 {
        row.id
    }

    fn page(
        c: &mut Conn,
        event: &Event,
        req: &PageRequest,
        filters: &BoothFilters,
        organizer: bool,
    ) -> AppResult<Page<BoothOut>> {
        let only_available = !organizer || filters.available == Some(true);
        let sort = req.sort.as_ref().map(|(k, d)| (k.as_str(), *d));
        let (rows, total) = paged!(
            c,
            req,
            BoothRow,
            || {
                let mut q = booths::table
                    .filter(booths::event_id.eq(event.id))
                    .into_boxed();
                if only_available {
                    let held = exhibitors::table
                        .filter(exhibitors::booth_id.is_not_null())
                        .select(exhibitors::booth_id);
                    q = q.filter(diesel::dsl::not(booths::id.nullable().eq_any(held)));
                }
                if let Some(like) = &req.like {
                    q = q.filter(
                        lower(booths::code)
                            .like(like.clone())
                            .escape('\\')
                            .or(lower(booths::hall).like(like.clone()).escape('\\')),
                    );
                }
                q
            },
            |q| match sort {
                Some(("code", false)) => q.order((booths::code.asc(), booths::id.asc())),
                Some(("code", true)) => q.order((booths::code.desc(), booths::id.desc())),
                Some((_, true)) => q.order(booths::id.desc()),
                _ => q.order(booths::id.asc()),
            }
        )?;
        let items = rows
            .into_iter()
            .map(|b| {
                let h = holder(c, b.id)?;
                Ok(BoothOut::of(b, h, organizer))
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page::new(items, total, req))
    }

    /// A taken booth is not the public's business: 404.
    fn find(c: &mut Conn, event: &Event, id: i64, organizer: bool) -> AppResult<BoothRow> {
        let booth = find(c, event.id, id)?;
        if !organizer && holder(c, id)?.is_some() {
            return Err(AppError::not_found(format!("no booth {id} in this event")));
        }
        Ok(booth)
    }

    fn out(c: &mut Conn, row: BoothRow, organizer: bool) -> AppResult<BoothOut> {
        let h = holder(c, row.id)?;
        Ok(BoothOut::of(row, h, organizer))
    }

    fn new_form(
        _: &mut Conn,
        _: &Event,
        body: NewBooth,
        check: &mut Check,
    ) -> AppResult<Option<BoothForm>> {
        let code = check.required("code", body.code);
        let hall = check.required("hall", body.hall);
        let area = check.required("area_m2", body.area_m2);
        let kind = check.required("kind", body.kind);
        let passes = check.required("staff_passes", body.staff_passes);
        let price = check.required("price", body.price);
        Ok(match (code, hall, area, kind, passes, price) {
            (Some(code), Some(hall), Some(area), Some(kind), Some(passes), Some(price)) => Some(
                BoothForm::check(&code, &hall, area, kind, passes, &price, check),
            ),
            _ => None,
        })
    }

    fn patch_form(
        _: &mut Conn,
        _: &Event,
        cur: &BoothRow,
        patch: BoothPatch,
        check: &mut Check,
    ) -> AppResult<Option<BoothForm>> {
        let code = patch.code.unwrap_or_else(|| cur.code.clone());
        let hall = patch
            .hall
            .unwrap_or_else(|| Translatable::from_db(&cur.hall));
        let price = patch.price.unwrap_or(Money {
            amount: cur.price_amount,
            currency: cur.price_currency.clone(),
        });
        Ok(Some(BoothForm::check(
            &code,
            &hall,
            patch.area_m2.unwrap_or(cur.area_m2),
            patch.kind.unwrap_or(BoothKind::parse(&cur.kind)),
            patch.staff_passes.unwrap_or(cur.staff_passes),
            &price,
            check,
        )))
    }

    fn insert(c: &mut Conn, event: &Event, form: &BoothForm) -> AppResult<BoothRow> {
        insert(c, event.id, form)
    }

    /// 409 when the new code is another booth's.
    fn update(c: &mut Conn, event: &Event, cur: BoothRow, form: &BoothForm) -> AppResult<BoothRow> {
        if form.code != cur.code && find_by_code(c, event.id, &form.code)?.is_some() {
            return Err(AppError::Conflict(format!(
                "booth {} already exists in this event",
                form.code
            )));
        }
        run!(c, |c| diesel::update(booths::table.find(cur.id))
            .set(form.clone())
            .execute(c))?;
        find(c, event.id, cur.id)
    }

    fn delete(c: &mut Conn, _: &Event, booth: BoothRow) -> AppResult<()> {
        if let Some(e) = holder(c, booth.id)? {
            return Err(AppError::Conflict(format!(
                "the booth is assigned to exhibitor {e}; reassign it first"
            )));
        }
        run!(c, |c| diesel::delete(booths::table.find(booth.id))
            .execute(c))?;
        Ok(())
    }
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

/// The booths API (the summary first: `{id}` would match it).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_summary, summary);
    crate::events::children::routes::<Booths>(r);
}
