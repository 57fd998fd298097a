//! Queries on the sessions of the working copy that several of the programme's modules need.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::SessionRow;
use crate::db::schema::{session_speakers, sessions};
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::run;

pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<SessionRow> {
    run!(c, |c| sessions::table
        .filter(sessions::event_id.eq(event_id))
        .filter(sessions::id.eq(id))
        .select(SessionRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no session {id} in this event")))
}

/// Speaker ids of each of `session_ids`, in their listed order.
pub fn speaker_ids_of(c: &mut Conn, session_ids: &[i64]) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in session_ids.chunks(500) {
        let rows: Vec<(i64, i64)> = run!(c, |c| session_speakers::table
            .filter(session_speakers::session_id.eq_any(chunk))
            .order((
                session_speakers::session_id.asc(),
                session_speakers::position.asc()
            ))
            .select((session_speakers::session_id, session_speakers::speaker_id))
            .load(c))?;
        for (session, speaker) in rows {
            out.entry(session).or_default().push(speaker);
        }
    }
    Ok(out)
}
