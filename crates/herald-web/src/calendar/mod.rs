//! The content calendar's logic that the UI and the API share: which days a month, week or
//! list view covers in a workspace's time zone (weeks start per language, days DST-correct),
//! and moving a post to another time (drag and drop, the keyboard form, the API), which goes
//! through the store's `update_post` so the post's unsent deliveries follow at once.

pub mod grid;
pub mod reschedule;

pub use grid::{CalendarView, HourKind};
pub use reschedule::{reschedule, MoveError, MoveTo};
