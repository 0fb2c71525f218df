//! Client review in a real browser, by keyboard only: a guest opens a share link, types their
//! name, tabs to "Approve" and presses Enter; the post is approved and the page says so.
//! Screenshot: share-en.

use super::{shot, start};
use crate::helpers::*;
use crate::workflow::{token_of, world};
use fantoccini::Locator;
use herald_domain::publishing::PostId;
use herald_domain::workflow::WorkflowStatus;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn browser_guest_approves_through_a_share_link_by_keyboard() {
    let Some((_driver, c)) = start(
        "browser_guest_approves_through_a_share_link_by_keyboard",
        &[],
    )
    .await
    else {
        return;
    };
    let w = world(spawn_app().await).await;
    let post = w.post;
    w.call(
        Method::PUT,
        "/approval-settings",
        &w.owner,
        Some(json!({"mode": "required"})),
    )
    .await;
    w.call(
        Method::POST,
        &format!("/posts/{post}/submit"),
        &w.owner,
        Some(json!({})),
    )
    .await;
    let (_, link) = w
        .call(
            Method::POST,
            "/share-links",
            &w.owner,
            Some(json!({"post_id": post})),
        )
        .await;
    let token = token_of(link["url"].as_str().unwrap());

    c.goto(&w.app.url(&format!("/share/{token}")))
        .await
        .unwrap();
    let name = c
        .find(Locator::Css(&format!("#name-d-{post}")))
        .await
        .unwrap();
    name.click().await.unwrap();
    name.send_keys("Ann from ACME").await.unwrap();
    // Tab to the note, Tab to "Approve", Enter.
    let active = c.active_element().await.unwrap();
    active.send_keys("\u{E004}").await.unwrap();
    let active = c.active_element().await.unwrap();
    assert_eq!(
        active.attr("id").await.unwrap().as_deref(),
        Some(format!("note-{post}").as_str())
    );
    active.send_keys("Good to go").await.unwrap();
    active.send_keys("\u{E004}").await.unwrap();
    let button = c.active_element().await.unwrap();
    assert_eq!(
        button.attr("value").await.unwrap().as_deref(),
        Some("approve"),
        "Approve is next in tab order"
    );
    button.send_keys("\u{E007}").await.unwrap();
    c.wait()
        .for_element(Locator::Css(".notice, [role='status']"))
        .await
        .unwrap();
    let body = c.source().await.unwrap();
    assert!(body.contains("Thank you: approved."), "{body}");
    assert!(body.contains("Ann from ACME") && body.contains("Good to go"));
    shot(&c, "share-en").await;
    let wf = w
        .app
        .store
        .post_workflow(w.ws, PostId(post))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(wf.state.status, WorkflowStatus::Scheduled);
    c.close().await.unwrap();
}
