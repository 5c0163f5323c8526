//! Cursor pagination as streams.
//!
//! Notion's list endpoints (search, block children, data source query, …) answer one page at a
//! time: `{results, has_more, next_cursor}`. [`pages`] and [`items`] turn "fetch the page after
//! this cursor" into a [`Stream`], so callers iterate without handling cursors, and stop early
//! by dropping the stream (no further request is sent). Any endpoint that answers a
//! [`ListResponse`] can use them:
//!
//! ```no_run
//! # async fn demo(client: notion::NotionClient, token: notion::AccessToken) {
//! use futures::TryStreamExt as _;
//! let req = notion::SearchRequest::pages("");
//! let all: Vec<notion::SearchResult> = notion::paginate::items(|cursor| {
//!     let (client, token) = (client.clone(), token.clone());
//!     let mut req = req.clone();
//!     req.start_cursor = cursor;
//!     async move { client.search(&token, &req).await }
//! })
//! .try_collect()
//! .await
//! .unwrap();
//! # }
//! ```

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream, TryStreamExt};

use crate::errors::NotionError;
use crate::models::ListResponse;

/// A guard against servers that never stop: after this many pages the stream ends with an error.
pub const MAX_PAGES: usize = 100_000;

enum Cursor {
    Start,
    After(String),
    Done,
}

/// Every page of a list, in order; ends after the page with `has_more: false` (or the first
/// error). `fetch(None)` asks for the first page, `fetch(Some(cursor))` for the next one.
pub fn pages<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<ListResponse<T>, NotionError>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<ListResponse<T>, NotionError>>,
{
    let state = (fetch, Cursor::Start, HashSet::<String>::new(), 0usize);
    stream::unfold(state, |(mut fetch, cursor, mut seen, count)| async move {
        let cursor = match cursor {
            Cursor::Done => return None,
            Cursor::Start => None,
            Cursor::After(c) => Some(c),
        };
        if count >= MAX_PAGES {
            let err = NotionError::InvalidRequest(format!(
                "pagination did not end after {MAX_PAGES} pages"
            ));
            return Some((Err(err), (fetch, Cursor::Done, seen, count)));
        }
        match fetch(cursor).await {
            Err(err) => Some((Err(err), (fetch, Cursor::Done, seen, count))),
            Ok(page) => {
                let next = match (&page.next_cursor, page.has_more) {
                    (Some(next), true) if seen.insert(next.clone()) => Cursor::After(next.clone()),
                    (Some(_), true) => {
                        let err = NotionError::InvalidRequest(
                            "pagination cursor repeated; stopping".into(),
                        );
                        return Some((Err(err), (fetch, Cursor::Done, seen, count)));
                    }
                    // `has_more` without a cursor cannot be followed; end rather than loop.
                    _ => Cursor::Done,
                };
                Some((Ok(page), (fetch, next, seen, count + 1)))
            }
        }
    })
}

/// Every item of every page, in order (see [`pages`]).
pub fn items<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, NotionError>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<ListResponse<T>, NotionError>>,
{
    pages(fetch)
        .map_ok(|page| stream::iter(page.results.into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn page(items: Vec<u32>, next: Option<&str>) -> ListResponse<u32> {
        ListResponse::new("block", items, next.map(str::to_string))
    }

    #[tokio::test]
    async fn follows_cursors_and_flattens() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let all: Vec<u32> = items(move |cursor| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(match cursor.as_deref() {
                    None => page(vec![1, 2], Some("b")),
                    Some("b") => page(vec![3], Some("c")),
                    Some(_) => page(vec![4], None),
                })
            }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(all, vec![1, 2, 3, 4]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn stops_early_without_fetching_more() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let first: Vec<u32> = items(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move { Ok(page(vec![7, 8], Some("again"))) }
        })
        .take(2)
        .try_collect()
        .await
        .unwrap();
        assert_eq!(first, vec![7, 8]);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn ends_on_errors_and_repeated_cursors() {
        let results: Vec<Result<u32, NotionError>> =
            items(|_| async { Ok(page(vec![1], Some("same"))) })
                .collect()
                .await;
        assert_eq!(results.len(), 2, "the first page, then the loop error");
        assert!(results[0].is_ok() && results[1].is_err());
        let results: Vec<Result<u32, NotionError>> =
            items(|_| async { Err::<ListResponse<u32>, _>(NotionError::Timeout) })
                .collect()
                .await;
        assert_eq!(results.len(), 1);
        assert!(matches!(results[0], Err(NotionError::Timeout)));
    }
}
