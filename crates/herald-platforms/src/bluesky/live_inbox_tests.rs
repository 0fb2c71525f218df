//! The inbox against the REAL PDS, without an AppView (`inbox_source: pds`): another account
//! on the same PDS replies and mentions, the connector finds them once, and its reply lands
//! in the right thread once per delivery key.

use super::*;
use crate::connector::InboxKind;

/// Another account's session token.
async fn session_of(account: &Account) -> String {
    let (status, s) = xrpc_post(
        &account.url,
        "com.atproto.server.createSession",
        None,
        json!({"identifier": account.handle, "password": account.app_password}),
    )
    .await;
    assert_eq!(status, 200, "{s}");
    s["accessJwt"].as_str().unwrap().to_string()
}

/// `author` writes a post record directly; answers its at:// URI and CID.
async fn write(account: &Account, token: &str, record: Value) -> (String, String) {
    let (status, made) = xrpc_post(
        &account.url,
        "com.atproto.repo.createRecord",
        Some(token),
        json!({"repo": account.did, "collection": "app.bsky.feed.post", "record": record}),
    )
    .await;
    assert_eq!(status, 200, "{made}");
    (
        made["uri"].as_str().unwrap().to_string(),
        made["cid"].as_str().unwrap().to_string(),
    )
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[tokio::test]
async fn bluesky_live_inbox_from_the_pds_and_a_threaded_reply() {
    let Some(url) = pds_url("bluesky_live_inbox_from_the_pds_and_a_threaded_reply") else {
        return;
    };
    let (ours, theirs) = (account(&url).await, account(&url).await);
    let mut ch = logged_in(&ours).await;
    ch.settings["inbox_source"] = json!("pds");
    let c = connector();
    let root = c
        .publish(&ch, &post("root", "Our launch", Vec::new()))
        .await
        .unwrap();
    let (_, root_rkey) = (0, root.remote_id.rsplit('/').next().unwrap().to_string());
    let (status, root_record) = get_record(&ours, &root_rkey).await;
    assert_eq!(status, 200);
    let root_ref = json!({"uri": root.remote_id, "cid": root_record["cid"]});

    let token = session_of(&theirs).await;
    let (reply_uri, reply_cid) = write(
        &theirs,
        &token,
        json!({"$type": "app.bsky.feed.post", "text": "Congrats!", "createdAt": now(),
               "reply": {"root": root_ref, "parent": root_ref}}),
    )
    .await;
    let mention_text = format!("hey @{} look", ours.handle);
    let start = mention_text.find('@').unwrap();
    let (mention_uri, _) = write(
        &theirs,
        &token,
        json!({"$type": "app.bsky.feed.post", "text": mention_text, "createdAt": now(),
               "facets": [{"index": {"byteStart": start, "byteEnd": mention_text.len() - 5},
                           "features": [{"$type": "app.bsky.richtext.facet#mention",
                                         "did": ours.did}]}]}),
    )
    .await;
    write(
        &theirs,
        &token,
        json!({"$type": "app.bsky.feed.post", "text": "unrelated",
                                  "createdAt": now()}),
    )
    .await;

    let first = c.fetch_inbox(&ch, None).await.unwrap();
    let got: Vec<&str> = first.items.iter().map(|i| i.remote_id.as_str()).collect();
    assert_eq!(got, [reply_uri.as_str(), mention_uri.as_str()]);
    let (r, m) = (&first.items[0], &first.items[1]);
    assert_eq!(r.kind, InboxKind::Comment);
    assert_eq!(r.parent_remote_id.as_deref(), Some(root.remote_id.as_str()));
    assert_eq!(r.root_remote_id.as_deref(), Some(root.remote_id.as_str()));
    assert_eq!(r.author, theirs.handle);
    assert_eq!(r.author_id.as_deref(), Some(theirs.did.as_str()));
    assert_eq!(m.kind, InboxKind::Mention);
    assert_eq!(m.parent_remote_id, None);

    let again = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, first.cursor);
    let reply_ref = json!({"uri": reply_uri, "cid": reply_cid});
    let (deeper, _) = write(
        &theirs,
        &token,
        json!({"$type": "app.bsky.feed.post", "text": "And more", "createdAt": now(),
               "reply": {"root": root_ref, "parent": reply_ref}}),
    )
    .await;
    let next = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].remote_id, deeper);
    assert_eq!(
        next.items[0].parent_remote_id.as_deref(),
        Some(reply_uri.as_str())
    );

    // Our reply to their reply: root is our post, parent theirs; the same key twice makes
    // one record (the derived rkey), found again by reconcile_reply.
    let answer = post("reply-key", "Thank you!", Vec::new());
    let made = c.reply(&ch, &reply_uri, &answer).await.unwrap();
    assert_eq!(c.reply(&ch, &reply_uri, &answer).await.unwrap(), made);
    assert_eq!(
        c.reconcile_reply(&ch, &reply_uri, &answer).await.unwrap(),
        Some(made.clone())
    );
    let rkey = made.remote_id.rsplit('/').next().unwrap().to_string();
    assert_eq!(rkey, rkey_for("reply-key"));
    let (status, mine) = get_record(&ours, &rkey).await;
    assert_eq!(status, 200);
    assert_eq!(mine["value"]["reply"]["root"]["uri"], json!(root.remote_id));
    assert_eq!(mine["value"]["reply"]["parent"]["uri"], json!(reply_uri));
    assert_eq!(mine["value"]["reply"]["parent"]["cid"], json!(reply_cid));
    // Our own reply is not in our inbox.
    let after = c.fetch_inbox(&ch, next.cursor.as_deref()).await.unwrap();
    assert!(after.items.is_empty());
    // A URI that is not a post, and a post that is gone.
    assert!(matches!(
        c.reply(&ch, "https://bsky.app/x", &post("k2", "x", Vec::new()))
            .await,
        Err(PublishError::Refused {
            retryable: false,
            ..
        })
    ));
    let gone = format!("at://{}/app.bsky.feed.post/3zzzzzzzzzzzz", theirs.did);
    assert!(matches!(
        c.reply(&ch, &gone, &post("k3", "x", Vec::new())).await,
        Err(PublishError::Refused { .. })
    ));
    // Without an AppView the default source cannot answer: an error, never a silent empty.
    ch.settings["inbox_source"] = json!("appview");
    assert!(c.fetch_inbox(&ch, None).await.is_err());
}
