//! Endpoint methods beyond the Markdown path: blocks, page updates and moves, property items,
//! databases, data sources and their queries, async writes. Every method goes through
//! [`NotionClient::execute`], so headers, retries, error mapping and tracing are shared.

use reqwest::Method;
use serde_json::Value;

use crate::client::{encode, Auth, Call};
use crate::errors::NotionError;
use crate::models::{
    AppendBlockChildren, AsyncTask, Block, CreateDataSourceRequest, CreateDatabaseRequest,
    CreatePageRequest, DataSource, Database, ListResponse, MovePageRequest, Page, PageOrDataSource,
    Pagination, PropertyItemResponse, QueryRequest, UpdateBlock, UpdateDataSourceRequest,
    UpdateDatabaseRequest, UpdatePageMarkdown, UpdatePageRequest,
};
use crate::token::AccessToken;
use crate::NotionClient;

/// Notion's property ids are URL-encoded already (`%3E%5DWj`); the URL builder encodes path
/// segments itself, so decode first to avoid double encoding.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let (h, l) = (hex(h).unwrap_or(0), hex(l).unwrap_or(0));
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Adds `"allow_async": true` to a request body.
fn with_allow_async<T: serde::Serialize>(req: &T) -> Result<Vec<u8>, NotionError> {
    let mut body =
        serde_json::to_value(req).map_err(|e| NotionError::InvalidRequest(e.to_string()))?;
    match &mut body {
        Value::Object(map) => {
            map.insert("allow_async".into(), Value::Bool(true));
        }
        _ => return Err(NotionError::InvalidRequest("body is not an object".into())),
    }
    encode(&body)
}

