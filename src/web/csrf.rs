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
/// scripts) pass on the HMAC alone. The origin must be the whole origin — scheme, host and
/// port — of `server.public_base_url`, or of the request itself as this server sees it (plain
/// HTTP to its `Host`), or, from one of `server.trusted_proxies` only, as the proxy forwards it
/// (`X-Forwarded-Proto`, `X-Forwarded-Host`): another scheme or port is another site, and a
/// client cannot name its own origin with forwarded headers.
pub fn same_site(
    req: &actix_web::HttpRequest,
    public_base_url: &str,
    trusted_proxies: &[std::net::IpAddr],
) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let fetch_site = header("sec-fetch-site");
    if matches!(fetch_site, Some("cross-site") | Some("same-site")) {
        return false;
    }
    match header("origin") {
        None => true,
        Some("null") => fetch_site == Some("same-origin"),
        Some(origin) => {
            let Some(origin) = normalized_origin(origin) else {
                return false;
            };
            let own = header("host").and_then(|h| normalized_origin(&format!("http://{h}")));
            let proxied = req
                .peer_addr()
                .filter(|peer| trusted_proxies.contains(&peer.ip()))
                .and_then(|_| {
                    let first = |name: &str| header(name).and_then(|v| v.split(',').next());
                    let proto = first("x-forwarded-proto").unwrap_or("http").trim();
                    let host = first("x-forwarded-host").or(header("host"))?.trim();
                    normalized_origin(&format!("{proto}://{host}"))
                });
            [normalized_origin(public_base_url), own, proxied]
                .into_iter()
                .flatten()
                .any(|o| o == origin)
        }
    }
}

/// `scheme://host[:port]` in lower case, without a path, and without the scheme's default
/// port (browsers leave it out of `Origin`); None when it is not such an address.
fn normalized_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let default = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = authority.strip_suffix(default).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

/// The check every form POST makes: same site, and the HMAC of its action.
pub fn check(
    req: &actix_web::HttpRequest,
    settings: &crate::config::Settings,
    action: &str,
    given: &str,
) -> bool {
    same_site(req, settings.base_url(), &settings.server.trusted_proxies)
        && verify(settings.server.secret_key.expose(), action, given)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn request(headers: &[(&str, &str)], peer: &str) -> actix_web::HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().expect("socket address"));
        for (name, value) in headers {
            r = r.insert_header((*name, *value));
        }
        r.to_http_request()
    }

    #[test]
    fn tokens_bind_the_action_and_the_site() {
        let t = token("secret", "/confirm/abc");
        assert!(verify("secret", "/confirm/abc", &t));
        assert!(!verify("secret", "/confirm/abd", &t));
        assert!(!verify("other", "/confirm/abc", &t));
        let base = "https://salon.example";
        let client = "203.0.113.9:5000";
        let same = |headers: &[(&str, &str)]| same_site(&request(headers, client), base, &[]);
        assert!(same(&[
            ("host", "salon.example"),
            ("origin", "https://salon.example")
        ]));
        assert!(!same(&[
            ("host", "salon.example"),
            ("origin", "https://evil.example")
        ]));
        assert!(!same(&[("sec-fetch-site", "cross-site")]));
        assert!(same(&[
            ("origin", "null"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(!same(&[("origin", "null")]));
        assert!(same(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "https://salon.example")
        ]));
        assert!(same(&[
            ("host", "10.0.0.5:8080"),
            ("origin", "http://10.0.0.5:8080")
        ]));
        assert!(!same_site(
            &request(
                &[
                    ("host", "10.0.0.5:8080"),
                    ("origin", "https://salon.example")
                ],
                client
            ),
            "https://other.example",
            &[]
        ));
    }

    #[test]
    fn the_whole_origin_counts_and_forwarded_hosts_only_from_proxies() {
        let base = "https://salon.example";
        let client = "203.0.113.9:5000";
        let same = |headers: &[(&str, &str)], peer: &str, proxies: &[std::net::IpAddr]| {
            same_site(&request(headers, peer), base, proxies)
        };
        assert!(same(
            &[("origin", "https://salon.example:443")],
            client,
            &[]
        ));
        assert!(
            !same(&[("origin", "http://salon.example")], client, &[]),
            "another scheme is another site"
        );
        assert!(
            !same(&[("origin", "https://salon.example:8443")], client, &[]),
            "another port is another site"
        );
        let forged = [
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-host", "evil.example"),
            ("origin", "http://evil.example"),
        ];
        assert!(
            !same(&forged, client, &[]),
            "a client does not choose its origin with X-Forwarded-Host"
        );
        let proxy: std::net::IpAddr = "10.0.0.1".parse().expect("ip");
        let proxied = [
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-host", "fair.example"),
            ("x-forwarded-proto", "https"),
            ("origin", "https://fair.example"),
        ];
        assert!(same(&proxied, "10.0.0.1:4000", &[proxy]));
        assert!(!same(&proxied, client, &[proxy]));
    }
}
