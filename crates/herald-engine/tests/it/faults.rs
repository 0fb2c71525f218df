//! Faults: 429 with Retry-After, 500, timeouts (with and without the post stored), a 401
//! healed by a token refresh, a 401 whose refresh fails, over-long text, a deleted post, and
//! the run loop waking at the due instant.

use chrono::{Duration as CDuration, Utc};
use herald_domain::publishing::{ChannelId, ChannelStatus, DeliveryState, PostId, PostStatus};
use herald_domain::WorkspaceId;
use herald_engine::{Publisher, PublisherConfig};
use herald_platforms::testplat::fake::{Fault, TestPlatform, TestPlatformOptions};
use herald_platforms::Registry;
use herald_store::{PostDraft, SecretKey, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

struct World {
    store: Arc<dyn Store>,
    plat: TestPlatform,
    publisher: Arc<Publisher>,
    key: SecretKey,
    ws: WorkspaceId,
    channel: ChannelId,
    user: herald_domain::UserId,
    _dir: tempfile::TempDir,
}

const WORKER: &str = "test-worker";

async fn world(idempotent: bool) -> World {
    world_with(TestPlatformOptions {
        honour_idempotency_key: idempotent,
        ..Default::default()
    })
    .await
}

async fn world_with(options: TestPlatformOptions) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = herald_store::connect(&format!("sqlite://{}", dir.path().join("h.db").display()))
        .await
        .unwrap();
    let plat = TestPlatform::start(options).await;
    let key = SecretKey::generate();
    let (user, ws, channel) = crate::seed(store.as_ref(), &plat, &key, "f@x.example").await;
    let mut cfg = PublisherConfig::new(WORKER);
    cfg.lease = Duration::from_secs(4);
    let registry = Arc::new(Registry::new(Duration::from_secs(1)));
    let publisher = Arc::new(Publisher::new(
        store.clone(),
        registry,
        key.clone(),
        cfg,
        Arc::new(Notify::new()),
        None,
    ));
    World {
        store,
        plat,
        publisher,
        key,
        ws,
        channel,
        user,
        _dir: dir,
    }
}

impl World {
    async fn post(&self, text: &str) -> PostId {
        let draft = PostDraft {
            text: text.into(),
            channels: vec![self.channel],
            scheduled_at: Some(Utc::now()),
            ..Default::default()
        };
        self.store
            .create_post(self.ws, self.user, &draft, Utc::now())
            .await
            .unwrap()
            .id
    }

    /// Claims what is due at `now + ahead` and processes it; returns how many were claimed.
    async fn step(&self, ahead: CDuration) -> usize {
        let at = Utc::now() + ahead;
        let claims = self
            .store
            .claim_due(WORKER, at, at + CDuration::seconds(4), 10)
            .await
            .unwrap();
        let n = claims.len();
        for c in claims {
            self.publisher.process(c).await;
        }
        n
    }

    async fn delivery(&self, post: PostId) -> herald_domain::publishing::Delivery {
        self.store
            .deliveries(self.ws, post)
            .await
            .unwrap()
            .remove(0)
    }

    async fn channel_status(&self) -> (ChannelStatus, Option<chrono::DateTime<Utc>>) {
        let c = self
            .store
            .channel(self.ws, self.channel)
            .await
            .unwrap()
            .unwrap();
        (c.status, c.not_before)
    }
}

#[tokio::test]
async fn rate_limit_honours_retry_after_and_the_channel_waits() {
    let w = world(false).await;
    let p = w.post("rate limited once").await;
    w.plat.push_fault(Fault::RateLimit {
        retry_after_secs: 7,
    });
    assert_eq!(w.step(CDuration::zero()).await, 1);
    let d = w.delivery(p).await;
    assert_eq!(d.state, DeliveryState::Scheduled);
    let (status, not_before) = w.channel_status().await;
    assert_eq!(status, ChannelStatus::RateLimited);
    let wait = (not_before.unwrap() - Utc::now()).num_seconds();
    assert!(
        (5..=7).contains(&wait),
        "not_before follows Retry-After: {wait}"
    );
    assert_eq!(d.attempt, 0, "a rate limit does not spend an attempt");
    // Nothing is claimed before the platform's time; afterwards it goes out once.
    assert_eq!(w.step(CDuration::seconds(5)).await, 0);
    assert_eq!(w.step(CDuration::seconds(8)).await, 1);
    assert_eq!(w.delivery(p).await.state, DeliveryState::Published);
    assert_eq!(
        w.channel_status().await.0,
        ChannelStatus::Ok,
        "the channel recovers"
    );
    assert_eq!(w.plat.count_by_text("rate limited once"), 1);
}

