//! What a person sees on the pages, at a laptop's width and a phone's, in
//! English and in French where the point is about words: the language
//! switch, refused forms that keep the person's work, a reset link that no
//! longer works, the account page on a phone, Back after a refused form
//! and after the recovery codes. The DOM says what a
//! screenshot cannot: the page's language, the focus, the address bar,
//! sizes.

use auth_service::language::{Language, Text};
use fantoccini::Locator;
use serde_json::{json, Value};

use super::{in_chromium, Person, EMAIL, PASSWORD, WIDTHS};
use crate::support::smtp::SmtpSink;

/// What the pages say in one language, as `locales/<code>/` has it.
struct Words {
    /// `<html lang>`, and the value of its button in the footer's switch.
    language: Language,
    login_heading: &'static str,
    log_in: &'static str,
    register_heading: &'static str,
    register: &'static str,
    your_account: &'static str,
    log_out: &'static str,
    not_an_email: &'static str,
    too_short: &'static str,
    password_rules: &'static str,
    wrong_credentials: &'static str,
    link_no_longer_works: &'static str,
    send_link_again: &'static str,
    link_held_back: &'static str,
}

const ENGLISH: Words = Words {
    language: Language::En,
    login_heading: "Log in",
    log_in: "Log in",
    register_heading: "Create an account",
    register: "Register",
    your_account: "Your account",
    log_out: "Log out",
    not_an_email: "Email is not a valid email address.",
    too_short: "Password must be at least 8 characters.",
    password_rules: "At least 8 characters. Not a common password, and not your email address.",
    wrong_credentials: "Wrong email or password.",
    link_no_longer_works: "This link no longer works",
    send_link_again: "Send the link again",
    link_held_back: "We could not send another link yet: one went out a moment ago. Try again \
                     in 1 minute.",
};

const FRENCH: Words = Words {
    language: Language::Fr,
    login_heading: "Connexion",
    log_in: "Se connecter",
    register_heading: "Créer un compte",
    register: "Créer mon compte",
    your_account: "Votre compte",
    log_out: "Déconnexion",
    not_an_email: "Adresse e-mail : ce n’est pas une adresse e-mail valide.",
    too_short: "Mot de passe : au moins 8 caractères.",
    password_rules: "Au moins 8 caractères. Pas un mot de passe courant, ni votre adresse e-mail.",
    wrong_credentials: "Adresse e-mail ou mot de passe incorrect.",
    link_no_longer_works: "Ce lien ne fonctionne plus",
    send_link_again: "Renvoyer le lien",
    // As the browser writes the page out: a no-break space is `&nbsp;`.
    link_held_back: "Nous ne pouvons pas encore envoyer un autre lien&nbsp;: un lien vient de \
                     partir. Réessayez dans 1 minute.",
};

const LANGUAGES: [&Words; 2] = [&ENGLISH, &FRENCH];

