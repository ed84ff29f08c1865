//! The languages pages and mails speak, English and French: every word a
//! person reads comes from the Project Fluent catalogues of `locales/`
//! (`locales/<language>/*.ftl`, built into the binary). A [`Text`] is what
//! to say, a catalogue key with its values; a [`Language`] says it. The
//! JSON API is not translated: its messages are part of its contract.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, Loader};
use serde::{Deserialize, Serialize};
use unic_langid::LanguageIdentifier;

static_loader! {
    static CATALOGUES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around values: they would show in
        // mails' plain text and in the values of HTML attributes.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the service speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English, the language of a client that states no other.
    #[default]
    En,
    /// French.
    Fr,
}

impl Language {
    /// Every language, in the order the language switch lists them.
    pub const ALL: [Language; 2] = [Language::En, Language::Fr];

    /// Its tag, as `<html lang>`, the language cookie and the database
    /// say it (`"en"`, `"fr"`).
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    /// The language of `tag` ("fr", "fr-CA", "FR"), if the service speaks
    /// it: a regional variant reads as its language.
    pub fn of(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Language::ALL
            .into_iter()
            .find(|language| language.code().eq_ignore_ascii_case(primary))
    }

    /// The language to answer a client whose `Accept-Language` header is
    /// `header`: the one it weighs highest among those spoken here (its
    /// first, on a tie), or English.
    pub fn negotiate(header: &str) -> Language {
        let mut best: Option<(Language, f32)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default();
            let weight = parts
                .find_map(|parameter| parameter.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            let (Some(language), Some(weight)) = (Language::of(tag), weight) else {
                continue;
            };
            if weight > 0.0 && best.is_none_or(|(_, highest)| weight > highest) {
                best = Some((language, weight));
            }
        }
        best.map_or_else(Language::default, |(language, _)| language)
    }

    /// `text` in this language (English where its catalogue lacks it); its
    /// key where no catalogue holds it. Tests see that every key used is
    /// in every catalogue.
    pub fn say(self, text: &Text) -> String {
        let arguments: HashMap<Cow<'static, str>, FluentValue<'_>> = text
            .arguments
            .iter()
            .map(|(name, value)| (Cow::Owned(name.clone()), value.fluent(self)))
            .collect();
        CATALOGUES
            .try_lookup_with_args(&self.identifier(), &text.key, &arguments)
            .unwrap_or_else(|| text.key.to_string())
    }

    /// The message `key`, which takes no value, in this language.
    pub fn word(self, key: &'static str) -> String {
        self.say(&Text::new(key))
    }

    /// `seconds` in words: "1 hour", "3 days", "90 seconds" ("3 jours"...).
    pub fn duration(self, seconds: u64) -> String {
        let (count, unit) = match seconds {
            s if s >= 86_400 && s % 86_400 == 0 => (s / 86_400, "duration-days"),
            s if s >= 3_600 && s % 3_600 == 0 => (s / 3_600, "duration-hours"),
            s if s >= 60 && s % 60 == 0 => (s / 60, "duration-minutes"),
            s => (s, "duration-seconds"),
        };
        self.say(&Text::new(unit).number("count", count))
    }

    fn identifier(self) -> LanguageIdentifier {
        match self {
            Language::En => unic_langid::langid!("en"),
            Language::Fr => unic_langid::langid!("fr"),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// What to say: a key of the catalogues, with the values its message
/// names. It travels as JSON where it must wait (a notice for the next
/// page), so that it is said in the language of the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    key: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    arguments: Vec<(String, Value)>,
}

/// A value a message names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
enum Value {
    Number(u64),
    Words(String),
    /// Seconds, said in words ("2 hours") in the message's language.
    Duration {
        seconds: u64,
    },
    /// Another message of the catalogues, with its own values, said in
    /// the same language ("Email", "Firefox on Linux").
    Text(Text),
}

impl Value {
    fn fluent(&self, language: Language) -> FluentValue<'_> {
        match self {
            Value::Number(number) => FluentValue::from(*number),
            Value::Words(words) => FluentValue::from(words.as_str()),
            Value::Duration { seconds } => FluentValue::from(language.duration(*seconds)),
            Value::Text(text) => FluentValue::from(language.say(text)),
        }
    }
}

impl Text {
    /// The message `key`.
    pub fn new(key: &'static str) -> Self {
        Text {
            key: Cow::Borrowed(key),
            arguments: Vec::new(),
        }
    }

