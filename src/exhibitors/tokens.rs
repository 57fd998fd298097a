//! Exhibitors' tokens (`sle_`): confirmation links and manage links (see `auth::owner_tokens`).

crate::owner_tokens!(exhibitor_tokens, exhibitor_id, "sle_");
