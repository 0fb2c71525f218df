//! The strategy page's forms: one generic form view (fields of a few kinds) built from a
//! flat list of values, either a stored item's or a submitted form's, so a refused form comes
//! back exactly as typed with the error beside its field. Lists are textareas, one item per
//! line; a competitor's accounts are lines of "platform handle".

use super::format::Choice;
use crate::i18n::Tr;
use crate::strategy::{AccountIn, CompetitorIn, GoalIn, PersonaIn, PillarIn, ToneIn};
use herald_domain::strategy::KpiMetric;
use herald_domain::DomainError;

/// A form's submitted (or stored) values, by field name.
#[derive(Debug, Clone, Default)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn lines(&self, name: &str) -> Vec<String> {
        self.get(name).lines().map(str::to_string).collect()
    }

    fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.push((name.to_string(), value.into()));
    }
}

/// One input of a form.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    /// text, textarea, lines, number, date, select, colour or check.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Choice>,
    /// A translated hint, or "".
    pub hint: &'static str,
    pub error: Option<&'static str>,
}

/// A whole form: where it posts, its fields, and whether it starts open.
pub struct FormView {
    /// Unique on the page; prefixes the inputs' ids.
    pub id: String,
    pub action: String,
    pub submit: &'static str,
    pub open: bool,
    pub fields: Vec<FieldView>,
}

/// The five kinds of the strategy, as they appear in paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Persona,
    Goal,
    Pillar,
    Tone,
    Competitor,
}

impl Kind {
    pub fn parse(path: &str) -> Option<Kind> {
        Some(match path {
            "personas" => Kind::Persona,
            "goals" => Kind::Goal,
            "pillars" => Kind::Pillar,
            "tone" => Kind::Tone,
            "competitors" => Kind::Competitor,
            _ => return None,
        })
    }

    pub fn path(self) -> &'static str {
        match self {
            Kind::Persona => "personas",
            Kind::Goal => "goals",
            Kind::Pillar => "pillars",
            Kind::Tone => "tone",
            Kind::Competitor => "competitors",
        }
    }

    /// The fields of this kind's form: name, label key, input kind, hint key.
    fn fields(self) -> &'static [(&'static str, &'static str, &'static str, &'static str)] {
        match self {
            Kind::Persona => &[
                ("name", "strategy.persona.name", "text", ""),
                (
                    "demographics",
                    "strategy.persona.demographics",
                    "textarea",
                    "",
                ),
                (
                    "interests",
                    "strategy.persona.interests",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "pains",
                    "strategy.persona.pains",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "online",
                    "strategy.persona.online",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "formats",
                    "strategy.persona.formats",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "times",
                    "strategy.persona.times",
                    "lines",
                    "strategy.lines_hint",
                ),
            ],
            Kind::Goal => &[
                ("name", "strategy.goal.name", "text", ""),
                ("metric", "strategy.goal.metric", "select", ""),
                ("baseline", "strategy.goal.baseline", "number", ""),
                ("target", "strategy.goal.target", "number", ""),
                (
                    "unit",
                    "strategy.goal.unit",
                    "text",
                    "strategy.goal.unit_hint",
                ),
                ("start", "strategy.goal.start", "date", ""),
                ("due", "strategy.goal.due", "date", ""),
            ],
            Kind::Pillar => &[
                ("name", "strategy.pillar.name", "text", ""),
                ("purpose", "strategy.pillar.purpose", "textarea", ""),
                (
                    "share_percent",
                    "strategy.pillar.share",
                    "number",
                    "strategy.pillar.total_hint",
                ),
                ("colour", "strategy.pillar.colour", "colour", ""),
                ("promotional", "strategy.pillar.promotional", "check", ""),
            ],
            Kind::Tone => &[
                ("summary", "strategy.tone.summary", "textarea", ""),
                (
                    "words_to_use",
                    "strategy.tone.use",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "words_to_avoid",
                    "strategy.tone.avoid",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "examples",
                    "strategy.tone.examples",
                    "lines",
                    "strategy.lines_hint",
                ),
            ],
            Kind::Competitor => &[
                ("name", "strategy.competitor.name", "text", ""),
                (
                    "accounts",
                    "strategy.competitor.accounts",
                    "lines",
                    "strategy.competitor.accounts_hint",
                ),
                (
                    "strengths",
                    "strategy.competitor.strengths",
                    "lines",
                    "strategy.lines_hint",
                ),
                (
                    "weaknesses",
                    "strategy.competitor.weaknesses",
                    "lines",
                    "strategy.lines_hint",
                ),
                ("notes", "strategy.competitor.notes", "textarea", ""),
            ],
        }
    }

    /// The form of this kind filled with `values`; `error` is a refused field and its
    /// message key.
    pub fn form(
        self,
        tr: Tr,
        id: String,
        action: String,
        submit: &'static str,
        values: &Values,
        error: Option<(&str, &'static str)>,
    ) -> FormView {
        let fields = self
            .fields()
            .iter()
            .map(|(name, label, kind, hint)| FieldView {
                name,
                label: tr.get(label),
                kind,
                value: values.get(name).to_string(),
                options: if *name == "metric" {
                    KpiMetric::ALL
                        .iter()
                        .map(|m| Choice {
                            value: m.as_str().to_string(),
                            label: crate::strategy::brief::metric_label(tr, *m).to_string(),
                            selected: values.get("metric") == m.as_str(),
                        })
                        .collect()
                } else {
                    vec![]
                },
                hint: if hint.is_empty() { "" } else { tr.get(hint) },
                error: error.filter(|(f, _)| f == name).map(|(_, key)| tr.get(key)),
            })
            .collect();
        FormView {
            open: error.is_some(),
            id,
            action,
            submit,
            fields,
        }
    }
}