impl Person<'_> {
    /// Makes the page `width` CSS px wide, and checks that it is.
    async fn at_width(&self, width: u32) {
        let resized = self.browser.set_window_size(width, 900).await;
        resized.expect("the window resizes");
        let inner = self.script("return window.innerWidth").await;
        assert_eq!(inner, json!(width), "the page's width");
    }

    /// The address bar's path and query.
    async fn address(&self) -> String {
        let address = self.script("return location.pathname + location.search");
        address.await.as_str().expect("an address").to_owned()
    }

    /// Asserts that the page speaks `words`' language: `<html lang>`, its
    /// heading `heading`, and the footer's switch marking that language.
    async fn speaks(&self, words: &Words, heading: &str) {
        let lang = self.script("return document.documentElement.lang").await;
        assert_eq!(lang, json!(words.language.code()), "<html lang>");
        assert_eq!(self.heading().await, heading);
        let switch = self
            .script(
                "return [...document.querySelectorAll('footer button[name=lang]')]
                    .map(b => [b.value, b.textContent.trim(), b.getAttribute('aria-current')])",
            )
            .await;
        let current = |code| (code == words.language.code()).then_some("true");
        let expected = json!([
            ["en", "English", current("en")],
            ["fr", "Français", current("fr")],
        ]);
        assert_eq!(switch, expected, "the language switch");
    }

    /// The text of the element `id`, shown, which the `aria-describedby`
    /// of the field `field` names.
    async fn description(&self, field: &str, id: &str) -> String {
        let named = self.input(field).await.attr("aria-describedby").await;
        let named = named.expect("its attribute").unwrap_or_default();
        let named = named.split_whitespace().any(|name| name == id);
        assert!(named, "#{field} is not described by #{id}");
        let element = self.browser.find(Locator::Id(id)).await.expect("shown");
        assert!(element.is_displayed().await.expect("displayed?"), "#{id}");
        element.text().await.expect("its text")
    }

    /// What the field `id` holds.
    async fn value(&self, id: &str) -> String {
        let value = self.input(id).await.prop("value").await;
        value.expect("its value").unwrap_or_default()
    }

    /// Asserts that the form shown again keeps the address typed and not
    /// the password.
    async fn keeps_the_address_not_the_password(&self, address: &str) {
        assert_eq!(self.value("email").await, address, "the address typed");
        assert_eq!(self.value("password").await, "", "the password");
    }

    /// Reloads the page, which was a refused form come back, and asserts
    /// that it is `path`'s fresh form: nothing sent again, no error left.
    async fn reloads_a_fresh_form(&self, path: &str) {
        self.browser.refresh().await.expect("reloaded");
        self.waits_for(path).await;
        assert_eq!(self.address().await, path);
        assert_eq!(self.errors_shown().await, 0, "errors after a reload");
        assert_eq!(self.value("email").await, "", "the address after a reload");
    }

    /// How many errors the page shows: messages, and fields marked wrong.
    async fn errors_shown(&self) -> u64 {
        let errors =
            "return document.querySelectorAll('.error, #form-error, [aria-invalid]').length";
        self.script(errors).await.as_u64().expect("a count")
    }

    /// Goes Back in the history, and asserts that the browser shows a page
    /// of the service at `path` (its header, the person's language), not
    /// its own error for a page it may not load again (ERR_CACHE_MISS).
    async fn goes_back_to(&self, path: &str) {
        self.browser.back().await.expect("back");
        self.waits_for(path).await;
        let lang = self.script("return document.documentElement.lang").await;
        assert_eq!(lang, json!(self.language.code()), "<html lang> after Back");
        let header = self.header().await;
        let site = self.word("base-product-name");
        assert!(header.contains(&site), "the site's header: {header}");
    }

    /// On the page of new recovery codes: leaves it (Done) for the account
    /// page, then goes Back to it, which says they were shown once and
    /// shows them no more, and Back again to the page before them.
    async fn comes_back_to_the_codes(&mut self) {
        let codes = "<ul class=\"codes\">";
        self.sees("recovery-codes", &[codes], &[]).await;
        let done = self.word("recovery-codes-done");
        let done = self.browser.find(Locator::LinkText(&done)).await;
        done.expect("the link").click().await.expect("clicked");
        self.waits_for("/profile").await;
        self.goes_back_to("/profile/recovery_codes").await;
        let gone = self.says(&Text::new("recovery-codes-gone"));
        self.sees("recovery-codes-back", &[&gone], &[codes]).await;
        self.goes_back_to("/profile").await;
    }

    /// The `Log out` buttons of the page, each as whether it is in the
    /// header.
    async fn log_out_buttons(&self, words: &Words) -> Value {
        let script = "return [...document.querySelectorAll('button')]
            .filter(b => b.textContent.trim() === arguments[0]
                || b.getAttribute('aria-label') === arguments[0])
            .map(b => b.closest('header') !== null)";
        let buttons = self.browser.execute(script, vec![json!(words.log_out)]);
        buttons.await.expect("the buttons listed")
    }
}

/// The footer's switch turns the pages French and back, and the choice
/// stays from page to page (the `lang` cookie).
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_footer_switches_the_pages_to_french_and_the_choice_stays() {
    in_chromium("language-switch", &[], async |person| {
        for width in WIDTHS {
            person.at_width(width).await;
            person.open("/login").await;
            person.speaks(&ENGLISH, ENGLISH.login_heading).await;

            person.chooses(Language::Fr).await;
            assert_eq!(person.address().await, "/login", "back where it was chosen");
            person.speaks(&FRENCH, FRENCH.login_heading).await;
            let cookie = person.browser.get_named_cookie("lang").await;
            assert_eq!(cookie.expect("the lang cookie").value(), "fr");

            person.open("/register").await;
            person.speaks(&FRENCH, FRENCH.register_heading).await;
            person.sees("french-kept", &["Créer mon compte"], &[]).await;

            person.at_width(width).await;
            person.chooses(Language::En).await;
            person.speaks(&ENGLISH, ENGLISH.register_heading).await;
        }
    });
}

