//! A page of a list, as the queries take it: validated by the web edge (`web::list`) from
//! `?page=&per_page=&q=&sort=`, applied by each area's store.

/// A validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
    /// The `LIKE` pattern of `q`, if given and not blank.
    pub like: Option<String>,
    /// `q` itself, lower-cased, for searching in memory.
    pub needle: Option<String>,
    /// The chosen sort key and whether it is descending.
    pub sort: Option<(String, bool)>,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}
