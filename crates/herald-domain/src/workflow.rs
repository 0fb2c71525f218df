//! The team workflow: how a workspace approves content, where a post stands on its way from
//! idea to scheduled, which moves each role may make, and what an edit does to an approval.
//!
//! The workflow status sits beside the delivery-driven [`PostStatus`](crate::publishing::PostStatus)
//! and does not replace it: `published`, `failed` and the rest still come from the deliveries.
//! What the workflow adds is a gate: in a workspace whose [`ApprovalMode`] requires approval,
//! only a post whose status [`passes_gate`](WorkflowStatus::passes_gate) may be sent. The store
//! enforces that inside the statement that marks a delivery `sending`; this module only says
//! which states pass.
//!
//! ```text
//! idea <-> draft --submit--> in_review --approve (last level)--> approved --has a time--> scheduled
//!                               |  ^ approve (earlier level: stays in_review, one level up)
//!                               v  |
//!                     changes_requested --submit--> in_review
//! approved | scheduled --request changes--> changes_requested
//! approved | scheduled --content edited, approval required--> in_review (levels reset)
//! ```

use crate::publishing::{ChannelId, MediaId, Post, Variant};
use crate::{Action, DomainError, Role, UserId};
use serde::{Deserialize, Serialize};

/// The most approvers a multi-level chain may have.
pub const MAX_LEVELS: usize = 10;

/// How a workspace approves content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "mode", content = "approvers", rename_all = "snake_case")]
pub enum ApprovalMode {
    /// No approval step; posts go out when scheduled.
    #[default]
    None,
    /// Posts may be sent for review, but an unapproved post still goes out.
    Optional,
    /// One approval by any member allowed to approve (or a share-link guest) is needed.
    Required,
    /// Approvals by these members, in this order, are needed.
    MultiLevel(Vec<UserId>),
}

impl ApprovalMode {
    /// The mode's name as stored and sent: `none`, `optional`, `required`, `multi_level`.
    pub fn kind(&self) -> &'static str {
        match self {
            ApprovalMode::None => "none",
            ApprovalMode::Optional => "optional",
            ApprovalMode::Required => "required",
            ApprovalMode::MultiLevel(_) => "multi_level",
        }
    }

    /// Parses a mode by name with its approvers (only `multi_level` takes any).
    pub fn parse(kind: &str, approvers: &[UserId]) -> Result<ApprovalMode, DomainError> {
        let mode = match kind {
            "none" => ApprovalMode::None,
            "optional" => ApprovalMode::Optional,
            "required" => ApprovalMode::Required,
            "multi_level" => {
                if approvers.is_empty() || approvers.len() > MAX_LEVELS {
                    return Err(DomainError::new(
                        "approvers",
                        format!("a multi-level chain needs 1 to {MAX_LEVELS} approvers"),
                    ));
                }
                for (i, a) in approvers.iter().enumerate() {
                    if approvers[..i].contains(a) {
                        return Err(DomainError::new(
                            "approvers",
                            format!("user {a} appears twice in the chain"),
                        ));
                    }
                }
                return Ok(ApprovalMode::MultiLevel(approvers.to_vec()));
            }
            other => {
                return Err(DomainError::new(
                    "mode",
                    format!("'{other}' is not one of none, optional, required, multi_level"),
                ))
            }
        };
        if !approvers.is_empty() {
            return Err(DomainError::new(
                "approvers",
                "only the multi_level mode takes approvers",
            ));
        }
        Ok(mode)
    }

    /// Whether a post must be approved before any of it is sent.
    pub fn requires_approval(&self) -> bool {
        matches!(self, ApprovalMode::Required | ApprovalMode::MultiLevel(_))
    }

    /// How many approvals make a post approved.
    pub fn levels(&self) -> usize {
        match self {
            ApprovalMode::MultiLevel(a) => a.len(),
            _ => 1,
        }
    }

    /// The ordered approvers (empty unless multi-level).
    pub fn approvers(&self) -> &[UserId] {
        match self {
            ApprovalMode::MultiLevel(a) => a,
            _ => &[],
        }
    }
}

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where a post stands in the team's workflow.
    WorkflowStatus {
        Idea => "idea",
        Draft => "draft",
        InReview => "in_review",
        ChangesRequested => "changes_requested",
        Approved => "approved",
        /// Approved and given a time.
        Scheduled => "scheduled",
    }
);

