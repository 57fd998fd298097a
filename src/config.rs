//! Settings: `config/default.toml` (compiled in), then the file named by `--config` or
//! `SALON_CONFIG`, then `SALON__SECTION__KEY` environment variables.
//!
//! Every section denies unknown fields, so a misspelt key stops the server at start with the key
//! named instead of being silently ignored. Values that may hold credentials (database and mail
//! URLs, the secret key) are [`Secret`]s: their `Debug` output is redacted, so logging the
//! settings never leaks them.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

/// The committed defaults, compiled into the binary.
pub const DEFAULT_CONFIG: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub mail: MailSettings,
    pub registration: RegistrationSettings,
    pub schedule: ScheduleSettings,
    pub rate_limit: RateLimitSettings,
    pub privacy: PrivacySettings,
    pub webhooks: WebhookSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub public_base_url: String,
    pub max_body: usize,
    pub trusted_proxies: Vec<IpAddr>,
    pub secret_key: Secret,
    pub workers: usize,
    /// The bearer token `/metrics` answers to; empty: `/metrics` is off.
    pub metrics_token: Secret,
    /// How long a stopping server waits for requests in flight before closing them.
    #[serde(with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// How long a request's headers, and then its body, may take to arrive (408 past it).
    #[serde(with = "humantime_serde")]
    pub body_timeout: Duration,
    /// Connections this instance holds open at once; more wait in the listen queue.
    pub max_connections: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub pool_size: u32,
    #[serde(with = "humantime_serde")]
    pub connection_timeout: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub url: Secret,
    pub from: String,
    pub max_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub retry_base: Duration,
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    pub concurrency: u32,
    /// Whether this instance runs the mail sender (tests turn it off and deliver by hand).
    pub worker: bool,
    /// How long a sender's claim on an email lasts: after a crash, an email that was being sent
    /// is due again this long after it was claimed.
    #[serde(with = "humantime_serde")]
    pub claim_lease: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSettings {
    #[serde(with = "humantime_serde")]
    pub confirm_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub resend_interval: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    #[serde(with = "humantime_serde")]
    pub speaker_buffer: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitSettings {
    pub per_minute: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    pub retention_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Wait before the first retry; doubles with each attempt, with jitter, at most an hour.
    #[serde(with = "humantime_serde")]
    pub retry_base: Duration,
    /// How long a delivery is retried, and how long an endpoint may fail before it is disabled.
    #[serde(with = "humantime_serde")]
    pub give_up_after: Duration,
    /// Whether endpoints may resolve to loopback, private or link-local addresses.
    pub allow_private: bool,
    /// How long one delivery waits for the answer.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Deliveries sent at once by this instance.
    pub concurrency: u32,
    /// Whether this instance runs the webhook sender.
    pub worker: bool,
}

/// A string that must never be printed: `Debug` shows `[redacted]`.
#[derive(Clone, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Settings {
    /// Loads the layers described in the module documentation. `file` is the `--config` path
    /// (falling back to `SALON_CONFIG`).
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SALON_CONFIG").map(PathBuf::from));
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::from_sources(file.as_deref(), vars)
    }

    /// The layering itself, with the environment passed in so tests need not touch the process
    /// environment.
    pub fn from_sources(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Settings> {
        use config::{Config, File, FileFormat};
        let mut builder =
            Config::builder().add_source(File::from_str(DEFAULT_CONFIG, FileFormat::Toml));
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read configuration file {}", path.display()))?;
            builder = builder.add_source(File::from_str(&text, FileFormat::Toml));
        }
        for (name, value) in vars {
            let Some(rest) = name.strip_prefix("SALON__") else {
                continue;
            };
            let key = rest.to_ascii_lowercase().replace("__", ".");
            let parsed = parse_env_value(&key, &value);
            builder = builder
                .set_override(key.clone(), parsed)
                .with_context(|| format!("bad environment variable {name}"))?;
        }
        let raw = builder.build().context("cannot read configuration")?;
        let mut settings: Settings = raw
            .try_deserialize()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        if settings.server.public_base_url.trim().is_empty() {
            settings.server.public_base_url = origin_of_bind(&settings.server.bind);
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Why the links in emails would not reach this server as it is bound, if they would not:
    /// `server.public_base_url` names this machine (a loopback address) on another port than
    /// `server.bind`'s. (Behind a proxy the ports differ on purpose, and the host is not local.)
    pub fn public_url_mismatch(&self) -> Option<String> {
        let (_, rest) = self.base_url().split_once("://")?;
        let authority = rest.split('/').next()?;
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, p.parse::<u16>().ok()?),
            _ => (
                authority,
                if self.base_url().starts_with("https") {
                    443
                } else {
                    80
                },
            ),
        };
        let local = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
        let bound: u16 = self.server.bind.rsplit_once(':')?.1.parse().ok()?;
        (local && bound != 0 && port != bound).then(|| {
            format!(
                "server.public_base_url ({}) names port {port} but Salon listens on {}: links in emails will not reach it; set server.public_base_url, or leave it empty to follow server.bind",
                self.base_url(),
                self.server.bind
            )
        })
    }

    fn validate(&self) -> anyhow::Result<()> {
        if self.server.max_body == 0 {
            anyhow::bail!("invalid configuration: server.max_body must be above 0");
        }
        if self.database.pool_size == 0 {
            anyhow::bail!("invalid configuration: database.pool_size must be above 0");
        }
        if self.mail.max_attempts == 0 {
            anyhow::bail!("invalid configuration: mail.max_attempts must be above 0");
        }
        if self.server.body_timeout.is_zero() {
            anyhow::bail!("invalid configuration: server.body_timeout must be above 0");
        }
        if self.server.max_connections == 0 {
            anyhow::bail!("invalid configuration: server.max_connections must be above 0");
        }
        if self.webhooks.concurrency == 0 || self.webhooks.retry_base.is_zero() {
            anyhow::bail!(
                "invalid configuration: webhooks.concurrency and webhooks.retry_base must be above 0"
            );
        }
        if self.rate_limit.per_minute == 0 {
            anyhow::bail!("invalid configuration: rate_limit.per_minute must be above 0");
        }
        let url = self.database.url.expose();
        if !["sqlite://", "postgres://", "postgresql://"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
        {
            anyhow::bail!(
                "invalid configuration: database.url: must start with sqlite:// or postgres://"
            );
        }
        Ok(())
    }

    /// The public origin without a trailing slash, for building links.
    pub fn base_url(&self) -> &str {
        self.server.public_base_url.trim_end_matches('/')
    }

    /// The domain of Message-IDs, inline `Content-ID`s and calendar UIDs: the host of
    /// `server.public_base_url`.
    pub fn message_domain(&self) -> String {
        self.base_url()
            .split("://")
            .nth(1)
            .unwrap_or("salon.localhost")
            .split(['/', ':'])
            .next()
            .unwrap_or("salon.localhost")
            .to_string()
    }
}