#[tokio::test]
async fn a_500_is_reconciled_then_sent_once() {
    let w = world(false).await;
    let p = w.post("after a 500").await;
    w.plat.push_fault(Fault::ServerError);
    w.step(CDuration::zero()).await;
    let d = w.delivery(p).await;
    assert_eq!(
        d.state,
        DeliveryState::Unknown,
        "a 500 after sending may or may not have posted"
    );
    assert_eq!(
        w.store.post(w.ws, p).await.unwrap().unwrap().status,
        PostStatus::Publishing
    );
    assert_eq!(w.step(CDuration::seconds(3)).await, 1);
    assert_eq!(w.delivery(p).await.state, DeliveryState::Published);
    assert_eq!(w.plat.count_by_text("after a 500"), 1);
}

#[tokio::test]
async fn timeouts_never_double_post_nor_lose_one() {
    let w = world(false).await;
    // The platform stored the post but the answer never came back: reconciliation finds it.
    let stored = w.post("stored, answer lost").await;
    w.plat
        .push_fault(Fault::StoreThenHang(Duration::from_millis(1800)));
    w.step(CDuration::zero()).await;
    assert_eq!(w.delivery(stored).await.state, DeliveryState::Unknown);
    w.step(CDuration::seconds(3)).await;
    let d = w.delivery(stored).await;
    assert_eq!(d.state, DeliveryState::Published);
    assert!(
        d.attempts
            .iter()
            .any(|a| a.detail.contains("reconciliation")),
        "{:?}",
        d.attempts
    );
    assert_eq!(
        w.plat.count_by_text("stored, answer lost"),
        1,
        "not sent again"
    );

    // The request hung before the platform stored anything: reconciliation finds nothing, so
    // it is sent.
    let lost = w.post("hung before storing").await;
    w.plat.push_fault(Fault::Hang(Duration::from_millis(1800)));
    w.step(CDuration::zero()).await;
    assert_eq!(w.delivery(lost).await.state, DeliveryState::Unknown);
    w.step(CDuration::seconds(3)).await;
    assert_eq!(w.delivery(lost).await.state, DeliveryState::Published);
    assert_eq!(w.plat.count_by_text("hung before storing"), 1);
}

