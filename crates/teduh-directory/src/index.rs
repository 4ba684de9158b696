//! The device's offline copy of the directory: SQLite with an FTS5 index.
//!
//! It lives in its own file (`directory.sqlite3`), apart from the encrypted vault: it is public
//! data, replaced wholesale by each bundle, readable before unlock (emergency numbers must never
//! wait for a passphrase).

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::Serialize;

use crate::bundle::{Bundle, BundleError, SignedBundle};
use crate::hours::{number_for_today, open_state, OpenState};
use crate::model::{Category, CoverageLevel, Entry};

const MIGRATIONS: &[&str] = &[include_str!("../../../migrations/directory/0001_init.sql")];

/// `PRAGMA application_id` of a directory index ("TDIR").
const APPLICATION_ID: i32 = 0x5444_4952;

/// Errors of the directory index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The file is not a Teduh directory index.
    #[error("{0} is not a Teduh directory file; it was left untouched")]
    Foreign(String),
    /// A bundle was refused; the current directory is kept.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// SQLite failed (full disk, I/O error).
    #[error("directory storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored entry could not be read back.
    #[error("a stored directory entry is damaged: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Free text: name, service, place (case and accents ignored, prefixes match).
    pub text: String,
    /// Only these categories (empty = all).
    pub categories: Vec<Category>,
    /// Only services covering this province (national services always match).
    pub province: Option<String>,
    /// Only services open at the query's instant.
    pub open_now: bool,
    /// At most this many results ([`DEFAULT_LIMIT`] when `None`): a screen shows the best
    /// matches, and decoding every weak match of a 5,000-entry directory would cost more than
    /// the search itself.
    pub limit: Option<usize>,
}

/// Results returned when a query sets no limit.
pub const DEFAULT_LIMIT: usize = 100;

/// One search result, with what the counselor needs to decide to call.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The entry.
    pub entry: Entry,
    /// Open state at the query's instant, in the entry's own zone.
    pub open: OpenState,
    /// The number to call today (rota-aware).
    pub number_today: Option<String>,
    /// Not re-verified for 12 months (or never).
    pub possibly_outdated: bool,
}

/// The offline directory.
#[derive(Debug)]
pub struct DirectoryIndex {
    conn: Connection,
}

impl DirectoryIndex {
    /// Opens (creating if needed) the directory file. A new file starts with the seed bundle.
    ///
    /// Fails when the file belongs to something else (left untouched) or SQLite fails.
    pub fn open(path: &Path) -> Result<Self, IndexError> {
        let conn = Connection::open(path)?;
        Self::init(conn, &path.display().to_string())
    }

    /// An in-memory directory (tests, benchmarks).
    pub fn open_in_memory() -> Result<Self, IndexError> {
        Self::init(Connection::open_in_memory()?, ":memory:")
    }

    fn init(mut conn: Connection, name: &str) -> Result<Self, IndexError> {
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|_| IndexError::Foreign(name.to_owned()))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > 0 && app_id != APPLICATION_ID {
            return Err(IndexError::Foreign(name.to_owned()));
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        let mut index = Self { conn };
        if index.version()?.is_none() {
            index.apply(&crate::seed::seed_bundle())?;
        }
        Ok(index)
    }

