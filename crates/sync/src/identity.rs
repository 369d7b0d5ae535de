//! The kiosk's device identity: its Ed25519 key, device and venue ids and
//! the hub it enrolled with, kept in the kiosk database's settings (the
//! database file is created with mode 0600).

use ed25519_dalek::SigningKey;
use passgate_store::Store;

use crate::{Error, Result};

const KEY: &str = "sync.device_key";
const PENDING_KEY: &str = "sync.pending_device_key";
const DEVICE: &str = "sync.device_id";
const VENUE: &str = "sync.venue_id";
const HUB: &str = "sync.hub_url";

/// Who this kiosk is to the hub.
#[derive(Clone)]
pub struct DeviceIdentity {
    /// The enrolled device id.
    pub device_id: String,
    /// The venue the hub bound the device to.
    pub venue_id: String,
    /// The hub's base URL at enrolment.
    pub hub_url: String,
    /// The device's signing key.
    pub key: SigningKey,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id)
            .field("venue_id", &self.venue_id)
            .field("hub_url", &self.hub_url)
            .field(
                "public_key",
                &hex::encode(self.key.verifying_key().as_bytes()),
            )
            .finish_non_exhaustive()
    }
}

impl DeviceIdentity {
    /// The identity saved by a successful enrolment, if any.
    pub fn load(store: &Store) -> Result<Option<DeviceIdentity>> {
        let Some(key) = store.setting(KEY)? else {
            return Ok(None);
        };
        let key = parse_seed(&key)?;
        let get = |name: &str| -> Result<String> {
            store
                .setting(name)?
                .ok_or_else(|| Error::BadIdentity(format!("setting {name} is missing")))
        };
        Ok(Some(DeviceIdentity {
            device_id: get(DEVICE)?,
            venue_id: get(VENUE)?,
            hub_url: get(HUB)?,
            key,
        }))
    }

    /// Saves the identity after the hub accepted it.
    pub fn save(&self, store: &mut Store) -> Result<()> {
        store.set_setting(DEVICE, &self.device_id)?;
        store.set_setting(VENUE, &self.venue_id)?;
        store.set_setting(HUB, &self.hub_url)?;
        // The key goes last: an identity is complete once its key is there.
        store.set_setting(KEY, &hex::encode(self.key.as_bytes()))?;
        Ok(())
    }
}

/// The key for an enrolment in progress: the one saved by an earlier
/// attempt whose answer was lost, or a new random one (saved before it is
/// sent, so a retry presents the same key).
pub fn pending_key(store: &mut Store) -> Result<SigningKey> {
    if let Some(text) = store.setting(PENDING_KEY)? {
        return parse_seed(&text);
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| Error::Random(e.to_string()))?;
    store.set_setting(PENDING_KEY, &hex::encode(seed))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn parse_seed(text: &str) -> Result<SigningKey> {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(text.trim(), &mut seed)
        .map_err(|_| Error::BadIdentity("the device key is not 64 hex digits".into()))?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_round_trips_and_debug_hides_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("k.sqlite")).unwrap();
        assert!(DeviceIdentity::load(&store).unwrap().is_none());
        let key = pending_key(&mut store).unwrap();
        assert_eq!(
            pending_key(&mut store).unwrap().as_bytes(),
            key.as_bytes(),
            "a retried enrolment presents the same key"
        );
        let id = DeviceIdentity {
            device_id: "k1".into(),
            venue_id: "v1".into(),
            hub_url: "http://127.0.0.1:1".into(),
            key: key.clone(),
        };
        id.save(&mut store).unwrap();
        let back = DeviceIdentity::load(&store).unwrap().unwrap();
        assert_eq!(back.key.as_bytes(), key.as_bytes());
        assert_eq!(back.device_id, "k1");
        let debug = format!("{back:?}");
        assert!(!debug.contains(&hex::encode(key.as_bytes())), "{debug}");
    }

    #[test]
    fn a_damaged_key_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("k.sqlite")).unwrap();
        store.set_setting(KEY, "zz").unwrap();
        let err = DeviceIdentity::load(&store).unwrap_err().to_string();
        assert!(err.contains("enrol the kiosk again"), "{err}");
    }
}