/// The values a stored item's form starts from.
pub fn persona_values(p: &PersonaIn) -> Values {
    let mut v = Values::default();
    v.set("name", &p.name);
    v.set("demographics", &p.demographics);
    v.set("interests", p.interests.join("\n"));
    v.set("pains", p.pains.join("\n"));
    v.set("online", p.online.join("\n"));
    v.set("formats", p.formats.join("\n"));
    v.set("times", p.times.join("\n"));
    v
}

pub fn goal_values(g: &GoalIn) -> Values {
    let mut v = Values::default();
    v.set("name", &g.name);
    v.set("metric", &g.metric);
    v.set(
        "baseline",
        g.baseline.map(|b| b.to_string()).unwrap_or_default(),
    );
    v.set("target", g.target.to_string());
    v.set("unit", &g.unit);
    v.set("start", g.start.to_string());
    v.set("due", g.due.to_string());
    v
}

pub fn pillar_values(p: &PillarIn) -> Values {
    let mut v = Values::default();
    v.set("name", &p.name);
    v.set("purpose", &p.purpose);
    v.set("share_percent", p.share_percent.to_string());
    v.set("colour", &p.colour);
    if p.promotional {
        v.set("promotional", "on");
    }
    v
}

pub fn tone_values(t: &ToneIn) -> Values {
    let mut v = Values::default();
    v.set("summary", &t.summary);
    v.set("words_to_use", t.words_to_use.join("\n"));
    v.set("words_to_avoid", t.words_to_avoid.join("\n"));
    v.set("examples", t.examples.join("\n"));
    v
}

pub fn competitor_values(c: &CompetitorIn) -> Values {
    let mut v = Values::default();
    v.set("name", &c.name);
    let accounts: Vec<String> = c
        .accounts
        .iter()
        .map(|a| format!("{} {}", a.platform, a.handle))
        .collect();
    v.set("accounts", accounts.join("\n"));
    v.set("strengths", c.strengths.join("\n"));
    v.set("weaknesses", c.weaknesses.join("\n"));
    v.set("notes", &c.notes);
    v
}

/// The message key for a field the domain (or the form parsing) refused.
pub fn error_key(field: &str) -> &'static str {
    match field {
        "name" => "strategy.err.name",
        "demographics" | "purpose" | "summary" | "notes" => "strategy.err.long",
        "metric" => "strategy.err.metric",
        "baseline" => "strategy.err.number",
        "target" => "strategy.err.target",
        "start" => "strategy.err.date",
        "due" => "strategy.err.due",
        "unit" => "strategy.err.unit",
        "colour" => "strategy.err.colour",
        "share_percent" => "strategy.err.share",
        "accounts" => "strategy.err.accounts",
        _ => "strategy.err.list",
    }
}

fn number(v: &Values, field: &'static str) -> Result<Option<f64>, DomainError> {
    let raw = v.get(field).trim().replace(',', ".");
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| DomainError::new(field, "not a number"))
}

fn date(v: &Values, field: &'static str) -> Result<chrono::NaiveDate, DomainError> {
    v.get(field)
        .trim()
        .parse()
        .map_err(|_| DomainError::new(field, "not a date"))
}

pub fn persona_in(v: &Values) -> PersonaIn {
    PersonaIn {
        name: v.get("name").to_string(),
        demographics: v.get("demographics").to_string(),
        interests: v.lines("interests"),
        pains: v.lines("pains"),
        online: v.lines("online"),
        formats: v.lines("formats"),
        times: v.lines("times"),
    }
}

pub fn goal_in(v: &Values) -> Result<GoalIn, DomainError> {
    Ok(GoalIn {
        name: v.get("name").to_string(),
        metric: v.get("metric").to_string(),
        baseline: number(v, "baseline")?,
        target: number(v, "target")?.ok_or_else(|| DomainError::new("target", "missing"))?,
        unit: v.get("unit").to_string(),
        start: date(v, "start")?,
        due: date(v, "due")?,
    })
}

pub fn pillar_in(v: &Values) -> Result<PillarIn, DomainError> {
    Ok(PillarIn {
        name: v.get("name").to_string(),
        purpose: v.get("purpose").to_string(),
        share_percent: v
            .get("share_percent")
            .trim()
            .parse()
            .map_err(|_| DomainError::new("share_percent", "not a whole number"))?,
        colour: v.get("colour").to_string(),
        promotional: !v.get("promotional").is_empty(),
    })
}

pub fn tone_in(v: &Values) -> ToneIn {
    ToneIn {
        summary: v.get("summary").to_string(),
        words_to_use: v.lines("words_to_use"),
        words_to_avoid: v.lines("words_to_avoid"),
        examples: v.lines("examples"),
    }
}

pub fn competitor_in(v: &Values) -> Result<CompetitorIn, DomainError> {
    let accounts = v
        .lines("accounts")
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let l = l.trim();
            let (platform, handle) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            AccountIn {
                platform: platform.to_string(),
                handle: handle.trim().to_string(),
            }
        })
        .collect();
    Ok(CompetitorIn {
        name: v.get("name").to_string(),
        accounts,
        strengths: v.lines("strengths"),
        weaknesses: v.lines("weaknesses"),
        notes: v.get("notes").to_string(),
    })
}