/// The origin of a server bound to `bind` (`http://host:port`), for links when
/// `server.public_base_url` is left empty; an address that listens on every interface gives
/// this machine's loopback address.
fn origin_of_bind(bind: &str) -> String {
    match bind.parse::<std::net::SocketAddr>() {
        Ok(addr) if addr.ip().is_unspecified() => format!("http://127.0.0.1:{}", addr.port()),
        Ok(addr) => format!("http://{addr}"),
        Err(_) => format!("http://{bind}"),
    }
}

/// Environment variables are strings; give numbers and lists their TOML type so that
/// `SALON__SERVER__MAX_BODY=1024` or `SALON__SERVER__TRUSTED_PROXIES=10.0.0.1,10.0.0.2` work.
fn parse_env_value(key: &str, value: &str) -> config::Value {
    if key == "server.trusted_proxies" {
        let items: Vec<config::Value> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| config::Value::from(s.to_string()))
            .collect();
        return config::Value::from(items);
    }
    if let Ok(n) = value.parse::<i64>() {
        return config::Value::from(n);
    }
    config::Value::from(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load() {
        let s = Settings::from_sources(None, env(&[])).expect("defaults");
        assert_eq!(s.server.bind, "127.0.0.1:8080");
        assert_eq!(s.database.url.expose(), "sqlite://var/salon.db");
        assert_eq!(s.registration.confirm_ttl, Duration::from_secs(72 * 3600));
        assert_eq!(s.schedule.speaker_buffer, Duration::from_secs(600));
        assert_eq!(s.mail.max_attempts, 10);
    }

    #[test]
    fn environment_overrides_nested_keys() {
        let s = Settings::from_sources(
            None,
            env(&[
                ("SALON__SERVER__MAX_BODY", "1024"),
                ("SALON__SERVER__TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"),
                ("SALON__SCHEDULE__SPEAKER_BUFFER", "15m"),
                ("SALON__DATABASE__URL", "postgres://u:p@localhost/salon"),
            ]),
        )
        .expect("overrides");
        assert_eq!(s.server.max_body, 1024);
        assert_eq!(s.server.trusted_proxies.len(), 2);
        assert_eq!(s.schedule.speaker_buffer, Duration::from_secs(900));
        assert!(format!("{s:?}").contains("[redacted]"));
        assert!(!format!("{s:?}").contains("u:p@"));
    }

    #[test]
    fn links_follow_the_bound_port_unless_set() {
        let s = Settings::from_sources(None, env(&[("SALON__SERVER__BIND", "127.0.0.1:9090")]))
            .expect("settings");
        assert_eq!(s.base_url(), "http://127.0.0.1:9090");
        assert_eq!(s.public_url_mismatch(), None);
        let s = Settings::from_sources(None, env(&[("SALON__SERVER__BIND", "0.0.0.0:9090")]))
            .expect("settings");
        assert_eq!(s.base_url(), "http://127.0.0.1:9090");
        let s = Settings::from_sources(
            None,
            env(&[
                ("SALON__SERVER__BIND", "127.0.0.1:9090"),
                ("SALON__SERVER__PUBLIC_BASE_URL", "http://127.0.0.1:8080"),
            ]),
        )
        .expect("settings");
        assert!(s.public_url_mismatch().is_some_and(|w| w.contains("8080")));
        let s = Settings::from_sources(
            None,
            env(&[
                ("SALON__SERVER__BIND", "127.0.0.1:9090"),
                ("SALON__SERVER__PUBLIC_BASE_URL", "https://salon.example"),
            ]),
        )
        .expect("settings");
        assert_eq!(
            s.public_url_mismatch(),
            None,
            "behind a proxy the ports differ"
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Settings::from_sources(None, env(&[("SALON__SERVER__BINDD", "x")]))
            .expect_err("unknown key");
        assert!(format!("{err:#}").contains("bindd"), "{err:#}");
    }

    #[test]
    fn unknown_scheme_is_refused() {
        let err = Settings::from_sources(None, env(&[("SALON__DATABASE__URL", "mysql://x")]))
            .expect_err("bad scheme");
        assert!(format!("{err:#}").contains("database.url"), "{err:#}");
    }
}
