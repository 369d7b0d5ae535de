//! Frame sources (camera, image files, video replay, synthetic kiosk scenes) and the QR reader built around rqrr.
