//! The built-in Sandbox channel (`sandbox`): a platform that is always there, needs nothing
//! to connect and does no network I/O, so a new install can schedule and "publish" at once.
//!
//! Every post is accepted and answered with `sandbox-<idempotency key>`: deterministic, so a
//! retry is naturally idempotent and reconciliation simply answers the same. The composer
//! validates its posts against Mastodon's rules (a realistic 500-character short-post limit),
//! since `herald_domain::Platform` has no Sandbox variant.
//!
//! To try Herald's failure handling by hand, the channel's settings may hold
//! `{"fail_with": "refused" | "rate_limited" | "unauthorized" | "unknown"}`; every publish then
//! fails that way (`unknown` behaves like a post that was stored but whose answer was lost:
//! reconciliation finds it). `"retry_after_secs"` sets the wait a `rate_limited` asks for.

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Idempotency, OutgoingPost,
    PlatformInfo, PublishError, Published,
};
use async_trait::async_trait;
use herald_domain::Platform;
use std::time::Duration;

/// The stable id of the sandbox channel kind.
pub const ID: &str = "sandbox";
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(60);

pub(crate) static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Sandbox",
    rules: Platform::Mastodon,
    capabilities: Capabilities {
        publish: true,
        delete: true,
        reconcile: true,
        fetch_inbox: false,
        reply: false,
        fetch_metrics: false,
        fetch_profile: false,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::Native,
    connect: ConnectFlow::None,
    fields: &[],
    max_in_flight_per_channel: 16,
    idempotency_window: None,
    hidden: false,
};

/// How a sandbox channel is told to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailWith {
    Refused,
    RateLimited,
    Unauthorized,
    Unknown,
}

/// The sandbox connector; stateless.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxConnector;

impl SandboxConnector {
    pub fn new() -> Self {
        Self
    }

    fn fail_with(ch: &ChannelCtx) -> Result<Option<FailWith>, PublishError> {
        match ch.setting_str("fail_with") {
            None => Ok(None),
            Some("refused") => Ok(Some(FailWith::Refused)),
            Some("rate_limited") => Ok(Some(FailWith::RateLimited)),
            Some("unauthorized") => Ok(Some(FailWith::Unauthorized)),
            Some("unknown") => Ok(Some(FailWith::Unknown)),
            Some(_) => Err(PublishError::Refused {
                message:
                    "settings.fail_with must be refused, rate_limited, unauthorized or unknown"
                        .to_string(),
                retryable: false,
            }),
        }
    }

    fn published(post: &OutgoingPost) -> Published {
        Published {
            remote_id: format!("sandbox-{}", post.idempotency_key),
            url: None,
        }
    }
}

