//! Frame sources: camera, image files, y4m video replay, synthetic scenes.

pub mod camera;
pub mod images;
pub mod synthetic;
pub mod video;

pub use camera::{CameraDevice, CameraSource, CameraSpec};
pub use images::ImageSource;
pub use synthetic::{SyntheticConfig, SyntheticSource};
pub use video::{VideoSource, Y4mWriter};
