//! What other areas check or do when an event changes, inside the write transaction of the
//! change: the programme refuses days or hours that leave scheduled sessions outside (409), the
//! waiting list moves up when seats are added. The events area cannot import those areas (they
//! import it), so they implement [`EventChange`] and the app hands the list to the event routes
//! as `web::Data<Hooks>`.

use super::Event;
use crate::config::Settings;
use crate::db::Conn;
use crate::error::AppResult;

pub trait EventChange: Send + Sync {
    /// Called after the change is written, before commit; an error rolls the change back.
    fn changed(&self, c: &mut Conn, settings: &Settings, edit: Edit) -> AppResult<()>;
}

/// An event as it was and as it is now, in the change's transaction.
#[derive(Clone, Copy)]
pub struct Edit<'a> {
    pub before: &'a Event,
    pub after: &'a Event,
}

/// Every area's reaction to an event change, in the order they run.
#[derive(Default)]
pub struct Hooks(pub Vec<Box<dyn EventChange>>);

impl Hooks {
    pub fn run(&self, c: &mut Conn, settings: &Settings, edit: Edit) -> AppResult<()> {
        for hook in &self.0 {
            hook.changed(c, settings, edit)?;
        }
        Ok(())
    }
}
