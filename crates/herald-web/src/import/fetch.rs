//! The files an import row names in its `media` column: an http(s) URL (fetched with the
//! connectors' HTTP client, size-limited), a file on this machine (only from the command line,
//! never over HTTP), or `sha256:<hex>` for a file already in the workspace's library (what
//! `herald export csv` writes). Nothing is stored here: files are probed, and added to the
//! library only once the whole file has validated.

use crate::api::media::MAX_UPLOAD;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A file to add to the library when the import is written.
#[derive(Debug, Clone)]
pub struct Pending {
    pub name: String,
    pub bytes: axum::body::Bytes,
}

/// What a `media` entry resolved to.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// Already in the workspace's library.
    Library(i64),
    New(Pending),
}

/// Where media may come from during one import.
pub struct Fetcher {
    client: Option<reqwest::Client>,
    /// Local files are allowed, relative to this folder (the CSV file's).
    local_dir: Option<PathBuf>,
}

const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

impl Fetcher {
    pub fn new(local_dir: Option<PathBuf>) -> Fetcher {
        Fetcher {
            client: herald_platforms::http::client(FETCH_TIMEOUT).ok(),
            local_dir,
        }
    }

    /// Resolves one entry; `library` is the workspace's media as (id, sha256).
    pub async fn resolve(
        &self,
        entry: &str,
        library: &[(i64, String)],
    ) -> Result<Resolved, String> {
        let entry = entry.trim();
        if let Some(hash) = entry.strip_prefix("sha256:") {
            return library
                .iter()
                .find(|(_, h)| h.eq_ignore_ascii_case(hash))
                .map(|(id, _)| Resolved::Library(*id))
                .ok_or_else(|| format!("{entry} is not in this workspace's media library"));
        }
        let (name, bytes) = if entry.starts_with("http://") || entry.starts_with("https://") {
            self.download(entry).await?
        } else {
            let Some(dir) = &self.local_dir else {
                return Err(format!(
                    "'{entry}' is not an http(s) URL; files on the server can be named only \
                     from the command line"
                ));
            };
            let path = dir.join(entry);
            let bytes = read_local(&path).await?;
            (file_name(entry), bytes)
        };
        if bytes.is_empty() {
            return Err(format!("{entry} is empty"));
        }
        let probe_bytes = bytes.clone();
        let hint = name.clone();
        tokio::task::spawn_blocking(move || herald_media::probe(&probe_bytes, &hint))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{entry}: {e}"))?;
        Ok(Resolved::New(Pending {
            name,
            bytes: bytes.into(),
        }))
    }

    async fn download(&self, url: &str) -> Result<(String, Vec<u8>), String> {
        let client = self
            .client
            .as_ref()
            .ok_or_else(|| "the HTTP client is not available".to_string())?;
        let mut resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("cannot fetch {url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("{url} answered {}", resp.status()));
        }
        if resp.content_length().is_some_and(|n| n > MAX_UPLOAD as u64) {
            return Err(too_big(url));
        }
        let mut bytes = vec![];
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| format!("cannot fetch {url}: {e}"))?
        {
            if bytes.len() + chunk.len() > MAX_UPLOAD {
                return Err(too_big(url));
            }
            bytes.extend_from_slice(&chunk);
        }
        let path = url.split(['?', '#']).next().unwrap_or(url);
        Ok((file_name(path), bytes))
    }
}

fn too_big(what: &str) -> String {
    format!("{what} is larger than {} MiB", MAX_UPLOAD / (1024 * 1024))
}

fn file_name(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.is_empty() {
        "imported".to_string()
    } else {
        name
    }
}

async fn read_local(path: &Path) -> Result<Vec<u8>, String> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > MAX_UPLOAD as u64 {
        return Err(too_big(&path.display().to_string()));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}
