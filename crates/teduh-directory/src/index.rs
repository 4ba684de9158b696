//! The device's offline copy of the directory: SQLite with an FTS5 index.
//!
//! It lives in its own file (`directory.sqlite3`), apart from the encrypted vault: it is public
//! data, replaced wholesale by each bundle, readable before unlock (emergency numbers must never
//! wait for a passphrase).
//!
//! One file because it is one SQLite index: its schema and migrations, applying a bundle, and
//! the queries over it (search with synonyms, filters, open now, the emergency panel) share the
//! tables and the FTS5 columns. Its tests are in `index/tests.rs`.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::Serialize;

use crate::bundle::{Bundle, BundleError, SignedBundle};
use crate::holidays::Holiday;
use crate::hours::{number_for_today, open_state, rota_week, OpenState, RotaWeek};
use crate::model::{Category, ContactStatus, CoverageLevel, Entry, Situation};
use crate::words::{fts_query, Synonym};

/// Schema migrations, applied in order; `PRAGMA user_version` counts the applied ones.
/// The `directory_meta` key of the signed bundle in use.
const SIGNED_BUNDLE: &str = "signed_bundle";

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/directory/0001_init.sql"),
    include_str!("../../../migrations/directory/0002_provinces.sql"),
];

/// `PRAGMA application_id` of a directory index ("TDIR").
const APPLICATION_ID: i32 = 0x5444_4952;

/// Errors of the directory index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The file is not a Teduh directory index.
    #[error("{0} is not a Teduh directory file; it was left untouched")]
    Foreign(String),
    /// The file was written by a newer Teduh (its schema is unknown to this one).
    #[error(
        "the directory file has schema {found}, newer than this app's {known}; update Teduh (the file was left untouched)"
    )]
    TooNew {
        /// The file's schema.
        found: i64,
        /// The newest schema this build knows.
        known: i64,
    },
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
    /// Free text: name, service, place (case and accents ignored, prefixes match, the words
    /// people type expanded by the bundle's synonyms).
    pub text: String,
    /// Only these categories (empty = all).
    pub categories: Vec<Category>,
    /// Only services covering this province (national services always match).
    pub province: Option<String>,
    /// Only services not known to be closed at the query's instant: open ones first, then those
    /// whose hours are unknown (labelled so), so a line with unpublished hours never vanishes.
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
    /// The rota as a week starting today, for entries with a rota.
    pub rota: Option<RotaWeek>,
    /// Not re-verified for 12 months (or never).
    pub possibly_outdated: bool,
}

/// One key of the emergency panel and its entries, best first.
#[derive(Debug, Clone, Serialize)]
pub struct SituationHits {
    /// The situation.
    pub situation: Situation,
    /// Entries that can be reached directly (phone, rota or WhatsApp).
    pub hits: Vec<Hit>,
}

/// The offline directory.
#[derive(Debug)]
pub struct DirectoryIndex {
    conn: Connection,
    /// The synonyms in use: the bundle's, else the seed's.
    synonyms: Vec<Synonym>,
    /// The holidays in use: the bundle's, else the seed's.
    holidays: Vec<Holiday>,
}

