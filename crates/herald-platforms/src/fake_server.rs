//! What every fake platform server shares: it listens on a free loopback port and stops,
//! gracefully, when its guard is dropped with the fake that owns it.

use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Stops the server when dropped.
#[derive(Debug)]
pub struct ServerGuard(Option<oneshot::Sender<()>>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves `router` on `listener` (bound to 127.0.0.1:0 by the caller) in the background.
pub fn serve(listener: TcpListener, router: axum::Router) -> ServerGuard {
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
    });
    ServerGuard(Some(stop))
}
