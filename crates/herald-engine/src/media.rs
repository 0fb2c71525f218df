//! How the publisher finds the files of a post's media: the rendition made for the
//! channel's platform. Implemented over the media library by the binary, so the engine does
//! not decide where files live.

use async_trait::async_trait;
use herald_domain::publishing::MediaId;
use herald_domain::WorkspaceId;
use herald_platforms::OutgoingMedia;

#[async_trait]
pub trait MediaResolver: Send + Sync {
    /// The files to send for `media` on a channel of connector `platform`, in order. Any item
    /// that cannot be prepared fails the whole call with a message for people: a post never
    /// goes out with an image silently missing.
    async fn resolve(
        &self,
        ws: WorkspaceId,
        platform: &str,
        media: &[MediaId],
    ) -> Result<Vec<OutgoingMedia>, String>;
}
