use super::*;
use expect_test::expect;

fn nfm(gfm: &str) -> String {
    to_notion(gfm)
}

#[test]
fn constructs_map_to_notion_equivalents() {
    let gfm = "# Title\n\nA paragraph that is\nsoft wrapped with *em*, **strong**, ~~gone~~, `code` and [a link](https://x.y).\n\n* one\n* two\n  1. nested\n  2. again\n\n3. three\n4. four\n\n- [ ] todo\n- [x] done\n\n> quoted\n> text\n\n```rs\nfn main() {}\n```\n\n```\nplain\n```\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n![cat](https://x.y/cat.png)\n\n---\n\n$$\nE = mc^2\n$$\n";
    expect![[r#"
        # Title
        A paragraph that is soft wrapped with *em*, **strong**, ~~gone~~, `code` and [a link](https://x.y).
        - one
        - two
        	1. nested
        	2. again
        1. three
        2. four
        - [ ] todo
        - [x] done
        > quoted text
        ```rust
        fn main() {}
        ```
        ```plain text
        plain
        ```
        <table header-row="true">
        <tr>
        <td>a</td>
        <td>b</td>
        </tr>
        <tr>
        <td>1</td>
        <td>2</td>
        </tr>
        </table>
        ![cat](https://x.y/cat.png)
        ---
        $$
        E = mc^2
        $$"#]]
    .assert_eq(&nfm(gfm));
}

#[test]
fn html_footnotes_and_references_survive() {
    let gfm = "<div align=\"center\">\n  <b>hi</b>\n</div>\n\nSee [the docs][d] and note[^1].\n\n[d]: https://docs.example\n\n[^1]: The note.\n";
    let blocks = to_blocks(gfm, &Options::v1());
    let md = notion_markdown::render(&blocks, Dialect::V1);
    expect![[r#"
        \<div align="center"\><br>  \<b\>hi\</b\><br>\</div\>
        See [the docs](https://docs.example) and note\[\^1\].
        \[\^1\]: The note."#]]
    .assert_eq(&md);
    let back = from_notion(&md);
    expect![[r#"
        <div align="center">
          <b>hi</b>
        </div>

        See [the docs](https://docs.example) and note[^1].

        [^1]: The note.
    "#]]
    .assert_eq(&back);
    assert_eq!(to_notion(&back), md);
}

#[test]
fn notion_only_blocks_become_islands_that_read_back() {
    let md = "Intro {color=\"blue\"}\n<callout icon=\"💡\" color=\"gray_bg\">\n\tNote\n</callout>\n<details>\n<summary>T</summary>\n\tx\n</details>\n## Toggle {toggle=\"true\"}\n\tinside\n<page url=\"https://www.notion.so/0123456789abcdef0123456789abcdef\">Child</page>\n<unknown url=\"https://www.notion.so/a#b\" alt=\"tweet\"/>\nText with <span color=\"red\">red</span> and <mention-user url=\"user://u1\"/>.";
    let file = from_notion(md);
    expect![[r#"
        <!-- notion -->
        Intro {color="blue"}
        <!-- /notion -->

        <callout icon="💡" color="gray_bg">
        	Note
        </callout>

        <details>
        <summary>T</summary>
        	x
        </details>

        <!-- notion -->
        ## Toggle {toggle="true"}
        	inside
        <!-- /notion -->

        <page url="https://www.notion.so/0123456789abcdef0123456789abcdef">Child</page>

        <unknown url="https://www.notion.so/a#b" alt="tweet"/>

        Text with <span color="red">red</span> and <mention-user url="user://u1"/>.
    "#]]
    .assert_eq(&file);
    assert_eq!(
        to_notion(&file),
        notion_markdown::canonicalize(md, Dialect::V1)
    );
}

#[test]
fn old_behaviour_kept_for_the_relay() {
    assert_eq!(from_notion(""), "");
    let md = "Intro\n- a\n- b\n## Next\n```rust\nfn x() {}\n\n```\nEnd";
    let file = from_notion(md);
    assert_eq!(
        to_notion(&file),
        notion_markdown::canonicalize(md, Dialect::V1)
    );
}

#[test]
fn v2_round_trips_too() {
    let gfm = "# T\n\nA *b* paragraph\nwrapped.\n\n- a\n  - b\n\n> q\n\n```py\nx = 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
    let v2 = Options::v2();
    let n1 = to_notion_with(gfm, &v2);
    assert!(
        n1.contains("\n\n"),
        "v2 separates blocks by blank lines: {n1}"
    );
    let back = from_notion_with(&n1, &v2);
    assert_eq!(to_notion_with(&back, &v2), n1);
    assert_eq!(to_blocks(&back, &v2), to_blocks(gfm, &v2));
}

#[test]
fn links_between_mapped_files_become_page_links() {
    let id = "0123456789abcdef0123456789abcdef";
    let opts = Options {
        links: LinkMap::new("docs/a.md", [("docs/guide/setup.md", id)]),
        ..Options::default()
    };
    let md = to_notion_with(
        "See [setup](guide/setup.md#install) and [web](https://x.y).\n",
        &opts,
    );
    assert_eq!(
        md,
        format!("See [setup](https://www.notion.so/{id}#install) and [web](https://x.y).")
    );
    assert_eq!(
        from_notion_with(&md, &opts),
        "See [setup](guide/setup.md#install) and [web](https://x.y).\n"
    );
}
