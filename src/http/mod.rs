//! What the routes share: reading inputs, writing JSON the way the original
//! Flask service did, errors, and the session cookie.

pub mod browser;
pub mod error;
pub mod input;
pub mod json;
pub mod security;
pub mod session;

pub use browser::for_browsers;
pub use error::ApiError;
pub use input::Input;
pub use json::FlaskJson;
pub use security::SameOrigin;
pub use session::CurrentUser;
