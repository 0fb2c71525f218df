//! The media library on disk: originals stored once by content hash, and per-platform
//! renditions made on first request and kept.
//!
//! Layout under the library's root (the data folder's `media/`):
//! `originals/ab/cd/<sha256>.<ext>` and `renditions/<sha256>/<platform>.<ext>`. Every write is
//! atomic ([`crate::store`]), so after a crash a final name holds a whole file or nothing, and two
//! requests racing to make the same file both leave a whole one. What refers to which file (posts,
//! the database) is not this crate's business, and neither is deleting.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use herald_domain::text::{check_media, media_rules, MediaFormat, MediaInfo, MediaKind};
use herald_domain::Platform;
use serde::Serialize;

use crate::probe::{probe, probe_and_verify, probe_video_file, Probed};
use crate::render::Renderer;
use crate::sniff::{extension, mime, STORED_EXTENSIONS};
use crate::store::write_atomic;
use crate::{ContentHash, MediaError};

/// Extensions a derived rendition may have.
const RENDITION_EXTENSIONS: [&str; 2] = ["jpg", "png"];

/// The media folder.
#[derive(Debug, Clone)]
pub struct MediaLibrary {
    root: PathBuf,
}

/// A file ready for one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendition {
    /// The original it was made from.
    pub sha256: ContentHash,
    pub platform: Platform,
    /// The file to upload or serve.
    pub path: PathBuf,
    pub info: MediaInfo,
    pub mime: &'static str,
    /// False when the original already fits and is served as it is (videos, animations).
    pub derived: bool,
}

/// An open stored file, for serving.
#[derive(Debug)]
pub struct StoredFile {
    pub file: File,
    pub path: PathBuf,
    pub bytes: u64,
    pub mime: &'static str,
}

impl MediaLibrary {
    /// Opens (creating if needed) the library at `root`, the data folder's `media/`.
    pub fn open(root: &Path) -> Result<MediaLibrary, MediaError> {
        for dir in [root.join("originals"), root.join("renditions")] {
            fs::create_dir_all(&dir).map_err(|e| MediaError::io(&dir, e))?;
        }
        Ok(MediaLibrary {
            root: root.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks and stores an upload. The format comes from the bytes alone; `filename_hint` only
    /// names the file in errors. Storing the same bytes again writes nothing.
    pub fn ingest(&self, bytes: &[u8], filename_hint: &str) -> Result<Probed, MediaError> {
        let probed = probe_and_verify(bytes, filename_hint)?;
        let dir = self.original_dir(&probed.sha256);
        let name = original_name(&probed.sha256, probed.format);
        if !dir.join(&name).is_file() {
            write_atomic(&dir, &name, bytes)?;
        }
        Ok(probed)
    }

    /// Where the original with this hash is stored.
    pub fn original_path(&self, sha256: &ContentHash) -> Result<PathBuf, MediaError> {
        let dir = self.original_dir(sha256);
        STORED_EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("{sha256}.{ext}")))
            .find(|p| p.is_file())
            .ok_or_else(|| MediaError::NotFound(sha256.clone()))
    }

    /// Probes a stored original again (headers only; a video's metadata without reading it all).
    pub fn probe_original(&self, sha256: &ContentHash) -> Result<Probed, MediaError> {
        let path = self.original_path(sha256)?;
        let format = stored_format(&path);
        if format.kind() == MediaKind::Video {
            return probe_video_file(&path, format, sha256);
        }
        let bytes = fs::read(&path).map_err(|e| MediaError::io(&path, e))?;
        probe(&bytes, sha256.as_str())
    }

    /// Opens the original for serving.
    pub fn open_original(&self, sha256: &ContentHash) -> Result<StoredFile, MediaError> {
        let path = self.original_path(sha256)?;
        let format = stored_format(&path);
        open_stored(path, mime(format))
    }

    /// Where the derived rendition for `platform` is cached, if it has been made. Originals that
    /// are served as they are have no file here; [`Rendition::path`] is the file to use.
    pub fn rendition_path(&self, sha256: &ContentHash, platform: Platform) -> Option<PathBuf> {
        let dir = self.rendition_dir(sha256);
        RENDITION_EXTENSIONS
            .iter()
            .map(|ext| dir.join(format!("{}.{ext}", platform.as_str())))
            .find(|p| p.is_file())
    }

    /// Makes (once) and opens the rendition for `platform`, for serving.
    pub fn open_rendition(
        &self,
        sha256: &ContentHash,
        platform: Platform,
    ) -> Result<(Rendition, StoredFile), MediaError> {
        let rendition = self.rendition(sha256, platform)?;
        let file = open_stored(rendition.path.clone(), rendition.mime)?;
        Ok((rendition, file))
    }

    /// The version of the original that `platform` accepts: made on first request and cached.
    /// Still images are converted, turned upright, stripped of metadata, padded and scaled.
    /// Videos and animations are never changed: if they break a rule, the error names it.
    pub fn rendition(
        &self,
        sha256: &ContentHash,
        platform: Platform,
    ) -> Result<Rendition, MediaError> {
        self.renditions(sha256, &[platform])
            .pop()
            .unwrap_or_else(|| Err(MediaError::NotFound(sha256.clone())))
    }

    /// [`rendition`](Self::rendition) for several platforms at once, in the order given: the
    /// original is read and decoded once, and platforms whose rules lead to the same file share
    /// one encode. A missing original fails every entry.
    pub fn renditions(
        &self,
        sha256: &ContentHash,
        platforms: &[Platform],
    ) -> Vec<Result<Rendition, MediaError>> {
        let path = match self.original_path(sha256) {
            Ok(p) => p,
            Err(_) => {
                return platforms
                    .iter()
                    .map(|_| Err(MediaError::NotFound(sha256.clone())))
                    .collect()
            }
        };
        let format = stored_format(&path);
        let mut source = Source::Unread;
        platforms
            .iter()
            .map(|&platform| self.rendition_with(sha256, &path, format, platform, &mut source))
            .collect()
    }

    fn rendition_with(
        &self,
        sha256: &ContentHash,
        path: &Path,
        format: MediaFormat,
        platform: Platform,
        source: &mut Source,
    ) -> Result<Rendition, MediaError> {
        let rules = media_rules(platform);
        let kind = format.kind();
        let takes_kind = match kind {
            MediaKind::Image => rules.max_images > 0 && !rules.image_formats.is_empty(),
            MediaKind::Video => rules.max_videos > 0 && !rules.video_formats.is_empty(),
        };
        if !takes_kind {
            return Err(MediaError::KindNotAccepted { platform, kind });
        }
        if kind == MediaKind::Image {
            if let Some(cached) = self.cached_rendition(sha256, platform)? {
                return Ok(cached);
            }
        }
        if let Source::Unread = source {
            *source = self.read_source(sha256, path, format)?;
        }
        let renderer = match source {
            Source::Unread => return Err(MediaError::NotFound(sha256.clone())),
            Source::AsIs(original) => return pass_through(original, path, platform),
            Source::Still(renderer) => renderer,
        };
        let output = renderer.render(&rules)?;
        let info = MediaInfo {
            kind: MediaKind::Image,
            format: output.format,
            bytes: output.bytes.len() as u64,
            width: Some(output.width),
            height: Some(output.height),
            duration_ms: None,
        };
        let problems = check_media(platform, std::slice::from_ref(&info));
        if !problems.is_empty() {
            // The renderer is built to meet every rule; this is a bug, not the user's fault.
            return Err(MediaError::Unfit { platform, problems });
        }
        let dir = self.rendition_dir(sha256);
        let name = format!("{}.{}", platform.as_str(), extension(output.format));
        write_atomic(&dir, &name, &output.bytes)?;
        Ok(Rendition {
            sha256: sha256.clone(),
            platform,
            path: dir.join(name),
            info,
            mime: mime(output.format),
            derived: true,
        })
    }

    /// Reads the original once for a batch of renditions: a video's metadata, or an image
    /// probed and (if still) decoded.
    fn read_source(
        &self,
        sha256: &ContentHash,
        path: &Path,
        format: MediaFormat,
    ) -> Result<Source, MediaError> {
        if format.kind() == MediaKind::Video {
            return Ok(Source::AsIs(probe_video_file(path, format, sha256)?));
        }
        let bytes = fs::read(path).map_err(|e| MediaError::io(path, e))?;
        let original = probe(&bytes, sha256.as_str())?;
        if original.animated {
            return Ok(Source::AsIs(original));
        }
        Ok(Source::Still(Box::new(Renderer::new(
            &bytes,
            original.format,
            sha256.as_str(),
        )?)))
    }

    /// A rendition made earlier, if it still passes the platform's rules (rules change between
    /// Herald versions; a stale file is made again).
    fn cached_rendition(
        &self,
        sha256: &ContentHash,
        platform: Platform,
    ) -> Result<Option<Rendition>, MediaError> {
        let Some(path) = self.rendition_path(sha256, platform) else {
            return Ok(None);
        };
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(MediaError::io(&path, e)),
        };
        let Ok(probed) = probe(&bytes, sha256.as_str()) else {
            return Ok(None);
        };
        let info = probed.media_info();
        if !check_media(platform, std::slice::from_ref(&info)).is_empty() {
            return Ok(None);
        }
        Ok(Some(Rendition {
            sha256: sha256.clone(),
            platform,
            path,
            info,
            mime: probed.mime,
            derived: true,
        }))
    }

