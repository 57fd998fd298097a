//! Tokens that belong to an attendee (`slr_`) or an exhibitor (`sle_`): single-use, expiring
//! confirmation tokens, and manage tokens minted for each email that carries a link. Stored as
//! SHA-256 hashes, looked up by index and compared again in constant time. Each token is led by
//! the second it was made, and so is its stored key ([`crate::crypto::new_led_token`]): the
//! table gains a token with nearly every write, and its index then grows at its end.
//!
//! Both owners keep their tokens in one table, `link_tokens`, with one owner column each (a
//! check allows exactly one, and each cascades from its owner): one set of queries, so the
//! rules cannot drift apart. An area holds its [`OwnerTokens`] (`ATTENDEES`, `EXHIBITORS`).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;

use super::store;
use crate::db::Conn;
use crate::error::{AppError, AppResult};

/// The purpose of a single-use, expiring confirmation token.
pub const CONFIRM: &str = "confirm";
/// The purpose of a token that manages its owner (a registration's or an exhibitor's page).
pub const MANAGE: &str = "manage";

/// Whose tokens: which owner column, and the prefix their values carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerTokens {
    owner: Owner,
    pub prefix: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Registration,
    Exhibitor,
}

/// An attendee's tokens (`registration_id`).
pub const ATTENDEES: OwnerTokens = OwnerTokens {
    owner: Owner::Registration,
    prefix: "slr_",
};

/// An exhibitor's tokens (`exhibitor_id`).
pub const EXHIBITORS: OwnerTokens = OwnerTokens {
    owner: Owner::Exhibitor,
    prefix: "sle_",
};

/// A token drawn and hashed but not yet stored: a write that queues on a lock draws its token
/// (and renders the email that carries it) before taking the lock.
#[derive(Debug, Clone)]
pub struct Unsaved {
    pub value: String,
    hash: String,
    owner: OwnerTokens,
}

impl Unsaved {
    /// Stores the token for an owner; `ttl` None means it does not expire.
    pub fn save(
        &self,
        c: &mut Conn,
        owner_id: i64,
        purpose: &str,
        ttl: Option<TimeDelta>,
    ) -> QueryResult<()> {
        let now = crate::db::now();
        let (registration_id, exhibitor_id) = self.owner.columns(owner_id);
        store::insert_link_token(
            c,
            &store::NewLinkToken {
                registration_id,
                exhibitor_id,
                purpose,
                token_hash: &self.hash,
                expires_at: ttl.map(|t| now + t),
                created_at: now,
            },
        )
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
    /// A confirmation token may be used once, before it expires (at `now`, on the app's
    /// clock): 409 used, 410 expired.
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

impl OwnerTokens {
    /// The owner columns of a new token: `owner_id` in this owner's, none in the other.
    fn columns(self, owner_id: i64) -> (Option<i64>, Option<i64>) {
        match self.owner {
            Owner::Registration => (Some(owner_id), None),
            Owner::Exhibitor => (None, Some(owner_id)),
        }
    }

    /// A new token, drawn and hashed, to [`Unsaved::save`].
    pub fn unsaved(self) -> Unsaved {
        let value = crate::crypto::new_led_token(self.prefix);
        let hash = crate::crypto::led_token_key(self.prefix, &value);
        Unsaved {
            value,
            hash,
            owner: self,
        }
    }

    /// Mints a token for an owner; `ttl` None means it does not expire.
    pub fn mint(
        self,
        c: &mut Conn,
        owner_id: i64,
        purpose: &str,
        ttl: Option<TimeDelta>,
    ) -> QueryResult<String> {
        let token = self.unsaved();
        token.save(c, owner_id, purpose, ttl)?;
        Ok(token.value)
    }

    /// This owner's token of `purpose` whose value is `token`.
    pub fn find(self, c: &mut Conn, token: &str, purpose: &str) -> QueryResult<Option<Found>> {
        if !token.starts_with(self.prefix) {
            return Ok(None);
        }
        let hash = crate::crypto::led_token_key(self.prefix, token);
        let row = store::find_link_token(c, &hash, purpose)?;
        Ok(row.and_then(
            |(id, registration, exhibitor, stored, expires_at, used_at)| {
                let owner_id = match self.owner {
                    Owner::Registration => registration,
                    Owner::Exhibitor => exhibitor,
                };
                let matches = crate::crypto::hashes_equal(&stored, &hash);
                owner_id.filter(|_| matches).map(|owner_id| Found {
                    id,
                    owner_id,
                    expires_at,
                    used_at,
                })
            },
        ))
    }

    /// Marks a confirmation token used.
    pub fn mark_used(self, c: &mut Conn, id: i64) -> QueryResult<()> {
        store::mark_link_token_used(c, id, crate::db::now())
    }

    /// Forgets every token of an owner (erasure).
    pub fn delete_all(self, c: &mut Conn, owner_id: i64) -> QueryResult<()> {
        match self.owner {
            Owner::Registration => store::delete_registration_link_tokens(c, owner_id)?,
            Owner::Exhibitor => store::delete_exhibitor_link_tokens(c, owner_id)?,
        };
        Ok(())
    }
}
