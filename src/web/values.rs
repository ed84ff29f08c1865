//! The typed values a field is read into (an email address, a password, a
//! one-time code...), each by its own `parse`, whose refusal completes the
//! field's name; and [`Optional`], a field that may be left out but not
//! malformed.

use rocket::form::error::ErrorKind;
use rocket::form::{self, DataField, FromForm, FromFormField, ValueField};

use crate::auth::{Email, OneTimeCode, PasskeyName, Password, ResetToken, TotpCode};

/// A field that may be left out, but not malformed (Rocket's `Option`
/// would take a malformed value for none).
#[derive(Debug)]
pub struct Optional<T>(pub Option<T>);

impl<T> Optional<T> {
    /// The value, if one was given.
    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

/// Each type read from a field by its own `parse`, whose refusal completes
/// the field's name (see [`parsed`]). A macro because a blanket
/// `impl<T: Parse> FromFormField for T` is refused by coherence (Rocket owns
/// the trait and implements it for foreign types already): one impl per
/// type it must be.
macro_rules! parsed_fields {
    ($($kind:ty),+) => {$(
        impl<'v> FromFormField<'v> for $kind {
            fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
                parsed(field, <$kind>::parse)
            }
        }
    )+};
}

parsed_fields!(
    Email,
    Password,
    ResetToken,
    PasskeyName,
    TotpCode,
    OneTimeCode
);

/// A field read as `T`'s, where its absence (and only its absence) is no
/// value.
#[rocket::async_trait]
impl<'v, T: FromForm<'v>> FromForm<'v> for Optional<T> {
    type Context = T::Context;

    fn init(_: form::Options) -> Self::Context {
        T::init(form::Options::Strict)
    }

    fn push_value(context: &mut Self::Context, field: ValueField<'v>) {
        T::push_value(context, field)
    }

    async fn push_data(context: &mut Self::Context, field: DataField<'v, '_>) {
        T::push_data(context, field).await
    }

    fn finalize(context: Self::Context) -> form::Result<'v, Self> {
        match T::finalize(context) {
            Ok(value) => Ok(Optional(Some(value))),
            Err(errors) if errors.iter().all(|error| error.kind == ErrorKind::Missing) => {
                Ok(Optional(None))
            }
            Err(errors) => Err(errors),
        }
    }
}

/// A field's value read by `parse`, whose refusal completes the field's
/// name ("email" + "is not a valid email address").
fn parsed<'v, T>(
    field: ValueField<'v>,
    parse: fn(&str) -> Result<T, &'static str>,
) -> form::Result<'v, T> {
    parse(field.value).map_err(|reason| form::Error::validation(reason).into())
}