/// A browser that prefers French (its `Accept-Language`) gets French pages
/// without choosing; a choice in the footer wins over it.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_browser_preferring_french_gets_french_pages_until_english_is_chosen() {
    in_chromium("accept-language", &[], async |person| {
        // As Chromium's --accept-lang=fr would, in this browser already
        // started: its user agent unchanged.
        let agent = person.script("return navigator.userAgent").await;
        let prefers_french = json!({ "userAgent": agent, "acceptLanguage": "fr-FR,fr,en" });
        person
            .devtools("Emulation.setUserAgentOverride", prefers_french)
            .await;

        for width in WIDTHS {
            person.at_width(width).await;
            person.open("/login").await;
            person.speaks(&FRENCH, FRENCH.login_heading).await;
            let cookie = person.browser.get_named_cookie("lang").await;
            assert!(cookie.is_err(), "a language chosen: {cookie:?}");
        }
        person
            .sees("preferred-french", &["Se connecter"], &[])
            .await;

        person.chooses(Language::En).await;
        person.open("/register").await;
        person.speaks(&ENGLISH, ENGLISH.register_heading).await;
    });
}

/// A registration with a wrong address and a short password comes back to
/// `/register` with both errors, each beside its field, the password rules
/// still shown, the address kept and the focus on it; a reload shows the
/// fresh form, sending nothing again.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_refused_registration_shows_every_error_beside_its_field_and_keeps_the_address() {
    let typed = "grace.example.com";
    in_chromium("registration-refused", &[], async |person| {
        for words in LANGUAGES {
            person.reads(words.language).await;
            for width in WIDTHS {
                person.at_width(width).await;
                person.open("/register").await;
                person.fill("email", typed).await;
                person.fill("password", "short").await;
                person.click(words.register, "/register").await;

                assert_eq!(person.address().await, "/register");
                let email_error = person.description("email", "email-error").await;
                assert_eq!(email_error, words.not_an_email);
                let password_error = person.description("password", "password-error").await;
                assert_eq!(password_error, words.too_short);
                let rules = person.description("password", "password-hint").await;
                assert_eq!(rules, words.password_rules);
                person.keeps_the_address_not_the_password(typed).await;
                let focus = person.script("return document.activeElement.id").await;
                assert_eq!(focus, json!("email"), "the focus");
                person.sees("registration-refused", &[], &[]).await;

                person.reloads_a_fresh_form("/register").await;
            }
        }
    });
}

const WRONG_PASSWORD: &str = "not my password";

/// A wrong password comes back to `/login` saying so, the address kept; a
/// reload shows the fresh form.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_wrong_login_comes_back_to_the_login_page_with_the_address_kept() {
    in_chromium("login-refused", &[], async |person| {
        person.register().await;
        person.click("Log out", "/").await;
        // Four wrong passwords: under the five that hold the account back.
        for words in LANGUAGES {
            person.reads(words.language).await;
            for width in WIDTHS {
                person.at_width(width).await;
                person.open("/login").await;
                person.fill("email", EMAIL).await;
                person.fill("password", WRONG_PASSWORD).await;
                person.click(words.log_in, "/login").await;

                assert_eq!(person.address().await, "/login");
                let error = person.browser.find(Locator::Id("form-error")).await;
                let error = error.expect("the error").text().await.expect("its text");
                assert_eq!(error, words.wrong_credentials);
                person.keeps_the_address_not_the_password(EMAIL).await;
                person.sees("login-refused", &[], &[WRONG_PASSWORD]).await;

                person.reloads_a_fresh_form("/login").await;
            }
        }
    });
}

/// A reset link that no longer works (here one whose token was never
/// issued, as a used one is gone) says so, and its token leaves the
/// address bar.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn a_used_reset_link_says_it_no_longer_works_and_leaves_the_address_bar() {
    in_chromium("reset-link-used", &[], async |person| {
        for words in LANGUAGES {
            person.reads(words.language).await;
            for width in WIDTHS {
                person.at_width(width).await;
                person.open("/reset_password?token=not-a-token").await;
                assert_eq!(person.heading().await, words.link_no_longer_works);
                let href = person.script("return location.href").await;
                let href = href.as_str().expect("an address");
                assert!(!href.contains("token="), "the token in {href}");
                person.sees("reset-link-used", &[], &["not-a-token"]).await;
            }
        }
    });
}

