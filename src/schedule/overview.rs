//! The programme's part of a fair's overview in the console: rooms, sessions, how many are not
//! placed yet, the working copy's warnings, the latest release and whether the working copy has
//! changed since; and what is left to do before publishing.

use super::{conflicts, releases, store};
use crate::db::{Conn, PageRequest};
use crate::domain::Language;
use crate::error::AppResult;
use crate::events::console::{Figure, Panel, PanelView};
use crate::events::Event;
use crate::web::words::{word, Section};

/// The programme panel (registered by the app).
pub struct ProgrammePanel {
    pub buffer: std::time::Duration,
}

impl Panel for ProgrammePanel {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView> {
        let w = |key: &str| word(lang, Section::Console, key);
        let rooms = store::rooms_of_event(c, event.id)?.len();
        let everything = PageRequest::first(1);
        let (_, sessions) = store::sessions_page(c, event.id, &everything, &Default::default())?;
        let unplaced_filter = super::model::SessionFilters {
            scheduled: Some(false),
            ..Default::default()
        };
        let (_, unplaced) = store::sessions_page(c, event.id, &everything, &unplaced_filter)?;
        let findings = conflicts::programme(c, event, self.buffer)?;
        let latest = releases::latest(c, event.id)?;
        let working = releases::build_snapshot(c, event)?;
        let unreleased = latest
            .as_ref()
            .map(|r| !releases::diff(&r.snapshot.sessions, &working.sessions).is_empty())
            .unwrap_or(sessions > 0);
        let base = format!("/console/events/{}", event.slug);
        let mut view = PanelView {
            title: w("dash_programme"),
            figures: vec![
                Figure::new(rooms, w("dash_rooms")).to(&format!("{base}/programme-setup"), lang),
                Figure::new(sessions, w("dash_sessions")).to(&format!("{base}/schedule"), lang),
                Figure::new(unplaced, w("dash_unscheduled")).to(&format!("{base}/schedule"), lang),
                Figure::new(
                    findings.warnings.len() + findings.conflicts.len(),
                    w("dash_conflicts"),
                )
                .to(&format!("{base}/releases/new"), lang),
            ],
            link: Some((
                format!("{base}/schedule?lang={}", lang.code()),
                w("dash_open_editor"),
            )),
            ..PanelView::default()
        };
        match &latest {
            Some(r) => view.notes.push(format!(
                "{} {} ({})",
                w("dash_releases"),
                r.version,
                crate::domain::dates::day(lang, event.local(r.published_at).date_naive())
            )),
            None => view.notes.push(w("dash_no_release")),
        }
        if unreleased && latest.is_some() {
            view.notes.push(w("dash_unreleased"));
        }
        if rooms == 0 {
            view.todo.push(w("todo_rooms"));
        }
        if sessions == 0 {
            view.todo.push(w("todo_sessions"));
        }
        if latest.is_none() || unreleased {
            view.todo.push(w("todo_release"));
        }
        Ok(view)
    }
}
