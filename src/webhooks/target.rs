//! Where a webhook may point: an `http` or `https` URL whose host resolves only to public
//! addresses. Loopback, private, link-local, shared (CGNAT), unique-local, multicast and
//! unspecified addresses are refused unless `webhooks.allow_private` is set, so an admin's
//! endpoint cannot make Salon call the services of its own network. The check runs when the
//! URL is saved and again at every delivery, on the addresses the request then connects to
//! (a name that resolved to a public address may resolve to a private one later).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// The longest URL an endpoint may have.
pub const MAX_URL: usize = 2000;

/// `url` if it is an absolute `http(s)` URL with a host and no credentials; else why not.
pub fn parse(url: &str) -> Result<Url, String> {
    if url.len() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    let parsed = Url::parse(url.trim()).map_err(|_| {
        "must be an absolute web address like https://crm.example.com/hooks/salon".to_string()
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must start with https:// or http://".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "must not carry a user name or password; the signature authenticates Salon".into(),
        );
    }
    Ok(parsed)
}

/// `url` without its query and fragment, to show it to someone who need not see a key the
/// receiving system put there.
pub fn without_query(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or_default().to_string(),
    }
}

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_ipv4(v6) {
                return is_public(IpAddr::V4(v4));
            }
            let [first, second, ..] = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (first == 0x2001 && second == 0) // Teredo: a tunnel to any IPv4 address
                || (first == 0x2001 && second == 0x0db8)) // documentation
        }
    }
}

/// The IPv4 address an IPv6 address stands for, in the forms that carry one: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::/96`, and the local
/// `64:ff9b:1::/48`) and 6to4 (`2002:aabb:ccdd::/16`).
fn embedded_ipv4(v6: std::net::Ipv6Addr) -> Option<std::net::Ipv4Addr> {
    let s = v6.segments();
    let tail =
        std::net::Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(tail); // IPv4-compatible (:: and ::1 aside)
    }
    if s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1) {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        return Some(std::net::Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// The addresses `url` reaches, checked: an error names the first refused one, or says the
/// host does not resolve.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| format!("the host {host} does not resolve"))?
            .collect(),
    };
    allowed(addrs, allow_private)
}

fn allowed(addrs: Vec<SocketAddr>, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    if addrs.is_empty() {
        return Err("the host has no address".into());
    }
    if let Some(refused) = addrs.iter().find(|a| !allow_private && !is_public(a.ip())) {
        return Err(format!(
            "resolves to {}, a loopback, private or link-local address; Salon calls only public addresses unless webhooks.allow_private is set",
            refused.ip()
        ));
    }
    Ok(addrs)
}

/// The resolver of the sender's HTTP client: the system's, refusing what [`is_public`]
/// refuses, so a delivery connects only to an address that was checked.
#[derive(Debug, Clone)]
pub struct CheckedResolver {
    pub allow_private: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let addrs = allowed(addrs, allow_private)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl CheckedResolver {
    pub fn shared(allow_private: bool) -> Arc<CheckedResolver> {
        Arc::new(CheckedResolver { allow_private })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_local_addresses_are_not_public() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::",
            "::a9fe:a9fe",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::",
            "2001:0:4136:e378::1",
            "fec0::1",
        ] {
            assert!(!is_public(refused.parse().expect(refused)), "{refused}");
        }
        for public in [
            "8.8.8.8",
            "41.248.1.1",
            "2001:4860:4860::8888",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(public.parse().expect(public)), "{public}");
        }
    }

    #[test]
    fn only_plain_web_addresses_are_taken() {
        assert!(parse("https://crm.example.com/hooks").is_ok());
        assert!(parse("ftp://crm.example.com/").is_err());
        assert!(parse("https://user:pw@crm.example.com/").is_err());
        assert!(parse("crm.example.com").is_err());
        assert_eq!(
            without_query("https://crm.example.com/hooks?key=s3cret#x"),
            "https://crm.example.com/hooks"
        );
    }
}
