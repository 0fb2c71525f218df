//! The strategy page (`/w/{id}/strategy`): personas, goals, pillars, tone of voice and
//! competitors, each shown as read-only facts to every member and, for owners, managers and
//! editors, with add, edit and delete forms that work without JavaScript (`<details>`
//! disclosures). A refused form comes back open, as typed, with the message beside the field.
//! Also the brief, as printable HTML and as a PDF, built once by [`crate::strategy::brief`].

use super::flash::{self, Flash};
use super::strategy_forms::{self as forms, FormView, Kind, Values};
use super::workspace::{WsCtx, WsNav};
use super::{render, Page, UiError, UiUser};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::strategy::{
    brief, check_pillar_share, CompetitorIn, GoalIn, PersonaIn, PillarIn, ToneIn,
};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use herald_domain::publishing::PillarId;
use herald_domain::strategy::Strategy;
use herald_domain::{Action, CompetitorId, DomainError, GoalId, PersonaId};
use herald_store::StoreError;

/// One stored item as shown.
pub struct ItemView {
    pub title: String,
    /// A pillar's colour, `#rrggbb`.
    pub swatch: Option<String>,
    pub facts: Vec<(&'static str, String)>,
    pub edit: Option<FormView>,
    /// Where its delete form posts.
    pub delete: Option<String>,
}

/// One of the five sections.
pub struct SectionView {
    pub id: &'static str,
    pub heading: &'static str,
    pub items: Vec<ItemView>,
    /// The add form (the tone's only form).
    pub add: Option<FormView>,
    pub add_label: &'static str,
    /// A line under the items (the pillars' total), or "".
    pub note: String,
}

#[derive(Template)]
#[template(path = "strategy.html")]
struct StrategyPage {
    page: Page,
    nav: WsNav,
    can_edit: bool,
    sections: Vec<SectionView>,
}

fn join(items: &[String]) -> String {
    items.join(", ")
}

/// The sections of `s`, with forms for an editor; `refused` replaces the form of its id.
fn sections(tr: Tr, base: &str, s: &Strategy, edit: bool) -> Vec<SectionView> {
    let form = |kind: Kind, item: Option<i64>, values: &Values| {
        let (id, action, submit) = match item {
            Some(i) => (
                format!("{}-{i}", kind.path()),
                format!("{base}/{}/{i}", kind.path()),
                tr.get("common.save"),
            ),
            None => (
                format!("{}-new", kind.path()),
                format!("{base}/{}", kind.path()),
                if kind == Kind::Tone {
                    tr.get("common.save")
                } else {
                    tr.get("common.create")
                },
            ),
        };
        edit.then(|| kind.form(tr, id, action, submit, values, None))
    };
    let delete = |kind: Kind, i: i64| edit.then(|| format!("{base}/{}/{i}/delete", kind.path()));
    let fact = |key: &'static str, v: String| (tr.get(key), v);
    let keep = |facts: Vec<(&'static str, String)>| -> Vec<(&'static str, String)> {
        facts.into_iter().filter(|(_, v)| !v.is_empty()).collect()
    };

    let personas = s
        .personas
        .iter()
        .map(|p| {
            let f = &p.fields;
            ItemView {
                title: f.name.clone(),
                swatch: None,
                facts: keep(vec![
                    fact("strategy.persona.demographics", f.demographics.clone()),
                    fact("strategy.persona.interests", join(&f.interests)),
                    fact("strategy.persona.pains", join(&f.pains)),
                    fact("strategy.persona.online", join(&f.online)),
                    fact("strategy.persona.formats", join(&f.formats)),
                    fact("strategy.persona.times", join(&f.times)),
                ]),
                edit: form(
                    Kind::Persona,
                    Some(p.id.0),
                    &forms::persona_values(&PersonaIn::from(f)),
                ),
                delete: delete(Kind::Persona, p.id.0),
            }
        })
        .collect();
    let goals = s
        .goals
        .iter()
        .map(|g| {
            let f = &g.fields;
            let unit = brief::unit_suffix(&f.unit);
            ItemView {
                title: f.name.clone(),
                swatch: None,
                facts: keep(vec![
                    fact(
                        "strategy.goal.metric",
                        brief::metric_label(tr, f.metric).to_string(),
                    ),
                    fact(
                        "strategy.goal.baseline",
                        f.baseline.map(|b| format!("{b}{unit}")).unwrap_or_default(),
                    ),
                    fact("strategy.goal.target", format!("{}{unit}", f.target)),
                    fact("strategy.goal.start", f.start.to_string()),
                    fact("strategy.goal.due", f.due.to_string()),
                ]),
                edit: form(
                    Kind::Goal,
                    Some(g.id.0),
                    &forms::goal_values(&GoalIn::from(f)),
                ),
                delete: delete(Kind::Goal, g.id.0),
            }
        })
        .collect();
    let pillars = s
        .pillars
        .iter()
        .map(|p| {
            let f = &p.fields;
            let mut facts = vec![
                fact("strategy.pillar.share", format!("{}%", f.share_percent)),
                fact("strategy.pillar.purpose", f.purpose.clone()),
            ];
            if f.promotional {
                facts.push(fact(
                    "strategy.pillar.promotional",
                    tr.get("strategy.pillar.promotional_short").to_string(),
                ));
            }
            ItemView {
                title: f.name.clone(),
                swatch: Some(f.colour.as_str().to_string()),
                facts: keep(facts),
                edit: form(
                    Kind::Pillar,
                    Some(p.id.0),
                    &forms::pillar_values(&PillarIn::from(f)),
                ),
                delete: delete(Kind::Pillar, p.id.0),
            }
        })
        .collect();
    let tone_fields = s
        .tone
        .as_ref()
        .map(|t| t.fields.clone())
        .unwrap_or_default();
    let tone_items = if tone_fields.is_empty() {
        vec![]
    } else {
        vec![ItemView {
            title: String::new(),
            swatch: None,
            facts: keep(vec![
                fact("strategy.tone.summary", tone_fields.summary.clone()),
                fact("strategy.tone.use", join(&tone_fields.words_to_use)),
                fact("strategy.tone.avoid", join(&tone_fields.words_to_avoid)),
                fact("strategy.tone.examples", tone_fields.examples.join(" · ")),
            ]),
            edit: None,
            delete: None,
        }]
    };
    let competitors = s
        .competitors
        .iter()
        .map(|c| {
            let f = &c.fields;
            let accounts: Vec<String> = f
                .accounts
                .iter()
                .map(|a| format!("{} {}", a.platform.display_name(), a.handle))
                .collect();
            ItemView {
                title: f.name.clone(),
                swatch: None,
                facts: keep(vec![
                    fact("strategy.competitor.accounts", join(&accounts)),
                    fact("strategy.competitor.strengths", join(&f.strengths)),
                    fact("strategy.competitor.weaknesses", join(&f.weaknesses)),
                    fact("strategy.competitor.notes", f.notes.clone()),
                ]),
                edit: form(
                    Kind::Competitor,
                    Some(c.id.0),
                    &forms::competitor_values(&CompetitorIn::from(f)),
                ),
                delete: delete(Kind::Competitor, c.id.0),
            }
        })
        .collect();
    let mut pillar_values = Values::default();
    pillar_values.0.push(("colour".into(), "#2563eb".into()));
    pillar_values.0.push((
        "share_percent".into(),
        100u32.saturating_sub(s.share_total()).to_string(),
    ));
    vec![
        SectionView {
            id: "personas",
            heading: tr.get("strategy.personas"),
            items: personas,
            add: form(Kind::Persona, None, &Values::default()),
            add_label: tr.get("strategy.persona.add"),
            note: String::new(),
        },
        SectionView {
            id: "goals",
            heading: tr.get("strategy.goals"),
            items: goals,
            add: form(Kind::Goal, None, &Values::default()),
            add_label: tr.get("strategy.goal.add"),
            note: String::new(),
        },
        SectionView {
            id: "pillars",
            heading: tr.get("strategy.pillars"),
            items: pillars,
            add: form(Kind::Pillar, None, &pillar_values),
            add_label: tr.get("strategy.pillar.add"),
            note: format!("{} {}%", tr.get("strategy.pillar.total"), s.share_total()),
        },
        SectionView {
            id: "tone",
            heading: tr.get("strategy.tone"),
            items: tone_items,
            add: form(
                Kind::Tone,
                None,
                &forms::tone_values(&ToneIn::from(&tone_fields)),
            ),
            add_label: tr.get("strategy.edit"),
            note: String::new(),
        },
        SectionView {
            id: "competitors",
            heading: tr.get("strategy.competitors"),
            items: competitors,
            add: form(Kind::Competitor, None, &Values::default()),
            add_label: tr.get("strategy.competitor.add"),
            note: String::new(),
        },
    ]
}

/// Renders the page; a refused form replaces the form with its id.
async fn page(
    state: &AppState,
    cx: &WsCtx,
    flash: &Flash,
    refused: Option<FormView>,
) -> Result<Response, UiError> {
    let tr = cx.tr();
    let s = state
        .store
        .strategy(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let can_edit = cx.role.can(Action::EditStrategy);
    let mut sections = sections(tr, &cx.path("/strategy"), &s, can_edit);
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    if let Some(r) = refused {
        let slot = sections.iter_mut().find_map(|sec| {
            if sec.add.as_ref().is_some_and(|f| f.id == r.id) {
                return Some(&mut sec.add);
            }
            sec.items
                .iter_mut()
                .find(|i| i.edit.as_ref().is_some_and(|f| f.id == r.id))
                .map(|i| &mut i.edit)
        });
        if let Some(slot) = slot {
            *slot = Some(r);
        }
    }
    let body = StrategyPage {
        page: cx.page(flash),
        nav: cx.nav("strategy"),
        can_edit,
        sections,
    };
    Ok((status, render(tr, &body)?).into_response())
}

/// `GET /w/{id}/strategy`.
pub async fn show(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    page(&state, &cx, &flash, None).await
}

/// How a save went.
enum Saved {
    Done,
    /// A field was refused: its name and message key.
    Refused(&'static str, &'static str),
    Gone,
}

fn refused(e: DomainError) -> Saved {
    Saved::Refused(e.field, forms::error_key(e.field))
}

/// The store's answer to a save, with its conflicts worded for the form.
fn stored<T>(r: Result<T, StoreError>, tr: Tr) -> Result<Saved, UiError> {
    match r {
        Ok(_) => Ok(Saved::Done),
        Err(StoreError::NotFound) => Ok(Saved::Gone),
        Err(StoreError::Conflict(what)) if what.contains("100%") => {
            Ok(Saved::Refused("share_percent", "strategy.err.share_total"))
        }
        Err(StoreError::Conflict(_)) => Ok(Saved::Refused("name", "strategy.err.duplicate")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

async fn save_kind(
    state: &AppState,
    cx: &WsCtx,
    kind: Kind,
    item: Option<i64>,
    v: &Values,
) -> Result<Saved, UiError> {
    let (ws, tr, now) = (cx.ws.id, cx.tr(), Utc::now());
    let store = &state.store;
    macro_rules! draft {
        ($e:expr) => {
            match $e {
                Ok(d) => d,
                Err(e) => return Ok(refused(e)),
            }
        };
    }
    match (kind, item) {
        (Kind::Persona, None) => {
            let d = draft!(forms::persona_in(v).draft());
            stored(store.create_persona(ws, &d, now).await, tr)
        }
        (Kind::Persona, Some(i)) => {
            let d = draft!(forms::persona_in(v).draft());
            stored(store.update_persona(ws, PersonaId(i), &d, now).await, tr)
        }
        (Kind::Goal, _) => {
            let d = draft!(forms::goal_in(v).and_then(|g| g.draft()));
            match item {
                None => stored(store.create_goal(ws, &d, now).await, tr),
                Some(i) => stored(store.update_goal(ws, GoalId(i), &d, now).await, tr),
            }
        }
        (Kind::Pillar, _) => {
            let d = draft!(forms::pillar_in(v).and_then(|p| p.draft()));
            let id = item.map(PillarId);
            let share = check_pillar_share(state, ws, id, &d)
                .await
                .map_err(|e| UiError::store(tr, e))?;
            if share.is_err() {
                return Ok(Saved::Refused("share_percent", "strategy.err.share_total"));
            }
            match id {
                None => stored(store.create_pillar(ws, &d, now).await, tr),
                Some(i) => stored(store.update_pillar(ws, i, &d, now).await, tr),
            }
        }
        (Kind::Tone, None) => {
            let d = draft!(forms::tone_in(v).draft());
            stored(store.set_tone(ws, &d, now).await, tr)
        }
        (Kind::Tone, Some(_)) => Ok(Saved::Gone),
        (Kind::Competitor, _) => {
            let d = draft!(forms::competitor_in(v).and_then(|c| c.draft()));
            match item {
                None => stored(store.create_competitor(ws, &d, now).await, tr),
                Some(i) => stored(
                    store.update_competitor(ws, CompetitorId(i), &d, now).await,
                    tr,
                ),
            }
        }
    }
}

async fn save_form(
    state: AppState,
    ui: UiUser,
    id: &str,
    kind: &str,
    item: Option<&str>,
    v: Values,
) -> Result<Response, UiError> {
    ui.check_csrf(v.get("_csrf"))?;
    let cx = WsCtx::load(&state, ui, id).await?;
    cx.require(Action::EditStrategy)?;
    let tr = cx.tr();
    let kind = Kind::parse(kind).ok_or(UiError::NotFound(tr))?;
    let item = item
        .map(|i| i.parse::<i64>().map_err(|_| UiError::NotFound(tr)))
        .transpose()?;
    let back = cx.path("/strategy");
    match save_kind(&state, &cx, kind, item, &v).await? {
        Saved::Done => Ok(flash::done(
            &back,
            if item.is_some() || kind == Kind::Tone {
                "saved"
            } else {
                "strategy_added"
            },
        )),
        Saved::Gone => Ok(flash::problem(&back, "gone")),
        Saved::Refused(field, key) => {
            let (form_id, action, submit) = match item {
                Some(i) => (
                    format!("{}-{i}", kind.path()),
                    format!("{back}/{}/{i}", kind.path()),
                    tr.get("common.save"),
                ),
                None => (
                    format!("{}-new", kind.path()),
                    format!("{back}/{}", kind.path()),
                    tr.get("common.create"),
                ),
            };
            let form = kind.form(tr, form_id, action, submit, &v, Some((field, key)));
            page(&state, &cx, &Flash::default(), Some(form)).await
        }
    }
}

/// `POST /w/{id}/strategy/{kind}`: adds a persona, goal, pillar or competitor, or saves the
/// tone.
pub async fn create(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, kind)): Path<(String, String)>,
    Form(v): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    save_form(state, ui, &id, &kind, None, Values(v)).await
}

/// `POST /w/{id}/strategy/{kind}/{item}`: saves an edited item.
pub async fn update(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, kind, item)): Path<(String, String, String)>,
    Form(v): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    save_form(state, ui, &id, &kind, Some(&item), Values(v)).await
}

/// `POST /w/{id}/strategy/{kind}/{item}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    ui: UiUser,
    Path((id, kind, item)): Path<(String, String, String)>,
    Form(v): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let v = Values(v);
    ui.check_csrf(v.get("_csrf"))?;
    let cx = WsCtx::load(&state, ui, &id).await?;
    cx.require(Action::EditStrategy)?;
    let tr = cx.tr();
    let i: i64 = item.parse().map_err(|_| UiError::NotFound(tr))?;
    let ws = cx.ws.id;
    let store = &state.store;
    let r = match Kind::parse(&kind).ok_or(UiError::NotFound(tr))? {
        Kind::Persona => store.delete_persona(ws, PersonaId(i)).await,
        Kind::Goal => store.delete_goal(ws, GoalId(i)).await,
        Kind::Pillar => store.delete_pillar(ws, PillarId(i)).await,
        Kind::Competitor => store.delete_competitor(ws, CompetitorId(i)).await,
        Kind::Tone => Err(StoreError::NotFound),
    };
    let back = cx.path("/strategy");
    match r {
        Ok(()) => Ok(flash::done(&back, "strategy_deleted")),
        Err(StoreError::NotFound) => Ok(flash::problem(&back, "gone")),
        Err(e) => Err(UiError::store(tr, e)),
    }
}

