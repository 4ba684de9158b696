//! The OpenAPI 3.0 document of the JSON endpoints, served at `/openapi.json`. Hand-written
//! (`crates/teduh-server/openapi.json`); a test checks that it parses and names every route.

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../openapi.json");

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_is_json_and_lists_the_sync_endpoints() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).expect("valid JSON");
        for path in [
            "/v1/register",
            "/v1/token",
            "/v1/devices/invitations",
            "/v1/invitations/{id}",
            "/v1/teams/{team}/invitations",
            "/v1/teams/{team}/records",
            "/v1/teams/{team}/envelopes",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} must be documented");
        }
    }
}
