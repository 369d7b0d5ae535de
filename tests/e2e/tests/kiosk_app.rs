//! The real Passgate app under Xvfb, driven over WebDriver.
//!
//! A replay source holds a valid green pass, a forged pass, a yellow pass
//! and an expired pass, each followed by a blank frame. The screen must show
//! DENY with the right reason for each of the others, and NEEDS TEMPERATURE
//! then ADMIT for the green pass once 36.6 is keyed; the entries must be in
//! the SQLite file; a wrong PIN must not open the manager screen and the
//! right one must; the exported CSV must match the database. A second run
//! with a camera that does not exist must say so on screen, take passes from
//! a keyboard-wedge scanner, and show every screen in both languages.
//! Screenshots go to `target/screenshots/`.
//!
//! Nothing here waits for a time to pass: each step waits for what the
//! screen shows. Verdicts stay up for 60 s and holds for 600 s, and
//! screenshots of a verdict check that it was on screen before and after.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use fantoccini::{Client, Locator, key::Key};
use passgate_e2e::{Driver, app_binary, screenshot, screenshot_verdict, wait_for, wait_text};
use passgate_kiosk::demo;
use passgate_store::{Store, local_day};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;
const PIN: &str = "2468";
/// The driver's ports are fixed per run: the two tests take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn write_config(dir: &Path, source: &str, cooldown: u32) -> anyhow::Result<std::path::PathBuf> {
    let text = format!(
        r#"[venue]
id = "e2e-venue"
name = "E2E supermarket"
device = "kiosk-e2e"
time_zone = "Asia/Shanghai"

[trust]
root_public_key = "demo/root.pub"
initial_trust_list = "demo/trust.json"
demo = false

[policy]
cooldown_seconds = {cooldown}

[camera]
source = "{source}"
width = 640
height = 480
fps = 2

[storage]
database = "kiosk.sqlite"
export_dir = "exports"

[ui]
language = "en"
fullscreen = false
verdict_seconds = 60
temperature_timeout_seconds = 600

[manager]
initial_pin = "{PIN}"
"#
    );
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Starts the driver and the app on `config` (windowed) and waits until the
/// UI says it is ready. Keep the driver alive as long as the session.
async fn open_kiosk(app: &Path, dir: &Path, config: &Path) -> anyhow::Result<(Driver, Client)> {
    let driver = Driver::start(4444, &dir.join("driver.log"))?;
    let c = driver
        .session(
            app,
            &[
                "--config".into(),
                config.display().to_string(),
                "--windowed".into(),
            ],
        )
        .await?;
    wait_for(&c, "body[data-ready=true]", Duration::from_secs(60)).await?;
    Ok((driver, c))
}

async fn click(c: &Client, css: &str) -> anyhow::Result<()> {
    c.find(Locator::Css(css))
        .await
        .with_context(|| format!("no {css}"))?
        .click()
        .await
        .with_context(|| format!("cannot click {css}"))
}

/// Types on the keyboard (not into an element), as a wedge scanner does.
async fn type_keys(c: &Client, text: &str) -> anyhow::Result<()> {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut keys = KeyActions::new("wedge".into());
    for ch in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
    }
    c.perform_actions(keys).await?;
    Ok(())
}

/// The banner's big word once it shows a verdict of `kind`.
async fn banner_word(c: &Client, kind: &str) -> anyhow::Result<String> {
    let css = format!("#banner[data-kind={kind}] #banner-word");
    wait_text(c, &css, Duration::from_secs(60), |_| true).await
}

/// Whether the boxes of the first elements matching `a` and `b` intersect.
async fn overlap(c: &Client, a: &str, b: &str) -> anyhow::Result<bool> {
    let v = c
        .execute(
            "const [a, b] = [arguments[0], arguments[1]].map(s => document.querySelector(s).getBoundingClientRect()); \
             return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;",
            vec![serde_json::Value::from(a), serde_json::Value::from(b)],
        )
        .await?;
    v.as_bool().context("overlap check answered no boolean")
}

