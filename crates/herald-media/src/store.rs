//! Writing a file so that a crash never leaves half of it under its final name.
//!
//! The bytes go to a fresh temporary file in the destination folder, are flushed to disk, and
//! the file is renamed over the final name, which is atomic on one file system; then the folder
//! itself is flushed so the rename survives a power cut. Temporary names start with `.tmp-`, so
//! nothing that looks for `<hash>.<ext>` ever sees one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::MediaError;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `dir/name` atomically, creating `dir` if needed.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), MediaError> {
    fs::create_dir_all(dir).map_err(|e| MediaError::io(dir, e))?;
    let (tmp_path, mut file) = create_temp(dir, name)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            fs::rename(&tmp_path, dir.join(name))
        });
    if let Err(e) = written {
        // The temporary file is garbage now; failing to remove it changes nothing for the caller.
        let _ = fs::remove_file(&tmp_path);
        return Err(MediaError::io(dir.join(name), e));
    }
    sync_dir(dir).map_err(|e| MediaError::io(dir, e))
}

/// A new file that no other writer can have: the name carries the process id, a counter and the
/// clock, and `create_new` refuses an existing file.
fn create_temp(dir: &Path, name: &str) -> Result<(std::path::PathBuf, File), MediaError> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut last_err = None;
    for _ in 0..8 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".tmp-{}-{n}-{nanos}-{name}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(MediaError::io(tmp, e)),
        }
    }
    Err(MediaError::io(
        dir,
        last_err.unwrap_or_else(|| io::Error::other("no free temporary name")),
    ))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a folder as a file; its renames are flushed with the file system.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = std::env::temp_dir().join(format!(
            "herald-media-store-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        write_atomic(&dir, "a.bin", b"one").unwrap();
        write_atomic(&dir, "a.bin", b"two").unwrap();
        assert_eq!(fs::read(dir.join("a.bin")).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.bin"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