impl WorkflowStatus {
    /// Whether a post in this status may be sent where approval is required.
    pub fn passes_gate(self) -> bool {
        matches!(self, WorkflowStatus::Approved | WorkflowStatus::Scheduled)
    }
}

text_enum!(
    /// A move a person makes on a post.
    WorkflowAction {
        /// Back to an idea (from a draft).
        ToIdea => "to_idea",
        /// Work on it as a draft (from an idea, or after changes were requested).
        ToDraft => "to_draft",
        /// Ask for review.
        Submit => "submit",
        Approve => "approve",
        RequestChanges => "request_changes",
    }
);

text_enum!(
    /// What one entry of a post's approval history records.
    Decision {
        Submitted => "submitted",
        /// One level of a chain approved; the post is not approved yet.
        LevelApproved => "level_approved",
        Approved => "approved",
        ChangesRequested => "changes_requested",
        /// The content changed after approval: back to review.
        EditedAfterApproval => "edited_after_approval",
        /// Any other move (idea, draft, scheduled).
        Moved => "moved",
    }
);

/// A post's workflow position: its status and, during review, how many levels approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkflowState {
    pub status: WorkflowStatus,
    /// Levels approved in the current review round (0 outside a multi-level review).
    pub level: usize,
}

impl WorkflowState {
    pub fn new(status: WorkflowStatus) -> Self {
        Self { status, level: 0 }
    }
}

/// Who makes a move: a member with their role, or a guest on a share link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Member { user: UserId, role: Role },
    Guest,
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("your role may not {0} posts")]
    Forbidden(&'static str),
    #[error("a post that is {from} cannot be moved by '{action}'")]
    Transition {
        from: WorkflowStatus,
        action: WorkflowAction,
    },
    #[error("level {level} of the approval chain is for user {expected}")]
    NotYourLevel { level: usize, expected: UserId },
    #[error("in a multi-level chain only its members and managers may request changes")]
    NotInChain,
    #[error("approvals in a multi-level chain are given by members, not through a share link")]
    GuestInChain,
}

/// The result of a move: the new state and what the history records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub to: WorkflowState,
    pub decision: Decision,
    /// The chain level this move was given at (1-based), for approvals.
    pub level: Option<usize>,
}

/// Approved becomes scheduled once the post has a time, and back when it loses it.
fn settle(status: WorkflowStatus, has_time: bool) -> WorkflowStatus {
    use WorkflowStatus::*;
    match (status, has_time) {
        (Approved, true) => Scheduled,
        (Scheduled, false) => Approved,
        (s, _) => s,
    }
}

