//! VK's inbox: comments on the community's wall, read by polling (`wall.getComments` on the
//! newest posts) or pushed by the Callback API ([`super::callback`]), and replies with
//! `wall.createComment`.
//!
//! Ids: a comment's remote id is `-GROUP_POST_COMMENT` (the post's reference plus the
//! comment's id), so a reply knows the post without asking. VK numbers comments on one wall
//! with ids that only grow, so the cursor is the highest comment id handed out. Each poll
//! reads the [`INBOX_POSTS`] newest posts that have comments, up to 100 top-level comments of
//! each (newest first) with their threads (`thread_items_count=10`, and the whole thread with
//! `comment_id` when it has more); comments by the community itself are Herald's own replies
//! and are left out. Thread: a top-level comment's parent is the post, a thread reply's parent
//! is the comment it answers (`reply_to_comment`, else the thread's top comment), and the root
//! is always the post.
//!
//! Replies: `wall.createComment` with `from_group`, `reply_to_comment` and `guid` = the
//! delivery's key, which VK de-duplicates like `wall.post`'s; past [`GUID_TRUST`] the thread
//! is searched first, exactly as publishing searches the wall.

use super::{config, could_not_tell, now_ms, refuse, Config, VkConnector, GUID_TRUST};
use crate::connector::{
    ChannelCtx, InboxItem, InboxKind, InboxPage, OutgoingPost, PublishError, Published,
};
use crate::inbox;
use serde::Deserialize;

/// How many of the wall's newest posts a poll reads comments of.
pub const INBOX_POSTS: usize = 20;
/// The most items one poll hands out; the rest come next time.
pub const INBOX_PAGE: usize = 200;
/// How far before a reply's first attempt VK's date of it may be (whole seconds, clocks).
const REPLY_SLACK_MS: i64 = 5_000;

/// A place to comment: a post, or a comment under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Target {
    pub post: u64,
    pub comment: Option<u64>,
}

/// `-GROUP_POST` or `-GROUP_POST_COMMENT` on this channel's wall.
pub(super) fn parse_target(remote_id: &str, group: u64) -> Result<Target, PublishError> {
    let wrong = || {
        refuse(format!(
            "'{remote_id}' is not a VK post or comment of this wall"
        ))
    };
    let mut parts = remote_id.trim().split('_');
    let owner: i64 = parts
        .next()
        .and_then(|o| o.parse().ok())
        .ok_or_else(wrong)?;
    if owner != -i64::try_from(group).map_err(|_| wrong())? {
        return Err(wrong());
    }
    let post: u64 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(wrong)?;
    let comment = match parts.next() {
        None => None,
        Some(c) => Some(c.parse::<u64>().map_err(|_| wrong())?),
    };
    if parts.next().is_some() || post == 0 || comment == Some(0) {
        return Err(wrong());
    }
    Ok(Target { post, comment })
}

#[derive(Deserialize)]
struct Posts {
    items: Vec<PostBrief>,
}

#[derive(Deserialize)]
struct PostBrief {
    id: u64,
    comments: Option<super::Counter>,
}

#[derive(Deserialize)]
pub(super) struct Comments {
    #[serde(default)]
    pub items: Vec<Comment>,
    #[serde(default)]
    pub profiles: Vec<Profile>,
    #[serde(default)]
    pub groups: Vec<GroupBrief>,
}

/// A wall comment as `wall.getComments` and the Callback API's `wall_reply_*` give it.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct Comment {
    pub id: u64,
    #[serde(default)]
    pub from_id: i64,
    /// Unix seconds.
    #[serde(default)]
    pub date: i64,
    #[serde(default)]
    pub text: String,
    pub post_id: Option<u64>,
    pub reply_to_comment: Option<u64>,
    #[serde(default)]
    pub parents_stack: Vec<u64>,
    pub thread: Option<Thread>,
    pub deleted: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub(super) struct Thread {
    #[serde(default)]
    pub count: u64,
    #[serde(default)]
    pub items: Vec<Comment>,
}

#[derive(Deserialize)]
pub(super) struct Profile {
    id: i64,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
}

