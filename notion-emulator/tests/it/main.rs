//! Integration tests: each drives a real emulator over loopback HTTP, through the `notion`
//! client where it has a method and with raw HTTP for error paths and shapes.

mod binary;
mod hooks;
mod markdown;
mod oauth;
mod pages;
mod search;
mod shape;
mod support;
mod users;