/// Applies `action` by `actor` to a post in `state` under `mode`. `has_time` says whether the
/// post is scheduled (an approved post with a time becomes `scheduled`).
pub fn apply(
    mode: &ApprovalMode,
    state: WorkflowState,
    actor: Actor,
    action: WorkflowAction,
    has_time: bool,
) -> Result<Move, WorkflowError> {
    use WorkflowAction as A;
    use WorkflowStatus as S;
    let needs = match action {
        A::ToIdea | A::ToDraft | A::Submit => (Action::Edit, "edit"),
        A::Approve | A::RequestChanges => (Action::Approve, "approve"),
    };
    match actor {
        Actor::Member { role, .. } if !role.can(needs.0) => {
            return Err(WorkflowError::Forbidden(needs.1))
        }
        Actor::Guest if needs.0 == Action::Edit => return Err(WorkflowError::Forbidden(needs.1)),
        _ => {}
    }
    let refuse = Err(WorkflowError::Transition {
        from: state.status,
        action,
    });
    let to = |status| WorkflowState { status, level: 0 };
    // Levels are recorded only where there is a chain of them.
    let chained = |level: usize| matches!(mode, ApprovalMode::MultiLevel(_)).then_some(level);
    match (action, state.status) {
        (A::ToIdea, S::Draft) => Ok(Move {
            to: to(S::Idea),
            decision: Decision::Moved,
            level: None,
        }),
        (A::ToDraft, S::Idea | S::ChangesRequested) => Ok(Move {
            to: to(S::Draft),
            decision: Decision::Moved,
            level: None,
        }),
        (A::Submit, S::Idea | S::Draft | S::ChangesRequested) => Ok(Move {
            to: to(S::InReview),
            decision: Decision::Submitted,
            level: None,
        }),
        (A::Approve, S::InReview) => {
            let level = state.level + 1;
            if let ApprovalMode::MultiLevel(chain) = mode {
                let expected = chain.get(state.level).copied();
                match (actor, expected) {
                    (Actor::Guest, _) => return Err(WorkflowError::GuestInChain),
                    (Actor::Member { user, .. }, Some(e)) if user != e => {
                        return Err(WorkflowError::NotYourLevel { level, expected: e })
                    }
                    _ => {}
                }
            }
            if level >= mode.levels() {
                Ok(Move {
                    to: to(settle(S::Approved, has_time)),
                    decision: Decision::Approved,
                    level: chained(level),
                })
            } else {
                Ok(Move {
                    to: WorkflowState {
                        status: S::InReview,
                        level,
                    },
                    decision: Decision::LevelApproved,
                    level: chained(level),
                })
            }
        }
        (A::RequestChanges, S::InReview | S::Approved | S::Scheduled) => {
            if let ApprovalMode::MultiLevel(chain) = mode {
                if let Actor::Member { user, role } = actor {
                    if !chain.contains(&user) && !role.can(Action::Manage) {
                        return Err(WorkflowError::NotInChain);
                    }
                }
            }
            Ok(Move {
                to: to(S::ChangesRequested),
                decision: Decision::ChangesRequested,
                level: chained(state.level + 1),
            })
        }
        _ => refuse,
    }
}

/// What an edit does to a post's workflow: `None` when nothing changes. Where approval is
/// required, a change of content sends an approved post (or one part-way through a chain)
/// back to review; a change of time alone moves approved ↔ scheduled.
pub fn after_edit(
    mode: &ApprovalMode,
    state: WorkflowState,
    content_changed: bool,
    has_time: bool,
) -> Option<Move> {
    use WorkflowStatus as S;
    let reviewed = state.status.passes_gate() || (state.status == S::InReview && state.level > 0);
    if mode.requires_approval() && content_changed && reviewed {
        return Some(Move {
            to: WorkflowState::new(S::InReview),
            decision: Decision::EditedAfterApproval,
            level: None,
        });
    }
    let settled = settle(state.status, has_time);
    (settled != state.status).then_some(Move {
        to: WorkflowState::new(settled),
        decision: Decision::Moved,
        level: None,
    })
}

/// A post's content as it would be sent, for comparing before and after an edit.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub per_channel: Vec<(ChannelId, Variant)>,
}

