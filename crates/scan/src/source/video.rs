//! Recorded video replay from YUV4MPEG2 (`.y4m`) files, the plain
//! uncompressed format ffmpeg and most tools read and write
//! (`ffmpeg -i clip.mp4 -pix_fmt gray clip.y4m`). Only the luma plane is
//! kept; chroma is skipped. Frames come at the file's rate (or a set one)
//! and the replay can loop.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{Error, Frame, FrameSource, Result};

/// Replays a y4m file.
#[derive(Debug)]
pub struct VideoSource {
    path: PathBuf,
    file: BufReader<File>,
    width: u32,
    height: u32,
    chroma_bytes: usize,
    fps: f64,
    data_start: u64,
    looping: bool,
    paced: bool,
    seq: u64,
    started: Option<Instant>,
}

fn bad(path: &Path, detail: impl Into<String>) -> Error {
    Error::Video {
        path: path.to_owned(),
        detail: detail.into(),
    }
}

impl VideoSource {
    /// Opens a y4m file; `fps` overrides the file's frame rate.
    pub fn open(path: &Path, fps: Option<f64>) -> Result<Self> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = BufReader::new(File::open(path).map_err(io)?);
        let mut header = Vec::new();
        file.by_ref()
            .take(1024)
            .read_until(b'\n', &mut header)
            .map_err(io)?;
        let header = String::from_utf8_lossy(&header);
        let mut fields = header.trim_end().split(' ');
        if fields.next() != Some("YUV4MPEG2") {
            return Err(bad(
                path,
                "not a YUV4MPEG2 file (the first line must start with YUV4MPEG2)",
            ));
        }
        let (mut width, mut height, mut rate, mut colour) =
            (0u32, 0u32, 30.0f64, "420jpeg".to_owned());
        for f in fields {
            let (tag, val) = f.split_at(1.min(f.len()));
            match tag {
                "W" => {
                    width = val
                        .parse()
                        .map_err(|_| bad(path, format!("bad width {val:?}")))?
                }
                "H" => {
                    height = val
                        .parse()
                        .map_err(|_| bad(path, format!("bad height {val:?}")))?
                }
                "F" => {
                    let (n, d) = val.split_once(':').unwrap_or((val, "1"));
                    let (n, d): (f64, f64) = (n.parse().unwrap_or(0.0), d.parse().unwrap_or(0.0));
                    if n > 0.0 && d > 0.0 {
                        rate = n / d;
                    }
                }
                "C" => colour = val.to_owned(),
                _ => {}
            }
        }
        if width == 0 || height == 0 || width > 16384 || height > 16384 {
            return Err(bad(path, "missing or impossible W/H in the header"));
        }
        let (cw, ch) = (width.div_ceil(2) as usize, height.div_ceil(2) as usize);
        let chroma_bytes = match colour.as_str() {
            c if c.starts_with("420") => 2 * cw * ch,
            c if c.starts_with("422") => 2 * cw * height as usize,
            c if c.starts_with("444") && !c.contains("alpha") => {
                2 * width as usize * height as usize
            }
            "mono" => 0,
            other => {
                return Err(bad(
                    path,
                    format!("colour space C{other} is not supported (use 420, 422, 444 or mono)"),
                ));
            }
        };
        let data_start = file.stream_position().map_err(io)?;
        Ok(Self {
            path: path.to_owned(),
            file,
            width,
            height,
            chroma_bytes,
            fps: fps.filter(|f| *f > 0.0).unwrap_or(rate),
            data_start,
            looping: false,
            paced: true,
            seq: 0,
            started: None,
        })
    }

    /// Start again at the first frame after the last.
    pub fn looping(mut self, looping: bool) -> Self {
        self.looping = looping;
        self
    }

    /// Deliver frames at the frame rate (default) or as fast as asked.
    pub fn paced(mut self, paced: bool) -> Self {
        self.paced = paced;
        self
    }

    /// Reads the next FRAME header; `false` at the end of the file.
    fn frame_header(&mut self) -> Result<bool> {
        let mut line = Vec::new();
        let n = self
            .file
            .by_ref()
            .take(1024)
            .read_until(b'\n', &mut line)
            .map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
        if n == 0 {
            return Ok(false);
        }
        if !line.starts_with(b"FRAME") {
            return Err(bad(
                &self.path,
                format!("frame {} does not start with FRAME", self.seq),
            ));
        }
        Ok(true)
    }
}

impl FrameSource for VideoSource {
    fn next_frame(&mut self) -> Result<Option<Frame>> {
        let io = |path: &Path, source| Error::Io {
            path: path.to_owned(),
            source,
        };
        if !self.frame_header()? {
            if !self.looping || self.seq == 0 {
                return Ok(None);
            }
            self.file
                .seek(SeekFrom::Start(self.data_start))
                .map_err(|e| io(&self.path, e))?;
            if !self.frame_header()? {
                return Ok(None);
            }
        }
        let mut luma = vec![0u8; self.width as usize * self.height as usize];
        self.file
            .read_exact(&mut luma)
            .map_err(|_| bad(&self.path, format!("frame {} is cut short", self.seq)))?;
        self.file
            .seek_relative(self.chroma_bytes as i64)
            .map_err(|e| io(&self.path, e))?;
        let timestamp = Duration::from_secs_f64(self.seq as f64 / self.fps);
        if self.paced {
            let start = *self.started.get_or_insert_with(Instant::now);
            if let Some(wait) = (start + timestamp).checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let frame = Frame {
            width: self.width,
            height: self.height,
            luma,
            timestamp,
            seq: self.seq,
        };
        self.seq += 1;
        Ok(Some(frame))
    }

    fn describe(&self) -> String {
        format!(
            "video:{} ({}x{} @ {:.1} fps)",
            self.path.display(),
            self.width,
            self.height,
            self.fps
        )
    }
}

/// Writes luma frames as a y4m file (C420jpeg, neutral chroma) any player can open.
#[derive(Debug)]
pub struct Y4mWriter {
    out: BufWriter<File>,
    path: PathBuf,
    width: u32,
    height: u32,
}

impl Y4mWriter {
    /// Creates `path` for frames of `width` x `height` at `fps` frames per second.
    pub fn create(path: &Path, width: u32, height: u32, fps: u32) -> Result<Self> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut out = BufWriter::new(File::create(path).map_err(io)?);
        writeln!(
            out,
            "YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg"
        )
        .map_err(io)?;
        Ok(Self {
            out,
            path: path.to_owned(),
            width,
            height,
        })
    }

    /// Appends one frame; its size must match the file's.
    pub fn write(&mut self, frame: &Frame) -> Result<()> {
        if frame.width != self.width || frame.height != self.height {
            return Err(Error::Config(format!(
                "frame is {}x{} but the video is {}x{}",
                frame.width, frame.height, self.width, self.height
            )));
        }
        let io = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        let chroma =
            vec![128u8; 2 * self.width.div_ceil(2) as usize * self.height.div_ceil(2) as usize];
        self.out.write_all(b"FRAME\n").map_err(io)?;
        self.out.write_all(&frame.luma).map_err(io)?;
        self.out.write_all(&chroma).map_err(io)?;
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })
    }
}