    fn original_dir(&self, sha256: &ContentHash) -> PathBuf {
        let (a, b) = sha256.fan_out();
        self.root.join("originals").join(a).join(b)
    }

    fn rendition_dir(&self, sha256: &ContentHash) -> PathBuf {
        self.root.join("renditions").join(sha256.as_str())
    }
}

/// The original, read at most once per batch of renditions.
enum Source {
    Unread,
    /// Served as it is: a video or an animation.
    AsIs(Probed),
    Still(Box<Renderer>),
}

/// An original that is never changed (a video, an animation): it fits as it is, or the error
/// names every rule it breaks.
fn pass_through(
    original: &Probed,
    path: &Path,
    platform: Platform,
) -> Result<Rendition, MediaError> {
    let info = original.media_info();
    let problems = check_media(platform, std::slice::from_ref(&info));
    if !problems.is_empty() {
        return Err(MediaError::Unfit { platform, problems });
    }
    Ok(Rendition {
        sha256: original.sha256.clone(),
        platform,
        path: path.to_path_buf(),
        info,
        mime: original.mime,
        derived: false,
    })
}

/// The format of a stored original, from the extension Herald gave it after sniffing.
fn stored_format(path: &Path) -> MediaFormat {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(MediaFormat::from_extension)
        .unwrap_or(MediaFormat::Jpeg)
}

fn original_name(sha256: &ContentHash, format: MediaFormat) -> String {
    format!("{sha256}.{}", extension(format))
}

fn open_stored(path: PathBuf, mime: &'static str) -> Result<StoredFile, MediaError> {
    let file = File::open(&path).map_err(|e| MediaError::io(&path, e))?;
    let bytes = file.metadata().map_err(|e| MediaError::io(&path, e))?.len();
    Ok(StoredFile {
        file,
        path,
        bytes,
        mime,
    })
}
