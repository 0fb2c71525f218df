//! VKontakte community walls (`vk`): posts go to a community's wall as the community. Its fake
//! server is `fake::VkFake` (under `cfg(test)` or the `fakes` feature).
//!
//! Settings: `{"group_id": 123456}` (the community's positive id; a digit string is accepted,
//! as a form sends it) and, for tests, `"api_base"` replacing `https://api.vk.com/method`.
//! Credentials: `{"access_token": "…"}`, a community access key with the wall and photos
//! rights. (VK's published schema lists `wall.post` and the photo upload as user-token methods;
//! a token VK will not take for them answers error 27, which asks for reconnecting. A user
//! token of a community administrator works the same way: every call here is the same for
//! both kinds.) Every call is a form-encoded `POST <api_base>/<method>` with `v=5.199`; see
//! `api.rs` for the envelope and the error mapping.
//!
//! Publishing is `wall.post` with `owner_id=-GROUP`, `from_group=1`, `message`, `attachments`
//! (uploaded photos, then the link) and `guid` = the delivery's idempotency key: VK answers a
//! repeated guid with the post it already made, so an unknown outcome is simply retried
//! ([`Idempotency::Native`]). VK keeps a guid for about an hour, so when a delivery's first
//! attempt is older than [`GUID_TRUST`], publishing first looks for the post on the wall the
//! way [`Connector::reconcile`] does (exact text, same number of photos, at or after the first
//! attempt) and only posts when it is not there: the second line of defence.
//!
//! VK's errors arrive with HTTP 200 as `{"error": {"error_code", "error_msg"}}`: 5, 28 and
//! 3609 (token refused), 27 (wrong kind of token) and 17 (owner must confirm identity) are
//! `Unauthorized`; 6 (too many requests a second) is rate limited for 1 s, 9 (flood control)
//! and 29 (daily quota) for 1 h, since VK does not say how long they last; 14 (captcha) is a
//! retryable refusal saying that a person must act; 15, 200, 203, 210, 214 (access or posting
//! denied) and 100 (bad parameter) are refusals for good that say what to check; 1, 10 and 13
//! (VK's own failures) are `Unknown`. Trouble during the photo upload is never `Unknown`:
//! nothing is on the wall before `wall.post`.
//!
//! A post's remote id is VK's own reference, `-GROUP_POST` (as `wall.getById` takes it), and
//! its URL `https://vk.com/wall-GROUP_POST`.

mod api;
pub mod callback;
#[cfg(any(test, feature = "fakes"))]
pub mod fake;
mod inbox;
#[cfg(test)]
mod tests;

pub use api::{API_VERSION, DEFAULT_API_BASE, FLOOD_CONTROL_WAIT, TOO_MANY_REQUESTS_WAIT};
pub use inbox::{INBOX_PAGE, INBOX_POSTS};

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxPage,
    OutgoingPost, PlatformInfo, PostMetrics, ProfileStats, PublishError, Published,
};
use crate::http;
use api::Api;
use async_trait::async_trait;
use herald_domain::Platform;
use reqwest::Url;
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The stable id of VK channels.
pub const ID: &str = "vk";
/// The most attachments (photos and the link together) one wall post takes.
pub const MAX_ATTACHMENTS: usize = 10;
/// How many of the wall's newest posts reconciliation reads (`wall.get`'s maximum).
pub const RECONCILE_COUNT: usize = 100;
/// How far before `not_before_ms` a post may be dated and still be ours: VK dates posts in
/// whole seconds, and clocks differ.
pub const RECONCILE_SLACK_MS: i64 = 5_000;
/// How long after a delivery's first attempt its guid is trusted to stop a repeat. VK keeps a
/// guid about an hour; ten minutes less leaves room for clocks and slow attempts.
pub const GUID_TRUST: Duration = Duration::from_secs(50 * 60);

static FIELDS: [Field; 4] = [
    Field {
        key: "group_id",
        secret: false,
        required: true,
    },
    Field {
        key: "access_token",
        secret: true,
        required: true,
    },
    // The Callback API's codes, for pushed comments (see `callback`); polling needs neither.
    Field {
        key: "callback_confirmation",
        secret: false,
        required: false,
    },
    Field {
        key: "callback_secret",
        secret: true,
        required: false,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "VK",
    rules: Platform::Vk,
    capabilities: Capabilities {
        publish: true,
        delete: true,
        reconcile: true,
        fetch_inbox: true,
        reply: true,
        fetch_metrics: true,
        fetch_profile: true,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::Native,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    // Each publish is several calls (uploads, then wall.post), and VK allows a token only a
    // few calls a second (error 6 beyond that).
    max_in_flight_per_channel: 2,
    // VK's guid de-duplicates for about an hour [check].
    idempotency_window: Some(std::time::Duration::from_secs(55 * 60)),
    hidden: false,
};

/// The VK connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct VkConnector {
    client: reqwest::Client,
}

/// A channel's checked settings and its token.
struct Config<'a> {
    group: u64,
    base: Url,
    token: &'a str,
}

