//! Booths: `/api/v1/events/{slug}/booths[/{id}]` (an event [`Child`]), `?available=true`, and
//! `…/booths/summary` (per hall: booths, m² in total and assigned). The public reads available
//! booths only.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

use super::store;
use crate::db::{Conn, PageRequest};
use crate::domain::text::Check;
use crate::domain::{Role, Translatable};
use crate::error::{AppError, AppResult};
use crate::events::children::Child;
use crate::events::store as events;
use crate::events::Event;
use crate::web::identity::Organizer;
use crate::web::list::Page;

use super::model::BoothRow;
use crate::web::{Reply, SlugPath, State};
// Re-exported for the demo loader (`demo/mod.rs`), which imports them from here.
pub use super::model::{BoothForm, BoothKind, Money};

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
            code: r.form.code,
            hall: Translatable::from_db(&r.form.hall),
            area_m2: r.form.area_m2,
            kind: BoothKind::parse(&r.form.kind),
            staff_passes: r.form.staff_passes,
            price: Money {
                amount: r.form.price_amount,
                currency: r.form.price_currency,
            },
            available: holder.is_none(),
            exhibitor_id: if organizer { holder } else { None },
            created_at: r.created_at.and_utc(),
        }
    }
}

/// What a booth code may be, as the OpenAPI document says it: 1 to 16 letters, digits and
/// dashes, white space around it trimmed.
const BOOTH_CODE: &str = r"^[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[A-Za-z0-9-]{1,16}[\t\n\r \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$";

/// A booth code's schema: a string, or (`null_too`) a string or null.
fn booth_code_schema(null_too: bool) -> ObjectBuilder {
    let types = match null_too {
        true => SchemaType::from_iter([Type::String, Type::Null]),
        false => SchemaType::Type(Type::String),
    };
    ObjectBuilder::new()
        .schema_type(types)
        .pattern(Some(BOOTH_CODE))
}

/// A required booth code's schema.
pub fn booth_code() -> Object {
    booth_code_schema(false).build()
}

/// An optional booth code's schema.
pub fn booth_code_or_null() -> Object {
    booth_code_schema(true).build()
}

/// A new booth's code's schema, with an example (the OpenAPI 3.0 `example`, as utoipa writes
/// for the other members).
#[allow(deprecated)]
fn booth_code_example() -> Object {
    booth_code_schema(false)
        .example(Some(serde_json::json!("B12")))
        .build()
}

/// A new booth, as sent (checked by [`Booths::create`]).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooth {
    #[schema(required = true, schema_with = booth_code_example)]
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
    #[schema(schema_with = booth_code_or_null)]
    pub code: Option<String>,
    pub hall: Option<Translatable>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub area_m2: Option<i32>,
    pub kind: Option<BoothKind>,
    #[schema(minimum = 0, maximum = 1000)]
    pub staff_passes: Option<i32>,
    pub price: Option<Money>,
}

/// Stores a checked booth (409 when its code is taken in the event).
pub fn insert(c: &mut Conn, event_id: i64, form: &BoothForm) -> AppResult<BoothRow> {
    refuse_taken_code(c, event_id, &form.code, None)?;
    let id = store::insert_booth(c, event_id, form)?;
    store::find_booth(c, event_id, id)
}

