//! The strategy through the API (CRUD, errors that name the field, roles) and through the UI
//! (the page in English and Russian, its forms, the brief as HTML and as a real PDF, the
//! composer's pillar picker).

use crate::helpers::*;
use crate::ui::{add_member, csrf_of, workspace, Visitor};
use herald_domain::Role;
use reqwest::Method;
use serde_json::json;

fn field(body: &serde_json::Value) -> Option<&str> {
    body["error"]["field"].as_str()
}

#[tokio::test]
async fn api_strategy_crud_validation_and_roles() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let analyst = app.user("analyst@agency.example", false).await;
    let client = app.user("client@brand.example", false).await;
    let editor = app.user("ed@agency.example", false).await;
    let ws = workspace(&app, &owner, "Кофейня").await;
    add_member(&app, ws, &owner, &analyst, Role::Analyst).await;
    add_member(&app, ws, &owner, &client, Role::Client).await;
    add_member(&app, ws, &owner, &editor, Role::Editor).await;
    let t = app.token("owner@agency.example").await;
    let base = format!("/api/v1/workspaces/{}/strategy", ws.0);

    // Personas: create, replace, delete.
    let (s, p) = app
        .call(
            Method::POST,
            &format!("{base}/personas"),
            &t,
            Some(json!({"name": "Анна", "demographics": "28, Москва", "interests": ["кофе", " ", "books"], "online": ["Telegram"]})),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["interests"], json!(["кофе", "books"]));
    let pid = p["id"].as_i64().unwrap();
    let (s, p) = app
        .call(
            Method::PUT,
            &format!("{base}/personas/{pid}"),
            &t,
            Some(json!({"name": "Анна", "times": ["вечер"]})),
        )
        .await;
    assert_eq!((s, &p["times"]), (200, &json!(["вечер"])), "{p}");
    let (s, body) = app
        .call(
            Method::POST,
            &format!("{base}/personas"),
            &t,
            Some(json!({"name": "Анна"})),
        )
        .await;
    assert_eq!((s, body["error"]["code"].as_str()), (409, Some("conflict")));

    // Every refusal names its field.
    for (path, body, expected) in [
        ("personas", json!({"name": "  "}), "name"),
        ("personas", json!({"name": "B", "age": 3}), "age"),
        (
            "goals",
            json!({"name": "G", "metric": "likes", "target": 1, "start": "2026-01-01", "due": "2026-02-01"}),
            "metric",
        ),
        (
            "goals",
            json!({"name": "G", "metric": "reach", "target": 1, "start": "2026-03-01", "due": "2026-02-01"}),
            "due",
        ),
        (
            "goals",
            json!({"name": "G", "metric": "reach", "target": 1, "start": "2026-13-01", "due": "2026-02-01"}),
            "start",
        ),
        (
            "pillars",
            json!({"name": "P", "share_percent": 10, "colour": "red"}),
            "colour",
        ),
        (
            "pillars",
            json!({"name": "P", "share_percent": 101}),
            "share_percent",
        ),
        (
            "competitors",
            json!({"name": "C", "accounts": [{"platform": "myspace", "handle": "@c"}]}),
            "accounts",
        ),
    ] {
        let (s, b) = app
            .call(Method::POST, &format!("{base}/{path}"), &t, Some(body))
            .await;
        assert_eq!((s, field(&b)), (422, Some(expected)), "{path}: {b}");
    }

    // Goals, pillars (the 100% rule names share_percent), tone, competitors.
    let (s, g) = app
        .call(
            Method::POST,
            &format!("{base}/goals"),
            &t,
            Some(json!({"name": "ER up", "metric": "engagement_rate", "baseline": 1.5, "target": 4, "start": "2026-01-01", "due": "2026-06-30"})),
        )
        .await;
    assert_eq!((s, g["unit"].as_str()), (201, Some("%")), "{g}");
    let (s, edu) = app
        .call(
            Method::POST,
            &format!("{base}/pillars"),
            &t,
            Some(json!({"name": "Education", "share_percent": 70, "colour": "#2563EB"})),
        )
        .await;
    assert_eq!((s, edu["colour"].as_str()), (201, Some("#2563eb")), "{edu}");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{base}/pillars"),
            &t,
            Some(json!({"name": "Offers", "share_percent": 40, "promotional": true})),
        )
        .await;
    assert_eq!((s, field(&b)), (422, Some("share_percent")), "{b}");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("30%"),
        "{b}"
    );
    let (s, offers) = app
        .call(
            Method::POST,
            &format!("{base}/pillars"),
            &t,
            Some(json!({"name": "Offers", "share_percent": 30, "promotional": true})),
        )
        .await;
    assert_eq!(s, 201, "{offers}");
    let (s, tone) = app
        .call(
            Method::PUT,
            &format!("{base}/tone"),
            &t,
            Some(json!({"summary": "Тепло и просто", "words_to_avoid": ["синергия"]})),
        )
        .await;
    assert_eq!((s, tone["summary"].as_str()), (200, Some("Тепло и просто")));
    let (s, c) = app
        .call(
            Method::POST,
            &format!("{base}/competitors"),
            &t,
            Some(json!({"name": "Rival", "accounts": [{"platform": "Telegram", "handle": "@rival"}], "strengths": ["prices"]})),
        )
        .await;
    assert_eq!(
        (s, &c["accounts"][0]["platform"]),
        (201, &json!("telegram")),
        "{c}"
    );

    // The whole strategy at once.
    let (s, all) = app.call(Method::GET, &base, &t, None).await;
    assert_eq!(s, 200);
    assert_eq!(all["share_total"], 100);
    assert_eq!(all["personas"][0]["name"], "Анна");
    assert_eq!(all["pillars"].as_array().unwrap().len(), 2);
    assert_eq!(all["tone"]["words_to_avoid"], json!(["синергия"]));

    // A post takes a pillar of the workspace.
    let offers_id = offers["id"].as_i64().unwrap();
    let (s, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{}/channels", ws.0),
            &t,
            Some(json!({"platform": "sandbox", "name": "Sandbox"})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");
    let (s, post) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{}/posts", ws.0),
            &t,
            Some(json!({"text": "Скидка", "channels": [ch["id"]], "pillar_id": offers_id})),
        )
        .await;
    assert_eq!(
        (s, post["pillar_id"].as_i64()),
        (201, Some(offers_id)),
        "{post}"
    );

    // Analyst and client read but cannot write; an editor writes.
    for who in ["analyst@agency.example", "client@brand.example"] {
        let tok = app.token(who).await;
        let (s, _) = app.call(Method::GET, &base, &tok, None).await;
        assert_eq!(s, 200, "{who}");
        for (m, path, body) in [
            (
                Method::POST,
                format!("{base}/personas"),
                Some(json!({"name": "X"})),
            ),
            (Method::PUT, format!("{base}/tone"), Some(json!({}))),
            (Method::DELETE, format!("{base}/personas/{pid}"), None),
            (Method::DELETE, format!("{base}/pillars/{offers_id}"), None),
        ] {
            let (s, b) = app.call(m, &path, &tok, body).await;
            assert_eq!(
                (s, b["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{who} {path}"
            );
        }
    }
    let ed = app.token("ed@agency.example").await;
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("{base}/tone"),
            &ed,
            Some(json!({"summary": "Editor's"})),
        )
        .await;
    assert_eq!(s, 200);

    // Deleting: 204, then 404; an id of another workspace is 404 too.
    let other = workspace(&app, &owner, "Другая").await;
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/workspaces/{}/strategy/personas/{pid}", other.0),
            &t,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .call(Method::DELETE, &format!("{base}/personas/{pid}"), &t, None)
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .call(Method::DELETE, &format!("{base}/personas/{pid}"), &t, None)
        .await;
    assert_eq!(s, 404);
}

/// Seeds a strategy through the store-backed API as the owner.
async fn seed(app: &TestApp, token: &str, ws: i64) {
    let base = format!("/api/v1/workspaces/{ws}/strategy");
    for (path, body) in [
        (
            "personas",
            json!({"name": "Анна", "demographics": "28, Москва", "interests": ["кофе"]}),
        ),
        (
            "pillars",
            json!({"name": "Обучение", "share_percent": 60, "colour": "#2563eb"}),
        ),
        (
            "goals",
            json!({"name": "Reach", "metric": "reach", "target": 50000, "start": "2026-01-01", "due": "2026-12-31"}),
        ),
        (
            "competitors",
            json!({"name": "Rival", "accounts": [{"platform": "vk", "handle": "https://vk.com/rival"}]}),
        ),
    ] {
        let (s, b) = app
            .call(Method::POST, &format!("{base}/{path}"), token, Some(body))
            .await;
        assert_eq!(s, 201, "{b}");
    }
}

#[tokio::test]
async fn ui_strategy_page_forms_and_brief() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let analyst = app.user("analyst@agency.example", false).await;
    let ws = workspace(&app, &owner, "Кофейня").await;
    add_member(&app, ws, &owner, &analyst, Role::Analyst).await;
    let id = ws.0;
    let t = app.token("owner@agency.example").await;
    seed(&app, &t, id).await;

    // English and Russian pages show the sections, the items and the share total.
    let v = Visitor::new(&app);
    v.login("owner@agency.example", PASSWORD).await;
    let page = v.get(&format!("/w/{id}/strategy")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        "Audience personas",
        "Goals and KPIs",
        "Content pillars",
        "Tone of voice",
        "Competitors",
        "Анна",
        "background: #2563eb",
        "Shares in total: 60%",
        "VK https://vk.com/rival",
        r#"aria-current="page">Strategy</a>"#,
    ] {
        assert!(page.body.contains(text), "{text} missing");
    }
    let ru = Visitor::new(&app).russian();
    ru.login("owner@agency.example", PASSWORD).await;
    let page_ru = ru.get(&format!("/w/{id}/strategy")).await;
    assert_eq!(page_ru.status, 200);
    assert!(
        page_ru.body.contains("Портреты аудитории") && page_ru.body.contains("Всего долей: 60%")
    );

    // A form adds a persona; a refused one comes back open with the message by its field.
    let csrf = csrf_of(&page.body);
    let res = v
        .post(
            &format!("/w/{id}/strategy/personas"),
            &[
                ("_csrf", &csrf),
                ("name", "Борис"),
                ("interests", "бег\nкниги\n"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location.as_str()),
        (
            303,
            format!("/w/{id}/strategy?done=strategy_added").as_str()
        )
    );
    let bad = v
        .post(
            &format!("/w/{id}/strategy/pillars"),
            &[
                ("_csrf", &csrf),
                ("name", "Акции"),
                ("share_percent", "50"),
                ("colour", "#ff0000"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad
        .body
        .contains("Together the pillars may take at most 100%"));
    assert!(bad.body.contains(r#"id="pillars-new-share_percent-error""#));
    assert!(
        bad.body.contains(r#"value="Акции""#),
        "the typed name is kept"
    );
    let res = v
        .post(
            &format!("/w/{id}/strategy/competitors"),
            &[("_csrf", &csrf), ("name", "X"), ("accounts", "myspace @x")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Write each account as a known platform"));
    let res = v
        .post(
            &format!("/w/{id}/strategy/tone"),
            &[
                ("_csrf", &csrf),
                ("summary", "Тепло"),
                ("words_to_use", "вы\nмы"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let (_, all) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{id}/strategy"),
            &t,
            None,
        )
        .await;
    assert_eq!(all["personas"].as_array().unwrap().len(), 2);
    assert_eq!(all["tone"]["words_to_use"], json!(["вы", "мы"]));
    let no_csrf = v
        .post(&format!("/w/{id}/strategy/personas"), &[("name", "Eve")])
        .await;
    assert_eq!(no_csrf.status, 403);

    // The brief: printable HTML, and a real PDF whose text (Cyrillic too) a parser finds.
    let brief = ru.get(&format!("/w/{id}/strategy/brief")).await;
    assert_eq!(brief.status, 200);
    assert!(brief.body.contains("<h1>Стратегия: Кофейня</h1>") && brief.body.contains("Анна"));
    let res = app
        .http
        .get(app.url(&format!("/w/{id}/strategy/brief.pdf")))
        .header(
            "cookie",
            format!("herald_session={}", ru.cookie("herald_session").unwrap()),
        )
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).unwrap();
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    let text = pdf.extract_text(&pages).unwrap();
    for word in ["Анна", "Портреты", "Обучение", "Rival"] {
        assert!(text.contains(word), "{word} not in the PDF text: {text}");
    }

    // The composer offers the pillars.
    let compose = v.get(&format!("/w/{id}/compose")).await;
    assert!(compose
        .body
        .contains(r#"<select id="pillar" name="pillar">"#));
    assert!(compose.body.contains("Обучение (60%)"));

    // An analyst reads the page without forms and cannot post one.
    let a = Visitor::new(&app);
    a.login("analyst@agency.example", PASSWORD).await;
    let page = a.get(&format!("/w/{id}/strategy")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Анна"));
    assert!(!page
        .body
        .contains(&format!(r#"action="/w/{id}/strategy/personas""#)));
    let csrf = csrf_of(&page.body);
    let res = a
        .post(
            &format!("/w/{id}/strategy/personas"),
            &[("_csrf", &csrf), ("name", "Eve")],
        )
        .await;
    assert_eq!(res.status, 403);
    // A stranger gets 404.
    app.user("stranger@else.example", false).await;
    let s = Visitor::new(&app);
    s.login("stranger@else.example", PASSWORD).await;
    assert_eq!(s.get(&format!("/w/{id}/strategy")).await.status, 404);
    assert_eq!(
        s.get(&format!("/w/{id}/strategy/brief.pdf")).await.status,
        404
    );
}
