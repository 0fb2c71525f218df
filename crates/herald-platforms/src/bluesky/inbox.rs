//! Bluesky's inbox: replies to the account's posts and mentions of it, and replies posted
//! with `reply: {root, parent}` strong refs.
//!
//! Where they come from depends on `settings.inbox_source`:
//! - `appview` (the default): `app.bsky.notification.listNotifications`, which the PDS
//!   answers through its AppView (reasons `reply`, `mention` and `quote`), newest first, page
//!   after page until one at or before the cursor.
//! - `pds`: for a PDS without an AppView (a self-hosted one, or the dev-env network the tests
//!   run): every other repo on the PDS (`com.atproto.sync.listRepos`) is read with
//!   `com.atproto.repo.listRecords` (its [`SCAN_RECORDS`] newest posts), keeping the posts
//!   whose `reply` points into this account's repo and those whose facets mention its DID.
//!   It sees only accounts on the same PDS: it is no substitute for an AppView.
//!
//! Cursor: `MS:AT_URI` of the last item handed out (the notification's `indexedAt`, or the
//! record's `createdAt` on a PDS scan). Thread: `parent` and `root` are the record's own
//! `reply.parent.uri` and `reply.root.uri`; a mention outside a thread has neither.
//!
//! Replies: the item's record is read (`getRecord`) for its CID and its own root, and a post
//! is made with `reply: {root, parent}` under the rkey derived from the delivery's key, the
//! way publishing does: a retry asks for the same record, and any failure is followed by a
//! `getRecord` of that rkey, so the reply is never made twice.

use super::record::parse_at_uri;
use super::xrpc::Pds;
use super::{could_not_tell, publish, session, BlueskyConnector, POST_COLLECTION};
use crate::connector::{
    ChannelCtx, InboxItem, InboxKind, InboxPage, OutgoingPost, PublishError, Published,
};
use crate::inbox;
use serde_json::{json, Value};

/// How many of each repo's newest posts a PDS scan reads.
pub const SCAN_RECORDS: usize = 100;
/// The most items one poll hands out.
pub const INBOX_PAGE: usize = 200;
/// How many notifications one page asks for.
const NOTIFICATIONS_PAGE: usize = 50;

fn refused(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

fn ms(time: Option<&str>) -> i64 {
    time.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(*key))?.as_str()
}

/// A post record as an inbox item; `kind` says why it is there.
fn item(uri: &str, record: &Value, author: Author, kind: InboxKind) -> InboxItem {
    let web = parse_at_uri(uri).map(|(repo, _, rkey)| super::record::web_url(repo, rkey));
    InboxItem {
        remote_id: uri.to_string(),
        kind,
        parent_remote_id: str_at(record, &["reply", "parent", "uri"]).map(str::to_string),
        root_remote_id: str_at(record, &["reply", "root", "uri"]).map(str::to_string),
        author_url: Some(format!("https://bsky.app/profile/{}", author.did)),
        author: author.name,
        author_id: Some(author.did),
        permalink: web,
        text: str_at(record, &["text"]).unwrap_or_default().to_string(),
        rating: None,
        created_at_ms: ms(str_at(record, &["createdAt"])),
    }
}

struct Author {
    did: String,
    name: String,
}

/// Whether a post record mentions `did` in its facets.
fn mentions(record: &Value, did: &str) -> bool {
    record["facets"].as_array().is_some_and(|facets| {
        facets.iter().any(|f| {
            f["features"].as_array().is_some_and(|features| {
                features
                    .iter()
                    .any(|x| x["$type"] == "app.bsky.richtext.facet#mention" && x["did"] == did)
            })
        })
    })
}

type Keyed = Vec<((i64, String), InboxItem)>;

impl BlueskyConnector {
    pub(super) async fn inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        let after = inbox::time_cursor(cursor)?;
        let (token, did) = session(ch)?;
        let pds = self.pds(ch)?;
        let items = match ch.setting_str("inbox_source").unwrap_or("appview") {
            "appview" => notifications(&pds, token, after.as_ref()).await?,
            "pds" => scan(&pds, did, after.as_ref()).await?,
            other => {
                return Err(refused(format!(
                    "settings.inbox_source must be appview or pds, not '{other}'"
                )))
            }
        };
        Ok(inbox::page_by_time(items, after, INBOX_PAGE))
    }

    pub(super) async fn send_reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let refs = self.reply_refs(ch, to_remote_id).await?;
        publish::publish(&self.pds(ch)?, ch, reply, Some(&refs)).await
    }

    /// `{root, parent}` for answering `uri`: its own root when it is a reply, else itself.
    async fn reply_refs(&self, ch: &ChannelCtx, uri: &str) -> Result<Value, PublishError> {
        let (repo, collection, rkey) = parse_at_uri(uri)
            .filter(|(_, c, _)| *c == POST_COLLECTION)
            .ok_or_else(|| refused(format!("'{uri}' is not the at:// URI of a Bluesky post")))?;
        let pds = self.pds(ch)?;
        let found = pds
            .get_record(repo, collection, rkey)
            .await
            .map_err(|f| publish_before(f.error))?
            .ok_or_else(|| refused(format!("the post {uri} is not there (deleted?)")))?;
        let cid = found
            .cid
            .ok_or_else(|| refused(format!("the PDS gave no CID for {uri}")))?;
        let parent = json!({"uri": found.uri, "cid": cid});
        let root = match found.value.get("reply").and_then(|r| r.get("root")) {
            Some(root) if root.get("uri").is_some() && root.get("cid").is_some() => root.clone(),
            _ => parent.clone(),
        };
        Ok(json!({"root": root, "parent": parent}))
    }
}