fn refuse(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

/// `settings.group_id`: a positive number, or a string of digits.
fn group_id(ch: &ChannelCtx) -> Result<u64, PublishError> {
    let wrong = || {
        refuse(
            "settings.group_id must be the community's id, a positive number such as 123456 \
             (without the minus VK puts before community ids in post addresses)",
        )
    };
    let id = match ch.settings.get("group_id") {
        Some(serde_json::Value::Number(n)) => n.as_u64().ok_or_else(wrong)?,
        Some(serde_json::Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(wrong());
            }
            s.parse().map_err(|_| wrong())?
        }
        None | Some(serde_json::Value::Null) => {
            return Err(refuse("settings.group_id is required"))
        }
        Some(_) => return Err(wrong()),
    };
    // Within i64, so that `-id` is an owner id VK understands.
    if id == 0 || i64::try_from(id).is_err() {
        return Err(wrong());
    }
    Ok(id)
}

fn config(ch: &ChannelCtx) -> Result<Config<'_>, PublishError> {
    let group = group_id(ch)?;
    let base = match ch.setting_str("api_base") {
        Some(raw) => http::parse_http_url(raw, "settings.api_base")?,
        None => Url::parse(DEFAULT_API_BASE).map_err(|e| refuse(e.to_string()))?,
    };
    let token = ch
        .credential_str("access_token")
        .ok_or_else(|| PublishError::Unauthorized("credentials.access_token is missing".into()))?;
    Ok(Config { group, base, token })
}

impl Config<'_> {
    fn api<'a>(&'a self, client: &'a reqwest::Client) -> Api<'a> {
        Api {
            client,
            base: &self.base,
            token: self.token,
        }
    }

    fn owner_id(&self) -> String {
        format!("-{}", self.group)
    }

    fn published(&self, post_id: u64) -> Published {
        Published {
            remote_id: format!("-{}_{post_id}", self.group),
            url: Some(format!("https://vk.com/wall-{}_{post_id}", self.group)),
        }
    }
}

/// A remote id as `(owner_id, post_id)`: `-GROUP_POST` (what `publish` answers), or a bare post
/// id on the channel's own wall.
fn parse_remote_id(remote_id: &str, group: u64) -> Result<(i64, u64), PublishError> {
    let wrong = || refuse(format!("'{remote_id}' is not a VK post id"));
    let raw = remote_id.trim();
    let (owner, post) = match raw.split_once('_') {
        Some((owner, post)) => (owner.parse::<i64>().map_err(|_| wrong())?, post),
        None => (-i64::try_from(group).map_err(|_| wrong())?, raw),
    };
    let post = post.parse::<u64>().map_err(|_| wrong())?;
    if post == 0 || owner == 0 {
        return Err(wrong());
    }
    Ok((owner, post))
}

/// `1`, `true` (VK's flags are numbers); anything else is false.
fn flag(value: &Option<serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::Bool(b)) => *b,
        Some(serde_json::Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        _ => false,
    }
}

#[derive(Deserialize)]
struct Groups {
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    id: u64,
    #[serde(default)]
    name: String,
    members_count: Option<u64>,
    /// `deleted` or `banned`.
    deactivated: Option<String>,
}

#[derive(Deserialize)]
struct WallPosted {
    post_id: u64,
}

#[derive(Deserialize)]
struct WallPage {
    count: u64,
    items: Vec<WallItem>,
}

#[derive(Deserialize)]
struct WallItems {
    items: Vec<WallItem>,
}

#[derive(Deserialize)]
struct Counter {
    count: Option<u64>,
}