/// On a phone, the account page has one Log out (in the header), does not
/// scroll sideways, and every target is 24 x 24 px at least; with each of
/// its sections opened too.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_account_page_fits_a_phone_with_one_log_out_and_large_enough_targets() {
    in_chromium("account-on-a-phone", &[], async |person| {
        person.register().await;
        for words in LANGUAGES {
            person.reads(words.language).await;
            for width in WIDTHS {
                person.at_width(width).await;
                person.open("/profile").await;
                assert_eq!(person.heading().await, words.your_account);
                let log_outs = person.log_out_buttons(words).await;
                assert_eq!(log_outs, json!([true]), "Log out buttons (in the header?)");
                let name = format!("account-{}-{width}", words.language);
                person.fits_its_width(&name).await;
                person.has_no_small_targets(&name).await;

                person
                    .script("document.querySelectorAll('details').forEach(d => d.open = true)")
                    .await;
                let name = format!("{name}-opened");
                person.fits_its_width(&name).await;
                person.has_no_small_targets(&name).await;
            }
            person.sees("account-opened", &[EMAIL], &[]).await;
        }
    });
}

/// `/profile/totp` typed in the address bar, with no setup under way, shows
/// the account page, in either language.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_two_factor_setup_address_typed_by_hand_shows_the_account_page() {
    in_chromium("two-factor-address", &[], async |person| {
        person.register().await;
        for words in LANGUAGES {
            person.reads(words.language).await;
            for width in WIDTHS {
                person.at_width(width).await;
                person.open("/profile/totp").await;
                person.waits_for("/profile").await;
                assert_eq!(person.address().await, "/profile");
                assert_eq!(person.heading().await, words.your_account);
            }
            let created = Text::new("notice-account-created").with("email", EMAIL);
            let created = person.says(&created);
            person.sees("account", &[EMAIL], &[&created]).await;
        }
    });
}

/// A notice says what happened, and only that, in the page's language:
/// "Send the link again" a moment after the registration's link says that
/// none could go out yet.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn the_account_page_says_when_no_link_could_go_out_yet() {
    in_chromium("link-held-back", &[], async |person| {
        person.register().await;
        for words in LANGUAGES {
            person.reads(words.language).await;
            for width in WIDTHS {
                person.at_width(width).await;
                person.open("/profile").await;
                person.click(words.send_link_again, "/profile").await;
                person
                    .sees("link-held-back", &[words.link_held_back], &[])
                    .await;
            }
        }
    });
}

/// Back from a refused registration (the form shown again with its
/// errors) lands on the form before it: a page of the service without
/// errors, never the browser's cache error.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn back_from_a_refused_registration_shows_the_form_before_it() {
    in_chromium("registration-refused-back", &[], async |person| {
        for words in LANGUAGES {
            person.reads(words.language).await;
            person.open("/register").await;
            person.fill("email", "grace.example.com").await;
            person.fill("password", "short").await;
            person.click(words.register, "/register").await;
            assert!(person.errors_shown().await > 0, "the errors");

            person.goes_back_to("/register").await;
            assert_eq!(person.heading().await, words.register_heading);
            assert_eq!(person.errors_shown().await, 0, "errors after Back");
            person.sees("register-after-back", &[], &[]).await;
        }
    });
}

/// Back to the recovery codes page, once left, says they were shown once,
/// and shows neither the codes nor the browser's cache error; Back again
/// shows the page before them. In English with the codes of the setup, in
/// French with new ones.
#[test]
#[ignore = "needs Chromium: apt-get install chromium chromium-driver, then --include-ignored"]
fn back_to_the_recovery_codes_says_they_were_shown_once() {
    let sink = SmtpSink::start();
    let smtp_url = sink.url();
    in_chromium(
        "recovery-codes-back",
        &[("ROCKET_MAIL__SMTP_URL", &smtp_url)],
        async |person| {
            person.register().await;
            person.confirms_address(&sink).await;
            let code_at = person.sets_up_two_factor().await;
            person.comes_back_to_the_codes().await;

            person.reads(Language::Fr).await;
            person.open("/profile").await;
            person
                .opens(&person.word("common-new-recovery-codes"))
                .await;
            person.fill("codes-password", PASSWORD).await;
            person.fill("codes-code", &code_at(0)).await;
            let make = person.word("profile-new-codes-submit");
            person.click(&make, "/profile/recovery_codes").await;
            person.comes_back_to_the_codes().await;
        },
    );
}
