//! Authentication: argon2id passwords, browser sessions, API tokens, CSRF, and login
//! throttling. Handlers never touch cookies or hashes themselves; they take a [`CurrentUser`]
//! (API) or [`ui::UiUser`](crate::ui) extractor and call [`login`].

pub mod csrf;
pub mod extract;
pub mod password;
pub mod secret_token;
pub mod session;
pub mod throttle;

pub use extract::{Authenticated, CurrentUser, Via};
pub use throttle::login;
