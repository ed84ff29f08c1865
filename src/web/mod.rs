//! The transport every flow shares, knowing no flow: how
//! inputs are read, JSON written the way the original Flask service wrote
//! it, one error type, the session guard, browser protections, the page
//! frame, the catchers, and the start of the service.

pub mod browser;
pub mod catchers;
pub mod client;
pub mod device;
pub mod error;
pub mod fields;
pub mod form;
pub mod input;
pub mod json;
pub mod language;
pub mod logging;
pub mod metrics;
pub mod page;
pub mod security;
pub mod session;
pub mod startup;
pub mod values;

pub use browser::for_browsers;
pub use error::Error;
pub use input::{Input, JsonInput};
pub use json::FlaskJson;
pub use page::{Notice, Page};
pub use security::SameOrigin;
pub use session::CurrentUser;
