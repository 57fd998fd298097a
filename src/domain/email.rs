use std::fmt;

use serde::Serialize;

/// A syntactically plausible email address, trimmed and lower-cased so that uniqueness ignores
/// case. Deliverability is proven by the confirmation email, not here.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<EmailAddress, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err("must not be empty".into());
        }
        if s.chars().count() > 254 {
            return Err("must be at most 254 characters".into());
        }
        if s.chars().any(|c| {
            c.is_whitespace() || crate::domain::text::breaks_one_line(c) || "<>,;\"".contains(c)
        }) {
            return Err("must not contain spaces or any of < > , ; \"".into());
        }
        let (local, domain) = s
            .rsplit_once('@')
            .ok_or_else(|| "must look like name@example.com".to_string())?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err("must look like name@example.com".into());
        }
        // A dot may not start or end the local part, nor follow another (RFC 5322 dot-atom):
        // such an address is accepted by nobody's server.
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(
                "must look like name@example.com (no leading, trailing or double dot)".into(),
            );
        }
        // A domain name, never an address (`user@[127.0.0.1]`, `user@10.0.0.1`): mail to
        // an IP literal goes round the relay's view of domains, to whatever host it names.
        let numeric = domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
        if domain.contains(['[', ']', ':']) || numeric {
            return Err("must have a domain like example.com, not an IP address".into());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty() || l.starts_with('-') || l.ends_with('-') || l.chars().count() > 63
            })
        {
            return Err("must have a domain like example.com".into());
        }
        Ok(EmailAddress(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EmailAddress::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> String {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_and_international_addresses() {
        assert_eq!(
            EmailAddress::parse(" Amina@Example.MA ").map(|e| e.0),
            Ok("amina@example.ma".into())
        );
        assert!(EmailAddress::parse("سارة@مثال.المغرب").is_ok());
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@-x.com",
            "a@x..com",
            "a..b@x.test",
            ".a@x.test",
            "a.@x.test",
            "user@[127.0.0.1]",
            "user@127.0.0.1",
            "user@[ipv6:::1]",
            "a\u{202E}b@x.test",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} accepted");
        }
    }

    proptest! {
        #[test]
        fn never_panics_and_parsed_is_normalised(s in "\\PC{0,80}") {
            if let Ok(e) = EmailAddress::parse(&s) {
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
                prop_assert!(e.as_str().contains('@'));
                prop_assert_eq!(EmailAddress::parse(e.as_str()), Ok(e.clone()));
            }
        }
    }
}
