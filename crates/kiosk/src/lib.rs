//! The kiosk service: kiosk.toml, and the source -> reader -> gate -> store -> sync pipeline shared by the app and the CLI.
