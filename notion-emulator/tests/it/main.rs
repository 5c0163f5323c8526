//! Integration tests: each drives a real emulator over loopback HTTP, through the `notion`
//! client where it has a method and with raw HTTP for error paths and shapes.

mod binary;
mod blocks;
mod build;
mod cli;
mod corpus;
mod databases;
mod faults;
mod hooks;
mod markdown;
mod markdown_more;
mod oauth;
mod page_ops;
mod pages;
mod paging;
mod persist;
mod queries;
mod rate_limit;
mod search;
mod shape;
mod support;
mod users;
mod view;
mod webhooks;
