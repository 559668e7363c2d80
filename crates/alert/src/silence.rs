//! Silences: user-owned, time-boxed matchers with an author and a comment.
//! An alert that every matcher of an active silence matches is not sent
//! (it is recorded as silenced, with the silence's id).

use crate::matcher::Matchers;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Silence {
    pub id: i64,
    pub matchers: Matchers,
    pub starts_us: i64,
    pub ends_us: i64,
    pub created_by: String,
    pub comment: String,
    pub created_us: i64,
}

impl Silence {
    pub fn state(&self, now_us: i64) -> &'static str {
        if now_us < self.starts_us {
            "pending"
        } else if now_us < self.ends_us {
            "active"
        } else {
            "expired"
        }
    }

    pub fn mutes(&self, labels: &crate::Labels, now_us: i64) -> bool {
        self.state(now_us) == "active" && !self.matchers.is_empty() && self.matchers.matches(labels)
    }
}
