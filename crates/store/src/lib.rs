//! The kiosk's SQLite store: migrations, entries and their outbox, cached trust documents, settings, retention, export.
