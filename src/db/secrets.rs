//! Secrets that every instance on one database must share — today the key of CSRF tokens and
//! signed links (`server.secret_key`). When the setting is empty, the first instance to start
//! generates the key and stores it here; every other instance reads the same one, so a form
//! rendered by one instance is accepted by another behind the same load balancer.

use diesel::prelude::*;

use super::schema::instance_secrets;
use super::Conn;
use crate::error::AppResult;
use crate::run;

/// The secret `name`, made with `make` and stored by the first caller; every later caller,
/// on any instance, gets the stored one.
pub fn get_or_create(c: &mut Conn, name: &str, make: impl FnOnce() -> String) -> AppResult<String> {
    let made = make();
    c.write_tx(|c| {
        let found: Option<String> = run!(c, |c| instance_secrets::table
            .find(name)
            .select(instance_secrets::value)
            .first(c)
            .optional())?;
        if let Some(value) = found {
            return Ok(value);
        }
        run!(c, |c| diesel::insert_into(instance_secrets::table)
            .values((
                instance_secrets::name.eq(name),
                instance_secrets::value.eq(&made)
            ))
            .execute(c))?;
        Ok(made)
    })
}