impl DirectoryIndex {
    /// Opens (creating if needed) the directory file. A new file starts with the seed bundle;
    /// a file that still holds an older seed (version 1) gets this build's seed.
    ///
    /// Fails when the file belongs to something else or to a newer Teduh (left untouched), or
    /// SQLite fails.
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
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(IndexError::TooNew {
                found: version,
                known,
            });
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
        let mut index = Self {
            conn,
            synonyms: Vec::new(),
            holidays: Vec::new(),
        };
        let seed = crate::seed::seed_bundle();
        if index.holds_older_seed(&seed)? {
            index.apply(&seed)?;
        }
        index.load_lists()?;
        Ok(index)
    }

    /// Nothing applied yet, or the seed (version 1) of an older build: the seed carries no
    /// version of its own beyond 1, so its publication time tells builds apart. A published
    /// bundle (version >= 2) is never replaced by a seed.
    fn holds_older_seed(&self, seed: &Bundle) -> Result<bool, IndexError> {
        match self.version()? {
            None => Ok(true),
            Some(1) => Ok(self
                .meta("published_at")?
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .is_none_or(|t| t < seed.published_at)),
            Some(_) => Ok(false),
        }
    }

    fn meta(&self, key: &str) -> Result<Option<String>, IndexError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM directory_meta WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Reads the bundle's lists, falling back to the seed's for a bundle without them.
    fn load_lists(&mut self) -> Result<(), IndexError> {
        let seed = crate::seed::seed_bundle();
        self.synonyms = match self.meta("synonyms")? {
            Some(json) => serde_json::from_str(&json)?,
            None => seed.synonyms.unwrap_or_default(),
        };
        self.holidays = match self.meta("holidays")? {
            Some(json) => serde_json::from_str(&json)?,
            None => seed.holidays.unwrap_or_default(),
        };
        Ok(())
    }

    /// The version of the directory in use (`None` before anything was applied).
    pub fn version(&self) -> Result<Option<u64>, IndexError> {
        Ok(self.meta("version")?.and_then(|v| v.parse().ok()))
    }

    /// The national holidays in use (the bundle's, else the seed's).
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Verifies a signed bundle against the organisation's key and applies it if it is newer.
    /// On any error the current directory stays as it was.
    pub fn apply_signed(
        &mut self,
        signed: &SignedBundle,
        trusted: &ed25519_dalek::VerifyingKey,
    ) -> Result<u64, IndexError> {
        let bundle = signed.accept(trusted, self.version()?)?;
        let kept = serde_json::to_string(signed)?;
        self.apply_kept(&bundle, Some(&kept))?;
        Ok(bundle.version)
    }

    /// The signed bundle in use, as the organisation published it (`None`: the seed is in
    /// use). A device gives it back to a server restored from a backup that lost it.
    pub fn signed_bundle(&self) -> Result<Option<(u64, Vec<u8>)>, IndexError> {
        let (Some(version), Some(json)) = (self.version()?, self.meta(SIGNED_BUNDLE)?) else {
            return Ok(None);
        };
        Ok(Some((version, json.into_bytes())))
    }

    /// Replaces the whole directory with `bundle`, atomically (one transaction).
    pub fn apply(&mut self, bundle: &Bundle) -> Result<(), IndexError> {
        self.apply_kept(bundle, None)
    }

    /// [`DirectoryIndex::apply`], keeping `signed` (the bundle's signed form, JSON) beside it.
    fn apply_kept(&mut self, bundle: &Bundle, signed: Option<&str>) -> Result<(), IndexError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM entry_province", [])?;
        tx.execute("DELETE FROM entry", [])?;
        tx.execute("DELETE FROM entry_fts", [])?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO entry (id, category, coverage_level, province, area, json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut insert_province = tx.prepare(
                "INSERT OR IGNORE INTO entry_province (entry, province) VALUES (?1, ?2)",
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
                for p in e.coverage.provinces() {
                    insert_province.execute(params![rowid, p.trim()])?;
                }
                let place = format!(
                    "{} {} {}",
                    e.coverage.area,
                    e.coverage.provinces().collect::<Vec<_>>().join(" "),
                    e.address.as_deref().unwrap_or("")
                );
                let numbers: Vec<&str> = e
                    .phones
                    .iter()
                    .map(|p| p.number.as_str())
                    .chain(e.rota.iter().flatten().flatten().map(String::as_str))
                    .collect();
                let terms = format!(
                    "{} {} {}",
                    e.category.search_terms(),
                    numbers.join(" "),
                    e.notes
                );
                insert_fts.execute(params![rowid, e.name, e.services, place, terms])?;
            }
        }
        let mut set = tx.prepare(
            "INSERT INTO directory_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?;
        set.execute(params!["version", bundle.version.to_string()])?;
        set.execute(params!["published_at", bundle.published_at.to_rfc3339()])?;
        let lists = [
            (
                "synonyms",
                bundle
                    .synonyms
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
            ),
            (
                "holidays",
                bundle
                    .holidays
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
            ),
        ];
        let kept = [(SIGNED_BUNDLE, signed.map(str::to_owned))];
        for (key, value) in lists.into_iter().chain(kept) {
            match value {
                Some(json) => {
                    set.execute(params![key, json])?;
                }
                None => {
                    tx.execute("DELETE FROM directory_meta WHERE key = ?1", [key])?;
                }
            }
        }
        drop(set);
        tx.commit()?;
        self.load_lists()
    }

    fn hit(&self, entry: Entry, now: DateTime<Utc>) -> Hit {
        Hit {
            open: open_state(&entry, now, &self.holidays),
            number_today: number_for_today(&entry, now),
            rota: rota_week(&entry, now),
            possibly_outdated: entry.is_possibly_outdated(now.date_naive()),
            entry,
        }
    }

    /// Searches the directory. Results with text are ranked by relevance (name first, then
    /// services, place and category words); without text, by category then name. With
    /// `open_now`, open entries come before those with unknown hours.
    pub fn search(&self, query: &Query, now: DateTime<Utc>) -> Result<Vec<Hit>, IndexError> {
        let fts = fts_query(&query.text, &self.synonyms);
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
            sql.push_str(
                " AND (e.coverage_level = ? OR EXISTS (SELECT 1 FROM entry_province p
                   WHERE p.entry = e.rowid AND p.province = ?))",
            );
            args.push(CoverageLevel::National.code().to_owned());
            args.push(p.trim().to_owned());
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
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        let mut hits = Vec::new();
        for json in rows {
            if hits.len() >= limit {
                break;
            }
            let hit = self.hit(serde_json::from_str(&json?)?, now);
            if query.open_now && hit.open.is_known_closed() {
                continue;
            }
            hits.push(hit);
        }
        if query.open_now {
            // Stable: relevance order within open and within unknown.
            hits.sort_by_key(|h| !h.open.is_open());
        }
        Ok(hits)
    }

    /// The entry with `id` (`None`: the directory in use has none), e.g. the partner a referral
    /// names, for its address on the referral letter.
    ///
    /// Fails when the directory cannot be read.
    pub fn entry(&self, id: &str) -> Result<Option<Entry>, IndexError> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT json FROM entry WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(json.map(|j| serde_json::from_str(&j)).transpose()?)
    }

    /// Every entry's category by entry id: what the monthly statistics count a referral's
    /// partner as.
    ///
    /// Fails when the directory cannot be read.
    pub fn categories(&self) -> Result<std::collections::HashMap<String, Category>, IndexError> {
        let mut st = self.conn.prepare_cached("SELECT id, json FROM entry")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (id, json) = row?;
            let entry: Entry = serde_json::from_str(&json)?;
            out.insert(id, entry.category);
        }
        Ok(out)
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

    /// The lines a hotline or chat contact can come in on (the contact form's choices): the
    /// crisis services (mental health, child protection, women and violence, emergency) that
    /// have a number today, those with a weekday rota first, then by name.
    ///
    /// Fails when the index cannot be read.
    pub fn contact_lines(&self, now: DateTime<Utc>) -> Result<Vec<Hit>, IndexError> {
        let query = Query {
            text: String::new(),
            categories: vec![
                Category::MentalHealth,
                Category::ChildProtection,
                Category::WomenAndViolence,
                Category::Emergency,
            ],
            province: None,
            open_now: false,
            limit: Some(200),
        };
        let mut lines: Vec<Hit> = self
            .search(&query, now)?
            .into_iter()
            .filter(|h| h.number_today.is_some())
            .collect();
        lines.sort_by(|a, b| {
            b.entry
                .rota
                .is_some()
                .cmp(&a.entry.rota.is_some())
                .then_with(|| a.entry.name.cmp(&b.entry.name))
        });
        Ok(lines)
    }

    /// The emergency panel: one group per [`Situation`], in [`Situation::ALL`] order, each
    /// holding the entries of that situation that can be reached directly. Within a group:
    /// entries known to be closed last; before them the situation's own services
    /// ([`Situation::is_own`]), verified contacts before unverified ones, open before unknown
    /// hours; otherwise the bundle's order.
    pub fn emergency_panel(&self, now: DateTime<Utc>) -> Result<Vec<SituationHits>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT json FROM entry ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut entries = Vec::new();
        for json in rows {
            let entry: Entry = serde_json::from_str(&json?)?;
            if entry.has_direct_contact() && !entry.situations().is_empty() {
                entries.push(entry);
            }
        }
        Ok(Situation::ALL
            .into_iter()
            .map(|situation| {
                let mut hits: Vec<Hit> = entries
                    .iter()
                    .filter(|e| e.situations().contains(&situation))
                    .map(|e| self.hit(e.clone(), now))
                    .collect();
                hits.sort_by_key(|h| {
                    (
                        h.open.is_known_closed(),
                        !situation.is_own(h.entry.category),
                        h.entry.contact_status != ContactStatus::Verified,
                        !h.open.is_open(),
                    )
                });
                SituationHits { situation, hits }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
