//! Cursor pagination as Notion does it: `page_size` 1–100 (default 100; larger values are
//! served as 100, as recorded), `next_cursor` is the id of the first item of the next page, and
//! a cursor that names no item of the list is a `validation_error`.

use serde_json::Value;

use crate::errors::{ApiError, ApiResult};
use crate::ids;

pub const DEFAULT_PAGE_SIZE: usize = 100;

/// `page_size` from a GET query parameter.
pub fn page_size_param(raw: Option<&str>) -> ApiResult<usize> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(s) => match s.trim().parse::<i64>() {
            Ok(n) if n >= 1 => Ok((n as usize).min(DEFAULT_PAGE_SIZE)),
            _ => Err(ApiError::validation(format!(
                "query failed validation: query.page_size should be a number between 1 and 100, instead was `{s}`."
            ))),
        },
    }
}

/// `page_size` from a JSON body.
pub fn page_size_field(value: Option<&Value>, path: &str) -> ApiResult<usize> {
    match value {
        None | Some(Value::Null) => Ok(DEFAULT_PAGE_SIZE),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => Ok((n as usize).min(DEFAULT_PAGE_SIZE)),
            _ => Err(ApiError::validation(format!(
                "body failed validation: {path} should be a number between 1 and 100, instead was `{v}`."
            ))),
        },
    }
}

/// One page of `items` starting at the item whose id is `cursor`; the cursor of the next page.
pub fn page<T>(
    items: Vec<T>,
    id_of: impl Fn(&T) -> uuid::Uuid,
    cursor: Option<&str>,
    page_size: usize,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let start = match cursor {
        None => 0,
        Some(c) => ids::parse(c)
            .and_then(|id| items.iter().position(|i| id_of(i) == id))
            .ok_or_else(|| {
                ApiError::validation(format!("start_cursor provided is invalid: {c}"))
            })?,
    };
    let end = (start + page_size).min(items.len());
    let next = items.get(end).map(|i| ids::dashed(id_of(i)));
    let page = items.into_iter().skip(start).take(end - start).collect();
    Ok((page, next))
}

/// Query parameters of a GET as pairs (repeated keys kept).
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of a query parameter.
pub fn query_value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_cursors() {
        let items: Vec<uuid::Uuid> = (0..5).map(|_| ids::new_id()).collect();
        let (first, next) = page(items.clone(), |i| *i, None, 2).unwrap();
        assert_eq!(first, items[..2]);
        let (second, _) = page(items.clone(), |i| *i, next.as_deref(), 2).unwrap();
        assert_eq!(second, items[2..4]);
        assert!(page(items.clone(), |i| *i, Some("nope"), 2).is_err());
        let (last, none) = page(items.clone(), |i| *i, Some(&ids::dashed(items[4])), 2).unwrap();
        assert_eq!((last.len(), none), (1, None));
        assert_eq!(page_size_param(Some("101")).unwrap(), 100);
        assert!(page_size_param(Some("0")).is_err());
        assert!(page_size_param(Some("x")).is_err());
    }
}
