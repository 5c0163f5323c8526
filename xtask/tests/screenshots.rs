//! `cargo xtask e2e --screenshots`: regenerates docs/screenshots/ — every screen of the panel in
//! the workspace simulator, in Replit's dark and light themes (`<screen>-dark.png`,
//! `<screen>-light.png`). Runs only when E2E_SCREENSHOTS names the output folder.

mod common;

use common::*;
use fantoccini::Locator;
use std::path::PathBuf;
use std::time::Duration;

struct Shots {
    dir: PathBuf,
    names: Vec<String>,
}

async fn set_theme(f: &Fixture, theme: &str) {
    let c = &f.c;
    leave_panel(c).await;
    js(
        c,
        &format!("window.simulator.setTheme('{theme}'); return null;"),
    )
    .await;
    let bg = if theme == "light" {
        "#F5F9FC"
    } else {
        "#0E1525"
    };
    if c.find(Locator::Css("iframe#panel-frame")).await.is_ok() {
        enter_panel(c).await;
        eventually("the theme applies", WAIT, || async {
            js(c, "return getComputedStyle(document.documentElement).getPropertyValue('--background-root').trim().toUpperCase()")
                .await
                .as_str()
                == Some(bg)
        })
        .await;
        leave_panel(c).await;
    }
}

impl Shots {
    /// The panel's iframe in both themes (or the whole simulator page with `page`), then back
    /// into the panel in the dark theme.
    async fn take(&mut self, f: &Fixture, name: &str, page: bool) {
        let c = &f.c;
        // Let spinners and transitions settle.
        tokio::time::sleep(Duration::from_millis(400)).await;
        for theme in ["dark", "light"] {
            set_theme(f, theme).await;
            tokio::time::sleep(Duration::from_millis(250)).await;
            let png = if page {
                c.screenshot().await.unwrap()
            } else {
                wait_css(c, "iframe#panel-frame")
                    .await
                    .screenshot()
                    .await
                    .unwrap()
            };
            let file = format!("{name}-{theme}.png");
            std::fs::write(self.dir.join(&file), png).unwrap();
            self.names.push(file);
        }
        set_theme(f, "dark").await;
        if c.find(Locator::Css("iframe#panel-frame")).await.is_ok() {
            enter_panel(c).await;
        }
    }
}

#[tokio::test]
async fn screenshots_of_every_screen() {
    let Ok(dir) = std::env::var("E2E_SCREENSHOTS") else {
        eprintln!("skipping the screenshots: `cargo xtask e2e --screenshots` makes them");
        return;
    };
    let Some(mut f) = Fixture::start_sized("screenshots", 1080, 820).await else {
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut shots = Shots {
        dir: dir.clone(),
        names: Vec::new(),
    };
    let api = f.api().await;

    // Outside a workspace (no theme from a host: the page's own dark and light defaults).
    {
        let c = &f.c;
        c.goto(&f.stack.panel_url).await.unwrap();
        wait_css(c, "#not-in-replit").await;
        for theme in ["dark", "light"] {
            js(
                c,
                &format!("document.documentElement.dataset.theme = '{theme}'; return null;"),
            )
            .await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let file = format!("not-in-replit-{theme}.png");
            std::fs::write(dir.join(&file), c.screenshot().await.unwrap()).unwrap();
            shots.names.push(file);
        }
    }

    // Connect.
    f.open().await;
    wait_css(&f.c, "#connect-notion").await;
    shots.take(&f, "connect", false).await;
    f.connect_notion().await;

    // The first mapping's form, then a few mappings in different states.
    wait_css(&f.c, "#file-select").await;
    f.map_new_page("notes.md", false).await;
    f.sync_card("notes.md", "created").await;
    f.map_new_page("README.md", false).await;
    f.sync_card("README.md", "created").await;
    {
        let c = &f.c;
        click(c, "#new-mapping-button").await;
        click(c, "#file-select option[value='docs/spec.md']").await;
        click(c, "#target-existing").await;
        type_into(c, "#page-search", "Road").await;
        wait_text(c, ".page-result", "Roadmap")
            .await
            .click()
            .await
            .unwrap();
        wait_css(c, "#selected-page").await;
    }
    shots.take(&f, "new-mapping", false).await;
    {
        let c = &f.c;
        click(c, "#direction-select option[value='notion_to_replit']").await;
        click(c, "#create-mapping").await;
        wait_css(c, ".mapping-card[data-path='docs/spec.md']").await;
    }

    // A conflict on README.md, and a pull on notes.md (for its history).
    let readme_page = f.card_page("README.md").await;
    let readme = f.read("README.md");
    let line = readme
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap()
        .to_string();
    f.write(
        "README.md",
        &readme.replacen(&line, "The Repl's wording of this line.", 1),
    );
    let md = api.markdown(&readme_page).await;
    api.set_markdown(
        &readme_page,
        &md.replacen(&line, "Notion's wording of this line.", 1),
    )
    .await;
    f.sync_card("README.md", "conflict").await;
    let notes_page = f.card_page("notes.md").await;
    let md = api.markdown(&notes_page).await;
    api.set_markdown(
        &notes_page,
        &md.replace("Ideas and decisions", "Ideas, owners and decisions"),
    )
    .await;
    f.sync_card("notes.md", "pulled").await;
    shots.take(&f, "mappings", false).await;

    // Preview of docs/spec.md.
    click(&f.c, ".mapping-card[data-path='docs/spec.md'] .preview").await;
    wait_css(&f.c, "#preview[data-state='done']").await;
    shots.take(&f, "preview", false).await;
    click(&f.c, "#preview-close").await;

    // Conflicts: the list and the side-by-side view.
    click(&f.c, "#tab-conflicts").await;
    wait_css(&f.c, ".conflict-item").await;
    shots.take(&f, "conflicts", false).await;
    click(&f.c, ".conflict-item[data-path='README.md'] .open-conflict").await;
    wait_css(&f.c, "#conflict-view").await;
    shots.take(&f, "conflict", false).await;

    // History with a diff.
    click(&f.c, "#tab-mappings").await;
    click(&f.c, ".mapping-card[data-path='notes.md'] .history").await;
    click(&f.c, ".revision[data-reason='pull'] .revision-button").await;
    wait_css(&f.c, "#revision-diff .diff-line[data-change='added']").await;
    shots.take(&f, "history", false).await;

    // Activity and settings.
    click(&f.c, "#tab-activity").await;
    wait_css(&f.c, "#sync-logs .log-item").await;
    shots.take(&f, "activity", false).await;
    click(&f.c, "#tab-settings").await;
    click(&f.c, "#delete-my-data").await;
    shots.take(&f, "settings", false).await;

    // Workspace commands: the file-tree menu in the simulator.
    {
        let c = &f.c;
        click(c, "#tab-mappings").await;
        leave_panel(c).await;
        click(c, ".file-menu-button[data-path='notes.md']").await;
        wait_css(c, "#file-menu[data-ready='true'] .command-item").await;
    }
    shots.take(&f, "commands", true).await;
    leave_panel(&f.c).await;
    js(
        &f.c,
        "document.querySelector('#file-menu').hidden = true; return null;",
    )
    .await;

    // The relay stopped: the banner with Retry.
    enter_panel(&f.c).await;
    f.stack.stop_relay();
    wait_text(&f.c, "#error-banner", "Can't reach the sync server").await;
    shots.take(&f, "relay-unreachable", false).await;
    f.stack.start_relay().unwrap();

    println!("{} screenshots in {}", shots.names.len(), dir.display());
    f.finish().await;
}
