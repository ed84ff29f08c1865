//! Mail: letters rendered from `templates/mail/`, sealed while they wait in
//! the outbox, and a background sender that delivers them over SMTP (or
//! writes them to the log when no SMTP server is configured).
//!
//! [`Mailer`] is what `Auth` uses: it turns a [`Letter`] into a sealed
//! outbox row, to write in the same transaction as the token it carries,
//! and wakes the [`Sender`]. The sender talks to `DB` like `Auth` does.

mod compose;
mod sender;
mod transport;

use std::sync::Arc;

use tokio::sync::Notify;

pub use compose::{Composer, Letter};
pub use sender::Sender;
pub use transport::Transport;

use crate::db::NewMail;
use crate::seal::Sealer;
use crate::user::User;

/// The purpose of the key that seals the outbox.
pub const OUTBOX_KEY: &[u8] = b"auth-service/outbox/v1";

/// Composes and seals mails for the outbox, and wakes the sender.
pub struct Mailer {
    composer: Composer,
    sealer: Arc<Sealer>,
    wake: Arc<Notify>,
    paths: LinkPaths,
}

/// The paths (with query) that mails link to, for a token: the web layer
/// knows its routes, and gives them here.
#[derive(Debug, Clone, Copy)]
pub struct LinkPaths {
    /// Where a reset link leads.
    pub reset_password: fn(&str) -> String,
    /// Where a verification link (or the link that confirms a change of
    /// address) leads.
    pub verify_email: fn(&str) -> String,
    /// Where the link that cancels a change of address leads.
    pub cancel_email_change: fn(&str) -> String,
}

impl Mailer {
    /// A mailer rendering with `composer`, sealing with `sealer`, linking
    /// to `paths`, waking whoever waits on `wake`.
    pub fn new(
        composer: Composer,
        sealer: Arc<Sealer>,
        wake: Arc<Notify>,
        paths: LinkPaths,
    ) -> Self {
        Mailer {
            composer,
            sealer,
            wake,
            paths,
        }
    }

    /// The link that sets a new password with reset token `token`.
    pub fn reset_link(&self, token: &str) -> String {
        self.composer.link(&(self.paths.reset_password)(token))
    }

    /// The link that verifies an address with verification token `token`.
    pub fn verify_link(&self, token: &str) -> String {
        self.composer.link(&(self.paths.verify_email)(token))
    }

    /// The link that cancels a change of address with token `token`.
    pub fn cancel_email_change_link(&self, token: &str) -> String {
        self.composer.link(&(self.paths.cancel_email_change)(token))
    }

    /// `letter` to `to` about `user`'s account, in the user's language, as
    /// an outbox row, due at `now`; `None` (logged) when it cannot be
    /// written, so that a request never fails for a mail.
    pub fn letter(&self, user: &User, to: &str, letter: &Letter<'_>, now: i64) -> Option<NewMail> {
        match self.composer.compose(to, letter, user.language) {
            Ok(message) => Some(NewMail {
                user_id: Some(user.id.0),
                recipient: to.to_owned(),
                message: self.sealer.seal(to, &message),
                next_attempt_at: now,
                created_at: now,
            }),
            Err(error) => {
                log::error!("cannot write a mail to {to:?}: {error}");
                None
            }
        }
    }

    /// Wakes the sender: a mail is waiting.
    pub fn posted(&self) {
        self.wake.notify_one();
    }
}