#[derive(Deserialize)]
pub(super) struct GroupBrief {
    id: i64,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct Created {
    comment_id: u64,
    #[serde(default)]
    parents_stack: Vec<u64>,
}

impl Comments {
    /// The display name of `from_id` among the answer's profiles and groups.
    fn name_of(&self, from_id: i64) -> Option<String> {
        if from_id < 0 {
            let id = -from_id;
            self.groups
                .iter()
                .find(|g| g.id == id)
                .map(|g| g.name.clone())
        } else {
            self.profiles.iter().find(|p| p.id == from_id).map(|p| {
                format!("{} {}", p.first_name, p.last_name)
                    .trim()
                    .to_string()
            })
        }
    }
}

/// A comment as an inbox item of community `group`, under post `post`; `names` knows the
/// authors when the answer was `extended`.
pub(super) fn comment_item(
    group: u64,
    post: u64,
    c: &Comment,
    names: Option<&Comments>,
) -> InboxItem {
    let wall = format!("-{group}_{post}");
    let parent = c
        .reply_to_comment
        .or_else(|| c.parents_stack.last().copied())
        .map(|p| format!("{wall}_{p}"))
        .unwrap_or_else(|| wall.clone());
    let thread = c.parents_stack.first().copied();
    let author_url = if c.from_id < 0 {
        format!("https://vk.com/club{}", -c.from_id)
    } else {
        format!("https://vk.com/id{}", c.from_id)
    };
    let permalink = match thread {
        Some(top) => format!("https://vk.com/wall{wall}?reply={}&thread={top}", c.id),
        None => format!("https://vk.com/wall{wall}?reply={}", c.id),
    };
    InboxItem {
        remote_id: format!("{wall}_{}", c.id),
        kind: InboxKind::Comment,
        parent_remote_id: Some(parent),
        root_remote_id: Some(wall),
        author: names
            .and_then(|n| n.name_of(c.from_id))
            .unwrap_or_else(|| c.from_id.to_string()),
        author_id: Some(c.from_id.to_string()),
        author_url: Some(author_url),
        permalink: Some(permalink),
        text: c.text.clone(),
        rating: None,
        created_at_ms: c.date.saturating_mul(1000),
    }
}

impl VkConnector {
    /// `wall.getComments` of `post` (or of one thread, `comment_id`), newest first, with
    /// the authors' names.
    async fn comments(
        &self,
        cfg: &Config<'_>,
        post: u64,
        thread: Option<u64>,
    ) -> Result<Comments, PublishError> {
        let mut params = vec![
            ("owner_id", cfg.owner_id()),
            ("post_id", post.to_string()),
            ("count", "100".to_string()),
            ("sort", "desc".to_string()),
            ("extended", "1".to_string()),
            ("preview_length", "0".to_string()),
        ];
        match thread {
            Some(top) => params.push(("comment_id", top.to_string())),
            None => params.push(("thread_items_count", "10".to_string())),
        }
        cfg.api(&self.client)
            .call("wall.getComments", &params)
            .await
    }

    pub(super) async fn inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        let cfg = config(ch)?;
        let after = inbox::number_cursor(cursor)?;
        let posts: Posts = cfg
            .api(&self.client)
            .call(
                "wall.get",
                &[
                    ("owner_id", cfg.owner_id()),
                    ("count", INBOX_POSTS.to_string()),
                ],
            )
            .await?;
        let own = -i64::try_from(cfg.group).unwrap_or(i64::MAX);
        let new = |c: &Comment| {
            after.is_none_or(|a| c.id > a) && c.from_id != own && !super::flag(&c.deleted)
        };
        let mut items = Vec::new();
        for post in posts.items {
            if post.comments.and_then(|c| c.count).unwrap_or(0) == 0 {
                continue;
            }
            let page = self.comments(&cfg, post.id, None).await?;
            for top in &page.items {
                if new(top) {
                    items.push((top.id, comment_item(cfg.group, post.id, top, Some(&page))));
                }
                let Some(thread) = &top.thread else { continue };
                if thread.count as usize > thread.items.len() {
                    let whole = self.comments(&cfg, post.id, Some(top.id)).await?;
                    for c in whole.items.iter().filter(|c| new(c)) {
                        items.push((c.id, comment_item(cfg.group, post.id, c, Some(&whole))));
                    }
                } else {
                    for c in thread.items.iter().filter(|c| new(c)) {
                        items.push((c.id, comment_item(cfg.group, post.id, c, Some(&page))));
                    }
                }
            }
        }
        Ok(inbox::page_by_number(items, after, INBOX_PAGE))
    }

