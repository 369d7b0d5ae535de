//! Image files as a frame source: a folder or a list, in order, optionally
//! looping and paced at a frame rate.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Error, Frame, FrameSource, Result};

/// File extensions the image source reads.
const EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// Reads an image file as luma.
pub fn load_luma(path: &Path) -> Result<(u32, u32, Vec<u8>)> {
    let img = image::open(path).map_err(|e| match e {
        image::ImageError::IoError(source) => Error::Io {
            path: path.to_owned(),
            source,
        },
        other => Error::Image {
            path: path.to_owned(),
            detail: other.to_string(),
        },
    })?;
    let luma = img.to_luma8();
    Ok((luma.width(), luma.height(), luma.into_raw()))
}

/// Frames from image files.
#[derive(Debug)]
pub struct ImageSource {
    files: Vec<PathBuf>,
    next: usize,
    seq: u64,
    looping: bool,
    fps: Option<f64>,
    started: Option<Instant>,
    label: String,
}

impl ImageSource {
    /// Every PNG/JPEG file in `dir` (not recursive), sorted by name.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Config(format!(
                "no PNG or JPEG files in {}",
                dir.display()
            )));
        }
        let mut s = Self::from_files(files)?;
        s.label = format!("images:{}", dir.display());
        Ok(s)
    }

    /// The given files, in order.
    pub fn from_files(files: Vec<PathBuf>) -> Result<Self> {
        if files.is_empty() {
            return Err(Error::Config(
                "the image source needs at least one file".into(),
            ));
        }
        Ok(Self {
            label: format!("images ({} files)", files.len()),
            files,
            next: 0,
            seq: 0,
            looping: false,
            fps: None,
            started: None,
        })
    }

    /// Start again from the first file after the last.
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }

    /// Deliver at most `fps` frames per second (default: as fast as asked).
    pub fn paced(mut self, fps: f64) -> Self {
        self.fps = (fps > 0.0).then_some(fps);
        self
    }
}

impl FrameSource for ImageSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        if self.next >= self.files.len() {
            if !self.looping {
                return Ok(None);
            }
            self.next = 0;
        }
        let start = *self.started.get_or_insert_with(Instant::now);
        if let Some(fps) = self.fps {
            let due = start + Duration::from_secs_f64(self.seq as f64 / fps);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let path = &self.files[self.next];
        self.next += 1;
        let (width, height, luma) = load_luma(path)?;
        let frame = Frame {
            width,
            height,
            luma,
            timestamp: start.elapsed(),
            seq: self.seq,
        };
        self.seq += 1;
        Ok(Some(frame))
    }

    fn describe(&self) -> String {
        self.label.clone()
    }
}
