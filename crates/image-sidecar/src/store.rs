//! The volume: one current image, replaced atomically, and a lock against a second writer.
//!
//! Layout: `image-<sha256>.bin` holds the bytes, `current.json` the metadata naming it. Each file
//! is written as temp file, fsync, rename, fsync of the directory, image first: a crash at any
//! moment leaves `current.json` naming a complete file, either the previous image or the new one.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use bytes::Bytes;

use crate::image::{Image, ImageMeta};

const LOCK_FILE: &str = ".lock";
const CURRENT_FILE: &str = "current.json";
const TEMP_PREFIX: &str = ".tmp-";
const IMAGE_PREFIX: &str = "image-";

pub struct Store {
    dir: PathBuf,
    /// Held for the life of the process; the OS releases it even after kill -9.
    _lock: File,
}

/// What `Store::load` found on the volume.
#[derive(Debug)]
pub enum Loaded {
    Empty,
    Image(Image),
    /// Something was there but corrupt (torn, tampered, nonsense metadata); it has been removed.
    Discarded(String),
    /// Reading failed (I/O error, permissions): maybe for a moment only, so nothing was removed.
    Unreadable(String),
}

enum ReadError {
    Corrupt(String),
    Io(io::Error),
}

/// Which image files survive a clean-up of leftovers.
enum Keep<'a> {
    Only(&'a str),
    None,
    /// What `current.json` names is unknown: leave every image alone.
    All,
}