async fn build_brief(state: &AppState, cx: &WsCtx) -> Result<herald_pdf::Document, UiError> {
    let tr = cx.tr();
    let s = state
        .store
        .strategy(cx.ws.id)
        .await
        .map_err(|e| UiError::store(tr, e))?;
    let today = Utc::now().with_timezone(&cx.tz()).date_naive().to_string();
    Ok(brief::build(tr, cx.ws.name.as_str(), &today, &s))
}

/// `GET /w/{id}/strategy/brief`: the brief as one printable HTML page.
pub async fn brief_html(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let doc = build_brief(&state, &cx).await?;
    let tr = cx.tr();
    let body =
        brief::html(tr, cx.ws.id.0, &doc).map_err(|e| UiError::Internal(tr, e.to_string()))?;
    Ok(axum::response::Html(body).into_response())
}

/// `GET /w/{id}/strategy/brief.pdf`: the same brief as a PDF.
pub async fn brief_pdf(
    State(state): State<AppState>,
    ui: UiUser,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let cx = WsCtx::load(&state, ui, &id).await?;
    let tr = cx.tr();
    let doc = build_brief(&state, &cx).await?;
    let bytes = tokio::task::spawn_blocking(move || doc.render())
        .await
        .map_err(|e| UiError::Internal(tr, e.to_string()))?
        .map_err(|e| UiError::Internal(tr, e.to_string()))?;
    let disposition = format!("inline; filename=\"strategy-{}.pdf\"", cx.ws.id.0);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
