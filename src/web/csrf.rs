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

/// Whether a form POST comes from a page of this site, as browsers state in `Sec-Fetch-Site`
/// and `Origin`. Together with the HMAC this stops a cross-site form from posting with a token
/// it fetched earlier (the public forms' token is the same for everyone).
pub fn same_site(req: &actix_web::HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    match header("origin") {
        None => true,
        Some(origin) => {
            let host = req.connection_info().host().to_string();
            origin.split("://").nth(1) == Some(host.as_str())
        }
    }
}

/// The check every form POST makes: same site, and the HMAC of its action.
pub fn check(req: &actix_web::HttpRequest, secret: &str, action: &str, given: &str) -> bool {
    same_site(req) && verify(secret, action, given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn tokens_bind_the_action_and_the_site() {
        let t = token("secret", "/confirm/abc");
        let same = TestRequest::default()
            .insert_header(("host", "salon.example"))
            .insert_header(("origin", "https://salon.example"))
            .to_http_request();
        let cross = TestRequest::default()
            .insert_header(("host", "salon.example"))
            .insert_header(("origin", "https://evil.example"))
            .to_http_request();
        let fetch_cross = TestRequest::default()
            .insert_header(("sec-fetch-site", "cross-site"))
            .to_http_request();
        assert!(check(&same, "secret", "/confirm/abc", &t));
        assert!(!check(&same, "secret", "/confirm/abd", &t));
        assert!(!check(&same, "other", "/confirm/abc", &t));
        assert!(!check(&cross, "secret", "/confirm/abc", &t));
        assert!(!check(&fetch_cross, "secret", "/confirm/abc", &t));
    }
}