#[derive(Deserialize)]
struct Attachment {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct WallItem {
    id: u64,
    #[serde(default)]
    owner_id: i64,
    from_id: Option<i64>,
    /// Unix seconds.
    #[serde(default)]
    date: i64,
    #[serde(default)]
    text: String,
    is_pinned: Option<serde_json::Value>,
    is_deleted: Option<serde_json::Value>,
    #[serde(default)]
    attachments: Vec<Attachment>,
    likes: Option<Counter>,
    reposts: Option<Counter>,
    comments: Option<Counter>,
    views: Option<Counter>,
}

impl WallItem {
    fn photos(&self) -> usize {
        self.attachments
            .iter()
            .filter(|a| a.kind == "photo")
            .count()
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// Reconciliation answers "found", "certainly not there", or an error that means "could not
/// tell"; a refusal of the lookup itself must never read as "nothing was posted".
fn could_not_tell(error: PublishError) -> PublishError {
    match error {
        PublishError::Refused { message, .. } => {
            PublishError::Unknown(format!("could not look for the post: {message}"))
        }
        other => other,
    }
}

/// A link as one item of `attachments`, a comma-separated list: a comma in it is escaped.
fn link_attachment(link: &str) -> Result<String, PublishError> {
    let link = link.trim();
    let url = Url::parse(link).map_err(|_| refuse(format!("the link '{link}' is not a URL")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse(format!(
            "VK attaches only http:// and https:// links, not '{link}'"
        )));
    }
    Ok(link.replace(',', "%2C"))
}

impl VkConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    async fn group(&self, cfg: &Config<'_>) -> Result<Group, PublishError> {
        let groups: Groups = cfg
            .api(&self.client)
            .call(
                "groups.getById",
                &[
                    ("group_id", cfg.group.to_string()),
                    ("fields", "members_count".to_string()),
                ],
            )
            .await?;
        groups
            .groups
            .into_iter()
            .find(|g| g.id == cfg.group)
            .ok_or_else(|| refuse(format!("VK has no community with id {}", cfg.group)))
    }

    /// The post `(owner, post)`, unless it is gone.
    async fn post_by_id(
        &self,
        cfg: &Config<'_>,
        owner: i64,
        post: u64,
    ) -> Result<Option<WallItem>, PublishError> {
        let found: WallItems = cfg
            .api(&self.client)
            .call("wall.getById", &[("posts", format!("{owner}_{post}"))])
            .await?;
        Ok(found
            .items
            .into_iter()
            .find(|p| p.id == post && !flag(&p.is_deleted)))
    }

    /// Looks for `post` on the wall: see [`Connector::reconcile`].
    async fn find_on_wall(
        &self,
        cfg: &Config<'_>,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let page: WallPage = cfg
            .api(&self.client)
            .call(
                "wall.get",
                &[
                    ("owner_id", cfg.owner_id()),
                    ("count", RECONCILE_COUNT.to_string()),
                    ("filter", "owner".to_string()),
                ],
            )
            .await
            .map_err(could_not_tell)?;
        let owner = -i64::try_from(cfg.group).unwrap_or(i64::MAX);
        let since_ms = post.not_before_ms.saturating_sub(RECONCILE_SLACK_MS);
        let in_window = |p: &WallItem| p.date.saturating_mul(1000) >= since_ms;
        let text = post.text.trim();
        let ours = page
            .items
            .iter()
            .filter(|p| in_window(p) && p.from_id.unwrap_or(p.owner_id) == owner)
            .filter(|p| p.text.trim() == text && p.photos() == post.media.len())
            .min_by_key(|p| (p.date, p.id));
        if let Some(found) = ours {
            return Ok(Some(cfg.published(found.id)));
        }
        // A pinned post comes first whatever its age, so it says nothing about the window.
        let saw_whole_window = page.items.len() as u64 >= page.count
            || page
                .items
                .iter()
                .any(|p| !flag(&p.is_pinned) && !in_window(p));
        if saw_whole_window {
            Ok(None)
        } else {
            Err(PublishError::Unknown(format!(
                "more than {RECONCILE_COUNT} posts on the wall since the first attempt; cannot \
                 tell whether this one is among them"
            )))
        }
    }
}

#[async_trait]
impl Connector for VkConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    /// Reads the community with `groups.getById`: the token works and the community exists.
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let cfg = config(ch)?;
        let group = self.group(&cfg).await?;
        if let Some(state) = &group.deactivated {
            return Err(refuse(format!("the VK community {} is {state}", cfg.group)));
        }
        Ok(AccountInfo {
            external_id: group.id.to_string(),
            display_name: group.name,
        })
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let cfg = config(ch)?;
        let link = post
            .link
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let count = post.media.len() + usize::from(link.is_some());
        if count > MAX_ATTACHMENTS {
            return Err(refuse(format!(
                "VK takes at most {MAX_ATTACHMENTS} attachments in a post; this one has {} \
                 photos{}",
                post.media.len(),
                if link.is_some() { " and a link" } else { "" }
            )));
        }
        if post.text.trim().is_empty() && count == 0 {
            return Err(refuse("a VK post needs text, a photo or a link"));
        }
        let link = link.map(link_attachment).transpose()?;
        let first_attempt_age = now_ms().saturating_sub(post.not_before_ms);
        if first_attempt_age > i64::try_from(GUID_TRUST.as_millis()).unwrap_or(i64::MAX) {
            if let Some(found) = self.find_on_wall(&cfg, post).await? {
                return Ok(found);
            }
        }
        let api = cfg.api(&self.client);
        let mut attachments = api::upload_photos(&api, cfg.group, &post.media).await?;
        attachments.extend(link);
        let mut params = vec![
            ("owner_id", cfg.owner_id()),
            ("from_group", "1".to_string()),
            ("guid", post.idempotency_key.clone()),
        ];
        if !post.text.is_empty() {
            params.push(("message", post.text.clone()));
        }
        if !attachments.is_empty() {
            params.push(("attachments", attachments.join(",")));
        }
        let posted: WallPosted = api.call("wall.post", &params).await?;
        Ok(cfg.published(posted.post_id))
    }

