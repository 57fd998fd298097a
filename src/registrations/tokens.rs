//! Attendees' tokens (`slr_`): confirmation links and manage links (see `auth::owner_tokens`).

crate::owner_tokens!(registration_tokens, registration_id, "slr_");
