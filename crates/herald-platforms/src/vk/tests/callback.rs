//! The Callback API's handshake and events, as [`callback::handle_callback`] reads them.

use super::*;
use crate::vk::callback::{
    handle_callback, handle_channel_callback, CallbackAnswer, CallbackEvent, CallbackRefusal,
};

const GROUP: u64 = 218_000_001;

fn body(value: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn confirmation_answers_the_channels_string() {
    let confirm = body(json!({"type": "confirmation", "group_id": GROUP, "event_id": "e1"}));
    assert_eq!(
        handle_callback(&confirm, GROUP, Some("1a2b3c4d"), Some("s3cret")),
        Ok(CallbackAnswer::Confirm("1a2b3c4d".into()))
    );
    assert_eq!(
        handle_callback(&confirm, GROUP, None, None),
        Err(CallbackRefusal::NoConfirmation)
    );
    assert_eq!(
        handle_callback(&confirm, GROUP + 1, Some("x"), None),
        Err(CallbackRefusal::OtherGroup(GROUP as i64))
    );
}

#[test]
fn a_new_comment_is_ok_and_an_item_and_a_wrong_secret_is_refused() {
    let event = json!({
        "type": "wall_reply_new", "group_id": GROUP, "event_id": "e2", "v": "5.199",
        "secret": "s3cret",
        "object": {
            "id": 42, "from_id": 7, "date": 1_700_000_000, "text": "Nice!",
            "post_owner_id": -(GROUP as i64), "post_id": 5, "owner_id": -(GROUP as i64),
            "parents_stack": [40], "reply_to_comment": 41, "reply_to_user": 8,
        },
    });
    let answer = handle_callback(&body(event.clone()), GROUP, Some("c"), Some("s3cret")).unwrap();
    let CallbackAnswer::Ok(Some(CallbackEvent::New(item))) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(item.remote_id, format!("-{GROUP}_5_42"));
    assert_eq!(item.parent_remote_id, Some(format!("-{GROUP}_5_41")));
    assert_eq!(item.root_remote_id, Some(format!("-{GROUP}_5")));
    assert_eq!(item.created_at_ms, 1_700_000_000_000);
    assert_eq!(item.text, "Nice!");
    for (got, wanted) in [
        (Some("wrong"), Some("s3cret")),
        (None, Some("s3cret")),
        (Some("x"), None),
    ] {
        let mut e = event.clone();
        match got {
            Some(s) => e["secret"] = json!(s),
            None => {
                e.as_object_mut().unwrap().remove("secret");
            }
        }
        assert_eq!(
            handle_callback(&body(e), GROUP, Some("c"), wanted),
            Err(CallbackRefusal::BadSecret)
        );
    }
    let mut edit = event.clone();
    edit["type"] = json!("wall_reply_edit");
    assert!(matches!(
        handle_callback(&body(edit), GROUP, None, Some("s3cret")),
        Ok(CallbackAnswer::Ok(Some(CallbackEvent::Edited(_))))
    ));
}

#[test]
fn deletes_other_events_and_garbage() {
    let delete = json!({
        "type": "wall_reply_delete", "group_id": GROUP, "event_id": "e3",
        "object": {"owner_id": -(GROUP as i64), "id": 42, "deleter_id": 1, "post_id": 5},
    });
    assert_eq!(
        handle_callback(&body(delete), GROUP, None, None),
        Ok(CallbackAnswer::Ok(Some(CallbackEvent::Deleted(format!(
            "-{GROUP}_5_42"
        )))))
    );
    let join = json!({"type": "group_join", "group_id": GROUP, "event_id": "e4", "object": {}});
    assert_eq!(
        handle_callback(&body(join), GROUP, None, None),
        Ok(CallbackAnswer::Ok(None))
    );
    assert!(matches!(
        handle_callback(b"not json", GROUP, None, None),
        Err(CallbackRefusal::Malformed(_))
    ));
    let no_post = json!({"type": "wall_reply_new", "group_id": GROUP, "object": {"id": 1}});
    assert!(matches!(
        handle_callback(&body(no_post), GROUP, None, None),
        Err(CallbackRefusal::Malformed(_))
    ));
}

#[test]
fn the_channels_own_codes_are_used() {
    let ch = ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings: json!({"group_id": GROUP, "callback_confirmation": "abc123"}),
        credentials: Secret::new(json!({"access_token": "t", "callback_secret": "s"})),
    };
    let confirm = body(json!({"type": "confirmation", "group_id": GROUP}));
    assert_eq!(
        handle_channel_callback(&ch, &confirm),
        Ok(CallbackAnswer::Confirm("abc123".into()))
    );
    let bad = body(json!({"type": "group_join", "group_id": GROUP, "secret": "nope"}));
    assert_eq!(
        handle_channel_callback(&ch, &bad),
        Err(CallbackRefusal::BadSecret)
    );
}