/// 409 when a booth of the event other than `own` (the one being changed) has `code` already.
fn refuse_taken_code(c: &mut Conn, event_id: i64, code: &str, own: Option<i64>) -> AppResult<()> {
    let holder = store::find_booth_by_code(c, event_id, code)?;
    if holder.is_some_and(|b| Some(b.id) != own) {
        return Err(AppError::Conflict(format!(
            "booth {code} already exists in this event"
        )));
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoothFilters {
    /// Only booths no exhibitor holds (the public always sees only these).
    pub available: Option<bool>,
}

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

    fn id(booth: &BoothRow) -> i64 {
        booth.id
    }

    fn rows(c: &mut Conn, event: &Event, req: &PageRequest) -> AppResult<(Vec<BoothRow>, i64)> {
        Ok(store::booths_page(c, event.id, req, false)?)
    }

    fn page(
        c: &mut Conn,
        event: &Event,
        req: &PageRequest,
        filters: &BoothFilters,
        organizer: bool,
    ) -> AppResult<Page<BoothOut>> {
        let (rows, total) = if !organizer || filters.available == Some(true) {
            store::booths_page(c, event.id, req, true)?
        } else {
            Self::rows(c, event, req)?
        };
        let items = rows
            .into_iter()
            .map(|b| {
                let h = store::find_booth_holder(c, b.id)?;
                Ok(BoothOut::of(b, h, organizer))
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page::new(items, total, req))
    }

    /// A taken booth is not the public's business: 404.
    fn find(c: &mut Conn, event: &Event, id: i64, organizer: bool) -> AppResult<BoothRow> {
        let booth = store::find_booth(c, event.id, id)?;
        if !organizer && store::find_booth_holder(c, id)?.is_some() {
            return Err(AppError::not_found(format!("no booth {id} in this event")));
        }
        Ok(booth)
    }

    fn out(c: &mut Conn, row: BoothRow, organizer: bool) -> AppResult<BoothOut> {
        let h = store::find_booth_holder(c, row.id)?;
        Ok(BoothOut::of(row, h, organizer))
    }

    fn new_form(body: NewBooth, check: &mut Check) -> Option<BoothForm> {
        let code = check.required("code", body.code);
        let hall = check.required("hall", body.hall);
        let area = check.required("area_m2", body.area_m2);
        let kind = check.required("kind", body.kind);
        let passes = check.required("staff_passes", body.staff_passes);
        let price = check.required("price", body.price);
        match (code, hall, area, kind, passes, price) {
            (Some(code), Some(hall), Some(area), Some(kind), Some(passes), Some(price)) => Some(
                BoothForm::check(&code, &hall, area, kind, passes, &price, check),
            ),
            _ => None,
        }
    }

    fn patch_form(cur: &BoothRow, patch: BoothPatch, check: &mut Check) -> Option<BoothForm> {
        let code = patch.code.unwrap_or_else(|| cur.form.code.clone());
        let hall = patch
            .hall
            .unwrap_or_else(|| Translatable::from_db(&cur.form.hall));
        let price = patch.price.unwrap_or(Money {
            amount: cur.form.price_amount,
            currency: cur.form.price_currency.clone(),
        });
        Some(BoothForm::check(
            &code,
            &hall,
            patch.area_m2.unwrap_or(cur.form.area_m2),
            patch.kind.unwrap_or(BoothKind::parse(&cur.form.kind)),
            patch.staff_passes.unwrap_or(cur.form.staff_passes),
            &price,
            check,
        ))
    }

    fn insert(c: &mut Conn, event: &Event, form: &BoothForm) -> AppResult<BoothRow> {
        insert(c, event.id, form)
    }

    /// 409 when the new code is another booth's.
    fn update(c: &mut Conn, event: &Event, id: i64, form: &BoothForm) -> AppResult<BoothRow> {
        refuse_taken_code(c, event.id, &form.code, Some(id))?;
        store::update_booth(c, id, form)?;
        store::find_booth(c, event.id, id)
    }

    fn delete(c: &mut Conn, id: i64) -> AppResult<()> {
        if let Some(e) = store::find_booth_holder(c, id)? {
            return Err(AppError::Conflict(format!(
                "the booth is assigned to exhibitor {e}; reassign it first"
            )));
        }
        Ok(store::delete_booth(c, id)?)
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

/// Each hall's booths and m², in all and held by an exhibitor, halls in the order of their
/// stored names (the API's summary and the console's booths page).
pub fn hall_summaries(c: &mut Conn, event_id: i64) -> AppResult<Vec<HallSummary>> {
    let held = store::booth_holders(c, event_id)?;
    let mut halls: BTreeMap<String, HallSummary> = BTreeMap::new();
    for b in store::booths_of(c, event_id)? {
        let s = halls
            .entry(b.form.hall.clone())
            .or_insert_with(|| HallSummary {
                hall: Translatable::from_db(&b.form.hall),
                booths: 0,
                booths_assigned: 0,
                area_m2_total: 0,
                area_m2_assigned: 0,
            });
        s.booths += 1;
        s.area_m2_total += b.form.area_m2 as i64;
        if held.contains_key(&b.id) {
            s.booths_assigned += 1;
            s.area_m2_assigned += b.form.area_m2 as i64;
        }
    }
    Ok(halls.into_values().collect())
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/booths/summary", tag = "booths",
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<HallSummary>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn summary(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Viewer)?;
    let out = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            hall_summaries(c, event.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The booths API (the summary first: `{id}` would match it).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_summary, summary);
    crate::events::children::routes::<Booths>(r);
}