    /// The version of the directory in use (`None` before anything was applied).
    pub fn version(&self) -> Result<Option<u64>, IndexError> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM directory_meta WHERE key = 'version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.and_then(|v| v.parse().ok()))
    }

    /// Verifies a signed bundle against the organisation's key and applies it if it is newer.
    /// On any error the current directory stays as it was.
    pub fn apply_signed(
        &mut self,
        signed: &SignedBundle,
        trusted: &ed25519_dalek::VerifyingKey,
    ) -> Result<u64, IndexError> {
        let bundle = signed.accept(trusted, self.version()?)?;
        self.apply(&bundle)?;
        Ok(bundle.version)
    }

    /// Replaces the whole directory with `bundle`, atomically (one transaction).
    pub fn apply(&mut self, bundle: &Bundle) -> Result<(), IndexError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM entry", [])?;
        tx.execute("DELETE FROM entry_fts", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO entry (id, category, coverage_level, province, area, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut insert_fts = tx.prepare(
                "INSERT INTO entry_fts (rowid, name, services, place, terms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in &bundle.entries {
                let json = serde_json::to_string(e)?;
                insert.execute(params![
                    e.id,
                    e.category.code(),
                    e.coverage.level.code(),
                    e.coverage.province,
                    e.coverage.area,
                    json
                ])?;
                let rowid = tx.last_insert_rowid();
                let place = format!(
                    "{} {} {}",
                    e.coverage.area,
                    e.coverage.province,
                    e.address.as_deref().unwrap_or("")
                );
                let numbers: Vec<&str> = e.phones.iter().map(|p| p.number.as_str()).collect();
                let terms = format!(
                    "{} {} {}",
                    e.category.search_terms(),
                    numbers.join(" "),
                    e.notes
                );
                insert_fts.execute(params![rowid, e.name, e.services, place, terms])?;
            }
        }
        tx.execute(
            "INSERT INTO directory_meta (key, value) VALUES ('version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [bundle.version.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Searches the directory. Results with text are ranked by relevance (name first, then
    /// services, place and category words); without text, by category then name.
    pub fn search(&self, query: &Query, now: DateTime<Utc>) -> Result<Vec<Hit>, IndexError> {
        let fts = fts_query(&query.text);
        let mut sql = String::from("SELECT e.json FROM entry e");
        let mut args: Vec<String> = Vec::new();
        if fts.is_some() {
            sql.push_str(" JOIN entry_fts f ON f.rowid = e.rowid WHERE entry_fts MATCH ?");
        } else {
            sql.push_str(" WHERE 1");
        }
        if let Some(f) = &fts {
            args.push(f.clone());
        }
        if !query.categories.is_empty() {
            sql.push_str(&format!(
                " AND e.category IN ({})",
                vec!["?"; query.categories.len()].join(",")
            ));
            args.extend(query.categories.iter().map(|c| c.code().to_owned()));
        }
        if let Some(p) = &query.province {
            sql.push_str(" AND (e.coverage_level = ? OR e.province = ? COLLATE NOCASE)");
            args.push(CoverageLevel::National.code().to_owned());
            args.push(p.clone());
        }
        if fts.is_some() {
            sql.push_str(" ORDER BY bm25(entry_fts, 10.0, 4.0, 3.0, 2.0), e.id");
        } else {
            sql.push_str(" ORDER BY e.rowid");
        }
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })?;
        let today = now.date_naive();
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        let mut hits = Vec::new();
        for json in rows {
            if hits.len() >= limit {
                break;
            }
            let entry: Entry = serde_json::from_str(&json?)?;
            let open = open_state(&entry, now);
            if query.open_now && !open.is_open() {
                continue;
            }
            hits.push(Hit {
                number_today: number_for_today(&entry, now),
                possibly_outdated: entry.is_possibly_outdated(today),
                open,
                entry,
            });
        }
        Ok(hits)
    }

    /// Whether the app may hand `url` to the operating system: a `tel:` link of a number, a
    /// WhatsApp chat (`https://wa.me/` and international digits), or the exact web address of an
    /// entry of this directory. Anything else (another site, `file:`, a script) is refused, so a
    /// tampered view or a compromised page cannot make the app open what it likes.
    ///
    /// Fails only when the directory cannot be read.
    pub fn may_open(&self, url: &str) -> Result<bool, IndexError> {
        if let Some(number) = url.strip_prefix("tel:") {
            return Ok(!number.is_empty()
                && number.chars().any(|c| c.is_ascii_digit())
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | '*' | '#' | ',' | ';')));
        }
        if let Some(digits) = url.strip_prefix("https://wa.me/") {
            return Ok(digits.len() >= 8 && digits.chars().all(|c| c.is_ascii_digit()));
        }
        if !url.starts_with("https://") || url.chars().any(char::is_whitespace) {
            return Ok(false);
        }
        let mut rows = self.conn.prepare("SELECT json FROM entry")?;
        let mut rows = rows.query([])?;
        while let Some(row) = rows.next()? {
            let json: String = row.get(0)?;
            let entry: Entry = serde_json::from_str(&json)?;
            if entry.web.as_deref() == Some(url) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The emergency panel: every emergency and crisis entry, in seed order.
    pub fn emergency_numbers(&self, now: DateTime<Utc>) -> Result<Vec<Hit>, IndexError> {
        self.search(
            &Query {
                categories: vec![
                    Category::Emergency,
                    Category::MentalHealth,
                    Category::WomenAndViolence,
                    Category::ChildProtection,
                ],
                ..Query::default()
            },
            now,
        )
        .map(|hits| {
            hits.into_iter()
                .filter(|h| !h.entry.phones.is_empty() || h.entry.whatsapp.is_some())
                .collect()
        })
    }
}

