//! Publishing through the UI over plain HTTP: connect channels with the channels page's forms,
//! compose and schedule in the workspace's time zone, refusals named per channel, the post
//! page with a failed delivery and Retry, uploads, CSRF and roles. The helpers here send the
//! forms as a browser would.

mod channels;
mod posts;
mod schedule;

use crate::helpers::*;
use crate::ui::{workspace, Res, Visitor};
use herald_domain::publishing::ChannelId;
use herald_domain::WorkspaceId;

/// An owner logged in with a workspace in Europe/Moscow.
pub async fn owner_with_workspace(app: &TestApp) -> (Visitor, WorkspaceId) {
    let owner = app.user("owner@agency.example", false).await;
    let ws = workspace(app, &owner, "Кофейня «Зерно»").await;
    let v = Visitor::new(app);
    assert_eq!(v.login("owner@agency.example", PASSWORD).await.status, 303);
    (v, ws)
}

/// Connects a channel through the channels page's form.
pub async fn connect(v: &Visitor, ws: WorkspaceId, fields: &[(&str, &str)]) -> Res {
    let path = format!("/w/{}/channels", ws.0);
    let csrf = v.csrf(&path).await;
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    v.post(&path, &form).await
}

/// Connects a sandbox channel called `name`; answers its id.
pub async fn sandbox(app: &TestApp, v: &Visitor, ws: WorkspaceId, name: &str) -> ChannelId {
    let res = connect(v, ws, &[("platform", "sandbox"), ("name", name)]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location, format!("/w/{}/channels?done=connected", ws.0));
    let chans = app.store.channels(ws).await.unwrap();
    chans.iter().find(|c| c.name == name).unwrap().id
}

/// Sends the composer form (new post, or `edit` of one) as a browser without a file does.
pub async fn compose(
    v: &Visitor,
    ws: WorkspaceId,
    edit: Option<i64>,
    fields: &[(&str, &str)],
) -> Res {
    let path = match edit {
        Some(p) => format!("/w/{}/posts/{p}/edit", ws.0),
        None => format!("/w/{}/compose", ws.0),
    };
    let csrf = v.csrf(&path).await;
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    v.post(&path, &form).await
}

pub fn post_id(location: &str) -> i64 {
    let rest = location.split("/posts/").nth(1).unwrap();
    rest.split(['?', '/']).next().unwrap().parse().unwrap()
}

/// A 1×1 PNG.
pub const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----herald-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