impl Content {
    /// The effective content of each target channel, overrides applied.
    pub fn of(
        text: &str,
        link: Option<&str>,
        first_comment: Option<&str>,
        media: &[MediaId],
        channels: &[ChannelId],
        variants: &[(ChannelId, Variant)],
    ) -> Content {
        let mut chans = channels.to_vec();
        chans.sort_unstable();
        chans.dedup();
        let per_channel = chans
            .into_iter()
            .map(|c| {
                let v = variants
                    .iter()
                    .find(|(vc, _)| *vc == c)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let eff = Variant {
                    text: Some(v.text.unwrap_or_else(|| text.to_string())),
                    link: v.link.or_else(|| link.map(str::to_string)),
                    first_comment: v
                        .first_comment
                        .or_else(|| first_comment.map(str::to_string)),
                    media: Some(v.media.unwrap_or_else(|| media.to_vec())),
                };
                (c, eff)
            })
            .collect();
        Content { per_channel }
    }

    /// The content of a stored post.
    pub fn of_post(p: &Post) -> Content {
        Content::of(
            &p.text,
            p.link.as_deref(),
            p.first_comment.as_deref(),
            &p.media,
            &p.channels,
            &p.variants,
        )
    }
}

/// A mention in a comment: `@name` where name is a member's display name (spaces allowed when
/// the whole name matches) or the local part of their e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionCandidate<'a> {
    pub user: UserId,
    pub display_name: &'a str,
    pub email_local: &'a str,
}

