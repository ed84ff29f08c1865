//! How mails leave: SMTP through lettre (rustls, no OpenSSL), or, with no
//! `mail.smtp_url`, standard error, whole, as Django's console backend does.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::Error as SmtpError;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How long one SMTP exchange may take before it counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Where mails go.
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
}

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The server refused it for good (5xx): trying again is useless.
    Permanent(String),
    /// A 4xx answer: try again later.
    Transient(String),
    /// No answer (server down, refused connection, timeout, TLS failure):
    /// no mail gets through now.
    Unreachable(String),
}

impl Transport {
    /// SMTP to `mail.smtp_url` (lettre's URL form), or the log without one. Call
    /// it within the Tokio runtime: the SMTP connection pool runs on it.
    pub fn new(smtp_url: Option<&str>) -> Result<Self, String> {
        let Some(url) = smtp_url else {
            return Ok(Transport::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| format!("mail.smtp_url: {error}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Transport::Smtp(transport))
    }

    /// Sends `message` (RFC 5322 bytes) from `from` to `to`.
    pub async fn send(&self, from: &Address, to: &str, message: &[u8]) -> Result<(), SendError> {
        let recipient: Address = to
            .parse()
            .map_err(|error| SendError::Permanent(format!("not an address: {error}")))?;
        match self {
            Transport::Smtp(smtp) => {
                let envelope = Envelope::new(Some(from.clone()), vec![recipient])
                    .map_err(|error| SendError::Permanent(error.to_string()))?;
                smtp.send_raw(&envelope, message)
                    .await
                    .map(drop)
                    .map_err(classify)
            }
            Transport::Log => {
                // On standard error, whatever the log level: a developer
                // without Rocket.toml (whose release level is critical)
                // sees the links too.
                eprintln!(
                    "mail to {to:?} (mail.smtp_url is not set, so it is logged instead of sent):\n{}",
                    String::from_utf8_lossy(message)
                );
                Ok(())
            }
        }
    }
}

/// A 5xx answer is permanent, a 4xx one transient; anything else means the
/// server could not be reached.
fn classify(error: SmtpError) -> SendError {
    if error.is_permanent() {
        SendError::Permanent(error.to_string())
    } else if error.is_transient() {
        SendError::Transient(error.to_string())
    } else {
        SendError::Unreachable(error.to_string())
    }
}
