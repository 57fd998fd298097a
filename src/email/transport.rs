//! Where emails go, from `mail.url`: `file://DIR` (an `.eml` file per email), `smtp://host:port`
//! (plain, for a local relay), `smtp://host:port?tls=required` (STARTTLS), `smtps://host:port`
//! (TLS, rustls). Credentials come from the URL's user and password. SMTP goes through
//! [`super::relay`], which keeps its connections open between messages.

use lettre::message::{
    header::ContentType, Attachment as LettreAttachment, Mailbox as Address, MultiPart, SinglePart,
};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{FileTransport, Message, Transport as _};

use super::model::Claimed;
use super::outbox::Attachment;
pub use super::relay::{Batch, SendError};
use super::relay::{Relay, Security};

pub enum Transport {
    File(FileTransport),
    Smtp(Relay),
    /// Keeps each message in memory: for a caller that delivers the outbox itself and reads
    /// what was sent (the tests, with `mail.worker = false`).
    Memory(Mailbox),
}

/// One message a [`Transport::Memory`] received: its Message-ID and raw RFC 5322 bytes.
pub type Received = (String, Vec<u8>);

/// The messages a [`Transport::Memory`] received, in order.
#[derive(Clone, Default)]
pub struct Mailbox(std::sync::Arc<std::sync::Mutex<Vec<Received>>>);

impl Mailbox {
    /// Every message received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

fn percent_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl Transport {
    /// A transport that keeps messages in memory, and the mailbox to read them from.
    pub fn memory() -> (Transport, Mailbox) {
        let mailbox = Mailbox::default();
        (Transport::Memory(mailbox.clone()), mailbox)
    }

    pub fn from_url(url: &str) -> anyhow::Result<Transport> {
        if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create mail folder {dir}: {e}"))?;
            return Ok(Transport::File(FileTransport::new(dir)));
        }
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            anyhow::anyhow!("mail.url must start with file://, smtp:// or smtps://")
        })?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let hostport = hostport.trim_end_matches('/');
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h,
                Some(
                    p.parse::<u16>()
                        .map_err(|_| anyhow::anyhow!("mail.url: bad port"))?,
                ),
            ),
            None => (hostport, None),
        };
        let security = match scheme {
            "smtp" if query.split('&').any(|kv| kv == "tls=required") => Security::StartTls,
            "smtp" => Security::Plain,
            "smtps" => Security::Tls,
            other => anyhow::bail!("mail.url: unknown scheme {other}"),
        };
        let port = port.unwrap_or(match security {
            Security::Plain => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        });
        let credentials = userinfo.map(|userinfo| {
            let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            Credentials::new(percent_decode(user), percent_decode(pass))
        });
        Ok(Transport::Smtp(Relay::new(
            host,
            port,
            security,
            credentials,
        )?))
    }

    /// Sends a batch; returns each message's outcome, in order. The batch's `keepalive` runs
    /// only while an SMTP batch is being sent.
    pub fn send_batch(&self, batch: Batch) -> Vec<Result<(), SendError>> {
        if let Transport::Smtp(relay) = self {
            return relay.send_all(batch);
        }
        let Batch {
            messages,
            connections,
            ..
        } = batch;
        if messages.is_empty() {
            return Vec::new();
        }
        let chunk = messages.len().div_ceil(connections.max(1));
        std::thread::scope(|scope| {
            let handles: Vec<_> = messages
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|m| match m {
                                Ok(m) => self.send_one(m),
                                Err(e) => Err(SendError::Permanent(e.clone())),
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            // One outcome per message, in order, even from a thread that panicked.
            handles
                .into_iter()
                .zip(messages.chunks(chunk))
                .flat_map(|(h, part)| {
                    h.join().unwrap_or_else(|_| {
                        vec![Err(SendError::Transient("sender thread panicked".into())); part.len()]
                    })
                })
                .collect()
        })
    }

    /// Closes what stays open between batches (the relay's connections).
    pub fn rest(&self) {
        if let Transport::Smtp(relay) = self {
            relay.rest();
        }
    }

    fn send_one(&self, message: &Message) -> Result<(), SendError> {
        match self {
            Transport::File(t) => t
                .send(message)
                .map(|_| ())
                .map_err(|e| SendError::Transient(e.to_string())),
            Transport::Memory(mailbox) => {
                let id = message
                    .headers()
                    .get_raw("Message-ID")
                    .unwrap_or_default()
                    .to_string();
                mailbox
                    .0
                    .lock()
                    .map_err(|_| SendError::Transient("mailbox poisoned".into()))?
                    .push((id, message.formatted()));
                Ok(())
            }
            Transport::Smtp(_) => Err(SendError::Transient("SMTP sends in batches".into())),
        }
    }
}

/// Builds the MIME message of a claimed outbox row: text and HTML alternatives, inline images
/// (by Content-ID) related to the HTML, other attachments alongside.
pub fn build_message(row: &Claimed, from: &str) -> Result<Message, String> {
    let from: Address = from.parse().map_err(|e| format!("mail.from: {e}"))?;
    // The fair's name before the configured address: the inbox shows whom the email is from.
    let from = match row.from_name.as_deref() {
        Some(name) => Address::new(Some(name.to_string()), from.email),
        None => from,
    };
    // Replies go to the fair's contact address, not to a no-reply one.
    let reply_to: Option<Address> = row
        .reply_to
        .as_deref()
        .and_then(|a| a.parse::<lettre::Address>().ok())
        .map(|a| Address::new(None, a));
    let to: Address = row
        .recipient
        .as_deref()
        .ok_or("no recipient (erased)")?
        .parse()
        .map_err(|e| format!("recipient: {e}"))?;
    let attachments: Vec<Attachment> = row
        .attachments
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| format!("attachments: {e}"))?
        .unwrap_or_default();
    let html_part = SinglePart::html(row.body_html.clone().unwrap_or_default());
    let (inline, files): (Vec<&Attachment>, Vec<&Attachment>) =
        attachments.iter().partition(|a| a.content_id.is_some());
    let html = if inline.is_empty() {
        MultiPart::related().singlepart(html_part)
    } else {
        let mut related = MultiPart::related().singlepart(html_part);
        for a in inline {
            let ct = ContentType::parse(&a.content_type).map_err(|e| e.to_string())?;
            related = related.singlepart(
                LettreAttachment::new_inline(a.content_id.clone().unwrap_or_default())
                    .body(a.bytes(), ct),
            );
        }
        related
    };
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(row.body_text.clone().unwrap_or_default()))
        .multipart(html);
    let body = if files.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for a in files {
            let ct = ContentType::parse(&a.content_type).map_err(|e| e.to_string())?;
            mixed = mixed.singlepart(LettreAttachment::new(a.filename.clone()).body(a.bytes(), ct));
        }
        mixed
    };
    let mut builder = Message::builder().from(from);
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to);
    }
    let mut message = builder
        .to(to)
        .subject(row.subject.clone().unwrap_or_default())
        .message_id(Some(row.message_id.clone()))
        .multipart(body)
        .map_err(|e| e.to_string())?;
    // Every email is sent by a machine (RFC 3834: vacation auto-replies do not answer it) in
    // its recipient's language.
    let headers = message.headers_mut();
    for (name, value) in [
        ("Auto-Submitted", "auto-generated".to_string()),
        ("Content-Language", row.language.clone()),
    ] {
        let name = lettre::message::header::HeaderName::new_from_ascii_str(name);
        headers.insert_raw(lettre::message::header::HeaderValue::new(name, value));
    }
    Ok(message)
}
