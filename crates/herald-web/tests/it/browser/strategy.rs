//! The strategy page in a real browser: reach it from the sidebar, add a pillar and a persona
//! through the disclosure forms, see the swatch and the share total, then the page in
//! Russian. Screenshots: strategy-en, strategy-ru.

use super::{click, log_in, shot, start, switch_language, text_of};
use crate::helpers::*;
use crate::ui::workspace;
use fantoccini::{Client, Locator};

async fn fill(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test]
async fn browser_strategy_page_adds_a_pillar_and_a_persona() {
    let test = "browser_strategy_page_adds_a_pillar_and_a_persona";
    let app = spawn_app().await;
    let Some((_driver, c)) = start(test, &[]).await else {
        return;
    };
    let owner = app.user("owner@agency.example", false).await;
    workspace(&app, &owner, "Кофейня «Зерно»").await;
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    log_in(&c, "owner@agency.example").await;
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();
    click(&c, ".side a[href$='/strategy']").await;
    c.wait()
        .for_element(Locator::Css("section#pillars"))
        .await
        .unwrap();

    // A pillar: the add form suggests the share that is left (100%).
    click(&c, "#pillars details.strategy-form > summary").await;
    let share = c
        .find(Locator::Css("#pillars-new-share_percent"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(share.as_deref(), Some("100"));
    fill(&c, "#pillars-new-name", "Education").await;
    c.find(Locator::Css("#pillars-new-share_percent"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    fill(&c, "#pillars-new-share_percent", "60").await;
    click(&c, "#pillars-new button[type='submit']").await;
    c.wait()
        .for_element(Locator::Css("#pillars .strategy-item .swatch"))
        .await
        .unwrap();
    assert_eq!(text_of(&c, "#pillars-note").await, "Shares in total: 60%");
    assert!(text_of(&c, "main").await.contains("Added to the strategy."));

    // A persona with a list, one item per line.
    click(&c, "#personas details.strategy-form > summary").await;
    fill(&c, "#personas-new-name", "Анна").await;
    fill(&c, "#personas-new-interests", "кофе\nкниги").await;
    click(&c, "#personas-new button[type='submit']").await;
    c.wait()
        .for_element(Locator::Css("#personas .strategy-item h3"))
        .await
        .unwrap();
    assert_eq!(text_of(&c, "#personas .strategy-item h3").await, "Анна");
    let facts = text_of(&c, "#personas .strategy-item dl").await;
    assert!(facts.contains("кофе, книги"), "{facts}");
    shot(&c, "strategy-en").await;

    switch_language(&c, "ru").await;
    c.wait()
        .for_element(Locator::XPath("//h2[text()='Портреты аудитории']"))
        .await
        .unwrap();
    assert_eq!(text_of(&c, "#pillars-note").await, "Всего долей: 60%");
    shot(&c, "strategy-ru").await;
}
