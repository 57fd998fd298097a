//! The SMTP client of the mail sender: `mail.concurrency` connections to the relay, kept open
//! while there is email to send, each sending one message after another.
//!
//! It is lettre's SMTP protocol (`AsyncSmtpConnection`: EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA)
//! over sockets of our own, for one reason: lettre writes a message and its final `.` in two
//! writes, and with Nagle's algorithm on, the second waits for the relay to acknowledge the
//! first — which a relay delays by up to 40 ms, as it has nothing to say until the `.` arrives.
//! That capped a connection at about 20 emails a second. Our sockets set `TCP_NODELAY`.
//! (`smtps://`, TLS from the first byte, is left to lettre's own socket: the same protocol,
//! kept open between messages, but without `TCP_NODELAY`.)

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;

/// The outcome of one attempt.
#[derive(Debug, Clone)]
pub enum SendError {
    /// Worth retrying: connection refused or dropped, timeout, 4xx reply.
    Transient(String),
    /// Not worth retrying: 5xx reply, unusable address or message.
    Permanent(String),
}

/// How long connecting, or sending one message, may take before it counts as a transient
/// failure (the email is retried later).
const TIMEOUT: Duration = Duration::from_secs(20);

/// How the connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain SMTP, for a relay on the same machine or network.
    Plain,
    /// STARTTLS, required: a relay that does not offer it gets nothing.
    StartTls,
    /// TLS from the first byte (`smtps://`).
    Tls,
}

/// No connection to the relay could be opened (the error says why).
struct Unreachable(SendError);

/// Messages to send in one round (an `Err` is a message that could not be built: it fails
/// permanently), over at most `connections` connections at once; `keepalive` runs every
/// `every` while the round lasts (the sender renews its claim on the batch with it).
pub struct Batch<'a> {
    pub messages: Vec<Result<Message, String>>,
    pub connections: usize,
    pub keepalive: &'a dyn Fn(),
    pub every: Duration,
}

/// A relay and the connections open to it.
pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    runtime: tokio::runtime::Runtime,
    /// Connections left open by the last round, for the next one.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

fn smtp_error(e: lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Transient(e.to_string())
    }
}

