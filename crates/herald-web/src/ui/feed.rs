//! A channel's feed: what went out on it, newest first, laid out like a social feed. For the
//! Sandbox this is the only place its posts "appear"; for other channels it is Herald's record
//! of what it published. The page refreshes itself (app.js swaps the list every few seconds;
//! without JavaScript a meta refresh does it).

use super::channels::{initial, platform_name};
use super::flash::Flash;
use super::format;
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use herald_domain::publishing::ChannelId;

/// How many of the newest posts are shown.
const FEED_LIMIT: i64 = 50;

/// Seconds between refreshes.
pub const REFRESH_SECS: u32 = 10;

pub struct FeedItem {
    pub post_id: i64,
    pub text: String,
    pub when: String,
    pub when_iso: String,
    pub remote_url: Option<String>,
}

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    page: Page,
    nav: WsNav,
    channel_name: String,
    platform: String,
    initial: String,
    items: Vec<FeedItem>,
    refresh: u32,
}

/// `GET /w/{id}/channels/{channel}/feed`.
pub async fn show(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, channel)): Path<(String, String)>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let cid = channel
        .parse::<i64>()
        .map(ChannelId)
        .map_err(|_| UiError::NotFound(tr))?;
    let ch = state
        .store
        .channel(cx.ws.id, cid)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .ok_or(UiError::NotFound(tr))?;
    let items = state
        .store
        .channel_feed(cx.ws.id, cid, FEED_LIMIT)
        .await
        .map_err(|e| UiError::store(tr, e))?
        .into_iter()
        .map(|(d, text)| {
            let at = d.published_at.unwrap_or(d.due_at);
            FeedItem {
                post_id: d.post_id.0,
                text,
                when: format::when(tr, at, cx.tz()),
                when_iso: format::iso(at),
                remote_url: d.remote_url,
            }
        })
        .collect();
    let page = FeedPage {
        page: cx.page(&flash),
        nav: cx.nav("channels"),
        initial: initial(&ch.name),
        platform: platform_name(&state, &ch.platform),
        channel_name: ch.name,
        items,
        refresh: REFRESH_SECS,
    };
    Ok(render(tr, &page)?.into_response())
}
