//! The publisher's view of the media library: for each media id of a post, the rendition
//! made for the channel's platform (resized, re-encoded, stripped of metadata), prepared on
//! the blocking pool because image work is CPU-bound.

use async_trait::async_trait;
use herald_domain::publishing::MediaId;
use herald_domain::WorkspaceId;
use herald_media::{ContentHash, MediaLibrary};
use herald_platforms::{OutgoingMedia, Registry};
use herald_store::Store;
use std::path::Path;
use std::sync::Arc;

pub struct LibraryResolver {
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    library: Result<MediaLibrary, String>,
}

impl LibraryResolver {
    pub fn new(store: Arc<dyn Store>, registry: Arc<Registry>, data_dir: &Path) -> Self {
        let library = MediaLibrary::open(&data_dir.join("media")).map_err(|e| e.to_string());
        Self {
            store,
            registry,
            library,
        }
    }
}

#[async_trait]
impl herald_engine::MediaResolver for LibraryResolver {
    async fn resolve(
        &self,
        ws: WorkspaceId,
        platform: &str,
        media: &[MediaId],
    ) -> Result<Vec<OutgoingMedia>, String> {
        let library = self
            .library
            .clone()
            .map_err(|e| format!("the media library cannot be opened: {e}"))?;
        let rules = self
            .registry
            .get(platform)
            .map(|c| c.info().rules)
            .ok_or_else(|| format!("no connector for '{platform}'"))?;
        let mut out = Vec::with_capacity(media.len());
        for id in media {
            let rec = self
                .store
                .media_item(ws, *id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("media {id} is no longer in the library"))?;
            let hash = ContentHash::parse(&rec.sha256).map_err(|e| e.to_string())?;
            let lib = library.clone();
            let rendition = tokio::task::spawn_blocking(move || lib.rendition(&hash, rules))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| {
                    format!(
                        "{} cannot be prepared for {}: {e}",
                        rec.filename,
                        rules.display_name()
                    )
                })?;
            out.push(OutgoingMedia {
                path: rendition.path,
                mime: rendition.mime.to_string(),
                alt_text: rec.alt_text,
                sha256: rec.sha256,
            });
        }
        Ok(out)
    }
}
