//! Tokens that belong to an attendee (`slr_`) or an exhibitor (`sle_`): single-use, expiring
//! confirmation tokens, and manage tokens minted for each email that carries a link. Stored as
//! SHA-256 hashes, looked up by index and compared again in constant time. Each token is led by
//! the second it was made, and so is its stored key ([`crate::crypto::new_led_token`]): these
//! tables gain a token with nearly every write, and their index then grows at its end.
//!
//! The two owners keep their tokens in tables of the same shape; [`owner_tokens!`] writes the
//! queries once for a given table, so the rules cannot drift apart.

/// Defines `PREFIX`, `CONFIRM`, `MANAGE`, `mint`, `find` (returning [`Found`]-like rows with
/// `owner_id`), `mark_used` and `delete_all` over `$table`, whose owner column is `$owner`.
#[macro_export]
macro_rules! owner_tokens {
    ($table:ident, $owner:ident, $prefix:literal) => {
        use chrono::{NaiveDateTime, TimeDelta};
        use diesel::prelude::*;

        use $crate::db::schema::$table;
        use $crate::db::Conn;
        use $crate::error::{AppError, AppResult};
        use $crate::run;

        pub const PREFIX: &str = $prefix;
        pub const CONFIRM: &str = "confirm";
        pub const MANAGE: &str = "manage";

        /// Mints a token for an owner; `ttl` None means it does not expire.
        pub fn mint(
            c: &mut Conn,
            owner_id: i64,
            purpose: &str,
            ttl: Option<TimeDelta>,
        ) -> QueryResult<String> {
            let token = Unsaved::new();
            token.save(c, owner_id, purpose, ttl)?;
            Ok(token.value)
        }

        /// A token drawn and hashed but not yet stored: a write that queues on a lock draws
        /// its token (and renders the email that carries it) before taking the lock.
        #[derive(Debug, Clone)]
        pub struct Unsaved {
            pub value: String,
            hash: String,
        }

        impl Unsaved {
            pub fn new() -> Unsaved {
                let value = $crate::crypto::new_led_token(PREFIX);
                let hash = $crate::crypto::led_token_key(PREFIX, &value);
                Unsaved { value, hash }
            }

            /// Stores the token for an owner; `ttl` None means it does not expire.
            pub fn save(
                &self,
                c: &mut Conn,
                owner_id: i64,
                purpose: &str,
                ttl: Option<TimeDelta>,
            ) -> QueryResult<()> {
                let now = $crate::db::now();
                run!(c, |c| diesel::insert_into($table::table)
                    .values((
                        $table::$owner.eq(owner_id),
                        $table::purpose.eq(purpose),
                        $table::token_hash.eq(&self.hash),
                        $table::expires_at.eq(ttl.map(|t| now + t)),
                        $table::created_at.eq(now),
                    ))
                    .execute(c))?;
                Ok(())
            }
        }

        impl Default for Unsaved {
            fn default() -> Self {
                Unsaved::new()
            }
        }

        /// A token found by its value.
        pub struct Found {
            pub id: i64,
            pub owner_id: i64,
            pub expires_at: Option<NaiveDateTime>,
            pub used_at: Option<NaiveDateTime>,
        }

        impl Found {
            /// A confirmation token may be used once, before it expires (at `now`, on the
            /// app's clock): 409 used, 410 expired.
            pub fn check_usable(&self, now: NaiveDateTime, again: &str) -> AppResult<()> {
                if self.used_at.is_some() {
                    return Err(AppError::Conflict(
                        "this confirmation link was already used".into(),
                    ));
                }
                if self.expires_at.is_some_and(|t| t < now) {
                    return Err(AppError::Gone(format!(
                        "this confirmation link has expired; {again}"
                    )));
                }
                Ok(())
            }
        }

        pub fn find(c: &mut Conn, token: &str, purpose: &str) -> QueryResult<Option<Found>> {
            if !token.starts_with(PREFIX) {
                return Ok(None);
            }
            let hash = $crate::crypto::led_token_key(PREFIX, token);
            type Row = (
                i64,
                i64,
                String,
                Option<NaiveDateTime>,
                Option<NaiveDateTime>,
            );
            let row: Option<Row> = run!(c, |c| $table::table
                .filter($table::token_hash.eq(&hash))
                .filter($table::purpose.eq(purpose))
                .select((
                    $table::id,
                    $table::$owner,
                    $table::token_hash,
                    $table::expires_at,
                    $table::used_at,
                ))
                .first(c)
                .optional())?;
            Ok(row
                .filter(|(_, _, stored, _, _)| $crate::crypto::hashes_equal(stored, &hash))
                .map(|(id, owner_id, _, expires_at, used_at)| Found {
                    id,
                    owner_id,
                    expires_at,
                    used_at,
                }))
        }

        pub fn mark_used(c: &mut Conn, id: i64) -> QueryResult<()> {
            let now = $crate::db::now();
            run!(c, |c| diesel::update($table::table.find(id))
                .set($table::used_at.eq(Some(now)))
                .execute(c))?;
            Ok(())
        }

        /// Forgets every token of an owner (erasure).
        pub fn delete_all(c: &mut Conn, owner_id: i64) -> QueryResult<()> {
            run!(c, |c| diesel::delete(
                $table::table.filter($table::$owner.eq(owner_id))
            )
            .execute(c))?;
            Ok(())
        }
    };
}
