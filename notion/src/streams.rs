//! List endpoints as streams of items (see [`crate::paginate`]): each follows `next_cursor`
//! page by page, sends the next request only when the previous page has been consumed, and
//! stops when dropped.

use futures::Stream;

use crate::errors::NotionError;
use crate::models::{
    Block, PageOrDataSource, Pagination, QueryRequest, SearchRequest, SearchResult,
};
use crate::paginate;
use crate::token::AccessToken;
use crate::NotionClient;

impl NotionClient {
    /// `POST /v1/search`, every result (the request's own `start_cursor` is replaced).
    pub fn search_stream(
        &self,
        token: &AccessToken,
        req: &SearchRequest,
    ) -> impl Stream<Item = Result<SearchResult, NotionError>> + Send + 'static {
        let (client, token, req) = (self.clone(), token.clone(), req.clone());
        paginate::items(move |cursor| {
            let (client, token) = (client.clone(), token.clone());
            let mut req = req.clone();
            req.start_cursor = cursor;
            async move { client.search(&token, &req).await }
        })
    }

    /// `GET /v1/blocks/{id}/children`, every direct child.
    pub fn block_children_stream(
        &self,
        token: &AccessToken,
        block_id: &str,
    ) -> impl Stream<Item = Result<Block, NotionError>> + Send + 'static {
        let (client, token, block_id) = (self.clone(), token.clone(), block_id.to_string());
        paginate::items(move |cursor| {
            let (client, token, block_id) = (client.clone(), token.clone(), block_id.clone());
            let page = Pagination {
                start_cursor: cursor,
                page_size: None,
            };
            async move { client.list_block_children(&token, &block_id, &page).await }
        })
    }

    /// `POST /v1/data_sources/{id}/query`, every matching row (the request's own
    /// `start_cursor` is replaced).
    pub fn query_data_source_stream(
        &self,
        token: &AccessToken,
        data_source_id: &str,
        req: &QueryRequest,
    ) -> impl Stream<Item = Result<PageOrDataSource, NotionError>> + Send + 'static {
        let (client, token, id, req) = (
            self.clone(),
            token.clone(),
            data_source_id.to_string(),
            req.clone(),
        );
        paginate::items(move |cursor| {
            let (client, token, id) = (client.clone(), token.clone(), id.clone());
            let mut req = req.clone();
            req.start_cursor = cursor;
            async move { client.query_data_source(&token, &id, &req, &[]).await }
        })
    }
}
