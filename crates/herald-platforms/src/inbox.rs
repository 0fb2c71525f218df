//! What every connector's inbox shares: cursors over ids that only grow, and the rule that
//! polling again with the returned cursor never hands back an item already handed out.
//!
//! A page keeps the items whose id is above the cursor, oldest first, at most `limit` of
//! them, and its cursor is the last id it handed out; with nothing new, the cursor stays
//! where it was. Whatever is left over (more than `limit`) comes on the next poll.

use crate::connector::{InboxItem, InboxPage, PublishError};

/// `cursor` as the number it holds; `None` the first time.
pub(crate) fn number_cursor(cursor: Option<&str>) -> Result<Option<u64>, PublishError> {
    match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|_| PublishError::Refused {
            message: format!("the inbox cursor '{raw}' is not one this connector gave"),
            retryable: false,
        }),
    }
}

/// Items keyed by a number that grows with time: those above `after`, oldest first, at most
/// `limit`, and the cursor to pass next (the last key handed out, or `after` unchanged).
/// The same key twice (an item seen along two paths) is handed out once.
pub(crate) fn page_by_number(
    items: Vec<(u64, InboxItem)>,
    after: Option<u64>,
    limit: usize,
) -> InboxPage {
    page_by(items, after, limit, |k| k.to_string())
}

/// A cursor of an instant and an id, `MS:ID`, for platforms whose ids do not grow (reviews):
/// items are ordered by the instant, ties by the id.
pub(crate) fn time_cursor(cursor: Option<&str>) -> Result<Option<(i64, String)>, PublishError> {
    let Some(raw) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let parsed = raw
        .split_once(':')
        .and_then(|(ms, id)| Some((ms.parse::<i64>().ok()?, id.to_string())));
    parsed.map(Some).ok_or_else(|| PublishError::Refused {
        message: format!("the inbox cursor '{raw}' is not one this connector gave"),
        retryable: false,
    })
}

/// [`page_by_number`] over `(instant, id)` keys, with a [`time_cursor`].
pub(crate) fn page_by_time(
    items: Vec<((i64, String), InboxItem)>,
    after: Option<(i64, String)>,
    limit: usize,
) -> InboxPage {
    page_by(items, after, limit, |(ms, id)| format!("{ms}:{id}"))
}

fn page_by<K: Ord + Clone>(
    mut items: Vec<(K, InboxItem)>,
    after: Option<K>,
    limit: usize,
    show: impl Fn(&K) -> String,
) -> InboxPage {
    items.retain(|(key, _)| after.as_ref().is_none_or(|a| key > a));
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items.dedup_by(|a, b| a.0 == b.0);
    items.truncate(limit);
    let cursor = items.last().map(|(key, _)| key.clone()).or(after);
    InboxPage {
        items: items.into_iter().map(|(_, item)| item).collect(),
        cursor: cursor.as_ref().map(show),
    }
}

/// A Mastodon-style id (a decimal string, possibly longer than `u64` on some servers)
/// compared as a number: by length, then by digits.
pub(crate) fn id_greater(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::InboxKind;

    fn item(id: u64) -> (u64, InboxItem) {
        (
            id,
            InboxItem {
                remote_id: id.to_string(),
                kind: InboxKind::Comment,
                parent_remote_id: None,
                root_remote_id: None,
                author: String::new(),
                author_id: None,
                author_url: None,
                permalink: None,
                text: String::new(),
                rating: None,
                created_at_ms: 0,
            },
        )
    }

    fn ids(page: &InboxPage) -> Vec<&str> {
        page.items.iter().map(|i| i.remote_id.as_str()).collect()
    }

    #[test]
    fn pages_go_oldest_first_and_the_cursor_moves_only_forward() {
        let page = page_by_number(vec![item(5), item(2), item(9), item(2)], None, 2);
        assert_eq!(ids(&page), ["2", "5"]);
        assert_eq!(page.cursor.as_deref(), Some("5"));
        let after = number_cursor(page.cursor.as_deref()).unwrap();
        let next = page_by_number(vec![item(5), item(2), item(9)], after, 2);
        assert_eq!(ids(&next), ["9"]);
        let empty = page_by_number(vec![item(9)], Some(9), 2);
        assert!(empty.items.is_empty());
        assert_eq!(empty.cursor.as_deref(), Some("9"));
        assert_eq!(page_by_number(Vec::new(), None, 2).cursor, None);
        assert!(number_cursor(Some("x")).is_err());
        assert_eq!(number_cursor(Some(" ")).unwrap(), None);
    }

    #[test]
    fn time_cursors_order_by_instant_then_id() {
        let at = |ms: i64, id: &str| ((ms, id.to_string()), item(0).1);
        let page = page_by_time(vec![at(5, "b"), at(5, "a"), at(9, "c")], None, 2);
        assert_eq!(page.cursor.as_deref(), Some("5:b"));
        let after = time_cursor(page.cursor.as_deref()).unwrap();
        assert_eq!(after, Some((5, "b".to_string())));
        let next = page_by_time(vec![at(5, "a"), at(5, "b"), at(9, "c")], after, 2);
        assert_eq!(next.items.len(), 1);
        assert_eq!(next.cursor.as_deref(), Some("9:c"));
        assert!(time_cursor(Some("nope")).is_err());
    }

    #[test]
    fn long_ids_compare_as_numbers() {
        assert!(id_greater("110", "99"));
        assert!(!id_greater("99", "110"));
        assert!(id_greater("1000000000000000000000", "999"));
        assert!(!id_greater("5", "5"));
    }
}
