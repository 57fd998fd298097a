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
    crate::crypto::hashes_equal(&token(secret, action), given)
}

/// Whether a form POST comes from a page of this site, as browsers state in `Sec-Fetch-Site`
/// and `Origin`. Together with the HMAC this stops a cross-site form from posting with a token
/// it fetched earlier (the public forms' token is the same for everyone).
///
/// What real browsers send on a same-site form post: the page's origin in `Origin` (Salon
/// answers with `Referrer-Policy: same-origin`, under which they do), or — from a page served
/// under `no-referrer`, e.g. one cached before that header changed, or a privacy extension —
/// `Origin: null` together with `Sec-Fetch-Site: same-origin`. `Origin: null` without that
/// proof (a sandboxed frame, a `data:` page) is refused. Clients that send neither header (curl,
/// scripts) pass on the HMAC alone. The origin may name the request's own host or the host of
/// `server.public_base_url` (behind a proxy that rewrites `Host`).
pub fn same_site(req: &actix_web::HttpRequest, public_base_url: &str) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let fetch_site = header("sec-fetch-site");
    if matches!(fetch_site, Some("cross-site") | Some("same-site")) {
        return false;
    }
    match header("origin") {
        None => true,
        Some("null") => fetch_site == Some("same-origin"),
        Some(origin) => {
            let Some(host) = origin.split("://").nth(1) else {
                return false;
            };
            let public_host = public_base_url
                .split("://")
                .nth(1)
                .map(|h| h.trim_end_matches('/'));
            host == req.connection_info().host() || Some(host) == public_host
        }
    }
}

/// The check every form POST makes: same site, and the HMAC of its action.
pub fn check(
    req: &actix_web::HttpRequest,
    public_base_url: &str,
    secret: &str,
    action: &str,
    given: &str,
) -> bool {
    same_site(req, public_base_url) && verify(secret, action, given)
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
        let null_same_origin = TestRequest::default()
            .insert_header(("origin", "null"))
            .insert_header(("sec-fetch-site", "same-origin"))
            .to_http_request();
        let null_alone = TestRequest::default()
            .insert_header(("origin", "null"))
            .to_http_request();
        let behind_proxy = TestRequest::default()
            .insert_header(("host", "10.0.0.5:8080"))
            .insert_header(("origin", "https://salon.example"))
            .to_http_request();
        let base = "https://salon.example";
        assert!(check(&same, base, "secret", "/confirm/abc", &t));
        assert!(!check(&same, base, "secret", "/confirm/abd", &t));
        assert!(!check(&same, base, "other", "/confirm/abc", &t));
        assert!(!check(&cross, base, "secret", "/confirm/abc", &t));
        assert!(!check(&fetch_cross, base, "secret", "/confirm/abc", &t));
        assert!(check(&null_same_origin, base, "secret", "/confirm/abc", &t));
        assert!(!check(&null_alone, base, "secret", "/confirm/abc", &t));
        assert!(check(&behind_proxy, base, "secret", "/confirm/abc", &t));
        assert!(!check(
            &behind_proxy,
            "https://other.example",
            "secret",
            "/confirm/abc",
            &t
        ));
    }
}