/// The members mentioned in `body`, each once, in order of first mention. Matching is
/// case-insensitive; the longest display name wins, and a match must end at a word boundary.
pub fn mentions(body: &str, members: &[MentionCandidate<'_>]) -> Vec<UserId> {
    let lower = body.to_lowercase();
    let mut out: Vec<UserId> = vec![];
    let mut names: Vec<(String, UserId)> = vec![];
    for m in members {
        if !m.display_name.trim().is_empty() {
            names.push((m.display_name.trim().to_lowercase(), m.user));
        }
        if !m.email_local.is_empty() {
            names.push((m.email_local.to_lowercase(), m.user));
        }
    }
    names.sort_by_key(|n| std::cmp::Reverse(n.0.len()));
    for (i, _) in lower.match_indices('@') {
        let prev_ok = lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if !prev_ok {
            continue;
        }
        let rest = &lower[i + 1..];
        let found = names.iter().find(|(n, _)| {
            rest.starts_with(n.as_str())
                && rest[n.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
        });
        if let Some((_, user)) = found {
            if !out.contains(user) {
                out.push(*user);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use WorkflowAction as A;
    use WorkflowStatus as S;

    fn member(id: i64, role: Role) -> Actor {
        Actor::Member {
            user: UserId(id),
            role,
        }
    }

    fn st(status: WorkflowStatus) -> WorkflowState {
        WorkflowState::new(status)
    }

    #[test]
    fn modes_parse_and_refuse() {
        assert_eq!(ApprovalMode::parse("none", &[]), Ok(ApprovalMode::None));
        assert!(ApprovalMode::parse("required", &[])
            .unwrap()
            .requires_approval());
        assert!(!ApprovalMode::parse("optional", &[])
            .unwrap()
            .requires_approval());
        let chain = ApprovalMode::parse("multi_level", &[UserId(2), UserId(3)]).unwrap();
        assert_eq!(chain.levels(), 2);
        assert!(chain.requires_approval());
        assert_eq!(
            ApprovalMode::parse("multi_level", &[]).unwrap_err().field,
            "approvers"
        );
        assert_eq!(
            ApprovalMode::parse("multi_level", &[UserId(2), UserId(2)])
                .unwrap_err()
                .field,
            "approvers"
        );
        assert_eq!(
            ApprovalMode::parse("required", &[UserId(2)])
                .unwrap_err()
                .field,
            "approvers"
        );
        assert_eq!(
            ApprovalMode::parse("always", &[]).unwrap_err().field,
            "mode"
        );
    }

    #[test]
    fn only_approved_and_scheduled_pass_the_gate() {
        for s in S::ALL {
            assert_eq!(
                s.passes_gate(),
                matches!(s, S::Approved | S::Scheduled),
                "{s}"
            );
            assert_eq!(S::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn a_single_approval_approves_and_a_time_schedules() {
        let m = ApprovalMode::Required;
        let ed = member(1, Role::Editor);
        let sub = apply(&m, st(S::Draft), ed, A::Submit, true).unwrap();
        assert_eq!(sub.to.status, S::InReview);
        let ok = apply(&m, sub.to, member(2, Role::Client), A::Approve, true).unwrap();
        assert_eq!(
            (ok.to.status, ok.decision),
            (S::Scheduled, Decision::Approved)
        );
        let ok = apply(&m, sub.to, Actor::Guest, A::Approve, false).unwrap();
        assert_eq!(
            (ok.to.status, ok.level),
            (S::Approved, None),
            "no levels without a chain"
        );
    }

    #[test]
    fn roles_limit_the_moves() {
        let m = ApprovalMode::Required;
        assert_eq!(
            apply(&m, st(S::Draft), member(1, Role::Client), A::Submit, false),
            Err(WorkflowError::Forbidden("edit"))
        );
        assert_eq!(
            apply(
                &m,
                st(S::InReview),
                member(1, Role::Analyst),
                A::Approve,
                false
            ),
            Err(WorkflowError::Forbidden("approve"))
        );
        assert_eq!(
            apply(&m, st(S::Draft), Actor::Guest, A::Submit, false),
            Err(WorkflowError::Forbidden("edit"))
        );
        assert!(apply(&m, st(S::InReview), Actor::Guest, A::RequestChanges, false).is_ok());
    }

    #[test]
    fn transitions_outside_the_machine_are_refused() {
        let m = ApprovalMode::Required;
        let owner = member(1, Role::Owner);
        for (from, action) in [
            (S::Draft, A::Approve),
            (S::Idea, A::Approve),
            (S::Approved, A::Approve),
            (S::Draft, A::RequestChanges),
            (S::InReview, A::Submit),
            (S::Approved, A::ToIdea),
        ] {
            assert!(
                matches!(
                    apply(&m, st(from), owner, action, false),
                    Err(WorkflowError::Transition { .. })
                ),
                "{from} {action}"
            );
        }
        assert_eq!(
            apply(&m, st(S::Idea), owner, A::ToDraft, false)
                .unwrap()
                .to
                .status,
            S::Draft
        );
        assert_eq!(
            apply(&m, st(S::Draft), owner, A::ToIdea, false)
                .unwrap()
                .to
                .status,
            S::Idea
        );
        assert_eq!(
            apply(&m, st(S::ChangesRequested), owner, A::Submit, false)
                .unwrap()
                .to
                .status,
            S::InReview
        );
    }

    #[test]
    fn a_chain_approves_in_order_and_any_request_resets() {
        let m = ApprovalMode::MultiLevel(vec![UserId(2), UserId(3)]);
        let first = member(2, Role::Editor);
        let second = member(3, Role::Client);
        let review = st(S::InReview);
        assert_eq!(
            apply(&m, review, second, A::Approve, false),
            Err(WorkflowError::NotYourLevel {
                level: 1,
                expected: UserId(2)
            })
        );
        assert_eq!(
            apply(&m, review, Actor::Guest, A::Approve, false),
            Err(WorkflowError::GuestInChain)
        );
        let one = apply(&m, review, first, A::Approve, false).unwrap();
        assert_eq!(
            (one.to.status, one.to.level, one.decision),
            (S::InReview, 1, Decision::LevelApproved)
        );
        assert!(
            apply(&m, one.to, first, A::Approve, false).is_err(),
            "level 2 is not theirs"
        );
        let two = apply(&m, one.to, second, A::Approve, false).unwrap();
        assert_eq!((two.to.status, two.level), (S::Approved, Some(2)));
        // Request changes at level 2 of a half-approved chain: back to the start.
        let reset = apply(&m, one.to, second, A::RequestChanges, false).unwrap();
        assert_eq!((reset.to.status, reset.to.level), (S::ChangesRequested, 0));
        assert_eq!(
            apply(
                &m,
                one.to,
                member(9, Role::Editor),
                A::RequestChanges,
                false
            ),
            Err(WorkflowError::NotInChain)
        );
        assert!(apply(
            &m,
            one.to,
            member(9, Role::Manager),
            A::RequestChanges,
            false
        )
        .is_ok());
        let again = apply(&m, reset.to, first, A::Submit, false).unwrap();
        assert_eq!(again.to, st(S::InReview));
    }

    #[test]
    fn an_edit_of_approved_content_sends_it_back_to_review() {
        let req = ApprovalMode::Required;
        let back = after_edit(&req, st(S::Scheduled), true, true).unwrap();
        assert_eq!(
            (back.to.status, back.decision),
            (S::InReview, Decision::EditedAfterApproval)
        );
        assert!(after_edit(&req, st(S::Approved), true, false).is_some());
        let half = WorkflowState {
            status: S::InReview,
            level: 1,
        };
        assert_eq!(
            after_edit(
                &ApprovalMode::MultiLevel(vec![UserId(1), UserId(2)]),
                half,
                true,
                false
            )
            .unwrap()
            .to,
            st(S::InReview)
        );
        // Only the time changed: approval stands; approved ↔ scheduled follows the time.
        assert_eq!(
            after_edit(&req, st(S::Approved), false, true)
                .unwrap()
                .to
                .status,
            S::Scheduled
        );
        assert_eq!(
            after_edit(&req, st(S::Scheduled), false, false)
                .unwrap()
                .to
                .status,
            S::Approved
        );
        assert_eq!(after_edit(&req, st(S::Scheduled), false, true), None);
        // Without required approval an edit keeps the approval.
        assert_eq!(
            after_edit(&ApprovalMode::Optional, st(S::Scheduled), true, true),
            None
        );
        assert_eq!(after_edit(&req, st(S::Draft), true, true), None);
    }

    #[test]
    fn content_compares_what_each_channel_would_receive() {
        let a = Content::of("Hi", None, None, &[], &[ChannelId(1), ChannelId(2)], &[]);
        let same = Content::of(
            "Hi",
            None,
            None,
            &[],
            &[ChannelId(2), ChannelId(1)],
            &[(ChannelId(1), Variant::default())],
        );
        assert_eq!(a, same);
        let variant = Content::of(
            "Hi",
            None,
            None,
            &[],
            &[ChannelId(1), ChannelId(2)],
            &[(
                ChannelId(2),
                Variant {
                    text: Some("Hey".into()),
                    ..Default::default()
                },
            )],
        );
        assert_ne!(a, variant);
        assert_ne!(a, Content::of("Hi", None, None, &[], &[ChannelId(1)], &[]));
        assert_ne!(
            a,
            Content::of(
                "Hi",
                None,
                None,
                &[MediaId(4)],
                &[ChannelId(1), ChannelId(2)],
                &[]
            )
        );
    }

    #[test]
    fn mentions_resolve_display_names_and_email_local_parts() {
        let members = [
            MentionCandidate {
                user: UserId(1),
                display_name: "Anna Petrova",
                email_local: "anna",
            },
            MentionCandidate {
                user: UserId(2),
                display_name: "Anna",
                email_local: "a.smith",
            },
            MentionCandidate {
                user: UserId(3),
                display_name: "",
                email_local: "boris",
            },
        ];
        assert_eq!(
            mentions("@Anna Petrova please look", &members),
            vec![UserId(1)]
        );
        assert_eq!(
            mentions("cc @anna, @boris and @a.smith!", &members),
            vec![UserId(1), UserId(3), UserId(2)]
        );
        assert_eq!(
            mentions("mail me at x@boris.example or @borisx", &members),
            Vec::<UserId>::new()
        );
        assert_eq!(mentions("@BORIS @boris", &members), vec![UserId(3)]);
    }
}
