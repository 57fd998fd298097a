//! A small SMTP server for tests: accepts (or refuses with 550) every message on a loopback
//! port, keeps what it received, and can be stopped and started again on the same port.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::Mail;

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Accept,
    /// Refuses every recipient with `550`, a permanent failure.
    Reject,
}

pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SmtpSink {
    pub async fn start(mode: Mode) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let task = Some(tokio::spawn(serve(listener, received.clone(), mode)));
        SmtpSink {
            port,
            received,
            task,
        }
    }

    /// A port where nothing listens yet (start it later with [`SmtpSink::restart`]).
    pub async fn stopped() -> SmtpSink {
        let mut sink = SmtpSink::start(Mode::Accept).await;
        sink.stop();
        sink
    }

    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    pub async fn restart(&mut self) {
        self.stop();
        let mut listener = None;
        for _ in 0..50 {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
        let listener = listener.expect("rebind the SMTP port");
        self.task = Some(tokio::spawn(serve(
            listener,
            self.received.clone(),
            Mode::Accept,
        )));
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn messages(&self) -> Vec<Mail> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .map(|raw| Mail::parse(raw))
            .collect()
    }

    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        for _ in 0..600 {
            if self.received.lock().expect("lock").len() >= count {
                return self.messages();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "the SMTP sink did not receive {count} messages (got {})",
            self.messages().len()
        );
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, received: Arc<Mutex<Vec<Vec<u8>>>>, mode: Mode) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let received = received.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read);
            let _ = write.write_all(b"220 sink ESMTP ready\r\n").await;
            let mut line = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                let upper = line.to_ascii_uppercase();
                let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                    b"250-sink\r\n250 8BITMIME\r\n"
                } else if upper.starts_with("RCPT") && mode == Mode::Reject {
                    b"550 5.1.1 no such mailbox\r\n"
                } else if upper.starts_with("DATA") {
                    let _ = write.write_all(b"354 go ahead\r\n").await;
                    let mut data = Vec::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if line == ".\r\n" || line == ".\n" {
                            break;
                        }
                        let l = line
                            .strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line);
                        data.extend_from_slice(l.as_bytes());
                    }
                    received.lock().expect("lock").push(data);
                    b"250 2.0.0 queued\r\n"
                } else if upper.starts_with("QUIT") {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    return;
                } else {
                    b"250 ok\r\n"
                };
                if write.write_all(reply).await.is_err() {
                    return;
                }
            }
        });
    }
}
