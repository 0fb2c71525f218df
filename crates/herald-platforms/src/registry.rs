//! The registry of connectors by their stable id. Every built-in connector is registered in
//! `builtins`: adding a platform is its folder plus one line there. All HTTP connectors share
//! one client (one connection pool, one timeout).

use crate::connector::{Connector, PlatformInfo};
use crate::http::{self, ClientBuildError};
use crate::sandbox::SandboxConnector;
use crate::testplat::TestPlatConnector;
use crate::vk::VkConnector;
use crate::webhook::WebhookConnector;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Every built-in connector, in the order they are listed.
fn builtins(client: &reqwest::Client) -> Vec<Arc<dyn Connector>> {
    vec![
        Arc::new(SandboxConnector::new()),
        Arc::new(WebhookConnector::new(client.clone())),
        Arc::new(TestPlatConnector::new(client.clone())),
        Arc::new(VkConnector::new(client.clone())),
        Arc::new(crate::telegram::TelegramConnector::new(client.clone())),
        Arc::new(crate::ok::OkConnector::new(client.clone())),
        Arc::new(crate::mastodon::MastodonConnector::new(client.clone())),
        Arc::new(crate::bluesky::BlueskyConnector::new(client.clone())),
        Arc::new(crate::gbp::GbpConnector::new(client.clone())),
        Arc::new(crate::trustpilot::TrustpilotConnector::new(client.clone())),
    ]
}

/// Connectors by id, in registration order.
#[derive(Clone)]
pub struct Registry {
    connectors: Vec<Arc<dyn Connector>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.connectors.iter().map(|c| c.info().id))
            .finish()
    }
}

impl Registry {
    /// Every built-in connector, sharing one HTTP client whose requests time out after
    /// `http_timeout`.
    ///
    /// # Panics
    /// If the TLS backend cannot be initialised, as `reqwest::Client::new` does; use
    /// [`Registry::try_new`] to handle that instead.
    pub fn new(http_timeout: Duration) -> Registry {
        match Self::try_new(http_timeout) {
            Ok(registry) => registry,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`Registry::new`], answering an error if the HTTP client cannot be built.
    pub fn try_new(http_timeout: Duration) -> Result<Registry, ClientBuildError> {
        Ok(Self::with_client(http::client(http_timeout)?))
    }

    /// Every built-in connector, sharing `client`.
    pub fn with_client(client: reqwest::Client) -> Registry {
        Registry {
            connectors: builtins(&client),
        }
    }

    /// Adds a connector, replacing any with the same id (tests register scripted ones).
    pub fn register(&mut self, connector: Arc<dyn Connector>) {
        let id = connector.info().id;
        match self.connectors.iter().position(|c| c.info().id == id) {
            Some(at) => self.connectors[at] = connector,
            None => self.connectors.push(connector),
        }
    }

    /// The connector with this id, hidden ones included.
    pub fn get(&self, id: &str) -> Option<Arc<dyn Connector>> {
        self.connectors.iter().find(|c| c.info().id == id).cloned()
    }

    /// What is offered to people: every connector that is not hidden.
    pub fn list(&self) -> Vec<&PlatformInfo> {
        self.connectors
            .iter()
            .map(|c| c.info())
            .filter(|info| !info.hidden)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::{AccountInfo, ChannelCtx, OutgoingPost, PublishError, Published};
    use async_trait::async_trait;

    #[test]
    fn builtins_are_registered_and_hidden_ones_not_listed() {
        let registry = Registry::new(Duration::from_secs(5));
        let listed: Vec<&str> = registry.list().iter().map(|i| i.id).collect();
        // Every built-in is listed except the hidden test platform, in registration order.
        let all: Vec<&str> = registry.connectors.iter().map(|c| c.info().id).collect();
        let expected: Vec<&str> = all.iter().copied().filter(|id| *id != "testplat").collect();
        assert_eq!(listed, expected);
        assert_eq!(&all[..3], ["sandbox", "webhook", "testplat"]);
        for id in &all {
            assert_eq!(registry.get(id).unwrap().info().id, *id);
        }
        assert!(registry.get("myspace").is_none());
        assert_eq!(format!("{registry:?}"), format!("{all:?}"));
    }

    #[test]
    fn ids_are_unique() {
        let registry = Registry::new(Duration::from_secs(5));
        let mut ids: Vec<&str> = registry.connectors.iter().map(|c| c.info().id).collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    struct Scripted;

    #[async_trait]
    impl Connector for Scripted {
        fn info(&self) -> &PlatformInfo {
            &crate::sandbox::INFO
        }
        async fn verify(&self, _: &ChannelCtx) -> Result<AccountInfo, PublishError> {
            Err(PublishError::Unsupported)
        }
        async fn publish(
            &self,
            _: &ChannelCtx,
            _: &OutgoingPost,
        ) -> Result<Published, PublishError> {
            Err(PublishError::Unknown("scripted".into()))
        }
    }

    #[tokio::test]
    async fn register_replaces_by_id() {
        let mut registry = Registry::new(Duration::from_secs(5));
        let before = registry.connectors.len();
        registry.register(Arc::new(Scripted));
        assert_eq!(registry.connectors.len(), before, "replaced, not added");
        let ch = ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings: serde_json::json!({}),
            credentials: herald_domain::Secret::new(serde_json::json!({})),
        };
        let post = OutgoingPost {
            delivery_id: 1,
            idempotency_key: "k".into(),
            text: "t".into(),
            link: None,
            first_comment: None,
            media: Vec::new(),
            post_id: 1,
            not_before_ms: 0,
        };
        let sandbox = registry.get("sandbox").unwrap();
        assert!(matches!(
            sandbox.publish(&ch, &post).await,
            Err(PublishError::Unknown(_))
        ));
    }
}
