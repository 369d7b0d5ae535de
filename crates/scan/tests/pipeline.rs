//! Every source delivers frames through the same pipeline and reader.

use std::path::Path;
use std::time::Duration;

use image::GrayImage;
use passgate_scan::source::{
    CameraSource, CameraSpec, ImageSource, SyntheticConfig, SyntheticSource, VideoSource, Y4mWriter,
};
use passgate_scan::{Delivery, Frame, FrameSource, Pipeline, PipelineEvent, Reader, ReaderConfig};

const TEXT: &str = "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA.A5:S9MKN4NN3F85QNCY0O%0VZ001HOC9JU0D0HT0HB2PL/IB*09B9LW4T*8+DCMH0LDK2%K:XFE70*LP$V25$0Q:J:4MO1P0%0L0HD+9E/HY+4J6TH48S%4K.GJ2PT3QY:GQ3TE2I+-CPHN6D7LLK*2HG%89UV-0LZ 2ZJJ524-LH/CJTK96L6SR9MU9DHGZ%P WUQRENS431T1XCNCF+47AY0-IFO0500TGPN8F5G.41Q2E4T8ALW.INSV$ 07UV5SR+BNQHNML7 /KD3TU 4V*CAT3ZGLQMI/XI%ZJNSBBXK2:UG%UJMI:TU+MMPZ5$/PMX19UE:-PSR3/$NU44CBE6DQ3D7B0FBOFX0DV2DGMB$YPF62I$60/F$Z2I6IFX21XNI-LM%3/DF/U6Z9FEOJVRLVW6K$UG+BKK57:1+D10%4K83F+1VWD1NE";

/// A frame with `text` as a clean QR code (4 px modules) in the middle.
fn code_frame(text: &str, seq: u64) -> Frame {
    let code =
        qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::Q).expect("encodable");
    let n = code.width();
    let colors = code.to_colors();
    let (w, h, px) = (640usize, 480usize, 4usize);
    let (ox, oy) = ((w - n * px) / 2, (h - n * px) / 2);
    let luma = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            let inside = x >= ox && y >= oy && (x - ox) / px < n && (y - oy) / px < n;
            let dark = inside && colors[((y - oy) / px) * n + (x - ox) / px] == qrcode::Color::Dark;
            if dark { 30 } else { 220 }
        })
        .collect();
    Frame::new(w as u32, h as u32, luma, Duration::ZERO, seq).expect("sizes match")
}

fn blank_frame(seq: u64) -> Frame {
    Frame::new(640, 480, vec![170; 640 * 480], Duration::ZERO, seq).expect("sizes match")
}

/// A reader whose time budget never cuts a test short (debug builds are slow).
fn generous() -> ReaderConfig {
    ReaderConfig {
        budget: Duration::from_secs(60),
        ..ReaderConfig::default()
    }
}