    /// The community's own comment with `reply`'s text under `target`, made at or after the
    /// reply's first attempt.
    pub(super) async fn find_reply(
        &self,
        cfg: &Config<'_>,
        target: Target,
        reply: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        // A reply to a comment lands in that comment's thread (or its thread's top).
        let thread = match target.comment {
            None => None,
            Some(c) => Some(self.thread_top(cfg, target.post, c).await?),
        };
        let page = self
            .comments(cfg, target.post, thread)
            .await
            .map_err(could_not_tell)?;
        let own = -i64::try_from(cfg.group).unwrap_or(i64::MAX);
        let since = reply.not_before_ms.saturating_sub(REPLY_SLACK_MS);
        let text = reply.text.trim();
        let candidates = page.items.iter().chain(
            page.items
                .iter()
                .filter_map(|c| c.thread.as_ref())
                .flat_map(|t| &t.items),
        );
        let found = candidates
            .filter(|c| c.from_id == own && c.text.trim() == text && c.date * 1000 >= since)
            .filter(|c| target.comment.is_none() || c.reply_to_comment == target.comment)
            .min_by_key(|c| c.id);
        if let Some(c) = found {
            return Ok(Some(self.reply_published(cfg, target.post, c.id, thread)));
        }
        if page.items.len() >= 100 && page.items.iter().all(|c| c.date * 1000 >= since) {
            return Err(PublishError::Unknown(
                "more than 100 comments since the first attempt; cannot tell whether the reply \
                 is among them"
                    .into(),
            ));
        }
        Ok(None)
    }

    /// The top comment of the thread `comment` belongs to (itself when it is one).
    async fn thread_top(
        &self,
        cfg: &Config<'_>,
        post: u64,
        comment: u64,
    ) -> Result<u64, PublishError> {
        #[derive(Deserialize)]
        struct One {
            items: Vec<Comment>,
        }
        let one: One = cfg
            .api(&self.client)
            .call(
                "wall.getComment",
                &[
                    ("owner_id", cfg.owner_id()),
                    ("comment_id", comment.to_string()),
                ],
            )
            .await
            .map_err(could_not_tell)?;
        let c = one
            .items
            .first()
            .filter(|c| c.post_id.is_none_or(|p| p == post))
            .ok_or_else(|| PublishError::Unknown(format!("VK has no comment {comment}")))?;
        Ok(c.parents_stack.first().copied().unwrap_or(c.id))
    }

    fn reply_published(
        &self,
        cfg: &Config<'_>,
        post: u64,
        comment: u64,
        thread: Option<u64>,
    ) -> Published {
        let wall = format!("-{}_{post}", cfg.group);
        let url = match thread {
            Some(top) => format!("https://vk.com/wall{wall}?reply={comment}&thread={top}"),
            None => format!("https://vk.com/wall{wall}?reply={comment}"),
        };
        Published {
            remote_id: format!("{wall}_{comment}"),
            url: Some(url),
        }
    }

    pub(super) async fn send_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let cfg = config(ch)?;
        let target = parse_target(to_remote_id, cfg.group)?;
        if reply.text.trim().is_empty() {
            return Err(refuse("a VK reply needs text"));
        }
        let age = now_ms().saturating_sub(reply.not_before_ms);
        if age > i64::try_from(GUID_TRUST.as_millis()).unwrap_or(i64::MAX) {
            if let Some(found) = self.find_reply(&cfg, target, reply).await? {
                return Ok(found);
            }
        }
        let mut params = vec![
            ("owner_id", cfg.owner_id()),
            ("post_id", target.post.to_string()),
            ("from_group", cfg.group.to_string()),
            ("message", reply.text.clone()),
            ("guid", reply.idempotency_key.clone()),
        ];
        if let Some(c) = target.comment {
            params.push(("reply_to_comment", c.to_string()));
        }
        let created: Created = cfg
            .api(&self.client)
            .call("wall.createComment", &params)
            .await?;
        let thread = created.parents_stack.first().copied();
        Ok(self.reply_published(&cfg, target.post, created.comment_id, thread))
    }
}