/// Before createRecord nothing is posted: an unknown outcome of a read is a refusal to retry.
fn publish_before(error: PublishError) -> PublishError {
    match error {
        PublishError::Unknown(message) => PublishError::Refused {
            message,
            retryable: true,
        },
        other => other,
    }
}

async fn notifications(
    pds: &Pds,
    token: &str,
    after: Option<&(i64, String)>,
) -> Result<Keyed, PublishError> {
    let mut items = Vec::new();
    let mut page_cursor: Option<String> = None;
    let limit = NOTIFICATIONS_PAGE.to_string();
    loop {
        let mut query = vec![("limit", limit.as_str())];
        if let Some(c) = &page_cursor {
            query.push(("cursor", c.as_str()));
        }
        let page = pds
            .query(
                Some(token),
                "app.bsky.notification.listNotifications",
                &query,
            )
            .await
            .map_err(|f| f.error)?;
        let mut reached = false;
        for n in page["notifications"].as_array().into_iter().flatten() {
            let kind = match n["reason"].as_str() {
                Some("reply") => InboxKind::Comment,
                Some("mention" | "quote") => InboxKind::Mention,
                _ => continue,
            };
            let (Some(uri), Some(did)) = (n["uri"].as_str(), str_at(n, &["author", "did"])) else {
                continue;
            };
            let key = (ms(n["indexedAt"].as_str()), uri.to_string());
            if after.is_some_and(|a| &key <= a) {
                reached = true;
                continue;
            }
            let name = str_at(n, &["author", "displayName"])
                .filter(|d| !d.trim().is_empty())
                .or(str_at(n, &["author", "handle"]))
                .unwrap_or(did);
            let author = Author {
                did: did.to_string(),
                name: name.to_string(),
            };
            items.push((key, item(uri, &n["record"], author, kind)));
        }
        page_cursor = page["cursor"].as_str().map(str::to_string);
        if reached || page_cursor.is_none() || after.is_none() && items.len() >= INBOX_PAGE {
            break;
        }
    }
    Ok(items)
}

async fn scan(pds: &Pds, own: &str, after: Option<&(i64, String)>) -> Result<Keyed, PublishError> {
    let own_prefix = format!("at://{own}/");
    let mut repos = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "1000")];
        if let Some(c) = &cursor {
            query.push(("cursor", c.as_str()));
        }
        let page = pds
            .query(None, "com.atproto.sync.listRepos", &query)
            .await
            .map_err(|f| could_not_tell_read(f.error))?;
        for repo in page["repos"].as_array().into_iter().flatten() {
            if let Some(did) = repo["did"].as_str().filter(|d| *d != own) {
                repos.push(did.to_string());
            }
        }
        cursor = page["cursor"].as_str().map(str::to_string);
        if cursor.is_none() || page["repos"].as_array().is_none_or(Vec::is_empty) {
            break;
        }
    }
    let limit = SCAN_RECORDS.to_string();
    let mut items = Vec::new();
    for repo in repos {
        let query = [
            ("repo", repo.as_str()),
            ("collection", POST_COLLECTION),
            ("limit", limit.as_str()),
        ];
        let page = pds
            .query(None, "com.atproto.repo.listRecords", &query)
            .await
            .map_err(|f| could_not_tell_read(f.error))?;
        let mut handle: Option<String> = None;
        for record in page["records"].as_array().into_iter().flatten() {
            let (Some(uri), value) = (record["uri"].as_str(), &record["value"]) else {
                continue;
            };
            let replies_to_us = [["reply", "parent", "uri"], ["reply", "root", "uri"]]
                .iter()
                .any(|path| str_at(value, path).is_some_and(|u| u.starts_with(&own_prefix)));
            let kind = if replies_to_us {
                InboxKind::Comment
            } else if mentions(value, own) {
                InboxKind::Mention
            } else {
                continue;
            };
            let key = (ms(str_at(value, &["createdAt"])), uri.to_string());
            if after.is_some_and(|a| &key <= a) {
                continue;
            }
            if handle.is_none() {
                let described = pds
                    .query(
                        None,
                        "com.atproto.repo.describeRepo",
                        &[("repo", repo.as_str())],
                    )
                    .await
                    .ok();
                handle = described
                    .and_then(|d| d["handle"].as_str().map(str::to_string))
                    .or(Some(repo.clone()));
            }
            let author = Author {
                did: repo.clone(),
                name: handle.clone().unwrap_or_else(|| repo.clone()),
            };
            items.push((key, item(uri, value, author, kind)));
        }
    }
    Ok(items)
}

/// A read that failed says nothing was read; keep its class but never as "refused for good".
fn could_not_tell_read(error: PublishError) -> PublishError {
    could_not_tell(error)
}
