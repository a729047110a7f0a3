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
    /// Something was there but unusable (torn, corrupted, unreadable); it has been removed.
    Discarded(String),
}

impl Store {
    /// Opens (creating it if needed) the data directory and takes its lock.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot open lock file {}", lock_path.display()))?;
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

    /// Reads the current image and checks its size and SHA-256; anything unusable is discarded.
    /// Also clears what an interrupted write left behind.
    pub fn load(&self) -> Loaded {
        let loaded = match self.read_current() {
            Ok(None) => Loaded::Empty,
            Ok(Some(image)) if image.is_intact() => Loaded::Image(image),
            Ok(Some(image)) => Loaded::Discarded(format!(
                "stored image does not match its metadata (sha256 {}, size {})",
                image.meta.sha256, image.meta.size
            )),
            Err(error) => Loaded::Discarded(format!("stored image is unreadable: {error}")),
        };
        if let Loaded::Discarded(_) = loaded {
            let _ = fs::remove_file(self.dir.join(CURRENT_FILE));
        }
        let keep = match &loaded {
            Loaded::Image(image) => Some(image_file_name(&image.meta)),
            _ => None,
        };
        self.remove_leftovers(keep.as_deref());
        loaded
    }

    /// Makes `image` the current one, durably; the previous image file is removed afterwards.
    pub fn save(&self, image: &Image) -> io::Result<()> {
        let file_name = image_file_name(&image.meta);
        self.write_atomically(&file_name, &image.bytes)?;
        let meta = serde_json::to_vec_pretty(&image.meta).map_err(io::Error::other)?;
        self.write_atomically(CURRENT_FILE, &meta)?;
        self.remove_leftovers(Some(&file_name));
        Ok(())
    }

    fn read_current(&self) -> io::Result<Option<Image>> {
        let meta = match fs::read(self.dir.join(CURRENT_FILE)) {
            Ok(meta) => meta,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let meta: ImageMeta = serde_json::from_slice(&meta).map_err(io::Error::other)?;
        let bytes = fs::read(self.dir.join(image_file_name(&meta)))?;
        Ok(Some(Image { bytes: Bytes::from(bytes), meta }))
    }

    fn write_atomically(&self, name: &str, contents: &[u8]) -> io::Result<()> {
        let temp = self.dir.join(format!("{TEMP_PREFIX}{name}"));
        let mut file = File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, self.dir.join(name))?;
        // The rename itself is durable only once the directory is.
        File::open(&self.dir)?.sync_all()
    }

    /// Temp files of interrupted writes and image files no longer named by `current.json`.
    fn remove_leftovers(&self, keep: Option<&str>) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale_image = name.starts_with(IMAGE_PREFIX) && Some(name) != keep;
            if name.starts_with(TEMP_PREFIX) || stale_image {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
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
    fn a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path()).unwrap();
        let error = Store::open(dir.path()).err().expect("second open must fail").to_string();
        assert!(error.contains("already used by another image-sidecar"), "{error}");
    }
}