/// Turns user text into an FTS5 query: each word becomes a quoted prefix term (`"anak"*`), all
/// required. Quoting makes FTS5 syntax characters in user input harmless.
fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        // Monday 2026-11-23, 21.00 WIB.
        Utc.with_ymd_and_hms(2026, 11, 23, 14, 0, 0)
            .single()
            .expect("valid")
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.entry.id.as_str()).collect()
    }

    #[test]
    fn anak_finds_sapa_and_the_child_protection_services() {
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        let hits = idx
            .search(
                &Query {
                    text: "anak".into(),
                    ..Query::default()
                },
                now(),
            )
            .expect("search");
        let got = ids(&hits);
        for want in [
            "sapa-129",
            "tepsa-1500-771",
            "balai-anak-rumbai",
            "lpks-lubuk-minturun",
        ] {
            assert!(got.contains(&want), "{want} missing from {got:?}");
        }
        let name_matches = hits
            .iter()
            .take_while(|h| h.entry.name.to_lowercase().contains("anak"))
            .count();
        let all_name_matches = hits
            .iter()
            .filter(|h| h.entry.name.to_lowercase().contains("anak"))
            .count();
        assert_eq!(
            name_matches, all_name_matches,
            "name matches rank above service-text matches: {got:?}"
        );
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        for q in ["BASARNAS", "basarnas", "Básárnás"] {
            let hits = idx
                .search(
                    &Query {
                        text: q.into(),
                        ..Query::default()
                    },
                    now(),
                )
                .expect("search");
            assert_eq!(ids(&hits), vec!["basarnas-115"], "query {q:?}");
        }
    }

    #[test]
    fn search_matches_places_and_prefixes() {
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        let hits = idx
            .search(
                &Query {
                    text: "padang pan".into(),
                    ..Query::default()
                },
                now(),
            )
            .expect("search");
        assert_eq!(ids(&hits), vec!["rumah-healing-padang-panjang"]);
    }

    #[test]
    fn fts_syntax_in_user_text_is_harmless() {
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        for q in ["\"", "anak OR", "NEAR(", "*", "a:b", "-"] {
            idx.search(
                &Query {
                    text: q.into(),
                    ..Query::default()
                },
                now(),
            )
            .unwrap_or_else(|e| panic!("query {q:?} must not fail: {e}"));
        }
    }

    #[test]
    fn filters_by_region_category_and_open_now() {
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        let riau = idx
            .search(
                &Query {
                    province: Some("riau".into()),
                    categories: vec![Category::ChildProtection],
                    ..Query::default()
                },
                now(),
            )
            .expect("search");
        assert_eq!(
            ids(&riau),
            vec!["tepsa-1500-771", "balai-anak-rumbai"],
            "national + Riau only"
        );

        // 21.00 WIB: the healing house (08.00-16.00) is closed, 24-hour lines are open.
        let open = idx
            .search(
                &Query {
                    open_now: true,
                    ..Query::default()
                },
                now(),
            )
            .expect("search");
        let got = ids(&open);
        assert!(got.contains(&"darurat-112"));
        assert!(
            !got.contains(&"rumah-healing-padang-panjang"),
            "closed at 21.00 WIB"
        );
        assert!(
            !got.contains(&"sejiwa-119-8"),
            "unknown hours never count as open"
        );
    }

    #[test]
    fn only_numbers_whatsapp_chats_and_listed_web_addresses_may_be_opened() {
        let idx = DirectoryIndex::open_in_memory().expect("opens");
        for (url, allowed) in [
            ("tel:112", true),
            ("tel:+62215701111,2", true),
            ("https://wa.me/628111129129", true),
            ("https://healing119.id", true),
            ("tel:", false),
            ("tel:112; rm -rf /", false),
            ("https://wa.me/62811?text=hai", false),
            ("https://wa.me/", false),
            ("https://healing119.id/../phish", false),
            ("https://evil.example/", false),
            ("http://healing119.id", false),
            ("file:///etc/passwd", false),
            ("javascript:alert(1)", false),
        ] {
            assert_eq!(idx.may_open(url).expect("reads"), allowed, "{url}");
        }
    }

    #[test]
    fn a_tampered_or_older_bundle_leaves_the_current_directory_in_place() {
        use ed25519_dalek::SigningKey;
        let key = SigningKey::from_bytes(&[7; 32]);
        let mut idx = DirectoryIndex::open_in_memory().expect("opens");
        let mut next = crate::seed::seed_bundle();
        next.version = 2;
        next.entries.truncate(3);
        let signed = SignedBundle::sign(&next, &key).expect("signs");
        assert_eq!(
            idx.apply_signed(&signed, &key.verifying_key())
                .expect("applies"),
            2
        );

        let mut tampered = signed.clone();
        tampered.payload = tampered.payload.replace("\"version\":2", "\"version\":9");
        assert!(matches!(
            idx.apply_signed(&tampered, &key.verifying_key()),
            Err(IndexError::Bundle(BundleError::BadSignature))
        ));
        let mut older = crate::seed::seed_bundle();
        older.version = 1;
        let older = SignedBundle::sign(&older, &key).expect("signs");
        assert!(matches!(
            idx.apply_signed(&older, &key.verifying_key()),
            Err(IndexError::Bundle(BundleError::NotNewer { .. }))
        ));
        assert_eq!(
            idx.version().expect("version"),
            Some(2),
            "the good bundle stays"
        );
        let all = idx.search(&Query::default(), now()).expect("search");
        assert_eq!(all.len(), 3, "entries of the good bundle stay");
    }

    #[test]
    fn the_directory_survives_a_reopen() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("directory.sqlite3");
        let n = DirectoryIndex::open(&path)
            .expect("opens")
            .search(&Query::default(), now())
            .expect("search")
            .len();
        let again = DirectoryIndex::open(&path).expect("reopens");
        assert_eq!(
            again
                .search(&Query::default(), now())
                .expect("search")
                .len(),
            n
        );
        assert_eq!(again.version().expect("version"), Some(1), "seed version");
    }
}
