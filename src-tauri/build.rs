//! Embeds the UI and generates one permission per app command.

include!("src/commands_list.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed: is ui/dist built? run `./dev setup` or `cd ui && npm ci && npm run build`");
}