    /// Reads the wall's newest [`RECONCILE_COUNT`] posts by the community (`wall.get`,
    /// `filter=owner`) and takes the earliest one dated no earlier than `not_before_ms - 5 s`
    /// with the same text (surrounding whitespace aside) and the same number of photos.
    /// Answers `Ok(None)` only when the listing reaches back past that instant.
    async fn reconcile(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let cfg = config(ch).map_err(could_not_tell)?;
        self.find_on_wall(&cfg, post).await
    }

    /// `wall.delete`. A refusal is checked with `wall.getById`: a post that is already gone
    /// counts as deleted.
    async fn delete(&self, ch: &ChannelCtx, remote_id: &str) -> Result<(), PublishError> {
        let cfg = config(ch)?;
        let (owner, post) = parse_remote_id(remote_id, cfg.group)?;
        let deleted = cfg
            .api(&self.client)
            .call::<serde_json::Value>(
                "wall.delete",
                &[
                    ("owner_id", owner.to_string()),
                    ("post_id", post.to_string()),
                ],
            )
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(refusal @ PublishError::Refused { .. }) => {
                match self.post_by_id(&cfg, owner, post).await {
                    Ok(None) => Ok(()),
                    Ok(Some(_)) | Err(_) => Err(refusal),
                }
            }
            Err(other) => Err(other),
        }
    }

    async fn fetch_profile(&self, ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        let cfg = config(ch)?;
        let group = self.group(&cfg).await?;
        Ok(ProfileStats {
            followers: group.members_count,
            ..ProfileStats::default()
        })
    }

    /// `wall.getById`: likes, reposts (as shares), comments and views.
    async fn fetch_metrics(
        &self,
        ch: &ChannelCtx,
        remote_id: &str,
    ) -> Result<PostMetrics, PublishError> {
        let cfg = config(ch)?;
        let (owner, post) = parse_remote_id(remote_id, cfg.group)?;
        let item = self.post_by_id(&cfg, owner, post).await?.ok_or_else(|| {
            refuse(format!(
                "the VK post {owner}_{post} is not there (deleted?)"
            ))
        })?;
        let count = |c: &Option<Counter>| c.as_ref().and_then(|c| c.count);
        Ok(PostMetrics {
            likes: count(&item.likes),
            shares: count(&item.reposts),
            comments: count(&item.comments),
            views: count(&item.views),
            reach: None,
        })
    }

    /// Comments on the newest posts; see the `inbox` module.
    async fn fetch_inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        self.inbox(ch, cursor).await
    }

    /// `wall.createComment` with the delivery's key as `guid`; see the `inbox` module.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        self.send_reply(ch, to_remote_id, reply).await
    }

    /// The community's comment with the reply's text in the thread, made since the first
    /// attempt.
    async fn reconcile_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        let cfg = config(ch).map_err(could_not_tell)?;
        let target = inbox::parse_target(to_remote_id, cfg.group)?;
        self.find_reply(&cfg, target, reply).await
    }
}
