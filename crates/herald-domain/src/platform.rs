//! The social platforms Herald publishes to, as one closed enum.
//!
//! Every per-platform table in the domain (text limits, media rules) matches on [`Platform`], so
//! adding a platform is a compile error everywhere a rule is missing. The wire name (`as_str`,
//! serde) is stable and lowercase; the display name is for people.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A platform a channel publishes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Vk,
    /// Odnoklassniki (ok.ru).
    Ok,
    Telegram,
    Bluesky,
    Mastodon,
    /// X, formerly Twitter.
    X,
    Threads,
    Instagram,
    /// A Facebook Page.
    Facebook,
    Linkedin,
    Youtube,
    Pinterest,
    Reddit,
    Tiktok,
}

impl Platform {
    pub const ALL: [Platform; 14] = [
        Platform::Vk,
        Platform::Ok,
        Platform::Telegram,
        Platform::Bluesky,
        Platform::Mastodon,
        Platform::X,
        Platform::Threads,
        Platform::Instagram,
        Platform::Facebook,
        Platform::Linkedin,
        Platform::Youtube,
        Platform::Pinterest,
        Platform::Reddit,
        Platform::Tiktok,
    ];

    /// The stable wire name, as stored and as accepted by the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Vk => "vk",
            Platform::Ok => "ok",
            Platform::Telegram => "telegram",
            Platform::Bluesky => "bluesky",
            Platform::Mastodon => "mastodon",
            Platform::X => "x",
            Platform::Threads => "threads",
            Platform::Instagram => "instagram",
            Platform::Facebook => "facebook",
            Platform::Linkedin => "linkedin",
            Platform::Youtube => "youtube",
            Platform::Pinterest => "pinterest",
            Platform::Reddit => "reddit",
            Platform::Tiktok => "tiktok",
        }
    }

    /// The name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Vk => "VK",
            Platform::Ok => "Odnoklassniki",
            Platform::Telegram => "Telegram",
            Platform::Bluesky => "Bluesky",
            Platform::Mastodon => "Mastodon",
            Platform::X => "X",
            Platform::Threads => "Threads",
            Platform::Instagram => "Instagram",
            Platform::Facebook => "Facebook",
            Platform::Linkedin => "LinkedIn",
            Platform::Youtube => "YouTube",
            Platform::Pinterest => "Pinterest",
            Platform::Reddit => "Reddit",
            Platform::Tiktok => "TikTok",
        }
    }

    /// Parses a wire name. Surrounding whitespace and ASCII case are ignored, so `" X "` is X;
    /// anything else is refused with the list of valid names.
    pub fn parse(s: &str) -> Result<Platform, DomainError> {
        let wanted = s.trim();
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
                DomainError::new(
                    "platform",
                    format!(
                        "unknown platform {wanted:?}; expected one of: {}",
                        names.join(", ")
                    ),
                )
            })
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Platform {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_exact() {
        let names: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "vk",
                "ok",
                "telegram",
                "bluesky",
                "mastodon",
                "x",
                "threads",
                "instagram",
                "facebook",
                "linkedin",
                "youtube",
                "pinterest",
                "reddit",
                "tiktok"
            ]
        );
    }

    #[test]
    fn display_names() {
        assert_eq!(Platform::Vk.display_name(), "VK");
        assert_eq!(Platform::Ok.display_name(), "Odnoklassniki");
        assert_eq!(Platform::Linkedin.display_name(), "LinkedIn");
        assert_eq!(Platform::Youtube.display_name(), "YouTube");
        assert_eq!(Platform::Tiktok.display_name(), "TikTok");
        assert_eq!(Platform::X.display_name(), "X");
    }

    #[test]
    fn parse_round_trips_and_ignores_case() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Ok(p));
        }
        assert_eq!(Platform::parse(" X "), Ok(Platform::X));
        assert_eq!(Platform::parse("TikTok"), Ok(Platform::Tiktok));
        assert_eq!("bluesky".parse::<Platform>(), Ok(Platform::Bluesky));
    }

    #[test]
    fn parse_refusal_lists_valid_names() {
        let Err(err) = Platform::parse("myspace") else {
            panic!("myspace accepted");
        };
        assert_eq!(err.field, "platform");
        assert!(err.message.contains("\"myspace\""), "{}", err.message);
        assert!(
            err.message
                .contains("vk, ok, telegram, bluesky, mastodon, x, threads, instagram, facebook, linkedin, youtube, pinterest, reddit, tiktok"),
            "{}",
            err.message
        );
    }

    #[test]
    fn serde_is_lowercase() {
        assert_eq!(
            serde_json::to_string(&Platform::Linkedin).ok().as_deref(),
            Some("\"linkedin\"")
        );
        assert_eq!(
            serde_json::from_str::<Platform>("\"ok\"").ok(),
            Some(Platform::Ok)
        );
        assert!(serde_json::from_str::<Platform>("\"Ok\"").is_err());
    }
}