impl NotionClient {
    fn call<'a>(
        method: Method,
        route: &'static str,
        segments: Vec<&'a str>,
        token: &'a AccessToken,
    ) -> Call<'a> {
        Call {
            method,
            route,
            segments,
            query: Vec::new(),
            body: None,
            auth: Auth::Bearer(token),
        }
    }

    // ---- blocks ---------------------------------------------------------------------------

    /// `GET /v1/blocks/{id}` (a page id answers a `child_page` block).
    pub async fn retrieve_block(
        &self,
        token: &AccessToken,
        block_id: &str,
    ) -> Result<Block, NotionError> {
        self.execute(Self::call(
            Method::GET,
            "/v1/blocks/{id}",
            vec!["blocks", block_id],
            token,
        ))
        .await
    }

    /// `GET /v1/blocks/{id}/children`: one page of direct children.
    pub async fn list_block_children(
        &self,
        token: &AccessToken,
        block_id: &str,
        page: &Pagination,
    ) -> Result<ListResponse<Block>, NotionError> {
        let mut call = Self::call(
            Method::GET,
            "/v1/blocks/{id}/children",
            vec!["blocks", block_id, "children"],
            token,
        );
        call.query = page.query();
        self.execute(call).await
    }

    /// Every direct child, following cursors.
    pub async fn list_all_block_children(
        &self,
        token: &AccessToken,
        block_id: &str,
    ) -> Result<Vec<Block>, NotionError> {
        let mut page = Pagination::default();
        let mut all = Vec::new();
        loop {
            let list = self.list_block_children(token, block_id, &page).await?;
            all.extend(list.results);
            match list.next_cursor {
                Some(cursor) if list.has_more => page = page.after(&cursor),
                _ => return Ok(all),
            }
        }
    }

    /// `PATCH /v1/blocks/{id}/children`: the answer lists the new first-level blocks. The body
    /// uses `position` from Notion-Version 2026-03-11 on and the flat `after` before.
    pub async fn append_block_children(
        &self,
        token: &AccessToken,
        block_id: &str,
        req: &AppendBlockChildren,
    ) -> Result<ListResponse<Block>, NotionError> {
        let body = req
            .body_for_version(&self.config().notion_version)
            .map_err(|e| NotionError::InvalidRequest(e.to_string()))?;
        let mut call = Self::call(
            Method::PATCH,
            "/v1/blocks/{id}/children",
            vec!["blocks", block_id, "children"],
            token,
        );
        call.body = Some(encode(&body)?);
        self.execute(call).await
    }

    /// `PATCH /v1/blocks/{id}`: new payload (same type) and/or trash flag.
    pub async fn update_block(
        &self,
        token: &AccessToken,
        block_id: &str,
        req: &UpdateBlock,
    ) -> Result<Block, NotionError> {
        let mut call = Self::call(
            Method::PATCH,
            "/v1/blocks/{id}",
            vec!["blocks", block_id],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `DELETE /v1/blocks/{id}`: to the trash (works on page and database ids too).
    pub async fn delete_block(
        &self,
        token: &AccessToken,
        block_id: &str,
    ) -> Result<Block, NotionError> {
        self.execute(Self::call(
            Method::DELETE,
            "/v1/blocks/{id}",
            vec!["blocks", block_id],
            token,
        ))
        .await
    }

    // ---- pages ----------------------------------------------------------------------------

    /// `PATCH /v1/pages/{id}`: properties, icon, cover, trash/lock/archive flags.
    pub async fn update_page(
        &self,
        token: &AccessToken,
        page_id: &str,
        req: &UpdatePageRequest,
    ) -> Result<Page, NotionError> {
        let mut call = Self::call(
            Method::PATCH,
            "/v1/pages/{id}",
            vec!["pages", page_id],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `POST /v1/pages/{id}/move`.
    pub async fn move_page(
        &self,
        token: &AccessToken,
        page_id: &str,
        req: &MovePageRequest,
    ) -> Result<Page, NotionError> {
        let mut call = Self::call(
            Method::POST,
            "/v1/pages/{id}/move",
            vec!["pages", page_id, "move"],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `GET /v1/pages/{id}/properties/{property_id}`: one property, paginated for title,
    /// rich text, relation, people and rollup values (which the page object caps at 25).
    pub async fn retrieve_page_property(
        &self,
        token: &AccessToken,
        page_id: &str,
        property_id: &str,
        page: &Pagination,
    ) -> Result<PropertyItemResponse, NotionError> {
        let property = percent_decode(property_id);
        let mut call = Self::call(
            Method::GET,
            "/v1/pages/{id}/properties/{property_id}",
            vec!["pages", page_id, "properties", &property],
            token,
        );
        call.query = page.query();
        self.execute(call).await
    }

    /// `POST /v1/pages` with `allow_async: true` (Markdown content): answers 202 with a task
    /// to poll with [`NotionClient::retrieve_async_task`].
    pub async fn create_page_async(
        &self,
        token: &AccessToken,
        req: &CreatePageRequest,
    ) -> Result<AsyncTask, NotionError> {
        let mut call = Self::call(Method::POST, "/v1/pages", vec!["pages"], token);
        call.body = Some(with_allow_async(req)?);
        self.execute(call).await
    }

    /// `PATCH /v1/pages/{id}/markdown` with `allow_async: true`: answers 202 with a task.
    pub async fn update_page_markdown_async(
        &self,
        token: &AccessToken,
        page_id: &str,
        req: &UpdatePageMarkdown,
    ) -> Result<AsyncTask, NotionError> {
        let mut call = Self::call(
            Method::PATCH,
            "/v1/pages/{id}/markdown",
            vec!["pages", page_id, "markdown"],
            token,
        );
        call.body = Some(with_allow_async(req)?);
        self.execute(call).await
    }

    // ---- databases and data sources -------------------------------------------------------

    /// `POST /v1/databases`: a container and its initial data source.
    pub async fn create_database(
        &self,
        token: &AccessToken,
        req: &CreateDatabaseRequest,
    ) -> Result<Database, NotionError> {
        let mut call = Self::call(Method::POST, "/v1/databases", vec!["databases"], token);
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `GET /v1/databases/{id}`.
    pub async fn retrieve_database(
        &self,
        token: &AccessToken,
        database_id: &str,
    ) -> Result<Database, NotionError> {
        self.execute(Self::call(
            Method::GET,
            "/v1/databases/{id}",
            vec!["databases", database_id],
            token,
        ))
        .await
    }

    /// `PATCH /v1/databases/{id}`: container metadata.
    pub async fn update_database(
        &self,
        token: &AccessToken,
        database_id: &str,
        req: &UpdateDatabaseRequest,
    ) -> Result<Database, NotionError> {
        let mut call = Self::call(
            Method::PATCH,
            "/v1/databases/{id}",
            vec!["databases", database_id],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `POST /v1/databases/{id}/query`: the pre-2025-09-03 row query (single-source
    /// databases; Notion answers it only with an older Notion-Version).
    pub async fn query_database(
        &self,
        token: &AccessToken,
        database_id: &str,
        req: &QueryRequest,
    ) -> Result<ListResponse<PageOrDataSource>, NotionError> {
        let mut call = Self::call(
            Method::POST,
            "/v1/databases/{id}/query",
            vec!["databases", database_id, "query"],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `POST /v1/data_sources`: another data source in a database.
    pub async fn create_data_source(
        &self,
        token: &AccessToken,
        req: &CreateDataSourceRequest,
    ) -> Result<DataSource, NotionError> {
        let mut call = Self::call(
            Method::POST,
            "/v1/data_sources",
            vec!["data_sources"],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `GET /v1/data_sources/{id}`: schema and metadata.
    pub async fn retrieve_data_source(
        &self,
        token: &AccessToken,
        data_source_id: &str,
    ) -> Result<DataSource, NotionError> {
        self.execute(Self::call(
            Method::GET,
            "/v1/data_sources/{id}",
            vec!["data_sources", data_source_id],
            token,
        ))
        .await
    }

    /// `PATCH /v1/data_sources/{id}`: schema changes (add, rename, delete properties) and
    /// metadata.
    pub async fn update_data_source(
        &self,
        token: &AccessToken,
        data_source_id: &str,
        req: &UpdateDataSourceRequest,
    ) -> Result<DataSource, NotionError> {
        let mut call = Self::call(
            Method::PATCH,
            "/v1/data_sources/{id}",
            vec!["data_sources", data_source_id],
            token,
        );
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// `POST /v1/data_sources/{id}/query`: one page of rows. `filter_properties` (names or
    /// ids) limits the properties returned on each row; empty returns them all.
    pub async fn query_data_source(
        &self,
        token: &AccessToken,
        data_source_id: &str,
        req: &QueryRequest,
        filter_properties: &[&str],
    ) -> Result<ListResponse<PageOrDataSource>, NotionError> {
        let mut call = Self::call(
            Method::POST,
            "/v1/data_sources/{id}/query",
            vec!["data_sources", data_source_id, "query"],
            token,
        );
        call.query = filter_properties
            .iter()
            .map(|p| ("filter_properties", p.to_string()))
            .collect();
        call.body = Some(encode(req)?);
        self.execute(call).await
    }

    /// Every row matching `req`, following cursors.
    pub async fn query_data_source_all(
        &self,
        token: &AccessToken,
        data_source_id: &str,
        req: &QueryRequest,
    ) -> Result<Vec<PageOrDataSource>, NotionError> {
        let mut req = req.clone();
        let mut all = Vec::new();
        loop {
            let list = self
                .query_data_source(token, data_source_id, &req, &[])
                .await?;
            all.extend(list.results);
            match list.next_cursor {
                Some(cursor) if list.has_more => req.start_cursor = Some(cursor),
                _ => return Ok(all),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_ids_are_decoded_once() {
        assert_eq!(percent_decode("%3E%5DWj"), ">]Wj");
        assert_eq!(percent_decode("title"), "title");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
