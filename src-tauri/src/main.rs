//! Starts the Passgate kiosk app.

use clap::Parser;

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args = passgate_app::Args::parse();
    if let Err(e) = passgate_app::run(args) {
        eprintln!("passgate-app: {e:#}");
        std::process::exit(2);
    }
}
