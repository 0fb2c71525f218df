use super::*;
use crate::plan;

fn persona(name: &str) -> PersonaDraft {
    PersonaDraft {
        name: name.to_string(),
        interests: vec![" кофе ".into(), "".into(), "books".into()],
        ..Default::default()
    }
}

fn goal() -> GoalDraft {
    GoalDraft {
        name: "Grow".into(),
        metric: KpiMetric::EngagementRate,
        baseline: Some(1.5),
        target: 4.0,
        unit: "".into(),
        start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        due: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
    }
}

fn field<T: std::fmt::Debug>(r: Result<T, DomainError>) -> &'static str {
    r.expect_err("accepted").field
}

#[test]
fn persona_is_trimmed_and_empty_items_dropped() {
    let p = PersonaDraft::parse(persona("  Анна, 28  ")).unwrap();
    assert_eq!(p.name, "Анна, 28");
    assert_eq!(p.interests, vec!["кофе", "books"]);
}

#[test]
fn persona_errors_name_the_field() {
    assert_eq!(field(PersonaDraft::parse(persona("  "))), "name");
    assert_eq!(
        field(PersonaDraft::parse(persona(&"x".repeat(101)))),
        "name"
    );
    let mut p = persona("A");
    p.pains = vec!["x".repeat(MAX_ITEM_CHARS + 1)];
    assert_eq!(field(PersonaDraft::parse(p)), "pains");
    let mut p = persona("A");
    p.online = vec!["a".into(); MAX_ITEMS + 1];
    assert_eq!(field(PersonaDraft::parse(p)), "online");
    let mut p = persona("A");
    p.demographics = "line one\nline two".into();
    assert!(PersonaDraft::parse(p.clone()).is_ok());
    p.demographics = "bell\u{7}".into();
    assert_eq!(field(PersonaDraft::parse(p)), "demographics");
}

#[test]
fn goal_rules() {
    let g = GoalDraft::parse(goal()).unwrap();
    assert_eq!(g.unit, "%", "engagement rate defaults to percent");
    let mut bad = goal();
    bad.due = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    assert_eq!(field(GoalDraft::parse(bad)), "due");
    let mut bad = goal();
    bad.target = 140.0;
    assert_eq!(field(GoalDraft::parse(bad)), "target");
    let mut bad = goal();
    bad.target = f64::NAN;
    assert_eq!(field(GoalDraft::parse(bad)), "target");
    let mut bad = goal();
    bad.baseline = Some(f64::INFINITY);
    assert_eq!(field(GoalDraft::parse(bad)), "baseline");
    let mut bad = goal();
    bad.unit = "u".repeat(21);
    assert_eq!(field(GoalDraft::parse(bad)), "unit");
    let mut followers = goal();
    followers.metric = KpiMetric::Followers;
    followers.target = 10_000.0;
    assert_eq!(GoalDraft::parse(followers).unwrap().unit, "");
}

#[test]
fn metric_names_round_trip_and_refusal_lists_them() {
    for m in KpiMetric::ALL {
        assert_eq!(KpiMetric::parse(m.as_str()), Ok(m));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            format!("\"{}\"", m.as_str())
        );
    }
    let err = KpiMetric::parse("likes").unwrap_err();
    assert_eq!(err.field, "metric");
    assert!(err.message.contains("engagement_rate"), "{}", err.message);
}

#[test]
fn colour_must_be_rrggbb() {
    assert_eq!(Colour::parse(" #A1B2C3 ").unwrap().as_str(), "#a1b2c3");
    assert_eq!(Colour::parse("#ff8000").unwrap().rgb(), (255, 128, 0));
    for bad in ["", "red", "#fff", "a1b2c3", "#a1b2c3d4", "#gg0000"] {
        assert_eq!(field(Colour::parse(bad)), "colour", "{bad}");
    }
    assert!(serde_json::from_str::<Colour>("\"#12345\"").is_err());
}

#[test]
fn pillar_share_is_bounded_and_totals_at_most_100() {
    let draft = PillarDraft {
        name: "Education".into(),
        purpose: "teach".into(),
        share_percent: 101,
        colour: Colour::default(),
        promotional: false,
    };
    assert_eq!(field(PillarDraft::parse(draft.clone())), "share_percent");
    assert!(check_share_total(&[40, 30], 30).is_ok());
    let err = check_share_total(&[40, 30], 31).unwrap_err();
    assert_eq!(err.field, "share_percent");
    assert!(err.message.contains("at most 30%"), "{}", err.message);
}

#[test]
fn stored_pillar_converts_into_the_plan_generators() {
    let p = Pillar {
        id: PillarId(1),
        workspace_id: WorkspaceId(1),
        fields: PillarDraft {
            name: "Offers".into(),
            purpose: "sell".into(),
            share_percent: 20,
            colour: Colour::parse("#ff0000").unwrap(),
            promotional: true,
        },
        position: 0,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    assert_eq!(
        plan::Pillar::from(&p),
        plan::Pillar {
            name: "Offers".into(),
            purpose: "sell".into(),
            share_percent: 20,
            promotional: true
        }
    );
}

#[test]
fn competitor_accounts_are_checked_against_platforms() {
    let ok = CompetitorAccount::parse("Telegram", " @rival ").unwrap();
    assert_eq!(
        (ok.platform, ok.handle.as_str()),
        (Platform::Telegram, "@rival")
    );
    let err = CompetitorAccount::parse("myspace", "@rival").unwrap_err();
    assert_eq!(err.field, "accounts");
    assert!(err.message.contains("vk, ok, telegram"), "{}", err.message);
    assert_eq!(field(CompetitorAccount::parse("vk", " ")), "accounts");
    assert_eq!(
        field(CompetitorAccount::parse("vk", "two words")),
        "accounts"
    );
    assert_eq!(field(CompetitorAccount::parse("vk", "ftp://x")), "accounts");
    assert!(CompetitorAccount::parse("vk", "https://vk.com/rival").is_ok());
    let twice = CompetitorDraft {
        name: "Rival".into(),
        accounts: vec![
            ok.clone(),
            CompetitorAccount::parse("telegram", "@RIVAL").unwrap(),
        ],
        ..Default::default()
    };
    assert_eq!(field(CompetitorDraft::parse(twice)), "accounts");
}

#[test]
fn tone_lists_are_normalised() {
    let t = ToneDraft::parse(ToneDraft {
        summary: " Friendly ".into(),
        words_to_use: vec!["вы".into(), " ".into()],
        words_to_avoid: vec!["синергия".into()],
        examples: vec![],
    })
    .unwrap();
    assert_eq!(t.summary, "Friendly");
    assert_eq!(t.words_to_use, vec!["вы"]);
    assert!(!t.is_empty());
    assert!(ToneDraft::default().is_empty());
}
