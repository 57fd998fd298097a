//! CSRF tokens for the HTML forms: an HMAC of the form's action path under `server.secret_key`.
//! The pages have no sessions; what a form may change is already bound to the secret token in
//! its path, and the HMAC proves the POST comes from a page Salon rendered.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn token(secret: &str, action: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(action.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn verify(secret: &str, action: &str, given: &str) -> bool {
    crate::auth::hashes_equal(&token(secret, action), given)
}