#[tokio::test]
async fn with_native_idempotency_an_unknown_outcome_is_resent_with_the_same_key() {
    let w = world(true).await;
    let p = w.post("idempotent resend").await;
    w.plat
        .push_fault(Fault::StoreThenHang(Duration::from_millis(1800)));
    w.step(CDuration::zero()).await;
    w.step(CDuration::seconds(3)).await;
    assert_eq!(w.delivery(p).await.state, DeliveryState::Published);
    assert_eq!(
        w.plat.count_by_text("idempotent resend"),
        1,
        "the platform refused the repeat"
    );
    assert_eq!(
        w.plat.publish_requests(),
        2,
        "sent twice with one key, stored once"
    );
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_goes_out() {
    let w = world(false).await;
    let p = w.post("after refresh").await;
    let old = w.plat.access_token();
    w.plat.expire_token();
    w.step(CDuration::zero()).await;
    assert_eq!(w.delivery(p).await.state, DeliveryState::Published);
    assert_eq!(w.plat.count_by_text("after refresh"), 1);
    // The refreshed credentials were stored, encrypted.
    let claims = w
        .store
        .claim_due("peek", Utc::now(), Utc::now(), 0)
        .await
        .unwrap();
    assert!(claims.is_empty());
    let p2 = w.post("uses the new token").await;
    assert_ne!(w.plat.access_token(), old);
    w.step(CDuration::zero()).await;
    assert_eq!(w.delivery(p2).await.state, DeliveryState::Published);
    assert_eq!(w.channel_status().await.0, ChannelStatus::Ok);
}

#[tokio::test]
async fn a_401_whose_refresh_fails_waits_for_reconnect_and_loses_nothing() {
    let w = world(false).await;
    let p = w.post("waits for reconnect").await;
    w.plat.expire_token();
    w.plat.set_refresh_fails(true);
    w.step(CDuration::zero()).await;
    let (status, _) = w.channel_status().await;
    assert_eq!(status, ChannelStatus::ReconnectNeeded);
    let ch = w.store.channel(w.ws, w.channel).await.unwrap().unwrap();
    assert!(
        ch.status_reason.unwrap().contains("Reconnect"),
        "the person is told what to do"
    );
    let d = w.delivery(p).await;
    assert_eq!(d.state, DeliveryState::Scheduled, "the post waits");
    assert_eq!(
        w.store.post(w.ws, p).await.unwrap().unwrap().status,
        PostStatus::Scheduled
    );
    assert_eq!(
        w.step(CDuration::seconds(60)).await,
        0,
        "nothing is tried while the channel needs a person"
    );
    // A person reconnects with valid credentials: it goes out.
    w.plat.set_refresh_fails(false);
    let fresh = w.key.encrypt(&w.plat.credentials().to_string()).unwrap();
    w.store
        .set_channel_credentials(w.ws, w.channel, &fresh, Utc::now())
        .await
        .unwrap();
    assert_eq!(w.step(CDuration::zero()).await, 1);
    assert_eq!(w.delivery(p).await.state, DeliveryState::Published);
    assert_eq!(w.plat.count_by_text("waits for reconnect"), 1);
}

#[tokio::test]
async fn text_the_platform_would_refuse_fails_without_calling_it() {
    let w = world(false).await;
    let p = w.post(&"я".repeat(501)).await;
    let before = w.plat.publish_requests();
    w.step(CDuration::zero()).await;
    let d = w.delivery(p).await;
    assert_eq!(d.state, DeliveryState::Failed);
    assert!(d.error.unwrap().contains("would refuse"));
    assert_eq!(
        w.plat.publish_requests(),
        before,
        "the platform was not called"
    );
    assert_eq!(
        w.store.post(w.ws, p).await.unwrap().unwrap().status,
        PostStatus::Failed
    );
}

#[tokio::test]
async fn a_post_deleted_after_its_claim_never_goes_out() {
    let w = world(false).await;
    let p = w.post("deleted in time").await;
    let at = Utc::now();
    let claims = w
        .store
        .claim_due(WORKER, at, at + CDuration::seconds(4), 10)
        .await
        .unwrap();
    w.store.delete_post(w.ws, p, Utc::now()).await.unwrap();
    for c in claims {
        w.publisher.process(c).await;
    }
    assert_eq!(w.plat.count_by_text("deleted in time"), 0);
    let ds = w.store.deliveries(w.ws, p).await.unwrap();
    assert_eq!(ds[0].state, DeliveryState::Cancelled);
}

#[tokio::test]
async fn the_run_loop_wakes_at_the_due_instant() {
    let w = world(false).await;
    let wake = Arc::new(Notify::new());
    let mut cfg = PublisherConfig::new("loop-worker");
    cfg.lease = Duration::from_secs(4);
    let publisher = Arc::new(Publisher::new(
        w.store.clone(),
        Arc::new(Registry::new(Duration::from_secs(1))),
        w.key.clone(),
        cfg,
        wake.clone(),
        None,
    ));
    // Due in 1.5 s, known before the loop starts: the loop sleeps until then (a timer on the
    // earliest due instant, not a polling tick).
    let soon = |text: &str| PostDraft {
        text: text.into(),
        channels: vec![w.channel],
        scheduled_at: Some(Utc::now() + CDuration::milliseconds(1500)),
        ..Default::default()
    };
    let first = w
        .store
        .create_post(w.ws, w.user, &soon("timer"), Utc::now())
        .await
        .unwrap()
        .id;
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(publisher.run(rx));
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Scheduled while the loop sleeps: the API wakes it, and it re-aims its timer.
    let second = w
        .store
        .create_post(w.ws, w.user, &soon("woken"), Utc::now())
        .await
        .unwrap()
        .id;
    wake.notify_one();
    let mut done = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if w.delivery(first).await.state == DeliveryState::Published
            && w.delivery(second).await.state == DeliveryState::Published
        {
            done = true;
            break;
        }
    }
    stop.send(true).unwrap();
    task.await.unwrap();
    assert!(done, "both went out");
    for p in [first, second] {
        let d = w.delivery(p).await;
        assert!(d.published_at.unwrap() >= d.due_at, "never early");
    }
}

