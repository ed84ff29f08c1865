//! A real SMTP server on loopback for the tests: it speaks enough of RFC
//! 5321 for lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every
//! message it accepts, and refuses the recipients it is told to (550).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A message the sink accepted.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, dot-unstuffed.
    pub data: String,
}

impl Received {
    /// The message with quoted-printable soft breaks and escapes undone, as
    /// a mail reader shows its parts.
    pub fn decoded(&self) -> String {
        decode_quoted_printable(&self.data)
    }

    /// The first link in the message to `path` on any site (the text part
    /// comes first).
    pub fn link(&self, path: &str) -> Option<String> {
        let text = self.decoded();
        let start = text.find(&format!("{path}?"))?;
        let start = text[..start].rfind("http")?;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .map_or(text.len(), |end| start + end);
        Some(text[start..end].to_owned())
    }

    /// The token of the first link to `path` (its `token=` parameter).
    pub fn token(&self, path: &str) -> Option<String> {
        let link = self.link(path)?;
        Some(link.rsplit_once("token=")?.1.to_owned())
    }

    /// The subject.
    pub fn subject(&self) -> Option<&str> {
        self.data
            .lines()
            .find_map(|line| line.strip_prefix("Subject: "))
    }
}

/// The sink: its port, and what it received.
pub struct SmtpSink {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// A sink on a free port, accepting every recipient.
    pub fn start() -> SmtpSink {
        SmtpSink::listen(TcpListener::bind("127.0.0.1:0").expect("a free port"), &[])
    }

    /// A sink on `port` (a port where no server answered until now).
    pub fn on_port(port: u16) -> SmtpSink {
        SmtpSink::listen(
            TcpListener::bind(("127.0.0.1", port)).expect("the port"),
            &[],
        )
    }

    /// A sink that refuses `refused` recipients with 550.
    pub fn refusing(refused: &[&str]) -> SmtpSink {
        SmtpSink::listen(
            TcpListener::bind("127.0.0.1:0").expect("a free port"),
            refused,
        )
    }

    fn listen(listener: TcpListener, refused: &[&str]) -> SmtpSink {
        let port = listener.local_addr().expect("an address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let (store, refused) = (
            received.clone(),
            Arc::new(refused.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
        );
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (store, refused) = (store.clone(), refused.clone());
                thread::spawn(move || converse(stream, &store, &refused));
            }
        });
        SmtpSink { port, received }
    }

    /// The `smtp_url` that sends here.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The messages to `address` once `count` of them arrived (at most 30 s).
    pub fn wait_for(&self, address: &str, count: usize) -> Vec<Received> {
        self.wait_until(address, &format!("{count} mail(s)"), |mails| {
            (mails.len() >= count).then(|| mails.to_vec())
        })
    }

    /// Waits (at most 30 s) for the mail to `address` whose subject is
    /// `subject`: mails sent together may arrive in any order.
    pub fn wait_for_subject(&self, address: &str, subject: &str) -> Received {
        self.wait_until(address, subject, |mails| {
            let mut found = mails.iter().filter(|mail| mail.subject() == Some(subject));
            found.next().cloned()
        })
    }

    /// Waits (at most 30 s) until `found` finds what `expected` describes
    /// among the mails to `address`.
    pub fn wait_until<T>(
        &self,
        address: &str,
        expected: &str,
        found: impl Fn(&[Received]) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails: Vec<Received> = self
                .received()
                .into_iter()
                .filter(|mail| mail.to.iter().any(|to| to == address))
                .collect();
            if let Some(found) = found(&mails) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "{expected} to {address} expected; received: {:?}",
                self.received()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One SMTP conversation.
fn converse(
    stream: TcpStream,
    store: &Mutex<Vec<Received>>,
    refused: &[String],
) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut current = Received::default();
    writer.write_all(b"220 sink.test ESMTP\r\n")?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end();
        let verb = command.get(..4).unwrap_or(command).to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" => b"250 sink.test\r\n",
            "MAIL" => {
                current = Received {
                    from: address(command),
                    ..Received::default()
                };
                b"250 2.1.0 ok\r\n"
            }
            "RCPT" => {
                let to = address(command);
                if refused.contains(&to) {
                    b"550 5.1.1 no such mailbox\r\n"
                } else {
                    current.to.push(to);
                    b"250 2.1.5 ok\r\n"
                }
            }
            "DATA" => {
                writer.write_all(b"354 end with <CRLF>.<CRLF>\r\n")?;
                let mut data = String::new();
                loop {
                    let mut data_line = String::new();
                    if reader.read_line(&mut data_line)? == 0 {
                        return Ok(());
                    }
                    if data_line == ".\r\n" {
                        break;
                    }
                    data.push_str(data_line.strip_prefix('.').unwrap_or(&data_line));
                }
                current.data = data;
                store.lock().unwrap().push(std::mem::take(&mut current));
                b"250 2.0.0 queued\r\n"
            }
            "RSET" => {
                current = Received::default();
                b"250 ok\r\n"
            }
            "NOOP" => b"250 ok\r\n",
            "QUIT" => {
                writer.write_all(b"221 bye\r\n")?;
                return Ok(());
            }
            _ => b"502 5.5.2 not implemented\r\n",
        };
        writer.write_all(reply)?;
    }
}

/// The address of `MAIL FROM:<a@b>` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    let argument = command.split_once(':').map_or("", |(_, rest)| rest.trim());
    let argument = argument.split_whitespace().next().unwrap_or_default();
    argument
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned()
}

/// `text` with quoted-printable soft line breaks and `=XX` escapes undone.
fn decode_quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let mut bytes = Vec::with_capacity(joined.len());
    let mut rest = joined.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let escaped = (byte == b'=')
            .then(|| tail.get(..2))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(decoded) => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            None => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