/// Whether `css` matches an element that takes space on screen and is not
/// invisible. (WebKitWebDriver's own "displayed" answers false for some
/// visible buttons in a flex row.)
async fn displayed(c: &Client, css: &str) -> anyhow::Result<bool> {
    let shown = c
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             const r = e.getBoundingClientRect(); \
             return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';",
            vec![serde_json::Value::from(css)],
        )
        .await?;
    Ok(shown.as_bool() == Some(true))
}

#[tokio::test(flavor = "multi_thread")]
async fn replayed_passes_get_the_right_verdicts_and_the_manager_sees_them() -> anyhow::Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app_binary()?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let passes = demo::create(&dir.join("demo"), Utc::now())?;
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames)?;
    // Each pass for one frame, then a blank frame; the replay loops at 2 fps
    // and every frame is read.
    for (i, text) in [
        &passes.green,
        &passes.forged,
        &passes.yellow,
        &passes.expired,
    ]
    .into_iter()
    .enumerate()
    {
        demo::write_scene_png(text, 640, 480, &frames.join(format!("{i}a.png")))?;
        demo::blank_luma(640, 480).save(frames.join(format!("{i}b.png")))?;
    }
    let config = write_config(dir, "images:frames", 3600)?;
    let (_driver, c) = open_kiosk(&app, dir, &config).await?;
    let long = Duration::from_secs(60);

    // On the first round the green pass is held, then the forged pass
    // replaces it; forged, yellow and expired are denied with their reasons.
    for (code, words) in [
        ("bad_signature", "bad signature"),
        ("code_yellow", "Yellow code"),
        ("expired", "Pass expired"),
    ] {
        let item = wait_text(
            &c,
            &format!("#recent-list li[data-reason={code}]"),
            long,
            |_| true,
        )
        .await?;
        assert!(
            item.contains("DENY") && item.contains(words),
            "{code}: {item}"
        );
    }
    // Those three are now within the cooldown, so on a later round the
    // green pass is held again and nothing replaces it.
    let word = banner_word(&c, "needs_temperature").await?;
    assert_eq!(word, "NEEDS TEMPERATURE");
    screenshot_verdict(&c, "attendant-needs-temperature", "needs_temperature").await?;
    click(&c, "#key-36").await?;
    click(&c, "#key-tenth-6").await?;
    let details = wait_text(&c, "#banner[data-kind=admit]", long, |_| true).await?;
    assert!(details.contains("ADMIT"), "{details}");
    assert!(
        details.contains("36.6 °C") && details.contains("刘*爽"),
        "{details}"
    );
    assert!(
        details.contains("Recorded"),
        "said recorded only after the store returned: {details}"
    );
    wait_text(&c, "#count-admit", long, |t| t == "1").await?;
    wait_text(&c, "#count-deny", long, |t| t == "3").await?;
    screenshot_verdict(&c, "attendant-admit", "admit").await?;

    // The entries are in the SQLite file.
    let store = Store::open(dir.join("kiosk.sqlite"))?;
    let entries = store.day_entries(local_day(Utc::now(), TZ))?;
    let got: BTreeSet<(String, String)> = entries
        .iter()
        .map(|e| (e.outcome.as_str().to_string(), e.reason_code.clone()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("admit", "ok"),
        ("deny", "bad_signature"),
        ("deny", "code_yellow"),
        ("deny", "expired"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(entries.len(), 4, "the cooldown keeps one entry per pass");
    let admitted = entries
        .iter()
        .find(|e| e.reason_code == "ok")
        .expect("admit entry");
    assert_eq!(admitted.temperature, Some(36.6));

    // A wrong PIN does not open the manager screen.
    click(&c, "#btn-manager").await?;
    c.find(Locator::Css("#pin-input"))
        .await?
        .send_keys("0000")
        .await?;
    click(&c, "#pin-ok").await?;
    let err = wait_text(&c, "#pin-error", long, |t| !t.is_empty()).await?;
    assert!(err.contains("Wrong PIN"), "{err}");
    assert!(
        !displayed(&c, "#manager").await?,
        "a wrong PIN opened the manager screen"
    );

    // The right one does, and the log shows the four entries.
    c.find(Locator::Css("#pin-input"))
        .await?
        .send_keys(PIN)
        .await?;
    click(&c, "#pin-ok").await?;
    wait_for(&c, "#manager:not([hidden]) #log-rows tr[data-id]", long).await?;
    let rows = c.find_all(Locator::Css("#log-rows tr[data-id]")).await?;
    assert_eq!(rows.len(), 4);
    screenshot(&c, "manager-log").await?;

    // The day field shows the venue's day as YYYY-MM-DD whatever the
    // system locale; the next-day button moves to an empty day, the
    // previous-day button back, and a text that is not a day is refused.
    let today = Utc::now().with_timezone(&TZ).date_naive();
    let day_value = |c: Client| async move {
        c.execute("return document.getElementById('log-day').value;", vec![])
            .await
            .map(|v| v.as_str().unwrap_or_default().to_string())
    };
    assert_eq!(day_value(c.clone()).await?, today.to_string());
    click(&c, "#tab-log [data-day-step='1']").await?;
    wait_for(&c, "#log-rows td.empty", long).await?;
    let tomorrow = today.succ_opt().context("a next day")?;
    assert_eq!(day_value(c.clone()).await?, tomorrow.to_string());
    click(&c, "#tab-log [data-day-step='-1']").await?;
    wait_for(&c, "#log-rows tr[data-id]", long).await?;
    // Typed over the selected day, as an attendant would.
    c.execute("document.getElementById('log-day').select();", vec![])
        .await?;
    c.find(Locator::Css("#log-day"))
        .await?
        .send_keys(&format!("2026-02-30{}", char::from(Key::Enter)))
        .await?;
    wait_text(&c, "#toast:not([hidden])", long, |t| {
        t.contains("2026-02-30")
    })
    .await?;
    assert_eq!(day_value(c.clone()).await?, today.to_string());
    assert_eq!(
        c.find_all(Locator::Css("#log-rows tr[data-id]"))
            .await?
            .len(),
        4
    );

    // Export writes a CSV whose rows match the database.
    click(&c, "#btn-export-csv").await?;
    let result = wait_text(&c, "#export-result", long, |t| t.contains(".csv")).await?;
    let path = result
        .split_whitespace()
        .find(|w| w.ends_with(".csv"))
        .context("export path on screen")?;
    let mut csv = csv::Reader::from_path(path)?;
    let headers = csv.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
    };
    let (id, outcome, reason) = (col("entry_id"), col("outcome"), col("reason_code"));
    let mut from_csv = BTreeSet::new();
    for row in csv.records() {
        let row = row?;
        from_csv.insert((
            row[id].to_string(),
            row[outcome].to_string(),
            row[reason].to_string(),
        ));
    }
    let from_db: BTreeSet<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e.id.to_string(),
                e.outcome.as_str().to_string(),
                e.reason_code.clone(),
            )
        })
        .collect();
    assert_eq!(from_csv, from_db);

    click(&c, "button[data-tab=hourly]").await?;
    wait_for(&c, "#chart svg rect.bar-admit", long).await?;
    screenshot(&c, "manager-hourly").await?;
    click(&c, "button[data-tab=settings]").await?;
    wait_text(&c, "#set-fever", long, |_| true).await?;
    screenshot(&c, "manager-settings").await?;

    // Switching to Chinese keeps the counters and translates the screen.
    click(&c, "#btn-back").await?;
    click(&c, "#btn-lang").await?;
    wait_text(&c, "#btn-manager", long, |t| t == "管理").await?;
    wait_text(&c, "#count-admit", long, |t| t == "1").await?;
    screenshot(&c, "attendant-zh").await?;
    c.close().await?;
    Ok(())
}