/// The loop claims ahead of its free slots; on a clean stop the claims it never sent go back
/// to the queue at once (not when their lease ends), with the attempt not counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_loop_hands_back_the_claims_it_never_sent() {
    let w = world_with(TestPlatformOptions {
        latency: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    let mut posts = vec![];
    for i in 0..6 {
        posts.push(w.post(&format!("queued {i}")).await);
    }
    let mut cfg = PublisherConfig::new("stopping-worker");
    cfg.concurrency = 2;
    let publisher = Arc::new(Publisher::new(
        w.store.clone(),
        Arc::new(Registry::new(Duration::from_secs(5))),
        w.key.clone(),
        cfg,
        Arc::new(Notify::new()),
        None,
    ));
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(publisher.run(rx));
    // Two in flight at the slow platform, two more claimed and waiting in the loop's queue.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let claimed = |states: &[DeliveryState]| {
        states
            .iter()
            .filter(|s| **s == DeliveryState::Claimed)
            .count()
    };
    let mut states = vec![];
    for p in &posts {
        states.push(w.delivery(*p).await.state);
    }
    assert_eq!(claimed(&states), 2, "claimed ahead: {states:?}");
    stop.send(true).unwrap();
    task.await.unwrap();
    let mut published = 0;
    for p in &posts {
        let d = w.delivery(*p).await;
        match d.state {
            DeliveryState::Published => published += 1,
            DeliveryState::Scheduled => assert_eq!(d.attempts.len(), 0, "{d:?}"),
            other => panic!("left {other:?}"),
        }
    }
    assert_eq!(published, 2, "the two in flight finished");
    assert_eq!(w.plat.posts().len(), 2);
    // Claimable again straight away.
    let again = w
        .store
        .claim_due("next", Utc::now(), Utc::now() + CDuration::seconds(4), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 4);
    assert!(again.iter().all(|c| c.attempt == 1));
}

/// A platform whose idempotency keys are forgotten after a while: past that window, an
/// unknown outcome is reconciled first instead of trusting the key.
struct ShortMemory {
    inner: Arc<dyn herald_platforms::Connector>,
    info: &'static herald_platforms::PlatformInfo,
}

#[async_trait::async_trait]
impl herald_platforms::Connector for ShortMemory {
    fn info(&self) -> &herald_platforms::PlatformInfo {
        self.info
    }
    fn idempotency(&self, ch: &herald_platforms::ChannelCtx) -> herald_platforms::Idempotency {
        self.inner.idempotency(ch)
    }
    async fn verify(
        &self,
        ch: &herald_platforms::ChannelCtx,
    ) -> Result<herald_platforms::AccountInfo, herald_platforms::PublishError> {
        self.inner.verify(ch).await
    }
    async fn publish(
        &self,
        ch: &herald_platforms::ChannelCtx,
        post: &herald_platforms::OutgoingPost,
    ) -> Result<herald_platforms::Published, herald_platforms::PublishError> {
        self.inner.publish(ch, post).await
    }
    async fn reconcile(
        &self,
        ch: &herald_platforms::ChannelCtx,
        post: &herald_platforms::OutgoingPost,
    ) -> Result<Option<herald_platforms::Published>, herald_platforms::PublishError> {
        self.inner.reconcile(ch, post).await
    }
}

#[tokio::test]
async fn past_the_idempotency_window_an_unknown_outcome_is_reconciled_first() {
    let w = world(true).await;
    let mut registry = Registry::new(Duration::from_secs(1));
    let inner = registry.get("testplat").unwrap();
    let mut info = inner.info().clone();
    info.idempotency_window = Some(Duration::from_millis(500));
    registry.register(Arc::new(ShortMemory {
        inner,
        info: Box::leak(Box::new(info)),
    }));
    let mut cfg = PublisherConfig::new(WORKER);
    cfg.lease = Duration::from_secs(4);
    let publisher = Arc::new(Publisher::new(
        w.store.clone(),
        Arc::new(registry),
        w.key.clone(),
        cfg,
        Arc::new(Notify::new()),
        None,
    ));

    let p = w.post("remembered briefly").await;
    w.plat
        .push_fault(Fault::StoreThenHang(Duration::from_millis(1800)));
    let at = Utc::now();
    for c in w
        .store
        .claim_due(WORKER, at, at + CDuration::seconds(4), 10)
        .await
        .unwrap()
    {
        publisher.process(c).await;
    }
    assert_eq!(w.delivery(p).await.state, DeliveryState::Unknown);
    // The key is past the platform's memory by now: Herald looks before sending again.
    let at = Utc::now() + CDuration::seconds(3);
    for c in w
        .store
        .claim_due(WORKER, at, at + CDuration::seconds(4), 10)
        .await
        .unwrap()
    {
        publisher.process(c).await;
    }
    let d = w.delivery(p).await;
    assert_eq!(d.state, DeliveryState::Published);
    assert!(
        d.attempts
            .iter()
            .any(|a| a.detail.contains("reconciliation")),
        "{:?}",
        d.attempts
    );
    assert_eq!(w.plat.publish_requests(), 1, "found, not sent again");
    assert_eq!(w.plat.count_by_text("remembered briefly"), 1);
}
