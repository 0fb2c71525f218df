//! The strategy story on any [`Store`]: personas, goals, pillars (with the 100% rule), the
//! tone of voice and competitors, each scoped to its workspace.

use chrono::{NaiveDate, TimeZone, Utc};
use herald_domain::strategy::{
    Colour, CompetitorAccount, CompetitorDraft, GoalDraft, KpiMetric, PersonaDraft, PillarDraft,
    ToneDraft,
};
use herald_domain::{Email, Language, Platform, Timezone, WorkspaceName};
use herald_store::{NewUser, PostDraft, Store, StoreError};
use std::sync::Arc;

fn pillar(name: &str, share: u32) -> PillarDraft {
    PillarDraft::parse(PillarDraft {
        name: name.into(),
        purpose: format!("{name} purpose"),
        share_percent: share,
        colour: Colour::parse("#336699").unwrap(),
        promotional: false,
    })
    .unwrap()
}

async fn story(store: Arc<dyn Store>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    let user = store
        .create_user(
            NewUser {
                email: &Email::parse("s@x.example").unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            now,
        )
        .await
        .unwrap();
    let tz = Timezone::parse("Europe/Moscow").unwrap();
    let mk = |n: &'static str| {
        let store = store.clone();
        async move {
            store
                .create_workspace(
                    user.id,
                    &WorkspaceName::parse(n).unwrap(),
                    tz,
                    Language::Ru,
                    now,
                )
                .await
                .unwrap()
        }
    };
    let (ws, other) = (mk("A").await.id, mk("B").await.id);

    // Personas: create, read back, update, unique per workspace, invisible elsewhere.
    let anna = PersonaDraft::parse(PersonaDraft {
        name: "Анна".into(),
        demographics: "28, Moscow".into(),
        interests: vec!["кофе".into(), "books".into()],
        pains: vec!["no time".into()],
        online: vec!["Telegram".into()],
        formats: vec!["short video".into()],
        times: vec!["evenings".into()],
    })
    .unwrap();
    let p = store.create_persona(ws, &anna, now).await.unwrap();
    assert_eq!((p.workspace_id, &p.fields), (ws, &anna));
    assert!(matches!(
        store.create_persona(ws, &anna, now).await,
        Err(StoreError::Conflict(_))
    ));
    store.create_persona(other, &anna, now).await.unwrap();
    let mut changed = anna.clone();
    changed.interests.push("cycling".into());
    let p2 = store.update_persona(ws, p.id, &changed, now).await.unwrap();
    assert_eq!(p2.fields.interests.len(), 3);
    assert!(matches!(
        store.update_persona(other, p.id, &changed, now).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_persona(other, p.id).await,
        Err(StoreError::NotFound)
    ));

    // Goals, by due date, with an optional baseline.
    let goal = |name: &str, due: u32, baseline: Option<f64>| {
        GoalDraft::parse(GoalDraft {
            name: name.into(),
            metric: KpiMetric::EngagementRate,
            baseline,
            target: 4.5,
            unit: String::new(),
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            due: NaiveDate::from_ymd_opt(2026, due, 1).unwrap(),
        })
        .unwrap()
    };
    let g_late = store
        .create_goal(ws, &goal("Late", 12, None), now)
        .await
        .unwrap();
    let g_early = store
        .create_goal(ws, &goal("Early", 3, Some(1.25)), now)
        .await
        .unwrap();
    assert_eq!(g_early.fields.baseline, Some(1.25));
    assert_eq!(g_early.fields.unit, "%");
    let names: Vec<String> = store
        .goals(ws)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.fields.name)
        .collect();
    assert_eq!(names, ["Early", "Late"]);
    let g2 = store
        .update_goal(ws, g_late.id, &goal("Later", 12, Some(2.0)), now)
        .await
        .unwrap();
    assert_eq!(
        (g2.fields.name.as_str(), g2.fields.baseline),
        ("Later", Some(2.0))
    );
    assert!(matches!(
        store
            .update_goal(other, g_late.id, &goal("X", 12, None), now)
            .await,
        Err(StoreError::NotFound)
    ));
    store.delete_goal(ws, g_early.id).await.unwrap();
    assert_eq!(store.goals(ws).await.unwrap().len(), 1);
    assert!(store.goals(other).await.unwrap().is_empty());

    // Pillars: display order, the 100% rule (per workspace), and deleting one leaves its posts.
    let edu = store
        .create_pillar(ws, &pillar("Education", 60), now)
        .await
        .unwrap();
    let offers = store
        .create_pillar(ws, &pillar("Offers", 40), now)
        .await
        .unwrap();
    assert_eq!((edu.position, offers.position), (0, 1));
    assert!(matches!(
        store.create_pillar(ws, &pillar("More", 1), now).await,
        Err(StoreError::Conflict(_))
    ));
    // Another workspace has its own 100%.
    store
        .create_pillar(other, &pillar("Education", 100), now)
        .await
        .unwrap();
    // Updating a pillar counts the others, not itself.
    let edu2 = store
        .update_pillar(ws, edu.id, &pillar("Education", 55), now)
        .await
        .unwrap();
    assert_eq!(edu2.fields.share_percent, 55);
    assert!(matches!(
        store
            .update_pillar(ws, edu.id, &pillar("Education", 61), now)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .update_pillar(ws, edu.id, &pillar("Offers", 10), now)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .update_pillar(other, edu.id, &pillar("Education", 1), now)
            .await,
        Err(StoreError::NotFound)
    ));
    let listed = store.pillars(ws).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|p| p.fields.name.as_str())
            .collect::<Vec<_>>(),
        ["Education", "Offers"]
    );
    let plan: Vec<herald_domain::plan::Pillar> = listed.iter().map(Into::into).collect();
    assert_eq!(plan[0].share_percent, 55);
    let post = store
        .create_post(
            ws,
            user.id,
            &PostDraft {
                text: "about offers".into(),
                pillar: Some(offers.id),
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
    store.delete_pillar(ws, offers.id).await.unwrap();
    let post = store.post(ws, post.id).await.unwrap().unwrap();
    assert_eq!((post.text.as_str(), post.pillar), ("about offers", None));
    assert!(matches!(
        store.delete_pillar(ws, offers.id).await,
        Err(StoreError::NotFound)
    ));

    // Tone: none, then set, then replaced; one per workspace.
    assert!(store.tone(ws).await.unwrap().is_none());
    let tone = ToneDraft::parse(ToneDraft {
        summary: "Warm, plain".into(),
        words_to_use: vec!["вы".into()],
        words_to_avoid: vec!["синергия".into()],
        examples: vec!["Заходите на кофе".into()],
    })
    .unwrap();
    assert_eq!(store.set_tone(ws, &tone, now).await.unwrap().fields, tone);
    let mut tone2 = tone.clone();
    tone2.summary = "Warmer".into();
    store.set_tone(ws, &tone2, now).await.unwrap();
    assert_eq!(
        store.tone(ws).await.unwrap().unwrap().fields.summary,
        "Warmer"
    );
    assert!(store.tone(other).await.unwrap().is_none());

    // Competitors with accounts in order; an update replaces the accounts.
    let rival = CompetitorDraft::parse(CompetitorDraft {
        name: "Rival Coffee".into(),
        accounts: vec![
            CompetitorAccount::parse("telegram", "@rival").unwrap(),
            CompetitorAccount::parse("vk", "https://vk.com/rival").unwrap(),
        ],
        strengths: vec!["prices".into()],
        weaknesses: vec!["slow replies".into()],
        notes: "opened 2024".into(),
    })
    .unwrap();
    let c = store.create_competitor(ws, &rival, now).await.unwrap();
    assert_eq!(c.fields, rival);
    assert!(matches!(
        store.create_competitor(ws, &rival, now).await,
        Err(StoreError::Conflict(_))
    ));
    let mut fewer = rival.clone();
    fewer.accounts = vec![CompetitorAccount::parse("bluesky", "rival.bsky.social").unwrap()];
    let c2 = store
        .update_competitor(ws, c.id, &fewer, now)
        .await
        .unwrap();
    assert_eq!(c2.fields.accounts, fewer.accounts);
    assert!(matches!(
        store.update_competitor(other, c.id, &fewer, now).await,
        Err(StoreError::NotFound)
    ));
    let theirs = store.create_competitor(other, &rival, now).await.unwrap();
    let tracked = store.tracked_accounts().await.unwrap();
    assert_eq!(tracked.len(), 3);
    assert!(tracked.iter().any(|t| t.workspace_id == ws
        && t.competitor_id == c.id
        && t.account.platform == Platform::Bluesky
        && t.competitor == "Rival Coffee"));
    assert_eq!(
        tracked
            .iter()
            .filter(|t| t.competitor_id == theirs.id)
            .count(),
        2
    );
    assert!(matches!(
        store.delete_competitor(other, c.id).await,
        Err(StoreError::NotFound)
    ));

    // The whole strategy of each workspace holds only its own rows.
    let all = store.strategy(ws).await.unwrap();
    assert_eq!(
        (
            all.personas.len(),
            all.goals.len(),
            all.pillars.len(),
            all.competitors.len()
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(all.share_total(), 55);
    assert!(all.tone.is_some());
    let b = store.strategy(other).await.unwrap();
    assert!(b.goals.is_empty() && b.tone.is_none());
    assert_eq!(b.share_total(), 100);
    store.delete_competitor(ws, c.id).await.unwrap();
    assert_eq!(store.tracked_accounts().await.unwrap().len(), 2);
    store.delete_persona(ws, p.id).await.unwrap();
    assert!(store.personas(ws).await.unwrap().is_empty());
    assert_eq!(store.personas(other).await.unwrap().len(), 1);
}

#[tokio::test]
async fn strategy_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn strategy_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("strategy_story_on_postgres").await {
        story(store).await;
    }
}