    /// The same message, with `value` for its `$name`.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.arguments
            .push((name.to_owned(), Value::Words(value.into())));
        self
    }

    /// The same message, with the number `value` for its `$name` (which
    /// may choose a plural).
    pub fn number(mut self, name: &str, value: u64) -> Self {
        self.arguments.push((name.to_owned(), Value::Number(value)));
        self
    }

    /// The same message, with `seconds` in words for its `$name`.
    pub fn duration(mut self, name: &str, seconds: u64) -> Self {
        let value = Value::Duration { seconds };
        self.arguments.push((name.to_owned(), value));
        self
    }

    /// The same message, with the message `key` (which takes no value)
    /// for its `$name`.
    pub fn word(self, name: &str, key: &'static str) -> Self {
        self.text(name, Text::new(key))
    }

    /// The same message, with the message `text`, said in the same
    /// language, for its `$name`.
    pub fn text(mut self, name: &str, text: Text) -> Self {
        self.arguments.push((name.to_owned(), Value::Text(text)));
        self
    }

    /// Its key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The Tera function `fluent(key="...", lang=lang, name=value...)`: the
/// message `key` of the catalogues in `lang`, its other arguments as the
/// message's values (by their names as written). An unknown key or
/// language fails the rendering, so that a test sees it.
pub struct Fluent;

impl tera::Function for Fluent {
    fn call(&self, arguments: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        let language = arguments
            .get("lang")
            .and_then(tera::Value::as_str)
            .and_then(Language::of)
            .ok_or("fluent: lang is not a language spoken here")?;
        let key = arguments
            .get("key")
            .and_then(tera::Value::as_str)
            .ok_or("fluent: no key")?;
        let mut values: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        for (name, value) in arguments {
            let value = match value {
                _ if name == "lang" || name == "key" => continue,
                tera::Value::Number(number) => match number.as_u64() {
                    Some(whole) => FluentValue::from(whole),
                    None => FluentValue::from(number.as_f64().unwrap_or_default()),
                },
                tera::Value::String(words) => FluentValue::from(words.as_str()),
                other => FluentValue::from(other.to_string()),
            };
            values.insert(Cow::Owned(name.clone()), value);
        }
        CATALOGUES
            .try_lookup_with_args(&language.identifier(), key, &values)
            .map(tera::Value::String)
            .ok_or_else(|| format!("fluent: no message {key:?} in the {language} catalogue").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_weighted_language_spoken_here_wins() {
        assert_eq!(
            Language::negotiate("fr-CH, fr;q=0.9, en;q=0.8"),
            Language::Fr
        );
        assert_eq!(Language::negotiate("de, en;q=0.5, fr;q=0.7"), Language::Fr);
        assert_eq!(Language::negotiate("en-GB,en;q=0.9,fr;q=0.8"), Language::En);
        assert_eq!(Language::negotiate("fr;q=0, en;q=0.1"), Language::En);
        assert_eq!(Language::negotiate("de-DE"), Language::En);
        assert_eq!(Language::negotiate(""), Language::En);
        assert_eq!(Language::negotiate("fr;q=bogus"), Language::En);
        assert_eq!(Language::negotiate("*"), Language::En);
    }

    #[test]
    fn durations_read_as_words_in_each_language() {
        assert_eq!(Language::En.duration(3600), "1 hour");
        assert_eq!(Language::En.duration(3 * 86_400), "3 days");
        assert_eq!(Language::En.duration(90), "90 seconds");
        assert_eq!(Language::En.duration(120), "2 minutes");
        assert_eq!(Language::En.duration(1), "1 second");
        assert_eq!(Language::Fr.duration(3600), "1 heure");
        assert_eq!(Language::Fr.duration(3 * 86_400), "3 jours");
    }

    #[test]
    fn a_text_keeps_its_values_through_json() {
        let text = Text::new("duration-days").number("count", 2);
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), text);
        assert_eq!(Language::En.say(&text), "2 days");

        let device = Text::new("device-on")
            .with("browser", "Firefox")
            .with("os", "Linux");
        let notice = Text::new("notice-session-ended-just-now")
            .text("device", device)
            .word("address", "address-unknown");
        let json = serde_json::to_string(&notice).unwrap();
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), notice);
        assert_eq!(
            Language::Fr.say(&notice),
            "Session sur Firefox sous Linux depuis une adresse inconnue, active à l’instant, terminée."
        );
    }
}