#[async_trait]
impl Connector for SandboxConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        Self::fail_with(ch)?;
        Ok(AccountInfo {
            external_id: "sandbox".to_string(),
            display_name: "Sandbox".to_string(),
        })
    }

    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        match Self::fail_with(ch)? {
            None => Ok(Self::published(post)),
            Some(FailWith::Refused) => Err(PublishError::Refused {
                message: "the sandbox refuses every post (settings.fail_with)".to_string(),
                retryable: false,
            }),
            Some(FailWith::RateLimited) => {
                let retry_after = ch
                    .settings
                    .get("retry_after_secs")
                    .and_then(serde_json::Value::as_u64)
                    .map_or(DEFAULT_RETRY_AFTER, Duration::from_secs);
                Err(PublishError::RateLimited {
                    retry_after: Some(retry_after),
                })
            }
            Some(FailWith::Unauthorized) => Err(PublishError::Unauthorized(
                "the sandbox refuses every token (settings.fail_with)".to_string(),
            )),
            Some(FailWith::Unknown) => Err(PublishError::Unknown(
                "the sandbox lost its answer (settings.fail_with)".to_string(),
            )),
        }
    }

    async fn reconcile(
        &self,
        _ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        Ok(Some(Self::published(post)))
    }

    async fn delete(&self, _ch: &ChannelCtx, _remote_id: &str) -> Result<(), PublishError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_domain::Secret;
    use serde_json::json;

    fn channel(settings: serde_json::Value) -> ChannelCtx {
        ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings,
            credentials: Secret::new(json!({})),
        }
    }

    fn post(key: &str) -> OutgoingPost {
        OutgoingPost {
            delivery_id: 7,
            idempotency_key: key.to_string(),
            text: "Hello from the sandbox".to_string(),
            link: None,
            first_comment: None,
            media: Vec::new(),
            post_id: 3,
            not_before_ms: 0,
        }
    }

    #[tokio::test]
    async fn publish_is_deterministic_so_retries_are_idempotent() {
        let sandbox = SandboxConnector::new();
        let ch = channel(json!({}));
        let first = sandbox.publish(&ch, &post("d7-k")).await.unwrap();
        let again = sandbox.publish(&ch, &post("d7-k")).await.unwrap();
        assert_eq!(first, again);
        assert_eq!(first.remote_id, "sandbox-d7-k");
        assert_eq!(first.url, None);
        assert_eq!(sandbox.idempotency(&ch), Idempotency::Native);
    }

    #[tokio::test]
    async fn reconcile_delete_and_verify_answer() {
        let sandbox = SandboxConnector::new();
        let ch = channel(json!(null));
        let found = sandbox.reconcile(&ch, &post("k1")).await.unwrap();
        assert_eq!(found.unwrap().remote_id, "sandbox-k1");
        sandbox.delete(&ch, "sandbox-k1").await.unwrap();
        let account = sandbox.verify(&ch).await.unwrap();
        assert_eq!(account.external_id, "sandbox");
        assert_eq!(
            sandbox.refresh(&ch).await.unwrap_err().to_string(),
            "not supported by this platform"
        );
    }

    #[tokio::test]
    async fn fail_with_makes_every_publish_fail_that_way() {
        let sandbox = SandboxConnector::new();
        let p = post("k");
        let refused = channel(json!({"fail_with": "refused"}));
        assert!(matches!(
            sandbox.publish(&refused, &p).await,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ));
        let limited = channel(json!({"fail_with": "rate_limited", "retry_after_secs": 5}));
        assert!(matches!(
            sandbox.publish(&limited, &p).await,
            Err(PublishError::RateLimited { retry_after: Some(d) }) if d == Duration::from_secs(5)
        ));
        let limited = channel(json!({"fail_with": "rate_limited"}));
        assert!(matches!(
            sandbox.publish(&limited, &p).await,
            Err(PublishError::RateLimited { retry_after: Some(d) }) if d == DEFAULT_RETRY_AFTER
        ));
        let unauthorized = channel(json!({"fail_with": "unauthorized"}));
        assert!(matches!(
            sandbox.publish(&unauthorized, &p).await,
            Err(PublishError::Unauthorized(_))
        ));
        let unknown = channel(json!({"fail_with": "unknown"}));
        assert!(matches!(
            sandbox.publish(&unknown, &p).await,
            Err(PublishError::Unknown(_))
        ));
        assert!(sandbox.reconcile(&unknown, &p).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn an_unknown_fail_with_is_refused_at_verify_and_publish() {
        let sandbox = SandboxConnector::new();
        let ch = channel(json!({"fail_with": "explode"}));
        assert!(matches!(
            sandbox.verify(&ch).await,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ));
        assert!(matches!(
            sandbox.publish(&ch, &post("k")).await,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ));
    }

    #[test]
    fn info_is_listed_with_mastodon_rules() {
        let sandbox = SandboxConnector::new();
        let info = sandbox.info();
        assert_eq!(info.id, "sandbox");
        assert_eq!(info.rules, Platform::Mastodon);
        assert!(!info.hidden);
        assert!(info.capabilities.publish && info.capabilities.reconcile);
    }
}
