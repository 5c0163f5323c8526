//! The panel's clear states, each with what to do and a way out: the relay stopped (error
//! banner; Retry works once it is back), Notion's token revoked (Reconnect Notion), a page that
//! can no longer be reached (the card says how to share it again), and the panel opened outside
//! Replit. Plus the theme, followed live.

mod common;

use common::*;
use fantoccini::Locator;

#[tokio::test]
async fn relay_stopped_then_back_and_retry() {
    let Some(mut f) = Fixture::start("relay down and back").await else {
        return;
    };
    f.open_connected().await;
    f.map_new_page("notes.md", false).await;
    f.sync_card("notes.md", "created").await;
    let c = &f.c;
    wait_css(c, "#live-status[data-live='true']").await;

    f.stack.stop_relay();
    let c = &f.c;
    let banner = wait_text(c, "#error-banner", "Can't reach the sync server").await;
    let text = banner.text().await.unwrap();
    assert!(
        text.contains(&f.stack.relay_url.trim_end_matches('/').to_string()),
        "{text}"
    );
    wait_css(c, "#error-banner .retry").await;
    wait_css(c, "#live-status[data-live='false']").await;

    f.stack.start_relay().expect("the relay starts again");
    let c = &f.c;
    click(c, "#error-banner .retry").await;
    wait_gone(c, "#error-banner").await;
    wait_css(c, "#live-status[data-live='true']").await;
    f.sync_card("notes.md", "unchanged").await;
    f.finish().await;
}

#[tokio::test]
async fn notion_refusals_say_what_to_do() {
    let Some(f) = Fixture::start("Notion token revoked, page unreachable").await else {
        return;
    };
    let c = &f.c;
    f.open_connected().await;
    f.map_new_page("notes.md", false).await;
    f.sync_card("notes.md", "created").await;

    // The emulator forgets every token and page (as if the connection were revoked in Notion).
    f.api().await.reset().await;
    click(c, ".mapping-card[data-path='notes.md'] .sync-now").await;
    wait_text(c, "#error-banner", "Notion refused this connection").await;
    wait_css(
        c,
        "#sync-result[data-state='done'] .sync-item[data-action='failed']",
    )
    .await;

    // Reconnect Notion from the banner (the OAuth popup again).
    let main_window = c.window().await.unwrap();
    click(c, "#error-banner .reconnect").await;
    let popup = loop {
        let windows = c.windows().await.unwrap();
        if let Some(w) = windows.into_iter().find(|w| *w != main_window) {
            break w;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    c.switch_to_window(popup).await.unwrap();
    click(c, "#allow").await;
    c.switch_to_window(main_window).await.unwrap();
    enter_panel(c).await;
    wait_gone(c, "#error-banner").await;

    // The page the mapping had is gone from this workspace now: the card explains, with a Retry.
    click(c, ".mapping-card[data-path='notes.md'] .sync-now").await;
    let alert = wait_css(
        c,
        ".mapping-card[data-path='notes.md'] .card-alert[data-trouble='permission_lost']",
    )
    .await;
    let text = alert.text().await.unwrap();
    assert!(
        text.contains("Connections"),
        "says how to share it again: {text}"
    );
    wait_css(c, ".mapping-card[data-path='notes.md'] .card-retry").await;
    f.finish().await;
}

async fn theme_var(c: &fantoccini::Client) -> (String, String) {
    let v = js(
        c,
        "return [getComputedStyle(document.documentElement).getPropertyValue('--background-root').trim().toUpperCase(), document.documentElement.dataset.theme || '']",
    )
    .await;
    (
        v[0].as_str().unwrap_or_default().to_string(),
        v[1].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn theme_switch_is_followed_live() {
    let Some(f) = Fixture::start("theme").await else {
        return;
    };
    let c = &f.c;
    f.open().await;
    eventually("the dark theme applies", WAIT, || async {
        theme_var(c).await == ("#0E1525".to_string(), "dark".to_string())
    })
    .await;
    for (toggle_to, bg, scheme) in [("light", "#F5F9FC", "light"), ("dark", "#0E1525", "dark")] {
        leave_panel(c).await;
        click(c, "#theme-toggle").await;
        let now = js(c, "return window.simulator.theme").await;
        assert_eq!(now.as_str(), Some(toggle_to));
        enter_panel(c).await;
        eventually(
            &format!("the panel follows to {toggle_to}"),
            WAIT,
            || async { theme_var(c).await == (bg.to_string(), scheme.to_string()) },
        )
        .await;
    }
    f.finish().await;
}

#[tokio::test]
async fn outside_replit_says_open_inside_replit() {
    let Some(f) = Fixture::start("outside Replit").await else {
        return;
    };
    let c = &f.c;
    c.goto(&f.stack.panel_url).await.unwrap();
    wait_text(c, "#not-in-replit", "Open this panel inside Replit").await;
    wait_css(c, "#not-in-replit .retry").await;
    assert!(c.find(Locator::Css("#handshake-ok")).await.is_err());
    f.finish().await;
}
