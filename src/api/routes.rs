//! The contract's routes, from the typed API metadata (`api::meta()`): what
//! the error mapping (405's `Allow`, undecodable path parameters) and the
//! metrics (bounded route labels) need to know of them.

use std::collections::{BTreeMap, BTreeSet};

use poem_openapi::registry::MetaApi;

/// The contract's paths with their methods, from the typed API metadata:
/// for the `Allow` header of a 405, and to name the parameter of a path the
/// router could not decode.
pub struct RouteTable {
    routes: Vec<Template>,
}

/// One path of the contract.
struct Template {
    /// `/api/tasks/{id}`: the metrics label.
    path: String,
    /// `["", "api", "tasks", "{id}"]`
    segments: Vec<String>,
    /// `DELETE, GET, HEAD, PATCH, PUT`: the `Allow` header.
    methods: String,
    /// The scopes each method's operation declares in its security
    /// requirement (`GET` → `["tasks:read"]`): what authentication
    /// enforces.
    scopes: BTreeMap<String, Vec<&'static str>>,
}

/// What a path outside the contract (documentation, the spec) supports.
const READ_ONLY_METHODS: &str = "GET, HEAD";

impl RouteTable {
    pub fn from_meta(apis: &[MetaApi]) -> Self {
        let routes = apis
            .iter()
            .flat_map(|api| &api.paths)
            .map(|path| {
                let mut methods: BTreeSet<String> = path
                    .operations
                    .iter()
                    .map(|op| op.method.as_str().to_owned())
                    .collect();
                if methods.contains("GET") {
                    methods.insert("HEAD".to_owned());
                }
                let scopes = path
                    .operations
                    .iter()
                    .map(|op| {
                        let needed = op.security.iter().flat_map(|r| r.values().flatten());
                        (op.method.as_str().to_owned(), needed.copied().collect())
                    })
                    .collect();
                Template {
                    path: path.path.clone(),
                    segments: path.path.split('/').map(str::to_owned).collect(),
                    methods: methods.into_iter().collect::<Vec<_>>().join(", "),
                    scopes,
                }
            })
            .collect();
        Self { routes }
    }

    /// The template `path` matches (the most specific one: `/api/tasks/batch`
    /// before `/api/tasks/{id}`).
    fn matching(&self, path: &str) -> Option<&Template> {
        let segments: Vec<&str> = path.split('/').collect();
        let is_parameter = |t: &String| t.starts_with('{');
        self.routes
            .iter()
            .filter(|route| {
                route.segments.len() == segments.len()
                    && route
                        .segments
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| is_parameter(t) || t == s)
            })
            .min_by_key(|route| route.segments.iter().filter(|t| is_parameter(t)).count())
    }

    /// The route `path` belongs to, as a bounded metrics label: a template
    /// of the contract (`/api/tasks/{id}`), a fixed path outside it, or
    /// `unmatched`.
    pub fn template_for(&self, path: &str) -> String {
        if let Some(route) = self.matching(path) {
            return route.path.clone();
        }
        let fixed = match path {
            "/docs" => "/docs",
            _ if path.starts_with("/docs/") => "/docs",
            "/openapi.json" | "/openapi.yaml" | "/favicon.ico" | "/metrics" => path,
            _ => "unmatched",
        };
        fixed.to_owned()
    }

    pub fn methods_for(&self, path: &str) -> String {
        self.matching(path)
            .map_or(READ_ONLY_METHODS, |route| &route.methods)
            .to_owned()
    }

    /// The scopes the operation at `method` and `path` declares (`HEAD` is
    /// `GET`'s); none outside the contract.
    pub fn scopes_for(&self, method: &str, path: &str) -> &[&'static str] {
        let method = if method == "HEAD" { "GET" } else { method };
        self.matching(path)
            .and_then(|route| route.scopes.get(method))
            .map_or(&[], Vec::as_slice)
    }

    /// Names of the path parameters of the template `path` matches.
    pub fn parameters_for(&self, path: &str) -> Vec<&str> {
        self.matching(path)
            .map(|route| {
                route
                    .segments
                    .iter()
                    .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_table_comes_from_the_typed_api() {
        let table = RouteTable::from_meta(&crate::api::meta());
        assert_eq!(table.methods_for("/api/tasks"), "GET, HEAD, POST");
        assert_eq!(
            table.methods_for("/api/tasks/7"),
            "DELETE, GET, HEAD, PATCH, PUT"
        );
        assert_eq!(table.parameters_for("/api/tasks/x"), ["id"]);
        assert_eq!(table.template_for("/api/tasks/x"), "/api/tasks/{id}");
        assert_eq!(table.template_for("/api/tasks/batch"), "/api/tasks/batch");
        assert_eq!(table.methods_for("/api/tasks/batch"), "POST");
        assert_eq!(table.template_for("/docs/oauth-receiver.html"), "/docs");
        assert_eq!(table.template_for("/wp-admin/x.php"), "unmatched");
        assert_eq!(table.methods_for("/docs"), READ_ONLY_METHODS);
        assert!(table.parameters_for("/api/tasks").is_empty());
    }
}
