//! In-memory client search over decrypted codes, names and nicknames.
//!
//! Built at unlock from the vault and dropped (zeroized) at lock: the plaintext it holds is never
//! written to disk, so search works offline without an on-disk index leaking names.

use serde::Serialize;
use zeroize::Zeroizing;

use crate::ids::ClientId;

/// What a client list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientSummary {
    /// The client's id.
    pub id: ClientId,
    /// Pseudonymous code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Nickname.
    pub nickname: String,
}

struct Entry {
    id: ClientId,
    code: Zeroizing<String>,
    name: Zeroizing<String>,
    nickname: Zeroizing<String>,
    /// Lower-cased `code \n name \n nickname`, what queries match against.
    haystack: Zeroizing<String>,
}

impl Entry {
    fn summary(&self) -> ClientSummary {
        ClientSummary {
            id: self.id,
            code: self.code.to_string(),
            name: self.name.to_string(),
            nickname: self.nickname.to_string(),
        }
    }
}

/// The search index.
#[derive(Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} clients)", self.entries.len())
    }
}

impl SearchIndex {
    /// Adds a client or replaces its entry.
    pub fn upsert(&mut self, id: ClientId, code: &str, name: &str, nickname: &str) {
        let haystack = Zeroizing::new(format!("{code}\n{name}\n{nickname}").to_lowercase());
        let entry = Entry {
            id,
            code: Zeroizing::new(code.to_owned()),
            name: Zeroizing::new(name.to_owned()),
            nickname: Zeroizing::new(nickname.to_owned()),
            haystack,
        };
        match self.entries.iter_mut().find(|e| e.id == id) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    /// Removes a client (this device may no longer read it).
    pub fn remove(&mut self, id: ClientId) {
        self.entries.retain(|e| e.id != id);
    }

    /// Pre-allocates for `n` clients (index build at unlock).
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
    }

    /// Adds a client known not to be present yet (index build at unlock).
    pub fn push_new(&mut self, id: ClientId, code: &str, name: &str, nickname: &str) {
        self.entries.push(Entry {
            id,
            code: Zeroizing::new(code.to_owned()),
            name: Zeroizing::new(name.to_owned()),
            nickname: Zeroizing::new(nickname.to_owned()),
            haystack: Zeroizing::new(format!("{code}\n{name}\n{nickname}").to_lowercase()),
        });
    }

    /// Number of clients indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no client is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Clients whose code, name or nickname contain every word of `query` (case-insensitive),
    /// sorted by code, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<ClientSummary> {
        let q = Zeroizing::new(query.to_lowercase());
        let terms: Vec<&str> = q.split_whitespace().collect();
        let mut hits: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| terms.iter().all(|t| e.haystack.contains(t)))
            .collect();
        hits.sort_unstable_by(|a, b| a.code.cmp(&b.code));
        hits.into_iter().take(limit).map(Entry::summary).collect()
    }

    /// Every client, sorted by code.
    pub fn all(&self) -> Vec<ClientSummary> {
        self.search("", usize::MAX)
    }

    /// The pseudonymous code of a client.
    pub fn code_of(&self, id: ClientId) -> Option<String> {
        self.entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.code.to_string())
    }

    /// The client with exactly this code (case-insensitive).
    pub fn by_code(&self, code: &str) -> Option<ClientId> {
        self.entries
            .iter()
            .find(|e| e.code.eq_ignore_ascii_case(code))
            .map(|e| e.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_matches_every_word_in_any_field_ignoring_case() {
        let mut ix = SearchIndex::default();
        let a = ClientId::random();
        ix.upsert(a, "JKT-001", "Sari Contoh", "Ari");
        ix.upsert(ClientId::random(), "JKT-002", "Budi Fiktif", "Bud");
        assert_eq!(ix.search("sari", 10).len(), 1, "name match");
        assert_eq!(ix.search("jkt", 10).len(), 2, "code prefix matches both");
        assert_eq!(
            ix.search("ari jkt-001", 10)[0].id,
            a,
            "all words must match"
        );
        assert!(ix.search("zzz", 10).is_empty(), "no match, no result");
        ix.upsert(a, "JKT-001", "Sari Baru", "Ari");
        assert_eq!(ix.len(), 2, "upsert replaces, it does not duplicate");
        assert_eq!(
            ix.by_code("jkt-001"),
            Some(a),
            "codes are found case-insensitively"
        );
    }
}