impl Store {
    /// Opens (creating it if needed) the data directory and takes its lock.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock =
            open_lock(dir, &lock_path).with_context(|| format!("cannot open lock file {}", lock_path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => bail!(
                "data directory {} is already used by another image-sidecar (lock {} is held)",
                dir.display(),
                lock_path.display()
            ),
            Err(TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("cannot lock {}", lock_path.display()));
            }
        }
        Ok(Store { dir: dir.to_path_buf(), _lock: lock })
    }

    /// Reads the current image and checks it against its metadata; anything corrupt is
    /// discarded, anything merely unreadable is left in place. Also clears what an interrupted
    /// write left behind.
    pub fn load(&self) -> Loaded {
        let (loaded, keep) = match self.read_current() {
            Ok(None) => (Loaded::Empty, Keep::None),
            Ok(Some(image)) => {
                let name = image_file_name(&image.meta);
                self.remove_leftovers(Keep::Only(&name));
                return Loaded::Image(image);
            }
            Err(ReadError::Corrupt(reason)) => {
                let _ = fs::remove_file(self.dir.join(CURRENT_FILE));
                (Loaded::Discarded(reason), Keep::None)
            }
            Err(ReadError::Io(error)) => {
                (Loaded::Unreadable(format!("cannot read the stored picture: {error}")), Keep::All)
            }
        };
        self.remove_leftovers(keep);
        loaded
    }

    /// Makes `image` the current one, durably; the previous image file is removed afterwards.
    /// On failure (full or read-only volume, say) the previous image stays current and nothing
    /// of the attempt is left behind.
    pub fn save(&self, image: &Image) -> io::Result<()> {
        let file_name = image_file_name(&image.meta);
        let saved = self.write_atomically(&file_name, &image.bytes).and_then(|()| {
            let meta = serde_json::to_vec_pretty(&image.meta).map_err(io::Error::other)?;
            self.write_atomically(CURRENT_FILE, &meta)
        });
        match &saved {
            Ok(()) => self.remove_leftovers(Keep::Only(&file_name)),
            Err(_) => match self.read_meta() {
                Ok(Some(meta)) => self.remove_leftovers(Keep::Only(&image_file_name(&meta))),
                Ok(None) => self.remove_leftovers(Keep::None),
                Err(_) => self.remove_leftovers(Keep::All),
            },
        }
        saved
    }

    fn read_meta(&self) -> Result<Option<ImageMeta>, ReadError> {
        let meta = match fs::read(self.dir.join(CURRENT_FILE)) {
            Ok(meta) => meta,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(ReadError::Io(error)),
        };
        serde_json::from_slice(&meta)
            .map(Some)
            .map_err(|error| ReadError::Corrupt(format!("{CURRENT_FILE} is not valid metadata: {error}")))
    }

    fn read_current(&self) -> Result<Option<Image>, ReadError> {
        let Some(meta) = self.read_meta()? else { return Ok(None) };
        let file_name = image_file_name(&meta);
        let bytes = match fs::read(self.dir.join(&file_name)) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(ReadError::Corrupt(format!("{CURRENT_FILE} names {file_name}, which is missing")));
            }
            Err(error) => return Err(ReadError::Io(error)),
        };
        let image = Image { bytes: Bytes::from(bytes), meta };
        image.verify().map_err(ReadError::Corrupt)?;
        Ok(Some(image))
    }

    fn write_atomically(&self, name: &str, contents: &[u8]) -> io::Result<()> {
        let temp = self.dir.join(format!("{TEMP_PREFIX}{name}"));
        // On failure `save` clears the temp file with the other leftovers.
        write_synced(&temp, contents)?;
        fs::rename(&temp, self.dir.join(name))?;
        // The rename itself is durable only once the directory is.
        File::open(&self.dir)?.sync_all()
    }

    /// Temp files of interrupted writes and image files no longer named by `current.json`.
    fn remove_leftovers(&self, keep: Keep) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale_image = name.starts_with(IMAGE_PREFIX)
                && match keep {
                    Keep::Only(kept) => name != kept,
                    Keep::None => true,
                    Keep::All => false,
                };
            if name.starts_with(TEMP_PREFIX) || stale_image {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// The lock file, read-write; on a volume we may not write, the existing lock file or else the
/// directory itself, read-only (`flock` needs no write access), so a read-only volume still
/// serves what it holds.
fn open_lock(dir: &Path, lock_path: &Path) -> io::Result<File> {
    match OpenOptions::new().create(true).truncate(false).write(true).open(lock_path) {
        Err(error) if matches!(error.kind(), io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied) => {
            File::open(lock_path).or_else(|_| File::open(dir))
        }
        opened => opened,
    }
}

fn write_synced(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

fn image_file_name(meta: &ImageMeta) -> String {
    // The hash comes from a file we may not trust: keep only hex digits in a file name.
    let hash: String = meta.sha256.chars().filter(char::is_ascii_hexdigit).collect();
    format!("{IMAGE_PREFIX}{hash}.bin")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn image(bytes: &'static [u8]) -> Image {
        Image::new(Bytes::from_static(bytes), "image/gif", "http://source/", SystemTime::now())
    }

    /// A store in a fresh directory holding one saved image.
    fn store_with_saved_image() -> (tempfile::TempDir, Store, Image) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let saved = image(b"GIF89a original");
        store.save(&saved).unwrap();
        (dir, store, saved)
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        names
    }

    #[test]
    fn saved_image_loads_back_and_replaces_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(matches!(store.load(), Loaded::Empty));
        store.save(&image(b"GIF89a first")).unwrap();
        let second = image(b"GIF89a second");
        store.save(&second).unwrap();
        match store.load() {
            Loaded::Image(loaded) => assert_eq!(loaded.meta, second.meta),
            other => panic!("expected the second image, got {other:?}"),
        }
        let expected = vec![".lock".to_owned(), "current.json".to_owned(), image_file_name(&second.meta)];
        assert_eq!(file_names(dir.path()), expected);
    }

    #[test]
    fn corrupted_bytes_are_discarded() {
        let (dir, store, saved) = store_with_saved_image();
        fs::write(dir.path().join(image_file_name(&saved.meta)), b"GIF89a tampered").unwrap();
        assert!(matches!(store.load(), Loaded::Discarded(_)));
        assert!(matches!(store.load(), Loaded::Empty), "the bad image is removed");
    }

    #[test]
    fn a_missing_image_file_is_discarded() {
        let (dir, store, saved) = store_with_saved_image();
        fs::remove_file(dir.path().join(image_file_name(&saved.meta))).unwrap();
        assert!(matches!(store.load(), Loaded::Discarded(_)));
    }

    #[test]
    fn leftovers_of_an_interrupted_write_are_cleared() {
        let (dir, store, saved) = store_with_saved_image();
        fs::write(dir.path().join(".tmp-image-abc.bin"), b"GIF8").unwrap();
        fs::write(dir.path().join("image-abc.bin"), b"GIF89a orphan").unwrap();
        assert!(matches!(store.load(), Loaded::Image(_)));
        let expected = vec![".lock".to_owned(), "current.json".to_owned(), image_file_name(&saved.meta)];
        assert_eq!(file_names(dir.path()), expected);
    }

    #[test]
    fn nonsense_metadata_is_discarded_not_trusted() {
        let (dir, store, _) = store_with_saved_image();
        fs::write(dir.path().join(CURRENT_FILE), b"{\"sha256\": 7}").unwrap();
        assert!(matches!(store.load(), Loaded::Discarded(reason) if reason.contains("not valid metadata")));
        assert!(matches!(store.load(), Loaded::Empty));
    }

    #[test]
    fn an_unreadable_picture_is_left_in_place() {
        let (dir, store, saved) = store_with_saved_image();
        let picture = dir.path().join(image_file_name(&saved.meta));
        // A directory where the file was: reading fails with an I/O error other than NotFound.
        fs::rename(&picture, dir.path().join("aside")).unwrap();
        fs::create_dir(&picture).unwrap();
        assert!(matches!(store.load(), Loaded::Unreadable(_)));
        fs::remove_dir(&picture).unwrap();
        fs::rename(dir.path().join("aside"), &picture).unwrap();
        assert!(matches!(store.load(), Loaded::Image(loaded) if loaded.meta == saved.meta), "nothing was removed");
    }

    #[test]
    fn a_failed_save_keeps_the_previous_image_and_leaves_nothing_behind() {
        let (dir, store, saved) = store_with_saved_image();
        // A directory named like the metadata's temp file makes the second write fail.
        fs::create_dir(dir.path().join(format!("{TEMP_PREFIX}{CURRENT_FILE}"))).unwrap();
        assert!(store.save(&image(b"GIF89a newer")).is_err());
        fs::remove_dir(dir.path().join(format!("{TEMP_PREFIX}{CURRENT_FILE}"))).unwrap();
        let expected = vec![".lock".to_owned(), "current.json".to_owned(), image_file_name(&saved.meta)];
        assert_eq!(file_names(dir.path()), expected, "the new image file is removed again");
        assert!(matches!(store.load(), Loaded::Image(loaded) if loaded.meta == saved.meta));
    }

    #[test]
    fn a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let error = Store::open(dir.path()).err().expect("second open must fail").to_string();
        assert!(error.contains("already used by another image-sidecar"), "{error}");
    }
}