/// Runs a source through the pipeline; returns the texts read per frame and the final counts.
fn run<F>(make: F) -> (Vec<Vec<String>>, u64, u64)
where
    F: FnOnce() -> Box<dyn FrameSource> + Send + 'static,
{
    let pipeline = Pipeline::spawn(
        make,
        Reader::new(generous()),
        Delivery::Every,
        Duration::from_millis(10),
    );
    let mut texts = Vec::new();
    for event in pipeline.events() {
        match event {
            PipelineEvent::Read { codes, .. } => {
                texts.push(codes.into_iter().map(|c| c.text).collect())
            }
            PipelineEvent::Finished {
                delivered,
                dropped,
                stats,
            } => {
                assert_eq!(stats.panics, 0);
                return (texts, delivered, dropped);
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    panic!("the pipeline ended without Finished");
}

fn write_png(frame: &Frame, path: &Path) {
    GrayImage::from_raw(frame.width, frame.height, frame.luma.clone())
        .expect("sizes match")
        .save(path)
        .expect("png written");
}

#[test]
fn image_files_go_through_the_pipeline() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_png(&code_frame(TEXT, 0), &dir.path().join("a.png"));
    write_png(&blank_frame(1), &dir.path().join("b.png"));
    std::fs::write(dir.path().join("notes.txt"), "not an image").expect("written");
    let path = dir.path().to_owned();
    let (texts, delivered, dropped) =
        run(move || Box::new(ImageSource::from_dir(&path).expect("two images")));
    assert_eq!(texts, vec![vec![TEXT.to_owned()], vec![]]);
    assert_eq!((delivered, dropped), (2, 0));
}

#[test]
fn a_y4m_video_goes_through_the_pipeline_and_loops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clip.y4m");
    let mut writer = Y4mWriter::create(&path, 640, 480, 25).expect("created");
    writer.write(&blank_frame(0)).expect("written");
    writer.write(&code_frame(TEXT, 1)).expect("written");
    writer.finish().expect("flushed");
    let mut video = VideoSource::open(&path, None)
        .expect("valid y4m")
        .paced(false)
        .looping(true);
    let stamps: Vec<(u64, Duration)> = (0..3)
        .map(|_| video.next_frame().expect("reads").expect("loops"))
        .map(|f| (f.seq, f.timestamp))
        .collect();
    assert_eq!(
        stamps,
        vec![
            (0, Duration::ZERO),
            (1, Duration::from_millis(40)),
            (2, Duration::from_millis(80))
        ]
    );
    let (texts, delivered, _) = run(move || {
        Box::new(
            VideoSource::open(&path, None)
                .expect("valid y4m")
                .paced(false),
        )
    });
    assert_eq!(texts, vec![vec![], vec![TEXT.to_owned()]]);
    assert_eq!(delivered, 2);
}

#[test]
fn a_bad_video_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("x.y4m");
    std::fs::write(&path, b"RIFF not a y4m").expect("written");
    let err = VideoSource::open(&path, None).expect_err("not y4m");
    assert!(err.to_string().contains("YUV4MPEG2"), "{err}");
}

#[test]
fn synthetic_frames_go_through_the_pipeline() {
    let config = SyntheticConfig {
        seed: 5,
        texts: vec![TEXT.to_owned()],
        frames: Some(3),
        ..SyntheticConfig::default()
    };
    let (texts, delivered, _) =
        run(move || Box::new(SyntheticSource::new(config).expect("valid config")));
    assert_eq!(delivered, 3);
    assert_eq!(texts.len(), 3);
    // Whatever was read is the text shown, never anything else.
    assert!(texts.iter().flatten().all(|t| t == TEXT));
}

#[test]
fn a_missing_camera_is_reported_and_retried_without_killing_the_pipeline() {
    let pipeline = Pipeline::spawn(
        || Box::new(CameraSource::new(CameraSpec::default())),
        Reader::new(ReaderConfig::default()),
        Delivery::LatestWins,
        Duration::from_millis(10),
    );
    match pipeline.events().recv().expect("an event") {
        PipelineEvent::SourceDown(why) => assert!(why.starts_with("no camera found"), "{why}"),
        // A machine with a camera delivers frames instead.
        PipelineEvent::Read { .. } => {}
        other => panic!("unexpected {other:?}"),
    }
    pipeline.stop();
    let finished = pipeline
        .events()
        .iter()
        .find(|e| matches!(e, PipelineEvent::Finished { .. }));
    assert!(finished.is_some());
}

#[test]
fn the_image_that_panics_rqrr_is_contained_and_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let (w, h, luma) =
        passgate_scan::source::images::load_luma(&dir.join("rqrr-panics.png")).expect("test image");
    let expected = std::fs::read_to_string(dir.join("rqrr-panics.txt")).expect("expected text");
    // Plain rqrr panics on it; the panic is caught.
    let (_, panicked) = passgate_scan::reader::read_plain_rqrr(w as usize, h as usize, &luma);
    assert!(panicked, "rqrr no longer panics on this image");
    let mut reader = Reader::new(generous());
    let codes = reader.read_luma(w as usize, h as usize, &luma);
    assert_eq!(
        codes.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        vec![expected.as_str()]
    );
    let corners = codes[0].corners;
    assert!(
        corners
            .iter()
            .all(|[x, y]| (0.0..=w as f32).contains(x) && (0.0..=h as f32).contains(y))
    );
}