impl Relay {
    pub fn new(
        host: &str,
        port: u16,
        security: Security,
        credentials: Option<Credentials>,
    ) -> anyhow::Result<Relay> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        Ok(Relay {
            host: host.to_string(),
            port,
            security,
            credentials,
            hello: ClientId::default(),
            runtime,
            idle: Mutex::new(Vec::new()),
        })
    }

    async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
        let tls = || TlsParameters::new(self.host.clone()).map_err(smtp_error);
        let mut conn = if self.security == Security::Tls {
            AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(TIMEOUT),
                &self.hello,
                Some(tls()?),
                None,
            )
            .await
            .map_err(smtp_error)?
        } else {
            let tcp = tokio::time::timeout(
                TIMEOUT,
                tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
            )
            .await
            .map_err(|_| SendError::Transient("timed out connecting to the relay".into()))?
            .map_err(|e| SendError::Transient(format!("connecting to the relay: {e}")))?;
            tcp.set_nodelay(true)
                .map_err(|e| SendError::Transient(e.to_string()))?;
            let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                .await
                .map_err(smtp_error)?;
            if self.security == Security::StartTls {
                if !conn.can_starttls() {
                    conn.abort().await;
                    return Err(SendError::Transient(
                        "the relay does not offer STARTTLS, which mail.url requires".into(),
                    ));
                }
                conn.starttls(tls()?, &self.hello)
                    .await
                    .map_err(smtp_error)?;
            }
            conn
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(smtp_error)?;
        }
        Ok(conn)
    }

    /// Sends a batch's messages over up to its `connections` at once, reusing the ones the
    /// last round left open; returns each message's outcome, in order.
    pub fn send_all(&self, batch: Batch) -> Vec<Result<(), SendError>> {
        let Batch {
            messages,
            connections,
            keepalive,
            every,
        } = batch;
        let count = messages.len();
        let outcomes: RefCell<Vec<Option<Result<(), SendError>>>> =
            RefCell::new((0..count).map(|_| None).collect());
        let queue: RefCell<VecDeque<(usize, Result<Message, String>)>> =
            RefCell::new(messages.into_iter().enumerate().collect());
        let worker = || async {
            let mut conn: Option<AsyncSmtpConnection> = None;
            loop {
                let Some((i, message)) = queue.borrow_mut().pop_front() else {
                    break;
                };
                let outcome = match message {
                    Err(e) => Err(SendError::Permanent(e)),
                    Ok(message) => match self.send_one(&mut conn, &message).await {
                        Ok(outcome) => outcome,
                        // The relay is down or unreachable: this connection stops here, so a
                        // batch costs one connect timeout per connection, not one per email.
                        Err(Unreachable(e)) => {
                            outcomes.borrow_mut()[i] = Some(Err(e));
                            break;
                        }
                    },
                };
                outcomes.borrow_mut()[i] = Some(outcome);
            }
            if let Some(conn) = conn {
                self.park(conn);
            }
        };
        self.runtime.block_on(async {
            let workers = futures_util::future::join_all(
                (0..connections.clamp(1, count.max(1))).map(|_| worker()),
            );
            tokio::pin!(workers);
            let mut ticks = tokio::time::interval(every.max(Duration::from_secs(1)));
            ticks.tick().await; // the first tick is immediate
            loop {
                tokio::select! {
                    _ = &mut workers => break,
                    _ = ticks.tick() => keepalive(),
                }
            }
        });
        outcomes
            .into_inner()
            .into_iter()
            .map(|o| {
                o.unwrap_or_else(|| {
                    Err(SendError::Transient(
                        "not sent: the relay could not be reached".into(),
                    ))
                })
            })
            .collect()
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        self.idle.lock().ok()?.pop()
    }

    /// Sends one message on `conn`, taking an idle connection or opening one first if there is
    /// none; `Err(Unreachable)` when no connection could be opened. A connection that failed is
    /// dropped (lettre aborts it on any error). A connection
    /// that had already been used may have been closed by the relay in the meantime (an idle
    /// timeout, a limit of messages per connection): a transient failure on it is tried once
    /// more on a fresh connection.
    async fn send_one(
        &self,
        conn: &mut Option<AsyncSmtpConnection>,
        message: &Message,
    ) -> Result<Result<(), SendError>, Unreachable> {
        let bytes = message.formatted();
        let reused = conn.take().or_else(|| self.take_idle());
        let retry = reused.is_some();
        let mut open = match reused {
            Some(c) => c,
            None => self.open().await.map_err(Unreachable)?,
        };
        let mut outcome = Self::deliver(&mut open, message, &bytes).await;
        if retry && matches!(outcome, Err(SendError::Transient(_))) {
            open = self.open().await.map_err(Unreachable)?;
            outcome = Self::deliver(&mut open, message, &bytes).await;
        }
        if outcome.is_ok() {
            *conn = Some(open);
        }
        Ok(outcome)
    }

    async fn deliver(
        conn: &mut AsyncSmtpConnection,
        message: &Message,
        bytes: &[u8],
    ) -> Result<(), SendError> {
        match tokio::time::timeout(TIMEOUT, conn.send(message.envelope(), bytes)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(smtp_error(e)),
            Err(_) => Err(SendError::Transient(
                "timed out sending to the relay".into(),
            )),
        }
    }

    /// Closes the connections left open (QUIT): called when the outbox is empty, so a relay
    /// does not see connections idle until it drops them.
    pub fn rest(&self) {
        let idle: Vec<AsyncSmtpConnection> = match self.idle.lock() {
            Ok(mut idle) => idle.drain(..).collect(),
            Err(_) => return,
        };
        if idle.is_empty() {
            return;
        }
        self.runtime.block_on(async {
            for mut conn in idle {
                let _ = tokio::time::timeout(Duration::from_secs(2), conn.quit()).await;
            }
        });
    }
}