/// What one language says on the screens this test looks at.
struct Words {
    lang: &'static str,
    no_camera: &'static str,
    deny: &'static str,
    yellow: &'static str,
    needs: &'static str,
    admit: &'static str,
    manager: &'static str,
    log: &'static str,
}

const EN: Words = Words {
    lang: "en",
    no_camera: "No camera",
    deny: "DENY",
    yellow: "Yellow code",
    needs: "NEEDS TEMPERATURE",
    admit: "ADMIT",
    manager: "Manager",
    log: "Day log",
};

const ZH: Words = Words {
    lang: "zh",
    no_camera: "无摄像头",
    deny: "禁止通行",
    yellow: "黄码",
    needs: "请测体温",
    admit: "通过",
    manager: "管理",
    log: "当日记录",
};

#[tokio::test(flavor = "multi_thread")]
async fn without_a_camera_a_hand_scanner_works_and_every_screen_shows_in_both_languages()
-> anyhow::Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = app_binary()?;
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let passes = demo::create(&dir.join("demo"), Utc::now())?;
    let config = write_config(dir, "camera:0", 0)?;
    let (_driver, c) = open_kiosk(&app, dir, &config).await?;
    let long = Duration::from_secs(60);
    for (round, w) in [EN, ZH].iter().enumerate() {
        let name = |screen: &str| format!("{}-{screen}", w.lang);
        // The app started without a camera and says so.
        let chip = wait_text(&c, "#st-camera", long, |t| t.contains(w.no_camera)).await?;
        assert!(chip.contains(w.no_camera), "{chip}");
        assert!(displayed(&c, "#preview-note").await?);
        assert!(
            displayed(&c, "#st-pin").await?,
            "the initial PIN is flagged in the status bar"
        );
        screenshot(&c, &name("attendant-idle")).await?;

        // A keyboard-wedge scanner types the pass and Enter.
        type_keys(&c, &format!("{}\u{E007}", passes.yellow)).await?;
        let reason =
            wait_text(&c, "#banner[data-kind=deny] #banner-reason", long, |_| true).await?;
        assert_eq!(reason, w.yellow);
        assert_eq!(wait_text(&c, "#banner-word", long, |_| true).await?, w.deny);
        screenshot_verdict(&c, &name("attendant-deny"), "deny").await?;

        type_keys(&c, &format!("{}\u{E007}", passes.green)).await?;
        assert_eq!(banner_word(&c, "needs_temperature").await?, w.needs);
        // Regression: a toast covered the keypad's Cancel button. A tenth
        // before the whole degrees shows a hint toast; it must leave the
        // keypad free.
        click(&c, "#key-tenth-6").await?;
        wait_for(&c, "#toast:not([hidden])", long).await?;
        assert!(
            !overlap(&c, "#toast", "#keypad").await?,
            "the toast covers the keypad"
        );
        screenshot_verdict(
            &c,
            &name("attendant-needs-temperature"),
            "needs_temperature",
        )
        .await?;
        click(&c, "#key-36").await?;
        click(&c, "#key-tenth-6").await?;
        assert_eq!(banner_word(&c, "admit").await?, w.admit);
        let admitted = (round + 1).to_string();
        wait_text(&c, "#count-admit", long, |t| t == admitted).await?;
        screenshot_verdict(&c, &name("attendant-admit"), "admit").await?;

        click(&c, "#btn-manager").await?;
        wait_for(&c, "#pin-dialog:not([hidden])", long).await?;
        screenshot(&c, &name("pin")).await?;
        c.find(Locator::Css("#pin-input"))
            .await?
            .send_keys(PIN)
            .await?;
        click(&c, "#pin-ok").await?;
        let total = format!(" {} ", 2 * (round + 1));
        wait_text(&c, "#manager:not([hidden]) #log-pageinfo", long, |t| {
            t.contains(&total)
        })
        .await?;
        let tab = wait_text(&c, "button[data-tab=log]", long, |_| true).await?;
        assert_eq!(tab, w.log);
        screenshot(&c, &name("manager-log")).await?;
        click(&c, "button[data-tab=hourly]").await?;
        wait_for(&c, "#chart svg rect.bar-admit", long).await?;
        screenshot(&c, &name("manager-hourly")).await?;
        click(&c, "button[data-tab=settings]").await?;
        wait_for(&c, "#set-camera option", long).await?;
        screenshot(&c, &name("manager-settings")).await?;
        click(&c, "button[data-tab=pin]").await?;
        wait_for(&c, "#tab-pin:not([hidden])", long).await?;
        screenshot(&c, &name("manager-change-pin")).await?;
        click(&c, "#btn-back").await?;
        wait_for(&c, "#attendant:not([hidden])", long).await?;
        click(&c, "#btn-lang").await?;
        let next = if w.lang == "en" {
            ZH.manager
        } else {
            EN.manager
        };
        wait_text(&c, "#btn-manager", long, |t| t == next).await?;
    }
    c.close().await?;
    Ok(())
}
