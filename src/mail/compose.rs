//! Letters, rendered from the Tera templates of `templates/mail/`: for each
//! kind, a folder with `subject.txt.tera`, `text.txt.tera` and
//! `html.html.tera` (which extends `mail/base`), sent as
//! multipart/alternative. Every value is escaped in the HTML part. A mail
//! speaks its recipient's language: its words are the `mail-` messages of
//! the catalogues (`fluent(key=..., lang=lang)`, as in the pages).
//!
//! The templates are named as Rocket's template engine names them
//! (`mail/reset_link/html`), since it loads the same folder for the pages:
//! `{% extends "mail/base" %}` resolves in both.

use std::path::{Path, PathBuf};

use lettre::message::{Mailbox, MultiPart};
use lettre::Address;
use lettre::Message;
use tera::{Context, Tera};

use crate::language::{Fluent, Language, Text};

/// What a mail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Letter<'a> {
    /// A link to choose a new password, and how long it works (seconds).
    ResetLink { link: &'a str, valid_for: u64 },
    /// The account's password was changed; the names of the passkeys that
    /// still sign in, which a new password does not end.
    PasswordChanged { passkeys: &'a [String] },
    /// A link to confirm the address, and how long it works (seconds).
    VerifyEmail { link: &'a str, valid_for: u64 },
    /// A link to confirm a new address for an existing account (to the
    /// new address), and how long it works (seconds).
    ConfirmNewEmail { link: &'a str, valid_for: u64 },
    /// A change of the account's address to `new` was asked, with the link
    /// that cancels it (to the old address).
    EmailChangeAsked { new: &'a str, cancel_link: &'a str },
    /// The account's address was changed to `new` (to the old one).
    EmailChanged { new: &'a str },
    /// A login from a device the account had not used (what to say of
    /// it), from `address` (if known).
    NewDevice {
        device: Text,
        address: Option<String>,
    },
    /// Two-factor sign-in was turned on.
    TwoFactorOn,
    /// Two-factor sign-in was turned off.
    TwoFactorOff,
    /// A passkey named `name` was added.
    PasskeyAdded { name: &'a str },
    /// The passkey named `name` was removed.
    PasskeyRemoved { name: &'a str },
}

impl Letter<'_> {
    /// The name of its templates.
    fn kind(&self) -> &'static str {
        match self {
            Letter::ResetLink { .. } => "reset_link",
            Letter::PasswordChanged { .. } => "password_changed",
            Letter::VerifyEmail { .. } => "verify_email",
            Letter::ConfirmNewEmail { .. } => "confirm_new_email",
            Letter::EmailChangeAsked { .. } => "email_change_asked",
            Letter::EmailChanged { .. } => "email_changed",
            Letter::NewDevice { .. } => "new_device",
            Letter::TwoFactorOn => "two_factor_on",
            Letter::TwoFactorOff => "two_factor_off",
            Letter::PasskeyAdded { .. } => "passkey_added",
            Letter::PasskeyRemoved { .. } => "passkey_removed",
        }
    }

    /// What its templates show, besides the recipient and the site, in
    /// `language`.
    fn fill(&self, context: &mut Context, language: Language) {
        match self {
            Letter::ResetLink { link, valid_for }
            | Letter::VerifyEmail { link, valid_for }
            | Letter::ConfirmNewEmail { link, valid_for } => {
                context.insert("link", link);
                context.insert("valid_for", &language.duration(*valid_for));
            }
            Letter::EmailChangeAsked { new, cancel_link } => {
                context.insert("new_email", new);
                context.insert("link", cancel_link);
            }
            Letter::EmailChanged { new } => context.insert("new_email", new),
            Letter::PasskeyAdded { name } | Letter::PasskeyRemoved { name } => {
                context.insert("passkey", name)
            }
            Letter::NewDevice { device, address } => {
                context.insert("device", &language.say(device));
                let unknown = || language.word("address-unknown");
                context.insert("address", &address.clone().unwrap_or_else(unknown));
            }
            Letter::PasswordChanged { passkeys } => context.insert("passkeys", passkeys),
            Letter::TwoFactorOn | Letter::TwoFactorOff => {}
        }
    }
}

/// Renders letters into RFC 5322 messages.
pub struct Composer {
    tera: Tera,
    from: Mailbox,
    public_url: String,
    site_name: String,
}

impl Composer {
    /// A composer with the templates of `template_dir/mail`, sending as
    /// `from`, linking to `public_url`, naming the site `site_name`.
    pub fn new(
        template_dir: &Path,
        from: &str,
        public_url: &str,
        site_name: &str,
    ) -> Result<Self, String> {
        let folder = template_dir.join("mail");
        let files = template_files(&folder)
            .map_err(|error| format!("mail templates in {}: {error}", folder.display()))?;
        let named = files.into_iter().map(|path| {
            let name = engine_name(template_dir, &path);
            (path, Some(name))
        });
        let mut tera = Tera::default();
        // By file path: every value shown in an HTML part is escaped.
        tera.autoescape_on(vec![".html.tera"]);
        tera.register_function("fluent", Fluent);
        tera.add_template_files(named)
            .map_err(|error| format!("mail templates in {}: {error:?}", folder.display()))?;
        let from = from
            .parse()
            .map_err(|error| format!("mail.from: {error}"))?;
        Ok(Composer {
            tera,
            from,
            public_url: public_url.to_owned(),
            site_name: site_name.to_owned(),
        })
    }

    /// The link to `path_and_query` on this service.
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.public_url)
    }

    /// `letter` to `to`, in `language`, as the bytes of a
    /// multipart/alternative message.
    pub fn compose(
        &self,
        to: &str,
        letter: &Letter<'_>,
        language: Language,
    ) -> Result<Vec<u8>, String> {
        let mut context = Context::new();
        context.insert("email", to);
        context.insert("site", &self.public_url);
        context.insert("site_name", &self.site_name);
        context.insert("lang", &language);
        letter.fill(&mut context, language);
        let render = |part: &str| {
            let name = format!("mail/{}/{part}", letter.kind());
            self.tera
                .render(&name, &context)
                .map_err(|error| format!("{name}: {error:?}"))
        };
        let subject = render("subject")?;
        let (text, html) = (render("text")?, render("html")?);
        // A plain address, never read as "Name <address>".
        let to: Address = to
            .parse()
            .map_err(|error| format!("not an address: {error}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(subject.trim())
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|error| error.to_string())?;
        Ok(message.formatted())
    }
}

/// Every `.tera` file below `folder`.
fn template_files(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![folder.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "tera")
            {
                files.push(path);
            }
        }
    }
    Ok(files)
}

/// The name Rocket's template engine gives the template at `path`: its
/// path below `template_dir`, without its two extensions
/// (`mail/reset_link/html.html.tera` is `mail/reset_link/html`).
fn engine_name(template_dir: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(template_dir).unwrap_or(path);
    let name = relative.with_extension("").with_extension("");
    name.to_string_lossy().into_owned()
}
